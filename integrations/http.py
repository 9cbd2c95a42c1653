"""http.request: outbound HTTP with an address guard, our own redirect handling and a body cap.

The guard resolves a host once and the request then connects to exactly the addresses it checked
(a pinned resolver, `integrations.http_wire`), so a DNS server answering differently at connect
time (DNS rebinding) cannot steer a request to a private or loopback address.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import json
import os
import re
import socket
import ssl
from dataclasses import dataclass
from typing import Any, Literal, get_args

import aiohttp
import httpx
import yarl
from pydantic import ConfigDict, Field, field_validator

from integrations import http_wire
from integrations.base import (
    Action,
    ActionContext,
    ActionError,
    ActionInput,
    ActionOutput,
    RetryableError,
    Risk,
    retry_after_seconds,
)
from integrations.connections import MissingConnection, connection_row, secret
from storage.config import Settings
from storage.scope import Tenant

MAX_BODY_BYTES = 1024 * 1024
MAX_REDIRECTS = 5
_REDIRECTS = (301, 302, 303, 307, 308)
_CREDENTIAL_HEADERS = ("authorization", "cookie", "proxy-authorization")

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]
# What a write may do that only an owner approves (`HttpRequestInput.impact`).
Impact = Literal["delete", "money", "prices", "access", "bulk", "data", "records"]
IMPACTS = frozenset(get_args(Impact))
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, cloud metadata services
_PROTOCOL = ipaddress.ip_network("192.0.0.0/24")  # IETF protocol assignments
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _kind(ip: Address) -> str | None:
    """Why `ip` is not a public address (a short name), or None when it is global."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            inner = _kind(embedded)
            return inner if ip.ipv4_mapped or inner is None else f"{inner} (embedded)"
    checks = (
        ("loopback", ip.is_loopback),
        ("unspecified", ip.is_unspecified),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
        ("shared", isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED),
        ("protocol", isinstance(ip, ipaddress.IPv4Address) and ip in _PROTOCOL),
        ("non-public", not ip.is_global),
    )
    return next((name for name, hit in checks if hit), None)


async def guard_url(settings: Settings, url: httpx.URL) -> tuple[str, ...]:
    """Refuse non-HTTP schemes and hosts resolving to non-public addresses (unless allowed).

    Returns the checked addresses a request to `url` must connect to (never empty), or `()` for
    a host on LEVQOR_HTTP_ALLOWED_HOSTS, which is sent as named.
    """
    if url.scheme not in ("http", "https"):
        raise ActionError(f"refused: only http and https URLs are allowed, not {url.scheme!r}")
    host = url.host.lower()
    if not host:
        raise ActionError(f"refused: {url} has no host")
    if host in {h.lower() for h in settings.http_allowed_hosts}:
        return ()
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        port = url.port or (443 if url.scheme == "https" else 80)
        loop = asyncio.get_running_loop()
        try:  # the IDNA-encoded name httpx would connect to, not the decoded display form
            infos = await loop.getaddrinfo(_connect_host(url), port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:  # the resolver's own words ("[Errno -2] …") stay in logs
            raise RetryableError(
                f"could not find {host}: no such name, or the name service did not answer"
            ) from exc
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise RetryableError(f"could not find {host}: its name has no address")
    for ip in addresses:
        kind = _kind(ip)
        if kind is not None:
            where = f"{ip}" if str(ip) == host else f"{host} resolves to {ip}, which"
            raise ActionError(f"refused: {where} is a {kind} address")
    return tuple(dict.fromkeys(str(ip) for ip in addresses))


def _connect_host(url: httpx.URL) -> str:
    return url.raw_host.decode("ascii").lower()


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """httpx's default verifying context (certifi, or SSL_CERT_FILE/SSL_CERT_DIR), built once."""
    return httpx.create_ssl_context()


@dataclass(frozen=True)
class Fetched:
    """A response read up to the body cap."""

    url: str
    status: int
    headers: dict[str, str]
    content: bytes
    truncated: bool


async def fetch(
    ctx: ActionContext,
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
    timeout_seconds: float = 15.0,
) -> Fetched:
    """Send a request through the guard, following up to 5 redirects, each one guarded too.

    Every hop connects only to the addresses its guard checked (`http_wire.pinned`); a host on
    LEVQOR_HTTP_ALLOWED_HOSTS is sent as named. `timeout_seconds` bounds connecting (with the
    wait for a free connection) and each read.
    """
    target = httpx.URL(url)
    sent_headers = dict(headers or {})
    limits = aiohttp.ClientTimeout(total=None, connect=timeout_seconds, sock_read=timeout_seconds)
    for _ in range(MAX_REDIRECTS + 1):
        addresses = await guard_url(ctx.settings, target)
        host = _connect_host(target)
        pins = {host: addresses} if addresses else None
        async with http_wire.session(checked=pins is not None) as session:
            with http_wire.pinned(pins):
                try:
                    response = await session.request(
                        method,
                        yarl.URL(str(target), encoded=True),
                        headers=sent_headers,
                        data=content,
                        timeout=limits,
                        allow_redirects=False,
                        ssl=_tls_context(),
                    )
                except TimeoutError as exc:
                    detail = f": {exc}" if str(exc) else ""
                    raise RetryableError(f"{method} {target} timed out{detail}") from exc
                except aiohttp.ClientConnectorError as exc:
                    reason = _connect_failure(exc, host, addresses)
                    raise RetryableError(f"{method} {target} failed: {reason}") from exc
                except (aiohttp.ClientError, OSError) as exc:
                    said = str(exc) or type(exc).__name__
                    raise RetryableError(f"{method} {target} failed: {said}") from exc
            try:
                location = response.headers.get("location")
                if response.status in _REDIRECTS and location:
                    next_url = target.join(location)
                    if response.status in (301, 302, 303) and method != "HEAD":
                        method, content = "GET", None
                    if next_url.host != target.host:
                        sent_headers = {
                            k: v
                            for k, v in sent_headers.items()
                            if k.lower() not in _CREDENTIAL_HEADERS
                        }
                    target = next_url
                    continue
                body, truncated = await _read_capped(response, target)
            finally:
                response.release()
            return Fetched(str(target), response.status, _headers(response), body, truncated)
    raise ActionError(f"refused: more than {MAX_REDIRECTS} redirects from {url}")


def _connect_failure(
    exc: aiohttp.ClientConnectorError, host: str, addresses: tuple[str, ...]
) -> str:
    """Why connecting failed, in words: which checked addresses were tried, and the error."""
    cause = _os_words(exc.os_error)
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return f"could not connect to {host}: {exc.certificate_error}"
    if isinstance(exc, aiohttp.ClientSSLError) or not addresses:
        return f"could not connect to {host}: {cause}"
    return f"could not connect to {host} at {', '.join(addresses)}: {cause}"


def _os_words(error: OSError) -> str:
    """A socket error in words ("connection refused"), without errno codes or socket tuples."""
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if error.errno:
        return os.strerror(error.errno).lower()
    return str(error) or type(error).__name__


def _headers(response: aiohttp.ClientResponse) -> dict[str, str]:
    """Response headers with lower-case names; a repeated header's values joined by ", "."""
    joined: dict[str, str] = {}
    for name, value in response.headers.items():
        key = name.lower()
        joined[key] = f"{joined[key]}, {value}" if key in joined else value
    return joined


async def _read_capped(response: aiohttp.ClientResponse, url: httpx.URL) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.content.iter_any():
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                response.close()  # the rest is never read: the connection is not kept
                return b"".join(chunks)[:MAX_BODY_BYTES], True
    except TimeoutError as exc:
        raise RetryableError(f"reading {url} timed out") from exc
    except (aiohttp.ClientError, OSError) as exc:
        raise RetryableError(f"reading {url} failed: {exc}") from exc
    return b"".join(chunks), False


def raise_for_retryable(fetched: Fetched) -> None:
    """429 and 5xx become RetryableError (honouring Retry-After); other statuses pass."""
    if fetched.status == 429 or fetched.status >= 500:
        delay = retry_after_seconds(fetched.headers)
        raise RetryableError(f"{fetched.url} answered {fetched.status}", retry_after=delay)


class HttpRequestInput(ActionInput):
    """Inputs of http.request."""

    method: Method = "GET"
    url: str
    headers: dict[str, str] = {}
    json_body: Any = Field(default=None, alias="json")
    body: str | None = None
    timeout_seconds: float = Field(default=15.0, gt=0, le=120)
    # The name of a secret saved on the Connections page (HTTP secrets), sent as its header.
    auth: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]{0,39}$")
    # What this write does that an owner must confirm, when the URL cannot say it: a shop's
    # prices changed, every order cancelled, a whole list messaged. A write with one is critical.
    impact: Impact | None = None

    model_config = ConfigDict(extra="forbid", validate_by_name=True, validate_by_alias=True)

    @field_validator("headers")
    @classmethod
    def _plain_headers(cls, headers: dict[str, str]) -> dict[str, str]:
        """A header name is one token and a value one line: a line break in either would let
        the data write headers of its own (or a second request)."""
        for name, value in headers.items():
            if not _HEADER_NAME.fullmatch(name):
                raise ValueError(f"{name!r} is not a header name (letters, digits and - only)")
            if _CONTROL.search(value):
                raise ValueError(f"the {name} header's value has a line break or control character")
        return headers


_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


class HttpRequestOutput(ActionOutput):
    """The response: status, headers, parsed JSON (when the type says so) and text."""

    status: int | None
    headers: dict[str, str] = {}
    json_body: Any = Field(default=None, alias="json")
    text: str = ""
    url: str = ""
    truncated: bool = False
    dry_run: bool = False

    model_config = ConfigDict(
        extra="allow", validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )


# Writes to these payment APIs can move money (payouts, transfers, refunds, charges): class C.
_MONEY_HOSTS = re.compile(
    r"(?:^|\.)(?:api\.stripe\.com|api\.wise\.com|api\.transferwise\.com|api(?:-m)?\.paypal\.com|"
    r"api(?:-m)?\.sandbox\.paypal\.com|api\.gocardless\.com|connect\.squareup\.com|"
    r"api\.revolut\.com|b2b\.revolut\.com|api\.mollie\.com|checkout\.com|api\.adyen\.com|"
    r"api\.razorpay\.com|api\.paddle\.com|api\.lemonsqueezy\.com|api\.braintreegateway\.com)$"
)


def _risk(inputs: dict[str, Any]) -> Risk:
    """GETs read; DELETEs, writes to payment APIs and writes with an impact are critical; other
    writes external."""
    method = str(inputs.get("method", "GET")).upper()
    if method in ("GET", "HEAD"):
        return Risk.read
    if method == "DELETE" or inputs.get("impact") in IMPACTS:
        return Risk.critical
    match = re.match(r"^\s*https?://([^/:?#\s]+)", str(inputs.get("url", "")), re.IGNORECASE)
    host = match.group(1).lower() if match else ""
    return Risk.critical if _MONEY_HOSTS.search(host) else Risk.external


async def request(ctx: ActionContext, inp: HttpRequestInput) -> HttpRequestOutput:
    """Send one HTTP request and return status, headers, JSON and text."""
    if ctx.dry_run and inp.method not in ("GET", "HEAD"):
        await guard_url(ctx.settings, httpx.URL(inp.url))
        return HttpRequestOutput(status=None, url=inp.url, dry_run=True)
    headers = dict(inp.headers)
    if inp.auth:
        name, value = await named_secret(ctx, inp.auth)
        headers = {k: v for k, v in headers.items() if k.lower() != name.lower()} | {name: value}
    content: bytes | None = None
    if inp.json_body is not None:
        content = json.dumps(inp.json_body).encode()
        if not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = "application/json"
    elif inp.body is not None:
        content = inp.body.encode()
    fetched = await fetch(
        ctx,
        inp.method,
        inp.url,
        headers=headers,
        content=content,
        timeout_seconds=inp.timeout_seconds,
    )
    raise_for_retryable(fetched)
    text = fetched.content.decode(_charset(fetched.headers), errors="replace")
    parsed: Any = None
    if "json" in fetched.headers.get("content-type", "").lower() and not fetched.truncated:
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
    return HttpRequestOutput(
        status=fetched.status,
        headers=fetched.headers,
        json_body=parsed,
        text=text,
        url=fetched.url,
        truncated=fetched.truncated,
    )


async def named_secret(ctx: ActionContext, name: str) -> tuple[str, str]:
    """(header, value) of a saved HTTP secret; MissingConnection says where to add it."""
    async with ctx.sessions() as session:
        row = await connection_row(Tenant(session, ctx.workspace_id), "http")
        how = (row.config.get("secrets", {}) if row is not None else {}).get(name)
        value = await secret(session, ctx.workspace_id, "http", name, ctx.settings) if how else None
    if not how or value is None:
        raise MissingConnection(
            "http", ctx.settings, f"There is no saved HTTP secret named {name}."
        )
    header = str(how.get("header") or "Authorization")
    return header, f"Bearer {value}" if how.get("scheme", "bearer") == "bearer" else value


def _charset(headers: dict[str, str]) -> str:
    for part in headers.get("content-type", "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            try:
                "".encode(value.strip('"'))
                return value.strip('"')
            except LookupError:
                break
    return "utf-8"


ACTIONS: list[Action[Any, Any]] = [
    Action(
        name="http.request",
        description=(
            "Send an HTTP request to a public URL and return its status, headers and body. "
            "A write that changes prices, cancels or unsubscribes many records, or messages a "
            "whole list sets impact (prices, access, bulk…), so an owner confirms it."
        ),
        risk=Risk.external,
        input_model=HttpRequestInput,
        output_model=HttpRequestOutput,
        handler=request,
        risk_for=_risk,
    )
]
