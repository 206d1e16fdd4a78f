"""The push sweep's database time per claimed push, 100,000 users on Postgres.

    .venv/bin/python bench/sweep_db.py [--users 100000] [--batch 100 500] [--sweepers 1 2]
                                       [--in-flight 16]

Target (issue 12): at most 1 ms of database time per push, so the database never limits a
broadcast (Telegram's ~30 messages/s leave 33 ms per push). The users are seeded once with COPY
(each enrolled in a 30-card deck: 4 reviews overdue, 2 due later today, 4 not due, 20 new, one
new card introduced yesterday, push time passed within the last hour, four timezones). Each run
puts every push time back and runs the timetable's code path with Telegram left out (a send
succeeds at once): `claim_in_batches` over `claim_due_pushes`, `--in-flight` sends at once, and
each sent push confirmed through the timetable's `GroupCommit` (`confirm_pushes` for the pushes
sent while the previous confirmation committed). With `--sweepers 2`, two processes sweep the
same users at once, as two bot processes do: every user must be claimed exactly once
(`FOR UPDATE SKIP LOCKED`).

A sweep without Telegram does nothing but database work, so its wall time is its database
time (SQLAlchemy and the driver included, as the bot pays them, with Postgres on the same
cores); "claim" is the part spent claiming, "confirm" from a batch's first send to its last
confirmation. On a busy machine that time includes waiting for a core, so the CPU time per
push is printed too: the sweeping processes' and their Postgres backends'. Prints figures and
asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import POSTGRES, cpu_seconds, drop_postgres, reset_postgres  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from bot.services.decks import deck_by_slug, deck_cards, load_bundled_decks  # noqa: E402
from bot.services.push import claim_due_pushes, confirm_pushes  # noqa: E402
from bot.storage.db import Database  # noqa: E402
from scheduler.batches import claim_in_batches  # noqa: E402
from scheduler.group_commit import GroupCommit  # noqa: E402

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo")  # 12:00, 13:00, 7:00, 21:00
DECK = "bench-sweep"
DECK_CARDS = 30
SCHEMA = "bench_sweep_db"
LEASE = timedelta(minutes=15)  # longer than any run: a claim is never taken twice by expiry


def write_deck(folder: Path) -> Path:
    folder.mkdir()
    body = "".join(f"## c{i}\nQ: Question {i}?\nA: Answer {i}.\n\n" for i in range(DECK_CARDS))
    (folder / f"{DECK}.md").write_text(
        f"---\nslug: {DECK}\ntitle: Sweep bench\ndescription: Thirty short cards.\n---\n\n{body}"
    )
    return folder


def _minutes_late(user_id: int) -> int:
    """How long ago this user's review time passed: spread over the last hour."""
    return user_id % 60 + 1


async def seed(url: str, users: int, tmp: Path) -> None:
    """Schema, deck and `users` learners, written with COPY (seconds, not minutes)."""
    db = Database(url)
    await db.migrate()
    await load_bundled_decks(db, write_deck(tmp / "decks"), now=NOW)
    async with db.session() as s:
        deck = await deck_by_slug(s, slug=DECK)
        cards = [c.id for c in await deck_cards(s, deck_id=deck.id)]
    await db.dispose()
    reviews = [(c, NOW - timedelta(hours=1)) for c in cards[:4]]
    reviews += [(c, NOW + timedelta(hours=3)) for c in cards[4:6]]
    reviews += [(c, NOW + timedelta(days=10)) for c in cards[6:10]]
    state = json.dumps({"state": 1, "stability": 2.0, "difficulty": 5.0})
    with psycopg.connect(_plain(url)) as conn, conn.cursor() as cur:
        with cur.copy(
            "COPY users (id, first_name, timezone, review_minute, new_cards_per_day,"
            " desired_retention, leech_threshold, paused, blocked, next_push_at, created_at)"
            " FROM STDIN"
        ) as copy:
            for i in range(1, users + 1):
                zone = ZONES[i % len(ZONES)]
                local = NOW.astimezone(ZoneInfo(zone))
                minute = local.hour * 60 + local.minute - _minutes_late(i)
                late = NOW - timedelta(minutes=_minutes_late(i))
                copy.write_row(
                    (i, f"u{i}", zone, minute, 20, 0.9, 8, False, False, late, NOW - timedelta(30))
                )
        with cur.copy("COPY enrolments (user_id, deck_id, active, enrolled_at) FROM STDIN") as copy:
            for i in range(1, users + 1):
                copy.write_row((i, deck.id, True, NOW - timedelta(days=30)))
        with cur.copy(
            "COPY card_states (user_id, card_id, deck_id, state, stability, difficulty, due,"
            " last_review, reps, lapses, suspended) FROM STDIN"
        ) as copy:
            for i in range(1, users + 1):
                for card, due in reviews:
                    copy.write_row(
                        (i, card, deck.id, 2, 10.0, 5.0, due, NOW - timedelta(10), 3, 0, False)
                    )
        with cur.copy(
            "COPY review_logs (user_id, card_id, deck_id, rating, reviewed_at, state_after,"
            " undone) FROM STDIN"
        ) as copy:
            for i in range(1, users + 1):
                copy.write_row((i, cards[0], deck.id, 3, NOW - timedelta(hours=20), state, False))
    _vacuum(url)


def _plain(url: str) -> str:
    return url.replace("+psycopg", "")


def _vacuum(url: str) -> None:
    with psycopg.connect(_plain(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def make_due(url: str) -> None:
    """Every push time back to its seeded instant, nobody pushed yet; dead rows vacuumed."""
    with psycopg.connect(_plain(url)) as conn:
        conn.execute(
            "UPDATE users SET last_push_on = NULL,"
            " next_push_at = %s - make_interval(mins => (id %% 60 + 1)::int)",
            (NOW,),
        )
    _vacuum(url)


def sweep_in_process(url: str, batch_size: int, in_flight: int, start_at: float) -> dict:
    """One process's sweep (run in a worker process): what it claimed and its database time."""
    return asyncio.run(_sweep(url, batch_size, in_flight, start_at))


async def _sweep(url: str, batch_size: int, in_flight: int, start_at: float) -> dict:
    name = f"bench_sweeper_{os.getpid()}"  # finds this sweep's Postgres backends
    url = f"{url}&application_name={name}"
    settings = Settings(bot_token="123456:bench-token", database_url=url)
    runtime = Runtime(settings=settings, db=Database(url))
    async with runtime.db.session() as s:  # the pool's first connection, before the clock
        await s.connection()
    claimed: list[int] = []
    groups = 0
    confirming = 0.0  # from a batch's first send to its last confirmation
    began: float | None = None

    async def confirm(session, sent) -> None:
        nonlocal groups
        groups += 1
        await confirm_pushes(session, pushes=sent, now=NOW)

    confirmations = GroupCommit(runtime, confirm)

    async def sent(push) -> None:
        """What `Timetable._send` does once Telegram took the message."""
        nonlocal began
        began = began or time.perf_counter()
        await confirmations.add(push)
        claimed.append(push.user_id)

    def after_batch(_batch) -> None:
        nonlocal confirming, began
        confirming += time.perf_counter() - began
        began = None

    await asyncio.sleep(max(0.0, start_at - time.time()))
    started, cpu_began = time.perf_counter(), time.process_time()
    await claim_in_batches(
        runtime,
        claim_due_pushes,
        sent,
        now=NOW,
        lease=LEASE,
        batch_size=batch_size,
        concurrency=in_flight,
        after_batch=after_batch,
    )
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_began
    backends = await _postgres_cpu(name)
    await runtime.db.dispose()
    return {
        "claimed": claimed,
        "wall": wall,
        "confirm": confirming,
        "groups": groups,
        "cpu": cpu,
        "postgres_cpu": backends,
    }


async def _postgres_cpu(application_name: str) -> float:
    """CPU seconds the Postgres backends of this sweep's connections have used (on this machine:
    Postgres shares its cores)."""
    with psycopg.connect(_plain(POSTGRES)) as conn:
        pids = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (application_name,)
        ).fetchall()
    return sum(cpu_seconds(pid) for (pid,) in pids)


def run(url: str, batch_size: int, sweepers: int, in_flight: int) -> dict:
    make_due(url)
    start_at = time.time() + 3.0  # every worker has started and connected by then
    spawn = get_context("spawn")
    with ProcessPoolExecutor(sweepers, mp_context=spawn) as pool:
        futures = [
            pool.submit(sweep_in_process, url, batch_size, in_flight, start_at)
            for _ in range(sweepers)
        ]
        results = [f.result() for f in futures]
    claims = Counter(u for r in results for u in r["claimed"])
    pushes = sum(claims.values())
    confirm = sum(r["confirm"] for r in results)
    database = sum(r["wall"] for r in results)  # each sweep does nothing but database work
    return {
        "pushes": pushes,
        "users": len(claims),
        "twice": sum(1 for n in claims.values() if n > 1),
        "per_process": [len(r["claimed"]) for r in results],
        "per_group": pushes / max(1, sum(r["groups"] for r in results)),
        "wall": max(r["wall"] for r in results),
        "db_ms": 1000 * database / pushes,
        "claim_ms": 1000 * (database - confirm) / pushes,
        "confirm_ms": 1000 * confirm / pushes,
        "cpu_ms": 1000 * sum(r["cpu"] for r in results) / pushes,
        "postgres_cpu_ms": 1000 * sum(r["postgres_cpu"] for r in results) / pushes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--batch", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--sweepers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--in-flight",
        type=int,
        default=16,
        help="sends at once per sweep, as the timetable's (1: a transaction per confirmation)",
    )
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()};"
        f" load average before: {os.getloadavg()[0]:.1f}"
    )
    url = reset_postgres(SCHEMA)
    try:
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(seed(url, args.users, Path(tmp)))
        print(f"seeded {args.users:,} users in {time.perf_counter() - started:.0f} s (COPY)")
        print(
            f"{'batch':>5} {'sweepers':>8} {'pushes':>7} {'claimed twice':>13} {'wall s':>7}"
            f" {'DB ms/push':>10} {'claim':>6} {'confirm':>7} {'per commit':>10}"
            f" {'CPU ms/push: sweep':>18} {'Postgres':>8}  pushes per sweeper"
        )
        for batch_size in args.batch:
            for sweepers in args.sweepers:
                r = run(url, batch_size, sweepers, args.in_flight)
                print(
                    f"{batch_size:>5} {sweepers:>8} {r['pushes']:>7} {r['twice']:>13}"
                    f" {r['wall']:>7.1f} {r['db_ms']:>10.2f} {r['claim_ms']:>6.2f}"
                    f" {r['confirm_ms']:>7.2f} {r['per_group']:>10.1f} {r['cpu_ms']:>18.2f}"
                    f" {r['postgres_cpu_ms']:>8.2f}  {' + '.join(map(str, r['per_process']))}"
                    + ("" if r["users"] == args.users else f"  [{r['users']} users pushed]"),
                    flush=True,
                )
        print(f"load average after: {os.getloadavg()[0]:.1f}")
    finally:
        drop_postgres(SCHEMA)


if __name__ == "__main__":
    main()
