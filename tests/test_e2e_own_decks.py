"""End to end: learners write their own decks in chat, edit, share and export them, through
the real Application over HTTP against the fake Bot API, on SQLite and Postgres."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bot.core.imports.anki import read_anki_package
from bot.core.imports.text import parse_text_deck, telegram_plain_text
from tests.fake_telegram import FakeUser
from tests.harness import Chat, GroupChat

ADA = FakeUser(2001, "Ada", username="ada")
BEN = FakeUser(2002, "Ben", username="ben")
CAL = FakeUser(2003, "Cal", username="cal")
GROUP = -4001
MONDAY_8 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
LINK = re.compile(r"https://t\.me/FlashtutorTestBot\?start=(s_[A-Za-z0-9_-]+)")


async def _new_deck_with_cards(chat: Chat) -> None:
    """/newdeck, two guided cards (one with a code block), then a pasted list saved."""
    [created] = await chat.send("/newdeck Spanish verbs")
    assert (
        "Created <b>Spanish verbs</b>" in created.text
        and "Send the <b>question</b>" in created.text
    )
    [ask] = await chat.send("to eat")
    assert "answer" in ask.text
    [added] = await chat.send("comer")
    assert "Added to <b>Spanish verbs</b> — 1 card now" in added.text
    # A client turns ``` fences into a pre entity and strips them: the card keeps its code.
    code_question = "How do you print in Python?\nprint('hola')"
    await chat.send(
        code_question,
        entities=[{"type": "pre", "offset": 28, "length": 13, "language": "python"}],
    )
    [added] = await chat.send("with `print`")
    assert "2 cards now" in added.text
    pasted = "to live :: vivir\nto speak\thablar\nno separator here\nto be :: "
    [preview] = await chat.send(pasted)
    assert "<b>2 cards</b> to add to <b>Spanish verbs</b>" in preview.text
    assert "line 3: no ' :: ' or tab" in preview.plain_text
    assert "line 4: the answer is empty" in preview.plain_text
    save = next(d for t, d in preview.buttons if t.startswith("💾 Save"))
    _toast, [saved] = await chat.press(preview, data=save, expect=1)
    assert "Saved 2 cards to <b>Spanish verbs</b> — 4 cards now" in saved.text
    assert saved.message_id == preview.message_id and not saved.buttons
    # A second press of Save adds nothing.
    toast, _ = await chat.press(preview, data=save)
    assert toast["text"] == "This preview was already saved or cancelled."
    [done] = await chat.send("/done")
    assert "Done" in done.text


async def _review_all(chat: Chat, first) -> list[str]:
    """Show and grade Good every card offered now; returns the questions seen."""
    seen, card = [], first
    while card.buttons and card.buttons[0][0] == "Show answer":
        seen.append(card.text)
        _t, [shown] = await chat.press(card, "Show answer", expect=1)
        _t, [card] = await chat.press(shown, "Good", expect=1)
    return seen


async def test_newdeck_guided_and_pasted_cards_are_reviewed(running_bot, fake, clock):
    chat = Chat(fake, ADA)
    await _new_deck_with_cards(chat)
    [card] = await chat.send("/review")
    assert "<b>Spanish verbs</b>" in card.text and "to eat" in card.text
    _t, [shown] = await chat.press(card, "Show answer", expect=1)
    assert "comer" in shown.text
    assert ("✏️ Edit", f"cm:{_card_id(shown)}") in shown.buttons
    _t, [second] = await chat.press(shown, "Good", expect=1)
    assert "<pre><code class=\"language-python\">print('hola')</code></pre>" in second.text
    _t, [shown] = await chat.press(second, "Show answer", expect=1)
    assert "with <code>print</code>" in shown.text
    _t, [third] = await chat.press(shown, "Good", expect=1)
    rest = await _review_all(chat, third)
    assert any("to live" in q for q in rest) and any("to speak" in q for q in rest)


def _card_id(message) -> int:
    return next(int(d[3:]) for _t, d in message.buttons if d and d.startswith("cm:"))


async def test_guided_add_survives_a_restart_and_other_commands_end_it(running_bot, fake):
    chat = Chat(fake, ADA)
    await chat.send("/newdeck Capitals")
    [ask] = await chat.send("Capital of France?")
    assert "answer" in ask.text
    await running_bot.restart()
    [added] = await chat.send("Paris")
    assert "Added to <b>Capitals</b> — 1 card now" in added.text
    # Another command ends adding: the next text is not taken as a card.
    await chat.send("/stats")
    [stray] = await chat.send("Capital of Spain?")
    assert "/help" in stray.text
    [nothing] = await chat.send("/done")
    assert "nothing to finish" in nothing.text


async def test_edit_during_review_reaches_a_learner_who_joined_by_link(running_bot, fake, clock):
    ada, ben = Chat(fake, ADA), Chat(fake, BEN)
    await ada.send("/newdeck Capitals")
    await ada.send("Capital of France?")
    await ada.send("Paris")
    await ada.send("Capital of Spain?")
    await ada.send("Madird")
    await ada.send("/done")
    link = await _share(ada, "Capitals")

    # Ben opens the link: title, card count, Study this deck.
    [preview] = await ben.send(f"/start {link}")
    assert "<b>Capitals</b>" in preview.text and "2 cards" in preview.text
    _t, [_edited, joined, first] = await ben.press(preview, "📚 Study this deck", expect=3)
    assert "now studying <b>Capitals</b>" in joined.text
    assert "Capital of France?" in first.text
    # Ben is not the owner: no Edit under his answer, and a forged Edit is refused.
    _t, [shown] = await ben.press(first, "Show answer", expect=1)
    assert not any(t.startswith("✏️") for t, _d in shown.buttons)
    _t, [ben_second] = await ben.press(shown, "Good", expect=1)
    assert "Capital of Spain?" in ben_second.text

    # Ada fixes the typo from her own review.
    [card] = await ada.send("/review")
    _t, [shown] = await ada.press(card, "Show answer", expect=1)
    _t, [card] = await ada.press(shown, "Good", expect=1)
    _t, [shown] = await ada.press(card, "Show answer", expect=1)
    assert "Madird" in shown.text
    spain = _card_id(shown)
    toast, _ = await ben.press(ben_second, data=f"cm:{spain}")
    assert toast["text"] == "Only the deck's owner can change it."
    toast, _ = await ben.press(ben_second, data=f"ca:{spain}")
    assert toast["text"] == "Only the deck's owner can change it."
    _t, [menu] = await ada.press(shown, "✏️ Edit", expect=1)
    assert "edit card" in menu.text and "Madird" in menu.text
    _t, [ask] = await ada.press(menu, "✏️ Answer", expect=1)
    assert "new <b>answer</b>" in ask.text
    await running_bot.restart()
    [saved] = await ada.send("Madrid")
    assert "✅ Saved" in saved.text and "Madrid" in saved.text

    # Ben sees the new answer on the card he is studying.
    _t, [shown] = await ben.press(ben_second, "Show answer", expect=1)
    assert "Madrid" in shown.text and "Madird" not in shown.text


async def _share(chat: Chat, title: str) -> str:
    """Open the deck's menu from /decks and make its share link; returns the code."""
    [_bundled, mine] = await chat.send("/decks", expect=2)
    assert f"<b>{title}</b>" in mine.text and "yours" in mine.text
    _t, [menu] = await chat.press(mine, f"⚙️ {title}", expect=1)
    _t, [shared] = await chat.press(menu, "🔗 Share", expect=1)
    return LINK.search(shared.text).group(1)


async def test_new_link_and_stop_sharing(running_bot, fake):
    ada, ben, cal = Chat(fake, ADA), Chat(fake, BEN), Chat(fake, CAL)
    await ada.send("/newdeck Capitals")
    await ada.send("Capital of France? :: Paris")
    [preview] = ada.fake.messages(ADA.id)[-1:]
    _t, _ = await ada.press(preview, "💾 Save", expect=1)
    old = await _share(ada, "Capitals")
    [ben_preview] = await ben.send(f"/start {old}")

    # A new link: the old one stops working, for opening and for a pending Study press.
    shared = ada.last()
    _t, [renewed] = await ada.press(shared, "🔄 New link", expect=1)
    assert "old one no longer works" in renewed.text
    new = LINK.search(renewed.text).group(1)
    assert new != old
    [dead] = await cal.send(f"/start {old}")
    assert "no longer valid" in dead.text
    toast, _ = await ben.press(ben_preview, "📚 Study this deck")
    assert toast["text"] == "This share link is no longer valid."
    [ben_preview] = await ben.send(f"/start {new}")
    _t, [_e, joined, _card] = await ben.press(ben_preview, "📚 Study this deck", expect=3)
    assert "now studying <b>Capitals</b>" in joined.text

    # Stop sharing: the link dies, Ben (already in) keeps studying.
    _t, [stopped] = await ada.press(renewed, "⛔ Stop sharing", expect=1)
    assert "Sharing of <b>Capitals</b> stopped" in stopped.text
    [dead] = await cal.send(f"/start {new}")
    assert "no longer valid" in dead.text
    [card] = await ben.send("/review")
    assert "Capital of France?" in card.text


async def test_rename_list_delete_card_and_delete_deck(running_bot, fake):
    ada, ben = Chat(fake, ADA), Chat(fake, BEN)
    await ada.send("/newdeck Capitals")
    [preview] = await ada.send("France :: Paris\nSpain :: Madrid\nItaly :: Rome")
    await ada.press(preview, "💾 Save", expect=1)
    code = await _share(ada, "Capitals")
    [ben_preview] = await ben.send(f"/start {code}")
    await ben.press(ben_preview, "📚 Study this deck", expect=3)

    [_bundled, mine] = await ada.send("/decks", expect=2)
    _t, [menu] = await ada.press(mine, "⚙️ Capitals", expect=1)
    assert "3 cards" in menu.text and "1 other learner" in menu.text
    # Ben pressing Ada's owner buttons is refused.
    for action in ("mr", "md", "mD", "mc"):
        toast, _ = await ben.press(ben_preview, data=f"{action}:{_deck_id(menu)}")
        assert toast["text"] == "Only the deck's owner can change it.", action

    _t, [ask] = await ada.press(menu, "✏️ Rename", expect=1)
    assert "new title for <b>Capitals</b>" in ask.text
    [renamed] = await ada.send("European capitals")
    assert "Renamed to <b>European capitals</b>" in renamed.text

    _t, [listed] = await ada.press(menu, "📝 Cards", expect=1)
    assert "cards 1–3 of 3" in listed.text and "2. Spain" in listed.text
    _t, [card_menu] = await ada.press(listed, "✏️ 2", expect=1)
    _t, [confirm] = await ada.press(card_menu, "🗑 Delete card", expect=1)
    _t, [deleted] = await ada.press(confirm, "🗑 Yes", expect=1)
    assert "Card deleted" in deleted.text
    toast, _ = await ada.press(confirm, "🗑 Yes")
    assert toast["text"] == "That card was deleted."
    [ben_stats] = await ben.send("/stats")
    assert "of 2" in ben_stats.text

    _t, [menu] = await ada.press(listed, "← Back", expect=1)
    _t, [confirm] = await ada.press(menu, "🗑 Delete deck", expect=1)
    assert "2 learners" in confirm.text
    _t, [gone] = await ada.press(confirm, "🗑 Yes", expect=1)
    assert "Deleted <b>European capitals</b>" in gone.text
    toast, _ = await ada.press(confirm, data=f"mD:{_deck_id(menu)}")
    assert toast["text"] == "That deck was deleted."
    [nothing] = await ben.send("/review")
    assert "Capital" not in nothing.text and "Spain" not in nothing.text
    [dead] = await ben.send(f"/start {code}")
    assert "no longer valid" in dead.text


def _deck_id(menu) -> int:
    return next(int(d.split(":")[1]) for _t, d in menu.buttons if d and d.startswith("m"))


async def test_group_studies_an_owned_deck(running_bot, fake, clock):
    ada = Chat(fake, ADA)
    await ada.send("/newdeck Capitals")
    [preview] = await ada.send("Capital of France? :: Paris\nCapital of Spain? :: Madrid")
    await ada.press(preview, "💾 Save", expect=1)
    group = GroupChat(fake, GROUP)
    await group.add_bot(ADA)
    fake.set_chat_member(GROUP, BEN, "administrator")
    [picker] = await group.send(ADA, "/deck")
    assert "👤 Capitals" in [t for t, _d in picker.buttons]
    # Another admin cannot pick Ada's deck from her picker.
    toast, _ = await group.press(BEN, picker, "👤 Capitals")
    assert toast["text"].startswith("Only that deck's owner")
    _t, [chosen] = await group.press(ADA, picker, "👤 Capitals", expect=1)
    assert "Capitals" in chosen.text
    at = MONDAY_8 + timedelta(hours=1, minutes=1)
    clock.set(at)
    report = await running_bot.runtime.timetable.sweep(at)
    assert report.groups.posted == [GROUP]
    posts = group.posts()
    assert len(posts) == 2 and all("Capital of" in p.text for p in posts)

    # Ben sets it by share link instead; a dead link is refused.
    code = await _share(ada, "Capitals")
    [reply] = await group.send(BEN, f"/deck https://t.me/FlashtutorTestBot?start={code}")
    assert "Capitals" in reply.text
    [reply] = await group.send(BEN, "/deck s_not-a-real-code")
    assert "no longer valid" in reply.text


async def test_export_sends_three_documents_that_round_trip(running_bot, fake, clock):
    ada, ben = Chat(fake, ADA), Chat(fake, BEN)
    await ada.send("/newdeck Capitals")
    [preview] = await ada.send("Capital of France? :: Paris\nCapital of *Spain*? :: `Madrid`")
    await ada.press(preview, "💾 Save", expect=1)
    await ada.send("/done")
    code = await _share(ada, "Capitals")
    [ben_preview] = await ben.send(f"/start {code}")
    await ben.press(ben_preview, "📚 Study this deck", expect=3)

    docs = await ben.send("/export", expect=3)
    assert [d.method for d in docs] == ["sendDocument"] * 3
    files = [fake.file(d.file_id) for d in docs]
    assert [f.file_name for f in files] == ["Capitals.apkg", "Capitals.csv", "Capitals-quizlet.txt"]
    assert all(d.caption and len(d.caption) <= 1024 for d in docs)

    # Round trips: what the files hold reads back as the stored cards.
    anki = read_anki_package(files[0].data, filename="Capitals.apkg")
    assert [(c.question, c.answer) for c in anki.cards] == [
        ("Capital of France?", "Paris"),
        ("Capital of <b>Spain</b>?", "<code>Madrid</code>"),
    ]
    plain = [("Capital of France?", "Paris"), ("Capital of Spain?", "Madrid")]
    for file in files[1:]:
        parsed = parse_text_deck(file.data, filename=file.file_name).draft
        sides = [
            (telegram_plain_text(c.question), telegram_plain_text(c.answer)) for c in parsed.cards
        ]
        assert sides == plain, file.file_name

    # A deck nobody studies cannot be exported by a forged button.
    [_bundled, mine] = await ada.send("/decks", expect=2)
    cal = Chat(fake, CAL)
    [welcome] = await cal.send("/start")
    toast, _ = await cal.press(welcome, data=f"x:{_deck_id(mine)}")
    assert toast["text"].startswith("You can only export")


async def test_flashcards_offer_edit_to_the_owner_and_add_asks_which_deck(running_bot, fake):
    ada, ben = Chat(fake, ADA), Chat(fake, BEN)
    await ada.send("/newdeck Capitals")
    [preview] = await ada.send("France :: Paris\nSpain :: Madrid")
    # Cancel saves nothing; the next paste is saved.
    _t, [cancelled] = await ada.press(preview, "Cancel", expect=1)
    assert "none of those cards were saved" in cancelled.text
    [preview] = await ada.send("France :: Paris\nSpain :: Madrid")
    await ada.press(preview, "💾 Save", expect=1)
    [done] = await ada.send("/done")
    assert "2 cards added to <b>Capitals</b>" in done.text

    [card] = await ada.send("/cards")
    assert "France" in card.text and card.buttons[-1][0] == "✏️ Edit"
    _t, [menu] = await ada.press(card, "✏️ Edit", expect=1)
    _t, [ask] = await ada.press(menu, "✏️ Question", expect=1)
    assert "France" in ask.text
    [saved] = await ada.send("Capital of France?")
    assert "Capital of France?" in saved.text and "Paris" in saved.text

    # Ben studies the deck by link: his Flashcards have no Edit.
    code = await _share(ada, "Capitals")
    [ben_preview] = await ben.send(f"/start {code}")
    await ben.press(ben_preview, "📚 Study this deck", expect=3)
    [card] = await ben.send("/cards")
    assert "Capital of France?" in card.text
    assert not any(t.startswith("✏️") for t, _d in card.buttons)

    # A second own deck: /add asks which one.
    await ada.send("/newdeck Rivers")
    [pick] = await ada.send("/add")
    assert [t for t, _d in pick.buttons] == ["👤 Capitals", "👤 Rivers"]
    _t, [prompt] = await ada.press(pick, "👤 Rivers", expect=1)
    assert "Adding cards to <b>Rivers</b> (0 cards)" in prompt.text
    [none] = await ada.send("just one line :: ")
    assert "I found no card" in none.text and "line 1: the answer is empty" in none.plain_text


async def test_a_bundled_deck_exports_and_reads_back_card_for_card(running_bot, fake):
    from bot.core.markup import to_telegram_html
    from bot.services.decks import deck_by_slug, deck_cards

    chat = Chat(fake, CAL)
    [welcome] = await chat.send("/start")
    await chat.press(welcome, "📚", expect=3)
    docs = await chat.send("/export", expect=3)
    apkg = fake.file(docs[0].file_id)
    assert apkg.file_name == "Deep-Learning-Tools.apkg"
    async with running_bot.runtime.db.session() as session:
        deck = await deck_by_slug(session, slug="deep-learning-tools")
        stored = await deck_cards(session, deck_id=deck.id)
    read = read_anki_package(apkg.data, filename=apkg.file_name)
    assert read.title == "Deep Learning Tools"
    assert [(c.question, c.answer) for c in read.cards] == [
        (to_telegram_html(c.question), to_telegram_html(c.answer)) for c in stored
    ]
    csv_file = fake.file(docs[1].file_id)
    parsed = parse_text_deck(csv_file.data, filename=csv_file.file_name).draft
    assert len(parsed.cards) == len(stored)


async def test_a_question_left_open_half_an_hour_no_longer_takes_text(running_bot, fake, clock):
    chat = Chat(fake, ADA)
    await chat.send("/newdeck Capitals")
    await chat.send("Capital of France?")
    clock.advance(minutes=29)
    [added] = await chat.send("Paris")
    assert "1 card now" in added.text
    clock.advance(minutes=31)
    # Half an hour later, text is no longer taken for a card.
    [stray] = await chat.send("Capital of Spain?")
    assert "Added" not in stray.text and "answer" not in stray.text.lower()
    [done] = await chat.send("/done")
    assert "1 card added to <b>Capitals</b>" in done.text
