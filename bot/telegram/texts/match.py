"""Match: the board and the result."""

from __future__ import annotations

from bot.core.study import (
    tile_label,
    tile_labels,
)
from bot.services.study import MatchView
from bot.telegram.html import esc
from bot.telegram.texts.study import format_duration
from bot.telegram.texts.wording import counted

__all__ = [
    "MATCH_TILE_CHARS",
    "MATCH_TOASTS",
    "match_board",
    "match_finished",
    "match_labels",
]


MATCH_TOASTS = {
    "selected": "",
    "deselected": "",
    "matched": "✅ A pair!",
    "mismatch": "❌ Not a pair: +1 s",
    "stale": "Already matched.",
}


MATCH_TILE_CHARS = 28


def match_labels(view: MatchView) -> list[str]:
    """Button labels, one per tile, unique within the game, numbered like the list in the text."""
    labels = tile_labels(view.game, view.deck.plain, limit=MATCH_TILE_CHARS)
    return [f"{i + 1} · {label}" for i, label in enumerate(labels)]


def match_board(view: MatchView) -> str:
    game = view.game
    left = game.pairs - len(game.removed) // 2
    lines = [
        f"<b>Match · {esc(view.deck.deck.title)}</b>",
        "Tap a question, then its answer. A wrong pair adds 1 s.",
        f"Pairs left: {left} of {game.pairs}"
        + (f" · mistakes: {game.mistakes}" if game.mistakes else ""),
    ]
    if view.best_ms is not None:
        lines.append(f"Your best on this deck: {format_duration(view.best_ms)}")
    labels = tile_labels(view.game, view.deck.plain, limit=MATCH_TILE_CHARS)
    shortened = []
    for i in range(len(game.tiles)):
        text = " ".join(game.tile_text(i, view.deck.plain).split())
        if i not in game.removed and labels[i] != text:
            shortened.append(f"<b>{i + 1}.</b> {esc(tile_label(text, 220))}")
    if shortened:
        lines += ["", "<i>In full:</i>", *shortened]
    return "\n".join(lines)


def match_finished(view: MatchView) -> str:
    game = view.game
    assert view.elapsed_ms is not None
    mistakes = game.mistakes
    time = f"Time: <b>{format_duration(view.elapsed_ms)}</b>"
    if mistakes:
        time += f" (with +{mistakes} s for {counted(mistakes, 'mistake')})"
    if view.new_best:
        best = "🏆 Your best on this deck!"
    else:
        best = f"Your best on this deck: {format_duration(view.best_ms or view.elapsed_ms)}"
    return (
        f"<b>Match · {esc(view.deck.deck.title)}</b> — all {counted(game.pairs, 'pair')} matched!\n"
        f"{time}\n{best}"
    )
