"""Study-mode services on SQLite and Postgres: sessions, stale and foreign moves, restarts,
quiz-poll credits (private and group), spaced sessions, and the progress table."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot.config import DEFAULT_DECKS_DIR
from bot.core.srs import Grade, make_scheduler
from bot.core.study import expected_response
from bot.services import review as reviews
from bot.services import study
from bot.services.decks import deck_by_slug, deck_cards, load_bundled_decks
from bot.services.study import CreditStatus, MoveStatus
from bot.services.users import UserDefaults, enrol, ensure_user
from bot.storage.models import Card, QuizAnswer, QuizPoll, StudySession, User

ADA, BOB = 1, 2
SCHEDULER = make_scheduler(fuzzing=False)


async def _setup(db, now, *user_ids):
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=now)
    async with db.session() as s:
        deck = await deck_by_slug(s, slug="deep-learning-tools")
        for user_id, name in zip(user_ids or (ADA,), ("Ada", "Bob", "Cy"), strict=False):
            await ensure_user(
                s,
                user_id=user_id,
                first_name=name,
                username=None,
                now=now,
                defaults=UserDefaults(),
            )
            await enrol(s, user_id=user_id, deck_id=deck.id, now=now)
    return deck.id


def _right(view, asked):
    """The right response to a Learn/Test question, as the engine takes it."""
    return expected_response(asked.question, view.deck.plain)


async def _learn_to_the_end(db, view, now, *, wrong_first: bool = False):
    """Answer every question right (after one wrong answer if asked); returns the last view."""
    answered_wrong = not wrong_first
    while view.asked is not None:
        asked = view.asked
        response = _right(view, asked)
        if not answered_wrong and asked.question.kind == "mc":
            response = (asked.question.correct_index + 1) % len(asked.question.options)
            answered_wrong = True
        async with db.session() as s:
            status, view = await study.answer_learn(
                s,
                session_id=view.session_id,
                user_id=ADA,
                question_no=asked.question_no,
                response=response,
                now=now,
            )
        assert status is MoveStatus.OK
    return view


async def test_learn_session_finishes_survives_reload_and_refuses_stale_and_foreign(db, clock):
    deck_id = await _setup(db, clock(), ADA, BOB)
    async with db.session() as s:
        view = await study.start_learn(
            s, user_id=ADA, chat_id=ADA, deck_id=deck_id, seed=11, now=clock(), size=3
        )
    assert view.progress == (0, 3) and view.asked.question_no == 1
    first = view.asked

    # Bob's taps never act on Ada's session; a number that is not current is stale.
    async with db.session() as s:
        status, _ = await study.answer_learn(
            s, session_id=view.session_id, user_id=BOB, question_no=1, response=0, now=clock()
        )
        assert status is MoveStatus.FOREIGN
        status, _ = await study.answer_learn(
            s, session_id=view.session_id, user_id=ADA, question_no=2, response=0, now=clock()
        )
        assert status is MoveStatus.STALE

    # The stored session asks the very same question again (what a restart relies on).
    async with db.session() as s:
        status, resumed = await study.resume_learn(
            s, session_id=view.session_id, user_id=ADA, now=clock()
        )
    assert status is MoveStatus.OK and resumed.asked == first

    last = await _learn_to_the_end(db, resumed, clock(), wrong_first=True)
    assert last.learn.is_finished and last.status == study.FINISHED
    assert last.learn.answered == last.learn.answered_correctly + 1  # the one wrong answer
    async with db.session() as s:
        row = await s.get(StudySession, view.session_id)
        status, _ = await study.answer_learn(
            s, session_id=view.session_id, user_id=ADA, question_no=1, response=0, now=clock()
        )
    assert (row.status, row.score, row.total, row.mode) == ("finished", 3, 3, "learn")
    assert status is MoveStatus.STALE


async def test_same_seed_same_questions(db, clock):
    deck_id = await _setup(db, clock())
    asked = []
    for _ in range(2):
        async with db.session() as s:
            view = await study.start_test(
                s, user_id=ADA, chat_id=ADA, deck_id=deck_id, seed=5, now=clock(), length=6
            )
        asked.append([q.question for q in view.test.questions])
    assert asked[0] == asked[1]


async def test_learn_stop_pauses_and_a_new_session_abandons_the_old(db, clock):
    deck_id = await _setup(db, clock())
    async with db.session() as s:
        view = await study.start_learn(
            s, user_id=ADA, chat_id=ADA, deck_id=deck_id, seed=1, now=clock(), size=2
        )
        status, stopped = await study.stop_learn(
            s, session_id=view.session_id, user_id=ADA, question_no=1, now=clock()
        )
    assert status is MoveStatus.OK and stopped.status == study.PAUSED
    async with db.session() as s:
        status, _ = await study.answer_learn(
            s, session_id=view.session_id, user_id=ADA, question_no=1, response=0, now=clock()
        )
        assert status is MoveStatus.PAUSED
        found = await study.resumable_session(
            s, user_id=ADA, chat_id=ADA, deck_id=deck_id, mode="learn"
        )
        assert found.id == view.session_id
        newer = await study.start_learn(
            s, user_id=ADA, chat_id=ADA, deck_id=deck_id, seed=2, now=clock()
        )
    async with db.session() as s:
        assert (await s.get(StudySession, view.session_id)).status == "abandoned"
        assert (await s.get(StudySession, newer.session_id)).status == "active"


async def test_a_move_on_a_session_whose_cards_are_gone_abandons_it_a_peek_does_not(db, clock):
    deck_id = await _setup(db, clock())
    start = {"user_id": ADA, "chat_id": ADA, "deck_id": deck_id, "now": clock()}
    async with db.session() as s:
        learn = await study.start_learn(s, **start, seed=1, size=2)
        test = await study.start_test(s, **start, seed=2, length=3)
        match = await study.start_match(s, **start, seed=3)
        cards = await study.start_cards(s, **start, seed=4)
    async with db.session() as s:
        await s.execute(update(Card).where(Card.deck_id == deck_id).values(retired=True))

    async with db.session() as s:
        peeked, _ = await study.peek_question(
            s, session_id=learn.session_id, user_id=ADA, mode="learn", question_no=1
        )
    async with db.session() as s:
        assert (await s.get(StudySession, learn.session_id)).status == "active"
    move = {"user_id": ADA, "now": clock()}
    async with db.session() as s:
        moved = [
            await study.answer_learn(
                s, session_id=learn.session_id, question_no=1, response=0, **move
            ),
            await study.resume_test(s, session_id=test.session_id, **move),
            await study.tap_match(s, session_id=match.session_id, tile=0, **move),
            await study.move_cards(s, session_id=cards.session_id, step=0, move="next", **move),
        ]
    assert peeked is MoveStatus.UNKNOWN
    assert moved == [(MoveStatus.UNKNOWN, None)] * 4
    async with db.session() as s:
        for view in (learn, test, match, cards):
            assert (await s.get(StudySession, view.session_id)).status == "abandoned"


async def test_test_scores_percent_time_and_wrong_answers(db, clock):
    deck_id = await _setup(db, clock())
    async with db.session() as s:
        view = await study.start_test(
            s, user_id=ADA, chat_id=ADA, deck_id=deck_id, seed=3, now=clock(), length=4
        )
    assert view.test.total == 4
    first_no = view.asked.question_no
    for i in range(4):
        clock.advance(seconds=15)
        asked = view.asked
        right = _right(view, asked)
        # The first answer is wrong, whatever its kind.
        if i == 0:
            response = {"mc": (right + 1) % 2, "tf": not right}.get(asked.question.kind, "")
            if asked.question.kind == "written" and asked.question.mode == "self_check":
                response = False
        else:
            response = right
        async with db.session() as s:
            status, view = await study.answer_test(
                s,
                session_id=view.session_id,
                user_id=ADA,
                question_no=asked.question_no,
                response=response,
                now=clock(),
            )
        assert status is MoveStatus.OK
    result = view.result
    assert (result.correct, result.total, result.percent) == (3, 4, 75)
    assert result.duration == timedelta(seconds=60)
    assert [w.question_no for w in result.wrong] == [first_no]
    async with db.session() as s:
        row = await s.get(StudySession, view.session_id)
        status, _ = await study.answer_test(
            s,
            session_id=view.session_id,
            user_id=ADA,
            question_no=first_no,
            response=0,
            now=clock(),
        )
    assert (row.status, row.score, row.total, row.duration_ms) == ("finished", 3, 4, 60_000)
    assert status is MoveStatus.STALE


async def _play_match(db, view, clock, *, mistakes: int):
    game = view.game
    pairs: dict[int, list[int]] = {}
    for index, tile in enumerate(game.tiles):
        pairs.setdefault(tile.card_id, []).append(index)
    groups = list(pairs.values())
    for _ in range(mistakes):  # a question tile with a wrong answer tile
        question = next(i for i in groups[0] if game.tiles[i].side == "q")
        answer = next(i for i in groups[1] if game.tiles[i].side == "a")
        wrong = (question, answer)
        for tile in wrong:
            async with db.session() as s:
                status, view = await study.tap_match(
                    s, session_id=view.session_id, user_id=ADA, tile=tile, now=clock()
                )
        assert view.tap.outcome == "mismatch"
    for first, second in groups:
        clock.advance(seconds=2)
        for tile in (first, second):
            async with db.session() as s:
                status, view = await study.tap_match(
                    s, session_id=view.session_id, user_id=ADA, tile=tile, now=clock()
                )
            assert status is MoveStatus.OK
    return view


async def test_match_records_time_with_penalty_and_best(db, clock):
    deck_id = await _setup(db, clock())
    async with db.session() as s:
        view = await study.start_match(
            s, user_id=ADA, chat_id=ADA, deck_id=deck_id, seed=9, now=clock()
        )
    assert view.game.pairs == 6 and view.best_ms is None
    done = await _play_match(db, view, clock, mistakes=1)
    assert done.status == study.FINISHED and done.elapsed_ms == 13_000  # 6 × 2 s + 1 s penalty
    assert done.new_best and done.best_ms == 13_000
    async with db.session() as s:
        status, _ = await study.tap_match(
            s, session_id=view.session_id, user_id=ADA, tile=0, now=clock()
        )
    assert status is MoveStatus.STALE
    async with db.session() as s:
        second = await study.start_match(
            s, user_id=ADA, chat_id=ADA, deck_id=deck_id, seed=10, now=clock()
        )
    assert second.best_ms == 13_000
    slower = await _play_match(db, second, clock, mistakes=3)
    assert slower.elapsed_ms == 15_000 and not slower.new_best and slower.best_ms == 13_000


async def _register_polls(db, view, clock):
    ids = []
    for number in range(1, view.total + 1):
        poll_id = f"poll-{view.session_id}-{number}"
        async with db.session() as s:
            await study.register_quiz_poll(
                s,
                session_id=view.session_id,
                question_no=number,
                poll_id=poll_id,
                message_id=100 + number,
                now=clock(),
            )
        ids.append(poll_id)
    return ids


async def test_private_quiz_poll_answers_are_credited_once_and_only_to_the_owner(db, clock):
    deck_id = await _setup(db, clock(), ADA, BOB)
    async with db.session() as s:
        view = await study.start_quiz(
            s, user_id=ADA, chat_id=ADA, deck_id=deck_id, seed=4, now=clock(), length=3
        )
    polls = await _register_polls(db, view, clock)

    async def vote(poll_id, user_id, options):
        async with db.session() as s:
            return await study.record_poll_answer(
                s, poll_id=poll_id, user_id=user_id, option_ids=options, now=clock()
            )

    right = [q.correct_index for q in view.questions]
    assert (await vote("nope", ADA, [0])).status is CreditStatus.UNKNOWN_POLL
    assert (await vote(polls[0], BOB, [right[0]])).status is CreditStatus.FOREIGN
    assert (await vote(polls[0], ADA, [])).status is CreditStatus.RETRACTED
    credit = await vote(polls[0], ADA, [right[0]])
    assert credit.status is CreditStatus.CREDITED and credit.correct and credit.private
    assert (await vote(polls[0], ADA, [right[0]])).status is CreditStatus.DUPLICATE
    # Out of turn (the quiz is on question 2): refused, and no answer row is left behind.
    assert (await vote(polls[2], ADA, [right[2]])).status is CreditStatus.STALE
    assert (await vote(polls[1], ADA, [(right[1] + 1) % 2])).correct is False
    last = await vote(polls[2], ADA, [right[2]])
    assert last.finished
    async with db.session() as s:
        row = await s.get(StudySession, view.session_id)
        answers = (await s.execute(select(QuizAnswer))).scalars().all()
    assert (row.status, row.score, row.total) == ("finished", 2, 3)
    assert len(answers) == 3 and {a.user_id for a in answers} == {ADA}


async def test_abandoned_private_quiz_takes_no_more_answers(db, clock):
    deck_id = await _setup(db, clock())
    async with db.session() as s:
        view = await study.start_quiz(
            s, user_id=ADA, chat_id=ADA, deck_id=deck_id, seed=4, now=clock(), length=2
        )
    polls = await _register_polls(db, view, clock)
    async with db.session() as s:
        await study.start_quiz(s, user_id=ADA, chat_id=ADA, deck_id=deck_id, seed=5, now=clock())
    async with db.session() as s:
        credit = await study.record_poll_answer(
            s, poll_id=polls[0], user_id=ADA, option_ids=[0], now=clock()
        )
    assert credit.status is CreditStatus.STALE


async def test_group_round_polls_make_one_quiz_session_per_member(db, clock):
    deck_id = await _setup(db, clock(), ADA, BOB)
    group = -100123
    card_ids = []
    async with db.session() as s:
        deck = await study.load_deck_cards(s, deck_id=deck_id)
        card_ids = list(deck.cards)[:2]
        for number, card_id in enumerate(card_ids, start=1):
            s.add(
                QuizPoll(
                    poll_id=f"g{number}",
                    chat_id=group,
                    round_id="round-1",
                    owner_id=None,
                    deck_id=deck_id,
                    card_id=card_id,
                    question_no=number,
                    correct_option=1,
                    created_at=clock(),
                )
            )
    for poll_id, user_id, option in [("g1", ADA, 1), ("g1", BOB, 0), ("g2", ADA, 1)]:
        async with db.session() as s:
            credit = await study.record_poll_answer(
                s, poll_id=poll_id, user_id=user_id, option_ids=[option], now=clock()
            )
        assert credit.status is CreditStatus.CREDITED and not credit.private
    async with db.session() as s:
        rows = (
            (await s.execute(select(StudySession).where(StudySession.mode == "quiz")))
            .scalars()
            .all()
        )
        by_user = {r.user_id: r for r in rows}
        table = await study.progress_rows(s, deck_id=deck_id, user_ids=[ADA, BOB], now=clock())
    assert set(by_user) == {ADA, BOB} and all(r.chat_id == group for r in rows)
    assert (by_user[ADA].status, by_user[ADA].score, by_user[ADA].total) == ("finished", 2, 2)
    assert (by_user[BOB].status, by_user[BOB].score, by_user[BOB].total) == ("active", 0, 2)
    assert {r.name: r.quiz for r in table} == {"Ada": (2, 2), "Bob": (0, 2)}


async def test_spaced_grades_form_sessions_and_undo_takes_them_back(db, clock):
    deck_id = await _setup(db, clock())
    async with db.session() as s:
        user = await ensure_user(
            s, user_id=ADA, first_name="Ada", username=None, now=clock(), defaults=UserDefaults()
        )
    user = user[0]

    async def grade(grade):
        async with db.session() as s:
            card = await reviews.next_card(s, user=user, now=clock())
            outcome = await reviews.grade_card(
                s,
                user=user,
                card_id=card.card.id,
                version=card.version,
                grade=grade,
                now=clock(),
                scheduler=SCHEDULER,
                chat_id=ADA,
            )
        assert outcome.status is reviews.GradeStatus.OK

    async def spaced():
        async with db.session() as s:
            rows = await s.execute(
                select(StudySession).where(StudySession.mode == "spaced").order_by(StudySession.id)
            )
            return [(r.score, r.total, r.duration_ms) for r in rows.scalars()]

    await grade(Grade.GOOD)
    clock.advance(minutes=2)
    await grade(Grade.AGAIN)
    assert await spaced() == [(1, 2, 120_000)]
    clock.advance(hours=2)  # a new sitting
    await grade(Grade.EASY)
    assert await spaced() == [(1, 2, 120_000), (1, 1, 0)]
    async with db.session() as s:
        await reviews.undo_last(s, user=user)
    assert await spaced() == [(1, 2, 120_000)]
    async with db.session() as s:
        [row] = await study.progress_rows(s, deck_id=deck_id, user_ids=None, now=clock())
    assert row.spaced_reviews == 2 and row.mastery.learning == 2


async def test_progress_rows_before_and_after_study(db, clock):
    deck_id = await _setup(db, clock(), ADA, BOB)
    async with db.session() as s:
        assert await study.progress_rows(s, deck_id=deck_id, user_ids=None, now=clock()) == []
        assert await study.progress_rows(s, deck_id=deck_id, user_ids=[ADA], now=clock()) == []
        view = await study.start_learn(
            s, user_id=ADA, chat_id=ADA, deck_id=deck_id, seed=2, now=clock(), size=2
        )
        # Browsing flashcards is not a study session of the table.
        await study.start_cards(s, user_id=BOB, chat_id=BOB, deck_id=deck_id, seed=1, now=clock())
    await _learn_to_the_end(db, view, clock())
    async with db.session() as s:
        rows = await study.progress_rows(s, deck_id=deck_id, user_ids=None, now=clock())
        only_bob = await study.progress_rows(s, deck_id=deck_id, user_ids=[BOB], now=clock())
    assert only_bob == []
    [ada] = rows
    assert (ada.name, ada.learn, ada.test_percent, ada.match_ms, ada.spaced_reviews) == (
        "Ada",
        (2, 2),
        None,
        None,
        0,
    )
    # Learn informs mastery (two cards now count as learning), never FSRS mastery itself.
    assert (ada.mastery.learning, ada.mastery.mastered, ada.mastery.percent) == (2, 0, 0)
    assert ada.mastery.not_studied == 14


async def test_stats_and_progress_count_a_deck_alike(db, clock):
    """/stats and /progress use one definition: Learn practice counts, as do due steps."""
    deck_id = await _setup(db, clock(), ADA)
    async with db.session() as s:
        view = await study.start_learn(
            s, user_id=ADA, chat_id=ADA, deck_id=deck_id, seed=2, now=clock(), size=2
        )
    await _learn_to_the_end(db, view, clock())
    # One spaced review of a card Learn did not touch: Good puts it in a 10-minute step.
    async with db.session() as s:
        user = await s.get(User, ADA)
        practised = (await study.practised_card_ids(s, user_id=ADA, deck_ids=[deck_id]))[deck_id]
        assert len(practised) == 2
        other = next(c for c in await deck_cards(s, deck_id=deck_id) if c.id not in practised)
        outcome = await reviews.grade_card(
            s,
            user=user,
            card_id=other.id,
            version=0,
            grade=Grade.GOOD,
            now=clock(),
            scheduler=SCHEDULER,
        )
        assert outcome.status is reviews.GradeStatus.OK
    async with db.session() as s:
        user = await s.get(User, ADA)
        [row] = await study.progress_rows(s, deck_id=deck_id, user_ids=[ADA], now=clock())
        [stats] = await reviews.deck_stats(s, user=user, now=clock())
    assert stats.status.mastery == row.mastery
    assert (row.mastery.not_studied, row.mastery.learning, row.mastery.mastered) == (13, 3, 0)
    status = stats.status
    assert (status.due_now, status.due_later_today, status.due_tomorrow) == (0, 1, 0)
