"""The reference bot for bench/load.py: bare python-telegram-bot, what a toy bot would be.

Same conversation as Flashtutor's spaced review, so the same simulated learners drive both:
a card with "Show answer"; the press answers the query and edits in the answer with four
grade buttons; a grade press commits one sqlite3 row, answers "Recorded", edits the card and
sends the next one. No rate limiter, PTB's own Updater, updates handled one at a time (PTB's
default), no scheduling maths: a floor for what any bot on this machine can do.

    python bench/reference_bot.py  (reads BOT_TOKEN, TELEGRAM_BASE_URL, REFERENCE_DB,
                                    REFERENCE_CARDS: a JSON list of [question, answer])
"""

from __future__ import annotations

import html
import json
import os
import sqlite3
import time
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

GRADES = ("Again", "Hard", "Good", "Easy")


def main() -> None:
    cards = json.loads(Path(os.environ["REFERENCE_CARDS"]).read_text())
    db = sqlite3.connect(os.environ["REFERENCE_DB"])
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE IF NOT EXISTS grades (user_id, card, grade, at)")
    db.commit()

    def card_text(n: int) -> str:
        question = html.escape(cards[n % len(cards)][0])
        return f"<b>Card {n + 1}</b>\n\n{question}"

    async def send_card(context: ContextTypes.DEFAULT_TYPE, chat_id: int, n: int) -> None:
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton("Show answer", callback_data=f"s:{n}")]]
        )
        await context.bot.send_message(
            chat_id, card_text(n), parse_mode=ParseMode.HTML, reply_markup=keyboard
        )

    async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await send_card(context, update.effective_chat.id, 0)

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        kind, n, *grade = query.data.split(":")
        n = int(n)
        if kind == "s":
            await query.answer()
            answer = html.escape(cards[n % len(cards)][1])
            buttons = [
                InlineKeyboardButton(label, callback_data=f"g:{n}:{i}")
                for i, label in enumerate(GRADES, start=1)
            ]
            await query.edit_message_text(
                f"{card_text(n)}\n\n<b>Answer</b>\n{answer}",
                parse_mode=ParseMode.HTML,
                reply_markup=InlineKeyboardMarkup([buttons[:2], buttons[2:]]),
            )
            return
        db.execute(
            "INSERT INTO grades VALUES (?, ?, ?, ?)",
            (update.effective_user.id, n, int(grade[0]), time.time()),
        )
        db.commit()
        await query.answer(f"Recorded: {GRADES[int(grade[0]) - 1]}")
        await query.edit_message_text(
            f"{card_text(n)}\n\nGraded: {GRADES[int(grade[0]) - 1]}", parse_mode=ParseMode.HTML
        )
        await send_card(context, update.effective_chat.id, n + 1)

    base = os.environ["TELEGRAM_BASE_URL"]
    app = Application.builder().token(os.environ["BOT_TOKEN"]).base_url(base).build()
    app.add_handler(CommandHandler("start", on_start))
    app.add_handler(CallbackQueryHandler(on_button))
    app.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
