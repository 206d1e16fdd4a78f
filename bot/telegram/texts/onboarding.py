"""Onboarding: welcome, first deck choice and enrolling."""

from __future__ import annotations

from collections.abc import Collection
from zoneinfo import ZoneInfo

from bot.services.review import QueueEnd
from bot.telegram.html import esc
from bot.telegram.texts.wording import counted, when

__all__ = [
    "deck_list",
    "decks_removed",
    "enrolled",
    "leave_deck_button",
    "study_deck_button",
    "welcome",
]


def welcome(
    first_name: str,
    decks: list[tuple[str, str, int]],
    studying: Collection[str] = (),
    *,
    returning: bool | None = None,
) -> str:
    """The /start message: a newcomer is greeted and picks a first deck; a returning learner
    (by default: one who studies a deck) is welcomed back. Decks studied are marked ✅."""
    studies = any(slug in studying for slug, _title, _count in decks)
    if returning if returning is not None else studies:
        head = f"Welcome back, {esc(first_name)}! /review studies the cards due now."
    else:
        head = (
            f"Hi {esc(first_name)}! I'm <b>Flashtutor</b>: I help you remember flashcards for "
            "good, with a few minutes of review a day."
        )
    if not decks:
        prompt = "There are no decks yet."
    elif studies:
        prompt = "Your decks (✅ studying) — tap another to add it:"
    else:
        prompt = "Pick a deck to start:"
    lines = [head, "", prompt]
    for slug, title, count in decks:
        mark = "✅ " if slug in studying else ""
        lines.append(f"• {mark}<b>{esc(title)}</b> — {counted(count, 'card')}")
    return "\n".join(lines)


def deck_list(rows: list[tuple[str, str, str, int, bool]]) -> str:
    if not rows:
        return "There are no decks yet."
    lines = ["<b>Decks</b>"]
    for _slug, title, description, count, enrolled in rows:
        mark = "✅ studying" if enrolled else "not studying"
        cards = counted(count, "card")
        lines.append(f"\n<b>{esc(title)}</b> · {cards} · {mark}\n{esc(description)}")
    return "\n".join(lines)


def enrolled(
    title: str,
    count: int,
    already: bool,
    *,
    wait: QueueEnd | None = None,
    zone: ZoneInfo | None = None,
) -> str:
    """Enrolment confirmed; with `wait` (no card of the deck to show) it says plainly why."""
    if already:
        head = f"You're already studying <b>{esc(title)}</b>."
        first = "Here's its next card."
    else:
        head = f"You're now studying <b>{esc(title)}</b> ({counted(count, 'card')})."
        first = "Let's start — here's its first card."
    if wait is None or zone is None:
        return f"{head} {first}"
    if wait.new_waiting and not wait.new_per_day:
        why = (
            "Your new-card limit is 0, so no new cards start. "
            "Send <code>/newcards 10</code> to begin this deck."
        )
    elif wait.new_waiting:
        why = (
            f"You've started today's {counted(wait.new_per_day, 'new card')} already "
            "(/newcards changes the limit), so its first cards come "
            f"{when(wait.next_due, zone)}."
        )
    elif wait.next_due is not None:
        why = f"Nothing in it is due right now; its next card is due {when(wait.next_due, zone)}."
    else:
        why = "It has no cards to study."
    return f"{head} {why}"


def decks_removed(titles: list[str]) -> str:
    """Told once, on the next /decks: decks the learner studied were taken out of decks/."""
    names = ", ".join(f"<b>{esc(t)}</b>" for t in titles)
    if len(titles) == 1:
        return (
            f"ℹ️ {names} was removed from the bot, so you no longer study it. "
            "Your history is kept: if it comes back, pick it again here."
        )
    return (
        f"ℹ️ {names} were removed from the bot, so you no longer study them. "
        "Your history is kept: if they come back, pick them again here."
    )


def study_deck_button(title: str) -> str:
    """A /decks list button that starts studying a deck (its title cut to fit)."""
    return f"Study {title[:40]}"


def leave_deck_button(title: str) -> str:
    """A /decks list button that stops studying a deck (its title cut to fit)."""
    return f"Leave {title[:40]}"
