"""A daily-push burst while people grade: do replies stay fast, and do pushes keep pace?

    .venv/bin/python bench/push_burst.py [--learners 1500] [--graders 8] [--before 20] [--db both]

The bot runs as its own process (`python -m bot`, rate limiter and timetable as in production)
against a local fake Bot API over HTTP that, like Telegram, answers 429 to more than 30 new
messages in any second. `--graders` people keep pressing Show answer / Again on a 3,000-card
deck; latency is a press until its visible response (the edit of the card). After `--before`
seconds of that, `--learners` other people fall due for their daily push at the same moment and
the bot's sweep (every second) pushes them all while the graders go on. Prints figures, asserts
nothing. Targets (issue 8): interactive p99 during ≤ 1.5 × before, ≥ 24 pushes/s sustained,
0 × 429, every push delivered once.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import insert, update  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.services.decks import deck_by_slug, load_bundled_decks  # noqa: E402
from bot.storage.db import Database  # noqa: E402
from bot.storage.models import Enrolment, User  # noqa: E402
from tests.fake_telegram import FakeTelegram, FakeUser  # noqa: E402

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA = "bench_push_burst"
FIRST_LEARNER = 1_000_000
DECK = "bench-big"
WARM_UP = 5.0  # seconds of grading not measured


def postgres_url() -> str:
    """A URL whose connections use this bench's own schema, emptied first."""
    with psycopg.connect(POSTGRES.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{SCHEMA}"')
    separator = "&" if "?" in POSTGRES else "?"
    return f"{POSTGRES}{separator}options=-csearch_path%3D{SCHEMA}"


def write_deck(folder: Path, cards: int = 3000) -> Path:
    folder.mkdir()
    body = "".join(
        f"## c{i}\nQ: Question number {i}?\nA: Answer number {i}.\n\n" for i in range(cards)
    )
    (folder / f"{DECK}.md").write_text(
        f"---\nslug: {DECK}\ntitle: Bench deck\ndescription: Many short cards.\n---\n\n{body}"
    )
    return folder


async def seed_learners(url: str, decks: Path, learners: int) -> None:
    """`learners` users enrolled in the deck, their push far off until the burst moves it."""
    now = datetime.now(UTC)
    db = Database(url)
    await db.migrate()
    await load_bundled_decks(db, decks, now=now)
    async with db.session() as s:
        deck = await deck_by_slug(s, slug=DECK)
        ids = range(FIRST_LEARNER, FIRST_LEARNER + learners)
        await s.execute(
            insert(User),
            [
                {
                    "id": i,
                    "first_name": f"L{i}",
                    "next_push_at": now + timedelta(days=300),
                    "created_at": now - timedelta(days=1),
                }
                for i in ids
            ],
        )
        await s.execute(
            insert(Enrolment),
            [{"user_id": i, "deck_id": deck.id, "active": True, "enrolled_at": now} for i in ids],
        )
    await db.dispose()


async def make_due(url: str) -> None:
    """Every learner's push time is now: the bot's next sweep finds them all."""
    db = Database(url)
    async with db.session() as s:
        await s.execute(
            update(User)
            .where(User.id >= FIRST_LEARNER)
            .values(next_push_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    await db.dispose()


class Graders:
    """People pressing Show answer, then Again, as fast as the bot answers."""

    def __init__(self, fake: FakeTelegram, count: int) -> None:
        self.fake = fake
        self.people = [FakeUser(50_000 + i, f"Grader {i}") for i in range(count)]
        self.latencies: list[float] = []  # seconds, press to visible response
        self.running = True

    async def enrol(self, person: FakeUser) -> int:
        mark = self.fake.mark()
        self.fake.send_message(person.id, f"/start {DECK}", user=person)
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

    async def run(self, person: FakeUser) -> None:
        fake = self.fake
        message_id = await self.enrol(person)
        while self.running:
            current = fake.message(person.id, message_id)
            data = current.buttons[0][1]  # Show answer, or Again (the first grade)
            started = time.perf_counter()
            fake.press_button(person.id, message_id, data, user=person)
            await fake.wait_for(
                lambda c=current: fake.message(person.id, c.message_id).seq != c.seq, timeout=120
            )
            self.latencies.append(time.perf_counter() - started)


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else float("nan")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def burst(url: str, learners: int, graders: int, before: float, tmp: Path) -> dict:
    decks = write_deck(tmp / f"decks-{time.monotonic_ns()}")
    await seed_learners(url, decks, learners)
    fake = FakeTelegram()
    await fake.start()
    settings = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k not in settings}
    env |= {
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": fake.token,
        "TELEGRAM_BASE_URL": fake.base_url,
        "DATABASE_URL": url,
        "DECKS_DIR": str(decks),
        "SWEEP_INTERVAL_SECONDS": "1",
        "DEFAULT_NEW_CARDS_PER_DAY": "1000",
        "LOG_LEVEL": "WARNING",
    }
    log = (tmp / "bot.log").open("w")
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp, env=env, stdout=log, stderr=log
    )
    people = Graders(fake, graders)
    tasks = []
    try:
        started = [
            asyncio.create_task(
                fake.wait_for(lambda: any(m == "getUpdates" for m, _ in fake.requests), timeout=120)
            ),
            asyncio.create_task(bot.wait()),  # a bot that exits at start ends the wait
        ]
        await asyncio.wait(started, return_when=asyncio.FIRST_COMPLETED)
        for task in started:
            task.cancel()
        if bot.returncode is not None:
            raise RuntimeError(f"the bot exited at start with code {bot.returncode}")
        fake.limit_send_rate(30)
        tasks = [asyncio.create_task(people.run(p)) for p in people.people]
        await asyncio.sleep(WARM_UP)
        del people.latencies[:]  # first presses warm caches and connection pools
        await asyncio.sleep(before)
        calm = list(people.latencies)
        await make_due(url)
        arrivals: list[float] = []  # when each push reached the server
        seen = 0
        deadline = time.monotonic() + 600
        while len(arrivals) < learners and time.monotonic() < deadline:
            pushes = [m for m in fake.sent[seen:] if m.chat_id >= FIRST_LEARNER]
            seen = len(fake.sent)
            arrivals += [time.monotonic()] * len(pushes)
            await asyncio.sleep(0.05)
        during = people.latencies[len(calm) :]
        people.running = False
        await asyncio.gather(*tasks)
        delivered = Counter(
            m.chat_id
            for m in fake.sent
            if m.chat_id >= FIRST_LEARNER and "Time to review" in (m.text or "")
        )
        return {
            "calm": calm,
            "during": during,
            "delivered": len(delivered),
            "twice": sum(1 for n in delivered.values() if n > 1),
            "span": (arrivals[-1] - arrivals[0]) if len(arrivals) > 1 else float("nan"),
            "too_many": len(fake.too_many_requests),
            "too_many_pushes": sum(
                1 for _m, chat in fake.too_many_requests if chat and chat >= FIRST_LEARNER
            ),
            "rss": peak_rss_mb(bot.pid),
        }
    except BaseException:
        log.flush()
        print((tmp / "bot.log").read_text()[-3000:], file=sys.stderr)  # why the bot failed
        raise
    finally:
        people.running = False
        for task in tasks:
            task.cancel()
        if bot.returncode is None:
            bot.terminate()
            await bot.wait()
        log.close()
        await fake.stop()


def print_figures(name: str, f: dict, learners: int) -> None:
    calm, during = f["calm"], f["during"]
    p99_calm, p99_during = percentile(calm, 99), percentile(during, 99)
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
        f"  pushes: {f['delivered']}/{learners} delivered, first to last in {f['span']:.1f} s"
        f" = {f['delivered'] / f['span']:.1f}/s (target ≥ 24/s); {f['twice']} delivered twice"
    )
    print(
        f"  429 answers from the fake server: {f['too_many']} (target 0),"
        f" {f['too_many_pushes']} of them to pushes"
    )
    print(f"  bot peak RSS: {f['rss']:.0f} MB")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=1500)
    parser.add_argument("--graders", type=int, default=8)
    parser.add_argument("--before", type=float, default=20.0)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    print(f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"load average before the run: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        if args.db in ("sqlite", "both"):
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'burst.db'}"
            figures = await burst(url, args.learners, args.graders, args.before, Path(tmp))
            print_figures("SQLite", figures, args.learners)
        if args.db in ("postgres", "both"):
            figures = await burst(
                postgres_url(), args.learners, args.graders, args.before, Path(tmp)
            )
            print_figures("Postgres", figures, args.learners)


if __name__ == "__main__":
    asyncio.run(main())
