"""FSRS fitted per learner: training items, cleaning fsrs-rs's floats, the fit on a simulated
learner, the worker pool, and the service on SQLite and Postgres."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fsrs import Scheduler
from fsrs_rs_python import FSRS, FSRSItem, FSRSReview

from bot.core.fitting import (
    DEFAULT_PARAMETERS,
    MIN_ITEMS,
    ReviewEvent,
    clean_parameters,
    fit,
    training_items,
)
from bot.fit_pool import FitPool, WorkerCrashed
from bot.services import parameters
from bot.storage.models import Card, Deck, ImportedReview, ReviewLog, User
from tests.simulated_learner import LEARNER_PARAMETERS, SimulatedReview, events, simulate

UTC_ZONE = ZoneInfo("UTC")


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- training items --------------------------------------------------------------------


def test_items_end_at_reviews_a_local_day_or_more_after_the_previous_one():
    new_york = ZoneInfo("America/New_York")
    history = [
        ReviewEvent(1, _at("2026-03-02 14:00"), 1, learning=True),  # 09:00 local, new card
        ReviewEvent(1, _at("2026-03-02 14:10"), 3, learning=True),  # same day: a step
        # 23:30 local on 2 March is 04:30 UTC on the 3rd: still the same local day
        ReviewEvent(1, _at("2026-03-03 04:30"), 3, learning=False),
        ReviewEvent(1, _at("2026-03-03 13:00"), 3, learning=False),  # 08:00 local, next day
        ReviewEvent(1, _at("2026-03-07 13:00"), 4, learning=False),
    ]
    items, reviews = training_items(history, new_york)
    assert items == [((1, 0), (3, 0), (3, 0), (3, 1)), ((1, 0), (3, 0), (3, 0), (3, 1), (4, 4))]
    assert reviews == 5
    # Counted in UTC, the 23:30 answer would be the one a day later, and the next a step.
    utc_items, _ = training_items(history, UTC_ZONE)
    assert utc_items[0] == ((1, 0), (3, 0), (3, 1))


def test_items_skip_non_answers_and_histories_that_did_not_start_here_or_in_anki():
    events_ = [
        # card 1: a manual reschedule (rating 0) in between is no answer
        ReviewEvent(1, _at("2026-01-01 09:00"), 3, learning=True),
        ReviewEvent(1, _at("2026-01-02 09:00"), 0, learning=False),
        ReviewEvent(1, _at("2026-01-05 09:00"), 3, learning=False),
        # card 2: no learning answer on record (its history began before the import)
        ReviewEvent(2, _at("2026-01-01 09:00"), 3, learning=False),
        ReviewEvent(2, _at("2026-01-09 09:00"), 3, learning=False),
        # card 3: learnt again later (reset): history starts at the last learning block
        ReviewEvent(3, _at("2026-01-01 09:00"), 3, learning=True),
        ReviewEvent(3, _at("2026-01-04 09:00"), 1, learning=False),
        ReviewEvent(3, _at("2026-02-01 09:00"), 2, learning=True),
        ReviewEvent(3, _at("2026-02-03 09:00"), 3, learning=False),
    ]
    items, reviews = training_items(events_, UTC_ZONE)
    # oldest last review first
    assert items == [((3, 0), (3, 4)), ((2, 0), (3, 2))]
    assert reviews == 4


# --- cleaning fsrs-rs's 32-bit floats ---------------------------------------------------


def test_float32_parameters_are_rounded_and_clamped_into_py_fsrs_bounds():
    raw = list(DEFAULT_PARAMETERS)
    raw[19] = 0.800000011920929  # fsrs-rs's 0.8, the upper bound of w19
    raw[7] = 0.0010000000474974513  # its 0.001, the lower bound of w7
    raw[4] = 12.5  # above w4's bound (10)
    with pytest.raises(ValueError, match="out of bounds"):
        Scheduler(parameters=raw)
    cleaned = clean_parameters(raw)
    assert cleaned[19] == 0.8 and cleaned[7] == 0.001 and cleaned[4] == 10.0
    assert cleaned[0] == 0.212
    Scheduler(parameters=cleaned)  # accepted


def test_cleaning_refuses_a_wrong_count_or_a_non_number():
    with pytest.raises(ValueError, match="expected 21"):
        clean_parameters([0.5] * 19)
    with pytest.raises(ValueError, match="not a number"):
        clean_parameters([float("nan"), *DEFAULT_PARAMETERS[1:]])


def test_the_raw_defaults_of_fsrs_rs_clean_to_py_fsrs_defaults():
    from fsrs_rs_python import DEFAULT_PARAMETERS as RS_DEFAULTS

    assert clean_parameters(RS_DEFAULTS) == tuple(DEFAULT_PARAMETERS)


# --- the fit on a simulated learner ----------------------------------------------------


def _rs_items(items):
    return [FSRSItem([FSRSReview(rating, days) for rating, days in item]) for item in items]


@pytest.mark.parametrize("seed", [1, 2])
def test_fitted_parameters_beat_the_defaults_on_held_out_reviews(seed):
    train, _ = training_items(events(simulate(250, 365, seed=seed)), UTC_ZONE)
    held_out, _ = training_items(events(simulate(150, 365, seed=100 + seed)), UTC_ZONE)
    assert len(train) >= MIN_ITEMS
    result = fit(train, None)
    assert result.better and result.log_loss_after < result.log_loss_before
    Scheduler(parameters=result.parameters)  # usable as they are
    default_loss = FSRS(list(DEFAULT_PARAMETERS)).evaluate(_rs_items(held_out)).log_loss
    fitted_loss = FSRS(list(result.parameters)).evaluate(_rs_items(held_out)).log_loss
    assert fitted_loss < default_loss - 0.005
    # and they moved towards the learner's true memory: stronger first stabilities
    assert result.parameters[2] > DEFAULT_PARAMETERS[2]
    assert LEARNER_PARAMETERS[2] > DEFAULT_PARAMETERS[2]


def test_a_fit_against_parameters_already_fitted_is_judged_against_those():
    items, _ = training_items(events(simulate(250, 365, seed=3)), UTC_ZONE)
    first = fit(items, None)
    again = fit(items, first.parameters)
    assert again.log_loss_before == pytest.approx(first.log_loss_after, abs=1e-6)


# --- the worker pool -------------------------------------------------------------------


def _die() -> None:
    os._exit(3)  # as a crash in native code or the OOM killer would end the worker


async def test_the_pool_survives_a_fit_that_kills_its_worker():
    items, _ = training_items(events(simulate(60, 200, seed=4)), UTC_ZONE)
    pool = FitPool(workers=1)
    try:
        with pytest.raises(WorkerCrashed):
            await pool.run(_die)
        result = await pool.run(fit, items, None)  # a fresh worker takes the next fit
        assert len(result.parameters) == 21
        assert await pool.run(os.getpid) != os.getpid()  # never in the bot's own process
    finally:
        pool.shutdown()
    with pytest.raises(RuntimeError, match="shut down"):
        await pool.run(os.getpid)


# --- the service, on SQLite and Postgres -------------------------------------------------

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


async def store_history(db, user_id: int, reviews: list[SimulatedReview], *, imported=()) -> None:
    """A user with a deck of the simulated cards, their answers in review_logs, and
    `imported` answers as imported_reviews."""
    cards = 1 + max([r.card for r in [*reviews, *imported]], default=0)
    async with db.session() as session:
        session.add(User(id=user_id, first_name="Sim", created_at=NOW))
        deck = Deck(slug=f"sim-{user_id}", title="Simulated", updated_at=NOW)
        session.add(deck)
        await session.flush()
        rows = [
            Card(deck_id=deck.id, key=f"c{i}", position=i, question="q", answer="a")
            for i in range(cards)
        ]
        session.add_all(rows)
        await session.flush()
        for r in reviews:
            session.add(
                ReviewLog(
                    user_id=user_id,
                    card_id=rows[r.card].id,
                    deck_id=deck.id,
                    rating=r.rating,
                    reviewed_at=r.reviewed_at,
                    state_before=None if r.state_before is None else {"state": r.state_before},
                    state_after={},
                )
            )
        for r in imported:
            session.add(
                ImportedReview(
                    user_id=user_id,
                    card_id=rows[r.card].id,
                    deck_id=deck.id,
                    reviewed_at=r.reviewed_at,
                    rating=r.rating,
                    kind="learn" if r.state_before in (None, 1) else "review",
                )
            )


class NeverRun:
    async def run(self, function, *args):
        raise AssertionError("no fit should run")


async def test_too_little_data_says_how_much_more_and_fits_nothing(db):
    await store_history(db, 7, simulate(20, 60, seed=5))
    outcome = await parameters.fit_learner(db, NeverRun(), user_id=7, now=NOW)
    assert isinstance(outcome, parameters.NotEnoughData)
    assert outcome.needed == MIN_ITEMS and 0 < outcome.items < MIN_ITEMS
    assert outcome.missing == MIN_ITEMS - outcome.items
    async with db.session() as session:
        user = await session.get(User, 7)
        assert user.fsrs_parameters is None
        assert user.next_fit_at == NOW + timedelta(days=7)


async def test_a_fit_with_anki_history_is_kept_stored_and_schedules_the_learner(db):
    from bot.runtime import Runtime
    from tests.harness import TOKEN

    history = simulate(250, 365, seed=6, start=NOW - timedelta(days=370))
    # The first half of the answers came with an Anki import, the rest were given here.
    half = len(history) // 2
    await store_history(db, 8, history[half:], imported=history[:half])
    # An undone grade is no answer.
    async with db.session() as session:
        log = ReviewLog(
            user_id=8, card_id=1, deck_id=1, rating=4, reviewed_at=NOW, state_after={}, undone=True
        )
        session.add(log)
    pool = FitPool()
    try:
        outcome = await parameters.fit_learner(db, pool, user_id=8, now=NOW)
    finally:
        pool.shutdown()
    assert isinstance(outcome, parameters.Fitted) and outcome.kept
    assert outcome.reviews > half  # the imported answers counted
    async with db.session() as session:
        user = await session.get(User, 8)
    assert tuple(user.fsrs_parameters) == outcome.result.parameters
    assert user.fsrs_fitted_at == NOW and user.fsrs_fit_reviews == outcome.reviews
    assert user.fsrs_log_loss_after < user.fsrs_log_loss_before
    assert user.next_fit_at == NOW + timedelta(days=30)
    fitted = parameters.personal_parameters(user)
    assert fitted is not None and fitted.reviews == outcome.reviews

    from pydantic import SecretStr

    from bot.config import Settings

    runtime = Runtime(settings=Settings(_env_file=None, bot_token=SecretStr(TOKEN)), db=db)
    assert runtime.scheduler_for(user).parameters == outcome.result.parameters
    user.desired_retention = 0.85
    assert runtime.scheduler_for(user).desired_retention == 0.85


async def test_new_parameters_that_do_not_predict_better_are_not_kept(db):
    await store_history(db, 9, simulate(250, 365, seed=7))

    class WorseFit:
        async def run(self, function, *args):
            outcome = function(*args)
            worse = replace(outcome.result, log_loss_after=outcome.result.log_loss_before + 0.01)
            return replace(outcome, result=worse)

    outcome = await parameters.fit_learner(db, WorseFit(), user_id=9, now=NOW)
    assert isinstance(outcome, parameters.Fitted) and not outcome.kept
    async with db.session() as session:
        user = await session.get(User, 9)
    assert user.fsrs_parameters is None and user.next_fit_at == NOW + timedelta(days=30)


async def test_the_fit_sweep_claims_each_learner_with_enough_answers_once(db):
    from scheduler.fits import sweep_fits

    await store_history(db, 10, simulate(250, 365, seed=8))
    await store_history(db, 11, simulate(10, 30, seed=9))  # far too few answers

    class Ready:
        def __init__(self) -> None:
            self.db = db
            self.fit_pool = FitPool()

    runtime = Ready()
    try:
        report = await sweep_fits(runtime, NOW)
        assert report.kept == [10] and not report.failed
        # Done for a month: a sweep the next hour finds nobody.
        again = await sweep_fits(runtime, NOW + timedelta(hours=1))
        assert again.kept == again.short == again.not_better == []
        later = await sweep_fits(runtime, NOW + timedelta(days=31))
        assert later.kept + later.not_better == [10]
    finally:
        runtime.fit_pool.shutdown()
    async with db.session() as session:
        assert (await session.get(User, 11)).next_fit_at is None


async def test_a_crashed_fit_is_tried_again_the_next_day(db):
    await store_history(db, 12, simulate(250, 365, seed=10))

    class Crashing:
        async def run(self, function, *args):
            raise WorkerCrashed("worker died running fit")

    with pytest.raises(WorkerCrashed):
        await parameters.fit_learner(db, Crashing(), user_id=12, now=NOW)
    async with db.session() as session:
        user = await session.get(User, 12)
    assert user.fsrs_parameters is None and user.next_fit_at == NOW + timedelta(days=1)
