"""One time box per try covers the run's deadline too: no try, and no pause between tries, runs
past it, and reaching it ends in `TimeoutError` (the engine words it as the run's time limit)."""

from __future__ import annotations

import asyncio

import pytest

from integrations.base import RetryableError
from workflows.retry import with_retries
from workflows.spec import RetryPolicy


async def test_a_try_is_cut_at_the_deadline() -> None:
    tries: list[int] = []

    async def slow(number: int) -> None:
        tries.append(number)
        await asyncio.sleep(30)

    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(TimeoutError):
        await with_retries(slow, RetryPolicy(max_attempts=5), attempt_timeout=30,
                           deadline=started + 0.2)  # fmt: skip
    assert 0.2 <= loop.time() - started < 2 and tries == [1]


async def test_a_pause_between_tries_ends_at_the_deadline() -> None:
    tries: list[int] = []

    async def failing(number: int) -> None:
        tries.append(number)
        raise RetryableError("try again")

    policy = RetryPolicy(max_attempts=5, backoff_seconds=10, max_backoff_seconds=10)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(TimeoutError):
        await with_retries(failing, policy, attempt_timeout=30, deadline=started + 0.2)
    assert 0.2 <= loop.time() - started < 2 and tries == [1]


async def test_without_a_deadline_each_try_has_its_own_time_box() -> None:
    tries: list[int] = []

    async def slow_then_fine(number: int) -> str:
        tries.append(number)
        if number == 1:
            await asyncio.sleep(30)
        return "ok"

    policy = RetryPolicy(max_attempts=2, backoff_seconds=0.01, max_backoff_seconds=0.01)
    assert await with_retries(slow_then_fine, policy, attempt_timeout=0.1) == "ok"
    assert tries == [1, 2]
