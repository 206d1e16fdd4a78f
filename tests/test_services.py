"""Storage and services on SQLite and Postgres: decks, enrolment, grading, undo, stats."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.config import DEFAULT_DECKS_DIR
from bot.core.deck_format import load_deck_file
from bot.core.srs import Grade, make_scheduler
from bot.services import review as reviews
from bot.services.decks import (
    deck_by_slug,
    deck_cards,
    list_decks,
    load_bundled_decks,
    sync_deck,
)
from bot.services.users import (
    UserDefaults,
    active_decks,
    drop_retired_decks,
    enrol,
    ensure_user,
    leave,
)
from bot.storage.models import Card, CardState, Deck, Enrolment, ReviewLog

SEED = DEFAULT_DECKS_DIR / "deep-learning-tools.md"
SCHEDULER = make_scheduler(fuzzing=False)


async def _setup(db, now, *, user_id=1, new_per_day=20):
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=now)
    async with db.session() as s:
        user, created = await ensure_user(
            s,
            user_id=user_id,
            first_name="Ada",
            username=None,
            now=now,
            defaults=UserDefaults(new_cards_per_day=new_per_day),
        )
        deck = await deck_by_slug(s, slug="deep-learning-tools")
        await enrol(s, user_id=user_id, deck_id=deck.id, now=now)
    assert created
    return user, deck


async def _grade(db, user, study, grade, now):
    async with db.session() as s:
        return await reviews.grade_card(
            s,
            user=user,
            card_id=study.card.id,
            version=study.version,
            grade=grade,
            now=now,
            scheduler=SCHEDULER,
        )


async def _next(db, user, now):
    async with db.session() as s:
        return await reviews.next_card(s, user=user, now=now)


async def test_seed_deck_loads_all_sixteen_cards_once(db, clock):
    first = await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=clock())
    second = await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=clock())
    assert first.added["deep-learning-tools"] == 16
    assert (second.added["deep-learning-tools"], second.updated["deep-learning-tools"]) == (0, 0)
    async with db.session() as s:
        deck = await deck_by_slug(s, slug="deep-learning-tools")
        cards = await deck_cards(s, deck_id=deck.id)
    assert deck.title == "Deep Learning Tools"
    assert [c.position for c in cards] == list(range(16))
    assert cards[0].question == "What are the primary deep learning frameworks mentioned?"


async def test_editing_a_deck_keeps_history_and_retires_removed_cards(db, clock):
    user, deck = await _setup(db, clock())
    study = await _next(db, user, clock())
    assert (await _grade(db, user, study, Grade.GOOD, clock())).status is reviews.GradeStatus.OK
    spec = load_deck_file(SEED)
    edited_first = replace(spec.cards[0], answer="Edited answer.")
    # Drop the last card, edit the first.
    edited = replace(spec, cards=(edited_first, *spec.cards[1:-1]))
    async with db.session() as s:
        added, updated, retired = await sync_deck(s, spec=edited, now=clock())
    assert (added, updated, retired) == (0, 1, 1)
    async with db.session() as s:
        card = await s.get(Card, study.card.id)
        state = await s.get(CardState, (user.id, study.card.id))
        live = await deck_cards(s, deck_id=deck.id)
        logs = (await s.execute(select(func.count(ReviewLog.id)))).scalar_one()
    assert card.answer == "Edited answer." and state is not None and state.reps == 1
    assert len(live) == 15 and logs == 1
    # Putting the card back revives it under the same id.
    async with db.session() as s:
        assert await sync_deck(s, spec=spec, now=clock()) == (0, 2, 0)
        assert len(await deck_cards(s, deck_id=deck.id)) == 16


async def test_new_cards_come_in_file_order_within_the_daily_limit(db, clock):
    user, _deck = await _setup(db, clock(), new_per_day=3)
    seen = []
    for _ in range(3):
        study = await _next(db, user, clock())
        seen.append(study.card.position)
        await _grade(db, user, study, Grade.EASY, clock())
    assert seen == [0, 1, 2]
    assert await _next(db, user, clock()) is None
    # Tomorrow three more are allowed.
    assert (await _next(db, user, clock() + timedelta(days=1))).card.position == 3


async def test_same_grade_twice_records_one_review(db, clock):
    user, _deck = await _setup(db, clock())
    study = await _next(db, user, clock())
    first = await _grade(db, user, study, Grade.GOOD, clock())
    again = await _grade(db, user, study, Grade.GOOD, clock())
    assert first.status is reviews.GradeStatus.OK
    assert again.status is reviews.GradeStatus.ALREADY_GRADED
    async with db.session() as s:
        assert (await s.execute(select(func.count(ReviewLog.id)))).scalar_one() == 1


async def test_racing_presses_on_a_reviewed_card_land_once(db, clock):
    user, _deck = await _setup(db, clock())
    study = await _next(db, user, clock())
    await _grade(db, user, study, Grade.AGAIN, clock())
    later = clock() + timedelta(minutes=2)
    due = await _next(db, user, later)
    assert due.card.id == study.card.id and due.version == 1
    outcomes = await asyncio.gather(*(_grade(db, user, due, Grade.GOOD, later) for _ in range(4)))
    assert sorted(o.status.value for o in outcomes).count("ok") == 1
    async with db.session() as s:
        assert (await s.get(CardState, (user.id, study.card.id))).reps == 2


async def test_grade_goldens_follow_fsrs_without_fuzz(db, clock):
    user, _deck = await _setup(db, clock())
    now = clock()
    study = await _next(db, user, now)
    card_id = study.card.id
    intervals = []
    for grade in (Grade.GOOD, Grade.GOOD, Grade.GOOD):
        study = await _next(db, user, now)
        assert study.card.id == card_id
        outcome = await _grade(db, user, study, grade, now)
        intervals.append(outcome.interval)
        now = now + outcome.interval
    assert intervals[0] == timedelta(minutes=10)
    assert intervals[1].days == 2 and intervals[2].days == 11


async def test_not_due_card_and_left_deck_are_stale(db, clock):
    user, deck = await _setup(db, clock())
    study = await _next(db, user, clock())
    outcome = await _grade(db, user, study, Grade.EASY, clock())
    stale = replace(study, version=1)
    assert (
        await _grade(db, user, stale, Grade.GOOD, clock())
    ).status is reviews.GradeStatus.NOT_DUE
    async with db.session() as s:
        await leave(s, user_id=user.id, deck_id=deck.id)
    later = clock() + outcome.interval
    assert (
        await _grade(db, user, stale, Grade.GOOD, later)
    ).status is reviews.GradeStatus.NOT_ENROLLED


async def test_undo_restores_the_previous_state_step_by_step(db, clock):
    user, _deck = await _setup(db, clock())
    study = await _next(db, user, clock())
    await _grade(db, user, study, Grade.AGAIN, clock())
    t2 = clock() + timedelta(minutes=2)
    again = await _next(db, user, t2)
    await _grade(db, user, again, Grade.GOOD, t2)
    async with db.session() as s:
        log, card = await reviews.undo_last(s, user=user)
        state = await s.get(CardState, (user.id, study.card.id))
        assert log.rating == Grade.GOOD and card.id == study.card.id
        assert state.reps == 1 and state.due == clock() + timedelta(minutes=1)
    async with db.session() as s:
        log, _card = await reviews.undo_last(s, user=user)
        assert log.rating == Grade.AGAIN
        assert await s.get(CardState, (user.id, study.card.id)) is None
    async with db.session() as s:
        assert await reviews.undo_last(s, user=user) is None
    # The card is new again and graded fresh.
    assert (await _next(db, user, t2)).card.id == study.card.id


async def test_stats_count_stages_due_and_streak(db, clock):
    user, _deck = await _setup(db, clock())
    for _ in range(4):
        study = await _next(db, user, clock())
        await _grade(db, user, study, Grade.EASY, clock())
    async with db.session() as s:
        [stats] = await reviews.deck_stats(s, user=user, now=clock())
        streak = await reviews.review_streak(s, user=user, now=clock())
    m = stats.status.mastery
    assert (m.total, m.not_studied, m.learning, m.mastered) == (16, 12, 4, 0)
    assert stats.reviews_today == 4 and stats.status.due_now == 0 and streak == 1
    # Easy on a new card: 8 days; nothing falls due later today or tomorrow.
    assert (stats.status.due_later_today, stats.status.due_tomorrow) == (0, 0)
    async with db.session() as s:
        streak = await reviews.review_streak(s, user=user, now=clock() + timedelta(days=1))
        assert streak == 1
        streak = await reviews.review_streak(s, user=user, now=clock() + timedelta(days=2))
        assert streak == 0


def test_seed_path_exists():
    assert Path(SEED).is_file()


async def test_a_malformed_deck_file_is_reported_and_the_others_still_load(db, clock, tmp_path):
    (tmp_path / "deep-learning-tools.md").write_text(SEED.read_text())
    (tmp_path / "broken.md").write_text(
        "---\nslug: broken\ntitle: Broken\ndescription: d\n---\n\n## one\nQ: ok?\nA: yes\n\n"
        "## one\nQ: again?\nA: duplicate key\n"
    )
    report = await load_bundled_decks(db, tmp_path, now=clock())
    assert report.added == {"deep-learning-tools": 16}
    [error] = report.errors
    assert str(error).startswith(f"{tmp_path.name}/broken.md:11: ")  # as in 'decks/x.md:11'
    assert "duplicate card key 'one'" in str(error)
    async with db.session() as s:
        assert await deck_by_slug(s, slug="broken") is None  # nothing half-written


async def test_stats_use_the_progress_tables_mastery_rule(db, clock):
    user, deck = await _setup(db, clock())
    async with db.session() as s:
        cards = await deck_cards(s, deck_id=deck.id)
        for card, overdue_days in ((cards[0], 1), (cards[1], 60)):
            s.add(
                CardState(
                    user_id=user.id,
                    card_id=card.id,
                    deck_id=deck.id,
                    state=2,
                    stability=30.0,
                    difficulty=5.0,
                    due=clock() - timedelta(days=overdue_days),
                    reps=5,
                )
            )
    async with db.session() as s:
        [stats] = await reviews.deck_stats(s, user=user, now=clock())
    # Stable enough and recently due: mastered. Overdue by more than its stability: learning.
    m = stats.status.mastery
    assert (m.not_studied, m.learning, m.mastered) == (14, 1, 1)
    assert m.percent == 6 and stats.status.due_now == 2


TINY = "---\nslug: tiny\ntitle: Tiny\ndescription: d\n---\n\n## one\nQ: Who?\nA: Me.\n"


async def test_a_deck_whose_file_is_gone_is_retired_but_never_a_broken_one(db, clock, tmp_path):
    (tmp_path / "deep-learning-tools.md").write_text(SEED.read_text())
    (tmp_path / "tiny.md").write_text(TINY)
    await load_bundled_decks(db, tmp_path, now=clock())
    async with db.session() as s:
        s.add(Deck(slug="~7", title="Own", updated_at=clock()))  # not a file slug: kept
        await ensure_user(
            s, user_id=1, first_name="Ada", username=None, now=clock(), defaults=UserDefaults()
        )
        tiny = await deck_by_slug(s, slug="tiny")
        await enrol(s, user_id=1, deck_id=tiny.id, now=clock())
    # Broken, or copied under another name with the same slug: still there, not retired.
    (tmp_path / "tiny.md").write_text(TINY + "\n## one\nQ: Again?\nA: Duplicate key.\n")
    assert (await load_bundled_decks(db, tmp_path, now=clock())).retired_decks == {}
    (tmp_path / "tiny.md").write_text(TINY)
    (tmp_path / "tiny-copy.md").write_text(TINY)
    (tmp_path / "tiny.md").rename(tmp_path / "renamed.md")
    assert (await load_bundled_decks(db, tmp_path, now=clock())).retired_decks == {}
    # An empty folder (a volume mounted wrong) retires nothing.
    empty = tmp_path / "empty"
    empty.mkdir()
    assert (await load_bundled_decks(db, empty, now=clock())).retired_decks == {}
    # Gone for good: retired, its learner counted; history and enrolment rows stay.
    for name in ("tiny-copy.md", "renamed.md"):
        (tmp_path / name).unlink()
    report = await load_bundled_decks(db, tmp_path, now=clock())
    assert report.retired_decks == {"tiny": 1}
    async with db.session() as s:
        assert await deck_by_slug(s, slug="tiny") is None
        assert [d.slug for d, _n in await list_decks(s)] == ["deep-learning-tools"]
        assert await active_decks(s, user_id=1) == []
        own = (await s.execute(select(Deck).where(Deck.slug == "~7"))).scalar_one()
        assert not own.retired
        [dropped] = await drop_retired_decks(s, user_id=1)
        assert dropped.slug == "tiny"
    async with db.session() as s:
        assert await drop_retired_decks(s, user_id=1) == []  # told once
        assert (await s.get(Enrolment, (1, dropped.id))) is not None
