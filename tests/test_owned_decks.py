"""Learners' own decks on SQLite and Postgres: import and re-import, authoring, ownership,
sharing, deletion, media, export, and all-or-nothing saves."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.config import DEFAULT_DECKS_DIR
from bot.core.imports.draft import (
    CardDraft,
    CardKind,
    CardProgress,
    DeckDraft,
    MediaKind,
    MediaRef,
    ProgressState,
    ReviewDraft,
    ReviewKind,
)
from bot.core.srs import Grade, make_scheduler
from bot.services import review as reviews
from bot.services.deck_export import export_deck
from bot.services.deck_imports import reimport_candidate, save_import
from bot.services.decks import deck_by_slug, deck_cards, list_decks, load_bundled_decks
from bot.services.groups import claim_due_group_posts, ensure_group
from bot.services.media import load_media, remember_file_id
from bot.services.owned_decks import (
    CardNotFound,
    CardTextError,
    DeckNotFound,
    NotDeckOwner,
    add_cards,
    create_deck,
    delete_card,
    delete_deck,
    edit_card,
    owned_decks,
    rename_deck,
)
from bot.services.sharing import (
    enrol_shared,
    open_shared,
    set_group_deck_for_admin,
    share_link_code,
    stop_sharing,
    studyable_deck,
)
from bot.services.users import UserDefaults, active_decks, ensure_user
from bot.storage.models import (
    Card,
    CardState,
    Deck,
    Enrolment,
    Group,
    ImportedReview,
    Media,
    User,
)
from bot.telegram.group_posting import render_post

OWNER, FRIEND, STRANGER = 1, 2, 3
PNG = b"\x89PNG\r\n\x1a\n" + b"pixels" * 10
MP3 = b"ID3" + b"\x00" * 40
SCHEDULER = make_scheduler(fuzzing=False)


def _card(n: int, **changes) -> CardDraft:
    card = CardDraft(
        key=f"guid{n}:0",
        note_key=f"guid{n}",
        note_type="Basic",
        kind=CardKind.BASIC,
        question=f"<b>word {n}</b>",
        answer=f"meaning {n} &amp; more",
        tags=("spanish::a1", "food stuff"),
    )
    return replace(card, **changes)


def _draft(cards, **changes) -> DeckDraft:
    draft = DeckDraft(
        title="Spanish Basics",
        cards=tuple(cards),
        source_format="apkg",
        description="From Anki",
        media={"manzana.png": PNG, "hola.mp3": MP3, "unused.png": b"never shown"},
    )
    return replace(draft, **changes)


async def _users(db, now, *ids):
    async with db.session() as s:
        for uid in ids or (OWNER, FRIEND, STRANGER):
            await ensure_user(
                s,
                user_id=uid,
                first_name=f"u{uid}",
                username=None,
                now=now,
                defaults=UserDefaults(),
            )
    return {uid: await _user(db, uid) for uid in ids or (OWNER, FRIEND, STRANGER)}


async def _user(db, uid):
    async with db.session() as s:
        return await s.get(User, uid)


async def _import(db, draft, now, **kwargs):
    async with db.session() as s:
        return await save_import(s, owner_id=OWNER, draft=draft, now=now, **kwargs)


async def _live(db, deck_id):
    async with db.session() as s:
        return {c.key: c for c in await deck_cards(s, deck_id=deck_id)}


async def test_import_saves_the_deck_privately_and_enrols_its_owner(db, clock):
    await _users(db, clock())
    photo = MediaRef("manzana.png", MediaKind.IMAGE)
    sound = MediaRef("hola.mp3", MediaKind.SOUND)
    cards = [
        _card(1, answer_media=(photo,)),
        _card(2, question_media=(sound, MediaRef("missing.png", MediaKind.IMAGE))),
        _card(3, kind=CardKind.TYPED, typed_answer="la casa"),
    ]
    result = await _import(db, _draft(cards), clock())
    assert (result.added, result.updated, result.retired, result.cards) == (3, 0, 0, 3)
    assert result.media_added == 2  # the unused file is not stored
    deck = result.deck
    assert deck.slug == f"~{deck.id}" and deck.owner_id == OWNER and deck.source == "anki"
    live = await _live(db, deck.id)
    first = live["x:guid1:0"]
    assert first.text_format == "html" and first.question == "<b>word 1</b>"
    assert first.tags == "spanish::a1 food_stuff" and first.external_key == "guid1:0"
    assert first.answer_media == [
        {"sha256": result_hash(PNG), "kind": "image", "name": "manzana.png"}
    ]
    assert [m["name"] for m in live["x:guid2:0"].question_media] == ["hola.mp3"]
    assert (live["x:guid3:0"].kind, live["x:guid3:0"].typed_answer) == ("typed", "la casa")
    async with db.session() as s:
        assert [d.id for d in await active_decks(s, user_id=OWNER)] == [deck.id]
        # Private: not in the catalogue, not reachable by slug or by someone else.
        assert deck.id not in {d.id for d, _n in await list_decks(s)}
        assert await deck_by_slug(s, slug=deck.slug) is None
        assert await studyable_deck(s, user_id=FRIEND, deck_id=deck.id) is None
        assert await media_count(s) == 2
    owner = await _user(db, OWNER)
    async with db.session() as s:
        study = await reviews.next_card(s, user=owner, now=clock())
    assert study.deck.id == deck.id and study.card.key == "x:guid1:0"


def result_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def media_count(session) -> int:
    return (await session.execute(select(func.count()).select_from(Media))).scalar_one()


async def test_reimport_updates_in_place_adds_retires_and_keeps_history(db, clock):
    users = await _users(db, clock())
    first = await _import(db, _draft([_card(1), _card(2), _card(3)]), clock())
    deck_id = first.deck.id
    async with db.session() as s:  # the owner renames the deck and types a card into it
        await rename_deck(s, owner_id=OWNER, deck_id=deck_id, title="Mi español", now=clock())
        [typed] = await add_cards(
            s, owner_id=OWNER, deck_id=deck_id, cards=[("¿Qué tal?", "How are you?")], now=clock()
        )
        study = await reviews.next_card(s, user=users[OWNER], now=clock())
    async with db.session() as s:
        graded = await reviews.grade_card(
            s,
            user=users[OWNER],
            card_id=study.card.id,
            version=0,
            grade=Grade.GOOD,
            now=clock(),
            scheduler=SCHEDULER,
        )
    assert graded.status is reviews.GradeStatus.OK and study.card.key == "x:guid1:0"
    before = await _live(db, deck_id)
    again = _draft([_card(1, answer="meaning one, revised"), _card(2), _card(4)])
    async with db.session() as s:
        target = await reimport_candidate(s, owner_id=OWNER, draft=again)
    assert target.id == deck_id
    second = await _import(db, again, clock.advance(days=1), replace_deck_id=target.id)
    assert (second.added, second.updated, second.retired) == (1, 1, 1)
    assert second.deck.title == "Mi español"  # the owner's rename wins over the file's title
    after = await _live(db, deck_id)
    assert set(after) == {"x:guid1:0", "x:guid2:0", "x:guid4:0", typed.key}
    assert after["x:guid1:0"].id == before["x:guid1:0"].id
    assert after["x:guid1:0"].answer == "meaning one, revised"
    async with db.session() as s:
        state = await s.get(CardState, (OWNER, before["x:guid1:0"].id))
        gone = await s.get(Card, before["x:guid3:0"].id)
    assert state is not None and state.reps == 1  # the grade survived the update
    assert gone.retired
    # The same file a third time changes nothing.
    third = await _import(db, again, clock(), replace_deck_id=deck_id)
    assert (third.added, third.updated, third.retired, third.cards) == (0, 0, 0, 4)


async def test_imported_history_becomes_the_owners_memory_once(db, clock):
    await _users(db, clock())
    answered = clock() - timedelta(days=10)
    history = (
        ReviewDraft(answered, 3, ReviewKind.LEARN, 1, 0, 4000),
        ReviewDraft(answered + timedelta(days=1), 4, ReviewKind.REVIEW, 9, 1, 3000),
    )
    fsrs = CardProgress(
        state=ProgressState.REVIEW,
        due=clock() + timedelta(days=5),
        interval_days=12,
        reps=6,
        lapses=1,
        suspended=False,
        stability=14.5,
        difficulty=4.2,
        last_review=clock() - timedelta(days=7),
    )
    draft = _draft([_card(1, reviews=history), _card(2, progress=fsrs), _card(3)])
    result = await _import(db, draft, clock())
    assert (result.with_memory, result.reviews_added) == (2, 2)
    live = await _live(db, result.deck.id)
    async with db.session() as s:
        replayed = await s.get(CardState, (OWNER, live["x:guid1:0"].id))
        kept = await s.get(CardState, (OWNER, live["x:guid2:0"].id))
        fresh = await s.get(CardState, (OWNER, live["x:guid3:0"].id))
    assert (
        replayed.state == 2
        and replayed.reps == 2
        and replayed.last_review == history[1].reviewed_at
    )
    assert (kept.stability, kept.difficulty, kept.due, kept.lapses) == (14.5, 4.2, fsrs.due, 1)
    assert fresh is None
    again = await _import(db, draft, clock.advance(hours=1), replace_deck_id=result.deck.id)
    assert (again.with_memory, again.reviews_added) == (0, 0)
    async with db.session() as s:
        rows = (await s.execute(select(ImportedReview))).scalars().all()
        assert [(r.user_id, r.rating, r.kind) for r in rows] == [
            (OWNER, 3, "learn"),
            (OWNER, 4, "review"),
        ]


async def test_authoring_and_ownership_refusals(db, clock):
    await _users(db, clock())
    async with db.session() as s:
        deck = await create_deck(s, owner_id=OWNER, title="  My   verbs ", now=clock())
        cards = await add_cards(
            s,
            owner_id=OWNER,
            deck_id=deck.id,
            cards=[("to be", "ser / estar"), ("to have", "`tener`")],
            now=clock(),
        )
    assert deck.title == "My verbs" and deck.source == "typed"
    assert [c.position for c in cards] == [0, 1] and all(c.key.startswith("t:") for c in cards)
    async with db.session() as s:
        assert [(d.id, n) for d, n in await owned_decks(s, owner_id=OWNER)] == [(deck.id, 2)]
        for attempt in (
            rename_deck(s, owner_id=FRIEND, deck_id=deck.id, title="Mine now", now=clock()),
            add_cards(s, owner_id=FRIEND, deck_id=deck.id, cards=[("q", "a")], now=clock()),
            edit_card(s, owner_id=FRIEND, card_id=cards[0].id, question="hacked", now=clock()),
            delete_card(s, owner_id=FRIEND, card_id=cards[0].id, now=clock()),
            delete_deck(s, owner_id=FRIEND, deck_id=deck.id, now=clock()),
            share_link_code(s, owner_id=FRIEND, deck_id=deck.id, now=clock()),
        ):
            with pytest.raises(NotDeckOwner):
                await attempt
        with pytest.raises(CardTextError, match="question is empty"):
            await add_cards(s, owner_id=OWNER, deck_id=deck.id, cards=[("  ", "a")], now=clock())
        with pytest.raises(CardTextError, match="limit is 3500"):
            await edit_card(s, owner_id=OWNER, card_id=cards[1].id, answer="x" * 3501, now=clock())
    async with db.session() as s:
        edited = await edit_card(
            s, owner_id=OWNER, card_id=cards[0].id, answer="ser, estar", now=clock()
        )
        await delete_card(s, owner_id=OWNER, card_id=cards[1].id, now=clock())
        with pytest.raises(CardNotFound):
            await edit_card(s, owner_id=OWNER, card_id=cards[1].id, answer="again", now=clock())
    assert (edited.question, edited.answer) == ("to be", "ser, estar")
    assert list(await _live(db, deck.id)) == [cards[0].key]
    # An imported (HTML) card edited in chat stays HTML: the typed markup is rendered.
    imported = await _import(db, _draft([_card(1)]), clock())
    [card] = (await _live(db, imported.deck.id)).values()
    async with db.session() as s:
        edited = await edit_card(s, owner_id=OWNER, card_id=card.id, answer="*a* <b>", now=clock())
    assert edited.answer == "<b>a</b> &lt;b&gt;"
    with pytest.raises(NotDeckOwner):  # re-importing into someone else's deck
        async with db.session() as s:
            await save_import(
                s, owner_id=FRIEND, draft=_draft([_card(9)]), now=clock(), replace_deck_id=deck.id
            )


async def test_sharing_links_regenerate_and_stop(db, clock):
    users = await _users(db, clock())
    result = await _import(db, _draft([_card(1), _card(2)]), clock())
    deck_id = result.deck.id
    async with db.session() as s:
        code = await share_link_code(s, owner_id=OWNER, deck_id=deck_id, now=clock())
        same = await share_link_code(s, owner_id=OWNER, deck_id=deck_id, now=clock())
    assert code == same and re.fullmatch(r"s_[A-Za-z0-9_-]{22}", code)
    async with db.session() as s:
        summary = await open_shared(s, code=code)
        joined = await enrol_shared(s, user_id=FRIEND, code=code, now=clock())
    assert (summary.title, summary.description, summary.card_count) == (
        "Spanish Basics",
        "From Anki",
        2,
    )
    assert joined.deck_id == deck_id
    async with db.session() as s:
        new_code = await share_link_code(
            s, owner_id=OWNER, deck_id=deck_id, now=clock(), regenerate=True
        )
        assert new_code != code
        assert await open_shared(s, code=code) is None
        assert await enrol_shared(s, user_id=STRANGER, code=code, now=clock()) is None
        assert (await open_shared(s, code=new_code)).deck_id == deck_id
        assert await stop_sharing(s, owner_id=OWNER, deck_id=deck_id, now=clock())
        assert await open_shared(s, code=new_code) is None
        assert not await stop_sharing(s, owner_id=OWNER, deck_id=deck_id, now=clock())
        assert await open_shared(s, code="deep-learning-tools") is None
    # The learner who joined keeps studying after sharing stopped.
    async with db.session() as s:
        study = await reviews.next_card(s, user=users[FRIEND], now=clock())
        assert study is not None and study.deck.id == deck_id
        assert await studyable_deck(s, user_id=STRANGER, deck_id=deck_id) is None


async def test_shared_learners_see_the_owners_edits_with_their_own_history(db, clock):
    users = await _users(db, clock())
    async with db.session() as s:
        deck = await create_deck(s, owner_id=OWNER, title="Capitals", now=clock())
        [card] = await add_cards(
            s, owner_id=OWNER, deck_id=deck.id, cards=[("France?", "Lyon")], now=clock()
        )
        code = await share_link_code(s, owner_id=OWNER, deck_id=deck.id, now=clock())
        await enrol_shared(s, user_id=FRIEND, code=code, now=clock())
        study = await reviews.next_card(s, user=users[FRIEND], now=clock())
    async with db.session() as s:
        await reviews.grade_card(
            s,
            user=users[FRIEND],
            card_id=study.card.id,
            version=0,
            grade=Grade.AGAIN,
            now=clock(),
            scheduler=SCHEDULER,
        )
        await edit_card(s, owner_id=OWNER, card_id=card.id, answer="Paris", now=clock())
    async with db.session() as s:
        study = await reviews.next_card(s, user=users[FRIEND], now=clock.advance(minutes=10))
        owner_state = await s.get(CardState, (OWNER, card.id))
    assert study.card.id == card.id and study.card.answer == "Paris" and study.version == 1
    assert owner_state is None  # the friend's grade is the friend's alone


async def test_deleting_a_deck_takes_it_off_every_study_list_and_group(db, clock):
    users = await _users(db, clock())
    async with db.session() as s:
        deck = await create_deck(s, owner_id=OWNER, title="Soon gone", now=clock())
        await add_cards(s, owner_id=OWNER, deck_id=deck.id, cards=[("q", "a")], now=clock())
        code = await share_link_code(s, owner_id=OWNER, deck_id=deck.id, now=clock())
        await enrol_shared(s, user_id=FRIEND, code=code, now=clock())
        group = await ensure_group(
            s, chat_id=-100, title="Club", now=clock(), defaults=UserDefaults()
        )
        await set_group_deck_for_admin(s, group=group, admin_id=OWNER, deck_id=deck.id, now=clock())
        assert group.deck_id == deck.id and group.next_post_at is not None
    async with db.session() as s:
        assert await delete_deck(s, owner_id=OWNER, deck_id=deck.id, now=clock()) == 2
    async with db.session() as s:
        for uid in (OWNER, FRIEND):
            assert await active_decks(s, user_id=uid) == []
            assert await reviews.next_card(s, user=users[uid], now=clock()) is None
        enrolments = (
            await s.execute(select(Enrolment).where(Enrolment.deck_id == deck.id))
        ).scalars()
        assert [e.active for e in enrolments] == [False, False]
        group = await s.get(Group, -100)
        assert (group.deck_id, group.next_post_at) == (None, None)
        assert await open_shared(s, code=code) is None
        assert await owned_decks(s, owner_id=OWNER) == []
        assert (await s.get(Deck, deck.id)).retired  # kept, retired: history still points at it
        with pytest.raises(DeckNotFound):
            await rename_deck(s, owner_id=OWNER, deck_id=deck.id, title="Back", now=clock())


async def test_group_deck_is_one_the_admin_owns_or_can_open_by_link(db, clock):
    await _users(db, clock())
    async with db.session() as s:
        mine = await create_deck(s, owner_id=FRIEND, title="Friend's", now=clock())
        theirs = await create_deck(s, owner_id=STRANGER, title="Private", now=clock())
        code = await share_link_code(s, owner_id=FRIEND, deck_id=mine.id, now=clock())
        group = await ensure_group(
            s, chat_id=-200, title="Club", now=clock(), defaults=UserDefaults()
        )
        chosen = await set_group_deck_for_admin(
            s, group=group, admin_id=OWNER, share_code=code, now=clock()
        )
        assert chosen.id == mine.id and group.deck_id == mine.id
        with pytest.raises(NotDeckOwner):
            await set_group_deck_for_admin(
                s, group=group, admin_id=OWNER, deck_id=theirs.id, now=clock()
            )
        with pytest.raises(DeckNotFound):
            await set_group_deck_for_admin(
                s, group=group, admin_id=OWNER, share_code="s_nope", now=clock()
            )
        assert group.deck_id == mine.id


async def test_media_is_stored_once_per_content_and_uploaded_once(db, clock):
    await _users(db, clock())
    photo = (MediaRef("manzana.png", MediaKind.IMAGE),)
    first = await _import(db, _draft([_card(1, answer_media=photo)]), clock())
    renamed = _draft(
        [_card(1, answer_media=(MediaRef("apple.png", MediaKind.IMAGE),))],
        media={"apple.png": PNG},
    )
    second = await _import(db, renamed, clock())
    assert (first.media_added, second.media_added) == (1, 0)
    digest = result_hash(PNG)
    async with db.session() as s:
        assert await media_count(s) == 1
        assert await remember_file_id(s, sha256=digest, file_id="AgAD-first")
        assert await remember_file_id(s, sha256=digest, file_id="AgAD-second")
        assert not await remember_file_id(s, sha256="0" * 64, file_id="x")
    async with db.session() as s:
        media = await load_media(s, sha256=digest)
    assert (media.mime, media.size, media.data, media.telegram_file_id) == (
        "image/png",
        len(PNG),
        PNG,
        "AgAD-first",
    )


async def test_a_failing_import_writes_nothing_and_leaves_other_decks_alone(db, clock):
    await _users(db, clock())
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=clock())
    kept = await _import(db, _draft([_card(1), _card(2)]), clock())
    naive = ReviewDraft(datetime(2026, 1, 1), 3, ReviewKind.REVIEW, 3, 1, 1000)  # not UTC-aware
    bad = _draft(
        [
            _card(5, answer_media=(MediaRef("hola.mp3", MediaKind.SOUND),)),
            _card(6, reviews=(naive,)),
        ]
    )
    async with db.session() as s:
        decks_before = (await s.execute(select(func.count()).select_from(Deck))).scalar_one()
        cards_before = (await s.execute(select(func.count()).select_from(Card))).scalar_one()
    with pytest.raises(ValueError):
        await _import(db, bad, clock())
    with pytest.raises(ValueError):  # a failing re-import leaves the deck as it was
        await _import(
            db,
            replace(bad, cards=(_card(1, answer="changed"), *bad.cards)),
            clock(),
            replace_deck_id=kept.deck.id,
        )
    async with db.session() as s:
        assert (
            await s.execute(select(func.count()).select_from(Deck))
        ).scalar_one() == decks_before
        assert (
            await s.execute(select(func.count()).select_from(Card))
        ).scalar_one() == cards_before
        assert await media_count(s) == 0
    live = await _live(db, kept.deck.id)
    assert (
        set(live) == {"x:guid1:0", "x:guid2:0"}
        and live["x:guid1:0"].answer == "meaning 1 &amp; more"
    )


async def test_bundled_sync_never_touches_owned_decks(db, clock):
    await _users(db, clock())
    result = await _import(db, _draft([_card(1)]), clock())
    await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=clock())
    report = await load_bundled_decks(db, DEFAULT_DECKS_DIR, now=clock.advance(days=1))
    assert sum(report.retired.values()) == 0
    assert set(await _live(db, result.deck.id)) == {"x:guid1:0"}
    async with db.session() as s:
        assert {d.slug for d, _n in await list_decks(s)} == {
            d.slug for d in (await s.execute(select(Deck).where(Deck.owner_id.is_(None)))).scalars()
        }


async def test_export_gives_live_cards_tags_and_media_to_learners_only(db, clock):
    await _users(db, clock())
    photo = (MediaRef("manzana.png", MediaKind.IMAGE),)
    result = await _import(db, _draft([_card(1, answer_media=photo), _card(2)]), clock())
    second = (await _live(db, result.deck.id))["x:guid2:0"]
    async with db.session() as s:
        await delete_card(s, owner_id=OWNER, card_id=second.id, now=clock())
        exported = await export_deck(s, user_id=OWNER, deck_id=result.deck.id)
        assert await export_deck(s, user_id=STRANGER, deck_id=result.deck.id) is None
    assert exported.title == "Spanish Basics" and len(exported.cards) == 1
    [card] = exported.cards
    assert card.stable_id == f"{result.deck.id}:x:guid1:0" and card.note_key == "guid1"
    assert card.tags == ("spanish::a1", "food_stuff") and card.text_format == "html"
    assert [m.name for m in card.answer_media] == ["manzana.png"]
    assert exported.media == {"manzana.png": PNG}


async def test_a_groups_imported_deck_posts_its_html_as_html(db, clock):
    await _users(db, clock())
    result = await _import(db, _draft([_card(1)]), clock())
    async with db.session() as s:
        group = await ensure_group(
            s, chat_id=-300, title="Club", now=clock(), defaults=UserDefaults()
        )
        await set_group_deck_for_admin(
            s, group=group, admin_id=OWNER, deck_id=result.deck.id, now=clock()
        )
    async with db.session() as s:
        [due], _examined = await claim_due_group_posts(s, now=clock.advance(hours=2), limit=5)
    [view] = due.posts
    assert view.text_format == "html"
    text = render_post(view)
    assert "<b>word 1</b>" in text  # the card's own HTML, not escaped a second time
    assert "<tg-spoiler>meaning 1 &amp; more</tg-spoiler>" in text


async def test_long_titles_are_shortened_and_an_empty_draft_changes_nothing(db, clock):
    await _users(db, clock())
    long_title = "Languages::Spanish::" + "Very long sub deck name " * 5
    result = await _import(db, _draft([_card(1)], title=long_title, description="d" * 400), clock())
    assert len(result.deck.title) == 80 and result.deck.title.endswith("…")
    assert len(result.deck.description) == 300
    with pytest.raises(ValueError):
        await _import(db, _draft([]), clock(), replace_deck_id=result.deck.id)
    assert set(await _live(db, result.deck.id)) == {"x:guid1:0"}
