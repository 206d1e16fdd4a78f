"""Importing through chat: a generated 10,000-card .apkg with 200 images sent to a running bot.

    .venv/bin/python bench/import_chat.py [--cards 10000] [--images 200]

The bot runs as its own process (`python -m bot`) against the fake Bot API server over HTTP.
One learner sends the package (bench/import_anki.py builds it) and presses Import; meanwhile
others send /help every 50 ms, and we time each reply: the bot must keep answering while it
reads and saves the deck (parsing runs in a worker thread), and how soon each of the
importer's updates is handled (reading and saving are jobs, done after). BENCH_TRACE=1 prints
each slow reply. Prints figures, asserts nothing.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_anki import build_package  # noqa: E402
from tests.fake_telegram import FakeTelegram, FakeUser  # noqa: E402

TOKEN = "123456:TEST-token"
IMPORTER = FakeUser(1, "Importer")
# Telegram lets a bot send about one message a second per chat (the bot's rate limiter keeps to
# it), so the /help senders take turns: 25 people, each writing every ~1.5 s.
BYSTANDERS = [FakeUser(100 + i, f"Bystander{i}") for i in range(25)]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def bystander(fake: FakeTelegram, stop: asyncio.Event, latencies: list[float]) -> None:
    """Send /help every 50 ms (from people taking turns) and time each answer."""
    turn = 0
    while not stop.is_set():
        person = BYSTANDERS[turn % len(BYSTANDERS)]
        turn += 1
        mark = fake.mark()
        started = time.perf_counter()
        fake.send_message(person.id, "/help", user=person)
        await fake.wait_for_message(person.id, after=mark, timeout=120)
        latencies.append(time.perf_counter() - started)
        if os.environ.get("BENCH_TRACE") and latencies[-1] > 0.3:
            print(f"  slow /help: {latencies[-1]:.2f} s at {time.perf_counter():.1f}")
        await asyncio.sleep(0.05)


async def main(cards: int, images: int, database_url: str | None) -> None:
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    package = build_package(cards, images)
    print(f"package: {len(package) / 1e6:.1f} MB, {cards:,} cards, {images} images")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        (tmp / "decks").mkdir()
        url = database_url or f"sqlite+aiosqlite:///{tmp / 'bench.db'}"
        async with FakeTelegram(TOKEN) as fake:
            env = os.environ | {
                "BOT_TOKEN": TOKEN,
                "TELEGRAM_BASE_URL": fake.base_url,
                "DATABASE_URL": url,
                "DECKS_DIR": str(tmp / "decks"),
                "SWEEP_INTERVAL_SECONDS": "3600",
                "LOG_LEVEL": "WARNING",
            }
            log = (tmp / "bot.log").open("a")
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", cwd=ROOT, env=env, stdout=log, stderr=log
            )
            try:
                await fake.wait_for(lambda: fake.long_polls, timeout=120)
                await measure(fake, package, proc.pid)
            finally:
                proc.terminate()
                await proc.wait()


async def handled(fake: FakeTelegram, update_id: int, started: float) -> float:
    """Seconds from `started` until the bot confirmed the update: its handler returned (what a
    webhook request waits for)."""
    await fake.wait_for(lambda: update_id not in fake.unconfirmed_update_ids(), timeout=600)
    return time.perf_counter() - started


async def measure(fake: FakeTelegram, package: bytes, pid: int) -> None:
    latencies: list[float] = []
    stop = asyncio.Event()
    side = asyncio.create_task(bystander(fake, stop, latencies))

    started = time.perf_counter()
    mark = fake.mark()
    update_id = fake.send_document(IMPORTER.id, package, file_name="bench.apkg", user=IMPORTER)
    upload_handled = asyncio.create_task(handled(fake, update_id, started))
    preview = await fake.wait_for(
        lambda: next((m for m in fake.sent[mark:] if m.chat_id == IMPORTER.id and m.buttons), None),
        timeout=600,
    )
    previewed = time.perf_counter() - started
    if os.environ.get("BENCH_TRACE"):
        print(f"  preview at {time.perf_counter():.1f}: {preview.plain_text[:200]!r}")

    started = time.perf_counter()
    data = next(d for label, d in preview.buttons if label.startswith("✅ Import"))
    update_id = fake.press_button(IMPORTER.id, preview.message_id, data, user=IMPORTER)
    press_handled = asyncio.create_task(handled(fake, update_id, started))
    await fake.wait_for(
        lambda: "Imported" in (fake.message(IMPORTER.id, preview.message_id).plain_text or ""),
        timeout=600,
    )
    imported = time.perf_counter() - started
    stop.set()
    await side

    print(f"send → preview: {previewed:.1f} s; Import → saved: {imported:.1f} s")
    print(
        f"the upload's update handled (confirmed to Telegram) after {await upload_handled:.2f} s; "
        f"the Import press's after {await press_handled:.2f} s"
    )
    print(
        f"/help answered {len(latencies)} times meanwhile: median "
        f"{statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )
    print(f"bot process peak RSS: {peak_rss_mb(pid):.0f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--images", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.cards, args.images, None))  # SQLite in a temporary folder
