"""Group services on SQLite and Postgres: schedule claims, grading, count throttling, upgrades."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from bot.config import DEFAULT_DECKS_DIR
from bot.core.srs import Grade, make_scheduler
from bot.services import groups
from bot.services.decks import deck_by_slug, load_bundled_decks
from bot.services.review import GradeStatus, grade_card, undo_last
from bot.services.users import UserDefaults
from bot.storage.models import (
    Card,
    CardState,
    Deck,
    Enrolment,
    Group,
    GroupMember,
    GroupPost,
    GroupPostGrade,
    QuizAnswer,
    QuizPoll,
    ReviewLog,
    User,
)

SCHEDULER = make_scheduler(fuzzing=False)
DEFAULTS = UserDefaults(timezone="Europe/Berlin", review_minute=9 * 60)
CHAT, OTHER, SUPER = -501, -502, -1005001
MONDAY = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # 07:00 in Berlin


async def _group(db, chat_id=CHAT, *, now=MONDAY, cards=2, deck=True) -> None:
    async with db.session() as s:
        group = await groups.ensure_group(
            s, chat_id=chat_id, title="Club", now=now, defaults=DEFAULTS
        )
        groups.set_cards_per_post(group, count=cards)
        if deck:
            groups.set_group_deck(
                group, deck=await deck_by_slug(s, slug="deep-learning-tools"), now=now
            )


async def _claim(db, now):
    async with db.session() as s:
        return await groups.claim_due_group_posts(s, now=now, limit=10)


async def _send_all(db, due, first_message_id=100, now=MONDAY):
    """Every claimed post sent and each group's claim confirmed, as the timetable does."""
    async with db.session() as s:
        for n, post in enumerate(p for g in due for p in g.posts):
            await groups.mark_post_sent(s, post_id=post.post_id, message_id=first_message_id + n)
        for group in due:
            await groups.confirm_group_post(s, chat_id=group.chat_id, now=now)


async def _member(db, user_id, chat_id=CHAT, now=MONDAY) -> User:
    async with db.session() as s:
        return await groups.ensure_member(
            s,
            chat_id=chat_id,
            user_id=user_id,
            first_name=f"u{user_id}",
            username=None,
            now=now,
            defaults=DEFAULTS,
        )


async def _grade(db, post_id, user_id, grade=Grade.GOOD, chat_id=CHAT, now=MONDAY):
    async with db.session() as s:
        user = await s.get(User, user_id)
        return await groups.grade_group_post(
            s,
            post_id=post_id,
            chat_id=chat_id,
            user=user,
            grade=grade,
            now=now,
            scheduler=SCHEDULER,
        )


async def test_a_group_is_posted_once_per_local_day_and_only_when_schedulable(db):
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=MONDAY)
    await _group(db)
    await _group(db, OTHER, deck=False)  # no deck: never scheduled
    assert await _claim(db, MONDAY) == ([], 0)  # 07:00 local, the post is at 09:00
    nine = MONDAY + timedelta(hours=2)  # 09:00 in Berlin
    due, examined = await _claim(db, nine)
    assert examined == 1 and [g.chat_id for g in due] == [CHAT]
    assert [(p.number, p.total) for p in due[0].posts] == [(1, 2), (2, 2)]
    await _send_all(db, due)
    assert await _claim(db, nine + timedelta(hours=10)) == ([], 0)
    # Paused, then resumed the next day: one post that day.
    async with db.session() as s:
        groups.set_group_paused(await s.get(Group, CHAT), paused=True, now=nine)
    assert await _claim(db, nine + timedelta(days=1)) == ([], 0)
    async with db.session() as s:
        assert groups.set_group_paused(await s.get(Group, CHAT), paused=False, now=nine)
    due, _ = await _claim(db, nine + timedelta(days=1, minutes=5))
    assert [g.chat_id for g in due] == [CHAT]
    # The next day's cards are new ones (nobody graded, so none is due).
    async with db.session() as s:
        posted = (await s.execute(select(GroupPost.card_id, GroupPost.posted_on))).all()
    assert len({card for card, _day in posted}) == 4


async def test_a_group_set_up_after_its_post_time_first_posts_tomorrow(db):
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=MONDAY)
    ten = MONDAY + timedelta(hours=3)  # 10:00 in Berlin, past the 09:00 post
    tuesday_nine = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    await _group(db, now=ten)
    async with db.session() as s:
        group = await s.get(Group, CHAT)
        assert group.next_post_at == tuesday_nine and group.last_post_on is None
    assert await _claim(db, ten) == ([], 0)
    # Choosing the deck again does not post at once either.
    async with db.session() as s:
        group = await s.get(Group, CHAT)
        groups.set_group_deck(
            group, deck=await deck_by_slug(s, slug="deep-learning-tools"), now=ten
        )
        assert group.next_post_at == tuesday_nine
    # An admin sets 18:00, still ahead today: Monday's post comes at 18:00 after all.
    async with db.session() as s:
        groups.set_group_time(await s.get(Group, CHAT), minute=18 * 60, now=ten)
    assert await _claim(db, ten + timedelta(hours=7, minutes=59)) == ([], 0)
    due, _ = await _claim(db, ten + timedelta(hours=8))  # 18:00 in Berlin
    assert [g.chat_id for g in due] == [CHAT]
    await _send_all(db, due, now=ten + timedelta(hours=8))
    # Posted today: moving the time back to 09:00 waits for Tuesday, and posts once then.
    evening = ten + timedelta(hours=9)
    async with db.session() as s:
        groups.set_group_time(await s.get(Group, CHAT), minute=9 * 60, now=evening)
    assert await _claim(db, evening) == ([], 0)
    due, _ = await _claim(db, tuesday_nine)
    assert [g.chat_id for g in due] == [CHAT]
    await _send_all(db, due, first_message_id=200, now=tuesday_nine)
    assert await _claim(db, tuesday_nine + timedelta(hours=1)) == ([], 0)
    # Set up before its post time, a group posts the same day.
    await _group(db, OTHER, now=MONDAY)
    due, _ = await _claim(db, MONDAY + timedelta(hours=2))
    assert [g.chat_id for g in due] == [OTHER]


async def test_a_failed_send_is_retried_with_only_the_unsent_posts(db):
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=MONDAY)
    await _group(db, cards=3)
    nine = MONDAY + timedelta(hours=2)
    [due], _ = await _claim(db, nine)
    async with db.session() as s:  # the first card went out, then Telegram failed
        await groups.mark_post_sent(s, post_id=due.posts[0].post_id, message_id=7)
        await groups.release_group_post(s, chat_id=CHAT, now=nine, retry_in=timedelta(minutes=5))
    assert await _claim(db, nine + timedelta(minutes=1)) == ([], 0)
    [retry], _ = await _claim(db, nine + timedelta(minutes=6))
    assert [p.post_id for p in retry.posts] == [p.post_id for p in due.posts[1:]]


async def test_a_claimed_post_left_unsent_is_sent_after_its_lease(db):
    """The process died after claiming (and sending the first card): the rest goes later."""
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=MONDAY)
    await _group(db, cards=3)
    nine = MONDAY + timedelta(hours=2)
    [due], _ = await _claim(db, nine)  # lease: 5 minutes
    async with db.session() as s:
        await groups.mark_post_sent(s, post_id=due.posts[0].post_id, message_id=7)
    assert await _claim(db, nine + timedelta(minutes=4)) == ([], 0)
    [retry], _ = await _claim(db, nine + timedelta(minutes=6))
    assert [p.post_id for p in retry.posts] == [p.post_id for p in due.posts[1:]]
    await _send_all(db, [retry], first_message_id=8, now=nine + timedelta(minutes=6))
    assert await _claim(db, nine + timedelta(minutes=12)) == ([], 0)
    [tomorrow], _ = await _claim(db, nine + timedelta(days=1))
    assert {p.post_id for p in tomorrow.posts}.isdisjoint(p.post_id for p in due.posts)


async def test_grading_a_group_post_is_an_early_review_once_per_member(db):
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=MONDAY)
    await _group(db, cards=1)
    await _group(db, OTHER)
    nine = MONDAY + timedelta(hours=2)
    both, _ = await _claim(db, nine)
    await _send_all(db, both)
    [due] = [g for g in both if g.chat_id == CHAT]
    post_id = due.posts[0].post_id
    ada = await _member(db, 1)
    assert ada.blocked and ada.next_push_at is None  # met in a group: never pushed privately
    outcome = await _grade(db, post_id, 1, Grade.EASY, now=nine)
    assert outcome.status is groups.GroupGradeStatus.OK and outcome.interval > timedelta(days=1)
    assert (await _grade(db, post_id, 1, now=nine)).status is (
        groups.GroupGradeStatus.ALREADY_GRADED
    )
    assert (await _grade(db, post_id, 1, chat_id=OTHER)).status is groups.GroupGradeStatus.FOREIGN
    assert (await _grade(db, 10**9, 1)).status is groups.GroupGradeStatus.FOREIGN
    # Next day the same card is posted again (say): Ada reviews it early, FSRS copes.
    async with db.session() as s:
        post = await s.get(GroupPost, post_id)
        again = GroupPost(
            chat_id=CHAT,
            message_id=99,
            deck_id=post.deck_id,
            card_id=post.card_id,
            number=1,
            total=1,
            posted_on=post.posted_on + timedelta(days=1),
            created_at=nine,
        )
        s.add(again)
        await s.flush()
        again_id = again.id
    later = nine + timedelta(days=1)
    assert (await _grade(db, again_id, 1, now=later)).status is groups.GroupGradeStatus.OK
    async with db.session() as s:
        state = await s.get(CardState, (1, post.card_id))
        assert state.reps == 2
        assert (await s.get(Enrolment, (1, post.deck_id))).active
        assert (await s.execute(select(func.count()).select_from(ReviewLog))).scalar_one() == 2
        # A retired card's old post is answered, not raised.
        await s.execute(update(Card).where(Card.id == post.card_id).values(retired=True))
    await _member(db, 2)
    assert (await _grade(db, post_id, 2)).status is groups.GroupGradeStatus.CARD_GONE


async def _undo(db, user_id):
    async with db.session() as s:
        return await undo_last(s, user=await s.get(User, user_id))


async def _post_grades(db, post_id) -> tuple[int, list[int]]:
    """The post's graded_count and who has a grade row for it."""
    async with db.session() as s:
        post = await s.get(GroupPost, post_id)
        rows = await s.execute(
            select(GroupPostGrade.user_id).where(GroupPostGrade.post_id == post_id)
        )
        return post.graded_count, sorted(rows.scalars())


async def test_undoing_a_group_grade_withdraws_it_from_the_post(db):
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=MONDAY)
    await _group(db, cards=1)
    nine = MONDAY + timedelta(hours=2)
    [due], _ = await _claim(db, nine)
    await _send_all(db, [due])
    monday_post = due.posts[0].post_id
    for user_id in (1, 2):
        await _member(db, user_id)
    await _grade(db, monday_post, 1, now=nine)
    await _grade(db, monday_post, 2, now=nine + timedelta(seconds=1))
    # Tuesday the same card is posted again and Ada grades it; weeks later she reviews it privately.
    async with db.session() as s:
        post = await s.get(GroupPost, monday_post)
        card_id = post.card_id
        tuesday = GroupPost(
            chat_id=CHAT,
            message_id=99,
            deck_id=post.deck_id,
            card_id=card_id,
            number=1,
            total=1,
            posted_on=post.posted_on + timedelta(days=1),
            created_at=nine,
        )
        s.add(tuesday)
        await s.flush()
        tuesday_post = tuesday.id
    later = nine + timedelta(days=1)
    await _grade(db, tuesday_post, 1, now=later)
    async with db.session() as s:
        ada = await s.get(User, 1)
        state = await s.get(CardState, (1, card_id))
        private = await grade_card(
            s,
            user=ada,
            card_id=card_id,
            version=state.reps,
            grade=Grade.GOOD,
            now=later + timedelta(days=60),
            scheduler=SCHEDULER,
            chat_id=1,
        )
        assert private.status is GradeStatus.OK
    # Undoing the private grade leaves both posts alone.
    await _undo(db, 1)
    assert await _post_grades(db, monday_post) == (2, [1, 2])
    assert await _post_grades(db, tuesday_post) == (1, [1])
    # Each group grade undone is withdrawn from its own post, which she may grade again.
    await _undo(db, 1)
    assert await _post_grades(db, tuesday_post) == (0, [])
    assert await _post_grades(db, monday_post) == (2, [1, 2])
    await _undo(db, 1)
    assert await _post_grades(db, monday_post) == (1, [2])
    async with db.session() as s:
        assert await s.get(CardState, (1, card_id)) is None
    again = await _grade(db, monday_post, 1, Grade.EASY, now=later + timedelta(hours=1))
    assert again.status is groups.GroupGradeStatus.OK
    assert await _post_grades(db, monday_post) == (2, [1, 2])
    # The count edit catches up through the usual throttled path.
    async with db.session() as s:
        view = await groups.claim_count_edit(s, post_id=monday_post, now=later + timedelta(hours=1))
    assert view.graded == 2


async def test_count_edits_are_throttled_and_flushed(db):
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=MONDAY)
    await _group(db, cards=1)
    nine = MONDAY + timedelta(hours=2)
    [due], _ = await _claim(db, nine)
    await _send_all(db, [due])
    post_id = due.posts[0].post_id
    for user_id in (1, 2, 3):
        await _member(db, user_id)
    await _grade(db, post_id, 1, now=nine)
    async with db.session() as s:
        view = await groups.claim_count_edit(s, post_id=post_id, now=nine)
    assert view.graded == 1
    for user_id in (2, 3):
        await _grade(db, post_id, user_id, now=nine + timedelta(seconds=5))
        async with db.session() as s:
            assert await groups.claim_count_edit(s, post_id=post_id, now=nine) is None
    async with db.session() as s:
        assert await groups.stale_counts(s, now=nine + timedelta(seconds=10)) == []
        assert await groups.stale_counts(s, now=nine + groups.EDIT_INTERVAL) == [post_id]
        view = await groups.claim_count_edit(s, post_id=post_id, now=nine + groups.EDIT_INTERVAL)
    assert view.graded == 3
    async with db.session() as s:
        assert await groups.stale_counts(s, now=nine + 3 * groups.EDIT_INTERVAL) == []


async def test_bot_membership_changes(db):
    async def change(is_member, can_post, chat_id=CHAT):
        async with db.session() as s:
            return await groups.bot_membership_changed(
                s,
                chat_id=chat_id,
                title="Club",
                is_member=is_member,
                can_post=can_post,
                now=MONDAY,
                defaults=DEFAULTS,
            )

    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=MONDAY)
    assert await change(False, False, OTHER) is groups.BotMembership.UNCHANGED  # never known
    assert await change(True, True) is groups.BotMembership.JOINED
    await _group(db)
    assert await change(True, False) is groups.BotMembership.RIGHTS_LOST
    async with db.session() as s:
        assert (await s.get(Group, CHAT)).next_post_at is None
    assert await change(True, True) is groups.BotMembership.RIGHTS_BACK
    assert await change(True, True) is groups.BotMembership.UNCHANGED
    async with db.session() as s:
        assert (await s.get(Group, CHAT)).next_post_at is not None
    assert await change(False, False) is groups.BotMembership.LEFT
    async with db.session() as s:
        group = await s.get(Group, CHAT)
        assert not group.active and group.next_post_at is None
    assert await change(True, True) is groups.BotMembership.JOINED


async def test_migration_moves_setup_posts_members_and_history(db):
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=MONDAY)
    await _group(db, cards=1)
    nine = MONDAY + timedelta(hours=2)
    [due], _ = await _claim(db, nine)
    await _send_all(db, [due])
    await _member(db, 1)
    await _grade(db, due.posts[0].post_id, 1, now=nine)
    async with db.session() as s:
        post = await s.get(GroupPost, due.posts[0].post_id)
        s.add(
            QuizPoll(
                poll_id="p1",
                chat_id=CHAT,
                round_id="r",
                owner_id=None,
                deck_id=post.deck_id,
                card_id=post.card_id,
                question_no=1,
                correct_option=0,
                created_at=nine,
            )
        )
        await s.flush()
        s.add(QuizAnswer(poll_id="p1", user_id=2, option=0, correct=True, answered_at=nine))
        s.add(User(id=2, first_name="Quizzer", created_at=nine))
    # The supergroup was seen first (a command there), without a deck of its own.
    async with db.session() as s:
        await groups.ensure_group(s, chat_id=SUPER, title="Club", now=nine, defaults=DEFAULTS)
        await groups.ensure_member(
            s, chat_id=SUPER, user_id=1, first_name="u1", username=None, now=nine, defaults=DEFAULTS
        )
    async with db.session() as s:
        assert await groups.migrate_group(s, old_chat_id=CHAT, new_chat_id=SUPER, now=nine)
    async with db.session() as s:
        assert not await groups.migrate_group(s, old_chat_id=CHAT, new_chat_id=SUPER, now=nine)
        assert await s.get(Group, CHAT) is None
        new = await s.get(Group, SUPER)
        assert new.deck_id is not None and new.cards_per_post == 1
        assert new.last_post_on is not None  # today's post is not repeated in the supergroup
        assert {p.chat_id for p in (await s.execute(select(GroupPost))).scalars()} == {SUPER}
        assert (await s.execute(select(ReviewLog.chat_id))).scalars().all() == [SUPER]
        assert (await s.get(QuizPoll, "p1")).chat_id == SUPER
        members = (await s.execute(select(GroupMember.chat_id, GroupMember.user_id))).all()
        assert members == [(SUPER, 1)]
        assert await groups.group_member_ids(s, chat_id=SUPER) == [1, 2]
    assert await _claim(db, nine + timedelta(hours=1)) == ([], 0)


async def test_reads_do_not_spend_a_groups_message_budget():
    from bot.telegram.rate_limits import TrafficRateLimiter

    limiter = TrafficRateLimiter(group_per_minute=1)
    calls = []

    async def callback(endpoint, data):
        calls.append(endpoint)
        return True

    def request(endpoint, **data):
        return limiter.process_request(callback, (endpoint, data), {}, endpoint, data, None)

    async def call(endpoint, **data):
        return await asyncio.wait_for(request(endpoint, **data), timeout=2)

    await call("sendMessage", chat_id=-5, text="the one message this minute")
    # The write counted against the group: a second one this minute is held back...
    held = asyncio.create_task(request("sendMessage", chat_id=-5, text="one too many"))
    for _ in range(5):  # ...while admin checks in the same group are not
        await call("getChatMember", chat_id=-5, user_id=1)
    await call("getChatAdministrators", chat_id="-5")
    assert calls == ["sendMessage", *["getChatMember"] * 5, "getChatAdministrators"]
    assert not held.done()
    held.cancel()


async def test_a_card_falling_due_later_today_is_posted_first(db):
    """Due for the member's whole local day, as in private review: it beats never-posted cards."""
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=MONDAY)
    await _group(db, cards=1)
    await _member(db, 7)
    async with db.session() as s:
        deck = await deck_by_slug(s, slug="deep-learning-tools")
        card = (
            await s.execute(select(Card).where(Card.deck_id == deck.id, Card.position == 9))
        ).scalar_one()
        s.add(
            CardState(
                user_id=7,
                card_id=card.id,
                deck_id=deck.id,
                state=2,
                stability=4.0,
                difficulty=5.0,
                due=MONDAY + timedelta(hours=2, minutes=30),
                reps=3,
            )
        )
    [due], _examined = await _claim(db, MONDAY + timedelta(hours=2, minutes=1))  # 09:01 Berlin
    assert [p.question for p in due.posts] == [card.question]


async def test_a_post_time_missed_while_down_is_caught_up_but_never_in_the_night(db):
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=MONDAY)
    await _group(db)  # 09:00 Berlin
    await _group(db, OTHER)
    # CHAT's sweep happens at 15:00 (the bot was down at 09:00): caught up, once.
    async with db.session() as s:
        await s.execute(update(Group).where(Group.chat_id == OTHER).values(paused=True))
    afternoon = MONDAY + timedelta(hours=8)
    due, _ = await _claim(db, afternoon)
    assert [g.chat_id for g in due] == [CHAT]
    await _send_all(db, due, now=afternoon)
    assert await _claim(db, afternoon + timedelta(hours=1)) == ([], 0)
    # OTHER's Monday post was missed and the bot is back at 00:30 on Tuesday: no post then,
    # Tuesday's comes at 09:00.
    async with db.session() as s:
        await s.execute(update(Group).where(Group.chat_id == OTHER).values(paused=False))
    night = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    due, examined = await _claim(db, night)
    assert (due, examined) == ([], 1)
    async with db.session() as s:
        other = await s.get(Group, OTHER)
        assert other.next_post_at == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
        assert other.last_post_on is None
    due, _ = await _claim(db, datetime(2026, 3, 3, 8, 0, tzinfo=UTC))
    assert sorted(g.chat_id for g in due) == sorted([CHAT, OTHER])


async def test_a_group_whose_deck_file_was_removed_posts_nothing_until_it_returns(db):
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=MONDAY)
    await _group(db)
    nine = MONDAY + timedelta(hours=2)
    async with db.session() as s:
        await s.execute(update(Deck).values(retired=True))
    assert await _claim(db, nine) == ([], 0)
    async with db.session() as s:
        await s.execute(update(Deck).values(retired=False))
    due, _ = await _claim(db, nine + timedelta(hours=1))  # back the same day: caught up
    assert [g.chat_id for g in due] == [CHAT]
