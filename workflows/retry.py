"""Retry policy for steps: tenacity, exponential backoff with jitter, `Retry-After` honoured."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    stop_any,
    wait_exponential_jitter,
)
from tenacity.stop import stop_base

from integrations.base import RetryableError
from workflows.spec import RetryPolicy

T = TypeVar("T")
TRANSIENT = (RetryableError, TimeoutError, httpx.TransportError, ConnectionError)


class _WaitHonouringRetryAfter:
    """Exponential backoff with jitter, but never shorter than the server's `Retry-After`."""

    def __init__(self, initial: float, maximum: float, retry_after_cap: float) -> None:
        self._backoff = wait_exponential_jitter(multiplier=initial, max=maximum, jitter=initial)
        self._retry_after_cap = retry_after_cap

    def __call__(self, state: RetryCallState) -> float:
        delay = float(self._backoff(state))
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RetryableError) and error.retry_after is not None:
            delay = max(delay, min(error.retry_after, self._retry_after_cap))
        return delay


async def with_retries(
    attempt: Callable[[int], Awaitable[T]],
    policy: RetryPolicy,
    *,
    attempt_timeout: float,
    scale: float = 1.0,
    on_retry: Callable[[int, BaseException, float], Awaitable[None]] | None = None,
    deadline: float | None = None,
) -> T:
    """Call `attempt(n)` until it succeeds, retrying transient errors; each try is time-boxed.

    `deadline` (the event loop's time): no try runs past it (its time box ends there at the
    latest: `TimeoutError`), no pause between tries lasts past it, and none starts after it —
    one timeout per try covers both limits.

    The first try is made without tenacity (most steps succeed at once: its machinery per step,
    a retry object and a class made per call, was about a tenth of a worker's Python work). If
    it fails transiently, tenacity takes over with that failure as its first attempt's outcome,
    so what follows (stop, pause, `on_retry`) is as if tenacity had made it."""
    loop = asyncio.get_running_loop()
    try:
        return await _try(attempt, 1, loop, attempt_timeout, deadline)
    except TRANSIENT as error:
        first: BaseException | None = error
    backoff = _WaitHonouringRetryAfter(
        initial=max(policy.backoff_seconds * scale, 0.001),
        maximum=max(policy.max_backoff_seconds * scale, 0.001),
        retry_after_cap=policy.max_backoff_seconds,
    )

    def waiter(state: RetryCallState) -> float:
        delay = backoff(state)
        return delay if deadline is None else max(0.0, min(delay, deadline - loop.time()))

    class _PastDeadline(stop_base):
        def __call__(self, retry_state: RetryCallState) -> bool:
            return deadline is not None and loop.time() >= deadline

    async def before_sleep(state: RetryCallState) -> None:
        if on_retry and state.outcome and state.next_action:
            error = state.outcome.exception()
            assert error is not None
            await on_retry(state.attempt_number, error, state.next_action.sleep)

    retrying = AsyncRetrying(
        stop=stop_any(stop_after_attempt(policy.max_attempts), _PastDeadline()),
        wait=waiter,
        retry=retry_if_exception_type(TRANSIENT),
        before_sleep=before_sleep,
        reraise=True,
    )
    async for state in retrying:
        with state:
            if first is not None:  # the first try, made above: its failure is this attempt's
                failed, first = first, None
                raise failed
            return await _try(
                attempt, state.retry_state.attempt_number, loop, attempt_timeout, deadline
            )
    raise AssertionError("tenacity ends with a result or an exception")  # pragma: no cover


async def _try(
    attempt: Callable[[int], Awaitable[T]],
    number: int,
    loop: asyncio.AbstractEventLoop,
    attempt_timeout: float,
    deadline: float | None,
) -> T:
    """One try, time-boxed (at the deadline at the latest); none starts past the deadline."""
    if deadline is not None and loop.time() >= deadline:  # paused up to the deadline
        raise TimeoutError
    ends = loop.time() + attempt_timeout
    async with asyncio.timeout_at(ends if deadline is None else min(ends, deadline)):
        return await attempt(number)
