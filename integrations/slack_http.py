"""One aiohttp session per event loop (and time limit) for the Slack Web API calls of steps.

`slack_sdk`'s async client opens a new `aiohttp.ClientSession` for every call when it is not
given one: a new TCP (and, against Slack, TLS) connection per message. While a runtime runs
(`keep()` at its start, `close()` at its end) steps share one session instead, so connections
are kept alive between posts (aiohttp closes one idle for 15 s). The session's total time limit
is the step's (`step_timeout_seconds`), as the client set it on the session it opened per call.
Without a runtime (an action called on its own) `session()` is None: a session per call, as
before.
"""

from __future__ import annotations

import asyncio
import weakref

import aiohttp

_kept: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, aiohttp.ClientSession]]
_kept = weakref.WeakKeyDictionary()


def keep() -> None:
    """From now until `close()`, Slack calls on this event loop share kept sessions."""
    _kept.setdefault(asyncio.get_running_loop(), {})


def session(timeout: int) -> aiohttp.ClientSession | None:
    """This event loop's open session whose requests end after `timeout` seconds in all (None:
    nobody keeps sessions on this loop)."""
    by_timeout = _kept.get(asyncio.get_running_loop())
    if by_timeout is None:
        return None
    found = by_timeout.get(timeout)
    if found is None or found.closed:
        found = by_timeout[timeout] = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=timeout)
        )
    return found


async def close() -> None:
    """Close this event loop's sessions (their kept connections with them); stop keeping them."""
    by_timeout = _kept.pop(asyncio.get_running_loop(), {})
    for kept in by_timeout.values():
        await kept.close()
