"""FSRS fit benchmark: fit time and the worker's peak memory for 1,000 / 10,000 / 100,000
reviews, and the event loop's longest stall while a fit runs in the worker pool.

    .venv/bin/python bench/fit.py [--reviews 1000 10000 100000]

Each learner is simulated (tests/simulated_learner.py: py-fsrs with known parameters and
a recall model), its answers turned into training items as the bot does, and fitted in a
fresh FitPool worker as the bot does (bot.services.parameters). Meanwhile a 5 ms ticker on
the event loop records how late it wakes: issue 11's target is a stall under 50 ms. For
contrast the 100,000-review fit is also run on the loop's own thread (what the pool avoids).
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
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core.fitting import fit, fit_answers, pack_answers, training_items
from bot.fit_pool import FitPool
from bot.services import parameters
from bot.storage.db import Database
from bot.storage.models import Card, Deck, ReviewLog, User
from tests.simulated_learner import events, simulate

_REVIEWS_PER_CARD = 5.2  # a simulated card over a year, measured


def _peak_rss_mb() -> float:
    # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a spawned worker would
    # report the bot's own peak from before it was spawned.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def fit_measured(answers, zone, current):
    """The worker's job as the bot runs it, with its time and the worker's peak RSS (MB)."""
    started = time.perf_counter()
    outcome = fit_answers(answers, zone, current)
    return outcome, time.perf_counter() - started, _peak_rss_mb()


def idle_rss() -> float:
    return _peak_rss_mb()


async def longest_stall(work) -> tuple[object, float]:
    """Await `work` while a 5 ms ticker runs; returns its result and the longest lateness."""
    loop = asyncio.get_running_loop()
    worst = 0.0
    done = False

    async def ticker() -> None:
        nonlocal worst
        while not done:
            before = loop.time()
            await asyncio.sleep(0.005)
            worst = max(worst, loop.time() - before - 0.005)

    tick = asyncio.create_task(ticker())
    await asyncio.sleep(0.02)
    try:
        result = await work
    finally:
        done = True
        await tick
    return result, worst


async def bench(target: int) -> None:
    cards = max(10, round(target / _REVIEWS_PER_CARD))
    started = time.perf_counter()
    answers = [
        (e.card_id, e.reviewed_at.timestamp(), e.rating, e.learning)
        for e in events(simulate(cards, 365, seed=target))
    ]
    chunks = [pack_answers(answers[i : i + 5000]) for i in range(0, len(answers), 5000)]
    pool = FitPool(workers=1)
    try:
        base = await pool.run(idle_rss)  # a worker that has imported nothing of the fit yet
        started = time.perf_counter()
        (outcome, seconds, peak), stall = await longest_stall(
            pool.run(fit_measured, chunks, "UTC", None)
        )
        wall = time.perf_counter() - started
    finally:
        pool.shutdown()
    result = outcome.result
    print(
        f"{outcome.reviews:>7,} reviews ({outcome.items:,} items, {cards:,} cards): items + fit "
        f"{seconds:5.2f} s in the worker ({wall:5.2f} s with the hand-over); worker peak RSS "
        f"{peak:4.0f} MB (idle {base:.0f} MB); loop's longest stall {stall * 1000:4.1f} ms; "
        f"log loss {result.log_loss_before:.3f} → {result.log_loss_after:.3f}"
    )


async def stall_in_process(target: int) -> None:
    cards = round(target / _REVIEWS_PER_CARD)
    items, reviews = training_items(events(simulate(cards, 365, seed=target)), ZoneInfo("UTC"))
    loop = asyncio.get_running_loop()
    _result, stall = await longest_stall(loop.run_in_executor(None, fit, items, None))
    print(
        f"contrast: {reviews:,} reviews fitted in a thread of the bot's own process: "
        f"loop's longest stall {stall * 1000:.0f} ms"
    )


async def end_to_end(target: int) -> None:
    """fit_learner as /optimize runs it: the answers read from SQLite, packed, handed over,
    fitted and stored, with the loop's longest stall over all of it."""
    now = datetime(2026, 1, 10, tzinfo=UTC)
    reviews = simulate(
        round(target / _REVIEWS_PER_CARD), 365, seed=target, start=now - timedelta(days=370)
    )
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{folder}/fit.db")
        await db.migrate()
        async with db.session() as session:
            session.add(User(id=1, first_name="Sim", created_at=now))
            deck = Deck(slug="sim", title="Simulated", updated_at=now)
            session.add(deck)
            await session.flush()
            cards = 1 + max(r.card for r in reviews)
            await session.execute(
                insert(Card),
                [
                    {
                        "deck_id": deck.id,
                        "key": f"c{i}",
                        "position": i,
                        "question": "q",
                        "answer": "a",
                    }
                    for i in range(cards)
                ],
            )
            first = (await session.execute(select(func.min(Card.id)))).scalar_one()
            await session.execute(
                insert(ReviewLog),
                [
                    {
                        "user_id": 1,
                        "card_id": first + r.card,
                        "deck_id": deck.id,
                        "rating": r.rating,
                        "reviewed_at": r.reviewed_at,
                        "state_before": None
                        if r.state_before is None
                        else {"state": r.state_before},
                        "state_after": {},
                    }
                    for r in reviews
                ],
            )
        pool = FitPool()
        try:
            # Starting the worker (once per bot process) is measured apart from the fit.
            _pid, spawn_stall = await longest_stall(pool.run(os.getpid))
            started = time.perf_counter()
            outcome, stall = await longest_stall(
                parameters.fit_learner(db, pool, user_id=1, now=now)
            )
            wall = time.perf_counter() - started
        finally:
            pool.shutdown()
            await db.dispose()
    print(
        f"end to end (/optimize on SQLite): {outcome.reviews:,} reviews read, fitted and stored "
        f"in {wall:.2f} s; loop's longest stall {stall * 1000:.1f} ms (starting the worker, "
        f"once per process: {spawn_stall * 1000:.1f} ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()} (shared with other work: figures are upper bounds)"
    )
    for target in args.reviews:
        asyncio.run(bench(target))
    asyncio.run(end_to_end(max(args.reviews)))
    asyncio.run(stall_in_process(100_000))


if __name__ == "__main__":
    main()
