"""General texts: help, errors, the command menu, the deck list and choosing decks."""

from __future__ import annotations

__all__ = [
    "BUTTON_WITHOUT_CHAT",
    "COMMAND_MENU",
    "DB_UNAVAILABLE",
    "HELP",
    "INTERNAL_ERROR",
    "NOT_STUDYING",
    "STILL_WORKING",
    "STRAY_TEXT",
    "UNKNOWN_COMMAND",
    "UNKNOWN_DECK",
]


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


UNKNOWN_DECK = "I don't know that deck. /decks lists the ones you can study."


NOT_STUDYING = "You're not studying that deck."
