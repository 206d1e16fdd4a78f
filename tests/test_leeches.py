"""Leeches on SQLite and Postgres: Anki's rule through time, in private review and group posts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from bot.config import DEFAULT_DECKS_DIR
from bot.core.group_rotation import CardCoverage, choose_group_cards
from bot.core.leeches import is_leech, next_leech_at
from bot.core.srs import REVIEW, Grade, make_scheduler
from bot.services import groups, leeches
from bot.services import review as reviews
from bot.services.decks import deck_by_slug, load_bundled_decks
from bot.services.push import claim_due_pushes
from bot.services.users import UserDefaults, enrol, ensure_user, set_leech_threshold
from bot.storage.models import CardState, GroupPost, User

SCHEDULER = make_scheduler(fuzzing=False)
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
CHAT = -501


@pytest.mark.parametrize(
    ("lapses", "threshold", "leech"),
    [
        (7, 8, False),
        (8, 8, True),
        (9, 8, False),
        (11, 8, False),
        (12, 8, True),  # every half-threshold after, as Anki
        (16, 8, True),
        (8, 0, False),  # 0 = off
        (3, 3, True),
        (4, 3, True),  # half of 3 floors to 1: every lapse after
        (1, 1, True),
        (2, 1, True),
    ],
)
def test_anki_leech_rule(lapses, threshold, leech):
    assert is_leech(lapses, threshold) is leech


def test_next_warning():
    assert [next_leech_at(n, 8) for n in (0, 7, 8, 9, 12)] == [8, 8, 12, 12, 16]
    assert next_leech_at(5, 0) is None


def test_a_suspended_card_is_never_chosen_for_a_group_post():
    cards = [
        CardCoverage(1, 1, due_members=3, studied_members=3, suspended_members=1),
        CardCoverage(2, 2, due_members=1, studied_members=1),
        CardCoverage(3, 3, due_members=0, studied_members=0),
    ]
    assert choose_group_cards(cards, members=3, count=3) == [2, 3]


async def _learner(db, now, *, threshold=8, new_per_day=1):
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=now)
    async with db.session() as s:
        user, _ = await ensure_user(
            s,
            user_id=1,
            first_name="Ada",
            username=None,
            now=now,
            defaults=UserDefaults(new_cards_per_day=new_per_day),
        )
        set_leech_threshold(user, lapses=threshold)
        deck = await deck_by_slug(s, slug="deep-learning-tools")
        await enrol(s, user_id=1, deck_id=deck.id, now=now)
    return deck


async def _user(db) -> User:
    async with db.session() as s:
        return await s.get(User, 1)


async def _grade(db, card_id, grade, now):
    """Grade the card as the review shows it at `now` (its current version)."""
    user = await _user(db)
    async with db.session() as s:
        state = await s.get(CardState, (1, card_id))
        return await reviews.grade_card(
            s,
            user=user,
            card_id=card_id,
            version=state.reps if state else 0,
            grade=grade,
            now=now,
            scheduler=SCHEDULER,
        )


async def _state(db, card_id) -> CardState:
    async with db.session() as s:
        return await s.get(CardState, (1, card_id))


async def _lapse(db, card_id, now):
    """At the card's due time: Again (a lapse), then Good after its relearning step, which
    returns it to Review. Returns (the Again's outcome, the time after)."""
    state = await _state(db, card_id)
    assert state.state == REVIEW
    now = max(now, state.due)
    outcome = await _grade(db, card_id, Grade.AGAIN, now)
    assert outcome.status is reviews.GradeStatus.OK
    if outcome.leech:
        return outcome, now
    now = (await _state(db, card_id)).due
    back = await _grade(db, card_id, Grade.GOOD, now)
    assert back.status is reviews.GradeStatus.OK and back.memory.state == REVIEW
    return outcome, now


async def _studied_card(db, now):
    """Ada's first card, graded Easy into Review; returns (card id, now)."""
    user = await _user(db)
    async with db.session() as s:
        study = await reviews.next_card(s, user=user, now=now)
    outcome = await _grade(db, study.card.id, Grade.EASY, now)
    assert outcome.memory.state == REVIEW
    return study.card.id, now


async def _queue(db, now) -> tuple[int, int | None]:
    """What Ada could study at `now`: how many cards, and the first one's id."""
    user = await _user(db)
    async with db.session() as s:
        counts = await reviews.queue_counts(s, user=user, now=now)
        study = await reviews.next_card(s, user=user, now=now)
    return counts.total, (study.card.id if study else None)


async def test_eight_lapses_suspend_a_card_and_undo_brings_it_back(db):
    deck = await _learner(db, START, new_per_day=1)
    card_id, now = await _studied_card(db, START)
    for number in range(1, 8):
        outcome, now = await _lapse(db, card_id, now)
        assert not outcome.leech and outcome.lapses == number
    # The eighth lapse: a leech, suspended in the same grade.
    now = (await _state(db, card_id)).due
    eighth = await _grade(db, card_id, Grade.AGAIN, now)
    assert eighth.leech and eighth.lapses == 8
    state = await _state(db, card_id)
    assert state.suspended and state.lapses == 8
    # Never in reviews, even when its relearning step falls due; counted apart in /stats.
    later = now + timedelta(days=3)
    total, first = await _queue(db, later)
    assert total == 1 and first != card_id  # only the day's one new card
    user = await _user(db)
    async with db.session() as s:
        [stats] = await reviews.deck_stats(s, user=user, now=later)
        end = await reviews.queue_end(s, user=user, now=later, deck_id=deck.id)
        status, _ = await reviews.card_to_study(
            s, user=user, card_id=card_id, version=state.reps, now=later
        )
    assert stats.status.mastery.suspended == 1 and stats.status.due_now == 0
    assert stats.status.mastery.total == 16
    assert status is reviews.GradeStatus.SUSPENDED
    assert end.next_due != state.due  # the next card is not the suspended one
    # Nor in the daily push: with no new cards allowed, nothing is due, so no push.
    async with db.session() as s:
        user = await s.get(User, 1)
        user.new_cards_per_day, user.next_push_at = 0, later
    async with db.session() as s:
        pushes, examined = await claim_due_pushes(s, now=later)
    assert examined == 1 and pushes == []
    async with db.session() as s:
        (await s.get(User, 1)).new_cards_per_day = 1
    user = await _user(db)
    # /leeches lists it.
    async with db.session() as s:
        listed = await leeches.suspended_cards(s, user_id=1)
    assert [(c.card.id, c.lapses) for c in listed] == [(card_id, 8)]

    # /undo of the lapse that made the leech: the card is back, with 7 lapses.
    async with db.session() as s:
        log, _card = await reviews.undo_last(s, user=user)
    assert log.card_id == card_id
    state = await _state(db, card_id)
    assert not state.suspended and state.lapses == 7 and state.state == REVIEW
    # Lapsing again makes it a leech again.
    again = await _grade(db, card_id, Grade.AGAIN, now)
    assert again.leech and (await _state(db, card_id)).suspended


async def test_kept_leech_warns_again_every_four_lapses(db):
    await _learner(db, START)
    card_id, now = await _studied_card(db, START)
    async with db.session() as s:  # seven lapses already (an imported card, say)
        await s.execute(update(CardState).where(CardState.card_id == card_id).values(lapses=7))
    now = (await _state(db, card_id)).due
    outcome = await _grade(db, card_id, Grade.AGAIN, now)
    assert outcome.leech and outcome.lapses == 8
    # Keep studying it: the count goes on.
    async with db.session() as s:
        await leeches.set_suspended(s, user_id=1, card_id=card_id, suspended=False)
    now = (await _state(db, card_id)).due
    await _grade(db, card_id, Grade.GOOD, now)
    seen = []
    for _ in range(4):
        outcome, now = await _lapse(db, card_id, now)
        seen.append((outcome.lapses, outcome.leech))
    assert seen == [(9, False), (10, False), (11, False), (12, True)]
    assert (await _state(db, card_id)).suspended


async def test_threshold_zero_never_suspends(db):
    await _learner(db, START, threshold=0)
    card_id, now = await _studied_card(db, START)
    for _ in range(10):
        outcome, now = await _lapse(db, card_id, now)
        assert not outcome.leech
    assert not (await _state(db, card_id)).suspended


async def _post_of(db, now) -> dict[int, int]:
    """Today's group post, claimed and sent as the timetable does: {post id: card id}."""
    async with db.session() as s:
        due, _ = await groups.claim_due_group_posts(s, now=now, limit=10)
    posts = [p.post_id for g in due for p in g.posts]
    async with db.session() as s:
        for n, post_id in enumerate(posts):
            await groups.mark_post_sent(s, post_id=post_id, message_id=int(now.timestamp()) + n)
        await groups.confirm_group_post(s, chat_id=CHAT, now=now)
        return {p: (await s.get(GroupPost, p)).card_id for p in posts}


async def test_a_group_post_grade_that_makes_a_leech_suspends_it_for_that_member(db):
    deck = await _learner(db, START)
    card_id, _now = await _studied_card(db, START)
    async with db.session() as s:
        group = await groups.ensure_group(
            s, chat_id=CHAT, title="Club", now=START, defaults=UserDefaults()
        )
        groups.set_cards_per_post(group, count=3)
        groups.set_group_deck(group, deck=deck, now=START)
        await groups.ensure_member(
            s,
            chat_id=CHAT,
            user_id=1,
            first_name="Ada",
            username=None,
            now=START,
            defaults=UserDefaults(),
        )
        # Seven lapses already, and due on the day of the post.
        await s.execute(
            update(CardState)
            .where(CardState.card_id == card_id)
            .values(lapses=7, due=START + timedelta(days=1))
        )
    # Tomorrow's 09:00 post shows the card (due for a member); Ada's Again makes a leech.
    day = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    posts = await _post_of(db, day)
    [post_id] = [p for p, c in posts.items() if c == card_id]
    user = await _user(db)
    async with db.session() as s:
        outcome = await groups.grade_group_post(
            s,
            post_id=post_id,
            chat_id=CHAT,
            user=user,
            grade=Grade.AGAIN,
            now=day,
            scheduler=SCHEDULER,
        )
    assert outcome.status is groups.GroupGradeStatus.OK
    assert outcome.leech and outcome.lapses == 8 and outcome.card.id == card_id
    assert (await _state(db, card_id)).suspended
    # Its relearning step is due tomorrow, but the next post leaves it out.
    posts = await _post_of(db, day + timedelta(days=1))
    assert posts and card_id not in posts.values()
    # A post of it still open (here: another post made to show it) cannot be graded by Ada
    # while it is suspended for her.
    other = next(iter(posts))
    async with db.session() as s:
        await s.execute(update(GroupPost).where(GroupPost.id == other).values(card_id=card_id))
    async with db.session() as s:
        refused = await groups.grade_group_post(
            s,
            post_id=other,
            chat_id=CHAT,
            user=user,
            grade=Grade.GOOD,
            now=day,
            scheduler=SCHEDULER,
        )
    assert refused.status is groups.GroupGradeStatus.SUSPENDED
    # /undo of the group grade brings it back.
    async with db.session() as s:
        await reviews.undo_last(s, user=user)
    assert not (await _state(db, card_id)).suspended


async def test_cards_suspended_in_anki_stay_suspended_after_import(db):
    from bot.core.imports.draft import CardProgress, ProgressState
    from tests.test_owned_decks import OWNER, _card, _draft, _import, _live, _users

    await _users(db, START, OWNER)
    studied = CardProgress(
        state=ProgressState.REVIEW,
        due=START + timedelta(days=2),
        interval_days=12,
        reps=14,
        lapses=9,
        suspended=True,
        stability=14.5,
        difficulty=7.2,
        last_review=START - timedelta(days=10),
    )
    new = CardProgress(
        state=ProgressState.NEW, due=None, interval_days=0, reps=0, lapses=0, suspended=True
    )
    draft = _draft([_card(1, progress=studied), _card(2, progress=new), _card(3)])
    result = await _import(db, draft, START)
    live = await _live(db, result.deck.id)
    async with db.session() as s:
        kept = await s.get(CardState, (OWNER, live["x:guid1:0"].id))
        held = await s.get(CardState, (OWNER, live["x:guid2:0"].id))
        user = await s.get(User, OWNER)
        [stats] = await reviews.deck_stats(s, user=user, now=START + timedelta(days=3))
        study = await reviews.next_card(s, user=user, now=START + timedelta(days=3))
    assert kept.suspended and kept.lapses == 9 and kept.stability == 14.5
    assert held.suspended and held.stability is None and held.reps == 0
    status = stats.status
    assert (status.mastery.suspended, status.mastery.not_studied, status.due_now) == (2, 1, 0)
    assert study.card.id == live["x:guid3:0"].id  # the one card not suspended
