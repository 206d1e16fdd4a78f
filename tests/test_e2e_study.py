"""End to end: the study modes in private chat, through the real Application over HTTP.

A simulated learner reads each question as a person would (the message text and its buttons)
and knows the seed deck, so it can answer right, or wrong on purpose. Seeds are fixed through
runtime.study_seed, so every run asks the same questions.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from bot.config import DEFAULT_DECKS_DIR
from bot.core.deck_format import load_deck_file
from bot.core.markup import to_plain_text
from bot.storage.models import GroupMember, StudySession, User
from bot.telegram import callbacks as cb
from bot.telegram import texts
from tests.fake_telegram import BotMessage, FakeUser
from tests.harness import (
    Chat,
    RunningBot,
    enrol_in_every_deck,
    eventually,
    make_settings,
    seed_decks_dir,
)

ADA = FakeUser(1001, "Ada", username="ada")
BOB = FakeUser(1002, "Bob")
DECK = "Deep Learning Tools"


def _flat(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class _Card:
    question: str
    answer: str


CARDS = [
    _Card(_flat(to_plain_text(c.question)), _flat(to_plain_text(c.answer)))
    for c in load_deck_file(DEFAULT_DECKS_DIR / "deep-learning-tools.md").cards
]
_OPTION = re.compile(r"^([A-F])\. (.+)$", re.MULTILINE)


def _card(predicate) -> _Card:
    found = [c for c in CARDS if predicate(c)]
    assert found, "no card of the deck fits this message"
    return max(found, key=lambda c: len(c.question) + len(c.answer))


def _option(message: BotMessage, text: str) -> str:
    options = {label: _flat(option) for label, option in _OPTION.findall(message.plain_text)}
    [label] = [label for label, option in options.items() if option == text]
    return label


@dataclass(frozen=True)
class _Move:
    """What a learner who knows the deck does with a question message."""

    kind: str  # press | type | reveal
    right: str  # the button label to press, or the text to type
    card: _Card


def _solve(message: BotMessage) -> _Move:
    text = message.plain_text
    body = _flat(text)
    if "Which question does this answer?" in text:
        card = _card(lambda c: c.answer in body)
        return _Move("press", _option(message, card.question), card)
    if "Choose the answer:" in text:
        prompt = body.split("Choose the answer:")[0]
        card = _card(lambda c: c.question in prompt)
        return _Move("press", _option(message, card.answer), card)
    if "True or false?" in text:
        question, shown = body.split("True or false?")[1].split(" Answer: ", 1)
        card = _card(lambda c: c.question == question.strip())
        return _Move("press", "True" if shown.strip() == card.answer else "False", card)
    if "Type your answer." in text:
        prompt = body.split("Type your answer.")[0]
        card = _card(lambda c: c.question in prompt)
        return _Move("type", card.answer, card)
    assert "Think of the answer" in text, text
    prompt = body.split("Think of the answer")[0]
    return _Move("reveal", "", _card(lambda c: c.question in prompt))


def _labels(message: BotMessage) -> list[str]:
    return [text for text, _data in message.buttons]


async def _answer(chat: Chat, message: BotMessage, *, right: bool = True, expect: int = 2):
    """Answer a Learn/Test/Quiz question right (or wrong); returns (toast, new messages)."""
    move = _solve(message)
    if move.kind == "press":
        label = move.right
        if not right:
            if label in ("True", "False"):
                label = "False" if label == "True" else "True"
            else:
                label = next(x for x in _labels(message) if len(x) == 1 and x != label)
        data = next(d for text, d in message.buttons if text == label)
        return await chat.press(message, data=data, expect=expect)
    if move.kind == "type":
        return None, await chat.send(move.right if right else "no idea at all", expect=expect)
    _toast, [shown] = await chat.press(message, "Show answer", expect=1)
    assert move.card.answer[:40] in _flat(shown.plain_text)
    return await chat.press(
        shown, texts.KNEW_BUTTON if right else texts.MISSED_BUTTON, expect=expect
    )


async def _enrol(chat: Chat) -> None:
    [welcome] = await chat.send("/start")
    await chat.press(welcome, "📚", expect=3)


def _assert_clean(fake) -> None:
    """No error reached the user, and Telegram would have taken every call the bot made.

    The fake refuses what Telegram refuses (a button payload over 64 bytes, a text over 4096
    characters, broken HTML); tests/test_texts.py checks callbacks.py's payloads directly.
    """
    for message in fake.sent:
        assert texts.INTERNAL_ERROR not in (message.text or ""), message.text
    assert fake.refusals(400) == []
    assert all(
        texts.INTERNAL_ERROR[:40] not in (a.get("text") or "") for a in fake.callback_answers
    )


# --- Learn -----------------------------------------------------------------------------------


async def test_learn_whole_deck_with_a_wrong_answer_a_typo_and_self_checks(running_bot, fake):
    running_bot.runtime.study_seed = 3
    chat = Chat(fake, ADA)
    await _enrol(chat)
    [question] = await chat.send("/learn")
    assert f"<b>Learn · {DECK}</b>\nLearned 0/16" in question.text
    kinds, wrong_card, returns = set(), None, []
    learned = []
    for _ in range(120):
        if "cards learned" in question.plain_text:
            break
        move = _solve(question)
        kinds.add(move.kind)
        learned.append(int(re.search(r"Learned (\d+)/16", question.plain_text).group(1)))
        if move.card == wrong_card:
            returns.append(len(learned))
        if wrong_card is None and move.kind == "press":
            toast, [settled, question] = await _answer(chat, question, right=False)
            assert toast["text"] == texts.WRONG_TOAST
            assert "❌ Not quite. The answer:" in settled.text and "come back later" in settled.text
            assert not settled.buttons and settled.message_id != question.message_id
            wrong_card, wrong_at = move.card, len(learned)
            continue
        if move.kind == "type" and move.right == "Using the @ operator":
            # A typo is forgiven, and the exact answer shown.
            [_stripped, question] = await chat.send("the @ operater", expect=2)
            assert "✅ Correct! Exactly: <b>Using the @ operator</b>" in question.text
            continue
        toast, new = await _answer(chat, question)
        question = new[-1]
        if move.kind == "press":
            assert toast["text"] == texts.CORRECT_TOAST and "✅ Correct!" in new[0].text
    assert "🎉" in question.text and "all 16 cards learned!" in question.text
    right, answers = map(int, re.search(r"(\d+) of (\d+) answers right", question.text).groups())
    assert answers == right + 1  # exactly one wrong answer
    assert kinds == {"press", "type", "reveal"}
    assert learned == sorted(learned)  # the progress line never goes back
    # The wrong card came back later in the session, not as the very next question.
    assert returns and returns[0] > wrong_at + 1
    _assert_clean(fake)


# --- Test ------------------------------------------------------------------------------------


async def test_test_is_scored_with_time_and_a_review_of_the_wrong_answer(running_bot, fake, clock):
    running_bot.runtime.study_seed = 21
    chat = Chat(fake, ADA)
    await _enrol(chat)
    [question] = await chat.send("/test 6")
    assert f"<b>Test · {DECK}</b> · question 1/6" in question.text
    kinds, wrong = set(), None
    for number in range(1, 7):
        assert f"question {number}/6" in question.text
        move = _solve(question)
        kinds.add(move.kind)
        clock.advance(seconds=10)
        toast, new = await _answer(chat, question, right=number != 1)
        if number == 1:
            wrong = move.card
        if toast is not None:
            assert toast["text"] == texts.ANSWERED_TOAST
            answered = new[0].plain_text.splitlines()[-1]
            assert answered.startswith(("Your answer: ", "You knew it", "You didn't know it"))
            assert not new[0].buttons
        question = new[-1]
    result = question
    assert "— finished" in result.text
    assert "Score: 5/6 · <b>83%</b>" in result.text and "Time: 1:00" in result.text
    assert "<b>To review</b>" in result.text and "Right answer:" in result.text
    review = _flat(result.plain_text.split("To review")[1])
    assert wrong.question[:60] in review or wrong.answer[:60] in review
    assert len(kinds) >= 2
    _assert_clean(fake)


async def test_test_kinds_and_usage(running_bot, fake):
    running_bot.runtime.study_seed = 2
    chat = Chat(fake, ADA)
    await _enrol(chat)
    # Only ASCII digits are a length: '²' passes str.isdigit() but int() refuses it.
    for bad in ("/test 5 essays", "/test ²", "/test 5 ²", "/test 51", "/test 5 5"):
        [usage] = await chat.send(bad)
        assert usage.text == texts.TEST_USAGE, bad
    [question] = await chat.send("/test 3 tf")
    for _ in range(3):
        assert "True or false?" in question.plain_text
        _toast, new = await _answer(chat, question)
        question = new[-1]
    assert "Score: 3/3 · <b>100%</b>" in question.text and "Perfect" in question.text


async def test_learn_and_quiz_counts_out_of_range_get_their_usage(running_bot, fake):
    chat = Chat(fake, ADA)
    await _enrol(chat)
    for command, usage in (
        ("/learn 0", texts.LEARN_USAGE),
        ("/learn 1000", texts.LEARN_USAGE),
        ("/learn 3 4", texts.LEARN_USAGE),
        ("/quiz 11", texts.QUIZ_USAGE),
        ("/quiz few", texts.QUIZ_USAGE),
    ):
        [reply] = await chat.send(command)
        assert reply.text == usage


# --- Match -----------------------------------------------------------------------------------


def _board_pairs(board: BotMessage) -> list[list[str]]:
    """The board's tiles grouped by card, as button data, read from labels and the full texts."""
    full = {n: text for n, text in re.findall(r"^(\d+)\. (.+)$", board.plain_text, re.MULTILINE)}
    by_card: dict[int, list[str]] = {}
    for label, data in board.buttons:
        number, shown = label.removeprefix("👉 ").split(" · ", 1)
        shown = full.get(number, shown)
        prefix = shown.endswith("…")
        shown = shown.removesuffix("…")

        def fits(text: str, shown=shown, prefix=prefix) -> bool:
            return text.startswith(shown) if prefix else text == shown

        [index] = [i for i, c in enumerate(CARDS) if fits(c.question) or fits(c.answer)]
        by_card.setdefault(index, []).append(data)
    assert all(len(tiles) == 2 for tiles in by_card.values())
    return list(by_card.values())


async def _tap(chat: Chat, board: BotMessage, data: str):
    toast, [edited] = await chat.press(board, data=data, expect=1)
    return toast, edited


async def test_match_game_with_a_penalty_then_a_slower_game_keeps_the_best(
    running_bot, fake, clock
):
    running_bot.runtime.study_seed = 5
    chat = Chat(fake, ADA)
    await _enrol(chat)
    [board] = await chat.send("/match")
    assert f"<b>Match · {DECK}</b>" in board.text and "Pairs left: 6 of 6" in board.text
    assert len(board.buttons) == 12
    pairs = _board_pairs(board)
    # A wrong pair: a tile of one card, then a tile of another (of the other side).
    toast, board = await _tap(chat, board, pairs[0][0])
    assert any(t.startswith("👉") for t in _labels(board))
    other_side = next(d for d in pairs[1] if _side(board, d) != _side(board, pairs[0][0]))
    toast, board = await _tap(chat, board, other_side)
    assert toast["text"] == "❌ Not a pair: +1 s" and "mistakes: 1" in board.text
    for first, second in pairs:
        clock.advance(seconds=2)
        await _tap(chat, board, first)
        toast, board = await _tap(chat, board, second)
    assert "all 6 pairs matched!" in board.text
    assert "Time: <b>13.0 s</b> (with +1 s for 1 mistake)" in board.text
    assert "🏆 Your best on this deck!" in board.text
    toast, _ = await chat.press(board, data=pairs[0][0])
    assert toast["text"] == texts.STUDY_STALE

    # Play again: a new board; a slower game leaves the best time as it was.
    _toast, [board] = await chat.press(board, texts.PLAY_AGAIN_BUTTON, expect=1)
    assert "Your best on this deck: 13.0 s" in board.text
    for first, second in _board_pairs(board):
        clock.advance(seconds=3)
        await _tap(chat, board, first)
        toast, board = await _tap(chat, board, second)
    assert "Time: <b>18.0 s</b>" in board.text and "Your best on this deck: 13.0 s" in board.text
    _assert_clean(fake)


def _side(board: BotMessage, data: str) -> str:
    """Whether a tile shows a question ('q') or an answer ('a'), from its full text."""
    label = next(text for text, d in board.buttons if d == data)
    number, shown = label.removeprefix("👉 ").split(" · ", 1)
    full = dict(re.findall(r"^(\d+)\. (.+)$", board.plain_text, re.MULTILINE))
    shown = full.get(number, shown).removesuffix("…")
    return "q" if any(c.question.startswith(shown) for c in CARDS) else "a"


# --- Quiz ------------------------------------------------------------------------------------


async def test_quiz_with_native_quiz_polls_and_button_questions(running_bot, fake):
    running_bot.runtime.study_seed = 4
    chat = Chat(fake, ADA)
    await _enrol(chat)
    mark = len(fake.sent)
    fake.send_message(ADA.id, "/quiz", user=ADA)
    polls = buttons = 0
    wrong_given = False
    while True:
        current = await fake.wait_for_message(ADA.id, after=mark)
        mark = current.seq + 1
        if current.poll_id is not None:
            polls += 1
            poll = fake.polls[current.poll_id]
            assert poll.type == "quiz" and not poll.is_anonymous
            assert len(poll.question) <= 300 and all(len(o) <= 100 for o in poll.options)
            [right] = poll.correct_option_ids
            # A forwarded copy answered by someone else is not credited to Ada.
            fake.answer_poll(current.poll_id, BOB, [right])
            choice = right if wrong_given else (right + 1) % len(poll.options)
            wrong_given = True
            fake.answer_poll(current.poll_id, ADA, [choice])
            continue
        if "— done" in current.text:
            break
        buttons += 1
        assert f"<b>Quiz · {DECK}</b>" in current.text
        toast, new = await _answer(chat, current)
        assert toast["text"] == texts.CORRECT_TOAST and "✅ Correct!" in new[0].text
        mark = new[-1].seq
    assert polls >= 1 and buttons >= 1, (polls, buttons)
    assert "done: 4/5 (80%)" in current.text
    assert not fake.messages(BOB.id)  # Bob's vote moved nothing for him or for Ada
    _assert_clean(fake)


# --- Flashcards ------------------------------------------------------------------------------


async def test_flashcards_flip_move_shuffle_and_leave_scheduling_alone(running_bot, fake):
    running_bot.runtime.study_seed = 8
    chat = Chat(fake, ADA)
    await _enrol(chat)
    [card] = await chat.send("/cards")
    assert card.text.startswith(f"<b>{DECK}</b> · 1/16") and CARDS[0].question in card.plain_text
    assert _labels(card) == ["◀ Prev", "↻ Flip", "Next ▶", "🔀 Shuffle", "⏮ Start"]
    _t, [card] = await chat.press(card, "↻ Flip", expect=1)
    assert "1/16 · answer" in card.text and CARDS[0].answer[:50] in _flat(card.plain_text)
    _t, [card] = await chat.press(card, "Next ▶", expect=1)
    assert "· 2/16" in card.text and CARDS[1].question in card.plain_text
    _t, [card] = await chat.press(card, "◀ Prev", expect=1)
    assert "· 1/16" in card.text
    _t, [shuffled] = await chat.press(card, "🔀 Shuffle", expect=1)
    assert "· 1/16" in shuffled.text
    # The old step's buttons are stale once the card has moved on.
    toast, _ = await chat.press(card, "Next ▶")
    assert toast["text"] == texts.STUDY_STALE
    card = shuffled
    for _ in range(15):
        _t, [card] = await chat.press(card, "Next ▶", expect=1)
    assert "· 16/16" in card.text and "Last card" in card.text
    _t, [card] = await chat.press(card, "⏮ Start", expect=1)
    assert "· 1/16" in card.text
    [stats] = await chat.send("/stats")
    assert (
        "Mastered 0 · learning 0 · not studied 16 of 16 cards" in stats.text
        and "Reviews today 0" in stats.text
    )
    _assert_clean(fake)


# --- the progress table ----------------------------------------------------------------------


def _table(message: BotMessage) -> list[list[str]]:
    pre = re.search(r"<pre>(.*)</pre>", message.text, re.DOTALL).group(1)
    return [line.split() for line in pre.splitlines()]


async def test_progress_table_before_and_after_every_mode(running_bot, fake, clock):
    running_bot.runtime.study_seed = 5
    chat = Chat(fake, ADA)
    [welcome] = await chat.send("/start")
    _t, [_picker, _confirm, card] = await chat.press(welcome, "📚", expect=3)
    [empty] = await chat.send("/progress")
    assert empty.text == "No study sessions yet."

    # Spaced review: one card graded.
    _t, [shown] = await chat.press(card, "Show answer", expect=1)
    await chat.press(shown, "Good", expect=1)
    # Learn two cards to the end.
    [question] = await chat.send("/learn 2")
    while "cards learned" not in question.plain_text:
        _toast, new = await _answer(chat, question)
        question = new[-1]
    # A three-question test with one wrong answer.
    [question] = await chat.send("/test 3")
    for number in range(3):
        _toast, new = await _answer(chat, question, right=number != 0)
        question = new[-1]
    # A match game.
    [board] = await chat.send("/match")
    for first, second in _board_pairs(board):
        clock.advance(seconds=2)
        await _tap(chat, board, first)
        _toast, board = await _tap(chat, board, second)

    [progress] = await chat.send("/progress")
    assert progress.text.startswith(f"<b>{DECK}</b>\n<pre>")
    header, row = _table(progress)
    assert header == ["Name", "Mastery", "Learn", "Test", "Matching", "Spaced"]
    assert row == ["Ada", "0%", "2/2", "67%", "12.0s", "1"]
    assert all(
        len(line) <= 45
        for line in re.search(r"<pre>(.*)</pre>", progress.text, re.S).group(1).splitlines()
    )
    assert "Mastered 0 · learning" in progress.text and "not studied" in progress.text
    _assert_clean(fake)


# --- robustness ------------------------------------------------------------------------------


async def test_every_mode_survives_a_restart_mid_session(running_bot, fake, clock):
    chat = Chat(fake, ADA)
    await _enrol(chat)
    running_bot.runtime.study_seed = 3
    [learn_q] = await chat.send("/learn")
    _t, new = await _answer(chat, learn_q)
    learn_q = new[-1]
    [test_q] = await chat.send("/test 3")
    [board] = await chat.send("/match")
    pairs = _board_pairs(board)
    _t, board = await _tap(chat, board, pairs[0][0])
    [card] = await chat.send("/cards")
    running_bot.runtime.study_seed = 4
    mark = len(fake.sent)
    fake.send_message(ADA.id, "/quiz", user=ADA)
    first_quiz = await fake.wait_for_message(ADA.id, after=mark)

    await running_bot.restart()

    # Learn: the question on screen still takes its answer; the next one follows.
    toast, new = await _answer(chat, learn_q)
    assert toast["text"] == texts.CORRECT_TOAST
    assert "Learn ·" in new[-1].text
    # /learn offers the unfinished session; Continue asks the same question again.
    [offer] = await chat.send("/learn")
    assert "unfinished <b>Learn</b>" in offer.text and "learned" in offer.text
    _t, [_stripped, again] = await chat.press(offer, texts.CONTINUE_BUTTON, expect=2)
    assert _flat(again.plain_text) == _flat(new[-1].plain_text)
    # Test: continues where it was.
    _t, new = await _answer(chat, test_q)
    assert "question 2/3" in new[-1].text
    # Match: the selected tile stays selected; its pair completes.
    toast, board = await _tap(chat, board, pairs[0][1])
    assert toast["text"] == "✅ A pair!" and "Pairs left: 5 of 6" in board.text
    # Flashcards: the buttons keep working.
    _t, [card] = await chat.press(card, "Next ▶", expect=1)
    assert "· 2/16" in card.text
    # Quiz: the pending question is answered after the restart, and the quiz moves on.
    # With seed 4 the first question comes as a message, the second as a native quiz poll.
    assert first_quiz.poll_id is None
    mark = len(fake.sent)
    await _answer(chat, first_quiz, expect=1)
    following = await fake.wait_for_message(
        ADA.id,
        lambda m: (
            m.method in ("sendMessage", "sendPoll")
            and (m.poll_id is not None or "Quiz ·" in (m.text or ""))
        ),
        after=mark,
    )
    assert fake.polls[following.poll_id].question.startswith("2/5 · ")
    _assert_clean(fake)


async def test_stale_paused_foreign_and_forged_buttons_are_refused(running_bot, fake):
    running_bot.runtime.study_seed = 3
    ada, bob = Chat(fake, ADA), Chat(fake, BOB)
    await _enrol(ada)
    [first] = await ada.send("/learn")
    _t, new = await _answer(ada, first)
    # The answered question's buttons are gone; pressing its payload again is stale.
    data = next(d for text, d in first.buttons if len(text) == 1)
    toast, _ = await ada.press(first, data=data)
    assert toast["text"] == texts.STUDY_STALE
    current = new[-1]
    # Bob presses Ada's live button payload: not his session, nothing changes.
    await bob.send("/help")
    live = next(d for _text, d in current.buttons)
    toast, _ = await bob.press(bob.last(), data=live)
    assert toast["text"] == texts.STUDY_FOREIGN
    # Forged payloads: well-formed but unknown, and malformed.
    toast, _ = await ada.press(current, data="sl:99999:1:o0")
    assert toast["text"] == texts.STUDY_UNKNOWN
    for forged in ["sl:1:1:o9", "sx:1:1:o0", "sdl:abc", "sm:1:0:k12", "st:1:1:zz"]:
        toast, _ = await ada.press(current, data=forged)
        assert toast["text"] == texts.FORGED, forged
    # Stop pauses the session; its buttons then say how to continue.
    _t, [_settled, paused] = await ada.press(current, texts.STOP_BUTTON, expect=2)
    assert "⏸ Learn paused" in paused.text
    toast, _ = await ada.press(current, data=live)
    assert toast["text"] == texts.study_paused("learn")
    # Start over abandons the paused session: its old buttons are stale from then on.
    [offer] = await ada.send("/learn")
    _t, [_stripped, fresh] = await ada.press(offer, texts.START_OVER_BUTTON, expect=2)
    assert "Learned 0/16" in fresh.text
    toast, _ = await ada.press(current, data=live)
    assert toast["text"] == texts.STUDY_STALE
    toast, _ = await ada.press(offer, texts.CONTINUE_BUTTON)
    assert toast["text"] == texts.STUDY_STALE
    # An earlier Match board is stale once a new game starts.
    [old_board] = await ada.send("/match")
    [_new_board] = await ada.send("/match")
    toast, _ = await ada.press(old_board, data=old_board.buttons[0][1])
    assert toast["text"] == texts.STUDY_STALE
    _assert_clean(fake)


# --- several decks, long cards, limits -------------------------------------------------------


def _long_deck(path: Path) -> None:
    """Four cards at the format's limits: 1000-character questions, 3500-character answers."""
    rng = random.Random(1)
    words = ["tensor", "graph", "layer", "kernel", "batch", "epoch", "<tag>", "a&b", "`x`"]

    def text(n: int, seed: str) -> str:
        body = f"{seed}: " + " ".join(rng.choice(words) + str(rng.randrange(999)) for _ in range(n))
        return body[: n * 8]

    cards = "\n\n".join(
        f"## card-{i}\nQ: {text(125, f'Question {i}')}\nA: {text(437, f'Answer {i}')}"
        for i in range(1, 5)
    )
    path.write_text(
        "---\nslug: long-cards\ntitle: Long Cards\ndescription: Texts at the limits.\n---\n\n"
        + cards
        + "\n"
    )


async def test_several_decks_ask_which_and_long_cards_stay_within_limits(
    database_url, fake, clock, tmp_path
):
    decks = seed_decks_dir(tmp_path)
    _long_deck(decks / "long-cards.md")
    bot = RunningBot(make_settings(database_url, fake, decks_dir=decks), clock)
    await bot.start()
    try:
        bot.runtime.study_seed = 1
        chat = Chat(fake, ADA)
        await enrol_in_every_deck(chat)
        [choice] = await chat.send("/test 2 written")
        assert choice.text == "<b>Test</b> — which deck?"
        assert _labels(choice) == ["📚 Deep Learning Tools", "📚 Long Cards"]
        [long_data] = [d for text, d in choice.buttons if "Long" in text]
        assert cb.decode(long_data) == cb.PickDeck("test", 2, 2, ("written",))
        _t, [_picker, question] = await chat.press(choice, data=long_data, expect=2)
        assert "question 1/2" in question.text and "Think of the answer" in question.text
        # The revealed answer does not fit one message with the question: it comes as new ones.
        mark = len(fake.sent)
        await chat.press(question, "Show answer")
        revealed = await fake.wait_for_message(
            ADA.id, lambda m: any(t == texts.KNEW_BUTTON for t, _d in m.buttons), after=mark
        )
        # Split by the bot, never cut: the new messages hold the card's whole answer.
        number = re.search(r"Question (\d):", question.plain_text).group(1)
        [long_card] = [
            c for c in load_deck_file(decks / "long-cards.md").cards if c.key == f"card-{number}"
        ]
        shown = " ".join(m.plain_text for m in fake.sent[mark:] if m.method == "sendMessage")
        assert _flat(to_plain_text(long_card.answer)) in _flat(shown)
        _t, new = await chat.press(revealed, texts.KNEW_BUTTON, expect=2)
        assert "question 2/2" in new[-1].text

        for command in ("/learn", "/quiz", "/match", "/cards"):
            [picker] = await chat.send(command)
            mark = len(fake.sent)
            await chat.press(picker, "📚 Long Cards")
            shown = await fake.wait_for_message(ADA.id, lambda m: bool(m.buttons), after=mark)
            if command in ("/learn", "/quiz"):  # paragraphs as prompts: split, buttons last
                assert shown.poll_id is None
                mark = len(fake.sent)
                await chat.press(shown, "A")
                await fake.wait_for_message(ADA.id, lambda m: bool(m.buttons), after=mark)
            if command == "/cards":
                _t, [flipped] = await chat.press(shown, "↻ Flip", expect=1)
                assert "Answer 1" in flipped.plain_text or "answer" in flipped.text
        _assert_clean(fake)
    finally:
        await bot.stop()


async def test_learn_counts_up_to_999_reach_the_deck_buttons(database_url, fake, clock, tmp_path):
    """/learn takes up to 999 cards; with two decks the count rides on the deck buttons."""
    decks = seed_decks_dir(tmp_path)
    (decks / "tiny.md").write_text(
        "---\nslug: tiny\ntitle: Tiny\ndescription: Two cards.\n---\n\n"
        "## one\nQ: Who?\nA: Me.\n\n## two\nQ: Where?\nA: Here.\n"
    )
    bot = RunningBot(make_settings(database_url, fake, decks_dir=decks), clock)
    await bot.start()
    try:
        bot.runtime.study_seed = 1
        chat = Chat(fake, ADA)
        await enrol_in_every_deck(chat)
        for count in (100, 999):
            [choice] = await chat.send(f"/learn {count}")
            assert choice.text == "<b>Learn</b> — which deck?"
            [data] = [d for text, d in choice.buttons if text == f"📚 {DECK}"]
            assert cb.decode(data).length == count
            _t, [_picker, question] = await chat.press(choice, data=data, expect=2)
            assert f"<b>Learn · {DECK}</b>\nLearned 0/16" in question.text
        _assert_clean(fake)
    finally:
        await bot.stop()


async def test_study_commands_are_registered_and_need_a_deck(running_bot, fake):
    names = {name for name, _description in fake.commands("all_private_chats")}
    assert {"cards", "learn", "test", "match", "quiz", "progress"} <= names
    chat = Chat(fake, ADA)
    for command in ("/cards", "/learn", "/test", "/match", "/quiz", "/progress"):
        [reply] = await chat.send(command)
        assert reply.text == texts.NO_STUDY_DECKS
    [reply] = await chat.send("/quiz 50")
    assert "/quiz 3" in reply.plain_text
    [reply] = await chat.send("/help")
    assert "/learn" in reply.text and "/progress" in reply.text


async def test_a_group_quiz_voter_met_only_there_is_credited_but_never_messaged(running_bot, fake):
    """The one poll_answer handler also credits group rounds; a voter the bot has never talked
    to privately becomes a (blocked) member, so nothing is ever sent to them."""
    group_id, admin, stranger = -4101, FakeUser(3101, "Ann"), FakeUser(3102, "Zed")
    fake.set_chat_member(group_id, admin, "administrator")
    mark = fake.mark()
    fake.add_bot_to_group(group_id, "Club", by_user=admin)
    await fake.wait_for_message(group_id, after=mark)
    for command in ("/deck deep-learning-tools", "/quiz"):
        mark = fake.mark()
        fake.send_message(group_id, command, user=admin)
        await fake.wait_for_message(group_id, after=mark)
    poll_message = await fake.wait_for_message(group_id, lambda m: m.poll_id is not None)
    poll = fake.polls[poll_message.poll_id]
    fake.answer_poll(poll.id, stranger, poll.correct_option_ids)

    async def credited():
        async with running_bot.runtime.db.session() as s:
            session = (
                await s.execute(select(StudySession).where(StudySession.user_id == stranger.id))
            ).scalar_one_or_none()
            if session is None or session.score != 1:
                return None
            return (
                session,
                await s.get(User, stranger.id),
                await s.get(GroupMember, (group_id, stranger.id)),
            )

    session, user, member = await eventually(credited)
    assert (session.mode, session.chat_id, session.score) == ("quiz", group_id, 1)
    assert user.first_name == "Zed" and user.blocked and member is not None
    assert not fake.messages(stranger.id)


async def test_test_kinds_without_a_count_ride_on_the_deck_buttons(
    database_url, fake, clock, tmp_path
):
    """`/test mc` with two decks: the buttons carry the kinds and the default length."""
    decks = seed_decks_dir(tmp_path)
    (decks / "tiny.md").write_text(
        "---\nslug: tiny\ntitle: Tiny\ndescription: Two cards.\n---\n\n"
        "## one\nQ: Who?\nA: Me.\n\n## two\nQ: Where?\nA: Here.\n"
    )
    bot = RunningBot(make_settings(database_url, fake, decks_dir=decks), clock)
    await bot.start()
    try:
        bot.runtime.study_seed = 1
        chat = Chat(fake, ADA)
        await enrol_in_every_deck(chat)
        for command, kind in (("/test mc", ("mc",)), ("/test tf", ("tf",))):
            [choice] = await chat.send(command)
            assert choice.text == "<b>Test</b> — which deck?"
            [data] = [d for text, d in choice.buttons if text == f"📚 {DECK}"]
            assert cb.decode(data) == cb.PickDeck("test", cb.decode(data).deck_id, 0, kind)
            _t, [_picker, question] = await chat.press(choice, data=data, expect=2)
            for number in range(1, 11):  # the default length, every question of the kind asked
                assert f"question {number}/10" in question.text
                labels = _labels(question)
                first = "A" if kind == ("mc",) else texts.TRUE_BUTTON
                assert labels[0] == first and (kind == ("mc",)) == (labels[1] == "B"), labels
                _t, new = await chat.press(question, labels[0], expect=2)
                question = new[-1]
            assert "— finished" in question.text
        _assert_clean(fake)
    finally:
        await bot.stop()
