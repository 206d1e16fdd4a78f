"""Rendering: HTML escaping, and long texts split (never truncated) within Telegram's limit."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from pathlib import Path

from bot.core.deck_format import is_deck_file_slug
from bot.core.mastery import Mastery
from bot.services.study import ProgressRow
from bot.telegram import callbacks as cb
from bot.telegram import texts
from bot.telegram.texts import MAX_MESSAGE_CHARS, esc, split_message, visible_length
from tests.fake_telegram import FakeUser, parse_html
from tests.harness import Chat, RunningBot, make_settings


def _plain(parts: list[str]) -> str:
    return "".join(parse_html(p).text for p in parts)


def test_short_blocks_share_one_message():
    assert split_message(["<b>a</b>", "b"]) == ["<b>a</b>\n\nb"]


def test_blocks_are_split_at_block_boundaries_and_nothing_is_lost():
    blocks = [f"<b>Deck {i}</b>\n{esc('x < y & z ' * 40)}" for i in range(40)]
    parts = split_message(blocks)
    assert len(parts) > 1
    assert all(visible_length(p) <= MAX_MESSAGE_CHARS for p in parts)
    for part in parts:
        parse_html(part)  # valid Telegram HTML: raises otherwise
    assert _plain(parts).count("Deck ") == 40
    assert _plain(parts).count("x < y & z") == 40 * 40


def test_a_single_huge_block_is_split_as_plain_text_without_loss():
    line = "word " * 50
    block = "<b>" + esc("\n".join(f"{i}: {line}" for i in range(100))) + "</b>"
    parts = split_message([block])
    assert len(parts) >= 3
    assert all(visible_length(p) <= MAX_MESSAGE_CHARS for p in parts)
    text = _plain(parts)
    assert all(f"{i}: word" in text for i in range(100))


def test_visible_length_counts_utf16_after_entities():
    assert visible_length("<b>&lt;a&gt;</b>") == 3
    assert visible_length("😀") == 2  # one astral character is two UTF-16 units


def test_every_callback_fits_64_bytes_and_round_trips():
    # The longest slug a deck file may carry goes into the slug-carrying buttons.
    longest_slug = "a" * 41
    assert is_deck_file_slug(longest_slug) and not is_deck_file_slug(longest_slug + "a")
    samples = [
        cb.StartReview(),
        cb.ShowAnswer(10**17, 10**17),
        cb.Grading(10**17, 10**17, max(cb.Grade)),
        cb.Enrol(longest_slug),
        cb.Enrol(longest_slug, from_list=True),
        cb.Leave(longest_slug),
        cb.GroupDeck(longest_slug),
        cb.GroupGrade(10**18 - 1, max(cb.Grade)),
        cb.Grading(10**17, 10**17, max(cb.Grade), shown_at=99_999_999_999),
    ]
    for sample in samples:
        data = cb.encode(sample)
        assert len(data.encode()) <= cb.MAX_CALLBACK_BYTES
        assert cb.decode(data) == sample
    assert cb.decode("g:1:1:5") is None and cb.decode("a:01:1") is None and cb.decode(None) is None


async def test_a_long_deck_list_arrives_in_several_valid_messages(
    database_url, fake, clock, tmp_path
):
    for i in range(30):
        (tmp_path / f"deck-{i:02d}.md").write_text(
            f"---\nslug: deck-{i:02d}\ntitle: Deck {i:02d} <&>\n"
            f"description: {'A long description & more. ' * 10}\n---\n\n"
            "## one\nQ: Question?\nA: Answer.\n"
        )
    bot = RunningBot(make_settings(database_url, fake, decks_dir=tmp_path), clock)
    await bot.start()
    try:
        chat = Chat(fake, FakeUser(4001, "Lin"))
        fake.send_message(chat.chat_id, "/decks", user=chat.user)
        parts = await fake.wait_for(
            lambda: (
                [m for m in fake.sent if m.chat_id == 4001]
                if any(m.buttons for m in fake.sent)
                else None
            )
        )
        assert len(parts) >= 2
        text = "".join(m.plain_text for m in parts)
        assert all(f"Deck {i:02d} <&>" in text for i in range(30))
        assert parts[-1].buttons and not any(m.buttons for m in parts[:-1])
        assert html.escape("<&>", quote=False) in parts[0].text
    finally:
        await bot.stop()


_PLURAL_AFTER_NUMBER = re.compile(
    r"\{[^{}]*\} (cards|questions|answers|pairs|members|days|reviews|mistakes|decks|"
    r"seconds|minutes|hours)\b"
)


def test_no_text_puts_a_bare_number_before_a_plural_noun():
    """Counts go through counted(), so nobody reads '1 cards'."""
    source = "".join(p.read_text() for p in Path(texts.__file__).parent.glob("*.py"))
    assert _PLURAL_AFTER_NUMBER.findall(source) == []
    one = [("deep", "Deep", 1)]
    rendered = [
        texts.welcome("Ada", one),
        texts.deck_list([("deep", "Deep", "One card.", 1, True)]),
        texts.enrolled("Deep", 1, already=False),
        texts.group_deck_set("Deep", 1, "Next post today at 09:00."),
        texts.push("Ada", 1, 1),
        texts.mastery_line(_one_card_row()),
    ]
    for text in rendered:
        assert re.search(r"\b1 (card|answer|pair|question)s\b", text) is None, text
        assert "1 card" in text, text


def _one_card_row() -> ProgressRow:
    mastery = Mastery(total=1, not_studied=0, learning=0, mastered=1, percent=100)
    return ProgressRow(
        1, "Ada", mastery, None, None, None, 1, None, datetime(2026, 3, 2, tzinfo=UTC)
    )
