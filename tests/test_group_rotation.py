"""Which cards a group's daily post picks: due for most members, then new, then catch-up."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.group_rotation import CardCoverage, choose_group_cards

MONDAY, TUESDAY = date(2026, 3, 2), date(2026, 3, 3)


def card(card_id, *, due=0, studied=0, posted=None):
    return CardCoverage(
        card_id, position=card_id, due_members=due, studied_members=studied, last_posted_on=posted
    )


def test_a_new_group_starts_at_the_top_of_the_deck():
    cards = [card(i) for i in range(1, 11)]
    assert choose_group_cards(cards, members=0, count=3) == [1, 2, 3]


def test_due_for_most_members_first_then_new_cards():
    cards = [
        card(1, due=1, studied=3, posted=MONDAY),
        card(2, due=3, studied=3, posted=MONDAY),
        card(3, studied=3, posted=MONDAY),  # everyone knows it, nobody has it due: skipped
        card(4),
        card(5, studied=1),  # new to the group, but one member studied it privately
        card(6),
    ]
    assert choose_group_cards(cards, members=3, count=5) == [2, 1, 4, 6, 5]


def test_catch_up_for_members_who_joined_later():
    cards = [
        card(1, studied=2, posted=TUESDAY),
        card(2, studied=2, posted=MONDAY),
        card(3, studied=1, posted=TUESDAY),
        card(4, studied=3, posted=MONDAY),  # everyone has it
    ]
    assert choose_group_cards(cards, members=3, count=4) == [3, 2, 1]


def test_a_well_known_deck_with_nothing_due_has_a_quiet_day():
    cards = [card(i, studied=2, posted=MONDAY) for i in range(1, 4)]
    assert choose_group_cards(cards, members=2, count=3) == []


def test_count_must_be_positive():
    with pytest.raises(ValueError):
        choose_group_cards([card(1)], members=0, count=0)
