"""Bot API calls one spaced-review grade costs, read from the fake server's request log.

    .venv/bin/python bench/calls_per_grade.py [--cards 10]

One learner reviews `--cards` cards (Show answer, then Good) through the real Application over
HTTP; the calls the bot made for each step are counted by method. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # PYTHONPATH may name another tree

from tests.fake_telegram import FakeTelegram, FakeUser
from tests.harness import RunningBot, make_settings

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
LEARNER = FakeUser(4242, "Lea")


def _card(fake: FakeTelegram):
    """The learner's message carrying a Show answer button, if any."""
    return next(
        (
            m
            for m in reversed(fake.messages(LEARNER.id))
            if m.buttons and m.buttons[0][0] == "Show answer"
        ),
        None,
    )


async def measure(cards: int) -> tuple[Counter, Counter]:
    fake = FakeTelegram(clock=NOW.timestamp)
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'calls.db'}"
        bot = RunningBot(make_settings(url, fake), lambda: NOW)
        await bot.start()
        try:
            fake.send_message(LEARNER.id, "/start deep-learning-tools", user=LEARNER)
            await fake.wait_for(lambda: _card(fake), timeout=30)
            show, grade = Counter(), Counter()
            for _ in range(cards):
                card = _card(fake)
                start = len(fake.requests)
                update = fake.press_button(
                    LEARNER.id, card.message_id, card.buttons[0][1], user=LEARNER
                )
                await fake.wait_for_callback_answer(update, timeout=30)
                shown = await fake.wait_for(
                    lambda c=card: (
                        fake.message(LEARNER.id, c.message_id).buttons[0][0] != "Show answer"
                        and fake.message(LEARNER.id, c.message_id)
                    ),
                    timeout=30,
                )
                await asyncio.sleep(0.2)  # let any trailing call land
                show.update(m for m, _ in fake.requests[start:] if m != "getUpdates")
                good = next(d for t, d in shown.buttons if t.startswith("Good"))
                start, mark = len(fake.requests), fake.mark()
                update = fake.press_button(LEARNER.id, shown.message_id, good, user=LEARNER)
                await fake.wait_for_callback_answer(update, timeout=30)
                await fake.wait_for(
                    lambda m=mark: any(
                        r.chat_id == LEARNER.id
                        and (
                            (r.buttons and r.buttons[0][0] == "Show answer")
                            or "Done for now" in (r.text or "")
                        )
                        for r in fake.sent[m:]
                    ),
                    timeout=30,
                )
                await asyncio.sleep(0.2)
                grade.update(m for m, _ in fake.requests[start:] if m != "getUpdates")
            return show, grade
        finally:
            await bot.stop()
            await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=10)
    cards = parser.parse_args().cards
    show, grade = asyncio.run(measure(cards))
    for name, counts in (("Show answer", show), ("grade", grade)):
        per = sum(counts.values()) / cards
        detail = ", ".join(f"{m} {n / cards:g}" for m, n in sorted(counts.items()))
        print(f"{name}: {per:g} Bot API calls per press ({detail})")
    total = (sum(show.values()) + sum(grade.values())) / cards
    print(f"one reviewed card (Show answer + grade): {total:g} calls")


if __name__ == "__main__":
    main()
