"""Talk to the bot by hand through the fake server: `python -m tests.fake_telegram --port 8081`.

Type text or /commands to send them as a user. The bot's messages are printed as the user
would see them, each with its number (`[bot #12]`), its buttons and poll options numbered;
toasts (the bot's answers to button presses) are printed as `[toast]` or `[alert]`.

  !N           press button N (or vote for option N) of the bot's newest message that has any
  !M.N         press button N (or vote for option N) of message #M, any message shown so far
  !file PATH   send a local file as a document (e.g. an .apkg to import)
  !h           this help
  !q           quit (so does closing the input, e.g. Ctrl-D)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import mimetypes
import re
import signal
import sys
import threading
from pathlib import Path
from typing import TextIO

from tests.fake_telegram import BotMessage, FakeTelegram, FakeUser

USER = FakeUser(1, "You", username="you")
HELP = __doc__.split("\n\n", 2)[2].rstrip()
_PRESS = re.compile(r"^!(?:(\d+)\.)?(\d+)$")


class Console:
    """One person's chat with the bot: prints what arrives, acts on what is typed."""

    def __init__(self, fake: FakeTelegram, out: TextIO) -> None:
        self.fake = fake
        self.out = out
        self.shown = 0  # records of fake.sent printed so far
        self.toasts = 0  # callback answers printed so far

    def say(self, text: str) -> None:
        # Flushed line by line, so a pipe or a log file sees each line as it happens.
        print(text, file=self.out, flush=True)

    # What arrives.

    def has_news(self) -> bool:
        return len(self.fake.sent) > self.shown or len(self.fake.callback_answers) > self.toasts

    def show_news(self) -> None:
        """Print the bot's new messages, edits and toasts, in the order they happened."""
        for message in self.fake.sent[self.shown :]:
            if message.chat_id == USER.id:
                self._show(message)
        self.shown = len(self.fake.sent)
        for answer in self.fake.callback_answers[self.toasts :]:
            if answer.get("text"):
                kind = "alert" if answer.get("show_alert") else "toast"
                self.say(f"[{kind}] {answer['text']}")
        self.toasts = len(self.fake.callback_answers)

    def _show(self, message: BotMessage) -> None:
        verb = "edited" if message.method.startswith("edit") else "bot"
        if message.poll_id is not None:
            poll = self.fake.polls[message.poll_id]
            kind = "quiz" if poll.type == "quiz" else "poll"
            self.say(f"\n[{verb} #{message.message_id}] <{kind}> {poll.question}")
            for index, option in enumerate(poll.options, start=1):
                self.say(f"   !{index}  ({option})")
        else:
            media = f"<{message.media_kind}> " if message.media_kind else ""
            self.say(f"\n[{verb} #{message.message_id}] {media}{message.plain_text or ''}")
        for index, (text, _data) in enumerate(message.buttons, start=1):
            self.say(f"   !{index}  [{text}]")

    # What is typed.

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False when the user quits."""
        line = line.strip()
        if not line:
            return True
        if line == "!q":
            return False
        if line in ("!h", "!help", "?"):
            self.say(HELP)
            return True
        press = _PRESS.match(line)
        if press:
            message_id, number = press.groups()
            self.press(int(message_id) if message_id else None, int(number))
            return True
        if line.startswith("!file "):
            await self.send_file(line.removeprefix("!file ").strip())
            return True
        self.fake.send_message(USER.id, line, user=USER)
        return True

    def press(self, message_id: int | None, number: int) -> None:
        """Press button `number` of a message (or vote for that option of its poll)."""
        if message_id is None:
            message = next(
                (m for m in reversed(self.fake.messages(USER.id)) if m.buttons or m.poll_id),
                None,
            )
        else:
            message = self.fake.message(USER.id, message_id)
        if message is None:
            self.say("no such message" if message_id else "no message with buttons yet")
            return
        if message.poll_id is not None and not message.buttons:
            self._vote(message, number)
            return
        buttons = message.buttons
        if not 1 <= number <= len(buttons) or buttons[number - 1][1] is None:
            self.say(f"message #{message.message_id} has no button {number}")
            return
        self.fake.press_button(USER.id, message.message_id, buttons[number - 1][1], user=USER)

    def _vote(self, message: BotMessage, number: int) -> None:
        poll = self.fake.polls[message.poll_id]
        try:
            self.fake.answer_poll(poll.id, USER, [number - 1])
        except ValueError as error:  # anonymous, closed, already answered, no such option
            self.say(f"cannot vote: {error}")
            return
        self.say(f"(you voted: {poll.options[number - 1]})")

    async def send_file(self, name: str) -> None:
        """The user sends a local file as a document."""
        try:
            file_name, data = await asyncio.to_thread(_read, name)
        except OSError as error:
            self.say(f"cannot read {name}: {error}")
            return
        mime, _encoding = mimetypes.guess_type(file_name)
        self.fake.send_document(USER.id, data, file_name=file_name, mime_type=mime, user=USER)


def _read(name: str) -> tuple[str, bytes]:
    path = Path(name).expanduser()
    return path.name, path.read_bytes()


async def main(port: int, source: TextIO = sys.stdin, out: TextIO = sys.stdout) -> None:
    fake = FakeTelegram()
    await fake.start(port)
    console = Console(fake, out)
    console.say(f"Fake Bot API on {fake.base_url}  token {fake.token}")
    console.say(f"Run: BOT_TOKEN={fake.token} TELEGRAM_BASE_URL={fake.base_url} scripts/run.sh")
    console.say("Type /start; !h lists the console's commands.")
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str] = asyncio.Queue()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lines.put_nowait, "")

    def read() -> None:
        # A daemon thread: one blocked in readline() never holds up the exit.
        for line in iter(source.readline, ""):
            loop.call_soon_threadsafe(lines.put_nowait, line)
        loop.call_soon_threadsafe(lines.put_nowait, "")  # "" is the end of the input

    async def printer() -> None:
        while True:
            # wait_for gives up (AssertionError) after its timeout: just wait again.
            with contextlib.suppress(AssertionError):
                await fake.wait_for(console.has_news, timeout=3600)
            console.show_news()

    threading.Thread(target=read, name="console-input", daemon=True).start()
    shown = asyncio.create_task(printer())
    try:
        # An empty line typed is "\n"; "" comes only at the end of the input or a signal.
        while (line := await lines.get()) and await console.handle(line):
            pass
    finally:
        shown.cancel()
        await fake.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m tests.fake_telegram",
        description=__doc__.split("\n\n", 1)[0],
        epilog=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    asyncio.run(main(parser.parse_args().port))
