"""A learner's own decks: the deck menu, renaming, deleting, sharing links and shared decks."""

from __future__ import annotations

from collections.abc import Sequence

from bot.telegram.html import esc
from bot.telegram.texts.authoring import add_prompt
from bot.telegram.texts.wording import counted

__all__ = [
    "ADD_CARDS_BUTTON",
    "ALREADY_STUDYING_TOAST",
    "BACK_BUTTON",
    "CARDS_PER_PAGE",
    "CONFIRM_DELETE_DECK_BUTTON",
    "DECK_GONE",
    "DELETE_DECK_BUTTON",
    "ENROLLED_TOAST",
    "GROUP_NOT_YOUR_DECK",
    "GROUP_SHARE_LINK_DEAD",
    "LEAVE_BUTTON",
    "LEFT_TOAST",
    "LIST_CARDS_BUTTON",
    "NEWDECK_ASK_TITLE",
    "NEW_LINK_BUTTON",
    "NOT_SHARED",
    "NO_OWN_DECKS",
    "OWN_DECK_MARK",
    "RENAME_BUTTON",
    "SHARE_BUTTON",
    "SHARE_LINK_DEAD",
    "SHARE_LINK_DEAD_TOAST",
    "STOP_SHARING_BUTTON",
    "STUDYING_TOAST",
    "STUDY_BUTTON",
    "STUDY_SHARED_BUTTON",
    "ask_rename",
    "confirm_delete_deck",
    "deck_cards_page",
    "deck_deleted",
    "deck_menu",
    "deck_shared",
    "newdeck_created",
    "renamed",
    "share_link",
    "shared_deck_preview",
    "sharing_stopped",
    "your_decks",
]


OWN_DECK_MARK = "👤"


NEWDECK_ASK_TITLE = (
    "What should your new deck be called? Send its title (up to 80 characters), or /cancel."
)


NO_OWN_DECKS = (
    "You have no deck of your own yet. Create one with <code>/newdeck Title</code> — "
    "or send me an Anki, Quizlet or CSV file."
)


LEFT_TOAST = "Left"


ENROLLED_TOAST = "Enrolled"


STUDYING_TOAST = "Studying"


ALREADY_STUDYING_TOAST = "Already studying"


DECK_GONE = "That deck was deleted."


BACK_BUTTON = "← Back"


ADD_CARDS_BUTTON = "➕ Add cards"


LIST_CARDS_BUTTON = "📝 Cards"


RENAME_BUTTON = "✏️ Rename"


SHARE_BUTTON = "🔗 Share"


DELETE_DECK_BUTTON = "🗑 Delete deck"


CONFIRM_DELETE_DECK_BUTTON = "🗑 Yes, delete the deck"


NEW_LINK_BUTTON = "🔄 New link"


STOP_SHARING_BUTTON = "⛔ Stop sharing"


STUDY_SHARED_BUTTON = "📚 Study this deck"


STUDY_BUTTON = "📚 Study"


LEAVE_BUTTON = "Leave"


CARDS_PER_PAGE = 10


SHARE_LINK_DEAD = (
    "This share link is no longer valid: its owner made a new link, stopped sharing or "
    "deleted the deck. Ask them for the current link. /decks lists the decks you can study."
)


SHARE_LINK_DEAD_TOAST = "This share link is no longer valid."


NOT_SHARED = "This deck isn't shared."


GROUP_SHARE_LINK_DEAD = (
    "That share link is no longer valid. Ask the deck's owner for the current one."
)


GROUP_NOT_YOUR_DECK = "Only that deck's owner can pick it — or send /deck with its share link."


def newdeck_created(title: str) -> str:
    return f"Created <b>{esc(title)}</b>, your own deck — you're studying it.\n\n" + add_prompt(
        title, 0
    )


def your_decks(rows: Sequence[tuple[str, int, bool, bool]]) -> str:
    """/decks' second message: (title, cards, owned, studying) per own or joined deck."""
    shared = any(not owned for _title, _count, owned, _studying in rows)
    heading = "Your own and shared decks" if shared else "Your own decks"
    lines = [f"<b>{heading}</b> (tap one to manage it)"]
    for title, count, owned, studying in rows:
        whose = "yours" if owned else "shared with you"
        mark = "✅ studying" if studying else "not studying"
        lines.append(f"• <b>{esc(title)}</b> · {counted(count, 'card')} · {whose} · {mark}")
    return "\n".join(lines)


def deck_menu(
    title: str,
    description: str,
    count: int,
    *,
    owned: bool,
    studying: bool,
    shared: bool,
    learners: int,
) -> str:
    lines = [f"<b>{esc(title)}</b> · {counted(count, 'card')}"]
    if description:
        lines.append(esc(description))
    lines.append("")
    lines.append("✅ You're studying it." if studying else "You're not studying it.")
    if owned:
        others = learners - (1 if studying else 0)
        if shared:
            lines.append(f"🔗 Shared by link · {counted(others, 'other learner')}.")
        else:
            lines.append(f"Not shared · {counted(others, 'other learner')}.")
    else:
        lines.append("Shared with you: its owner keeps it up to date.")
    return "\n".join(lines)


def deck_cards_page(title: str, cards: Sequence[str], first: int, total: int) -> str:
    """One page of a deck's card list; `cards` are question texts in deck markup or HTML."""
    if not total:
        return f"<b>{esc(title)}</b> has no cards yet. ➕ Add cards to write some."
    last = first + len(cards) - 1
    lines = [f"<b>{esc(title)}</b> · cards {first}–{last} of {total}. Tap a number to edit."]
    lines += [f"{first + i}. {text}" for i, text in enumerate(cards)]
    return "\n".join(lines)


def ask_rename(title: str) -> str:
    return f"Send the new title for <b>{esc(title)}</b> (up to 80 characters), or /cancel."


def renamed(title: str) -> str:
    return f"✅ Renamed to <b>{esc(title)}</b>."


def confirm_delete_deck(title: str, learners: int) -> str:
    return (
        f"Delete <b>{esc(title)}</b>? It leaves the study list of "
        f"{counted(learners, 'learner')} (you included) and any group studying it, and its "
        "share link stops working. Past answers stay in the history."
    )


def deck_deleted(title: str) -> str:
    return f"🗑 Deleted <b>{esc(title)}</b>."


def share_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


def deck_shared(title: str, link: str, *, new: bool) -> str:
    head = "New link made — the old one no longer works.\n\n" if new else ""
    return (
        f"{head}Anyone with this link can study <b>{esc(title)}</b>:\n{esc(link)}\n\n"
        "They study your cards, your later edits included; their progress is their own. "
        "🔄 New link stops the current one; ⛔ Stop sharing closes it for newcomers (people "
        "already studying keep the deck)."
    )


def sharing_stopped(title: str) -> str:
    return (
        f"Sharing of <b>{esc(title)}</b> stopped: its link no longer works. People who "
        "already joined keep studying it; 🔗 Share makes a new link."
    )


def shared_deck_preview(title: str, description: str, count: int) -> str:
    lines = [f"<b>{esc(title)}</b>"]
    if description:
        lines.append(esc(description))
    lines.append(f"{counted(count, 'card')} · a deck shared by a Flashtutor learner.")
    return "\n".join(lines)
