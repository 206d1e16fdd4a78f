"""Load run: Flashtutor against a bare PTB reference bot, same fake Bot API, same learners.

    .venv/bin/python bench/load.py [--learners 20 100] [--seconds 20] [--bots ...]

Black box: each bot is its own process (`python -m bot`, as deployed, rate limiter and all;
`bench/reference_bot.py`), long-polling the fake Bot API server of this process over HTTP.
Simulated learners press Show answer, wait for the grade buttons, press Good, wait for the
next card, as fast as they can. Figures per bot and learner count:

* grades/s: grades done in the measuring window / its length (a "Recorded" toast, or the next
  card after a press the bot answered "Working on it…" before it got to the grade);
* callback latency p50 / p99: from a press entering Telegram's queue to its answer;
* unanswered: presses without an answer 30 s after the window closed;
* peak RSS of the bot process (VmHWM), and its CPU time per grade in the window (what
  limits a bot when the cores are the bottleneck).

Prints figures and asserts nothing (no timed tests). Bot, fake server and learners share the
machine's cores, so figures are for comparing bots within one run, not absolutes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.deck_format import load_deck_file  # noqa: E402
from bot.telegram.texts import STILL_WORKING  # noqa: E402
from tests.fake_telegram import FakeTelegram, FakeUser  # noqa: E402
from tests.harness import TOKEN  # noqa: E402

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SEED = ROOT / "decks" / "deep-learning-tools.md"
DECK_SLUG = "bench-deck"
PROFILE_DIR = os.environ.get("BENCH_PROFILE_DIR")  # cProfile output of each Flashtutor run
DECK_CARDS = 600  # more than any learner grades in a run: every grade is a new card


class TimedFake(FakeTelegram):
    """The fake server, noting when each update was queued and each query answered."""

    def __init__(self) -> None:
        super().__init__()
        self.queued_at: dict[int, float] = {}
        self.answered_at: dict[str, float] = {}

    def _queue(self, kind, payload):
        update_id = super()._queue(kind, payload)
        self.queued_at[update_id] = time.perf_counter()
        return update_id

    def answer_callback_query(self, query_id, **kwargs):
        super().answer_callback_query(query_id, **kwargs)
        self.answered_at.setdefault(query_id, time.perf_counter())

    def query_of(self, update_id: int) -> str | None:
        return next((q for q, u in self._query_updates.items() if u == update_id), None)


@dataclass
class Run:
    presses: list[int] = field(default_factory=list)  # update ids in the window
    graded_at: list[float] = field(default_factory=list)


def write_deck(folder: Path) -> list[tuple[str, str]]:
    """A big deck made of the seed deck's cards (realistic lengths), as Flashtutor and JSON."""
    seed = load_deck_file(SEED)
    pairs = [
        (f"{c.question} (#{i})", c.answer)
        for i, c in zip(range(DECK_CARDS), _cycle(seed.cards), strict=False)
    ]
    lines = [f"---\nslug: {DECK_SLUG}\ntitle: Bench Deck\ndescription: Load run cards.\n---\n"]
    lines += [f"## card-{i}\nQ: {q}\nA: {a}\n" for i, (q, a) in enumerate(pairs)]
    (folder / f"{DECK_SLUG}.md").write_text("\n".join(lines))
    return pairs


def _cycle(items):
    while True:
        yield from items


def reset_postgres(schema: str) -> str:
    with psycopg.connect(POSTGRES.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{POSTGRES}?options=-csearch_path%3D{schema}"


def drop_postgres(schema: str) -> None:
    with psycopg.connect(POSTGRES.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def start_bot(kind: str, fake: FakeTelegram, tmp: Path, database_url: str):
    env = os.environ | {"BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": fake.base_url}
    if kind == "reference":
        env |= {
            "REFERENCE_DB": str(tmp / "reference.db"),
            "REFERENCE_CARDS": str(tmp / "cards.json"),
        }
        args = [str(ROOT / "bench" / "reference_bot.py")]
    else:
        env |= {
            "DATABASE_URL": database_url,
            "DECKS_DIR": str(tmp / "decks"),
            "DEFAULT_NEW_CARDS_PER_DAY": "1000",
            "SWEEP_INTERVAL_SECONDS": "3600",
            "LOG_LEVEL": "WARNING",
        }
        args = ["-m", "bot"]
        if PROFILE_DIR:
            out = Path(PROFILE_DIR) / f"{kind}-{time.strftime('%H%M%S')}.prof"
            args = ["-m", "cProfile", "-o", str(out), *args]
    log = (tmp / f"{kind}.log").open("a")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, *args, cwd=ROOT, env=env, stdout=log, stderr=log
    )
    polls = len(fake.long_polls)
    await fake.wait_for(lambda: len(fake.long_polls) > polls, timeout=120)
    return proc


def _fresh_card(fake, chat_id, used):
    """The newest message offering a card not pressed yet (a new message, or the graded card
    edited into the next one: a card is known by its button's data, not its message)."""
    for message in reversed(fake.messages(chat_id)):
        if message.buttons and message.buttons[0][0] == "Show answer":
            return None if message.buttons[0][1] in used else message
    return None


def _good(fake, chat_id, message_id):
    message = fake.message(chat_id, message_id)
    return next((d for t, d in (message.buttons if message else []) if t.startswith("Good")), None)


async def learner(fake: TimedFake, person: FakeUser, start: str, run: Run, window) -> None:
    used: set[int] = set()
    fake.send_message(person.id, start, user=person)
    await fake.wait_for(lambda: _fresh_card(fake, person.id, used), timeout=120)
    await window["open"].wait()
    while not window["closed"]:
        card = await fake.wait_for(lambda: _fresh_card(fake, person.id, used), timeout=60)
        used.add(card.buttons[0][1])
        show = fake.press_button(person.id, card.message_id, card.buttons[0][1], user=person)
        run.presses.append(show)
        await fake.wait_for_callback_answer(show, timeout=60)
        data = await fake.wait_for(lambda c=card: _good(fake, person.id, c.message_id), timeout=60)
        press = fake.press_button(person.id, card.message_id, data, user=person)
        run.presses.append(press)
        answer = await fake.wait_for_callback_answer(press, timeout=60)
        recorded = (answer["text"] or "").startswith("Recorded")
        if answer["text"] == STILL_WORKING:
            # Answered before the grade was done (the bot was slow to get to it): it is done
            # when the next card shows.
            await fake.wait_for(lambda: _fresh_card(fake, person.id, used), timeout=60)
            recorded = True
        if recorded and not window["closed"]:
            run.graded_at.append(time.perf_counter())


async def measure(kind: str, learners: int, seconds: float, tmp: Path, database_url: str):
    fake = TimedFake()
    await fake.start()
    proc = await start_bot(kind, fake, tmp, database_url)
    try:
        start = "/start" if kind == "reference" else f"/start {DECK_SLUG}"
        figures = await drive(fake, [proc], learners, seconds, start)
        log_text = (tmp / f"{kind}.log").read_text()
        return figures | {
            "locked": log_text.count("database is locked"),
            "errors": log_text.count(" ERROR "),
        }
    finally:
        await stop_bot(proc)
        await fake.stop()


async def drive(fake: TimedFake, procs, learners: int, seconds: float, start: str) -> dict:
    """`learners` people (the same ids every run) study as fast as the bots `procs` answer;
    figures over a window of `seconds` once each has a first card."""
    people = [FakeUser(100_000 + i, f"Learner {i}") for i in range(learners)]
    run = Run()
    window = {"open": asyncio.Event(), "closed": False}
    tasks = [asyncio.create_task(learner(fake, p, start, run, window)) for p in people]
    # Everyone has a first card before the clock starts.
    await fake.wait_for(lambda: all(_fresh_card(fake, p.id, set()) for p in people), timeout=180)
    window["open"].set()
    began, cpu_began = time.perf_counter(), [cpu_seconds(p.pid) for p in procs]
    harness_began = cpu_seconds(os.getpid())
    await asyncio.sleep(seconds)
    window["closed"] = True
    ended = time.perf_counter()
    cpu_used = [cpu_seconds(p.pid) - c for p, c in zip(procs, cpu_began, strict=True)]
    harness_used = cpu_seconds(os.getpid()) - harness_began
    done, pending = await asyncio.wait(tasks, timeout=30)
    for task in pending:
        task.cancel()
    failures = [t.exception() for t in done if not t.cancelled() and t.exception()]
    queries = {u: fake.query_of(u) for u in run.presses}
    unanswered = [u for u, q in queries.items() if q is None or q not in fake.answered_at]
    latencies = sorted(
        fake.answered_at[q] - fake.queued_at[u]
        for u, q in queries.items()
        if q is not None and q in fake.answered_at
    )
    graded = len([t for t in run.graded_at if began <= t <= ended])
    per_grade = 1000 / max(1, graded)  # ms of CPU per grade, per CPU second
    return {
        "grades_per_s": graded / (ended - began),
        "p50_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))] if latencies else float("nan"),
        "unanswered": len(unanswered),
        "rss_mb": max(peak_rss_mb(p.pid) for p in procs),
        "cpu_ms_per_grade": sum(cpu_used) * per_grade,
        "cpu_ms_per_grade_each": [c * per_grade for c in cpu_used],
        # The fake Bot API server and the learners (this process), on the same cores.
        "harness_cpu_ms_per_grade": harness_used * per_grade,
        "failures": len(failures),
    }


async def stop_bot(proc) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(proc.wait(), 120 if PROFILE_DIR else 30)
    except TimeoutError:
        proc.kill()
        await proc.wait()


async def main() -> None:
    # A bot stopped mid long poll drops its connection; the fake server's traceback is noise.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, nargs="+", default=[20, 100])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--bots",
        nargs="+",
        default=["reference", "sqlite", "postgres"],
        choices=["reference", "sqlite", "postgres"],
    )
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()};"
        f" {args.seconds:g} s per run"
    )
    print(
        f"{'bot':<10} {'learners':>8} {'grades/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'unanswered':>10} {'peak RSS MB':>11} {'bot CPU ms/grade':>16}"
    )
    schema = f"bench_load_{os.getpid()}"
    try:
        for learners in args.learners:
            reference = None
            for kind in args.bots:
                with tempfile.TemporaryDirectory() as folder:
                    tmp = Path(folder)
                    (tmp / "decks").mkdir()
                    pairs = write_deck(tmp / "decks")
                    (tmp / "cards.json").write_text(json.dumps(pairs))
                    url = (
                        reset_postgres(schema)
                        if kind == "postgres"
                        else f"sqlite+aiosqlite:///{tmp / 'flashtutor.db'}"
                    )
                    r = await measure(kind, learners, args.seconds, tmp, url)
                if kind == "reference":
                    reference = r
                ratio = ""
                if reference is not None and kind != "reference":
                    ratio = (
                        f"  ({r['grades_per_s'] / reference['grades_per_s']:.2f}x grades/s, "
                        f"{r['p99_ms'] / reference['p99_ms']:.2f}x p99)"
                    )
                print(
                    f"{kind:<10} {learners:>8} {r['grades_per_s']:>9.1f} {r['p50_ms']:>8.0f} "
                    f"{r['p99_ms']:>8.0f} {r['unanswered']:>10} {r['rss_mb']:>11.0f} "
                    f"{r['cpu_ms_per_grade']:>16.1f}{ratio}"
                    + (
                        f"  [log: {r['errors']} errors, {r['locked']} 'database is locked']"
                        if r["errors"] or r["locked"]
                        else ""
                    ),
                    flush=True,
                )
    finally:
        drop_postgres(schema)


if __name__ == "__main__":
    asyncio.run(main())
