"""A fake Slack Web API on a loopback port: records calls, answers like Slack, can be scripted.

Use the `fake_slack` fixture (register it with `pytest_plugins = ["tests.fakes.slack_api"]` in
tests/conftest.py, or `from tests.fakes.slack_api import fake_slack` in a test module), or
`FakeSlack().start()` from a benchmark.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tests.fakes.http_server import LoopbackServer

TOKEN = "xoxb-fake-token"
RECORDED = ("chat.postMessage", "chat.update", "chat.postEphemeral", "views.open", "views.publish")


@dataclass
class SlackCall:
    """One call the fake received: the method, its arguments and the token used."""

    method: str
    args: dict[str, Any]
    token: str | None
    peer: tuple[str, int] | None = None  # the caller's address: one per TCP connection


@dataclass
class _Scripted:
    status: int
    body: dict[str, Any] | str
    headers: dict[str, str] = field(default_factory=dict)


class FakeSlack:
    """The fake's state and its server; `url` is the `base_url` to give the Slack client."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self._lock = threading.Lock()
        self._called = threading.Condition(self._lock)
        self._calls: list[SlackCall] = []
        self._script: list[_Scripted] = []
        self._responses: dict[str, dict[str, Any]] = {}
        self._ts = 0
        self._history: dict[str, list[dict[str, Any]]] = {}
        self._history_error: str | None = None
        self._hold: threading.Event | None = None
        self.post_held = threading.Event()
        app = Starlette(routes=[Route("/api/{method}", self._endpoint, methods=["GET", "POST"])])
        self._server = LoopbackServer(app)

    @property
    def url(self) -> str:
        """The Web API base URL (`http://127.0.0.1:PORT/api/`)."""
        return f"{self._server.url}/api/"

    def start(self) -> FakeSlack:
        """Start serving on a free loopback port."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.stop()

    def reset(self) -> None:
        """Forget recorded calls, scripted answers and custom responses."""
        with self._lock:
            self._calls.clear()
            self._script.clear()
            self._responses.clear()
            self._history.clear()
            self._history_error = None
            hold, self._hold = self._hold, None
            self.post_held.clear()
        if hold is not None:
            hold.set()

    def calls(self, method: str | None = None) -> list[SlackCall]:
        """Recorded calls, all or of one method (e.g. `chat.postMessage`)."""
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    async def wait_for(self, method: str, count: int = 1, within: float = 10) -> list[SlackCall]:
        """The calls of `method` once there are `count` of them (things posted after a commit)."""

        def arrived() -> bool:
            return sum(c.method == method for c in self._calls) >= count

        def wait() -> None:
            with self._called:
                if not self._called.wait_for(arrived, timeout=within):
                    raise TimeoutError(f"fewer than {count} {method} calls within {within}s")

        await asyncio.to_thread(wait)
        return self.calls(method)

    def rate_limit_next(self, n: int = 1, retry_after: int = 1) -> None:
        """Answer the next `n` calls with HTTP 429 and a Retry-After header."""
        body = {"ok": False, "error": "ratelimited"}
        self._push(n, _Scripted(429, body, {"Retry-After": str(retry_after)}))

    def fail_next(self, n: int = 1, error: str = "channel_not_found") -> None:
        """Answer the next `n` calls with `{"ok": false, "error": error}` (HTTP 200, like Slack)."""
        self._push(n, _Scripted(200, {"ok": False, "error": error}))

    def server_error_next(self, n: int = 1, status: int = 503) -> None:
        """Answer the next `n` calls with a plain-text 5xx."""
        self._push(n, _Scripted(status, "service unavailable"))

    def set_response(self, method: str, payload: dict[str, Any]) -> None:
        """Answer every call of `method` with this payload (e.g. `users.info`)."""
        with self._lock:
            self._responses[method] = payload

    def answer_next(self, body: dict[str, Any], status: int = 200) -> None:
        """Answer the next call with `body`, whatever its token (e.g. `oauth.v2.access`)."""
        self._push(1, _Scripted(status, body))

    def hold_posts(self) -> None:
        """Keep every chat.postMessage in the channel but hold its answer until `release_posts`.

        `post_held` is set once a message is in; a client killed meanwhile never hears back.
        """
        with self._lock:
            self._hold = threading.Event()
            self.post_held.clear()

    def release_posts(self) -> None:
        """Answer held (and later) chat.postMessage calls at once."""
        with self._lock:
            hold, self._hold = self._hold, None
        if hold is not None:
            hold.set()

    def fail_history(self, error: str = "missing_scope") -> None:
        """Answer every conversations.history call with this error."""
        with self._lock:
            self._history_error = error

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """The messages in a channel (as kept by chat.postMessage), oldest first."""
        with self._lock:
            return [dict(m) for m in self._history.get(channel, [])]

    def _push(self, n: int, answer: _Scripted) -> None:
        with self._lock:
            self._script.extend([answer] * n)

    async def _endpoint(self, request: Request) -> Response:
        method = request.path_params["method"]
        args = await _arguments(request)
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ").strip() or args.pop("token", None)
        with self._lock:
            scripted = self._script.pop(0) if self._script else None
            if scripted is None and token == self.token:
                peer = (request.client.host, request.client.port) if request.client else None
                self._calls.append(SlackCall(method, args, token, peer))
                self._called.notify_all()
            self._ts += 1
            ts = f"{int(time.time())}.{self._ts:06d}"  # like Slack: epoch seconds
            custom = self._responses.get(method)
            hold = self._hold
            if scripted is None and token == self.token and custom is None:
                answer = self._channel_call(method, args, ts)
            else:
                answer = None
        if scripted is not None:
            if isinstance(scripted.body, str):
                return PlainTextResponse(scripted.body, scripted.status, scripted.headers)
            return JSONResponse(scripted.body, scripted.status, scripted.headers)
        if token != self.token:
            return JSONResponse({"ok": False, "error": "invalid_auth"})
        if method == "chat.postMessage" and hold is not None:
            self.post_held.set()
            await asyncio.to_thread(hold.wait, 120)
        return JSONResponse(answer if answer is not None else _answer(method, args, ts, custom))

    def _channel_call(self, method: str, args: dict[str, Any], ts: str) -> dict[str, Any] | None:
        """Keep posted messages per channel and answer conversations.history from them."""
        if method == "chat.postMessage":
            metadata = args.get("metadata")
            if isinstance(metadata, str) and metadata.startswith("{"):
                metadata = json.loads(metadata)
            kept = {"ts": ts, "text": args.get("text", ""), "metadata": metadata}
            self._history.setdefault(str(args.get("channel")), []).append(kept)
            return None
        if method == "conversations.history":
            if self._history_error:
                return {"ok": False, "error": self._history_error}
            oldest = float(args.get("oldest") or 0)
            every = str(args.get("include_all_metadata", "")).lower() in ("true", "1")
            found = [
                {"type": "message", "ts": m["ts"], "text": m["text"]}
                | ({"metadata": m["metadata"]} if every and m["metadata"] else {})
                for m in reversed(self._history.get(str(args.get("channel")), []))
                if float(m["ts"]) > oldest
            ]
            return {"ok": True, "messages": found, "has_more": False}
        return None


def _answer(method: str, args: dict[str, Any], ts: str, custom: dict[str, Any] | None) -> Any:
    if custom is not None:
        return custom
    if method in ("chat.postMessage", "chat.update"):
        message = {"text": args.get("text", ""), "blocks": args.get("blocks", []), "ts": ts}
        return {
            "ok": True,
            "channel": args.get("channel"),
            "ts": args.get("ts", ts),
            "message": message,
        }
    if method == "chat.postEphemeral":
        return {"ok": True, "message_ts": ts}
    if method in ("views.open", "views.publish"):
        return {"ok": True, "view": {"id": f"V{ts.replace('.', '')}", **_view(args)}}
    if method == "auth.test":
        return {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1", "team": "Fake"}
    return {"ok": True}


def _view(args: dict[str, Any]) -> dict[str, Any]:
    view = args.get("view", {})
    return json.loads(view) if isinstance(view, str) else dict(view)


async def _arguments(request: Request) -> dict[str, Any]:
    body = await request.body()
    if "json" in request.headers.get("content-type", ""):
        parsed = json.loads(body or b"{}")
        return dict(parsed) if isinstance(parsed, dict) else {}
    args: dict[str, Any] = dict(request.query_params)
    args.update(parse_qsl(body.decode()))
    for key in ("blocks", "attachments", "view"):
        if isinstance(args.get(key), str) and args[key].startswith(("[", "{")):
            args[key] = json.loads(args[key])
    return args


_shared: FakeSlack | None = None
_shared_lock = threading.Lock()


def shared_fake_slack() -> FakeSlack:
    """One fake per process, started on first use (a daemon thread: it ends with the process)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = FakeSlack().start()
        return _shared


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """The shared fake Slack Web API, reset for this test (token `TOKEN`, base URL `.url`)."""
    fake = shared_fake_slack()
    fake.reset()
    yield fake
    fake.reset()
