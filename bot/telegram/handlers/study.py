"""Study modes in private chat: the commands, deck choice, resuming, routing, typed answers and
the progress table. Each mode's own flow is in its module (browse, learn, exam, match, quiz)."""

from __future__ import annotations

from telegram import CallbackQuery, Update
from telegram.ext import ApplicationHandlerStop

from bot.core.study import TEST_KINDS
from bot.services import study
from bot.services.study import (
    MAX_QUIZ_LENGTH,
    MAX_TEST_LENGTH,
    MoveStatus,
)
from bot.services.users import active_decks, claim_message
from bot.telegram import keyboards, texts
from bot.telegram.callbacks import PickDeck, StudyMove
from bot.telegram.context import FlashContext
from bot.telegram.handlers import browse, exam, learn, match, quiz
from bot.telegram.handlers.command_input import load_user, number_argument
from bot.telegram.handlers.study_moves import new_seed, refusal, send_and_remember
from bot.telegram.messages import edit_html, send_html, strip_buttons

__all__ = [
    "on_cards",
    "on_learn",
    "on_match",
    "on_pick_deck",
    "on_progress",
    "on_quiz",
    "on_study_move",
    "on_test",
    "on_typed_answer",
]

_MOVES = {
    "cards": browse.on_move,
    "learn": learn.on_move,
    "test": exam.on_move,
    "match": match.on_move,
    "quiz": quiz.on_move,
}
_SHOW = {
    "cards": browse.show,
    "learn": learn.show,
    "test": exam.show,
    "match": match.show,
    "quiz": quiz.show,
}
_KIND_WORDS = {"mc": "mc", "tf": "tf", "written": "written"}
_MAX_LEARN = 999


# --- commands --------------------------------------------------------------------------------


async def on_cards(update: Update, context: FlashContext) -> None:
    """/cards: leaf through a deck's flashcards."""
    await _ask_deck(update, context, "cards")


async def on_learn(update: Update, context: FlashContext) -> None:
    """/learn [N]: learn the deck (or the N cards known least)."""
    await _ask_deck_counted(update, context, "learn", _MAX_LEARN, texts.LEARN_USAGE)


async def on_test(update: Update, context: FlashContext) -> None:
    """/test [N] [mc] [tf] [written]: a scored test of N questions of the chosen kinds."""
    options = _test_options(context.args or [])
    if options is None:
        await send_html(context.bot, update.effective_chat.id, texts.TEST_USAGE)
        return
    await _ask_deck(update, context, "test", *options)


async def on_match(update: Update, context: FlashContext) -> None:
    """/match: the timed matching game."""
    await _ask_deck(update, context, "match")


async def on_quiz(update: Update, context: FlashContext) -> None:
    """/quiz [N]: a short quiz, in quiz polls where the texts fit."""
    await _ask_deck_counted(update, context, "quiz", MAX_QUIZ_LENGTH, texts.QUIZ_USAGE)


async def on_progress(update: Update, context: FlashContext) -> None:
    """/progress: the deck's progress table (your row)."""
    await _ask_deck(update, context, "progress")


async def _ask_deck_counted(
    update: Update, context: FlashContext, mode: str, most: int, usage: str
) -> None:
    """A mode's command with an optional count from 1 to `most`; anything else gets `usage`."""
    count = number_argument(context.args, 1, most) if context.args else 0
    if count is None:
        await send_html(context.bot, update.effective_chat.id, usage)
        return
    await _ask_deck(update, context, mode, count)


def _test_options(args: list[str]) -> tuple[int, tuple[str, ...]] | None:
    """(length, kinds) from `/test` arguments; 0 and () stand for the defaults."""
    length, kinds = 0, []
    for arg in (a.lower() for a in args):
        count = number_argument([arg], 1, MAX_TEST_LENGTH)
        if count is not None and not length:
            length = count
        elif arg in _KIND_WORDS and _KIND_WORDS[arg] not in kinds:
            kinds.append(_KIND_WORDS[arg])
        else:
            return None
    return length, tuple(k for k in TEST_KINDS if k in kinds)


async def _ask_deck(
    update: Update,
    context: FlashContext,
    mode: str,
    length: int = 0,
    kinds: tuple[str, ...] = (),
) -> None:
    """Go straight to the only enrolled deck, or ask which one."""
    runtime = context.runtime
    chat_id = update.effective_chat.id
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        decks = [(d.id, d.title) for d in await active_decks(session, user_id=user.id)]
    if not decks:
        await send_html(context.bot, chat_id, texts.NO_STUDY_DECKS)
    elif len(decks) == 1:
        await _begin(context, update, mode, decks[0][0], length, kinds)
    else:
        await send_html(
            context.bot,
            chat_id,
            texts.choose_study_deck(mode),
            keyboards.study_deck_choice(mode, decks, length, kinds),
        )


async def on_pick_deck(update: Update, context: FlashContext, data: PickDeck) -> None:
    """A deck button of a mode (or Match's 'Play again'); the picker then shows the choice."""
    query = update.callback_query
    await query.answer()
    label = _pressed_label(query)
    if label is not None and label != texts.PLAY_AGAIN_BUTTON:  # Play again stays playable
        await edit_html(query, texts.study_deck_chosen(data.mode, label.removeprefix("📚 ")))
    await _begin(context, update, data.mode, data.deck_id, data.length, data.kinds)


def _pressed_label(query: CallbackQuery) -> str | None:
    """The text of the button that was pressed, read from the message it sits on."""
    markup = getattr(query.message, "reply_markup", None)  # none on an inaccessible message
    if markup is None:
        return None
    return next(
        (b.text for row in markup.inline_keyboard for b in row if b.callback_data == query.data),
        None,
    )


# --- starting and resuming -------------------------------------------------------------------


async def _begin(
    context: FlashContext,
    update: Update,
    mode: str,
    deck_id: int,
    length: int,
    kinds: tuple[str, ...],
    *,
    start_over: bool = False,
) -> None:
    """Start the mode on the deck; a bare /learn or /test first offers an unfinished session."""
    runtime = context.runtime
    chat_id = update.effective_chat.id
    async with runtime.db.session() as session:
        user = await load_user(session, runtime, update.effective_user)
        begun = await study.begin_mode(
            session,
            mode=mode,
            user_id=user.id,
            chat_id=chat_id,
            deck_id=deck_id,
            new_seed=lambda: new_seed(runtime),
            now=runtime.now(),
            length=length,
            kinds=kinds,
            start_over=start_over,
        )
    deck, rows, offer, view = begun.deck, begun.rows, begun.offer, begun.view
    done, total = begun.done, begun.total
    if deck is None:
        await send_html(context.bot, chat_id, texts.NOT_STUDYING)
    elif rows is not None:
        blocks = [texts.progress_table(deck.title, rows)]
        if rows:
            blocks += [texts.mastery_line(rows[0]), texts.PROGRESS_LEGEND]
        await send_html(context.bot, chat_id, blocks)
    elif offer is not None:
        await send_html(
            context.bot,
            chat_id,
            texts.resume_offer(mode, deck.title, done, total),
            keyboards.resume_or_restart(mode, offer.id),
        )
    elif view is None:
        await send_html(context.bot, chat_id, texts.DECK_TOO_SMALL)
    else:
        await _SHOW[mode](context, chat_id, view)


async def _resume(update: Update, context: FlashContext, data: StudyMove) -> None:
    """'Continue' or 'Start over' under the offer of an unfinished Learn or Test session."""
    runtime = context.runtime
    query = update.callback_query
    user_id = update.effective_user.id
    async with runtime.db.session() as session:
        if data.move == "restart":
            status, deck_id, length, kinds = await study.restart_options(
                session, session_id=data.session_id, user_id=user_id, mode=data.mode
            )
            view = None
        elif data.mode == "learn":
            status, view = await study.resume_learn(
                session, session_id=data.session_id, user_id=user_id, now=runtime.now()
            )
        else:
            status, view = await study.resume_test(
                session, session_id=data.session_id, user_id=user_id, now=runtime.now()
            )
    if status is not MoveStatus.OK:
        await query.answer(refusal(status, data.mode))
        return
    await query.answer()
    if query.message is not None:
        await strip_buttons(context.bot, query.message.chat.id, query.message.message_id)
    if data.move == "restart":
        assert deck_id is not None
        await _begin(context, update, data.mode, deck_id, length, kinds, start_over=True)
    else:
        await _SHOW[data.mode](context, update.effective_chat.id, view)


# --- buttons and typed answers ---------------------------------------------------------------


async def on_study_move(update: Update, context: FlashContext, data: StudyMove) -> None:
    """Any button inside a study session: routed to its mode by the payload alone."""
    if data.move in ("continue", "restart"):
        if data.mode not in ("learn", "test"):
            await update.callback_query.answer(texts.STUDY_UNKNOWN)
            return
        await _resume(update, context, data)
        return
    await _MOVES[data.mode](update, context, data)


async def on_typed_answer(update: Update, context: FlashContext) -> None:
    """Text that answers the Learn/Test question waiting for a typed answer.

    Runs before the general text handlers; when it takes the text it stops them, otherwise
    they answer as usual.
    """
    runtime = context.runtime
    chat_id = update.effective_chat.id
    user_id = update.effective_user.id
    async with runtime.db.session() as session:
        message_id = update.effective_message.message_id
        claimed = await claim_message(session, user_id=user_id, message_id=message_id)
        if claimed is None:
            return  # someone new: no question can be waiting
        if not claimed:
            raise ApplicationHandlerStop  # applied before a crash: not to the next question
        outcome = await study.typed_answer(
            session,
            user_id=user_id,
            chat_id=chat_id,
            text=update.effective_message.text or "",
            now=runtime.now(),
        )
    if outcome is None:
        return
    if outcome.message_id is not None:
        await strip_buttons(context.bot, chat_id, outcome.message_id)
    if outcome.attempt is not None:
        await _show_attempt(context, chat_id, outcome)
    elif outcome.learn is not None:
        await learn.show_after_typed(context, chat_id, outcome.learn)
    elif outcome.test is not None:
        await exam.show(context, chat_id, outcome.test)
    raise ApplicationHandlerStop


async def _show_attempt(context: FlashContext, chat_id: int, outcome: study.TypedOutcome) -> None:
    """A self-checked question the learner typed at: their attempt beside the answer, and
    the buttons to say whether they knew it."""
    view = outcome.learn or outcome.test
    assert view is not None and view.asked is not None and outcome.attempt is not None
    render = texts.learn_question if outcome.learn is not None else texts.test_question
    await send_and_remember(
        context,
        chat_id,
        view.session_id,
        render(view, revealed=True, attempt=outcome.attempt),
        keyboards.study_question(
            outcome.mode, view.session_id, view.asked, revealed=True, stop=outcome.mode == "learn"
        ),
    )
