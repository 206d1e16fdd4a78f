"""Every user-facing string, rendered as Telegram HTML with all deck and user text escaped."""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.card_text import card_html, card_plain
from bot.core.fitting import FitResult
from bot.core.localtime import MAX_TIMEZONE_NAME, format_minute
from bot.core.markup import to_plain_text
from bot.core.mastery import Mastery
from bot.core.srs import Grade, format_interval
from bot.core.study import (
    MultipleChoice,
    Question,
    TrueFalse,
    Written,
    WrongAnswer,
    option_label,
    tile_label,
    tile_labels,
)
from bot.services.parameters import PersonalParameters
from bot.services.review import DeckStats, QueueEnd, ReviewCard
from bot.services.study import (
    BrowseView,
    DeckCards,
    LearnView,
    MatchView,
    ProgressRow,
    QuizView,
    TestView,
)

__all__ = [
    "MAX_MESSAGE_CHARS",
    "counted",
    "end_sentence",
    "esc",
    "split_message",
    "visible_length",
]

MAX_MESSAGE_CHARS = 4096
_TAG = re.compile(r"<[^>]+>")


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def end_sentence(html_text: str) -> str:
    """`html_text` closed as a sentence: a full stop is added unless its visible text already
    ends in one ('.', '!', '?' or '…'), so a card's text can be followed by another sentence."""
    visible = html.unescape(_TAG.sub("", html_text)).rstrip()
    return html_text if visible.endswith((".", "!", "?", "…")) else f"{html_text}."


def counted(count: int, noun: str) -> str:
    """`count` with its noun, plural unless the count is one: '1 card', '3 cards', '1,204 cards'."""
    return f"{count:,} {noun}{'s' if count != 1 else ''}"


def visible_length(html_text: str) -> int:
    """Length as Telegram counts it: after entity parsing, in UTF-16 code units."""
    plain = html.unescape(_TAG.sub("", html_text))
    return len(plain.encode("utf-16-le")) // 2


def split_message(blocks: list[str], limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Join self-contained HTML blocks into as few messages as fit; never truncate.

    A block too long on its own is sent as escaped plain text in line-wise chunks, so
    no tag is ever cut in half.
    """
    messages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}\n\n{block}" if current else block
        if visible_length(candidate) <= limit:
            current = candidate
            continue
        if current:
            messages.append(current)
            current = ""
        if visible_length(block) <= limit:
            current = block
            continue
        messages.extend(_split_plain(html.unescape(_TAG.sub("", block)), limit))
    if current:
        messages.append(current)
    return messages


def _split_plain(text: str, limit: int) -> list[str]:
    chunks: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while visible_length(esc(line)) > limit:  # a single monster line: hard-wrap it
            head, line = line[: limit // 2], line[limit // 2 :]
            if current:
                chunks.append(current)
                current = ""
            chunks.append(head)
        if visible_length(esc(current + line)) > limit:
            chunks.append(current)
            current = ""
        current += line
    if current:
        chunks.append(current)
    return [esc(chunk.strip("\n")) for chunk in chunks if chunk.strip()]


# --- general -------------------------------------------------------------------------

HELP = (
    "<b>Flashtutor</b> — learn flashcards with spaced repetition.\n\n"
    "Every day at your review time I send you the cards that are due. Read the question, "
    "tap <b>Show answer</b>, then grade yourself honestly: <b>Again</b> (forgot), "
    "<b>Hard</b>, <b>Good</b> or <b>Easy</b>. FSRS picks when each card comes back.\n\n"
    "/review — study the cards due now\n"
    "/cards — leaf through a deck's flashcards\n"
    "/learn — learn a deck step by step (<code>/learn 8</code>: 8 cards)\n"
    "/test — a scored test (<code>/test 5 mc tf</code>: 5 questions, chosen kinds)\n"
    "/match — match questions with answers against the clock\n"
    "/quiz — a quick quiz (<code>/quiz 3</code>: 3 questions)\n"
    "/progress — a deck's table: mastery and your latest Learn, Test and Match results\n"
    "/decks — choose decks to study or leave; manage your own (cards, rename, share, delete)\n"
    "/newdeck Title — a deck of your own; /add — write cards into it "
    "(<code>question :: answer</code> lines add many at once; /done when finished)\n"
    "/export — a deck you study as an Anki package, a CSV and Quizlet text\n"
    "📎 Send me a deck file — Anki (.apkg, .colpkg), Quizlet export (.txt), CSV/TSV — "
    "to study your own cards: I show a preview first\n"
    "/undo — take back your last grade\n"
    "/stats — spaced review per deck: card counts, what is due, reviews today, streak, "
    "with charts\n"
    "/leeches — cards you keep forgetting, suspended after 8 lapses (<code>/leech 10</code> "
    "changes when; <code>/leech 0</code>: never)\n"
    "/settings — your review time, timezone and limits\n"
    "/time HH:MM — daily review time\n"
    "/timezone Area/City — your timezone, e.g. Europe/Berlin\n"
    "/newcards N — new cards per day\n"
    "/retention N — how much you want to remember, 70–97% (higher: more reviews)\n"
    "/optimize — fit FSRS to your own reviews now (it also happens by itself monthly)\n"
    "/pause and /resume — stop or restart the daily message\n"
    "/help — this message"
)

UNKNOWN_COMMAND = "I don't know that command. /help lists what I can do."
STRAY_TEXT = (
    "I only understand commands and buttons. /review studies due cards; /help lists the rest."
)
DB_UNAVAILABLE = (
    "The database is unavailable right now. Nothing was lost — please try again in a minute."
)
INTERNAL_ERROR = (
    "Something went wrong on my side (it has been logged). Nothing was lost — please try again."
)
STILL_WORKING = "Working on it…"
BUTTON_WITHOUT_CHAT = "This button only works in a chat with me."

# What the command menu says of each command (the menu and its order: bot.telegram.app).
COMMAND_MENU = {
    "start": "Welcome and deck choice",
    "review": "Study the cards due now",
    "cards": "Browse a deck's flashcards",
    "learn": "Learn a deck step by step",
    "test": "Take a scored test",
    "match": "Match questions and answers, timed",
    "quiz": "A quick quiz",
    "progress": "Mastery and Learn/Test/Match results",
    "decks": "Choose decks to study",
    "undo": "Take back the last grade",
    "stats": "Spaced review: due cards, streak, charts",
    "leeches": "Suspended cards you keep forgetting",
    "settings": "Review time, timezone, limits",
    "time": "Set the daily review time (HH:MM)",
    "timezone": "Set your timezone (Area/City)",
    "newcards": "New cards per day",
    "retention": "Desired retention, 70–97%",
    "optimize": "Fit FSRS to your reviews",
    "leech": "Lapses that suspend a card (0 = off)",
    "pause": "Pause daily messages",
    "resume": "Resume daily messages",
    "newdeck": "Create a deck of your own",
    "add": "Add cards to your deck",
    "export": "Download a deck (Anki, CSV, Quizlet)",
    "help": "How this works",
}


def welcome(
    first_name: str,
    decks: list[tuple[str, str, int]],
    studying: Collection[str] = (),
    *,
    returning: bool | None = None,
) -> str:
    """The /start message: a newcomer is greeted and picks a first deck; a returning learner
    (by default: one who studies a deck) is welcomed back. Decks studied are marked ✅."""
    studies = any(slug in studying for slug, _title, _count in decks)
    if returning if returning is not None else studies:
        head = f"Welcome back, {esc(first_name)}! /review studies the cards due now."
    else:
        head = (
            f"Hi {esc(first_name)}! I'm <b>Flashtutor</b>: I help you remember flashcards for "
            "good, with a few minutes of review a day."
        )
    if not decks:
        prompt = "There are no decks yet."
    elif studies:
        prompt = "Your decks (✅ studying) — tap another to add it:"
    else:
        prompt = "Pick a deck to start:"
    lines = [head, "", prompt]
    for slug, title, count in decks:
        mark = "✅ " if slug in studying else ""
        lines.append(f"• {mark}<b>{esc(title)}</b> — {counted(count, 'card')}")
    return "\n".join(lines)


def deck_list(rows: list[tuple[str, str, str, int, bool]]) -> str:
    if not rows:
        return "There are no decks yet."
    lines = ["<b>Decks</b>"]
    for _slug, title, description, count, enrolled in rows:
        mark = "✅ studying" if enrolled else "not studying"
        cards = counted(count, "card")
        lines.append(f"\n<b>{esc(title)}</b> · {cards} · {mark}\n{esc(description)}")
    return "\n".join(lines)


def enrolled(
    title: str,
    count: int,
    already: bool,
    *,
    wait: QueueEnd | None = None,
    zone: ZoneInfo | None = None,
) -> str:
    """Enrolment confirmed; with `wait` (no card of the deck to show) it says plainly why."""
    if already:
        head = f"You're already studying <b>{esc(title)}</b>."
        first = "Here's its next card."
    else:
        head = f"You're now studying <b>{esc(title)}</b> ({counted(count, 'card')})."
        first = "Let's start — here's its first card."
    if wait is None or zone is None:
        return f"{head} {first}"
    if wait.new_waiting and not wait.new_per_day:
        why = (
            "Your new-card limit is 0, so no new cards start. "
            "Send <code>/newcards 10</code> to begin this deck."
        )
    elif wait.new_waiting:
        why = (
            f"You've started today's {counted(wait.new_per_day, 'new card')} already "
            "(/newcards changes the limit), so its first cards come "
            f"{when(wait.next_due, zone)}."
        )
    elif wait.next_due is not None:
        why = f"Nothing in it is due right now; its next card is due {when(wait.next_due, zone)}."
    else:
        why = "It has no cards to study."
    return f"{head} {why}"


def decks_removed(titles: list[str]) -> str:
    """Told once, on the next /decks: decks the learner studied were taken out of decks/."""
    names = ", ".join(f"<b>{esc(t)}</b>" for t in titles)
    if len(titles) == 1:
        return (
            f"ℹ️ {names} was removed from the bot, so you no longer study it. "
            "Your history is kept: if it comes back, pick it again here."
        )
    return (
        f"ℹ️ {names} were removed from the bot, so you no longer study them. "
        "Your history is kept: if they come back, pick them again here."
    )


def left(title: str) -> str:
    return f"You left <b>{esc(title)}</b>. Your history is kept if you come back."


UNKNOWN_DECK = "I don't know that deck. /decks lists the ones you can study."
NOT_STUDYING = "You're not studying that deck."
NO_STUDY_DECKS = "You're not studying any deck yet. /decks to pick one."

# --- review ----------------------------------------------------------------------------


def _card_header(study: ReviewCard) -> str:
    """The deck and what is left to study now, this card included: '12 cards left'."""
    left = f"{counted(study.left_in_deck, 'card')} left"
    if study.left != study.left_in_deck:
        left += f" here · {study.left} in all"
    return f"<b>{esc(study.deck.title)}</b> · {left}"


TYPE_YOUR_ANSWER = "✍️ <i>Type your answer — or tap Show answer.</i>"


def card_question(card) -> str:
    """A stored card's question as Telegram HTML, whichever form it is stored in."""
    return card_html(card.question, card.text_format)


def card_answer(card) -> str:
    return card_html(card.answer, card.text_format)


def question(study: ReviewCard) -> str:
    text = f"{_card_header(study)}\n\n{card_question(study.card)}"
    if study.card.kind == "typed":
        text += f"\n\n{TYPE_YOUR_ANSWER}"
    return text


ATTEMPT_CHARS = 500  # a typed attempt beside a self-checked answer: enough to compare


def attempt_block(attempt: str | None) -> str:
    """What the learner typed before seeing the answer, as a block above it ('' if nothing)."""
    if attempt is None:
        return ""
    shown = attempt if len(attempt) <= ATTEMPT_CHARS else attempt[:ATTEMPT_CHARS] + "…"
    return f"<b>Your attempt</b>\n{esc(shown.strip())}\n\n"


def question_and_answer(study: ReviewCard, *, attempt: str | None = None) -> str:
    return (
        f"{_card_header(study)}\n\n{card_question(study.card)}\n\n"
        f"{attempt_block(attempt)}<b>Answer</b>\n{card_answer(study.card)}"
    )


def answer_only(study: ReviewCard) -> str:
    return f"<b>Answer</b>\n{card_answer(study.card)}"


TYPED_ATTEMPT_CHARS = 300


def typed_review_result(study: ReviewCard, attempt: str, correct: bool, exact: bool) -> str:
    """A typed-answer card checked: the attempt, the verdict and the answer; grade next."""
    shown = attempt.strip()
    if len(shown) > TYPED_ATTEMPT_CHARS:
        shown = shown[:TYPED_ATTEMPT_CHARS] + "…"
    if correct:
        verdict = "✅ Correct." if exact else "✅ Correct (nearly exactly)."
        hint = "Grade how easy it was."
    else:
        verdict = "❌ Not quite."
        hint = "<b>Again</b> brings it back soon."
    return (
        f"{_card_header(study)}\n\n{card_question(study.card)}\n\n"
        f"<b>Your attempt</b>\n{esc(shown)}\n{verdict}\n\n"
        f"<b>Answer</b>\n{card_answer(study.card)}\n\n<i>{hint}</i>"
    )


def graded(question_html: str, grade: Grade, interval) -> str:
    return f"{question_html}\n\n<i>{grade.label} — next in {format_interval(interval)}</i>"


def graded_line(question: str, grade: Grade, interval) -> str:
    """The one-line record of a grade that heads the next card: what was graded, and how."""
    excerpt = tile_label(to_plain_text(question), 60)
    return f"<i>✓ {grade.label} — next in {format_interval(interval)}:</i> {esc(excerpt)}"


def after_grade(record: str, following: str) -> str:
    """A graded card edited into what follows it (the next card, or the session's end)."""
    return f"{record}\n\n{following}"


def grade_label(grade: Grade, interval) -> str:
    return f"{grade.label} · {format_interval(interval)}"


def _what_next(end: QueueEnd, zone: ZoneInfo) -> str:
    if end.new_waiting and not end.new_per_day:
        return (
            "Your new-card limit is 0, so no new cards start; "
            "<code>/newcards 10</code> lets them in."
        )
    if end.next_due is None:
        return "No more cards are scheduled. /decks to add a deck."
    text = f"Next card due {when(end.next_due, zone)}."
    if end.new_waiting:
        text += " Today's new-card limit is reached (/newcards changes it)."
    return text


def session_done(end: QueueEnd, zone: ZoneInfo) -> str:
    """The queue ran out after some study today: distinct cards reviewed, and what next."""
    head = f"Done for now — {counted(end.reviewed_today, 'card')} reviewed today."
    return f"{head}\n{_what_next(end, zone)}"


def nothing_due(end: QueueEnd, zone: ZoneInfo, studying: bool) -> str:
    if not studying:
        return NO_STUDY_DECKS
    return f"Nothing is due right now. {_what_next(end, zone)}"


def when(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return local.strftime("%a %d %b, %H:%M") + f" ({esc(zone.key)})"


def next_daily(moment: datetime, zone: ZoneInfo, now: datetime) -> str:
    """When the next daily message or post comes, as a person says it: 'today at 20:00'."""
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    days = (local.date() - today).days
    day = {0: "today", 1: "tomorrow"}.get(days, local.strftime("on %a %d %b"))
    return f"{day} at {local:%H:%M}"


STALE_GRADED = "Already graded — this card has moved on."
STALE_NOT_DUE = "This card isn't due any more."
STALE_NOT_ENROLLED = "You're not studying this card's deck any more."
FORGED = "This button isn't valid. /review to study."


def grade_recorded(grade: Grade, interval) -> str:
    return f"Recorded: {grade.label} — next in {format_interval(interval)}"


def undone(question_plain_html: str, grade: Grade) -> str:
    return f"Undid your <b>{grade.label}</b> on:\n{question_plain_html}\n\nIt's back in your queue."


NOTHING_TO_UNDO = "There's nothing to undo."


def review_moved_on(question_html: str) -> str:
    """An older card message once a newer one has taken over (after /undo, a second /review)."""
    return f"{question_html}\n\n<i>Moved on — your current card is in the newest message.</i>"


# --- stats & settings --------------------------------------------------------------------


def mastery_counts(m: Mastery) -> str:
    """The levels of a deck's cards, worded alike on /stats and /progress."""
    suspended = f" · suspended {m.suspended}" if m.suspended else ""
    return (
        f"Mastered {m.mastered} · learning {m.learning} · not studied {m.not_studied}"
        f"{suspended} of {counted(m.total, 'card')}"
    )


CHART_UNAVAILABLE = (
    "<i>(The chart could not be drawn this time; the numbers above are current.)</i>"
)


def stats(rows: list[DeckStats], streak: int) -> str:
    if not rows:
        return NO_STUDY_DECKS
    blocks = []
    for s in rows:
        status = s.status
        blocks.append(
            f"<b>{esc(s.deck.title)}</b>\n"
            f"{mastery_counts(status.mastery)}\n"
            f"Mastery {status.mastery.percent}%\n"
            f"Due now {status.due_now} · later today {status.due_later_today} · "
            f"tomorrow {status.due_tomorrow}\n"
            f"Reviews today {s.reviews_today}"
        )
    blocks.append(f"Streak: {counted(streak, 'day')} 🔥")
    return "\n\n".join(blocks)


def settings(
    *,
    timezone: str,
    review_minute: int,
    new_cards: int,
    retention: float,
    paused: bool,
    decks: list[str],
    next_push: datetime | None,
    fitted: PersonalParameters | None = None,
    leech_threshold: int = 8,
) -> str:
    zone = ZoneInfo(timezone)
    lines = [
        "<b>Your settings</b>",
        f"Daily review time: {format_minute(review_minute)} (/time HH:MM)",
        f"Timezone: {esc(timezone)} (/timezone Area/City)",
        f"New cards per day: {new_cards} (/newcards N)",
        f"Desired retention: {round(retention * 100)}% (/retention N)",
        fsrs_parameters(fitted, zone),
        f"Leeches: {leech_setting(leech_threshold)} (/leech N)",
        f"Daily message: {'paused (/resume)' if paused else 'on (/pause)'}",
        "Decks: " + (", ".join(esc(d) for d in decks) if decks else "none (/decks)"),
    ]
    if next_push is not None and not paused:
        lines.append(f"Next daily message: {when(next_push, zone)}")
    return "\n".join(lines)


# --- leeches ------------------------------------------------------------------------------


def leech_setting(threshold: int) -> str:
    return f"suspended after {counted(threshold, 'lapse')}" if threshold else "off"


LEECH_USAGE = (
    "Send how many lapses (forgetting a card you knew) suspend it as a leech, 0 to 99, "
    "e.g. <code>/leech 8</code>; <code>/leech 0</code> turns leeches off."
)


def leech_current(threshold: int) -> str:
    if not threshold:
        return "Leeches are off: no card is suspended however often you forget it. " + (
            "<code>/leech 8</code> turns them on."
        )
    return (
        f"A card you forget {counted(threshold, 'time')} is suspended as a leech, and again "
        f"every {counted(max(1, threshold // 2), 'lapse')} after. <code>/leech N</code> "
        "changes it."
    )


def leech_set(threshold: int) -> str:
    if not threshold:
        return "Leeches off: cards you keep forgetting stay in your reviews."
    return (
        f"Done: a card you forget {counted(threshold, 'time')} will be suspended as a leech. "
        "/leeches lists suspended cards."
    )


def leech_notice(question_html: str, deck_title: str, lapses: int) -> str:
    """A grade made a card a leech: it is suspended; the buttons below say what next."""
    return (
        f"🩸 <b>Leech</b> — you have forgotten this card {counted(lapses, 'time')}, so I "
        "suspended it: it stays out of reviews until you bring it back.\n\n"
        f"<b>{esc(deck_title)}</b>\n{question_html}\n\n"
        "Rewriting it, or splitting it into smaller cards, usually helps more than drilling."
    )


def leech_kept(question_html: str, lapses: int, next_at: int | None) -> str:
    warn = f" I'll warn you again at {counted(next_at, 'lapse')}." if next_at else ""
    return f"▶️ Back in your reviews (lapses so far: {lapses}).{warn}\n\n{question_html}"


def leech_left(question_html: str) -> str:
    return f"⏸ Left suspended. /leeches brings it back any time.\n\n{question_html}"


LEECH_KEEP_BUTTON = "▶️ Keep studying it"
LEECH_LEAVE_BUTTON = "⏸ Leave it suspended"
LEECH_UNKNOWN = "You haven't studied that card."
UNSUSPENDED_TOAST = "Back in your reviews"
LEFT_SUSPENDED_TOAST = "Left suspended"
STALE_SUSPENDED = "This card is suspended (a leech). /leeches brings it back."
LEECHES_SHOWN = 20  # suspended cards listed with their buttons; the rest are counted


def no_leeches(threshold: int) -> str:
    return "No suspended cards. " + (
        f"A card you forget {counted(threshold, 'time')} is suspended as a leech "
        "(/leech N changes when)."
        if threshold
        else "Leeches are off (/leech 8 turns them on)."
    )


def leeches_list(rows: Sequence[tuple[str, str, int]], total: int) -> str:
    """Suspended cards as (deck title, question plain text, lapses), numbered for buttons."""
    lines = [f"<b>Suspended cards</b> ({total}) — ▶️ N brings card N back into your reviews."]
    for number, (deck_title, question, lapses) in enumerate(rows, start=1):
        lines.append(
            f"{number}. {esc(tile_label(question, 90))} — <i>{esc(tile_label(deck_title, 40))}</i>, "
            f"{counted(lapses, 'lapse')}"
        )
    if total > len(rows):
        lines.append(f"…and {total - len(rows)} more; bring some back to see them.")
    return "\n".join(lines)


def unsuspend_button(number: int) -> str:
    return f"▶️ {number}"


def group_leech_toast(grade: Grade, interval, lapses: int) -> str:
    """A member's grade of a group post made the card a leech for them (a toast ≤ 200)."""
    return (
        f"{grade_recorded(grade, interval)}. You have forgotten this card "
        f"{counted(lapses, 'time')}: it is suspended for you (a leech) — see /leeches in your "
        "chat with me."
    )


TIME_USAGE = "Send the time as HH:MM in 24-hour form, e.g. <code>/time 07:30</code>."


def time_current(minute: int, timezone: str) -> str:
    return (
        f"Your daily review time is <b>{format_minute(minute)}</b> ({esc(timezone)}).\n{TIME_USAGE}"
    )


def _next_message(next_push: datetime | None, zone: ZoneInfo, now: datetime) -> str:
    if next_push is None:
        return "Daily messages are paused; /resume turns them back on."
    return f"Next message {next_daily(next_push, zone, now)}."


def time_set(minute: int, timezone: str, next_push: datetime | None, now: datetime) -> str:
    head = f"Daily review time set to {format_minute(minute)} ({esc(timezone)})"
    if next_push is None:
        return f"{head}. {_next_message(None, ZoneInfo(timezone), now)}"
    return f"{head} — next message {next_daily(next_push, ZoneInfo(timezone), now)}."


TIMEZONE_USAGE = (
    "Send an IANA timezone name, e.g. <code>/timezone Europe/Berlin</code> or "
    "<code>/timezone America/New_York</code>."
)


def timezone_unknown(name: str, suggestions: list[str]) -> str:
    """A name that is not an IANA timezone, with close names when there are any."""
    text = f"I don't know the timezone <code>{esc(tile_label(name, MAX_TIMEZONE_NAME))}</code>."
    if suggestions:
        text += "\nDid you mean: " + ", ".join(f"<code>{esc(s)}</code>" for s in suggestions) + "?"
    return f"{text}\n{TIMEZONE_USAGE}"


def timezone_current(timezone: str, local_now: datetime) -> str:
    return (
        f"Your timezone is <b>{esc(timezone)}</b>; your local time is {local_now:%H:%M}.\n"
        f"{TIMEZONE_USAGE}"
    )


def timezone_set(timezone: str, now: datetime, next_push: datetime | None) -> str:
    zone = ZoneInfo(timezone)
    return (
        f"Timezone set to {esc(timezone)}. Your local time is {now.astimezone(zone):%H:%M}. "
        + _next_message(next_push, zone, now)
    )


NEWCARDS_USAGE = "Send a number from 0 to 1000, e.g. <code>/newcards 10</code>."


def newcards_current(count: int) -> str:
    return f"You get up to <b>{counted(count, 'new card')}</b> a day.\n{NEWCARDS_USAGE}"


def newcards_set(count: int) -> str:
    return f"New cards per day: {count}."


PAUSED = "Daily messages paused. /resume to turn them back on; /review works any time."


def resumed(next_push: datetime | None, timezone: str, now: datetime) -> str:
    if next_push is None:  # cannot happen after /resume; said plainly all the same
        return "Daily messages are back on."
    return f"Daily messages are back on — next message {next_daily(next_push, ZoneInfo(timezone), now)}."


ALREADY_PAUSED = "Daily messages are already paused. /resume to turn them back on."


def already_resumed(next_push: datetime | None, timezone: str, now: datetime) -> str:
    if next_push is None:
        return "Daily messages are already on."
    return f"Daily messages are already on — next message {next_daily(next_push, ZoneInfo(timezone), now)}."


# --- study modes: Flashcards, Learn, Test, Match, Quiz, progress ------------------------------

MODE_TITLES = {
    "cards": "Flashcards",
    "learn": "Learn",
    "test": "Test",
    "match": "Match",
    "quiz": "Quiz",
    "progress": "Progress",
}
DECK_TOO_SMALL = "This deck has too few distinct cards for that. Try /cards or /learn."
STUDY_STALE = "That has moved on — use the newest message."
STUDY_FOREIGN = "That isn't your session."
STUDY_UNKNOWN = "This button isn't valid any more."
LEARN_USAGE = (
    "Send <code>/learn</code> for the whole deck, or <code>/learn 8</code> to learn the 8 cards "
    "you know least."
)
TEST_USAGE = (
    "Send <code>/test</code> for 10 mixed questions, or choose the length and kinds, e.g. "
    "<code>/test 20</code> or <code>/test 5 mc tf</code> (kinds: <code>mc</code> multiple "
    "choice, <code>tf</code> true/false, <code>written</code>)."
)
QUIZ_USAGE = "Send <code>/quiz</code> for 5 questions, or <code>/quiz 3</code> (1–10)."
FLIP_BUTTON = "↻ Flip"
PREV_BUTTON = "◀ Prev"
NEXT_BUTTON = "Next ▶"
SHUFFLE_BUTTON = "🔀 Shuffle"
FIRST_BUTTON = "⏮ Start"
TRUE_BUTTON = "True"
FALSE_BUTTON = "False"
KNEW_BUTTON = "✅ I knew it"
MISSED_BUTTON = "❌ I didn't"
DUNNO_BUTTON = "I don't know"
STOP_BUTTON = "⏸ Stop"
CONTINUE_BUTTON = "▶ Continue"
START_OVER_BUTTON = "↺ Start over"
PLAY_AGAIN_BUTTON = "Play again"
CORRECT_TOAST = "✅ Correct"
WRONG_TOAST = "❌ Not quite"
ANSWERED_TOAST = "Answer recorded"
MATCH_TOASTS = {
    "selected": "",
    "deselected": "",
    "matched": "✅ A pair!",
    "mismatch": "❌ Not a pair: +1 s",
    "stale": "Already matched.",
}
MATCH_TILE_CHARS = 28
NO_STUDY_SESSIONS = "No study sessions yet."
PROGRESS_HEADER = ("Name", "Mastery", "Learn", "Test", "Matching", "Spaced")
PROGRESS_NAME_CHARS = 10
PROGRESS_MAX_ROWS = 60
PROGRESS_LEGEND = (
    "<i>Mastery: cards you recall well in spaced review (stable for 21+ days). "
    "Learn: latest session, learned/cards. Test: latest score. Matching: best time. "
    "Spaced: cards reviewed.</i>"
)


def choose_study_deck(mode: str) -> str:
    return f"<b>{MODE_TITLES[mode]}</b> — which deck?"


def study_deck_chosen(mode: str, deck_label: str) -> str:
    """A mode's deck picker once a deck is chosen: the question with the choice marked."""
    return f"{choose_study_deck(mode)} ✅ {esc(deck_label)}"


def study_paused(mode: str) -> str:
    return f"This {MODE_TITLES[mode]} session is paused — /{mode} to continue it."


def excerpt(text: str, limit: int = 200) -> str:
    """Card markup as escaped plain text on one line, shortened to `limit` characters."""
    return esc(tile_label(to_plain_text(text), limit))


def format_duration(ms: int, *, compact: bool = False) -> str:
    """'23.4 s' under a minute, else '2:05' (or '1:02:05'); compact drops the space."""
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f}{'' if compact else ' '}s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}:{secs:02d}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def _html(card, side: str, *, marks: bool = True) -> str:
    """One side of a stored card as Telegram HTML (deck markup or imported HTML alike).

    Learn, Test, Match and Quiz show text only: a side's images and sounds are named there
    (`marks`); /review and Flashcards send them (bot.telegram.card_media).
    """
    text = card_html(getattr(card, side), card.text_format)
    if not marks:
        return text
    kinds = {ref.get("kind") for ref in getattr(card, f"{side}_media", None) or ()}
    marks = [mark for kind, mark in (("image", "🖼 image"), ("sound", "🔊 sound")) if kind in kinds]
    if marks:
        text += f"\n<i>{' · '.join(marks)} (shown in /review)</i>"
    return text


def _brief(card, side: str, limit: int) -> str:
    """One side of a stored card as escaped plain text on one line, at most `limit` chars."""
    return esc(tile_label(card_plain(getattr(card, side), card.text_format), limit))


def _options(options: list[tuple[object, str]]) -> str:
    return "\n".join(
        f"<b>{option_label(i)}.</b> {_html(card, side)}" for i, (card, side) in enumerate(options)
    )


def _option_texts(deck: DeckCards, question: MultipleChoice) -> list[tuple[object, str]]:
    """The options' cards and the side each shows."""
    side = "answer" if question.prompt_side == "question" else "question"
    return [(deck.cards[i], side) for i in question.options]


def question_body(
    deck: DeckCards, question: Question, *, revealed: bool = False, attempt: str | None = None
) -> str:
    """A Learn/Test/Quiz question with its options in full; the buttons carry only A–F.

    `attempt` is what the learner typed to a self-checked question: shown above the answer.
    """
    card = deck.cards[question.card_id]
    if isinstance(question, MultipleChoice):
        options = _options(_option_texts(deck, question))
        if question.prompt_side == "question":
            return f"{_html(card, 'question')}\n\n<i>Choose the answer:</i>\n{options}"
        return f"<i>Which question does this answer?</i>\n\n{_html(card, 'answer')}\n\n{options}"
    if isinstance(question, TrueFalse):
        shown = deck.cards[question.shown_card_id]
        return (
            f"<i>True or false?</i>\n\n{_html(card, 'question')}\n\n"
            f"<b>Answer:</b> {_html(shown, 'answer')}"
        )
    if question.mode == "typed":
        return f"{_html(card, 'question')}\n\n<i>Type your answer.</i>"
    if revealed or attempt is not None:
        return (
            f"{_html(card, 'question')}\n\n{attempt_block(attempt)}<b>Answer</b>\n"
            f"{_html(card, 'answer')}\n\n<i>Did you know it?</i>"
        )
    return f"{_html(card, 'question')}\n\n<i>Think of the answer, then reveal it.</i>"


def _right_option(deck: DeckCards, question: MultipleChoice, index: int, limit: int = 300) -> str:
    card, side = _option_texts(deck, question)[index]
    return f"<b>{option_label(index)}.</b> {_brief(card, side, limit)}"


def resume_offer(mode: str, deck_title: str, done: int, total: int) -> str:
    what = f"{done}/{total} learned" if mode == "learn" else f"{done} of {total} answered"
    return (
        f"You have an unfinished <b>{MODE_TITLES[mode]}</b> session on <b>{esc(deck_title)}</b> "
        f"({what}). Continue where you left off, or start over?"
    )


# Flashcards


FIRST_CARD = "This is the first card."
LAST_CARD = "This is the last card — ⏮ to start again, or 🔀 to shuffle."


def browse_card(view: BrowseView) -> str:
    """A flashcard, question side or answer side; the answer side shows the question above it
    in full (code blocks and lines kept), shortened to one line only if both would not fit.
    The side's images and sounds are sent with it (handlers.browse), so they are not named."""
    browse, card = view.browse, view.card
    head = f"<b>{esc(view.deck.deck.title)}</b> · {browse.position}"
    tail = ""
    if browse.at_end and len(browse.order) > 1:
        tail = "\n\n<i>Last card — ⏮ to start again, or 🔀 to shuffle.</i>"
    if not browse.showing_answer:
        return f"{head}\n\n{_html(card, 'question', marks=False)}{tail}"
    answer = f"\n\n<b>Answer</b>\n{_html(card, 'answer', marks=False)}{tail}"
    text = f"{head} · answer\n\n{_html(card, 'question', marks=False)}{answer}"
    if visible_length(text) <= MAX_MESSAGE_CHARS:
        return text
    return f"{head} · answer\n\n<i>{_brief(card, 'question', 150)}</i>{answer}"


# Learn


def _learn_header(view: LearnView) -> str:
    learned, total = view.progress
    return f"<b>Learn · {esc(view.deck.deck.title)}</b>\nLearned {learned}/{total}"


def learn_question(view: LearnView, *, revealed: bool = False, attempt: str | None = None) -> str:
    assert view.asked is not None
    body = question_body(view.deck, view.asked.question, revealed=revealed, attempt=attempt)
    return f"{_learn_header(view)}\n\n{body}"


def learn_feedback(view: LearnView, *, didnt_know: bool = False) -> str:
    """The verdict on a Learn answer; `didnt_know` when the learner pressed "I don't know"."""
    feedback, answered = view.feedback, view.answered
    assert feedback is not None and answered is not None
    question = answered.question
    card = view.deck.cards[question.card_id]
    if feedback.correct:
        line = "✅ Correct!"
        if feedback.verdict is not None and not feedback.verdict.exact:
            line += " " + end_sentence(f"Exactly: <b>{_brief(card, 'answer', 100)}</b>")
        if feedback.learned:
            line += " Learned."
    elif isinstance(question, MultipleChoice):
        right = _right_option(view.deck, question, question.correct_index)
        line = "❌ Not quite. " + end_sentence(f"The answer: {right}") + " It will come back later."
    elif question.mode == "typed":
        right = f"<b>{_brief(card, 'answer', 100)}</b>"
        opening = "❌ No problem. " if didnt_know else "❌ Not quite. "
        line = opening + end_sentence(f"The answer: {right}") + " It will come back later."
    else:
        line = "❌ No problem — it will come back later."
    if feedback.round_complete and not feedback.finished:
        learned, total = view.progress
        line += f"\n🎉 Round done — {learned}/{total} learned."
    return line


def learn_answered(view: LearnView, *, didnt_know: bool = False) -> str:
    """The question just answered, settled: no buttons, with the verdict under it."""
    assert view.answered is not None
    revealed = view.answered.question.kind == "written"
    body = question_body(view.deck, view.answered.question, revealed=revealed)
    if revealed and view.answered.question.mode == "self_check":
        body = body.removesuffix("\n\n<i>Did you know it?</i>")
    elif revealed:
        body = body.removesuffix("\n\n<i>Type your answer.</i>")
    return f"{_learn_header(view)}\n\n{body}\n\n{learn_feedback(view, didnt_know=didnt_know)}"


def learn_finished(view: LearnView) -> str:
    _learned, total = view.progress
    learn = view.learn
    return (
        f"🎉 <b>Learn · {esc(view.deck.deck.title)}</b> — all {counted(total, 'card')} learned! "
        f"{learn.answered_correctly} of {counted(learn.answered, 'answer')} right.\n"
        "/test to test yourself, or /learn to go again."
    )


def learn_paused(view: LearnView) -> str:
    learned, total = view.progress
    return f"⏸ Learn paused — {learned}/{total} learned. /learn to continue where you left off."


# Test


def _test_header(view: TestView, position: int) -> str:
    return f"<b>Test · {esc(view.deck.deck.title)}</b> · question {position}/{view.test.total}"


def test_question(view: TestView, *, revealed: bool = False, attempt: str | None = None) -> str:
    assert view.asked is not None
    body = question_body(view.deck, view.asked.question, revealed=revealed, attempt=attempt)
    return f"{_test_header(view, view.position)}\n\n{body}"


DIDNT_KNOW = "You didn't know it."
KNEW = "You knew it."


def _given(question: Question, response: object) -> str:
    if isinstance(question, MultipleChoice) and isinstance(response, int):
        return option_label(response)
    if isinstance(question, TrueFalse):
        return TRUE_BUTTON if response else FALSE_BUTTON
    return esc(str(response)[:100])


def _did_not_know(question: Question, response: object) -> bool:
    """'I don't know' on a typed question (no text) or 'I didn't' on a self-checked one."""
    if not isinstance(question, Written):
        return False
    return response is False or (isinstance(response, str) and not response.strip())


def _answer_line(question: Question, response: object) -> str:
    """How a Test answer is recalled: what was given, or that the learner didn't know."""
    if _did_not_know(question, response):
        return DIDNT_KNOW
    if isinstance(question, Written) and response is True:
        return KNEW
    return f"Your answer: {_given(question, response)}"


def test_answered(view: TestView, response: object) -> str:
    """The question just answered, without buttons and without the verdict (that is at the end)."""
    assert view.answered is not None
    position = view.test.questions.index(view.answered) + 1
    question = view.answered.question
    revealed = question.kind == "written" and question.mode == "self_check"
    body = question_body(view.deck, question, revealed=revealed)
    body = body.removesuffix("\n\n<i>Did you know it?</i>")
    return f"{_test_header(view, position)}\n\n{body}\n\n<i>{_answer_line(question, response)}</i>"


def _wrong_block(deck: DeckCards, wrong: WrongAnswer, number: int) -> str:
    question = wrong.question
    card = deck.cards[question.card_id]
    if isinstance(question, MultipleChoice):
        if question.prompt_side == "question":
            prompt = _brief(card, "question", 300)
        else:
            prompt = f"Which question does this answer? <i>{_brief(card, 'answer', 300)}</i>"
        given = (
            "Your answer: (not answered)"
            if wrong.given is None
            else f"Your answer: {_right_option(deck, question, int(wrong.given), 200)}"
        )
        right = _right_option(deck, question, question.correct_index, 200)
    elif isinstance(question, TrueFalse):
        shown = deck.cards[question.shown_card_id]
        prompt = f"{_brief(card, 'question', 300)}\n<i>{_brief(shown, 'answer', 300)}</i>"
        given = (
            "Your answer: (not answered)"
            if wrong.given is None
            else _answer_line(question, wrong.given)
        )
        right = _given(question, question.is_true)
        if not question.is_true:
            right += f" — the answer is: {_brief(card, 'answer', 300)}"
    else:
        prompt = _brief(card, "question", 300)
        if wrong.given is None:
            given = "Your answer: (not answered)"
        elif question.mode == "typed":
            given = _answer_line(question, str(wrong.given))
        else:
            given = DIDNT_KNOW  # a self-checked answer is wrong only when the learner says so
        right = _brief(card, "answer", 400)
    return f"<b>{number}.</b> {prompt}\n{given}\nRight answer: <b>{right}</b>"


def test_result(view: TestView) -> list[str]:
    """The score, the time and a review of each wrong answer, as blocks for split_message."""
    result = view.result
    assert result is not None
    time = format_duration(int(result.duration.total_seconds() * 1000)) if result.duration else "–"
    blocks = [
        f"<b>Test · {esc(view.deck.deck.title)}</b> — finished\n"
        f"Score: {result.correct}/{result.total} · <b>{result.percent}%</b>\nTime: {time}"
    ]
    if not result.wrong:
        blocks.append("Perfect — no wrong answers! 🎉")
    else:
        blocks.append("<b>To review</b>")
        numbers = {asked.question_no: i for i, asked in enumerate(view.test.questions, start=1)}
        blocks += [_wrong_block(view.deck, w, numbers[w.question_no]) for w in result.wrong]
    blocks.append("/test for another test, /learn to practise.")
    return blocks


# Match


def match_labels(view: MatchView) -> list[str]:
    """Button labels, one per tile, unique within the game, numbered like the list in the text."""
    labels = tile_labels(view.game, view.deck.plain, limit=MATCH_TILE_CHARS)
    return [f"{i + 1} · {label}" for i, label in enumerate(labels)]


def match_board(view: MatchView) -> str:
    game = view.game
    left = game.pairs - len(game.removed) // 2
    lines = [
        f"<b>Match · {esc(view.deck.deck.title)}</b>",
        "Tap a question, then its answer. A wrong pair adds 1 s.",
        f"Pairs left: {left} of {game.pairs}"
        + (f" · mistakes: {game.mistakes}" if game.mistakes else ""),
    ]
    if view.best_ms is not None:
        lines.append(f"Your best on this deck: {format_duration(view.best_ms)}")
    labels = tile_labels(view.game, view.deck.plain, limit=MATCH_TILE_CHARS)
    shortened = []
    for i in range(len(game.tiles)):
        text = " ".join(game.tile_text(i, view.deck.plain).split())
        if i not in game.removed and labels[i] != text:
            shortened.append(f"<b>{i + 1}.</b> {esc(tile_label(text, 220))}")
    if shortened:
        lines += ["", "<i>In full:</i>", *shortened]
    return "\n".join(lines)


def match_finished(view: MatchView) -> str:
    game = view.game
    assert view.elapsed_ms is not None
    mistakes = game.mistakes
    time = f"Time: <b>{format_duration(view.elapsed_ms)}</b>"
    if mistakes:
        time += f" (with +{mistakes} s for {counted(mistakes, 'mistake')})"
    if view.new_best:
        best = "🏆 Your best on this deck!"
    else:
        best = f"Your best on this deck: {format_duration(view.best_ms or view.elapsed_ms)}"
    return (
        f"<b>Match · {esc(view.deck.deck.title)}</b> — all {counted(game.pairs, 'pair')} matched!\n"
        f"{time}\n{best}"
    )


# Quiz


def _quiz_header(view: QuizView, index: int) -> str:
    return f"<b>Quiz · {esc(view.deck.deck.title)}</b> · {index + 1}/{view.total}"


def quiz_question(view: QuizView, index: int) -> str:
    return f"{_quiz_header(view, index)}\n\n{question_body(view.deck, view.questions[index])}"


def quiz_poll(view: QuizView, index: int) -> tuple[str, list[str]]:
    """The plain question and options of a native quiz poll (the caller checks they fit)."""
    question = view.questions[index]
    plain = view.deck.plain
    card = plain[question.card_id]

    def flat(text: str) -> str:
        return " ".join(text.split())

    if question.prompt_side == "question":
        return (
            f"{index + 1}/{view.total} · {card.question.strip()}",
            [flat(plain[i].answer) for i in question.options],
        )
    return (
        f"{index + 1}/{view.total} · Which question does this answer?\n\n{card.answer.strip()}",
        [flat(plain[i].question) for i in question.options],
    )


def quiz_answered(view: QuizView) -> str:
    assert view.answered_no is not None
    index = view.answered_no - 1
    question = view.questions[index]
    if view.last_correct:
        verdict = "✅ Correct!"
    else:
        verdict = f"❌ Not quite. The answer: {_right_option(view.deck, question, question.correct_index)}"
    return f"{quiz_question(view, index)}\n\n{verdict}"


def quiz_finished(view: QuizView) -> str:
    percent = (200 * view.score + view.total) // (2 * view.total) if view.total else 0
    return (
        f"<b>Quiz · {esc(view.deck.deck.title)}</b> — done: {view.score}/{view.total} "
        f"({percent}%)\n/quiz for another round."
    )


# The progress table


def _progress_name(name: str) -> str:
    flat = " ".join(name.split()) or "?"
    if len(flat) <= PROGRESS_NAME_CHARS:
        return flat
    return flat[: PROGRESS_NAME_CHARS - 1] + "…"


def progress_table(deck_title: str, rows: Sequence[ProgressRow]) -> str:
    """The deck's table, `Name | Mastery | Learn | Test | Matching | Spaced`, in a <pre> block
    narrow enough for a phone; exactly NO_STUDY_SESSIONS when nobody has studied it."""
    if not rows:
        return NO_STUDY_SESSIONS
    cells = [PROGRESS_HEADER]
    for row in rows[:PROGRESS_MAX_ROWS]:
        cells.append(
            (
                _progress_name(row.name),
                f"{row.mastery.percent}%",
                f"{row.learn[0]}/{row.learn[1]}" if row.learn else "-",
                f"{row.test_percent}%" if row.test_percent is not None else "-",
                format_duration(row.match_ms, compact=True) if row.match_ms is not None else "-",
                str(row.spaced_reviews) if row.spaced_reviews else "-",
            )
        )
    widths = [max(len(line[i]) for line in cells) for i in range(len(PROGRESS_HEADER))]
    lines = [
        " ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in cells
    ]
    text = f"<b>{esc(deck_title)}</b>\n<pre>{esc(chr(10).join(lines))}</pre>"
    if len(rows) > PROGRESS_MAX_ROWS:
        text += f"\n…and {len(rows) - PROGRESS_MAX_ROWS} more."
    return text


def mastery_line(row: ProgressRow) -> str:
    return f"{mastery_counts(row.mastery)}."


# --- your own decks: importing a file ---------------------------------------------------------

IMPORT_FORMATS = {
    "anki": "Anki package",
    "quizlet": "Quizlet export",
    "csv": "CSV/TSV table",
    "anki_text": "Anki text export",
    "deck_markdown": "Flashtutor deck file",
}
_KIND_NAMES = {"basic": "basic", "reversed": "reversed", "cloze": "cloze", "typed": "typed-answer"}
_SEPARATOR_NAMES = {"\t": "Tab", ",": "Comma", ";": "Semicolon", " - ": "“ - ”", "\n": "New line"}
PREVIEW_REASONS = 5  # skipped items and flagged rows shown in a preview; the rest are counted
PREVIEW_NOTE_TYPES = 10  # note types listed in a preview; the rest are summed up
PREVIEW_REASON_CHARS = (
    150  # a skipped item's reason or a flagged row, shortened: the preview is one message
)

IMPORT_READING = "📥 Reading <b>{name}</b>…"
IMPORT_IN_GROUP = (
    "Send deck files to me in a private chat: I import them for one person, "
    "who can then share the deck."
)
IMPORT_DOWNLOAD_FAILED = (
    "I couldn't download that file from Telegram. Nothing was saved — please send it again."
)
IMPORT_CRASHED = (
    "I couldn't read that file (the problem has been logged). Nothing was saved. "
    "Anki packages (.apkg, .colpkg), Quizlet exports (.txt) and CSV/TSV files work."
)
IMPORT_STALE = "This preview is no longer open — send the file again to import it."
IMPORT_ALREADY_DONE = "Already imported."
IMPORT_ALREADY_CANCELLED = "Already cancelled."
IMPORT_CANCELLED = "Import cancelled — nothing was saved."
IMPORTING = "⏳ Importing…"
IMPORT_SAVE_FAILED = (
    "Saving the deck failed on my side (it has been logged); nothing was saved. "
    "Press Import to try again."
)


def _separator_name(separator: str) -> str:
    return _SEPARATOR_NAMES.get(separator, f"“{esc(separator)}”")


def import_too_big(name: str, size: int, limit: int) -> str:
    return (
        f"❌ <b>{esc(name)}</b> is {size / 1024 / 1024:.1f} MB; I can import files up to "
        f"{limit // (1024 * 1024)} MB (Telegram lets bots download no more). Nothing was saved. "
        "Split the deck, or export it from Anki without media."
    )


def import_failed(name: str, reason: str) -> str:
    """A file that cannot be imported: the parser's one-sentence reason, and nothing saved."""
    return f"❌ I can't import <b>{esc(name)}</b>: {esc(reason)} Nothing was saved."


def _media_line(images: int, sounds: int) -> str | None:
    found = [counted(n, noun) for n, noun in ((images, "image"), (sounds, "sound")) if n]
    if not found:
        return None
    return "🖼 Media: " + " and ".join(found) + " — shown with their cards."


def import_preview(
    *,
    file_name: str,
    kind: str,
    title: str,
    notes_by_type: dict[str, int],
    cards_by_type: dict[str, int],
    cards_by_kind: dict[str, int],
    card_count: int,
    note_count: int,
    images: int,
    sounds: int,
    history: bool,
    reviews: int,
    studied_cards: int,
    skipped: Sequence[tuple[str, str]],
    warnings: Sequence[str],
    separators: tuple[str, str] | None,
    delimiter: str | None,
    updates_deck: str | None,
    error: str | None = None,
) -> str:
    """What an import would save, before anything is: deck, cards by note type, media,
    scheduling, what is skipped and why. `error` replaces the body when a re-read failed."""
    lines = [
        f"📦 <b>{esc(tile_label(title, 200))}</b>",
        f"<i>{esc(tile_label(file_name, 200))} · {IMPORT_FORMATS.get(kind, kind)}</i>",
    ]
    if separators is not None:
        term, row = separators
        lines.append(
            f"Read with {_separator_name(term)} between term and definition, "
            f"{_separator_name(row)} between cards — wrong? Switch below."
        )
    elif delimiter is not None:
        lines.append(f"Columns split by {_separator_name(delimiter)} — wrong? Switch below.")
    lines.append("")
    if error is not None:
        lines.append(f"❌ {esc(error)}")
        return "\n".join(lines)
    lines.append(f"<b>{counted(card_count, 'card')}</b> from {counted(note_count, 'note')}:")
    by_size = sorted(notes_by_type.items(), key=lambda item: -item[1])
    for note_type, notes in by_size[:PREVIEW_NOTE_TYPES]:
        cards = cards_by_type.get(note_type, 0)
        name = esc(tile_label(note_type, 60))
        lines.append(f"• {name}: {counted(notes, 'note')} → {counted(cards, 'card')}")
    if len(by_size) > PREVIEW_NOTE_TYPES:
        rest = by_size[PREVIEW_NOTE_TYPES:]
        notes = sum(n for _t, n in rest)
        lines.append(f"• {counted(len(rest), 'other note type')}: {counted(notes, 'note')}")
    kinds = [f"{n} {_KIND_NAMES.get(k, k)}" for k, n in cards_by_kind.items() if n and k != "basic"]
    if kinds:
        lines.append("Besides basic cards: " + ", ".join(kinds) + ".")
    media = _media_line(images, sounds)
    if media:
        lines.append(media)
    if history:
        lines.append(
            f"🗓 Scheduling: your Anki history is kept ({counted(reviews, 'past answer')}); "
            f"{counted(studied_cards, 'card')} continue where you left off, the rest start new."
        )
    else:
        lines.append("🗓 Scheduling: every card starts new.")
    if skipped:
        lines.append("")
        lines.append(f"⚠️ Skipped: {counted(len(skipped), 'item')}")
        for where, reason in skipped[:PREVIEW_REASONS]:
            place = tile_label(where, 60)
            lines.append(f"• {esc(place)}: {esc(tile_label(reason, PREVIEW_REASON_CHARS))}")
        if len(skipped) > PREVIEW_REASONS:
            lines.append(f"… and {len(skipped) - PREVIEW_REASONS} more")
    if warnings:
        lines.append("")
        lines.append("🔎 Please check:")
        lines += [
            f"• {esc(tile_label(warning, PREVIEW_REASON_CHARS))}"
            for warning in warnings[:PREVIEW_REASONS]
        ]
        if len(warnings) > PREVIEW_REASONS:
            lines.append(f"… and {len(warnings) - PREVIEW_REASONS} more")
    lines.append("")
    if updates_deck is not None:
        lines.append(
            f"This updates your deck <b>{esc(updates_deck)}</b>: changed cards are updated, "
            "new ones added, removed ones retired; your progress is kept."
        )
    lines.append("Nothing is saved until you press <b>Import</b>.")
    return "\n".join(lines)


def import_button(card_count: int) -> str:
    return f"✅ Import {counted(card_count, 'card')}"


IMPORT_CANCEL_BUTTON = "✖️ Cancel"


def separator_button(label: str, chosen: bool) -> str:
    return f"• {label} •" if chosen else label


def import_done(
    title: str,
    *,
    cards: int,
    added: int,
    updated: int,
    retired: int,
    media: int,
    updated_deck: bool,
) -> str:
    """After Import: what was saved and what to do next."""
    if updated_deck:
        changes = f"{added} added, {updated} updated, {retired} retired"
        head = f"✅ Updated <b>{esc(title)}</b>: {counted(cards, 'card')} now ({changes})."
    else:
        head = f"✅ Imported <b>{esc(title)}</b>: {counted(cards, 'card')}."
    if media:
        head += f" {counted(media, 'new media file')} stored."
    return (
        f"{head}\n\nYou're studying it now: /review starts its cards, /cards leafs through "
        "them, /decks lists your decks."
    )


# --- daily push -----------------------------------------------------------------------------


def push(first_name: str, due: int, new: int) -> str:
    parts = []
    if due:
        parts.append(f"{counted(due, 'card')} due")
    if new:
        parts.append(counted(new, "new card"))
    return f"Good day, {esc(first_name)}! Time to review: {' and '.join(parts)}."


START_REVIEW_BUTTON = "Start review"
SHOW_ANSWER_BUTTON = "Show answer"


# --- groups ---------------------------------------------------------------------------------

# The menu in groups: all members see the first, admins also the "(admins)" ones.
GROUP_COMMAND_MENU = {
    "settings": "This group's deck and daily time",
    "progress": "The group's progress table and chart",
    "quiz": "Start a quiz round",
    "help": "How group study works",
    "deck": "Choose the deck (admins)",
    "time": "Daily post time HH:MM (admins)",
    "timezone": "Group timezone Area/City (admins)",
    "cards_per_post": "Cards per daily post, 1-5 (admins)",
    "pause": "Pause the daily post (admins)",
    "resume": "Resume the daily post (admins)",
}


def group_help(bot_username: str) -> str:
    return (
        "<b>Flashtutor</b> studies flashcards with this group. Every day I post a few cards: "
        "think of the answer, tap the hidden answer to check yourself, then grade yourself "
        "<b>Again / Hard / Good / Easy</b>. Each of you has your own spaced-repetition "
        "schedule; your private study with me counts here too.\n\n"
        "<b>Admins</b> set me up:\n"
        "/deck — choose the deck (or <code>/deck slug</code>, or <code>/deck</code> with a "
        "deck's share link)\n"
        "/time HH:MM and /timezone Area/City — the daily post time\n"
        "/cards_per_post N — cards per post (1–5)\n"
        "/pause and /resume — stop or restart the daily post\n\n"
        "<b>Everyone</b>:\n"
        "/settings — this group's setup\n"
        "/progress — who has mastered how much of the deck (a table and a chart)\n"
        "/quiz — a round of quiz polls\n\n"
        f"To study privately as well, open @{esc(bot_username)} and press Start."
    )


def group_welcome(bot_username: str) -> str:
    return "Hello, everyone! 👋\n\n" + group_help(bot_username)


GROUP_ADMIN_ONLY = (
    "Sorry, only this group's admins can change its setup. /settings shows it to everyone."
)
GROUP_ADMIN_ONLY_TOAST = "Only the group's admins can choose the deck."
GROUP_NEEDS_DECK = "This group has no deck yet. An admin can choose one with /deck."
GROUP_UNKNOWN_DECK = "I don't know that deck. Pick one below:"
GROUP_PICK_DECK = "Which deck should this group study?"
GROUP_NO_DECKS = "There are no decks yet."


def group_next_post(
    next_post: datetime | None, timezone: str, now: datetime, *, has_deck: bool, paused: bool
) -> str:
    """When the group's next daily post comes, or why there is none."""
    if next_post is not None:
        return f"Next post {next_daily(next_post, ZoneInfo(timezone), now)}."
    if not has_deck:
        return "Choose a deck with /deck to start the daily post."
    if paused:
        return "The daily post is paused; /resume turns it back on."
    return "I may not post here: give me the right to send messages, then /resume."


def group_deck_set(title: str, count: int, next_post_line: str) -> str:
    return (
        f"This group now studies <b>{esc(title)}</b> ({counted(count, 'card')}).\n{next_post_line}"
    )


def group_time_set(minute: int, timezone: str, next_post_line: str) -> str:
    return f"The daily post is now at {format_minute(minute)} ({esc(timezone)}). {next_post_line}"


def group_timezone_set(timezone: str, local_now: datetime, next_post_line: str) -> str:
    return (
        f"The group's timezone is now {esc(timezone)}; it is {local_now:%H:%M} there. "
        f"{next_post_line}"
    )


CARDS_PER_POST_USAGE = "Send a number from 1 to 5, e.g. <code>/cards_per_post 3</code>."


def group_time_current(minute: int, timezone: str) -> str:
    return f"The daily post is at <b>{format_minute(minute)}</b> ({esc(timezone)}).\n{TIME_USAGE}"


def group_timezone_current(timezone: str, local_now: datetime) -> str:
    return (
        f"This group's timezone is <b>{esc(timezone)}</b>; it is {local_now:%H:%M} there.\n"
        f"{TIMEZONE_USAGE}"
    )


def cards_per_post_current(count: int) -> str:
    return f"Each daily post has up to <b>{counted(count, 'card')}</b>.\n{CARDS_PER_POST_USAGE}"


def cards_per_post_set(count: int) -> str:
    return f"Each daily post now has up to {counted(count, 'card')}."


GROUP_PAUSED = "The daily post is paused. /resume turns it back on."
GROUP_ALREADY_PAUSED = "The daily post is already paused. /resume turns it back on."


def group_resumed(next_post_line: str, *, changed: bool) -> str:
    head = "The daily post is back on." if changed else "The daily post is already on."
    return f"{head} {next_post_line}"


def group_settings(
    *,
    title: str,
    deck_title: str | None,
    timezone: str,
    post_minute: int,
    cards_per_post: int,
    paused: bool,
    can_post: bool,
    next_post: datetime | None,
    deck_removed: bool = False,
) -> str:
    if deck_removed:
        status = "off — the deck was removed from the bot (an admin can choose another: /deck)"
    elif not can_post:
        status = "off — I may not post here (give me the right to send messages, then /resume)"
    elif paused:
        status = "paused (/resume)"
    else:
        status = "on (/pause)"
    lines = [
        f"<b>Group settings</b> · {esc(title)}" if title else "<b>Group settings</b>",
        "Deck: " + (f"<b>{esc(deck_title)}</b> (/deck)" if deck_title else "none yet (/deck)"),
        f"Daily post: {format_minute(post_minute)} ({esc(timezone)}) (/time, /timezone)",
        f"Cards per post: {cards_per_post} (/cards_per_post N)",
        f"Posting: {status}",
    ]
    if next_post is not None and not deck_removed:
        lines.append(f"Next post: {when(next_post, ZoneInfo(timezone))}")
    lines.append("Admins change these; everyone can use /progress and /quiz.")
    return "\n".join(lines)


def _fit_plain(text: str, room: int) -> str:
    """`text` cut (with an ellipsis) to at most `room` UTF-16 code units."""
    if visible_length(esc(text)) <= room:
        return text
    cut = text[: max(0, room - 1)]
    while cut and visible_length(esc(cut)) > room - 1:
        cut = cut[:-1]
    return cut.rstrip() + "…"


def group_post(
    *,
    deck_title: str,
    number: int,
    total: int,
    question: str,
    answer: str,
    graded: int,
    text_format: str = "markup",
) -> str:
    """A daily group card: the answer under a spoiler each member reveals for themselves.

    The spoiler holds the answer as plain text: Telegram does not allow code blocks inside
    a spoiler. A very long answer is shortened so the post fits one message.
    """
    count = (
        f"✅ Graded by {counted(graded, 'member')}"
        if graded
        else "Grade yourself — only your own schedule moves."
    )
    head = (
        f"<b>{esc(deck_title)}</b> · card {number} of {total}\n\n{card_html(question, text_format)}"
        "\n\n<b>Answer</b> (tap to reveal):\n"
    )
    tail = f"\n\n<i>{count}</i>"
    room = MAX_MESSAGE_CHARS - visible_length(head + tail)
    return f"{head}<tg-spoiler>{esc(_fit_plain(card_plain(answer, text_format), room))}</tg-spoiler>{tail}"


GROUP_ALREADY_GRADED = "You already graded this card — nothing changed."
GROUP_FOREIGN_BUTTON = "This button isn't valid here."
GROUP_CARD_GONE = "This card was retired from the deck."


def group_rights_lost(title: str) -> str:
    return (
        f"I can no longer post in <b>{esc(title or 'your group')}</b>, so its daily cards are "
        "off. Give me the right to send messages there, then send /resume in the group."
    )


def group_can_post_again(next_post: datetime | None, timezone: str) -> str:
    text = "Thanks — I can post here again, so the daily cards are back on."
    if next_post is not None:
        text += f"\nNext post: {when(next_post, ZoneInfo(timezone))}."
    return text


def group_quiz_intro(deck_title: str, count: int) -> str:
    return (
        f"<b>Quiz</b> on <b>{esc(deck_title)}</b>: {counted(count, 'question')}. "
        "Everyone answers each poll; every answer counts in /progress."
    )


GROUP_QUIZ_UNAVAILABLE = "This deck has too few cards that fit a quiz poll."


def group_quiz_too_soon(ready_at: datetime, timezone: str) -> str:
    return (
        f"A quiz round is already on. The next one can start {when(ready_at, ZoneInfo(timezone))}."
    )


# --- your own decks: writing cards, editing, sharing, export ------------------------------

OWN_DECK_MARK = "👤"
NEWDECK_ASK_TITLE = (
    "What should your new deck be called? Send its title (up to 80 characters), or /cancel."
)
NO_OWN_DECKS = (
    "You have no deck of your own yet. Create one with <code>/newdeck Title</code> — "
    "or send me an Anki, Quizlet or CSV file."
)
ADD_WHICH_DECK = "Add cards to which of your decks?"
TYPED_MARKUP_HINT = "<code>`code`</code> and <code>```</code> fenced blocks work as in deck files."
ASK_ANSWER = "Now send the answer (or /cancel)."
NOTHING_TO_FINISH = "There's nothing to finish. /add adds cards to one of your decks."
CANCELLED = "Cancelled — nothing was changed."
NOTHING_TO_CANCEL = "There's nothing to cancel."
LEFT_TOAST = "Left"
ENROLLED_TOAST = "Enrolled"
STUDYING_TOAST = "Studying"
ALREADY_STUDYING_TOAST = "Already studying"
PREVIEW_PENDING = "Press 💾 Save or Cancel under the preview first (or /cancel)."
PREVIEW_STALE = "This preview was already saved or cancelled."
PREVIEW_CANCELLED = "Cancelled — none of those cards were saved. Send other cards, or /done."
SAVE_BUTTON = "💾 Save"
CANCEL_BUTTON = "Cancel"
NOT_OWNER = "Only the deck's owner can change it."
CARD_GONE = "That card was deleted."
DECK_GONE = "That deck was deleted."
EDIT_BUTTON = "✏️ Edit"
EDIT_QUESTION_BUTTON = "✏️ Question"
EDIT_ANSWER_BUTTON = "✏️ Answer"
DELETE_CARD_BUTTON = "🗑 Delete card"
CONFIRM_DELETE_CARD_BUTTON = "🗑 Yes, delete the card"
BACK_BUTTON = "← Back"
ADD_CARDS_BUTTON = "➕ Add cards"
LIST_CARDS_BUTTON = "📝 Cards"
RENAME_BUTTON = "✏️ Rename"
SHARE_BUTTON = "🔗 Share"
EXPORT_BUTTON = "📤 Export"
DELETE_DECK_BUTTON = "🗑 Delete deck"
CONFIRM_DELETE_DECK_BUTTON = "🗑 Yes, delete the deck"
NEW_LINK_BUTTON = "🔄 New link"
STOP_SHARING_BUTTON = "⛔ Stop sharing"
STUDY_SHARED_BUTTON = "📚 Study this deck"
STUDY_BUTTON = "📚 Study"
LEAVE_BUTTON = "Leave"
CARDS_PER_PAGE = 10
SHARE_LINK_DEAD = (
    "This share link is no longer valid: its owner made a new link, stopped sharing or "
    "deleted the deck. Ask them for the current link. /decks lists the decks you can study."
)
SHARE_LINK_DEAD_TOAST = "This share link is no longer valid."
NOT_SHARED = "This deck isn't shared."
EXPORT_WHICH_DECK = "Export which deck?"
EXPORT_UNAVAILABLE = "You can only export a deck you study. /decks lists them."
EXPORT_TOO_LARGE = (
    "This deck's export is over 50 MB, more than Telegram lets a bot send. Its media make it "
    "that big; nothing was sent."
)
EXPORT_EMPTY = "This deck has no cards to export yet. /add adds some."
GROUP_SHARE_LINK_DEAD = (
    "That share link is no longer valid. Ask the deck's owner for the current one."
)
GROUP_NOT_YOUR_DECK = "Only that deck's owner can pick it — or send /deck with its share link."


def newdeck_created(title: str) -> str:
    return f"Created <b>{esc(title)}</b>, your own deck — you're studying it.\n\n" + add_prompt(
        title, 0
    )


def add_prompt(title: str, count: int) -> str:
    """What /add asks first: a question, or a pasted list."""
    return (
        f"Adding cards to <b>{esc(title)}</b> ({counted(count, 'card')}).\n"
        "Send the <b>question</b>; I'll ask for the answer next.\n"
        "Or paste several cards, one per line: <code>question :: answer</code> "
        "(or question, Tab, answer).\n"
        f"{TYPED_MARKUP_HINT} /done when finished."
    )


def card_added(title: str, count: int) -> str:
    return (
        f"✅ Added to <b>{esc(title)}</b> — {counted(count, 'card')} now. "
        "Send the next question, or /done."
    )


def adding_done(title: str, added: int) -> str:
    if not added:
        return f"Done — no card added to <b>{esc(title)}</b>."
    return (
        f"Done: {counted(added, 'card')} added to <b>{esc(title)}</b>. "
        "/review studies them; /add adds more."
    )


def pasted_preview(
    title: str,
    cards: Sequence[tuple[str, str]],
    skipped: Sequence[tuple[int, str]],
    shown: int = 10,
) -> str:
    """The preview of a pasted list: the first cards, what was skipped, then Save/Cancel."""
    lines = [f"<b>{counted(len(cards), 'card')}</b> to add to <b>{esc(title)}</b>:"]
    for number, (question_text, answer_text) in enumerate(cards[:shown], start=1):
        lines.append(f"{number}. {excerpt(question_text, 80)} — {excerpt(answer_text, 80)}")
    if len(cards) > shown:
        lines.append(f"…and {len(cards) - shown} more.")
    if skipped:
        lines.append("")
        lines.append(f"Skipped {counted(len(skipped), 'line')}:")
        lines += [f"line {number}: {esc(reason)}" for number, reason in skipped[:5]]
        if len(skipped) > 5:
            lines.append(f"…and {len(skipped) - 5} more.")
    lines.append("")
    lines.append("Save them?")
    return "\n".join(lines)


def pasted_nothing(skipped: Sequence[tuple[int, str]]) -> str:
    lines = ["I found no card in that:"]
    lines += [f"line {number}: {esc(reason)}" for number, reason in skipped[:5]]
    lines.append("Send one card per line as <code>question :: answer</code>, or /cancel.")
    return "\n".join(lines)


def pasted_saved(title: str, added: int, total: int) -> str:
    return (
        f"✅ Saved {counted(added, 'card')} to <b>{esc(title)}</b> — {counted(total, 'card')} "
        "now. Send more cards, or /done."
    )


def card_problem(problem: str) -> str:
    """A card or title that could not be saved, and what to do."""
    return f"{esc(problem)} Send it again, or /cancel."


def edit_card_menu(deck_title: str, question_html: str, answer_html: str) -> list[str]:
    """A card with its edit buttons; two blocks, so a long card is sent in two messages."""
    return [
        f"<b>{esc(deck_title)}</b> · edit card\n\n<b>Question</b>\n{question_html}",
        f"<b>Answer</b>\n{answer_html}",
    ]


def ask_new_side(side: str, current_html: str) -> str:
    return (
        f"Send the new <b>{side}</b> for this card. /cancel keeps it as it is.\n\n"
        f"Now it reads:\n{current_html}\n\n{TYPED_MARKUP_HINT}"
    )


def card_edited(deck_title: str, question_html: str, answer_html: str) -> list[str]:
    return [
        f"✅ Saved. Everyone studying <b>{esc(deck_title)}</b> sees the new text.\n\n"
        f"<b>Question</b>\n{question_html}",
        f"<b>Answer</b>\n{answer_html}",
    ]


def confirm_delete_card(question_html: str) -> str:
    return (
        f"Delete this card?\n\n{question_html}\n\n"
        "It leaves everyone's reviews; past answers stay in the history."
    )


def card_deleted(deck_title: str) -> str:
    return f"Card deleted from <b>{esc(deck_title)}</b>."


def your_decks(rows: Sequence[tuple[str, int, bool, bool]]) -> str:
    """/decks' second message: (title, cards, owned, studying) per own or joined deck."""
    shared = any(not owned for _title, _count, owned, _studying in rows)
    heading = "Your own and shared decks" if shared else "Your own decks"
    lines = [f"<b>{heading}</b> (tap one to manage it)"]
    for title, count, owned, studying in rows:
        whose = "yours" if owned else "shared with you"
        mark = "✅ studying" if studying else "not studying"
        lines.append(f"• <b>{esc(title)}</b> · {counted(count, 'card')} · {whose} · {mark}")
    return "\n".join(lines)


def deck_menu(
    title: str,
    description: str,
    count: int,
    *,
    owned: bool,
    studying: bool,
    shared: bool,
    learners: int,
) -> str:
    lines = [f"<b>{esc(title)}</b> · {counted(count, 'card')}"]
    if description:
        lines.append(esc(description))
    lines.append("")
    lines.append("✅ You're studying it." if studying else "You're not studying it.")
    if owned:
        others = learners - (1 if studying else 0)
        if shared:
            lines.append(f"🔗 Shared by link · {counted(others, 'other learner')}.")
        else:
            lines.append(f"Not shared · {counted(others, 'other learner')}.")
    else:
        lines.append("Shared with you: its owner keeps it up to date.")
    return "\n".join(lines)


def deck_cards_page(title: str, cards: Sequence[str], first: int, total: int) -> str:
    """One page of a deck's card list; `cards` are question texts in deck markup or HTML."""
    if not total:
        return f"<b>{esc(title)}</b> has no cards yet. ➕ Add cards to write some."
    last = first + len(cards) - 1
    lines = [f"<b>{esc(title)}</b> · cards {first}–{last} of {total}. Tap a number to edit."]
    lines += [f"{first + i}. {text}" for i, text in enumerate(cards)]
    return "\n".join(lines)


def ask_rename(title: str) -> str:
    return f"Send the new title for <b>{esc(title)}</b> (up to 80 characters), or /cancel."


def renamed(title: str) -> str:
    return f"✅ Renamed to <b>{esc(title)}</b>."


def confirm_delete_deck(title: str, learners: int) -> str:
    return (
        f"Delete <b>{esc(title)}</b>? It leaves the study list of "
        f"{counted(learners, 'learner')} (you included) and any group studying it, and its "
        "share link stops working. Past answers stay in the history."
    )


def deck_deleted(title: str) -> str:
    return f"🗑 Deleted <b>{esc(title)}</b>."


def share_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


def deck_shared(title: str, link: str, *, new: bool) -> str:
    head = "New link made — the old one no longer works.\n\n" if new else ""
    return (
        f"{head}Anyone with this link can study <b>{esc(title)}</b>:\n{esc(link)}\n\n"
        "They study your cards, your later edits included; their progress is their own. "
        "🔄 New link stops the current one; ⛔ Stop sharing closes it for newcomers (people "
        "already studying keep the deck)."
    )


def sharing_stopped(title: str) -> str:
    return (
        f"Sharing of <b>{esc(title)}</b> stopped: its link no longer works. People who "
        "already joined keep studying it; 🔗 Share makes a new link."
    )


def shared_deck_preview(title: str, description: str, count: int) -> str:
    lines = [f"<b>{esc(title)}</b>"]
    if description:
        lines.append(esc(description))
    lines.append(f"{counted(count, 'card')} · a deck shared by a Flashtutor learner.")
    return "\n".join(lines)


def export_captions(title: str) -> tuple[str, str, str]:
    """Captions of the three export files: .apkg, CSV, Quizlet text."""
    return (
        f"<b>{esc(title)}</b> for Anki: File → Import. Importing a newer export updates "
        "these cards instead of adding copies. Images and sounds are included.",
        "The same cards as CSV (Question, Answer, Tags; UTF-8) for spreadsheets.",
        "For Quizlet: Import, paste this text (Tab between term and definition, new line "
        "between cards).",
    )


# --- the memory model: desired retention and FSRS parameters fitted to the learner ----------

RETENTION_USAGE = (
    "Send a percentage from 70 to 97, e.g. <code>/retention 85</code>: the share of cards "
    "you want to still remember when they come back."
)
_RETENTION_TRADE_OFF = (
    "Higher retention means more reviews a day; lower means fewer reviews but more forgetting."
)


def retention_current(percent: int) -> str:
    return f"Your desired retention is <b>{percent}%</b>. {_RETENTION_TRADE_OFF}\n{RETENTION_USAGE}"


def retention_set(percent: int) -> str:
    return f"Desired retention set to <b>{percent}%</b>. {_RETENTION_TRADE_OFF}"


def _losses(before: float, after: float) -> str:
    """Two log losses, with a third decimal when two would show them equal."""
    digits = 2 if round(before, 2) != round(after, 2) else 3
    return f"{before:.{digits}f} → {after:.{digits}f}"


def fsrs_parameters(fitted: PersonalParameters | None, zone: ZoneInfo) -> str:
    """The /settings line saying which FSRS parameters schedule the learner's reviews."""
    if fitted is None:
        return "FSRS: default parameters (/optimize fits them to you)"
    day = fitted.fitted_at.astimezone(zone)
    return (
        f"FSRS: personal parameters (fitted {day.day} {day:%b} from "
        f"{counted(fitted.reviews, 'review')}, log loss {_losses(fitted.log_loss_before, fitted.log_loss_after)})"
    )


def optimizing(items: int) -> str:
    return f"Fitting FSRS to your answers ({counted(items, 'review')} a day or more apart)… a few seconds."


def optimize_needs_more(items: int, needed: int) -> str:
    return (
        f"FSRS needs {counted(needed, 'review')} that came a day or more after the card's previous "
        f"one to fit to you; you have {items:,} so far — about {needed - items:,} more. "
        "Until then your reviews use the default parameters, which suit most people well."
    )


def optimize_done(result: FitResult, *, kept: bool, reviews: int) -> str:
    figures = (
        f"log loss {_losses(result.log_loss_before, result.log_loss_after)}, "
        f"RMSE {result.rmse_before:.1%} → {result.rmse_after:.1%} (lower is better)"
    )
    if kept:
        return (
            f"Done: FSRS is now fitted to your {counted(reviews, 'review')}. It predicts your answers "
            f"better than before — {figures}. Your next intervals use the new parameters."
        )
    return (
        f"I fitted FSRS to your {counted(reviews, 'review')}, but the result did not predict your "
        f"answers better than the parameters you have — {figures} — so I kept those."
    )


OPTIMIZE_FAILED = (
    "The fit failed on my side (it has been logged). Nothing changed: your reviews keep "
    "their parameters. Please try /optimize again later."
)
