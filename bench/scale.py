"""Scale out: grades/s and callback latency with 1 and 2 bot processes on one Postgres.

    .venv/bin/python bench/scale.py [--learners 20 60] [--processes 1 2] [--seconds 20]

Deployed as README's "Running at scale" says: `python -m bot migrate` once, then each process
`python -m bot` in webhook mode (`WEBHOOK_URL`, `WEBHOOK_SECRET`, `REPLICAS`) on a port of its
own. The fake Bot API server of this process plays Telegram and the load balancer: it POSTs
each update to the processes in turn, one request in flight per chat, as Telegram does. The
learners, deck and figures are bench/load.py's (the same learners in every run): grades/s,
callback p50 / p99 from a press entering Telegram's queue to its answer, and CPU time per
grade of each bot process and of this process (the fake server and the learners), which
shares the machine's cores with the bots and Postgres: a second process can only help as far
as a core is idle. Prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import sys
import tempfile
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import (  # noqa: E402
    DECK_SLUG,
    TimedFake,
    drive,
    drop_postgres,
    reset_postgres,
    stop_bot,
    write_deck,
)
from tests.fake_telegram.world import Webhook  # noqa: E402
from tests.harness import TOKEN  # noqa: E402

SECRET = "bench_webhook-secret"
SCHEMA = f"bench_scale_{os.getpid()}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bot_env(fake: TimedFake, tmp: Path, database_url: str) -> dict[str, str]:
    return os.environ | {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": fake.base_url,
        "DATABASE_URL": database_url,
        "DECKS_DIR": str(tmp / "decks"),
        "DEFAULT_NEW_CARDS_PER_DAY": "1000",
        "SWEEP_INTERVAL_SECONDS": "3600",
        "LOG_LEVEL": "WARNING",
    }


async def migrate(env: dict[str, str], log) -> None:
    """Schema and decks once per deploy, before the processes start."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "migrate", cwd=ROOT, env=env, stdout=log, stderr=log
    )
    if await proc.wait() != 0:
        raise RuntimeError(f"python -m bot migrate exited with {proc.returncode}")


async def start_processes(fake: TimedFake, count: int, env: dict[str, str], log) -> list:
    """`count` webhook processes, each answering /healthz, and the fake posting to them."""
    ports = [free_port() for _ in range(count)]
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=ROOT,
            env=env
            | {
                "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
                "WEBHOOK_SECRET": SECRET,
                "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
                "REPLICAS": str(count),
            },
            stdout=log,
            stderr=log,
        )
        for port in ports
    ]
    async with aiohttp.ClientSession() as http:
        for proc, port in zip(procs, ports, strict=True):
            await _healthy(http, proc, f"http://127.0.0.1:{port}/healthz")
    targets = [f"http://127.0.0.1:{port}/telegram" for port in ports]
    # What `python -m bot set-webhook` registers; the targets stand for the load balancer.
    fake.webhook = Webhook(targets[0], SECRET)
    fake.webhook_targets = targets
    return procs


async def _healthy(http: aiohttp.ClientSession, proc, url: str) -> None:
    for _ in range(600):
        if proc.returncode is not None:
            raise RuntimeError(f"a bot process exited at start with {proc.returncode}")
        try:
            async with http.get(url) as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass  # not listening yet
        await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} did not answer 200 within 2 minutes")


async def measure(processes: int, learners: int, seconds: float) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        (tmp / "decks").mkdir()
        write_deck(tmp / "decks")
        fake = TimedFake()
        await fake.start()
        env = bot_env(fake, tmp, reset_postgres(SCHEMA))
        procs = []
        with (tmp / "bots.log").open("a") as log:
            try:
                await migrate(env, log)
                procs = await start_processes(fake, processes, env, log)
                figures = await drive(fake, procs, learners, seconds, f"/start {DECK_SLUG}")
            finally:
                for proc in procs:
                    await stop_bot(proc)
                await fake.stop()
        log_text = (tmp / "bots.log").read_text()
        return figures | {"errors": log_text.count(" ERROR ")}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, nargs="+", default=[20, 60])
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()};"
        f" {args.seconds:g} s per run; load average before: {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'processes':>9} {'learners':>8} {'grades/s':>9} {'p50 ms':>7} {'p99 ms':>7}"
        f" {'unanswered':>10}  bot CPU ms/grade (each)   harness CPU ms/grade"
    )
    try:
        for learners in args.learners:
            first = None
            for processes in args.processes:
                r = await measure(processes, learners, args.seconds)
                first = first or r
                each = " + ".join(f"{c:.1f}" for c in r["cpu_ms_per_grade_each"])
                ratio = (
                    f"  ({r['grades_per_s'] / first['grades_per_s']:.2f}x grades/s,"
                    f" {r['p99_ms'] / first['p99_ms']:.2f}x p99)"
                    if r is not first
                    else ""
                )
                print(
                    f"{processes:>9} {learners:>8} {r['grades_per_s']:>9.1f} {r['p50_ms']:>7.0f}"
                    f" {r['p99_ms']:>7.0f} {r['unanswered']:>10}  {r['cpu_ms_per_grade']:.1f}"
                    f" ({each}){'':>8} {r['harness_cpu_ms_per_grade']:.1f}{ratio}"
                    + (f"  [log: {r['errors']} errors]" if r["errors"] else ""),
                    flush=True,
                )
        print(f"load average after: {os.getloadavg()[0]:.1f}")
    finally:
        drop_postgres(SCHEMA)


if __name__ == "__main__":
    asyncio.run(main())
