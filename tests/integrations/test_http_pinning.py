"""http.request connects to exactly the address its guard checked (no DNS rebinding).

A fake resolver on the running loop answers a public address to the first lookup of a name and
127.0.0.1 to any later one; a fake router on the same loop records every TCP connect of a socket
and carries the "public" addresses to loopback servers (or refuses them). Servers and sockets are
real.
"""

from __future__ import annotations

import asyncio
import datetime
import socket
import ssl
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

import integrations.http as http_module
from integrations import http_wire
from integrations.base import ActionContext, ActionError, RetryableError
from integrations.http import ACTIONS
from tests.conftest import make_settings
from tests.fakes.http_server import LoopbackServer, serve_app

REQUEST = ACTIONS[0]
PUBLIC = "1.2.3.4"  # public-looking addresses: the fake router decides where they lead
PUBLIC_2 = "5.6.7.8"


@dataclass
class Recorder:
    """A loopback HTTP server that notes the Host header and path of every request it gets."""

    hits: list[tuple[str, str]] = field(default_factory=list)
    server: LoopbackServer | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.port

    def app(self) -> Starlette:
        async def record(request: Request) -> Response:
            self.hits.append((request.headers["host"], request.url.path))
            if request.url.path == "/hop":
                return RedirectResponse(request.query_params["to"], 302)
            return JSONResponse({"host": request.headers["host"], "path": request.url.path})

        return Starlette(routes=[Route("/{path:path}", record)])


def _recorder() -> Iterator[Recorder]:
    recorder = Recorder()
    with serve_app(recorder.app()) as running:
        recorder.server = running
        yield recorder


@pytest.fixture
def internal() -> Iterator[Recorder]:
    """Stands for a service only reachable from inside (what rebinding would aim at)."""
    yield from _recorder()


@pytest.fixture
def public() -> Iterator[Recorder]:
    """Stands for the public server the checked address really belongs to."""
    yield from _recorder()


@dataclass
class Network:
    """The fake resolver and router installed on the running loop."""

    answers: dict[str, list[str]]  # first answer of a name; any later lookup gets 127.0.0.1
    routes: dict[str, int | None]  # public address -> loopback port it leads to (None: refused)
    lookups: list[str] = field(default_factory=list)
    connects: list[tuple[str, int]] = field(default_factory=list)
    steady: set[str] = field(default_factory=set)  # names answering their first answer always


@pytest.fixture
async def network(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Network]:
    loop = asyncio.get_running_loop()
    real_lookup, real_connect = loop.getaddrinfo, loop.sock_connect
    net = Network(answers={}, routes={})

    async def getaddrinfo(host: str | bytes | None, port: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in net.answers:
            return await real_lookup(host, port, **kwargs)
        again = name in net.lookups and name not in net.steady
        net.lookups.append(name)
        ips = ["127.0.0.1"] if again else net.answers[name]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, int(port))) for ip in ips]

    async def sock_connect(sock: socket.socket, address: Any) -> None:
        host, port = address[0], address[1]
        net.connects.append((host, port))
        if host in net.routes:
            to = net.routes[host]
            if to is None:
                raise ConnectionRefusedError(111, f"{host} refused the connection")
            address = ("127.0.0.1", to)
        await real_connect(sock, address)

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(loop, "sock_connect", sock_connect)
    yield net


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False) as http:
        yield http


def _ctx(http: httpx.AsyncClient, tmp_path: Path, allowed: list[str]) -> ActionContext:
    settings = make_settings(tmp_path, LEVQOR_HTTP_ALLOWED_HOSTS=allowed)
    return ActionContext(
        settings=settings, sessions=None, http=http, workspace_id="ws", workflow_id="wf",  # type: ignore[arg-type]
        run_id="r", step_id="s", idempotency_key="r:s",
    )  # fmt: skip


async def test_a_rebinding_answer_never_reaches_a_loopback_server(
    internal: Recorder, network: Network, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    network.answers["rebind.example"] = [PUBLIC]
    network.routes[PUBLIC] = None  # the decoy public address does not answer
    ctx = _ctx(client, tmp_path, [])
    url = f"http://rebind.example:{internal.port}/admin"
    with pytest.raises(
        RetryableError,
        match=rf"^GET {url} failed: could not connect to rebind\.example at 1\.2\.3\.4: ",
    ):
        await REQUEST.run(ctx, {"url": url})
    assert internal.hits == []
    assert network.lookups == ["rebind.example"]  # resolved once, by the guard
    assert network.connects == [(PUBLIC, internal.port)]


async def test_the_request_goes_to_the_checked_address_with_the_original_host(
    internal: Recorder, public: Recorder, network: Network, client: httpx.AsyncClient,
    tmp_path: Path,
) -> None:  # fmt: skip
    network.answers["shop.example"] = [PUBLIC]
    network.routes[PUBLIC] = public.port
    ctx = _ctx(client, tmp_path, [])
    out = await REQUEST.run(ctx, {"url": f"http://shop.example:{internal.port}/hello"})
    assert out.status == 200
    assert out.json_body == {"host": f"shop.example:{internal.port}", "path": "/hello"}
    assert out.url == f"http://shop.example:{internal.port}/hello"
    assert internal.hits == [] and len(public.hits) == 1
    assert network.lookups == ["shop.example"]
    assert network.connects == [(PUBLIC, internal.port)]


async def test_each_redirect_hop_is_checked_and_pinned(
    internal: Recorder, public: Recorder, network: Network, client: httpx.AsyncClient,
    tmp_path: Path,
) -> None:  # fmt: skip
    network.answers |= {"shop.example": [PUBLIC], "cdn.example": [PUBLIC_2]}
    network.routes |= {PUBLIC: public.port, PUBLIC_2: public.port}
    ctx = _ctx(client, tmp_path, [])
    landed = f"http://cdn.example:{internal.port}/landed"
    out = await REQUEST.run(ctx, {"url": f"http://shop.example:{internal.port}/hop?to={landed}"})
    assert (out.status, out.url) == (200, landed)
    assert out.json_body == {"host": f"cdn.example:{internal.port}", "path": "/landed"}
    assert internal.hits == []
    assert network.lookups == ["shop.example", "cdn.example"]
    assert network.connects == [(PUBLIC, internal.port), (PUBLIC_2, internal.port)]


async def test_every_address_is_checked_and_tried_in_order(
    public: Recorder, network: Network, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    network.answers |= {"two.example": [PUBLIC, PUBLIC_2], "mixed.example": [PUBLIC, "10.0.0.5"]}
    network.routes |= {PUBLIC: None, PUBLIC_2: public.port}
    ctx = _ctx(client, tmp_path, [])
    out = await REQUEST.run(ctx, {"url": "http://two.example/first-refused"})
    assert out.status == 200 and out.json_body["host"] == "two.example"
    assert network.connects == [(PUBLIC, 80), (PUBLIC_2, 80)]
    with pytest.raises(
        ActionError, match=r"mixed\.example resolves to 10\.0\.0\.5, which is a priv"
    ):
        await REQUEST.run(ctx, {"url": "http://mixed.example/"})
    assert len(network.connects) == 2  # nothing sent for the refused name


async def test_an_international_name_is_checked_as_the_name_it_connects_to(
    public: Recorder, network: Network, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    # Python's own IDNA codec spells straße "strasse"; httpx (IDNA 2008) sends xn--strae-oqa.
    network.answers["xn--strae-oqa.example"] = [PUBLIC]
    network.routes[PUBLIC] = public.port
    out = await REQUEST.run(_ctx(client, tmp_path, []), {"url": "http://straße.example/"})
    assert out.status == 200 and out.json_body["host"] == "xn--strae-oqa.example"
    assert network.lookups == ["xn--strae-oqa.example"]
    assert network.connects == [(PUBLIC, 80)]


async def test_an_allowed_host_is_sent_as_named_and_keeps_its_host_header(
    internal: Recorder, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    ctx = _ctx(client, tmp_path, ["localhost"])
    out = await REQUEST.run(ctx, {"url": f"http://localhost:{internal.port}/allowed"})
    assert out.status == 200
    assert out.json_body == {"host": f"localhost:{internal.port}", "path": "/allowed"}
    assert internal.hits == [(f"localhost:{internal.port}", "/allowed")]


@dataclass
class TlsServer:
    """A one-answer HTTPS server on loopback; notes the TLS SNI name and Host header it saw."""

    port: int
    names: list[str | None]
    hosts: list[str]


@asynccontextmanager
async def _tls_server(cert_file: Path, key_file: Path) -> AsyncIterator[TlsServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    seen = TlsServer(port=0, names=[], hosts=[])

    def note_sni(_sock: Any, name: str | None, _ctx: ssl.SSLContext) -> None:
        seen.names.append(name)

    context.sni_callback = note_sni

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        for line in head.decode().split("\r\n"):
            if line.lower().startswith("host:"):
                seen.hosts.append(line.split(":", 1)[1].strip())
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=context)
    seen.port = server.sockets[0].getsockname()[1]
    async with server:
        yield seen


def _certificates(tmp_path: Path, name: str) -> tuple[ssl.SSLContext, Path, Path]:
    """A test CA (as a client context trusting it) and a certificate for `name` it signed."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Levqor test CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    cert_file, key_file = tmp_path / "leaf.pem", tmp_path / "leaf.key"
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ))  # fmt: skip
    trusting = ssl.create_default_context(
        cadata=ca.public_bytes(serialization.Encoding.PEM).decode()
    )
    return trusting, cert_file, key_file


async def test_https_keeps_sni_and_verifies_the_certificate_against_the_host_name(
    network: Network, client: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trusting, cert_file, key_file = _certificates(tmp_path, "shop.example")
    monkeypatch.setattr(http_module, "_tls_context", lambda: trusting)
    network.answers |= {"shop.example": [PUBLIC], "other.example": [PUBLIC_2]}
    ctx = _ctx(client, tmp_path, [])
    async with _tls_server(cert_file, key_file) as tls:
        network.routes |= {PUBLIC: tls.port, PUBLIC_2: tls.port}
        out = await REQUEST.run(ctx, {"url": "https://shop.example/secure"})
        assert (out.status, out.text) == (200, "ok")
        assert (tls.names, tls.hosts) == (["shop.example"], ["shop.example"])
        with pytest.raises(RetryableError, match="certificate verify failed"):
            await REQUEST.run(ctx, {"url": "https://other.example/secure"})
        assert tls.names == ["shop.example", "other.example"]
        assert tls.hosts == ["shop.example"]  # nothing sent over the unverified connection
    assert network.connects == [(PUBLIC, 443), (PUBLIC_2, 443)]


@dataclass
class KeptServer:
    """A keep-alive HTTP server on loopback that sets a cookie and notes each connection and
    each request's Cookie header."""

    port: int = 0
    connections: int = 0
    cookies: list[str | None] = field(default_factory=list)


@asynccontextmanager
async def _kept_server() -> AsyncIterator[KeptServer]:
    seen = KeptServer()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode().split("\r\n")
                pairs = (line.partition(":") for line in lines)
                cookie = [value.strip() for k, _, value in pairs if k.lower() == "cookie"]
                seen.cookies.append(cookie[0] if cookie else None)
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nSet-Cookie: session=ws-a\r\n\r\nok"
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    seen.port = server.sockets[0].getsockname()[1]
    async with server:
        yield seen
        server.close()


async def test_a_running_runtime_keeps_checked_connections_and_never_cookies(
    network: Network, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    network.answers["shop.example"] = [PUBLIC]
    network.steady.add("shop.example")
    ctx = _ctx(client, tmp_path, [])
    async with _kept_server() as server:
        network.routes[PUBLIC] = server.port
        http_wire.keep()
        try:
            for path in ("/a", "/b", "/c"):
                out = await REQUEST.run(ctx, {"url": f"http://shop.example:{server.port}{path}"})
                assert (out.status, out.text) == (200, "ok")
        finally:
            await http_wire.close()
        # One connection for the three requests, each checked by the guard; the cookie the
        # server set is never sent back (kept sessions serve every workspace).
        assert server.connections == 1
        assert network.lookups == ["shop.example"] * 3
        assert server.cookies == [None, None, None]
        # Not kept (an action called on its own): a connection per request, closed after.
        for path in ("/d", "/e"):
            await REQUEST.run(ctx, {"url": f"http://shop.example:{server.port}{path}"})
        assert server.connections == 3
        assert server.cookies == [None] * 5


async def test_kept_connections_to_one_host_are_capped(
    network: Network, client: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A burst to one slow host waits for its own connections (MAX_PER_HOST), it does not open
    one per request; every request still gets its answer."""
    monkeypatch.setattr(http_wire, "MAX_PER_HOST", 3)
    network.answers["slow.example"] = [PUBLIC]
    network.steady.add("slow.example")
    open_now, most = 0, 0
    release = asyncio.Event()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal open_now, most
        open_now += 1
        most = max(most, open_now)
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                await release.wait()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
        finally:
            open_now -= 1

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    network.routes[PUBLIC] = port
    ctx = _ctx(client, tmp_path, [])
    http_wire.keep()
    try:
        async with server:
            sent = [
                asyncio.create_task(REQUEST.run(ctx, {"url": f"http://slow.example:{port}/{n}"}))
                for n in range(8)
            ]
            await asyncio.sleep(0.3)
            assert most == 3 and not any(task.done() for task in sent)
            release.set()
            answers = await asyncio.gather(*sent)
            assert [a.text for a in answers] == ["ok"] * 8
            assert most == 3
    finally:
        await http_wire.close()
