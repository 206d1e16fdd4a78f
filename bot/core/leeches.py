"""Leeches: cards a learner keeps forgetting, suspended so they stop eating review time.

Anki's rule, kept exactly so imported lapse counts carry over: a *lapse* is Again on a card in
the Review state; a card becomes a leech when its lapses reach the learner's threshold (8 by
default), and again every half-threshold lapses after that (12, 16, … for 8). Each time it is
suspended and the learner is told; they may keep studying it (the count goes on), leave it
suspended, or rewrite it. A threshold of 0 turns leeches off.
"""

from __future__ import annotations

__all__ = ["DEFAULT_LEECH_THRESHOLD", "MAX_LEECH_THRESHOLD", "is_leech", "next_leech_at"]

DEFAULT_LEECH_THRESHOLD = 8
MAX_LEECH_THRESHOLD = 99


def _step(threshold: int) -> int:
    return max(1, threshold // 2)


def is_leech(lapses: int, threshold: int) -> bool:
    """Whether the lapse that brought a card's count to `lapses` makes it a leech."""
    if threshold <= 0 or lapses < threshold:
        return False
    return (lapses - threshold) % _step(threshold) == 0


def next_leech_at(lapses: int, threshold: int) -> int | None:
    """The lapse count at which a card with `lapses` is next a leech; None when off."""
    if threshold <= 0:
        return None
    if lapses < threshold:
        return threshold
    step = _step(threshold)
    return threshold + ((lapses - threshold) // step + 1) * step
