"""Chart benchmark: render time p50/p99 of the /stats figure and a group's mastery chart, and
the event loop's longest stall while a chart renders (issue 11's target: under 50 ms).

    .venv/bin/python bench/charts.py [--renders 30]

Render times are measured in one process, matplotlib already imported (the worker's steady
state), for an empty, a small and a year-long history. The stall is measured with a 2 ms
ticker on the event loop while charts render three ways: in the chart worker process
(bot.fit_pool.FitPool, what the bot does), in a thread of the bot's process
(asyncio.to_thread), and on the loop itself, for contrast.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core.charts import MasteryChart, MemberMastery, render_group_mastery, render_stats, warm_up
from bot.fit_pool import FitPool
from tests.test_charts import _empty, _small, _year


def _group(members: int) -> MasteryChart:
    return MasteryChart(
        "Deep Learning Tools",
        tuple(
            MemberMastery(f"Member {n}", n % 16, 3, 13 - n % 13, n % 2, n) for n in range(members)
        ),
    )


CASES = {
    "stats, empty": (render_stats, _empty()),
    "stats, small": (render_stats, _small()),
    "stats, a year (3 decks)": (render_stats, _year()),
    "group, 12 members": (render_group_mastery, _group(12)),
}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def render_times(renders: int) -> None:
    warm_up()
    print(f"{'chart':26} {'p50 ms':>8} {'p99 ms':>8} {'bytes':>8}")
    for name, (render, data) in CASES.items():
        render(data)  # the first draw of a kind loads fonts
        times, size = [], 0
        for _ in range(renders):
            started = time.perf_counter()
            size = len(render(data))
            times.append(1000 * (time.perf_counter() - started))
        print(f"{name:26} {statistics.median(times):8.0f} {_percentile(times, 0.99):8.0f} {size:8}")


async def longest_stall(work) -> float:
    """Await `work()` while a 2 ms ticker runs; the longest the ticker woke late, in ms."""
    loop = asyncio.get_running_loop()
    worst, done = 0.0, False

    async def ticker() -> None:
        nonlocal worst
        while not done:
            before = loop.time()
            await asyncio.sleep(0.002)
            worst = max(worst, loop.time() - before - 0.002)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    await work()
    done = True
    await task
    return 1000 * worst


async def stalls(rounds: int) -> None:
    render, data = CASES["stats, a year (3 decks)"]
    pool = FitPool(workers=1)
    await pool.run(warm_up)
    await asyncio.to_thread(warm_up)

    async def in_worker():
        for _ in range(rounds):
            await pool.run(render, data)

    async def in_thread():
        for _ in range(rounds):
            await asyncio.to_thread(render, data)

    async def on_loop():
        for _ in range(rounds):
            render(data)
            await asyncio.sleep(0)  # the loop runs between charts: a stall is one chart

    print(f"\nevent loop's longest stall over {rounds} year-long /stats figures:")
    for name, work in (
        ("worker process (the bot)", in_worker),
        ("thread in the bot's process", in_thread),
        ("on the event loop", on_loop),
    ):
        print(f"  {name:30} {await longest_stall(work):6.0f} ms")
    pool.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=30)
    args = parser.parse_args()
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    render_times(args.renders)
    asyncio.run(stalls(max(3, args.renders // 3)))


if __name__ == "__main__":
    main()
