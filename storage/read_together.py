"""Reads asked for in the same moment by runs executing side by side, made with one query.

The runs of a queue job of several (`workflows.queue.MANY_TASK_NAME`) are executed side by side
and reach the same step together: eight drip emails each read the workspace's mail server and
whether their recipient unsubscribed, sixteen SELECTs of the same two tables. `ReadTogether.get`
collects the keys asked for during one turn of the event loop and reads them all with one call
of `read_many` on the next, then hands each caller its value: what each would have read alone
at that same moment (a read is never shared with a caller that asked after it was made).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Mapping
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ReadTogether(Generic[K, V]):
    """`await get(key)`: the value `read_many` finds for `key` (`missing` when it finds none)."""

    def __init__(
        self, read_many: Callable[[list[K]], Awaitable[Mapping[K, V]]], missing: V
    ) -> None:
        self._read_many = read_many
        self._missing = missing
        self._asked: dict[K, list[asyncio.Future[V]]] = {}
        self._reading: set[asyncio.Task[None]] = set()
        self.reads = 0  # calls of `read_many` (a measure of the sharing)

    async def get(self, key: K) -> V:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[V] = loop.create_future()
        if not self._asked:  # the first key of this turn: read them all on the next one
            loop.call_soon(self._read)
        self._asked.setdefault(key, []).append(future)
        return await future

    def _read(self) -> None:
        asked, self._asked = self._asked, {}
        if asked:
            task = asyncio.ensure_future(self._answer(asked))
            self._reading.add(task)
            task.add_done_callback(self._reading.discard)

    async def _answer(self, asked: dict[K, list[asyncio.Future[V]]]) -> None:
        self.reads += 1
        try:
            found = await self._read_many(list(asked))
        except asyncio.CancelledError:  # shutting down: so are the callers
            for futures in asked.values():
                for future in futures:
                    future.cancel()
            raise
        except Exception as exc:  # each caller gets the error, as from a read of its own
            for futures in asked.values():
                for future in futures:
                    if not future.done():
                        future.set_exception(exc)
            return
        for key, futures in asked.items():
            value = found.get(key, self._missing)
            for future in futures:
                if not future.done():  # its caller was cancelled meanwhile
                    future.set_result(value)
