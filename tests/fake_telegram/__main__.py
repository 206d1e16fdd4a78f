"""Talk to the bot by hand through the fake server: `python -m tests.fake_telegram --port 8081`.

Type text or /commands to send them as a user; `!N` presses button N of the bot's last
message; `!file PATH` sends a local file as a document (e.g. an .apkg to import); `!q` quits.
Bot messages are printed as the user would see them; photos, audio and documents as a tag.
"""

from __future__ import annotations

import argparse
import asyncio
import mimetypes
import sys
from pathlib import Path

from tests.fake_telegram import FakeTelegram, FakeUser

USER = FakeUser(1, "You", username="you")


def _show(message) -> None:
    verb = "edited" if message.method.startswith("edit") else "bot"
    media = f"<{message.media_kind}> " if message.media_kind else ""
    print(f"\n[{verb} #{message.message_id}] {media}{message.plain_text or ''}")
    for index, (text, _data) in enumerate(message.buttons, start=1):
        print(f"   !{index}  [{text}]")


def _read(name: str) -> tuple[str, bytes]:
    path = Path(name).expanduser()
    return path.name, path.read_bytes()


async def _send_file(fake: FakeTelegram, name: str) -> None:
    """The user sends a local file as a document."""
    try:
        file_name, data = await asyncio.to_thread(_read, name)
    except OSError as error:
        print(f"cannot read {name}: {error}")
        return
    mime, _encoding = mimetypes.guess_type(file_name)
    fake.send_document(USER.id, data, file_name=file_name, mime_type=mime, user=USER)


async def main(port: int) -> None:
    fake = FakeTelegram()
    await fake.start(port)
    print(f"Fake Bot API on {fake.base_url}  token {fake.token}")
    print(f"Run: BOT_TOKEN={fake.token} TELEGRAM_BASE_URL={fake.base_url} scripts/run.sh")
    loop = asyncio.get_running_loop()

    async def printer() -> None:
        shown = 0
        while True:
            await fake.wait_for(lambda: len(fake.sent) > shown, timeout=3600)  # noqa: B023
            for message in fake.sent[shown:]:
                _show(message)
            shown = len(fake.sent)

    task = asyncio.create_task(printer())
    while True:
        line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
        if line in ("!q", ""):
            if line == "!q" or sys.stdin.closed:
                break
            continue
        if line.startswith("!") and line[1:].isdigit():
            last = fake.last_message(USER.id)
            buttons = last.buttons if last else []
            index = int(line[1:]) - 1
            if 0 <= index < len(buttons):
                fake.press_button(USER.id, last.message_id, buttons[index][1], user=USER)
            else:
                print("no such button")
            continue
        if line.startswith("!file "):
            await _send_file(fake, line.removeprefix("!file ").strip())
            continue
        fake.send_message(USER.id, line, user=USER)
    task.cancel()
    await fake.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8081)
    asyncio.run(main(parser.parse_args().port))
