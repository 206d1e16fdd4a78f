"""The group part of the timetable's sweep: each group's daily post, then throttled count edits.

Sending and refusals are bot.telegram.group_posting's; this module claims the work in batches.
"""

from __future__ import annotations

import functools
import logging
from datetime import datetime, timedelta

from telegram import Bot, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from bot.runtime import Runtime
from bot.services import groups
from bot.telegram import keyboards, texts
from bot.telegram.card_media import has_media, send_card_side
from bot.telegram.group_posting import (
    GroupSweepReport,
    edit_post_count,
    is_no_rights,
    notify_admins,
    render_post,
)
from scheduler.batches import batch_within_lease, claim_in_batches

__all__ = ["GroupPoster"]

log = logging.getLogger(__name__)

_RETRY_FAILED_POST = timedelta(minutes=5)


class GroupPoster:
    """The group part of the timetable's sweep: daily posts, then throttled count edits."""

    def __init__(self, runtime: Runtime, bot: Bot, *, batch_size: int = 100) -> None:
        self.runtime = runtime
        self.bot = bot
        self.batch_size = batch_size

    async def sweep(self, now: datetime) -> GroupSweepReport:
        report = GroupSweepReport()
        settings = self.runtime.settings
        lease = timedelta(seconds=settings.claim_lease_seconds)
        report.examined = await claim_in_batches(
            self.runtime,
            groups.claim_due_group_posts,
            functools.partial(self._post, now=now, report=report),
            now=now,
            lease=lease,
            batch_size=batch_within_lease(
                self.batch_size, lease=lease, per_second=settings.broadcast_share_per_second
            ),
        )
        report.counts_edited = await self.flush_counts(now)
        if report.examined or report.counts_edited:
            log.info(
                "group sweep: %d examined, %d posted, %d removed, %d without rights, "
                "%d failed, %d counts updated",
                report.examined,
                len(report.posted),
                len(report.removed),
                len(report.no_rights),
                len(report.failed),
                report.counts_edited,
            )
        return report

    async def _send(self, chat_id: int, view: groups.PostView) -> Message:
        if has_media(view.question_media):
            # The question's images and sounds go first, then the post as a text message
            # (a one-block list never rides as a caption), so its count edits stay text edits.
            # The answer's media are not sent: they would give the answer away.
            return await send_card_side(
                self.runtime,
                self.bot,
                chat_id,
                [render_post(view)],
                view.question_media,
                keyboards.group_grades(view.post_id),
            )
        return await self.bot.send_message(
            chat_id,
            render_post(view),
            parse_mode=ParseMode.HTML,
            reply_markup=keyboards.group_grades(view.post_id),
            disable_web_page_preview=True,
        )

    async def _post(
        self, due: groups.GroupPostDue, now: datetime, report: GroupSweepReport
    ) -> None:
        chat_id = due.chat_id
        for view in due.posts:
            try:
                try:
                    message = await self._send(chat_id, view)
                except ChatMigrated as moved:
                    # Upgraded to a supergroup since we last heard: move everything, send there.
                    async with self.runtime.db.session() as session:
                        await groups.migrate_group(
                            session, old_chat_id=chat_id, new_chat_id=moved.new_chat_id, now=now
                        )
                    report.migrated.append((chat_id, moved.new_chat_id))
                    chat_id = moved.new_chat_id
                    message = await self._send(chat_id, view)
            except Forbidden as error:
                log.info("bot removed from group %s: %s", chat_id, error)
                report.removed.append(chat_id)
                async with self.runtime.db.session() as session:
                    await groups.disable_posting(session, chat_id=chat_id, still_member=False)
                return
            except BadRequest as error:
                if not is_no_rights(error):
                    await self._release(chat_id, now, report, error)
                    return
                log.info("bot may not post in group %s: %s", chat_id, error)
                report.no_rights.append(chat_id)
                async with self.runtime.db.session() as session:
                    changed = await groups.disable_posting(
                        session, chat_id=chat_id, still_member=True
                    )
                if changed:
                    await notify_admins(
                        self.bot, self.runtime, chat_id, texts.group_rights_lost(due.title)
                    )
                return
            except (TelegramError, OSError) as error:
                # The rate limiter already waited out RetryAfter; anything still failing is
                # released so a later sweep sends the rest of today's post.
                await self._release(chat_id, now, report, error)
                return
            async with self.runtime.db.session() as session:
                await groups.mark_post_sent(
                    session, post_id=view.post_id, message_id=message.message_id
                )
        async with self.runtime.db.session() as session:
            await groups.confirm_group_post(session, chat_id=chat_id, now=now)
        report.posted.append(chat_id)

    async def _release(
        self, chat_id: int, now: datetime, report: GroupSweepReport, error: Exception
    ) -> None:
        log.warning("group post to %s failed: %s", chat_id, error)
        report.failed.append(chat_id)
        async with self.runtime.db.session() as session:
            await groups.release_group_post(
                session, chat_id=chat_id, now=now, retry_in=_RETRY_FAILED_POST
            )

    async def flush_counts(self, now: datetime) -> int:
        """Edit every post whose count changed while its edits were throttled."""
        async with self.runtime.db.session() as session:
            stale = await groups.stale_counts(session, now=now)
        edited = 0
        for post_id in stale:
            async with self.runtime.db.session() as session:
                view = await groups.claim_count_edit(session, post_id=post_id, now=now)
            if view is not None and await edit_post_count(self.bot, view):
                edited += 1
        return edited
