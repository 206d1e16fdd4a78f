"""The by-hand console (`python -m tests.fake_telegram`): polls, toasts, any message's buttons."""

from __future__ import annotations

import asyncio
import io
import os
import sys
from pathlib import Path

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from tests.fake_telegram.__main__ import USER, Console

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def bot(fake):
    """The bot's side, sent straight through the Bot API (no Application needed)."""
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        yield bot


@pytest.fixture
def console(fake):
    return Console(fake, io.StringIO())


def _printed(console: Console) -> str:
    console.show_news()
    return console.out.getvalue()


def _keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(x, callback_data=x) for x in labels]])


async def test_a_quiz_poll_is_shown_and_voted_with_bang_n(fake, bot, console):
    message = await bot.send_poll(
        USER.id,
        "Capital of France?",
        ["Rome", "Paris"],
        is_anonymous=False,
        type="quiz",
        correct_option_ids=[1],
    )
    shown = _printed(console)
    assert f"[bot #{message.message_id}] <quiz> Capital of France?" in shown
    assert "   !1  (Rome)\n   !2  (Paris)" in shown
    assert await console.handle("!2")
    assert fake.polls[message.poll.id].votes == {USER.id: (1,)}
    [update] = await bot.get_updates()
    assert (update.poll_answer.poll_id, update.poll_answer.option_ids) == (message.poll.id, (1,))
    assert await console.handle("!1")  # a quiz takes one answer: said, not raised
    assert "cannot vote: this poll does not allow changing an answer" in _printed(console)


async def test_toasts_are_printed(fake, bot, console):
    await bot.send_message(USER.id, "Grade it", reply_markup=_keyboard("Good"))
    await console.handle("!1")
    [update] = await bot.get_updates()
    await bot.answer_callback_query(update.callback_query.id, text="Recorded: Good — next in 3d")
    await fake.wait_for(console.has_news)
    assert "[toast] Recorded: Good — next in 3d" in _printed(console)


async def test_a_button_of_an_older_message_is_pressed_with_m_dot_n(fake, bot, console):
    first = await bot.send_message(USER.id, "First", reply_markup=_keyboard("a", "b"))
    await bot.send_message(USER.id, "Second", reply_markup=_keyboard("c"))
    await bot.send_message(USER.id, "No buttons here")
    shown = _printed(console)
    assert f"[bot #{first.message_id}] First\n   !1  [a]\n   !2  [b]" in shown
    await console.handle(f"!{first.message_id}.2")
    await console.handle("!1")  # the newest message that has buttons: 'Second'
    pressed = [
        (u.callback_query.message.text, u.callback_query.data) for u in await bot.get_updates()
    ]
    assert pressed == [("First", "b"), ("Second", "c")]
    await console.handle(f"!{first.message_id}.3")
    await console.handle("!999.1")
    assert f"message #{first.message_id} has no button 3\nno such message" in _printed(console)


async def test_piped_output_is_flushed_and_closed_input_ends_the_console(tmp_path):
    """Output reaches a pipe line by line while it runs; closing its input ends it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fake_telegram",
        "--port",
        "0",
        cwd=tmp_path,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        async with asyncio.timeout(60):  # a hang guard: block buffering would hang here
            banner = await process.stdout.readline()
            process.stdin.write(b"!h\n")
            await process.stdin.drain()
            while b"!M.N" not in await process.stdout.readline():
                pass
        assert banner.startswith(b"Fake Bot API on http://127.0.0.1:")
        process.stdin.close()  # end of input: the console ends instead of spinning on it
        async with asyncio.timeout(60):
            code = await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert code == 0
    assert b"Traceback" not in await process.stderr.read()
