"""Building the Application: handlers registered in one place, lifecycle in post_init/shutdown."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

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
from bot.runtime import Clock, Runtime, StudySeed, Timetable, system_clock
from bot.services.decks import load_bundled_decks
from bot.storage.db import Database
from bot.telegram import texts
from bot.telegram.answering import AnsweringBot
from bot.telegram.context import FlashContext
from bot.telegram.handlers import (
    authoring,
    export,
    general,
    groups,
    onboarding,
    quiz,
    review,
    settings,
    study,
)
from bot.telegram.rate_limits import TrafficRateLimiter
from bot.telegram.update_order import PerChatUpdateProcessor

__all__ = ["build_application"]

log = logging.getLogger(__name__)


def register(application: Application) -> None:
    """Every handler, in the order they are tried."""
    private = filters.ChatType.PRIVATE
    commands = {
        # onboarding
        "start": onboarding.on_start,
        "decks": onboarding.on_decks,
        # spaced review
        "review": review.on_review,
        "undo": review.on_undo,
        "stats": review.on_stats,
        # study modes
        "cards": study.on_cards,
        "learn": study.on_learn,
        "test": study.on_test,
        "match": study.on_match,
        "quiz": study.on_quiz,
        "progress": study.on_progress,
        # settings
        "settings": settings.on_settings,
        "time": settings.on_time,
        "timezone": settings.on_timezone,
        "newcards": settings.on_newcards,
        "pause": settings.on_pause,
        "resume": settings.on_resume,
        "help": general.on_help,
        # your own decks: writing cards in chat, export
        "newdeck": authoring.on_newdeck,
        "add": authoring.on_add,
        "done": authoring.on_done,
        "cancel": authoring.on_cancel,
        "export": export.on_export,
    }
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback, filters=private))
    # group study: group chats only (CommandHandler also accepts /command@botname)
    group_commands = {
        "start": groups.on_group_help,
        "help": groups.on_group_help,
        "settings": groups.on_group_settings,
        "deck": groups.on_group_deck,
        "time": groups.on_group_time,
        "timezone": groups.on_group_timezone,
        "cards_per_post": groups.on_group_cards_per_post,
        "pause": groups.on_group_pause,
        "resume": groups.on_group_resume,
        "quiz": groups.on_group_quiz,
        "progress": groups.on_group_progress,
    }
    for name, callback in group_commands.items():
        application.add_handler(CommandHandler(name, callback, filters=filters.ChatType.GROUPS))
    application.add_handler(
        ChatMemberHandler(groups.on_bot_membership, ChatMemberHandler.MY_CHAT_MEMBER)
    )
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, groups.on_group_migrated))
    # Every button press goes through one router that validates the payload.
    application.add_handler(CallbackQueryHandler(general.on_callback))
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


async def _post_init(
    application: Application, *, timetable: TimetableFactory | None, start_timetable: bool
) -> None:
    runtime: Runtime = application.bot_data["runtime"]
    await runtime.db.migrate()
    report = await load_bundled_decks(runtime.db, runtime.settings.decks_dir, now=runtime.now())
    if report.errors:
        log.error("%d deck file(s) could not be loaded; see above", len(report.errors))
    commands = [BotCommand(name, description) for name, description in texts.COMMANDS]
    await application.bot.set_my_commands(commands, scope=BotCommandScopeDefault())
    await application.bot.set_my_commands(commands, scope=BotCommandScopeAllPrivateChats())
    in_groups = [BotCommand(name, description) for name, description in texts.GROUP_COMMANDS]
    await application.bot.set_my_commands(in_groups, scope=BotCommandScopeAllGroupChats())
    for_admins = [BotCommand(name, description) for name, description in texts.GROUP_ADMIN_COMMANDS]
    await application.bot.set_my_commands(for_admins, scope=BotCommandScopeAllChatAdministrators())
    if timetable is not None:
        runtime.timetable = timetable(runtime, application.bot)
        if start_timetable:
            runtime.timetable.start()


async def _post_shutdown(application: Application) -> None:
    runtime: Runtime = application.bot_data["runtime"]
    if runtime.timetable is not None:
        await runtime.timetable.shutdown()
    await runtime.db.dispose()


def build_application(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    timetable: TimetableFactory | None = None,
    start_timetable: bool = True,
    rate_limiter: bool = True,
    study_seed: StudySeed = None,
) -> Application:
    """The bot, ready for `bot.launch.run()`; nothing connects until it starts.

    `timetable` builds the sweep jobs in post_init (started unless `start_timetable` is
    False: tests call its sweep themselves); `study_seed` fixes new study sessions' seeds.
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
            TrafficRateLimiter(broadcast_per_second=settings.broadcast_per_second)
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
            functools.partial(_post_init, timetable=timetable, start_timetable=start_timetable)
        )
        .post_shutdown(_post_shutdown)
        .concurrent_updates(PerChatUpdateProcessor())
        .job_queue(None)  # the timetable owns the only APScheduler (scheduler/timetable.py)
    )
    application = builder.build()
    runtime = Runtime(
        settings=settings, db=Database(settings.database_url), clock=clock, study_seed=study_seed
    )
    application.bot_data["runtime"] = runtime
    register(application)
    return application


ALLOWED_UPDATES = Update.ALL_TYPES
