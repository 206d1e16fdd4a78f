"""The traffic rate limiter on its own: replies before broadcasts, 429s waited out, chat limits."""

from __future__ import annotations

import asyncio

import pytest
from telegram.error import RetryAfter

from bot.telegram.rate_limits import Traffic, TrafficRateLimiter, broadcasting


class Telegram:
    """Stands in for the HTTP call: records each call, answers 429 while told to."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.refuse = 0

    async def __call__(self, endpoint: str, data: dict) -> bool:
        if self.refuse:
            self.refuse -= 1
            raise RetryAfter(1)
        self.calls.append(data.get("text", endpoint))
        return True


def caller(limiter: TrafficRateLimiter, telegram: Telegram):
    async def call(endpoint: str, traffic: Traffic | None = None, **data) -> bool:
        return await limiter.process_request(
            telegram, (endpoint, data), {}, endpoint, data, traffic
        )

    return call


async def test_a_reply_is_not_queued_behind_broadcasts():
    telegram = Telegram()
    call = caller(TrafficRateLimiter(broadcast_per_second=10), telegram)
    with broadcasting():  # tasks started here inherit the class
        pushes = [
            asyncio.create_task(call("sendMessage", chat_id=100 + i, text=f"push {i}"))
            for i in range(5)
        ]
    await asyncio.sleep(0)  # every push has queued for the budget
    await call("sendMessage", chat_id=1, text="reply")
    await asyncio.gather(*pushes)
    # The first push took the budget's one free token; the reply went before all the others.
    assert telegram.calls == ["push 0", "reply", "push 1", "push 2", "push 3", "push 4"]


async def test_rate_limit_args_name_the_class_explicitly():
    telegram = Telegram()
    call = caller(TrafficRateLimiter(broadcast_per_second=10), telegram)
    first = asyncio.create_task(call("sendMessage", Traffic.BROADCAST, chat_id=5, text="b1"))
    second = asyncio.create_task(call("sendMessage", Traffic.BROADCAST, chat_id=6, text="b2"))
    await asyncio.sleep(0)
    with broadcasting():
        await call("sendMessage", Traffic.REPLY, chat_id=1, text="reply")
    await asyncio.gather(first, second)
    assert telegram.calls == ["b1", "reply", "b2"]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_reply_waits_out_429s_and_is_delivered():
    telegram = Telegram()
    call = caller(TrafficRateLimiter(), telegram)
    telegram.refuse = 2
    assert await call("sendMessage", chat_id=1, text="your stats")
    assert telegram.calls == ["your stats"]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_a_broadcast_gives_up_after_its_retries_for_the_timetable_to_retry():
    telegram = Telegram()
    call = caller(TrafficRateLimiter(broadcast_retries=1), telegram)
    telegram.refuse = 2
    with broadcasting(), pytest.raises(RetryAfter):
        await call("sendMessage", chat_id=1, text="push")
    assert telegram.calls == []


async def test_a_private_chat_gets_a_burst_of_messages_edits_and_answers_are_free():
    telegram = Telegram()
    # A bucket that would take many minutes to drain: any call it held back would hang.
    limiter = TrafficRateLimiter(chat_burst=2, chat_per_second=0.001)
    call = caller(limiter, telegram)

    async def promptly(endpoint: str, **data) -> None:
        await asyncio.wait_for(call(endpoint, **data), timeout=5)

    for n in range(2):
        await promptly("sendMessage", chat_id=1, text=f"burst {n}")
    assert not limiter._chat_limiters[1].has_capacity()  # the chat's burst is spent
    for n in range(3):  # edits and callback answers add no message to the chat
        await promptly("editMessageText", chat_id=1, text=f"edit {n}")
        await promptly("answerCallbackQuery", callback_query_id=str(n))
    await promptly("sendMessage", chat_id=2, text="another chat")
    held = asyncio.create_task(call("sendMessage", chat_id=1, text="a third message"))
    await asyncio.sleep(0.2)
    assert not held.done()  # the third message in a row waits for chat 1's bucket
    held.cancel()
    assert telegram.calls == [
        "burst 0",
        "burst 1",
        *[c for n in range(3) for c in (f"edit {n}", "answerCallbackQuery")],
        "another chat",
    ]
