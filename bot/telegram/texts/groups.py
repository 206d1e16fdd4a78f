"""Group study: setup, daily posts, grades, quizzes and progress in groups."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.card_text import card_html, card_plain
from bot.core.localtime import format_minute
from bot.telegram.html import MAX_MESSAGE_CHARS, esc, visible_length
from bot.telegram.texts.review import next_daily
from bot.telegram.texts.user_settings import TIME_USAGE, TIMEZONE_USAGE
from bot.telegram.texts.wording import counted, when

__all__ = [
    "CARDS_PER_POST_USAGE",
    "GROUP_ADMIN_ONLY",
    "GROUP_ADMIN_ONLY_TOAST",
    "GROUP_ALREADY_GRADED",
    "GROUP_ALREADY_PAUSED",
    "GROUP_CARD_GONE",
    "GROUP_COMMAND_MENU",
    "GROUP_FOREIGN_BUTTON",
    "GROUP_NEEDS_DECK",
    "GROUP_NO_DECKS",
    "GROUP_PAUSED",
    "GROUP_PICK_DECK",
    "GROUP_QUIZ_UNAVAILABLE",
    "GROUP_UNKNOWN_DECK",
    "cards_per_post_current",
    "cards_per_post_set",
    "group_can_post_again",
    "group_deck_set",
    "group_help",
    "group_next_post",
    "group_post",
    "group_quiz_intro",
    "group_quiz_too_soon",
    "group_resumed",
    "group_rights_lost",
    "group_settings",
    "group_time_current",
    "group_time_set",
    "group_timezone_current",
    "group_timezone_set",
    "group_welcome",
]


# The menu in groups: all members see the first, admins also the "(admins)" ones.
GROUP_COMMAND_MENU = {
    "settings": "This group's deck and daily time",
    "progress": "The group's progress table and chart",
    "quiz": "Start a quiz round",
    "help": "How group study works",
    "deck": "Choose the deck (admins)",
    "time": "Daily post time HH:MM (admins)",
    "timezone": "Group timezone Area/City (admins)",
    "cards_per_post": "Cards per daily post, 1-5 (admins)",
    "pause": "Pause the daily post (admins)",
    "resume": "Resume the daily post (admins)",
}


def group_help(bot_username: str) -> str:
    return (
        "<b>Flashtutor</b> studies flashcards with this group. Every day I post a few cards: "
        "think of the answer, tap the hidden answer to check yourself, then grade yourself "
        "<b>Again / Hard / Good / Easy</b>. Each of you has your own spaced-repetition "
        "schedule; your private study with me counts here too.\n\n"
        "<b>Admins</b> set me up:\n"
        "/deck — choose the deck (or <code>/deck slug</code>, or <code>/deck</code> with a "
        "deck's share link)\n"
        "/time HH:MM and /timezone Area/City — the daily post time\n"
        "/cards_per_post N — cards per post (1–5)\n"
        "/pause and /resume — stop or restart the daily post\n\n"
        "<b>Everyone</b>:\n"
        "/settings — this group's setup\n"
        "/progress — who has mastered how much of the deck (a table and a chart)\n"
        "/quiz — a round of quiz polls\n\n"
        f"To study privately as well, open @{esc(bot_username)} and press Start."
    )


def group_welcome(bot_username: str) -> str:
    return "Hello, everyone! 👋\n\n" + group_help(bot_username)


GROUP_ADMIN_ONLY = (
    "Sorry, only this group's admins can change its setup. /settings shows it to everyone."
)


GROUP_ADMIN_ONLY_TOAST = "Only the group's admins can choose the deck."


GROUP_NEEDS_DECK = "This group has no deck yet. An admin can choose one with /deck."


GROUP_UNKNOWN_DECK = "I don't know that deck. Pick one below:"


GROUP_PICK_DECK = "Which deck should this group study?"


GROUP_NO_DECKS = "There are no decks yet."


def group_next_post(
    next_post: datetime | None, timezone: str, now: datetime, *, has_deck: bool, paused: bool
) -> str:
    """When the group's next daily post comes, or why there is none."""
    if next_post is not None:
        return f"Next post {next_daily(next_post, ZoneInfo(timezone), now)}."
    if not has_deck:
        return "Choose a deck with /deck to start the daily post."
    if paused:
        return "The daily post is paused; /resume turns it back on."
    return "I may not post here: give me the right to send messages, then /resume."


def group_deck_set(title: str, count: int, next_post_line: str) -> str:
    return (
        f"This group now studies <b>{esc(title)}</b> ({counted(count, 'card')}).\n{next_post_line}"
    )


def group_time_set(minute: int, timezone: str, next_post_line: str) -> str:
    return f"The daily post is now at {format_minute(minute)} ({esc(timezone)}). {next_post_line}"


def group_timezone_set(timezone: str, local_now: datetime, next_post_line: str) -> str:
    return (
        f"The group's timezone is now {esc(timezone)}; it is {local_now:%H:%M} there. "
        f"{next_post_line}"
    )


CARDS_PER_POST_USAGE = "Send a number from 1 to 5, e.g. <code>/cards_per_post 3</code>."


def group_time_current(minute: int, timezone: str) -> str:
    return f"The daily post is at <b>{format_minute(minute)}</b> ({esc(timezone)}).\n{TIME_USAGE}"


def group_timezone_current(timezone: str, local_now: datetime) -> str:
    return (
        f"This group's timezone is <b>{esc(timezone)}</b>; it is {local_now:%H:%M} there.\n"
        f"{TIMEZONE_USAGE}"
    )


def cards_per_post_current(count: int) -> str:
    return f"Each daily post has up to <b>{counted(count, 'card')}</b>.\n{CARDS_PER_POST_USAGE}"


def cards_per_post_set(count: int) -> str:
    return f"Each daily post now has up to {counted(count, 'card')}."


GROUP_PAUSED = "The daily post is paused. /resume turns it back on."


GROUP_ALREADY_PAUSED = "The daily post is already paused. /resume turns it back on."


def group_resumed(next_post_line: str, *, changed: bool) -> str:
    head = "The daily post is back on." if changed else "The daily post is already on."
    return f"{head} {next_post_line}"


def group_settings(
    *,
    title: str,
    deck_title: str | None,
    timezone: str,
    post_minute: int,
    cards_per_post: int,
    paused: bool,
    can_post: bool,
    next_post: datetime | None,
    deck_removed: bool = False,
) -> str:
    if deck_removed:
        status = "off — the deck was removed from the bot (an admin can choose another: /deck)"
    elif not can_post:
        status = "off — I may not post here (give me the right to send messages, then /resume)"
    elif paused:
        status = "paused (/resume)"
    else:
        status = "on (/pause)"
    lines = [
        f"<b>Group settings</b> · {esc(title)}" if title else "<b>Group settings</b>",
        "Deck: " + (f"<b>{esc(deck_title)}</b> (/deck)" if deck_title else "none yet (/deck)"),
        f"Daily post: {format_minute(post_minute)} ({esc(timezone)}) (/time, /timezone)",
        f"Cards per post: {cards_per_post} (/cards_per_post N)",
        f"Posting: {status}",
    ]
    if next_post is not None and not deck_removed:
        lines.append(f"Next post: {when(next_post, ZoneInfo(timezone))}")
    lines.append("Admins change these; everyone can use /progress and /quiz.")
    return "\n".join(lines)


def _fit_plain(text: str, room: int) -> str:
    """`text` cut (with an ellipsis) to at most `room` UTF-16 code units."""
    if visible_length(esc(text)) <= room:
        return text
    cut = text[: max(0, room - 1)]
    while cut and visible_length(esc(cut)) > room - 1:
        cut = cut[:-1]
    return cut.rstrip() + "…"


def group_post(
    *,
    deck_title: str,
    number: int,
    total: int,
    question: str,
    answer: str,
    graded: int,
    text_format: str = "markup",
) -> str:
    """A daily group card: the answer under a spoiler each member reveals for themselves.

    The spoiler holds the answer as plain text: Telegram does not allow code blocks inside
    a spoiler. A very long answer is shortened so the post fits one message.
    """
    count = (
        f"✅ Graded by {counted(graded, 'member')}"
        if graded
        else "Grade yourself — only your own schedule moves."
    )
    head = (
        f"<b>{esc(deck_title)}</b> · card {number} of {total}\n\n{card_html(question, text_format)}"
        "\n\n<b>Answer</b> (tap to reveal):\n"
    )
    tail = f"\n\n<i>{count}</i>"
    room = MAX_MESSAGE_CHARS - visible_length(head + tail)
    return f"{head}<tg-spoiler>{esc(_fit_plain(card_plain(answer, text_format), room))}</tg-spoiler>{tail}"


GROUP_ALREADY_GRADED = "You already graded this card — nothing changed."


GROUP_FOREIGN_BUTTON = "This button isn't valid here."


GROUP_CARD_GONE = "This card was retired from the deck."


def group_rights_lost(title: str) -> str:
    return (
        f"I can no longer post in <b>{esc(title or 'your group')}</b>, so its daily cards are "
        "off. Give me the right to send messages there, then send /resume in the group."
    )


def group_can_post_again(next_post: datetime | None, timezone: str) -> str:
    text = "Thanks — I can post here again, so the daily cards are back on."
    if next_post is not None:
        text += f"\nNext post: {when(next_post, ZoneInfo(timezone))}."
    return text


def group_quiz_intro(deck_title: str, count: int) -> str:
    return (
        f"<b>Quiz</b> on <b>{esc(deck_title)}</b>: {counted(count, 'question')}. "
        "Everyone answers each poll; every answer counts in /progress."
    )


GROUP_QUIZ_UNAVAILABLE = "This deck has too few cards that fit a quiz poll."


def group_quiz_too_soon(ready_at: datetime, timezone: str) -> str:
    return (
        f"A quiz round is already on. The next one can start {when(ready_at, ZoneInfo(timezone))}."
    )
