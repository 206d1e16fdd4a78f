"""A daily-push burst while people grade: do replies stay fast, and do pushes keep pace?

    .venv/bin/python bench/push_burst.py [--learners 1500] [--graders 8] [--before 15] [--db both]

The real Application (with its rate limiter) polls a local fake Bot API over HTTP that, like
Telegram, answers 429 to more than 30 new messages in any second. `--learners` people are due
their daily push at the same minute while `--graders` others keep pressing Show answer / Again.
Interactive latency is a press until its visible response (the edit of the card); it is measured
for `--before` seconds without the burst, then while the timetable's sweep pushes everyone.
Prints figures, asserts nothing. Targets (issue 8): p99 during ≤ 1.5 × before, ≥ 24 pushes/s,
0 × 429, every push delivered once. Bot, fake server and graders share one process and loop.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from sqlalchemy import insert

from bot.config import DEFAULT_DECKS_DIR
from bot.services.decks import deck_by_slug, load_bundled_decks
from bot.storage.db import Database
from bot.storage.models import Enrolment, User
from tests.fake_telegram import FakeTelegram, FakeUser
from tests.harness import RunningBot, make_settings

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA = "bench_push_burst"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
FIRST_LEARNER = 1_000_000


def postgres_url() -> str:
    """A URL whose connections use this bench's own schema, emptied first."""
    with psycopg.connect(POSTGRES.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{SCHEMA}"')
    separator = "&" if "?" in POSTGRES else "?"
    return f"{POSTGRES}{separator}options=-csearch_path%3D{SCHEMA}"


async def seed_learners(url: str, learners: int) -> None:
    """`learners` users enrolled in the seed deck, all due their push a minute ago."""
    db = Database(url)
    await db.migrate()
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=NOW)
    async with db.session() as s:
        deck = await deck_by_slug(s, "deep-learning-tools")
        ids = range(FIRST_LEARNER, FIRST_LEARNER + learners)
        await s.execute(
            insert(User),
            [
                {
                    "id": i,
                    "first_name": f"L{i}",
                    "next_push_at": NOW - timedelta(minutes=1),
                    "created_at": NOW - timedelta(days=1),
                }
                for i in ids
            ],
        )
        await s.execute(
            insert(Enrolment),
            [{"user_id": i, "deck_id": deck.id, "active": True, "enrolled_at": NOW} for i in ids],
        )
    await db.dispose()


class Graders:
    """People pressing Show answer, then Again, as fast as the bot answers."""

    def __init__(self, fake: FakeTelegram, clock: list[datetime], count: int) -> None:
        self.fake = fake
        self.clock = clock
        self.people = [FakeUser(50_000 + i, f"Grader {i}") for i in range(count)]
        self.latencies: list[float] = []  # seconds, press to visible response
        self.running = True

    async def enrol(self) -> dict[int, int]:
        cards = {}
        for person in self.people:
            cards[person.id] = await self._ask(person, "/start deep-learning-tools")
        return cards

    async def _ask(self, person: FakeUser, text: str) -> int:
        """Send a command; the id of the message that then carries a Show answer button."""
        mark = self.fake.mark()
        self.fake.send_message(person.id, text, user=person)
        found = await self.fake.wait_for(
            lambda: next(
                (
                    m
                    for m in self.fake.sent[mark:]
                    if m.chat_id == person.id and m.buttons and m.buttons[0][0] == "Show answer"
                ),
                None,
            ),
            timeout=120,
        )
        return found.message_id

    async def run(self, person: FakeUser, message_id: int) -> None:
        fake = self.fake
        while self.running:
            current = fake.message(person.id, message_id)
            labels = [label for label, _data in current.buttons]
            if not labels:  # done for now: a day later everything is due again
                self.clock[0] += timedelta(days=1)
                message_id = await self._ask(person, "/review")
                continue
            data = current.buttons[0][1]  # Show answer, or Again (the first grade)
            started = time.perf_counter()
            fake.press_button(person.id, message_id, data, user=person)
            await fake.wait_for(
                lambda c=current: fake.message(person.id, c.message_id).seq != c.seq, timeout=120
            )
            self.latencies.append(time.perf_counter() - started)


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else float("nan")


async def burst(url: str, learners: int, graders: int, before: float) -> dict:
    await seed_learners(url, learners)
    clock = [NOW]
    fake = FakeTelegram(clock=lambda: clock[0].timestamp())
    await fake.start()
    bot = RunningBot(make_settings(url, fake, default_new_cards_per_day=1000), lambda: clock[0])
    await bot.start()
    try:
        people = Graders(fake, clock, graders)
        cards = await people.enrol()
        fake.limit_send_rate(30)
        tasks = [asyncio.create_task(people.run(p, cards[p.id])) for p in people.people]
        await asyncio.sleep(before)
        calm = list(people.latencies)
        sweep_at = clock[0]
        started = time.perf_counter()
        report = await bot.runtime.timetable.sweep(sweep_at)
        sweep_seconds = time.perf_counter() - started
        during = people.latencies[len(calm) :]
        people.running = False
        await asyncio.gather(*tasks)
        pushes = Counter(
            m.chat_id
            for m in fake.sent
            if m.chat_id >= FIRST_LEARNER and "Time to review" in (m.text or "")
        )
        return {
            "calm": calm,
            "during": during,
            "sweep_seconds": sweep_seconds,
            "pushed": len(report.pushed),
            "delivered": len(pushes),
            "delivered_twice": sum(1 for n in pushes.values() if n > 1),
            "failed": len(report.failed),
            "too_many": len(fake.too_many_requests),
        }
    finally:
        await bot.stop()
        await fake.stop()


def print_figures(name: str, figures: dict, learners: int) -> None:
    calm, during = figures["calm"], figures["during"]
    p99_calm, p99_during = percentile(calm, 99), percentile(during, 99)
    rate = figures["delivered"] / figures["sweep_seconds"]
    print(f"\n{name}")
    print(
        f"  interactive before: n={len(calm)}  p50 {percentile(calm, 50) * 1000:.0f} ms"
        f"  p99 {p99_calm * 1000:.0f} ms"
    )
    print(
        f"  interactive during: n={len(during)}  p50 {percentile(during, 50) * 1000:.0f} ms"
        f"  p99 {p99_during * 1000:.0f} ms  ({p99_during / p99_calm:.2f}× before; target ≤ 1.5×)"
    )
    print(
        f"  pushes: {figures['delivered']}/{learners} delivered in {figures['sweep_seconds']:.1f} s"
        f" = {rate:.1f}/s (target ≥ 24/s); {figures['delivered_twice']} delivered twice;"
        f" {figures['failed']} released for a later sweep"
    )
    print(f"  429 answers from the fake server: {figures['too_many']} (target 0)")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=1500)
    parser.add_argument("--graders", type=int, default=8)
    parser.add_argument("--before", type=float, default=15.0)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    print(f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        if args.db in ("sqlite", "both"):
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'burst.db'}"
            figures = await burst(url, args.learners, args.graders, args.before)
            print_figures("SQLite", figures, args.learners)
        if args.db in ("postgres", "both"):
            figures = await burst(postgres_url(), args.learners, args.graders, args.before)
            print_figures("Postgres", figures, args.learners)


if __name__ == "__main__":
    asyncio.run(main())
