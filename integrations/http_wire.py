"""The wire under `http.fetch` (http.request, feeds, social sources): aiohttp sessions whose
resolver hands out only the addresses the address guard checked for the request in flight.

Why aiohttp and not httpx here: on loopback, 32 requests at once, an httpx request took about
1 ms of event-loop CPU (httpcore's pool and anyio streams) and an aiohttp one about 0.1 ms, and a
workflow step makes one request per call (`bench/http_client_cost.py` prints both).

Pinning: `pinned({host: addresses})` around a request makes the session's resolver answer those
addresses and nothing else (a host that was not checked is refused), so the request connects to
exactly what the guard resolved and checked once: a DNS server answering differently at connect
time (DNS rebinding) cannot steer it elsewhere. Host header, TLS SNI and certificate checks still
use the URL's name. Hosts on LEVQOR_HTTP_ALLOWED_HOSTS are sent as named (resolved as usual) on a
session of their own, so a connection opened that way is never reused by a checked request.

While a runtime runs (`keep()` at its start, `close()` at its end), requests on an event loop
share two kept sessions (checked, as named) and their keep-alive connections. Without one (an
action called on its own), `session()` opens one for the request and closes it after. Cookies
are never kept: requests of different workspaces share these sessions.
"""

from __future__ import annotations

import asyncio
import contextvars
import socket
import weakref
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

# host (lower case, as connected: IDNA-encoded) -> the addresses the guard checked for it.
Pins = Mapping[str, tuple[str, ...]]

_PINS: contextvars.ContextVar[Pins | None]
_PINS = contextvars.ContextVar("levqor_http_pins", default=None)

_kept: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[bool, aiohttp.ClientSession]]
_kept = weakref.WeakKeyDictionary()

KEEPALIVE_SECONDS = 5.0
# Open connections per session, and to one host (name and port): a slow host one workflow calls
# in a burst waits for its own 32, and leaves the rest to every other host.
MAX_CONNECTIONS = 256
MAX_PER_HOST = 32


class _CheckedResolver(AbstractResolver):
    """Answers only the pinned addresses of the request in flight, in the guard's order."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        pins = _PINS.get()
        addresses = pins.get(host.lower()) if pins is not None else None
        if not addresses:
            raise OSError(f"refused: {host} was not checked by the address guard")
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in addresses
        ]

    async def close(self) -> None:
        return None


@contextmanager
def pinned(pins: Pins | None) -> Iterator[None]:
    """Requests made inside connect only to `pins` (None: as named, for allowed hosts)."""
    token = _PINS.set(pins)
    try:
        yield
    finally:
        _PINS.reset(token)


def _open(checked: bool) -> aiohttp.ClientSession:
    resolver: AbstractResolver = _CheckedResolver() if checked else aiohttp.ThreadedResolver()
    connector = aiohttp.TCPConnector(
        resolver=resolver,
        use_dns_cache=False,  # each request resolves through the resolver, in its own context
        limit=MAX_CONNECTIONS,
        limit_per_host=MAX_PER_HOST,
        keepalive_timeout=KEEPALIVE_SECONDS,
        happy_eyeballs_delay=None,  # the checked addresses one after the other, in order
    )
    return aiohttp.ClientSession(
        connector=connector,
        cookie_jar=aiohttp.DummyCookieJar(),
        trust_env=False,  # no proxies: a proxy would resolve the name again
        timeout=aiohttp.ClientTimeout(total=None),
    )


def keep() -> None:
    """From now until `close()`, requests on this event loop share kept sessions."""
    _kept.setdefault(asyncio.get_running_loop(), {})


@asynccontextmanager
async def session(*, checked: bool) -> AsyncIterator[aiohttp.ClientSession]:
    """This loop's kept session for checked (pinned) or as-named requests, or, when nobody keeps
    sessions on this loop, a session of its own closed on leaving."""
    by_kind = _kept.get(asyncio.get_running_loop())
    if by_kind is None:
        own = _open(checked)
        try:
            yield own
        finally:
            await own.close()
        return
    found = by_kind.get(checked)
    if found is None or found.closed:
        found = by_kind[checked] = _open(checked)
    yield found


async def close() -> None:
    """Close this event loop's kept sessions (and their connections); stop keeping them."""
    by_kind = _kept.pop(asyncio.get_running_loop(), {})
    for kept in by_kind.values():
        await kept.close()
