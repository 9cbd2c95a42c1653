"""http.request against a loopback server, and the address guard."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from integrations.base import ActionContext, ActionError, RetryableError, Risk
from integrations.http import ACTIONS, MAX_BODY_BYTES, guard_url
from storage.config import Settings
from tests.conftest import make_settings
from tests.fakes.http_server import LoopbackServer, free_port, serve_app

REQUEST = ACTIONS[0]


async def _echo(request: Request) -> Response:
    body = await request.body()
    return JSONResponse({"method": request.method, "body": body.decode(),
                         "type": request.headers.get("content-type"),
                         "auth": request.headers.get("authorization")})  # fmt: skip


async def _status(request: Request) -> Response:
    code = int(request.path_params["code"])
    return PlainTextResponse(f"status {code}", code, {"Retry-After": "4"})


async def _redirect(request: Request) -> Response:
    return RedirectResponse(request.query_params["to"], int(request.query_params.get("code", 302)))


async def _big(request: Request) -> Response:
    return PlainTextResponse("x" * (MAX_BODY_BYTES + 10))


APP = Starlette(routes=[
    Route("/echo", _echo, methods=["GET", "POST", "PUT", "DELETE", "HEAD"]),
    Route("/status/{code}", _status), Route("/big", _big),
    Route("/redirect", _redirect, methods=["GET", "POST", "PUT"]),
    Route("/loop", lambda _: RedirectResponse("/loop")),
])  # fmt: skip


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with serve_app(APP) as running:
        yield running


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False) as http:
        yield http


def _ctx(
    http: httpx.AsyncClient, tmp_path: Path, allowed: list[str], dry_run: bool = False
) -> ActionContext:
    settings: Settings = make_settings(tmp_path, LEVQOR_HTTP_ALLOWED_HOSTS=allowed)
    return ActionContext(
        settings=settings, sessions=None, http=http, workspace_id="ws", workflow_id="wf",  # type: ignore[arg-type]
        run_id="r", step_id="s", idempotency_key="r:s", dry_run=dry_run,
    )  # fmt: skip


def test_risk_is_read_only_for_get_and_head() -> None:
    assert REQUEST.risk_of({"method": "GET", "url": "x"}) == Risk.read
    assert REQUEST.risk_of({"method": "HEAD", "url": "x"}) == Risk.read
    assert REQUEST.risk_of({"url": "x"}) == Risk.read
    assert REQUEST.risk_of({"method": "POST", "url": "x"}) == Risk.external


def test_deletes_and_writes_to_payment_apis_are_critical() -> None:
    assert REQUEST.risk_of({"method": "DELETE", "url": "https://discord.com/api/x"}) == (
        Risk.critical
    )
    for url in (
        "https://api.wise.com/v1/transfers",
        "https://API.PayPal.com/v1/payments/payouts",
        "https://api.stripe.com/v1/refunds",
        "https://api.gocardless.com/payments",
    ):
        assert REQUEST.risk_of({"method": "POST", "url": url}) == Risk.critical, url
    assert REQUEST.risk_of({"method": "GET", "url": "https://api.wise.com/v1/x"}) == Risk.read
    for url in ("https://evil.example/api.wise.com", "https://notapi.wise.com.example.org/x"):
        assert REQUEST.risk_of({"method": "POST", "url": url}) == Risk.external, url


async def test_posts_json_to_an_allowed_loopback_host(
    server: LoopbackServer, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    ctx = _ctx(client, tmp_path, ["127.0.0.1"])
    out = await REQUEST.run(ctx, {"method": "POST", "url": f"{server.url}/echo", "json": {"a": 1}})
    assert out.status == 200
    assert out.json_body == {"method": "POST", "body": '{"a": 1}', "type": "application/json",
                             "auth": None}  # fmt: skip
    assert out.model_dump()["json"]["method"] == "POST"


async def test_loopback_is_refused_without_the_setting(
    server: LoopbackServer, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    ctx = _ctx(client, tmp_path, [])
    with pytest.raises(ActionError, match=r"^refused: 127\.0\.0\.1 is a loopback address$"):
        await REQUEST.run(ctx, {"url": f"{server.url}/echo"})
    with pytest.raises(
        ActionError, match=r"localhost resolves to 127\.0\.0\.1, which is a loopback"
    ):
        await REQUEST.run(ctx, {"url": f"http://localhost:{server.port}/echo"})


@pytest.mark.parametrize(
    ("url", "kind"),
    [("http://10.1.2.3/", "private"), ("http://169.254.169.254/latest", "link-local"),
     ("http://[::1]/", "loopback"), ("http://0.0.0.0/", "unspecified"),
     ("http://224.0.0.1/", "multicast"), ("http://[::ffff:192.168.1.1]/", "private"),
     ("http://240.0.0.1/", "reserved")],
)  # fmt: skip
async def test_guard_refuses_non_public_addresses(tmp_path: Path, url: str, kind: str) -> None:
    with pytest.raises(ActionError, match=f"is a {kind} address"):
        await guard_url(make_settings(tmp_path, LEVQOR_HTTP_ALLOWED_HOSTS=[]), httpx.URL(url))
    with pytest.raises(ActionError, match="only http and https"):
        await guard_url(make_settings(tmp_path), httpx.URL("file:///etc/passwd"))


async def test_redirect_to_a_private_address_is_refused(
    server: LoopbackServer, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    ctx = _ctx(client, tmp_path, ["localhost"])
    target = f"{server.url}/echo"  # 127.0.0.1 itself is not allowed
    with pytest.raises(ActionError, match=r"refused: 127\.0\.0\.1 is a loopback address"):
        await REQUEST.run(ctx, {"url": f"http://localhost:{server.port}/redirect?to={target}"})


async def test_redirects_are_followed_and_capped(
    server: LoopbackServer, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    ctx = _ctx(client, tmp_path, ["127.0.0.1"])
    see_other = f"{server.url}/redirect?to=/echo&code=303"
    inputs = {"method": "POST", "url": see_other, "body": "x", "headers": {"Authorization": "T"}}
    out = await REQUEST.run(ctx, inputs)
    assert (out.status, out.json_body["method"], out.json_body["auth"]) == (200, "GET", "T")
    temporary = f"{server.url}/redirect?to=/echo&code=307"
    kept = await REQUEST.run(ctx, {"method": "PUT", "url": temporary, "body": "x"})
    assert kept.json_body["method"] == "PUT" and kept.json_body["body"] == "x"
    with pytest.raises(ActionError, match="more than 5 redirects"):
        await REQUEST.run(ctx, {"url": f"{server.url}/loop"})


async def test_status_mapping_and_body_cap(
    server: LoopbackServer, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    ctx = _ctx(client, tmp_path, ["127.0.0.1"])
    missing = await REQUEST.run(ctx, {"url": f"{server.url}/status/404"})
    assert missing.status == 404 and missing.text == "status 404"
    for code in (429, 503):
        with pytest.raises(RetryableError) as caught:
            await REQUEST.run(ctx, {"url": f"{server.url}/status/{code}"})
        assert caught.value.retry_after == 4
    big = await REQUEST.run(ctx, {"url": f"{server.url}/big"})
    assert big.truncated and len(big.text) == MAX_BODY_BYTES


async def test_dead_port_is_retryable_and_dry_run_does_not_send(
    server: LoopbackServer, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    ctx = _ctx(client, tmp_path, ["127.0.0.1"])
    with pytest.raises(RetryableError):
        await REQUEST.run(ctx, {"url": f"http://127.0.0.1:{free_port()}/"})
    dry = _ctx(client, tmp_path, ["127.0.0.1"], dry_run=True)
    out = await REQUEST.run(dry, {"method": "DELETE", "url": f"http://127.0.0.1:{free_port()}/"})
    assert out.dry_run and out.status is None


@pytest.mark.parametrize(
    ("headers", "said"),
    [
        ({"X-Note": "ok\r\nX-Admin: yes"}, "the X-Note header's value has a line break"),
        ({"X-Note": "a\nb"}, "line break"),
        ({"X Note": "spaced name"}, "'X Note' is not a header name"),
        ({"X-Note:": "colon"}, "is not a header name"),
    ],
)
async def test_a_header_that_could_write_headers_of_its_own_is_refused(
    server: LoopbackServer, client: httpx.AsyncClient, tmp_path: Path, headers: dict[str, str],
    said: str,
) -> None:  # fmt: skip
    ctx = _ctx(client, tmp_path, ["127.0.0.1"])
    with pytest.raises(ValidationError, match=said):
        await REQUEST.run(ctx, {"method": "POST", "url": f"{server.url}/echo", "headers": headers})
    fine = await REQUEST.run(
        ctx, {"method": "POST", "url": f"{server.url}/echo", "headers": {"X-Note": "tab\tok"}}
    )
    assert fine.status == 200


async def test_a_name_that_does_not_resolve_is_said_in_plain_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_such_name(*_args: object, **_kwargs: object) -> list[object]:
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", no_such_name)
    settings = make_settings(tmp_path, LEVQOR_HTTP_ALLOWED_HOSTS=[])
    with pytest.raises(RetryableError) as raised:
        await guard_url(settings, httpx.URL("https://rival.example/plans"))
    said = str(raised.value)
    assert said == "could not find rival.example: no such name, or the name service did not answer"
    assert "Errno" not in said
