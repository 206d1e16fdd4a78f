"""Which cards a group's daily post shows, so the group covers its deck over time.

Rules, in order of preference:

1. **Due**: cards due now for at least one known member, most members first (then deck order).
   Reviewing together what most people are about to forget is the point of a group post.
2. **New to the group**: cards never posted in the group, those the fewest members already
   studied (privately) first, then deck order.
3. **Catch-up**: cards posted before that some members have still never studied (they joined
   later), fewest studied first, then the longest ago posted, then deck order.

A card that every member knows and nobody has due is not posted: posting it would only ask
people to review early. So a small, well-studied deck can have a quiet day. Nor is a card
suspended for any member (a leech of theirs, bot.core.leeches): a group post would bring it
back to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

__all__ = ["CardCoverage", "choose_group_cards"]


@dataclass(frozen=True, slots=True)
class CardCoverage:
    """How far a group's members have got with one card."""

    card_id: int
    position: int  # order in the deck file
    due_members: int  # members whose memory state says it is due now
    studied_members: int  # members with any memory state for it
    last_posted_on: date | None = None  # the group's local date it was last posted
    suspended_members: int = 0  # members who have it suspended (a leech)


def choose_group_cards(cards: Sequence[CardCoverage], *, members: int, count: int) -> list[int]:
    """Up to `count` card ids for today's post, following the module rules."""
    if count < 1:
        raise ValueError("count must be at least 1")
    cards = [c for c in cards if c.suspended_members == 0]
    due = sorted(
        (c for c in cards if c.due_members > 0), key=lambda c: (-c.due_members, c.position)
    )
    fresh = sorted(
        (c for c in cards if c.due_members == 0 and c.last_posted_on is None),
        key=lambda c: (c.studied_members, c.position),
    )
    catch_up = sorted(
        (
            c
            for c in cards
            if c.due_members == 0 and c.last_posted_on is not None and c.studied_members < members
        ),
        key=lambda c: (c.studied_members, c.last_posted_on, c.position),
    )
    return [c.card_id for c in [*due, *fresh, *catch_up][:count]]
