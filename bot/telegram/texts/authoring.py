"""Writing cards: /add, pasting cards, editing and deleting a card, /newdeck's cards."""

from __future__ import annotations

from collections.abc import Sequence

from bot.telegram.html import esc
from bot.telegram.texts.wording import counted, excerpt

__all__ = [
    "ADD_WHICH_DECK",
    "ASK_ANSWER",
    "CANCELLED",
    "CANCEL_BUTTON",
    "CARD_GONE",
    "CONFIRM_DELETE_CARD_BUTTON",
    "DELETE_CARD_BUTTON",
    "EDIT_ANSWER_BUTTON",
    "EDIT_BUTTON",
    "EDIT_QUESTION_BUTTON",
    "NOTHING_TO_CANCEL",
    "NOTHING_TO_FINISH",
    "NOT_OWNER",
    "PREVIEW_CANCELLED",
    "PREVIEW_PENDING",
    "PREVIEW_STALE",
    "SAVE_BUTTON",
    "TYPED_MARKUP_HINT",
    "add_prompt",
    "adding_done",
    "ask_new_side",
    "card_added",
    "card_deleted",
    "card_edited",
    "card_problem",
    "confirm_delete_card",
    "edit_card_menu",
    "pasted_nothing",
    "pasted_preview",
    "pasted_saved",
]


ADD_WHICH_DECK = "Add cards to which of your decks?"


TYPED_MARKUP_HINT = "<code>`code`</code> and <code>```</code> fenced blocks work as in deck files."


ASK_ANSWER = "Now send the answer (or /cancel)."


NOTHING_TO_FINISH = "There's nothing to finish. /add adds cards to one of your decks."


CANCELLED = "Cancelled — nothing was changed."


NOTHING_TO_CANCEL = "There's nothing to cancel."


PREVIEW_PENDING = "Press 💾 Save or Cancel under the preview first (or /cancel)."


PREVIEW_STALE = "This preview was already saved or cancelled."


PREVIEW_CANCELLED = "Cancelled — none of those cards were saved. Send other cards, or /done."


SAVE_BUTTON = "💾 Save"


CANCEL_BUTTON = "Cancel"


NOT_OWNER = "Only the deck's owner can change it."


CARD_GONE = "That card was deleted."


EDIT_BUTTON = "✏️ Edit"


EDIT_QUESTION_BUTTON = "✏️ Question"


EDIT_ANSWER_BUTTON = "✏️ Answer"


DELETE_CARD_BUTTON = "🗑 Delete card"


CONFIRM_DELETE_CARD_BUTTON = "🗑 Yes, delete the card"


def add_prompt(title: str, count: int) -> str:
    """What /add asks first: a question, or a pasted list."""
    return (
        f"Adding cards to <b>{esc(title)}</b> ({counted(count, 'card')}).\n"
        "Send the <b>question</b>; I'll ask for the answer next.\n"
        "Or paste several cards, one per line: <code>question :: answer</code> "
        "(or question, Tab, answer).\n"
        f"{TYPED_MARKUP_HINT} /done when finished."
    )


def card_added(title: str, count: int) -> str:
    return (
        f"✅ Added to <b>{esc(title)}</b> — {counted(count, 'card')} now. "
        "Send the next question, or /done."
    )


def adding_done(title: str, added: int) -> str:
    if not added:
        return f"Done — no card added to <b>{esc(title)}</b>."
    return (
        f"Done: {counted(added, 'card')} added to <b>{esc(title)}</b>. "
        "/review studies them; /add adds more."
    )


def pasted_preview(
    title: str,
    cards: Sequence[tuple[str, str]],
    skipped: Sequence[tuple[int, str]],
    shown: int = 10,
) -> str:
    """The preview of a pasted list: the first cards, what was skipped, then Save/Cancel."""
    lines = [f"<b>{counted(len(cards), 'card')}</b> to add to <b>{esc(title)}</b>:"]
    for number, (question_text, answer_text) in enumerate(cards[:shown], start=1):
        lines.append(f"{number}. {excerpt(question_text, 80)} — {excerpt(answer_text, 80)}")
    if len(cards) > shown:
        lines.append(f"…and {len(cards) - shown} more.")
    if skipped:
        lines.append("")
        lines.append(f"Skipped {counted(len(skipped), 'line')}:")
        lines += [f"line {number}: {esc(reason)}" for number, reason in skipped[:5]]
        if len(skipped) > 5:
            lines.append(f"…and {len(skipped) - 5} more.")
    lines.append("")
    lines.append("Save them?")
    return "\n".join(lines)


def pasted_nothing(skipped: Sequence[tuple[int, str]]) -> str:
    lines = ["I found no card in that:"]
    lines += [f"line {number}: {esc(reason)}" for number, reason in skipped[:5]]
    lines.append("Send one card per line as <code>question :: answer</code>, or /cancel.")
    return "\n".join(lines)


def pasted_saved(title: str, added: int, total: int) -> str:
    return (
        f"✅ Saved {counted(added, 'card')} to <b>{esc(title)}</b> — {counted(total, 'card')} "
        "now. Send more cards, or /done."
    )


def card_problem(problem: str) -> str:
    """A card or title that could not be saved, and what to do."""
    return f"{esc(problem)} Send it again, or /cancel."


def edit_card_menu(deck_title: str, question_html: str, answer_html: str) -> list[str]:
    """A card with its edit buttons; two blocks, so a long card is sent in two messages."""
    return [
        f"<b>{esc(deck_title)}</b> · edit card\n\n<b>Question</b>\n{question_html}",
        f"<b>Answer</b>\n{answer_html}",
    ]


def ask_new_side(side: str, current_html: str) -> str:
    return (
        f"Send the new <b>{side}</b> for this card. /cancel keeps it as it is.\n\n"
        f"Now it reads:\n{current_html}\n\n{TYPED_MARKUP_HINT}"
    )


def card_edited(deck_title: str, question_html: str, answer_html: str) -> list[str]:
    return [
        f"✅ Saved. Everyone studying <b>{esc(deck_title)}</b> sees the new text.\n\n"
        f"<b>Question</b>\n{question_html}",
        f"<b>Answer</b>\n{answer_html}",
    ]


def confirm_delete_card(question_html: str) -> str:
    return (
        f"Delete this card?\n\n{question_html}\n\n"
        "It leaves everyone's reviews; past answers stay in the history."
    )


def card_deleted(deck_title: str) -> str:
    return f"Card deleted from <b>{esc(deck_title)}</b>."
