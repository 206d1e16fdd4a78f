"""Two real bot processes behind a load balancer on one Postgres, as issue 12 deploys them.

Each replica is `python -m bot` in webhook mode with REPLICAS=2 on the same Postgres schema.
The fake Bot API server is Telegram and the load balancer in one: it POSTs each update to the
replicas in turn (one request in flight per chat, an unanswered one retried), and takes a
replica that leaves a request unanswered out of its rotation for a moment, as a balancer's
health check does. Each replica reaches the Bot API through its own tagged URL, so the test
can tell which process sent what.

Thirty simulated learners grade at a person's pace (a random think time before each press)
while a daily-push sweep is due for users seeded straight into the database.

- Scenario A, both replicas up, 1,000 users due (claimed by both replicas in turns, so both
  broadcast at once): every grade acknowledged "Recorded" is in review_logs once, no review_log
  lacks a press, every user gets exactly one push, and the fake's bulk limit never answers
  429. The fake enforces 60 a second (Telegram's 30, doubled so the sweep takes half as long)
  and the replicas share BROADCAST_PER_SECOND=40: the limiter lets a one-second window see
  1.1 × the budget, and on a loaded 2-core machine requests reach the fake bunched up (a
  process, or the fake, stalled for a moment handles what waited at once): its busiest second
  counted 57 sends at a budget of 45, and at 50 two runs in eight met 429s.
- Scenario B, the test continued, 150 more users due: the replica sending their pushes is
  killed with SIGKILL while it handles a learner's update. The balancer sends what it left
  unanswered to the survivor, which takes those updates up at once (the dead replica's update
  locks died with it) and carries every learner on: a grade the dead replica stored without
  showing the next card shows it when handled again. Once the claim lease of the dead
  replica's pushes runs out, the survivor pushes them. Nobody goes without a push; a user
  pushed twice is one whose push reached Telegram while the dead replica had not yet recorded
  it (the pushes in flight at the kill, at most the sweep's 16 sends at once): the bound the
  claim lease documents.
"""

from __future__ import annotations

import asyncio
import functools
import random
import socket
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import insert, select, update
from telegram import Bot

from bot.services.decks import deck_by_slug
from bot.storage.db import Database
from bot.storage.models import Enrolment, ReviewLog, User
from bot.telegram import callbacks as cb
from tests.fake_telegram import BotMessage, FakeTelegram, FakeUser
from tests.harness import TOKEN, eventually
from tests.test_e2e_crash import BotProcess

pytestmark = pytest.mark.postgres

DECK = "deep-learning-tools"
LEARNERS = 30
GRADES_EACH = 6  # in each scenario: 12 of the deck's 16 cards in all
THINK_SECONDS = (0.3, 1.5)  # a person reading a card before pressing
BROADCAST_PER_SECOND = 40  # the replicas' budget in total (each takes half)
TELEGRAM_SENDS_PER_SECOND = 60  # what the fake answers 429 beyond
# Each replica claims at most what it sends in half the lease (scheduler.batches): 200 pushes
# at its 20 a second, so both take turns at a big sweep; the survivor of a kill pushes what
# the dead one had claimed once this has passed.
CLAIM_LEASE_SECONDS = 20
SECRET = "scale_test-secret"
FIRST_PUSHED = 2_000_000  # ids of the users seeded for the sweep
WAIT = 180  # seconds any one wait may take on a loaded machine; never an assertion


class Replica:
    """One bot process behind the balancer, with its own port and tagged Bot API URL."""

    def __init__(self, name: str, url: str, fake: FakeTelegram, folder: Path) -> None:
        with socket.socket() as probe:  # a free port, given to the child to listen on
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.name = name
        self.origin = f"http://127.0.0.1:{port}"
        self.webhook_url = f"{self.origin}/telegram"
        self.log_path = folder / f"{name}.log"
        self.process = BotProcess(
            url,
            fake.base_url_via(name),
            self.log_path,
            WEBHOOK_URL=self.webhook_url,
            WEBHOOK_SECRET=SECRET,
            WEBHOOK_LISTEN=f"127.0.0.1:{port}",
            REPLICAS="2",
            SWEEP_INTERVAL_SECONDS="1",
            BROADCAST_PER_SECOND=str(BROADCAST_PER_SECOND),
            CLAIM_LEASE_SECONDS=str(CLAIM_LEASE_SECONDS),
        )

    async def healthy(self) -> bool:
        try:
            async with (
                aiohttp.ClientSession() as http,
                http.get(f"{self.origin}/healthz") as response,
            ):
                return response.status == 200
        except aiohttp.ClientError:
            return False

    @property
    def running(self) -> bool:
        return self.process.proc is not None and self.process.proc.returncode is None


@pytest.fixture
async def replicas(fake, _postgres_migrated, tmp_path):
    """Two replicas on the emptied Postgres schema, the webhook pointed at both."""
    url = _postgres_migrated.emptied()
    started = [Replica(name, url, fake, tmp_path) for name in ("one", "two")]
    try:
        await asyncio.gather(*(replica.process.start() for replica in started))
        for replica in started:
            await eventually(replica.healthy, WAIT, description=f"replica {replica.name} up")
        # As `python -m bot set-webhook` does; the balancer spreads the POSTs over both.
        async with Bot(TOKEN, base_url=fake.base_url) as bot:
            await bot.set_webhook(started[0].webhook_url, secret_token=SECRET)
        fake.webhook_targets = [replica.webhook_url for replica in started]
        fake.limit_send_rate(TELEGRAM_SENDS_PER_SECOND)
        yield url, started
    finally:
        for replica in started:
            if replica.running:
                await replica.process.kill()
            print(f"--- {replica.name}:\n{replica.log_path.read_text()[-3000:]}")


async def seed_pushed_users(url: str, first: int, count: int) -> list[int]:
    """`count` users studying the seed deck, their push not due yet (`make_due` moves it)."""
    now = datetime.now(UTC)
    ids = list(range(first, first + count))
    db = Database(url)
    try:
        async with db.session() as session:
            deck = await deck_by_slug(session, slug=DECK)
            await session.execute(
                insert(User),
                [
                    {
                        "id": i,
                        "first_name": f"P{i}",
                        "next_push_at": now + timedelta(days=300),
                        "created_at": now,
                    }
                    for i in ids
                ],
            )
            await session.execute(
                insert(Enrolment),
                [{"user_id": i, "deck_id": deck.id, "enrolled_at": now} for i in ids],
            )
    finally:
        await db.dispose()
    return ids


async def make_due(url: str, ids: list[int]) -> None:
    """Their review time has passed: the next sweep of either replica finds them."""
    db = Database(url)
    try:
        async with db.session() as session:
            await session.execute(
                update(User)
                .where(User.id.in_(ids))
                .values(next_push_at=datetime.now(UTC) - timedelta(minutes=1))
            )
    finally:
        await db.dispose()


async def all_recorded(url: str, ids: list[int]) -> bool:
    """Whether every one of these users has their push recorded as sent."""
    return None not in (await pushed_on(url, ids)).values()


async def pushed_on(url: str, ids: list[int]) -> dict[int, date | None]:
    """Each user's last_push_on: the local day a replica recorded their push for."""
    db = Database(url)
    try:
        async with db.session() as session:
            rows = await session.execute(select(User.id, User.last_push_on).where(User.id.in_(ids)))
            return dict(rows.all())
    finally:
        await db.dispose()


async def review_logs(url: str, ids: list[int]) -> list[tuple[int, int, int]]:
    """(user, card, version graded) of every review log of these users."""
    db = Database(url)
    try:
        async with db.session() as session:
            logs = (
                (await session.execute(select(ReviewLog).where(ReviewLog.user_id.in_(ids))))
                .scalars()
                .all()
            )
    finally:
        await db.dispose()
    return [(log.user_id, log.card_id, (log.state_before or {}).get("reps", 0)) for log in logs]


class Pushes:
    """How many daily pushes each of these users got, counted as fake.sent grows (waits poll
    this; a full count on each poll would slow the test process, which is the fake too)."""

    def __init__(self, fake: FakeTelegram, ids: list[int]) -> None:
        self.fake = fake
        self.ids = set(ids)
        self.counts: Counter[int] = Counter()
        self._read = 0

    def __call__(self) -> Counter[int]:
        sent = self.fake.sent
        for message in sent[self._read :]:
            if message.chat_id in self.ids and _is_push(message.method, message.text):
                self.counts[message.chat_id] += 1
        self._read = len(sent)
        return self.counts

    def via(self, replica: Replica) -> set[int]:
        """The users pushed by this replica."""
        return {
            int(params["chat_id"])
            for params in self.fake.calls("sendMessage", via=replica.name)
            if int(params["chat_id"]) in self.ids and _is_push("sendMessage", params.get("text"))
        }


def _is_push(method: str, text: str | None) -> bool:
    return method == "sendMessage" and "Time to review" in (text or "")


class Learner:
    """A person studying on their phone: /start, then Show answer and a grade, card after
    card, thinking a little before each press."""

    def __init__(self, fake: FakeTelegram, number: int) -> None:
        self.fake = fake
        self.person = FakeUser(8000 + number, f"Learner {number}")
        self.rng = random.Random(number)
        self.presses: list[int] = []  # update ids of every press
        self.graded: list[tuple[int, int, int]] = []  # (user, card, version) of grade presses
        self.acked: list[tuple[int, int, int]] = []  # ... whose toast said "Recorded"
        self._seen: set[tuple[int, str]] = set()  # card messages whose Show answer was pressed
        # My chat's messages as they stand, read from fake.sent as it grows: every state
        # change wakes every waiting learner, and rescanning every chat each time would make
        # the test process (the fake server too) the slowest part of the run.
        self._messages: dict[int, BotMessage] = {}
        self._read = 0
        self._started = False

    async def think(self) -> None:
        await asyncio.sleep(self.rng.uniform(*THINK_SECONDS))

    async def study(self, grades: int) -> None:
        """Grade until `grades` grades in all were acknowledged (/start the first time)."""
        fake, me = self.fake, self.person
        if not self._started:
            self._started = True
            await asyncio.sleep(self.rng.uniform(0, 3))  # people do not all start at once
            fake.send_message(me.id, f"/start {DECK}", user=me)
        while len(self.acked) < grades:
            card = await fake.wait_for(self._fresh_card, WAIT, description=f"a card for {me.id}")
            show = card.buttons[0][1]
            self._seen.add((card.message_id, show))
            await self.think()
            await self._press(card.message_id, show)
            buttons = await fake.wait_for(
                functools.partial(self._grade_buttons, card.message_id, cb.decode(show)),
                WAIT,
                description=f"the grades of the card in message {card.message_id} of {me.id}",
            )
            await self.think()
            data = self.rng.choice(buttons)
            grading = cb.decode(data)
            self.graded.append((me.id, grading.card_id, grading.version))
            answer = await self._press(card.message_id, data)
            if (answer["text"] or "").startswith("Recorded"):
                self.acked.append((me.id, grading.card_id, grading.version))

    async def _press(self, message_id: int, data: str) -> dict:
        update_id = self.fake.press_button(self.person.id, message_id, data, user=self.person)
        self.presses.append(update_id)
        return await self.fake.wait_for_callback_answer(update_id, WAIT)

    def _read_messages(self) -> dict[int, BotMessage]:
        sent = self.fake.sent
        for record in sent[self._read :]:
            if record.chat_id == self.person.id:
                self._messages[record.message_id] = record
        self._read = len(sent)
        return self._messages

    def _fresh_card(self) -> BotMessage | None:
        # A grade edits its message into the next card: a card on screen is its message and
        # its Show answer button, pressed once.
        cards = [
            m
            for _id, m in sorted(self._read_messages().items())
            if m.buttons
            and m.buttons[0][0] == "Show answer"
            and (m.message_id, m.buttons[0][1]) not in self._seen
        ]
        return cards[-1] if cards else None

    def _grade_buttons(self, message_id: int, shown: cb.ShowAnswer) -> list[str]:
        """The grade buttons the message offers for the card whose answer was shown."""
        message = self._read_messages().get(message_id)
        return [
            data
            for _label, data in (message.buttons if message else [])
            if _offers_grade(cb.decode(data or ""), shown)
        ]


def _offers_grade(data: cb.Callback | None, shown: cb.ShowAnswer) -> bool:
    return isinstance(data, cb.Grading) and (data.card_id, data.version) == (
        shown.card_id,
        shown.version,
    )


def check_reviews(learners: list[Learner], recorded: list[tuple[int, int, int]]) -> None:
    """No grade lost, none twice, none without a press; every press answered."""
    acked = [a for learner in learners for a in learner.acked]
    pressed = {g for learner in learners for g in learner.graded}
    assert len(recorded) == len(set(recorded))  # no grade recorded twice
    assert set(acked) <= set(recorded)  # no acknowledged grade lost
    assert set(recorded) <= pressed  # no review without a press
    fake = learners[0].fake
    unanswered = [
        u for learner in learners for u in learner.presses if fake.callback_answer_for(u) is None
    ]
    assert unanswered == []


async def study_while(learners: list[Learner], grades: int, work) -> None:
    """The learners study until `grades` grades each were acknowledged, and `work` runs once
    each has graded one more card (so their /start answers, new messages sent as replies even
    when the broadcast budget is spent, are behind them); returns when both are done."""
    first = min(len(learner.acked) for learner in learners) + 1
    studying = asyncio.gather(*(learner.study(grades) for learner in learners))
    try:
        await eventually(
            lambda: all(len(learner.acked) >= first for learner in learners),
            WAIT,
            description="learners under way",
        )
        await work()
        async with asyncio.timeout(WAIT):
            await studying
    finally:
        studying.cancel()


async def test_two_replicas_grade_and_push_within_the_budget_then_one_is_killed(fake, replicas):
    url, replicas = replicas
    learners = [Learner(fake, n) for n in range(LEARNERS)]

    # A: both replicas up.
    cohort = await seed_pushed_users(url, FIRST_PUSHED, 1000)
    pushes = Pushes(fake, cohort)

    async def sweep() -> None:
        await make_due(url, cohort)
        await eventually(lambda: len(pushes()) == len(cohort), WAIT)

    await study_while(learners, GRADES_EACH, sweep)
    check_reviews(learners, await review_logs(url, [learner.person.id for learner in learners]))
    assert set(pushes().values()) == {1}  # one push each
    assert all(pushes.via(replica) for replica in replicas)
    assert fake.too_many_requests == []  # the budget held with both replicas sending
    await eventually(lambda: all_recorded(url, cohort), WAIT, description="pushes recorded")

    # B: the replica sending the next sweep's pushes dies mid-stream.
    late = await seed_pushed_users(url, FIRST_PUSHED + len(cohort), 150)
    late_pushes = Pushes(fake, late)
    in_flight: set[int] = set()  # pushes Telegram had and the dead replica had not recorded

    async def sweep_and_kill() -> None:
        await make_due(url, late)
        await eventually(lambda: len(late_pushes()) >= 30, WAIT)
        # One batch: one replica sends them all. It dies while handling a learner's update.
        [victim] = [r for r in replicas if late_pushes.via(r)]
        await eventually(
            lambda: any(
                d.status is None for d in fake.deliveries if d.target == victim.webhook_url
            ),
            WAIT,
            description="an update in flight at the replica to kill",
        )
        await victim.process.kill()
        recorded = await pushed_on(url, late)
        in_flight.update(u for u in late_pushes() if recorded[u] is None)
        await eventually(lambda: len(late_pushes()) == len(late), WAIT)

    await study_while(learners, 2 * GRADES_EACH, sweep_and_kill)
    check_reviews(learners, await review_logs(url, [learner.person.id for learner in learners]))
    sent = late_pushes()
    assert len(sent) == len(late)  # nobody left without a push
    assert {u for u, n in sent.items() if n > 1} <= in_flight  # twice only if in flight
    assert set(sent.values()) <= {1, 2}
    assert set(pushes().values()) == {1}  # A's users are done for the day
    assert fake.too_many_requests == []
    await eventually(lambda: all_recorded(url, late), WAIT, description="pushes recorded")
    await fake.wait_for(lambda: not fake.unconfirmed_update_ids(), WAIT)
    [survivor] = [replica for replica in replicas if replica.running]
    assert late_pushes.via(survivor)  # what the dead one had claimed
    assert await survivor.process.terminate() == 0
