"""/optimize and /retention end to end: the real Application against the fake Bot API."""

from __future__ import annotations

from datetime import timedelta

from bot.core.fitting import MIN_ITEMS
from bot.core.srs import Grade, format_interval, make_scheduler, next_intervals
from bot.storage.models import User
from tests.fake_telegram import FakeUser
from tests.harness import Chat
from tests.simulated_learner import simulate
from tests.test_fitting import store_history

ADA = FakeUser(1001, "Ada")
SIM = FakeUser(1003, "Sim")


async def test_optimize_without_enough_reviews_says_how_many_more(running_bot, fake):
    chat = Chat(fake, ADA)
    [reply] = await chat.send("/optimize")
    assert (
        f"needs {MIN_ITEMS:,} reviews" in reply.plain_text
        and f"about {MIN_ITEMS:,} more" in reply.plain_text
    )
    [settings] = await chat.send("/settings")
    assert "FSRS: default parameters" in settings.plain_text
    assert fake.refusals() == []


async def test_optimize_fits_keeps_and_settings_shows_personal_parameters(running_bot, fake, clock):
    history = simulate(250, 365, seed=11, start=clock() - timedelta(days=370))
    await store_history(running_bot.runtime.db, SIM.id, history)
    chat = Chat(fake, SIM)
    working, done = await chat.send("/optimize", expect=2)
    assert working.plain_text.startswith("Fitting FSRS to your answers")
    assert done.plain_text.startswith("Done: FSRS is now fitted to your")
    assert "log loss" in done.plain_text and "RMSE" in done.plain_text
    async with running_bot.runtime.db.session() as session:
        user = await session.get(User, SIM.id)
    assert user.fsrs_parameters is not None and user.fsrs_fit_reviews > MIN_ITEMS
    [settings] = await chat.send("/settings")
    assert (
        f"FSRS: personal parameters (fitted 2 Mar from {user.fsrs_fit_reviews:,} reviews, "
        f"log loss {user.fsrs_log_loss_before:.2f} → {user.fsrs_log_loss_after:.2f})"
    ) in settings.plain_text
    # The grade buttons now show the learner's own intervals: a new card's Easy is w3 days.
    personal = next_intervals(running_bot.runtime.scheduler_for(user), None, clock())[Grade.EASY]
    default = next_intervals(make_scheduler(fuzzing=False), None, clock())[Grade.EASY]
    assert format_interval(personal) != format_interval(default)
    [welcome] = await chat.send("/start")
    _toast, [_picker, _confirm, card] = await chat.press(welcome, "📚 Deep Learning", expect=3)
    _toast, [shown] = await chat.press(card, "Show answer", expect=1)
    assert shown.buttons[3][0] == f"Easy · {format_interval(personal)}"
    assert fake.refusals() == []


async def test_retention_sets_explains_and_refuses_bad_values(running_bot, fake):
    chat = Chat(fake, ADA)
    [reply] = await chat.send("/retention 85")
    assert "Desired retention set to 85%" in reply.plain_text and "more reviews" in reply.plain_text
    [settings] = await chat.send("/settings")
    assert "Desired retention: 85%" in settings.plain_text
    for bad in (
        "/retention 120",
        "/retention 69",
        "/retention 98",
        "/retention abc",
        "/retention 8 5",
    ):
        [reply] = await chat.send(bad)
        assert "from 70 to 97" in reply.plain_text, bad
    [reply] = await chat.send("/retention")
    assert "Your desired retention is 85%" in reply.plain_text
    [reply] = await chat.send("/retention 97%")
    assert "set to 97%" in reply.plain_text
    async with running_bot.runtime.db.session() as session:
        assert (await session.get(User, ADA.id)).desired_retention == 0.97
    assert fake.refusals() == []
