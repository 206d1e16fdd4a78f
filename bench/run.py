"""Flashtutor benchmarks: prints figures, asserts nothing (targets live here, not in tests).

    .venv/bin/python bench/run.py [--users 10000] [--graders 8] [--presses 400]

1. Grade presses handled per second, end to end: the real Application polling a local fake
   Bot API server over HTTP, SQLite and Postgres. Each simulated person presses Show answer,
   then Good, and waits for the next card, as a person would (PTB handles updates in order).
   The rate limiter is off: it would cap sends at Telegram's 30/s and measure Telegram, not us.
2. One sweep of the daily-push timetable over N users with 16 cards each (all due), on both
   databases: once with a no-op sender (the database part) and once sending every push over
   HTTP to the fake server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from sqlalchemy import insert

from bot.config import DEFAULT_DECKS_DIR
from bot.services.decks import deck_by_slug, deck_cards, load_bundled_decks
from bot.storage.db import Database
from bot.storage.models import CardState, Enrolment, User
from scheduler.timetable import Timetable
from tests.fake_telegram import FakeTelegram, FakeUser
from tests.harness import RunningBot, make_settings

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def reset_postgres() -> str:
    with psycopg.connect(POSTGRES.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return POSTGRES


def backends(tmp: Path):
    yield "sqlite", f"sqlite+aiosqlite:///{tmp / 'bench.db'}"
    yield "postgres", reset_postgres()


# --- 1. grade presses per second -------------------------------------------------------------


async def grade_throughput(url: str, graders: int, presses: int) -> tuple[float, float]:
    clock_now = [NOW]
    fake = FakeTelegram(clock=lambda: clock_now[0].timestamp())
    await fake.start()
    bot = RunningBot(
        make_settings(url, fake, default_new_cards_per_day=1000),
        lambda: clock_now[0],
        rate_limiter=False,
    )
    await bot.start()
    try:
        people = [FakeUser(10_000 + i, f"Grader {i}") for i in range(graders)]
        for person in people:
            mark = len(fake.sent)
            fake.send_message(person.id, "/start deep-learning-tools", user=person)
            await fake.wait_for(lambda p=person, m=mark: _card(fake, p.id, m), timeout=30)

        async def grade_loop(person: FakeUser, count: int) -> int:
            done = 0
            while done < count:
                card = fake.last_message(person.id)
                if not card.buttons or card.buttons[0][0] != "Show answer":
                    clock_now[0] += timedelta(days=30)  # all due again: keep going
                    mark = len(fake.sent)
                    fake.send_message(person.id, "/review", user=person)
                    await fake.wait_for(lambda m=mark: _card(fake, person.id, m), timeout=30)
                    continue
                update = fake.press_button(
                    person.id, card.message_id, card.buttons[0][1], user=person
                )
                await fake.wait_for_callback_answer(update, timeout=30)
                good = await fake.wait_for(
                    lambda c=card: next(
                        (
                            d
                            for t, d in fake.message(person.id, c.message_id).buttons
                            if t.startswith("Good")
                        ),
                        None,
                    ),
                    timeout=30,
                )
                mark = len(fake.sent)
                update = fake.press_button(person.id, card.message_id, good, user=person)
                await fake.wait_for_callback_answer(update, timeout=30)
                await fake.wait_for(lambda m=mark: _after_grade(fake, person.id, m), timeout=30)
                done += 1
            return done

        per_person = max(1, presses // graders)
        started = time.perf_counter()
        graded = sum(await asyncio.gather(*(grade_loop(p, per_person) for p in people)))
        elapsed = time.perf_counter() - started
        return graded / elapsed, elapsed
    finally:
        await bot.stop()
        await fake.stop()


def _card(fake, chat_id, mark):
    return any(
        m.chat_id == chat_id and m.buttons and m.buttons[0][0] == "Show answer"
        for m in fake.sent[mark:]
    ) or any(m.chat_id == chat_id and "Nothing is due" in (m.text or "") for m in fake.sent[mark:])


def _after_grade(fake, chat_id, mark):
    # The graded card is edited into the next one (or the session's end).
    return any(
        m.chat_id == chat_id
        and ((m.buttons and m.buttons[0][0] == "Show answer") or "Done for now" in (m.text or ""))
        for m in fake.sent[mark:]
    )


# --- 2. one sweep over many users --------------------------------------------------------------


async def seed_users(db: Database, users: int) -> None:
    await db.migrate()
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=NOW)
    async with db.session() as s:
        deck = await deck_by_slug(s, slug="deep-learning-tools")
        cards = await deck_cards(s, deck_id=deck.id)
    chunk = 2000
    for start in range(0, users, chunk):
        ids = range(start + 1, min(users, start + chunk) + 1)
        async with db.session() as s:
            await s.execute(
                insert(User),
                [
                    {
                        "id": i,
                        "first_name": f"u{i}",
                        "timezone": "UTC",
                        "review_minute": 540,
                        "new_cards_per_day": 20,
                        "desired_retention": 0.9,
                        "paused": False,
                        "blocked": False,
                        "next_push_at": NOW - timedelta(hours=3),
                        "created_at": NOW - timedelta(days=30),
                    }
                    for i in ids
                ],
            )
            await s.execute(
                insert(Enrolment),
                [
                    {"user_id": i, "deck_id": deck.id, "active": True, "enrolled_at": NOW}
                    for i in ids
                ],
            )
            await s.execute(
                insert(CardState),
                [
                    {
                        "user_id": i,
                        "card_id": c.id,
                        "deck_id": deck.id,
                        "state": 2,
                        "step": None,
                        "stability": 10.0,
                        "difficulty": 5.0,
                        "due": NOW - timedelta(hours=1),
                        "last_review": NOW - timedelta(days=10),
                        "reps": 3,
                        "lapses": 0,
                    }
                    for i in ids
                    for c in cards
                ],
            )


class NullBot:
    async def send_message(self, *args, **kwargs):
        return None


async def sweep_time(url: str, users: int, *, over_http: bool) -> tuple[float, int]:
    db = Database(url)
    await seed_users(db, users)
    fake = None
    from bot.runtime import Runtime
    from tests.harness import TOKEN

    if over_http:
        from telegram import Bot

        fake = FakeTelegram(clock=lambda: NOW.timestamp())
        await fake.start()
        sender = Bot(TOKEN, base_url=fake.base_url)
        await sender.initialize()
    else:
        sender = NullBot()
    settings = make_settings(url, fake) if fake else None
    runtime = Runtime(settings=settings, db=db, clock=lambda: NOW)
    timetable = Timetable(runtime, sender)
    started = time.perf_counter()
    report = await timetable.sweep(NOW)
    elapsed = time.perf_counter() - started
    if fake:
        await sender.shutdown()
        await fake.stop()
    await db.dispose()
    return elapsed, len(report.pushed)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--graders", type=int, default=8)
    parser.add_argument("--presses", type=int, default=400)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for name, url in backends(Path(tmp)):
            rate, elapsed = await grade_throughput(url, args.graders, args.presses)
            print(
                f"[{name}] grade presses/s end to end: {rate:7.1f}  "
                f"({args.presses} presses by {args.graders} people in {elapsed:.1f}s)"
            )
        for over_http in (False, True):
            with tempfile.TemporaryDirectory() as tmp2:
                for name, url in backends(Path(tmp2)):
                    seconds, pushed = await sweep_time(url, args.users, over_http=over_http)
                    how = "sending over HTTP to the fake server" if over_http else "no-op sender"
                    print(
                        f"[{name}] one sweep, {args.users} users x 16 cards, {how}: "
                        f"{seconds:6.2f}s ({pushed} pushed)"
                    )


if __name__ == "__main__":
    asyncio.run(main())
