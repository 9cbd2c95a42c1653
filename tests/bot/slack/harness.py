"""Signed Slack requests built from the JSON fixtures, and a recorder for `response_url` posts."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.http_server import LoopbackServer
from tests.fakes.slack_api import FakeSlack, SlackCall

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "slack"
SIGNING_SECRET = "test-signing-secret-0123456789"
TEAM = "T0LEVQOR"


def fixture(name: str) -> dict[str, Any]:
    """A payload from tests/fixtures/slack/ (a fresh copy)."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return copy.deepcopy(data)


def sign(body: bytes, *, secret: str = SIGNING_SECRET, at: int | None = None) -> dict[str, str]:
    """Slack's v0 signature headers for `body` (HMAC-SHA256 of `v0:timestamp:body`)."""
    timestamp = str(at if at is not None else int(time.time()))
    base = b"v0:" + timestamp.encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}"}


class Responses:
    """A loopback stand-in for Slack's `response_url`s: records each JSON post."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._posts: list[dict[str, Any]] = []
        app = Starlette(routes=[Route("/respond/{key}", self._endpoint, methods=["POST"])])
        self._server = LoopbackServer(app).start()

    def url(self, key: str) -> str:
        """A response_url for one request."""
        return f"{self._server.url}/respond/{key}"

    def posts(self, key: str | None = None) -> list[dict[str, Any]]:
        """Everything posted (to one key when given)."""
        with self._lock:
            return [p for p in self._posts if key is None or p["_key"] == key]

    async def _endpoint(self, request: Request) -> Response:
        body = json.loads(await request.body())
        with self._lock:
            self._posts.append({**body, "_key": request.path_params["key"]})
        return JSONResponse({"ok": True})


@dataclass
class SlackClient:
    """Posts signed Slack requests to a served Levqor and waits for what it sends to Slack."""

    url: str
    fake: FakeSlack
    responses: Responses
    http: httpx.AsyncClient
    _counter: int = field(default=0)

    def _key(self) -> str:
        self._counter += 1
        return f"r{self._counter}-{uuid.uuid4().hex[:8]}"

    async def send(
        self,
        body: bytes,
        content_type: str,
        *,
        headers: dict[str, str] | None = None,
        **sign_kw: Any,
    ) -> httpx.Response:
        """POST a body to /slack/events, signed unless `headers` already carry a signature."""
        sent = {"Content-Type": content_type, **sign(body, **sign_kw), **(headers or {})}
        return await self.http.post(f"{self.url}/slack/events", content=body, headers=sent)

    async def command(
        self, text: str, *, user: str = "UOWNER", channel: str = "C0SALES", **kw: Any
    ) -> tuple[httpx.Response, str]:
        """A signed, form-encoded `/levqor text`; returns the response and its response_url key."""
        form = fixture("slash_command") | {"text": text, "user_id": user, "channel_id": channel}
        key = self._key()
        form["response_url"] = self.responses.url(key)
        form.update({k: v for k, v in kw.items() if k in form})
        body = urlencode(form).encode()
        return await self.send(body, "application/x-www-form-urlencoded"), key

    async def click(
        self,
        action_id: str,
        value: str,
        *,
        user: str = "UOWNER",
        message_ts: str | None = "1700000000.000001",
        channel: str | None = "C0SALES",
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
    ) -> httpx.Response:
        """A signed block_actions payload: `user` clicked button `action_id` carrying `value`
        (on a message in the thread `thread_ts` when given)."""
        payload = fixture("block_actions")
        payload["user"] |= {"id": user, "username": user.lower(), "name": user.lower()}
        payload["actions"][0] |= {"action_id": action_id, "value": value}
        if channel is None or message_ts is None:  # the home tab
            payload["container"] = {"type": "view", "view_id": "VHOME"}
            for key in ("channel", "message"):
                payload.pop(key)
        else:
            payload["channel"]["id"] = payload["container"]["channel_id"] = channel
            payload["message"]["ts"] = payload["container"]["message_ts"] = message_ts
            payload["message"]["blocks"] = blocks or []
            if thread_ts:
                payload["message"]["thread_ts"] = thread_ts
        return await self.send(_payload_form(payload), "application/x-www-form-urlencoded")

    async def submit(
        self,
        callback_id: str,
        metadata: str,
        values: dict[str, str] | None = None,
        *,
        user: str = "UOWNER",
    ) -> httpx.Response:
        """A signed view_submission of the modal `callback_id` with typed `values`."""
        payload = fixture("view_submission")
        payload["user"] |= {"id": user, "username": user.lower()}
        payload["view"] |= {"callback_id": callback_id, "private_metadata": metadata}
        payload["view"]["state"]["values"] = {
            block: {"value": {"type": "plain_text_input", "value": text}}
            for block, text in (values or {}).items()
        }
        return await self.send(_payload_form(payload), "application/x-www-form-urlencoded")

    async def event(
        self,
        name: str,
        *,
        retry: int | None = None,
        inner: dict[str, Any] | None = None,
        **changes: Any,
    ) -> httpx.Response:
        """A signed Events API envelope from a fixture (`changes` patch it, `inner` its event)."""
        envelope = fixture(name) | changes
        envelope["event"] |= inner or {}
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        body = json.dumps(envelope).encode()
        return await self.send(body, "application/json", headers=headers if retry else None)

    async def wait_for(
        self,
        method: str,
        where: Callable[[SlackCall], bool] = lambda _: True,
        *,
        count: int = 1,
        within: float = 10,
    ) -> list[SlackCall]:
        """Wait until the fake Slack received `count` calls of `method` matching `where`."""
        deadline = time.monotonic() + within
        while True:
            found = [c for c in self.fake.calls(method) if where(c)]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                seen = [(c.method, c.args.get("text")) for c in self.fake.calls()]
                raise AssertionError(f"no {count} x {method} within {within}s; saw {seen}")
            await asyncio.sleep(0.02)

    async def wait_response(self, key: str, within: float = 10) -> dict[str, Any]:
        """Wait for the reply posted to one request's response_url."""
        deadline = time.monotonic() + within
        while not self.responses.posts(key):
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing was posted to response_url {key}")
            await asyncio.sleep(0.02)
        return self.responses.posts(key)[-1]

    async def warm(self) -> None:
        """One request through the app, so its one-time `auth.test` is behind us."""
        _, key = await self.command("help")
        await self.wait_response(key)

    async def settle(self, quiet: float = 0.3) -> None:
        """Wait until no new Slack call arrived for `quiet` seconds (background work is done)."""
        seen = -1
        while seen != len(self.fake.calls()):
            seen = len(self.fake.calls())
            await asyncio.sleep(quiet)


def _payload_form(payload: dict[str, Any]) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def button_values(blocks: list[dict[str, Any]]) -> dict[str, str]:
    """{action_id: value} of every button in `blocks`."""
    found: dict[str, str] = {}
    for block in blocks:
        elements = block.get("elements", []) if block.get("type") == "actions" else []
        accessory = block.get("accessory")
        for element in [*elements, *([accessory] if accessory else [])]:
            if element.get("type") == "button":
                found[element["action_id"]] = element["value"]
    return found


def all_text(blocks: list[dict[str, Any]]) -> str:
    """Every text in `blocks`, joined (for assertions on what a person reads)."""
    return json.dumps(blocks, ensure_ascii=False)


def workflow_name(card_text: str) -> str:
    """The drafted workflow's name as the approval card announces it (what class C approvers
    type)."""
    found = re.search(r"“([^”]+)”", card_text)
    assert found is not None, card_text
    return found.group(1)
