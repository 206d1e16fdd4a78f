"""Building the Application: handlers registered in one place, lifecycle in post_init/shutdown."""

from __future__ import annotations

import enum
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeDefault,
    Update,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    PollAnswerHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.config import Settings
from bot.fit_pool import FitPool
from bot.runtime import Clock, JobRunner, Runtime, StudySeed, Timetable, system_clock
from bot.services.decks import load_bundled_decks
from bot.storage.db import Database
from bot.telegram import callbacks as cb
from bot.telegram import texts
from bot.telegram.answering import AnsweringBot
from bot.telegram.context import FlashContext
from bot.telegram.handlers import (
    authoring,
    export,
    general,
    groups,
    imports,
    leeches,
    memory_model,
    onboarding,
    own_decks,
    quiz,
    review,
    settings,
    study,
)
from bot.telegram.rate_limits import TrafficRateLimiter
from bot.telegram.update_order import PerChatUpdateProcessor

__all__ = ["build_application"]

log = logging.getLogger(__name__)


class Scope(enum.Enum):
    """Where a command works and whose menu lists it."""

    PRIVATE = "private"  # private chats; the menu there (and the default one)
    GROUP = "group"  # group chats; every member's menu
    GROUP_ADMIN = "group_admin"  # group chats; only admins' menu (the handler checks rights)


@dataclass(frozen=True)
class Command:
    """One command: its handler, where it works, and whether the menu lists it (the
    description is texts.COMMAND_MENU's or texts.GROUP_COMMAND_MENU's)."""

    name: str
    callback: Callable[[Update, FlashContext], Awaitable[None]]
    scope: Scope
    in_menu: bool = True

    @property
    def description(self) -> str:
        menu = texts.COMMAND_MENU if self.scope is Scope.PRIVATE else texts.GROUP_COMMAND_MENU
        return menu[self.name]


P, G, A = Scope.PRIVATE, Scope.GROUP, Scope.GROUP_ADMIN
# Every command, in menu order. Group commands answer /command@botname too.
COMMANDS = (
    Command("start", onboarding.on_start, P),
    Command("review", review.on_review, P),
    Command("cards", study.on_cards, P),
    Command("learn", study.on_learn, P),
    Command("test", study.on_test, P),
    Command("match", study.on_match, P),
    Command("quiz", study.on_quiz, P),
    Command("progress", study.on_progress, P),
    Command("decks", onboarding.on_decks, P),
    Command("undo", review.on_undo, P),
    Command("stats", review.on_stats, P),
    Command("leeches", leeches.on_leeches, P),
    Command("settings", settings.on_settings, P),
    Command("time", settings.on_time, P),
    Command("timezone", settings.on_timezone, P),
    Command("newcards", settings.on_newcards, P),
    Command("retention", memory_model.on_retention, P),
    Command("optimize", memory_model.on_optimize, P),
    Command("leech", leeches.on_leech, P),
    Command("pause", settings.on_pause, P),
    Command("resume", settings.on_resume, P),
    Command("newdeck", authoring.on_newdeck, P),
    Command("add", authoring.on_add, P),
    Command("export", export.on_export, P),
    Command("help", general.on_help, P),
    # ending what /add, ✏️ Edit or Rename asked: said in those messages, not in the menu
    Command("done", authoring.on_done, P, in_menu=False),
    Command("cancel", authoring.on_cancel, P, in_menu=False),
    # group study
    Command("settings", groups.on_group_settings, G),
    Command("progress", groups.on_group_progress, G),
    Command("quiz", groups.on_group_quiz, G),
    Command("help", groups.on_group_help, G),
    Command("start", groups.on_group_help, G, in_menu=False),
    Command("deck", groups.on_group_deck, A),
    Command("time", groups.on_group_time, A),
    Command("timezone", groups.on_group_timezone, A),
    Command("cards_per_post", groups.on_group_cards_per_post, A),
    Command("pause", groups.on_group_pause, A),
    Command("resume", groups.on_group_resume, A),
)


# Every kind of inline button and the handler it goes to, decoded.
BUTTONS = {
    cb.StartReview: review.on_start_review,
    cb.ShowAnswer: review.on_show_answer,
    cb.Grading: review.on_grade,
    cb.Enrol: onboarding.on_enrol,
    cb.Leave: onboarding.on_leave,
    cb.GroupGrade: groups.on_group_grade,
    cb.GroupDeck: groups.on_group_deck_pick,
    cb.PickDeck: study.on_pick_deck,
    cb.StudyMove: study.on_study_move,
    cb.CardEdit: authoring.on_card_edit,
    cb.BulkChoice: authoring.on_bulk_choice,
    cb.DeckMenu: own_decks.on_deck_menu,
    cb.JoinShared: own_decks.on_join_shared,
    cb.GroupOwnDeck: groups.on_group_deck_pick,
    cb.ExportDeck: export.on_export_pick,
    cb.ImportChoice: imports.on_import_choice,
    cb.Leech: leeches.on_leech_button,
}


def _menu(*scopes: Scope) -> list[BotCommand]:
    return [BotCommand(c.name, c.description) for c in COMMANDS if c.in_menu and c.scope in scopes]


def register(application: Application) -> None:
    """Every handler, in the order they are tried."""
    private = filters.ChatType.PRIVATE
    for command in COMMANDS:
        chats = private if command.scope is Scope.PRIVATE else filters.ChatType.GROUPS
        application.add_handler(CommandHandler(command.name, command.callback, filters=chats))
    application.add_handler(
        ChatMemberHandler(groups.on_bot_membership, ChatMemberHandler.MY_CHAT_MEMBER)
    )
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, groups.on_group_migrated))
    # Inline buttons: one handler per kind of payload (bot.telegram.callbacks), then one that
    # answers anything else (forged or foreign data).
    for kind, handle in BUTTONS.items():
        application.add_handler(
            CallbackQueryHandler(general.on_button(kind, handle), pattern=cb.pattern(kind))
        )
    application.add_handler(CallbackQueryHandler(general.on_unknown_button))
    # Quiz-poll votes, private quizzes and group rounds alike.
    application.add_handler(PollAnswerHandler(quiz.on_poll_answer))
    # First of all (group -2): a reply to what /add, ✏️ Edit or Rename asked is taken
    # (ApplicationHandlerStop); any other private command ends such a conversation first.
    application.add_handler(
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, authoring.on_reply), group=-2
    )
    application.add_handler(
        MessageHandler(private & filters.COMMAND, authoring.on_any_command), group=-2
    )
    # Before the handlers below (group -1): private text answering a Learn/Test question is
    # taken (ApplicationHandlerStop); any other text falls through to on_stray_text.
    application.add_handler(
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, study.on_typed_answer), group=-1
    )
    # A deck file: imported in private chat; in a group, pointed to the private chat.
    application.add_handler(MessageHandler(private & filters.Document.ALL, imports.on_document))
    application.add_handler(
        MessageHandler(filters.ChatType.GROUPS & filters.Document.ALL, imports.on_group_document)
    )
    # Last: anything else in private chat gets a pointer to /help.
    application.add_handler(MessageHandler(private & filters.COMMAND, general.on_unknown_command))
    application.add_handler(
        MessageHandler(
            private & ~filters.COMMAND & ~filters.StatusUpdate.ALL, general.on_stray_text
        )
    )
    application.add_error_handler(general.on_error)


# Builds the timetable once the bot is up; given by the composition (scheduler.compose),
# since nothing in bot/ imports the layer above it.
TimetableFactory = Callable[[Runtime, Bot], Timetable]
# Likewise the job worker, built from the Application (it runs jobs with a context of it).
JobRunnerFactory = Callable[[Application], JobRunner]
# bot_data key: the chart pool was made in post_init, so post_shutdown stops it.
_OWNS_CHART_POOL = "owns_chart_pool"


async def _post_init(
    application: Application,
    *,
    timetable: TimetableFactory | None,
    start_timetable: bool,
    jobs: JobRunnerFactory | None,
) -> None:
    runtime: Runtime = application.bot_data["runtime"]
    # Several processes starting at once on one Postgres take turns: one migrates and syncs
    # the decks, the others find it done.
    async with runtime.db.exclusive("flashtutor-startup"):
        await runtime.db.migrate()
        report = await load_bundled_decks(runtime.db, runtime.settings.decks_dir, now=runtime.now())
    if report.errors:
        log.error("%d deck file(s) could not be loaded; see above", len(report.errors))
    bot = application.bot
    await bot.set_my_commands(_menu(Scope.PRIVATE), scope=BotCommandScopeDefault())
    await bot.set_my_commands(_menu(Scope.PRIVATE), scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands(_menu(Scope.GROUP), scope=BotCommandScopeAllGroupChats())
    await bot.set_my_commands(
        _menu(Scope.GROUP, Scope.GROUP_ADMIN), scope=BotCommandScopeAllChatAdministrators()
    )
    # FSRS fits hold the GIL for seconds: they run in worker processes, spawned on first use.
    runtime.fit_pool = FitPool(workers=1)
    # Charts hold it for a few hundred milliseconds: a worker of their own, so a long fit
    # never delays a /stats, spawned on first use (or given, shared by the tests' bots).
    if runtime.chart_pool is None:
        runtime.chart_pool = FitPool(workers=1)
        application.bot_data[_OWNS_CHART_POOL] = True
    if timetable is not None:
        runtime.timetable = timetable(runtime, application.bot)
        if start_timetable:
            runtime.timetable.start()
    if jobs is not None:
        runtime.jobs = jobs(application)
        runtime.jobs.start()


async def _post_shutdown(application: Application) -> None:
    runtime: Runtime = application.bot_data["runtime"]
    if runtime.jobs is not None:
        await runtime.jobs.shutdown()  # a job cut short is claimed again after its lease
    if runtime.timetable is not None:
        await runtime.timetable.shutdown()
    if runtime.fit_pool is not None:
        runtime.fit_pool.shutdown()
        runtime.fit_pool = None
    if application.bot_data.pop(_OWNS_CHART_POOL, False) and runtime.chart_pool is not None:
        runtime.chart_pool.shutdown()
        runtime.chart_pool = None
    await runtime.db.dispose()


def build_application(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    timetable: TimetableFactory | None = None,
    start_timetable: bool = True,
    jobs: JobRunnerFactory | None = None,
    rate_limiter: bool = True,
    study_seed: StudySeed = None,
    chart_pool: FitPool | None = None,
) -> Application:
    """The bot, ready for `bot.launch.run()`; nothing connects until it starts.

    `timetable` builds the sweep jobs in post_init (started unless `start_timetable` is
    False: tests call its sweep themselves); `jobs` builds the job worker, always started;
    `study_seed` fixes new study sessions' seeds;
    `chart_pool` is a chart worker kept by the caller (tests share one warm worker).
    No Updater: bot.telegram.polling fetches updates and confirms each once it is handled.
    """
    base = (settings.telegram_base_url or "https://api.telegram.org/bot").rstrip("/")
    bot = AnsweringBot(
        settings.bot_token.get_secret_value(),
        base_url=base,
        base_file_url=base.removesuffix("/bot") + "/file/bot",
        request=HTTPXRequest(connection_pool_size=256),
        get_updates_request=HTTPXRequest(connection_pool_size=1),
        rate_limiter=(
            # Telegram's bulk limit is per bot: REPLICAS processes each take their share.
            TrafficRateLimiter(
                broadcast_per_second=settings.broadcast_share_per_second,
                chat_per_second=settings.chat_messages_per_second,
            )
            if rate_limiter
            else None
        ),
    )
    builder = (
        ApplicationBuilder()
        .bot(bot)
        .updater(None)
        .context_types(ContextTypes(context=FlashContext))
        .post_init(
            functools.partial(
                _post_init, timetable=timetable, start_timetable=start_timetable, jobs=jobs
            )
        )
        .post_shutdown(_post_shutdown)
        .concurrent_updates(PerChatUpdateProcessor())
        .job_queue(None)  # the timetable owns the only APScheduler (scheduler/timetable.py)
    )
    application = builder.build()
    runtime = Runtime(
        settings=settings,
        db=Database(settings.database_url),
        clock=clock,
        study_seed=study_seed,
        chart_pool=chart_pool,
    )
    application.bot_data["runtime"] = runtime
    register(application)
    return application


ALLOWED_UPDATES = Update.ALL_TYPES
