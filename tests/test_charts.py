"""Charts: each picture from an empty, a small and a year-long history is a PNG under the cap;
the chart data on SQLite and Postgres; /stats and a group's /progress send them end to end."""

from __future__ import annotations

import random
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from bot.config import DEFAULT_DECKS_DIR
from bot.core import charts as chart_core
from bot.core.charts import (
    MAX_CHART_BYTES,
    DeckCounts,
    MasteryChart,
    MemberMastery,
    StatsChart,
    render_group_mastery,
    render_stats,
)
from bot.core.srs import Grade, make_scheduler
from bot.services import charts
from bot.services import review as reviews
from bot.services.decks import deck_by_slug, load_bundled_decks
from bot.services.users import UserDefaults, enrol, ensure_user
from bot.storage.models import Card, CardState, ReviewLog, User
from tests.fake_telegram import FakeUser
from tests.harness import Chat, GroupChat

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TODAY = date(2026, 12, 1)
SCHEDULER = make_scheduler(fuzzing=False)


def _size(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG_MAGIC) and png[12:16] == b"IHDR"
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _empty() -> StatsChart:
    return StatsChart(TODAY, (0,) * 30, (0,) * 30, (), 0, (), 0.9, ())


def _small() -> StatsChart:
    return StatsChart(
        TODAY,
        (3,) + (0,) * 29,
        (0, 2, 0, 5) + (0,) * 26,
        ((TODAY - timedelta(days=1), 12), (TODAY, 4)),
        2,
        ((TODAY - timedelta(days=1), 3, 2),),
        0.85,
        (DeckCounts("Deep Learning Tools", 10, 5, 1, 0),),
    )


def _year(decks: int = 3) -> StatsChart:
    rng = random.Random(7)
    monday = TODAY - timedelta(days=TODAY.weekday())
    return StatsChart(
        TODAY,
        tuple(rng.randint(0, 15) for _ in range(30)),
        tuple(rng.randint(0, 120) for _ in range(30)),
        tuple((TODAY - timedelta(days=d), rng.randint(1, 400)) for d in range(365)),
        365,
        tuple((monday - timedelta(weeks=w), 300, rng.randint(200, 299)) for w in range(26)),
        0.9,
        tuple(DeckCounts(f"Deck {n} " + "ü" * 40, 900, 300, 2000, 12) for n in range(decks)),
    )


@pytest.mark.parametrize("data", [_empty(), _small(), _year(), _year(decks=12)])
def test_the_stats_figure_is_a_phone_sized_png_under_the_cap(data):
    png = render_stats(data)
    width, height = _size(png)
    assert len(png) <= MAX_CHART_BYTES
    assert width == 1080 and 1200 <= height <= 2400  # 100 dpi: nothing needed shrinking


@pytest.mark.parametrize("members", [0, 3, 30, 80])
def test_the_group_mastery_chart_renders_for_any_number_of_members(members):
    data = MasteryChart(
        "Deep Learning Tools",
        tuple(
            MemberMastery(f"Member {n} with a long name", n % 16, 3, 16 - n % 16, n % 2, n % 100)
            for n in range(members)
        ),
    )
    png = render_group_mastery(data)
    width, height = _size(png)
    assert len(png) <= MAX_CHART_BYTES and width == 1080
    assert height <= 2000  # at most 30 members drawn: a phone screen or two


def test_a_picture_over_the_cap_is_drawn_again_smaller(monkeypatch):
    full = render_stats(_year())
    monkeypatch.setattr(chart_core, "MAX_CHART_BYTES", len(full) // 2)
    smaller = render_stats(_year())
    assert len(smaller) <= len(full) // 2 and _size(smaller)[0] < 1080
    monkeypatch.setattr(chart_core, "MAX_CHART_BYTES", 1_000)
    with pytest.raises(ValueError, match="chart over 1000 bytes"):
        render_stats(_year())


def test_matplotlib_is_imported_only_to_draw_and_never_pyplot():
    probe = (
        "import sys, bot.telegram.app, bot.core.charts as c;"
        "before = 'matplotlib' in sys.modules;"
        "c.render_group_mastery(c.MasteryChart('d', ()));"
        "print(before, 'matplotlib' in sys.modules, 'matplotlib.pyplot' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.split() == ["False", "True", "False"]


# --- chart data from the database ------------------------------------------------------------

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)  # a Friday


async def _learner(db, now):
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=now)
    async with db.session() as s:
        await ensure_user(
            s,
            user_id=1,
            first_name="Ada",
            username=None,
            now=now,
            defaults=UserDefaults(timezone="Europe/Berlin"),
        )
        deck = await deck_by_slug(s, slug="deep-learning-tools")
        await enrol(s, user_id=1, deck_id=deck.id, now=now)
    return deck


async def _chart(db, now) -> StatsChart:
    async with db.session() as s:
        user = await s.get(User, 1)
        rows = await reviews.deck_stats(s, user=user, now=now)
        streak = await reviews.review_streak(s, user=user, now=now)
        return await charts.stats_chart(s, user=user, now=now, decks=rows, streak=streak)


async def test_chart_data_from_a_few_days_of_reviews(db):
    deck = await _learner(db, NOW - timedelta(days=3))
    async with db.session() as s:
        card_ids = list(
            (
                await s.execute(
                    select(Card.id).where(Card.deck_id == deck.id).order_by(Card.position)
                )
            )
            .scalars()
            .all()
        )
    # Three days ago: four cards Easy (into Review); today the first is due and lapses.
    three_days_ago = NOW - timedelta(days=3)
    for card_id in card_ids[:4]:
        async with db.session() as s:
            user = await s.get(User, 1)
            await reviews.grade_card(
                s,
                user=user,
                card_id=card_id,
                version=0,
                grade=Grade.EASY,
                now=three_days_ago,
                scheduler=SCHEDULER,
            )
    async with db.session() as s:
        state = await s.get(CardState, (1, card_ids[0]))
        state.due = NOW - timedelta(hours=1)
        suspended = await s.get(CardState, (1, card_ids[3]))
        suspended.suspended = True
    async with db.session() as s:
        user = await s.get(User, 1)
        await reviews.grade_card(
            s,
            user=user,
            card_id=card_ids[0],
            version=1,
            grade=Grade.AGAIN,
            now=NOW,
            scheduler=SCHEDULER,
        )
        await reviews.grade_card(
            s,
            user=user,
            card_id=card_ids[4],
            version=0,
            grade=Grade.GOOD,
            now=NOW,
            scheduler=SCHEDULER,
        )
    data = await _chart(db, NOW)
    assert data.today == date(2026, 3, 20) and data.streak == 1
    # Today: the lapsed card and the new one in learning steps; the two Easy cards in review,
    # days ahead; the suspended one nowhere.
    assert data.due_learning[0] == 2 and sum(data.due_learning) == 2
    assert sum(data.due_review) == 2 and data.due_review[0] == 0
    assert dict(data.reviews_per_day) == {date(2026, 3, 17): 4, date(2026, 3, 20): 2}
    # True retention counts only the answer given in the Review state: one, an Again.
    assert data.weekly_retention == ((date(2026, 3, 16), 1, 0),)
    [counts] = data.decks
    assert (counts.new, counts.learning, counts.suspended) == (11, 4, 1)
    assert len(render_stats(data)) <= MAX_CHART_BYTES


async def test_chart_data_from_a_year_of_reviews(db):
    deck = await _learner(db, NOW - timedelta(days=400))
    async with db.session() as s:
        card_ids = list((await s.execute(select(Card.id).where(Card.deck_id == deck.id))).scalars())
    rows = []
    for day in range(366):
        moment = NOW - timedelta(days=day, hours=2)
        for n in range(40):
            review_state = n % 4 != 0
            rows.append(
                {
                    "user_id": 1,
                    "card_id": card_ids[n % len(card_ids)],
                    "deck_id": deck.id,
                    "rating": 1 if n % 10 == 1 else 3,
                    "reviewed_at": moment + timedelta(seconds=n),
                    "state_before": {"state": 2} if review_state else None,
                    "state_after": {"state": 2},
                }
            )
    async with db.session() as s:
        await s.execute(insert(ReviewLog), rows)
    data = await _chart(db, NOW)
    assert data.streak == 366 and len(data.reviews_per_day) >= 365
    assert all(count == 40 for _day, count in data.reviews_per_day[1:-1])
    assert len(data.weekly_retention) == 26
    for _week, n, passed in data.weekly_retention[:-1]:  # 30 review-state answers a day, 4 Again
        assert n == 7 * 30 and passed == 7 * 26
    assert data.weekly_retention[-1] == (date(2026, 3, 16), 5 * 30, 5 * 26)  # Monday to today
    png = render_stats(data)
    assert len(png) <= MAX_CHART_BYTES and _size(png)[0] == 1080


# --- end to end ------------------------------------------------------------------------------

ADA = FakeUser(1301, "Ada")
BOB = FakeUser(1302, "Bob")


def _photo(fake, message) -> bytes:
    assert message.method == "sendPhoto" and message.media_kind == "photo"
    [upload] = [f for f in fake.uploads if f.file_id == message.file_id]
    return upload.data


async def test_stats_sends_its_chart_captioned_with_the_numbers(running_bot, fake):
    chat = Chat(fake, ADA)
    [reply] = await chat.send("/stats")  # studying nothing: the words alone
    assert reply.method == "sendMessage" and "not studying any deck" in reply.text
    [welcome] = await chat.send("/start")
    _t, [_picker, _confirm, card] = await chat.press(welcome, "📚", expect=3)
    _t, [shown] = await chat.press(card, "Show answer", expect=1)
    await chat.press(shown, "Good", expect=1)
    [stats] = await chat.send("/stats")
    assert "Mastered 0 · learning 1 · not studied 15 of 16 cards" in stats.caption
    png = _photo(fake, stats)
    assert png.startswith(PNG_MAGIC) and len(png) <= MAX_CHART_BYTES
    assert _size(png)[0] == 1080


async def test_a_chart_that_cannot_be_drawn_leaves_the_numbers(running_bot, fake, monkeypatch):
    async def broken(_render, _data):
        raise RuntimeError("worker died")

    monkeypatch.setattr(running_bot.runtime.chart_pool, "run", broken)
    chat = Chat(fake, ADA)
    [welcome] = await chat.send("/start")
    await chat.press(welcome, "📚", expect=3)
    [stats] = await chat.send("/stats")
    assert stats.method == "sendMessage" and "Mastered 0" in stats.text
    assert "could not be drawn" in stats.text


async def test_group_progress_sends_the_members_mastery_beside_the_table(running_bot, fake):
    group = GroupChat(fake, -1303)
    await group.add_bot(ADA)
    [reply] = await group.send(ADA, "/progress")
    assert "no deck" in reply.text
    await group.send(ADA, "/deck deep-learning-tools")
    [empty] = await group.send(ADA, "/progress")  # nobody studied yet: no chart
    assert empty.method == "sendMessage"
    for person in (ADA, BOB):
        chat = Chat(fake, person)
        await chat.send("/start deep-learning-tools", expect=2)
        _t, [shown] = await chat.press(chat.last(), "Show answer", expect=1)
        await chat.press(shown, "Easy", expect=1)
    [table] = await group.send(BOB, "/progress")
    assert table.method == "sendPhoto" and "Name" in table.caption and "Bob" in table.caption
    png = _photo(fake, table)
    assert png.startswith(PNG_MAGIC) and len(png) <= MAX_CHART_BYTES
