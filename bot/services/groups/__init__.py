"""Group study: a group's setup, its members, its daily post, members grading it, chat
upgrades and quiz rounds, one module each; every public name is importable from here.

Decisions the timetable and handlers rely on:

* A group is scheduled (``next_post_at`` set) only while the bot is a member, may post, is not
  paused and has a deck. The next instant is stored like ``users.next_push_at``, so a sweep is
  an indexed query and a restart loses nothing; ``last_post_on`` (the group's local date) makes
  the post at most once per local day.
* A change of setup (deck, time, timezone, resume) never posts at once: the next post is
  today's time if it is still ahead and nothing was posted today, else tomorrow's. So a group
  set up at noon with the default 09:00 first posts tomorrow, and one whose admin then sets
  `/time 18:00` posts today at 18:00. A post time that passed while the bot was down is
  caught up when it comes back (`DailySlot.day_of`).
* Grading a group post reviews that card for the member *now*, even if it is not due for them
  yet (FSRS handles early reviews), and at most once per post (``group_post_grades``'s key,
  with ``grade_card``'s version check behind it). The first press enrols the member in the
  group's deck (re-activating an enrolment they had left: grading is an explicit choice).
  ``/undo`` of that grade withdraws it from the post too, so the member may grade it again.
* A member first met in a group gets a ``users`` row marked ``blocked``: the bot may not
  message someone who never opened a private chat with it. ``/start`` in private unblocks them
  as it does for anyone, and from then on their private pushes include the group's deck.
* The live "graded by N" count is edited at most once per post per ``EDIT_INTERVAL``; a count
  that changed meanwhile is flushed by the next sweep (``stale_counts``).
"""

from __future__ import annotations

from bot.services.groups.daily_post import (
    DEFAULT_LEASE,
    GroupPostDue,
    PostView,
    claim_due_group_posts,
    confirm_group_post,
    mark_post_sent,
    post_view,
    release_group_post,
)
from bot.services.groups.members import (
    ensure_member,
    group_member_ids,
    reachable_users,
)
from bot.services.groups.migration import (
    migrate_group,
)
from bot.services.groups.post_grades import (
    EDIT_INTERVAL,
    GroupGradeOutcome,
    GroupGradeStatus,
    claim_count_edit,
    grade_group_post,
    post_in_chat,
    stale_counts,
)
from bot.services.groups.quiz_rounds import (
    QuizQuestion,
    group_quiz_questions,
    last_quiz_at,
    store_quiz_polls,
)
from bot.services.groups.setup import (
    DEFAULT_CARDS_PER_POST,
    MAX_CARDS_PER_POST,
    BotMembership,
    bot_membership_changed,
    disable_posting,
    ensure_group,
    group_by_id,
    post_slot,
    reschedule_group,
    set_cards_per_post,
    set_group_deck,
    set_group_paused,
    set_group_time,
    set_group_timezone,
)

__all__ = [
    "DEFAULT_CARDS_PER_POST",
    "DEFAULT_LEASE",
    "EDIT_INTERVAL",
    "MAX_CARDS_PER_POST",
    "BotMembership",
    "GroupGradeOutcome",
    "GroupGradeStatus",
    "GroupPostDue",
    "PostView",
    "QuizQuestion",
    "bot_membership_changed",
    "claim_count_edit",
    "claim_due_group_posts",
    "confirm_group_post",
    "disable_posting",
    "ensure_group",
    "ensure_member",
    "grade_group_post",
    "group_by_id",
    "group_member_ids",
    "group_quiz_questions",
    "last_quiz_at",
    "mark_post_sent",
    "migrate_group",
    "post_in_chat",
    "post_slot",
    "post_view",
    "reachable_users",
    "release_group_post",
    "reschedule_group",
    "set_cards_per_post",
    "set_group_deck",
    "set_group_paused",
    "set_group_time",
    "set_group_timezone",
    "stale_counts",
    "store_quiz_polls",
]
