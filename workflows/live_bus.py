"""Live events across nodes: PostgreSQL LISTEN/NOTIFY carries each node's events to the others.

A browser's live stream is served by one web node, but the run it watches may be executed by a
worker or another web node. On PostgreSQL every process sends the events it publishes on the
channel `levqor_live` (batched: one round trip per batch) and listens on it, publishing what the
others sent to its own subscribers. Its own events come back too and are skipped (each process
stamps its id). Losing the connection loses events meanwhile, as a full subscriber queue does;
pages re-read state when they reconnect.

The events of a batch travel packed, as many to a notification as fit under `PACK_BYTES`
(`{"origin": ..., "events": [...]}`): a run executed on a worker publishes five to eight
events, each of which was a notification of its own that PostgreSQL queued and every listening
node woke up for and parsed. A node skips a pack of its own by its first bytes, unparsed. A
node still reads a notification of one event (the form before packs); a node from before
packs ignores packs (a warning each): upgrade web nodes first, or live pages miss events of
the others until they are upgraded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from typing import Any, get_args

import psycopg

from workflows.live import LiveEvent, LiveEvents, LiveKind

log = logging.getLogger(__name__)

CHANNEL = "levqor_live"
DETAIL_CHARS = 2000  # a NOTIFY payload must stay under 8000 bytes
BATCH = 200
RECONNECT_SECONDS = 2.0
# The sender waits this long after an event for others to share its NOTIFY round trip: a worker
# executing runs side by side sent one (of one or two events) per run step, a round trip that
# cost about 5 % of its time.
LINGER_SECONDS = 0.02
# A process serving no pages (`levqor worker`, `levqor scheduler`) waits longer: a page hears of
# a step a tenth of a second later, and a worker sends one round trip where it sent several.
SENDER_LINGER_SECONDS = 0.1
PACK_BYTES = 7000  # a NOTIFY payload must stay under 8000 bytes
KINDS = set(get_args(LiveKind))


class LiveBus:
    """Sends this process's live events to the other nodes, and theirs to `live`'s subscribers.

    `listen=False`: a process that serves no pages (`levqor worker`, `levqor scheduler`) has no
    subscribers; it only sends. Listening there cost a JSON parse of every event every other
    node published (four or five per run executed anywhere), all thrown away."""

    def __init__(self, url: str, live: LiveEvents, *, listen: bool = True) -> None:
        self._url = url
        self._live = live
        self.listen = listen
        self.origin = secrets.token_hex(6)
        self.linger = LINGER_SECONDS if listen else SENDER_LINGER_SECONDS
        self._own = f'{{"origin":"{self.origin}",'
        self._outgoing: asyncio.Queue[LiveEvent] = asyncio.Queue(10_000)
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        """Start sending and listening (on the running loop)."""
        self._tasks = [asyncio.create_task(self._send_loop(), name="levqor-live-send")]
        if self.listen:
            self._tasks.append(asyncio.create_task(self._listen_loop(), name="levqor-live-listen"))

    async def close(self) -> None:
        """Stop both loops."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    def send(self, event: LiveEvent) -> None:
        """Queue an event for the other nodes (never waits; dropped if the queue is full)."""
        with contextlib.suppress(asyncio.QueueFull):
            self._outgoing.put_nowait(event)

    def _event(self, event: LiveEvent) -> str:
        data: dict[str, Any] = {**event.to_json(), "workspace_id": event.workspace_id}
        data["detail"] = str(data.get("detail") or "")[:DETAIL_CHARS]
        return json.dumps(data, separators=(",", ":"))

    def _packs(self, batch: list[LiveEvent]) -> list[str]:
        """The batch's events as notification payloads, each under `PACK_BYTES`."""
        packs: list[str] = []
        events: list[str] = []
        size = 0
        for event in batch:
            one = self._event(event)
            if events and size + len(one) + 1 > PACK_BYTES:
                packs.append(self._pack(events))
                events, size = [], 0
            events.append(one)
            size += len(one) + 1
        if events:
            packs.append(self._pack(events))
        return packs

    def _pack(self, events: list[str]) -> str:
        return f'{self._own}"events":[{",".join(events)}]}}'

    async def _send_loop(self) -> None:
        conn: psycopg.AsyncConnection[Any] | None = None
        while True:
            batch = [await self._outgoing.get()]
            if self.linger and self._outgoing.qsize() < BATCH:
                await asyncio.sleep(self.linger)  # one round trip for the events of a moment
            while len(batch) < BATCH and not self._outgoing.empty():
                batch.append(self._outgoing.get_nowait())
            try:
                if conn is None or conn.closed:
                    conn = await psycopg.AsyncConnection.connect(self._url, autocommit=True)
                payloads = self._packs(batch)
                # The packs as one JSON array (escaped by `json.dumps` in C): as a text[] array
                # psycopg escaped every double quote of every payload with `re.sub`.
                await conn.execute(
                    "SELECT pg_notify(%s, p) FROM json_array_elements_text(%s::json) AS p",
                    (CHANNEL, json.dumps(payloads)),
                )
            except asyncio.CancelledError:
                if conn is not None:
                    await conn.close()
                raise
            except Exception as exc:
                log.warning("could not send %d live events to other nodes: %s", len(batch), exc)
                conn = None
                await asyncio.sleep(RECONNECT_SECONDS)

    async def _listen_loop(self) -> None:
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._url, autocommit=True
                ) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    async for note in conn.notifies():
                        self._receive(note.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("live events from other nodes interrupted (%s); reconnecting", exc)
                await asyncio.sleep(RECONNECT_SECONDS)

    def _receive(self, payload: str) -> None:
        if payload.startswith(self._own):  # a pack of this process's own events
            return
        try:
            data = json.loads(payload)
            found = data.get("events") if "events" in data else [data]  # a pack, or one event
            if data.get("origin") == self.origin or not isinstance(found, list):
                return
            events = []
            for one in found:
                one.pop("origin", None)
                if one.get("kind") in KINDS:
                    events.append(LiveEvent(**one))
        except (ValueError, TypeError, AttributeError):
            log.warning("ignored a malformed live event from another node")
            return
        for event in events:
            self._live.deliver(event)
