"""End to end: a group studies together through the real Application over HTTP.

The bot is added to a group, admins set it up, the timetable posts the daily cards, members
grade them (each their own FSRS state), take a group quiz, read the progress table; the group
is upgraded to a supergroup, loses the bot's rights, and removes the bot.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from bot.services.media import store_media
from bot.storage.models import Card, CardState, Group, GroupPost, ReviewLog, StudySession, User
from bot.telegram.callbacks import decode
from tests.fake_telegram import FakeUser
from tests.harness import Chat, GroupChat, RunningBot, eventually, make_settings, seed_decks_dir

BOT = "FlashtutorTestBot"
ADMIN = FakeUser(3001, "Ada", username="ada")
BOB = FakeUser(3002, "Bob")
CY = FakeUser(3003, "Cy")
GROUP_ID = -4001  # a basic group
OTHER_GROUP_ID = -4002
SUPERGROUP_ID = -1009001
MONDAY_8 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


async def _group(running_bot, chat_id: int = GROUP_ID) -> Group | None:
    async with running_bot.runtime.db.session() as s:
        return await s.get(Group, chat_id)


async def _setup(running_bot, fake, clock, *, chat_id=GROUP_ID, cards: int = 3) -> GroupChat:
    """A group with the bot added and the seed deck at 09:00 UTC; the clock at Monday 08:00."""
    clock.set(MONDAY_8)
    group = GroupChat(fake, chat_id)
    await group.add_bot(ADMIN)
    await group.send(ADMIN, "/deck deep-learning-tools")
    await group.send(ADMIN, "/time 09:00")
    if cards != 3:
        await group.send(ADMIN, f"/cards_per_post {cards}")
    return group


async def _sweep(running_bot, clock, at: datetime):
    clock.set(at)
    return await running_bot.runtime.timetable.sweep(at)


# --- setting a group up ---------------------------------------------------------------------


async def test_added_to_a_group_the_bot_introduces_itself_and_admins_set_it_up(
    running_bot, fake, clock
):
    group = GroupChat(fake, GROUP_ID)
    intro = await group.add_bot(ADMIN)
    assert "Admins" in intro.text and "/deck" in intro.text and "/time HH:MM" in intro.text
    assert (await _group(running_bot)).active

    # A non-admin is refused politely, and nothing changes.
    fake.set_chat_member(GROUP_ID, BOB, "member")
    [refusal] = await group.send(BOB, "/time 18:00")
    assert "only this group's admins" in refusal.text
    assert (await _group(running_bot)).post_minute == 9 * 60
    assert any(m == "getChatMember" for m, _p in fake.requests)

    # The deck picker: a member's press is refused, the admin's counts.
    [picker] = await group.send(ADMIN, f"/deck@{BOT}")
    assert picker.buttons == [("📚 Deep Learning Tools", "gd:deep-learning-tools")]
    toast, _ = await group.press(BOB, picker, "📚")
    assert toast["text"] == "Only the group's admins can choose the deck."
    _toast, [chosen] = await group.press(ADMIN, picker, "📚", expect=1)
    assert chosen.method == "editMessageText"
    assert "now studies <b>Deep Learning Tools</b> (16 cards)" in chosen.text

    # Commands work with the @botname suffix Telegram adds in groups.
    [reply] = await group.send(ADMIN, f"/time@{BOT} 18:30")
    assert "18:30" in reply.text
    [reply] = await group.send(ADMIN, "/timezone europe/berlin")
    assert "Europe/Berlin" in reply.text
    [reply] = await group.send(ADMIN, "/timezone Europe/Berlinn")
    assert "Did you mean" in reply.text
    [reply] = await group.send(ADMIN, "/cards_per_post 9")
    assert "1 to 5" in reply.text
    [reply] = await group.send(ADMIN, f"/cards_per_post@{BOT} 2")
    assert "up to 2 cards" in reply.text
    [reply] = await group.send(ADMIN, "/pause")
    assert "paused" in reply.text
    assert (await _group(running_bot)).next_post_at is None
    [reply] = await group.send(BOB, "/resume")
    assert "only this group's admins" in reply.text
    [reply] = await group.send(ADMIN, "/resume")
    assert "back on" in reply.text

    # /settings shows the setup to anyone; a command for another bot is not ours.
    [settings] = await group.send(BOB, f"/settings@{BOT}")
    for part in (
        "Deep Learning Tools",
        "18:30",
        "Europe/Berlin",
        "Cards per post: 2",
        "Posting: on",
    ):
        assert part in settings.text, part
    assert "Next post: Mon 02 Mar, 18:30 (Europe/Berlin)" in settings.text
    mark = fake.mark()
    fake.send_message(GROUP_ID, "/settings@SomeOtherBot", user=BOB)
    [help_reply] = await group.send(BOB, "/help")
    assert "Flashtutor" in help_reply.text
    assert [m for m in fake.sent[mark:] if m.chat_id == GROUP_ID] == [help_reply]


async def test_a_group_set_up_after_todays_post_time_first_posts_tomorrow(running_bot, fake, clock):
    clock.set(MONDAY_8 + timedelta(hours=2))  # 10:00 UTC; the default post time is 09:00
    group = GroupChat(fake, GROUP_ID)
    await group.add_bot(ADMIN)
    [chosen] = await group.send(ADMIN, "/deck deep-learning-tools")
    assert chosen.text.endswith("(16 cards).\nNext post tomorrow at 09:00.")
    [settings] = await group.send(BOB, "/settings")
    assert "Next post: Tue 03 Mar, 09:00 (UTC)" in settings.text
    report = await _sweep(running_bot, clock, clock() + timedelta(minutes=1))
    assert report.groups.examined == 0 and group.posts() == []
    # A time still ahead today is kept for today: the admin's 18:00 posts this evening.
    [reply] = await group.send(ADMIN, "/time 18:00")
    assert reply.text == "The daily post is now at 18:00 (UTC). Next post today at 18:00."
    report = await _sweep(running_bot, clock, MONDAY_8 + timedelta(hours=10, minutes=1))
    assert report.groups.posted == [GROUP_ID] and len(group.posts()) == 3
    [reply] = await group.send(ADMIN, "/time 07:30")
    assert reply.text == "The daily post is now at 07:30 (UTC). Next post tomorrow at 07:30."
    report = await _sweep(running_bot, clock, MONDAY_8 + timedelta(hours=15))
    assert report.groups.examined == 0
    report = await _sweep(running_bot, clock, MONDAY_8 + timedelta(days=1, minutes=-29))
    assert report.groups.posted == [GROUP_ID] and len(group.posts()) == 6


async def test_command_menus_are_set_per_scope(running_bot, fake):
    private = {name for name, _d in fake.commands("all_private_chats")}
    in_groups = {name for name, _d in fake.commands("all_group_chats")}
    for_admins = {name for name, _d in fake.commands("all_chat_administrators")}
    assert {"review", "newcards", "undo"} <= private
    assert in_groups == {"settings", "progress", "quiz", "help"}
    assert {"deck", "time", "timezone", "cards_per_post", "pause", "resume"} <= for_admins
    assert in_groups <= for_admins
    assert not {"review", "undo", "newcards"} & (in_groups | for_admins)


# --- the daily post ---------------------------------------------------------------------------


async def test_daily_post_graded_by_three_members_moves_three_states(running_bot, fake, clock):
    group = await _setup(running_bot, fake, clock)
    # Before 09:00 nothing is posted; after it, three cards, once.
    report = await _sweep(running_bot, clock, MONDAY_8 + timedelta(minutes=30))
    assert report.groups.posted == []
    report = await _sweep(running_bot, clock, MONDAY_8 + timedelta(hours=1, minutes=1))
    assert report.groups.posted == [GROUP_ID]
    posts = group.posts()
    assert len(posts) == 3
    first = posts[0]
    assert "card 1 of 3" in first.text and "What are the primary deep learning" in first.text
    assert [t for t, _d in first.buttons] == ["Again", "Hard", "Good", "Easy"]
    spoilers = [e for e in first.entities if e["type"] == "spoiler"]
    assert len(spoilers) == 1
    hidden = first.plain_text[spoilers[0]["offset"] :][: spoilers[0]["length"]]
    assert "TensorFlow, Keras, and PyTorch" in hidden

    # Three members grade the first card: three toasts, three separate states.
    toast, [edited] = await group.press(ADMIN, first, "Good", expect=1)
    assert toast["text"] == "Recorded: Good — next in 10m"
    assert edited.method == "editMessageText" and "Graded by 1 member" in edited.text
    toast, _ = await group.press(BOB, first, "Easy")
    assert toast["text"].startswith("Recorded: Easy — next in ")
    toast, _ = await group.press(CY, first, "Again")
    assert toast["text"] == "Recorded: Again — next in 1m"
    async with running_bot.runtime.db.session() as s:
        post = (await s.execute(select(GroupPost).order_by(GroupPost.id))).scalars().first()
        states = {
            st.user_id: st
            for st in (
                await s.execute(select(CardState).where(CardState.card_id == post.card_id))
            ).scalars()
        }
        assert set(states) == {ADMIN.id, BOB.id, CY.id}
        assert len({(st.state, st.due) for st in states.values()}) == 3
        assert post.graded_count == 3
        # Members met only in the group cannot be messaged privately: no pushes for them.
        for member in (ADMIN, BOB, CY):
            user = await s.get(User, member.id)
            assert user.blocked and user.next_push_at is None

    # Edits are throttled: the count catches up at the next sweep after the interval.
    assert "Graded by 1 member" in group.current(first).text
    await _sweep(running_bot, clock, clock() + timedelta(seconds=31))
    assert "Graded by 3 members" in group.current(first).text

    # A second press by the same member changes nothing and says so.
    toast, _ = await group.press(BOB, first, "Again")
    assert toast["text"] == "You already graded this card — nothing changed."
    async with running_bot.runtime.db.session() as s:
        assert (await s.execute(select(func.count()).select_from(ReviewLog))).scalar_one() == 3

    # At most one post per local day, also across a restart; the next day brings another.
    await running_bot.restart()
    report = await _sweep(running_bot, clock, MONDAY_8 + timedelta(hours=5))
    assert report.groups.posted == [] and len(group.posts()) == 3
    report = await _sweep(running_bot, clock, MONDAY_8 + timedelta(days=1, hours=1, minutes=1))
    assert report.groups.posted == [GROUP_ID]
    tuesday = group.posts()[3:]
    # Cy's "Again" card is due for him again: it leads Tuesday's post.
    assert "What are the primary deep learning" in tuesday[0].text


async def test_buttons_from_one_group_do_not_act_in_another_and_forgeries_are_answered(
    running_bot, fake, clock
):
    group = await _setup(running_bot, fake, clock, cards=1)
    await _sweep(running_bot, clock, MONDAY_8 + timedelta(hours=2))
    [post] = group.posts()
    good = next(d for t, d in post.buttons if t == "Good")
    other = GroupChat(fake, OTHER_GROUP_ID, "Other Club")
    await other.add_bot(ADMIN)
    [help_msg] = await other.send(BOB, "/help")
    toast, _ = await other.press(BOB, help_msg, data=good)
    assert toast["text"] == "This button isn't valid here."
    for forged in ["gg:999999:3", "gg:1:9", "gd:NOPE", "gd:no-such-deck", "x" * 64]:
        toast, _ = await group.press(BOB, post, data=forged)
        assert toast["text"], forged
    # The same payload in a private chat is refused too.
    private = Chat(fake, BOB)
    [welcome] = await private.send("/start")
    toast, _ = await private.press(welcome, data=good)
    assert toast["text"] == "This button isn't valid here."
    async with running_bot.runtime.db.session() as s:
        assert (await s.execute(select(func.count()).select_from(ReviewLog))).scalar_one() == 0


async def test_undo_of_a_group_grade_lets_the_member_grade_the_post_again(running_bot, fake, clock):
    group = await _setup(running_bot, fake, clock, cards=1)
    bob = Chat(fake, BOB)
    await bob.send("/start")
    await _sweep(running_bot, clock, MONDAY_8 + timedelta(hours=1, minutes=1))
    [post] = group.posts()
    _toast, [edited] = await group.press(ADMIN, post, "Good", expect=1)
    assert "Graded by 1 member" in edited.text
    toast, _ = await group.press(BOB, post, "Hard")
    assert toast["text"].startswith("Recorded: Hard")
    await _sweep(running_bot, clock, clock() + timedelta(seconds=31))
    assert "Graded by 2 members" in group.current(post).text

    [undone, _next_card] = await bob.send("/undo", expect=2)
    assert "Undid your <b>Hard</b>" in undone.text
    # The post's count follows at the next sweep; Bob's press counts again, once.
    await _sweep(running_bot, clock, clock() + timedelta(seconds=31))
    assert "Graded by 1 member" in group.current(post).text
    toast, _ = await group.press(BOB, post, "Easy")
    assert toast["text"].startswith("Recorded: Easy")
    toast, _ = await group.press(BOB, post, "Good")
    assert toast["text"] == "You already graded this card — nothing changed."
    await _sweep(running_bot, clock, clock() + timedelta(seconds=31))
    assert "Graded by 2 members" in group.current(post).text
    async with running_bot.runtime.db.session() as s:
        stored = await s.get(GroupPost, decode(post.buttons[0][1]).post_id)
        assert stored.graded_count == 2
        state = await s.get(CardState, (BOB.id, stored.card_id))
        assert state.reps == 1  # the Hard was taken back; only the Easy counts


async def test_private_study_links_by_user_id_and_start_enables_private_pushes(
    running_bot, fake, clock
):
    group = await _setup(running_bot, fake, clock, cards=1)
    await _sweep(running_bot, clock, MONDAY_8 + timedelta(hours=1, minutes=1))
    [post] = group.posts()
    await group.press(BOB, post, "Good")
    await group.press(CY, post, "Good")
    # Bob opens a private chat: /start unblocks him; the group's deck is already his.
    bob = Chat(fake, BOB)
    await bob.send("/start")
    [stats] = await bob.send("/stats")
    assert "Deep Learning Tools" in stats.text and "learning 1 ·" in stats.text
    report = await _sweep(running_bot, clock, MONDAY_8 + timedelta(days=1, hours=1, minutes=1))
    assert BOB.id in report.pushed and CY.id not in report.pushed


# --- robustness -------------------------------------------------------------------------------


async def test_group_upgraded_to_a_supergroup_keeps_settings_and_history(running_bot, fake, clock):
    group = await _setup(running_bot, fake, clock, cards=1)
    await group.send(ADMIN, "/timezone Europe/Berlin")
    await _sweep(running_bot, clock, MONDAY_8 + timedelta(hours=2))
    [post] = group.posts()
    await group.press(BOB, post, "Good")
    fake.group_migrated(GROUP_ID, SUPERGROUP_ID)

    async def moved():
        return await _group(running_bot) is None and await _group(running_bot, SUPERGROUP_ID)

    new = await eventually(moved)
    assert new.timezone == "Europe/Berlin" and new.deck_id is not None and new.active
    supergroup = GroupChat(fake, SUPERGROUP_ID)
    [settings] = await supergroup.send(ADMIN, "/settings")
    assert "Deep Learning Tools" in settings.text and "Europe/Berlin" in settings.text
    async with running_bot.runtime.db.session() as s:
        posts = (await s.execute(select(GroupPost))).scalars().all()
        assert [p.chat_id for p in posts] == [SUPERGROUP_ID]
        log = (await s.execute(select(ReviewLog))).scalar_one()
        assert log.chat_id == SUPERGROUP_ID
    # Monday's post was sent in the old group; Tuesday's goes to the supergroup, once.
    report = await _sweep(running_bot, clock, MONDAY_8 + timedelta(days=1, hours=1))
    assert report.groups.posted == [SUPERGROUP_ID]
    assert len(supergroup.posts()) == 1


async def test_a_migration_first_seen_when_posting_is_followed(running_bot, fake, clock):
    await _setup(running_bot, fake, clock, cards=1)
    fake.migrate_chat(GROUP_ID, SUPERGROUP_ID)  # no service message reached the bot
    report = await _sweep(running_bot, clock, MONDAY_8 + timedelta(hours=2))
    assert report.groups.migrated == [(GROUP_ID, SUPERGROUP_ID)]
    assert report.groups.posted == [SUPERGROUP_ID]
    assert len(GroupChat(fake, SUPERGROUP_ID).posts()) == 1
    assert await _group(running_bot) is None


async def test_lost_rights_disable_the_schedule_and_admins_are_told(running_bot, fake, clock):
    group = await _setup(running_bot, fake, clock)
    # Ada has started the bot privately, so she can be told; Bob (an admin too) has not.
    ada = Chat(fake, ADMIN)
    await ada.send("/start")
    fake.set_chat_member(GROUP_ID, BOB, "administrator")
    fake.set_bot_rights(GROUP_ID, can_send=False)
    mark = fake.mark()
    report = await _sweep(running_bot, clock, MONDAY_8 + timedelta(hours=2))
    assert report.groups.no_rights == [GROUP_ID] and report.groups.posted == []
    [notice] = [m for m in fake.sent[mark:] if m.chat_id == ADMIN.id]
    assert "can no longer post in <b>Study Club</b>" in notice.text
    assert not [m for m in fake.sent[mark:] if m.chat_id == BOB.id]
    stored = await _group(running_bot)
    assert not stored.can_post and stored.next_post_at is None
    assert (
        await _sweep(running_bot, clock, MONDAY_8 + timedelta(days=1, hours=2))
    ).groups.examined == 0
    # The bot is made an admin with its rights back: it says so and the schedule resumes.
    fake.set_bot_rights(GROUP_ID, can_send=True)
    mark = fake.mark()
    fake.add_bot_to_group(GROUP_ID, "Study Club", by_user=ADMIN, status="administrator")
    back = await fake.wait_for_message(GROUP_ID, after=mark)
    assert "I can post here again" in back.text
    assert (await _group(running_bot)).can_post
    # Rights back at 10:00, after the 09:00 post time: the next post is tomorrow's, not at once.
    assert "Next post: Wed 04 Mar, 09:00 (UTC)" in back.text
    report = await _sweep(running_bot, clock, MONDAY_8 + timedelta(days=1, hours=2, minutes=1))
    assert report.groups.examined == 0
    report = await _sweep(running_bot, clock, MONDAY_8 + timedelta(days=2, hours=1, minutes=1))
    assert report.groups.posted == [GROUP_ID]
    assert len(group.posts()) == 3


async def test_removal_from_the_group_stops_the_schedule(running_bot, fake, clock):
    group = await _setup(running_bot, fake, clock)
    fake.remove_bot_from_group(GROUP_ID, by_user=ADMIN)

    async def gone():
        stored = await _group(running_bot)
        return not stored.active and stored.next_post_at is None

    await eventually(gone)
    report = await _sweep(running_bot, clock, MONDAY_8 + timedelta(hours=2))
    assert report.groups.examined == 0 and group.posts() == []
    # Added back at 10:00, it introduces itself again and the same setup resumes, from the
    # next post time still ahead (tomorrow's 09:00), never at once.
    intro = await group.add_bot(ADMIN)
    assert "Admins" in intro.text
    report = await _sweep(running_bot, clock, MONDAY_8 + timedelta(hours=2, minutes=1))
    assert report.groups.examined == 0
    report = await _sweep(running_bot, clock, MONDAY_8 + timedelta(days=1, hours=1))
    assert report.groups.posted == [GROUP_ID]


async def test_a_muted_bot_turns_the_schedule_off_and_tells_the_admins_once(
    running_bot, fake, clock
):
    group = await _setup(running_bot, fake, clock)
    ada = Chat(fake, ADMIN)
    await ada.send("/start")
    fake.set_bot_rights(GROUP_ID, can_send=False)
    mark, requests = fake.mark(), len(fake.requests)
    for user in (BOB, CY, ADMIN):  # three commands: each reply is refused with 400
        fake.send_message(GROUP_ID, "/settings", user=user)

    def refused_replies():
        return [
            p
            for m, p in fake.requests[requests:]
            if m == "sendMessage" and int(p["chat_id"]) == GROUP_ID
        ]

    await fake.wait_for(lambda: len(refused_replies()) == 3, description="three replies tried")
    await fake.wait_for(lambda: any(m.chat_id == ADMIN.id for m in fake.sent[mark:]))
    stored = await _group(running_bot)
    assert not stored.can_post and stored.next_post_at is None
    notices = [m for m in fake.sent[mark:] if m.chat_id == ADMIN.id]
    assert len(notices) == 1 and "can no longer post" in notices[0].text
    assert not [m for m in fake.sent[mark:] if m.chat_id == GROUP_ID]
    # An admin gives the rights back and resumes by command.
    fake.set_bot_rights(GROUP_ID, can_send=True)
    [reply] = await group.send(ADMIN, "/resume")
    assert "back on" in reply.text
    assert (await _group(running_bot)).next_post_at is not None
    # Updates are handled in order, so every refusal's handling is over by now: one notice.
    assert len([m for m in fake.sent[mark:] if m.chat_id == ADMIN.id]) == 1


# --- group quizzes and the progress table -------------------------------------------------------


async def _answer_round(fake, polls, user, right: int) -> None:
    """`user` answers every poll of a round, the first `right` of them correctly."""
    for number, poll in enumerate(polls):
        correct = poll.correct_option_ids[0]
        choice = correct if number < right else (correct + 1) % len(poll.options)
        fake.answer_poll(poll.id, user, [choice])


async def _quiz_sessions(running_bot) -> dict[int, StudySession]:
    async with running_bot.runtime.db.session() as s:
        rows = (await s.execute(select(StudySession).where(StudySession.mode == "quiz"))).scalars()
        return {row.user_id: row for row in rows}


async def test_a_group_quiz_is_credited_to_each_member(running_bot, fake, clock):
    group = await _setup(running_bot, fake, clock)
    mark = fake.mark()
    [intro, *poll_messages] = await group.send(BOB, "/quiz", expect=6)
    assert "Quiz" in intro.text and "5 questions" in intro.text
    polls = [fake.polls[m.poll_id] for m in poll_messages]
    assert all(p.type == "quiz" and not p.is_anonymous for p in polls)
    await _answer_round(fake, polls, ADMIN, right=5)
    await _answer_round(fake, polls, BOB, right=3)
    fake.answer_poll(polls[0].id, CY, [polls[0].correct_option_ids[0]])

    async def credited():
        sessions = await _quiz_sessions(running_bot)
        # Members' answers are handled side by side: wait until every one is in.
        finished = all(
            who in sessions and sessions[who].status == "finished" for who in (ADMIN.id, BOB.id)
        )
        return sessions if finished and CY.id in sessions else None

    sessions = await eventually(credited)
    assert (sessions[ADMIN.id].score, sessions[ADMIN.id].total) == (5, 5)
    assert (sessions[BOB.id].score, sessions[BOB.id].total) == (3, 5)
    assert sessions[CY.id].status == "active" and sessions[CY.id].score == 1
    assert all(s.chat_id == GROUP_ID for s in sessions.values())
    # One round at a time: a second /quiz right away is refused; later it is fine.
    [reply] = await group.send(CY, "/quiz")
    assert "already on" in reply.text
    clock.advance(minutes=6)
    messages = await group.send(CY, "/quiz", expect=6)
    assert len([m for m in messages if m.poll_id]) == 5
    assert len([m for m in fake.sent[mark:] if m.chat_id == GROUP_ID and m.poll_id]) == 10


async def test_group_progress_table_counts_group_and_private_study_of_the_groups_deck(
    database_url, fake, clock, tmp_path
):
    # A second deck, studied privately, must not show in the group.
    decks = seed_decks_dir(tmp_path)
    (decks / "secret-diary.md").write_text(
        "---\nslug: secret-diary\ntitle: Secret Diary\ndescription: Private.\n---\n\n"
        "## one\nQ: Who?\nA: Me.\n\n## two\nQ: Where?\nA: Here.\n"
    )
    bot = RunningBot(make_settings(database_url, fake, decks_dir=decks), clock)
    await bot.start()
    try:
        group = await _setup(bot, fake, clock, cards=1)
        [empty] = await group.send(BOB, "/progress")
        assert empty.text == "No study sessions yet."
        # Ada studies the group's deck privately, and her secret deck too.
        ada = Chat(fake, ADMIN)
        await ada.send("/start deep-learning-tools", expect=2)
        _t, [shown] = await ada.press(ada.last(), "Show answer", expect=1)
        await ada.press(shown, "Easy", expect=1)
        await ada.send("/start secret-diary", expect=3)  # and the open card moves on
        # Bob grades the group post; Cy, a member of another group only, studies privately.
        await _sweep(bot, clock, MONDAY_8 + timedelta(hours=2))
        [post] = group.posts()
        await group.press(BOB, post, "Good")
        cy = Chat(fake, CY)
        await cy.send("/start deep-learning-tools", expect=2)
        _t, [shown] = await cy.press(cy.last(), "Show answer", expect=1)
        await cy.press(shown, "Good", expect=1)

        [table] = await group.send(CY, f"/progress@{BOT}")
        assert "Deep Learning Tools" in table.text
        assert "Secret Diary" not in table.text and "secret" not in table.text.lower()
        lines = table.plain_text.splitlines()
        header = next(line for line in lines if line.startswith("Name"))
        assert header.split() == ["Name", "Mastery", "Learn", "Test", "Matching", "Spaced"]
        rows = {line.split()[0]: line.split()[1:] for line in lines[lines.index(header) + 1 :]}
        # Cy asked in the group, so he is a member now, and his private review counts.
        assert sorted(rows) == ["Ada", "Bob", "Cy"]
        assert all(cells == ["0%", "-", "-", "-", "1"] for cells in rows.values())
        other = GroupChat(fake, OTHER_GROUP_ID, "Other Club")
        await other.add_bot(by_user=BOB)
        await other.send(BOB, "/deck deep-learning-tools")
        [table] = await other.send(BOB, "/progress")
        names = [line.split()[0] for line in table.plain_text.splitlines()[2:]]
        assert names == ["Bob"]  # Ada and Cy are not members of the other group
    finally:
        await bot.stop()


async def test_a_rate_limited_group_post_is_waited_out_not_dropped(running_bot, fake, clock):
    group = await _setup(running_bot, fake, clock, cards=2)
    fake.rate_limit_next(1, retry_after=1)  # Telegram answers the first post with 429
    report = await _sweep(running_bot, clock, MONDAY_8 + timedelta(hours=2))
    assert report.groups.posted == [GROUP_ID] and report.groups.failed == []
    assert [p.plain_text.split("\n")[0] for p in group.posts()] == [
        "Deep Learning Tools · card 1 of 2",
        "Deep Learning Tools · card 2 of 2",
    ]


async def test_a_daily_post_of_a_card_with_a_question_image_sends_the_photo_first(
    running_bot, fake, clock
):
    group = await _setup(running_bot, fake, clock, cards=1)
    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
    )
    async with running_bot.runtime.db.session() as s:
        sha256 = await store_media(s, data=png, now=clock(), name="dot.png")
        await s.execute(
            update(Card).values(
                question_media=[{"name": "dot.png", "kind": "image", "sha256": sha256}]
            )
        )
        await s.commit()
    mark = fake.mark()
    report = await _sweep(running_bot, clock, MONDAY_8 + timedelta(hours=1, minutes=1))
    assert report.groups.posted == [GROUP_ID]
    sent = [m for m in fake.sent[mark:] if m.chat_id == GROUP_ID]
    assert [m.method for m in sent] == ["sendPhoto", "sendMessage"]
    assert sent[0].media_kind == "photo" and sent[0].buttons == []
    [post] = group.posts()
    assert post.message_id == sent[1].message_id and "card 1 of 1" in post.text
    # The post stays a text message: a grade's count edit still edits its text.
    _toast, [edited] = await group.press(ADMIN, post, "Good", expect=1)
    assert edited.method == "editMessageText" and "Graded by 1 member" in edited.text
    assert [f.kind for f in fake.uploads] == ["photo"] and fake.refusals() == []
