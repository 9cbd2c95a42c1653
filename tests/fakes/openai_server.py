"""A scripted OpenAI-compatible server on loopback: queue replies, then read what was asked.

    async with ScriptedOpenAI.running() as server:          # or the `openai_server` fixture
        server.reply_json({"label": "billing"})
        server.fail(429, headers={"Retry-After": "2"})
        server.reply_tool_calls([("lookup", {"q": "x"})])
        settings = make_settings(..., OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY="sk-test")
        ...
        assert server.requests[0].messages[-1]["content"] == "..."

Replies are served in order to POST /v1/chat/completions (plain or `stream: true`); an empty
queue answers 500 with a message saying so, so a test that asks more than it scripted fails.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp


@asynccontextmanager
async def serve_loopback(app: ASGIApp) -> AsyncIterator[str]:
    """Serve an ASGI app on a free 127.0.0.1 port in this event loop; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms delayed-ACK stalls
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, lifespan="off", log_level="warning", access_log=False, timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.005)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@dataclass
class ScriptedReply:
    """One queued answer: a status, a JSON body, headers, and an optional delay before it."""

    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class RecordedRequest:
    """A request the server received."""

    path: str
    headers: dict[str, str]
    json: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The chat messages sent."""
        return list(self.json.get("messages", []))


class ScriptedOpenAI:
    """The fake server: queue replies with `reply*`/`fail`, read `requests` afterwards."""

    def __init__(self, model: str = "scripted-model") -> None:
        self.model = model
        self.queue: deque[ScriptedReply] = deque()
        self.requests: list[RecordedRequest] = []
        self.url = ""

    @classmethod
    @asynccontextmanager
    async def running(cls, model: str = "scripted-model") -> AsyncIterator[ScriptedOpenAI]:
        """Start a server on a free loopback port for the duration of the block."""
        server = cls(model)
        async with serve_loopback(server.app()) as url:
            server.url = url
            yield server

    @property
    def base_url(self) -> str:
        """The value for OPENAI_BASE_URL (ends in /v1)."""
        return f"{self.url}/v1"

    @property
    def pending(self) -> int:
        """Replies queued but not yet served."""
        return len(self.queue)

    def reply(self, content: str, *, delay: float = 0.0) -> ScriptedOpenAI:
        """Queue an assistant message with this text content."""
        return self._message({"role": "assistant", "content": content}, "stop", delay)

    def reply_json(self, value: Any, *, delay: float = 0.0) -> ScriptedOpenAI:
        """Queue an assistant message whose content is `value` as JSON."""
        return self.reply(json.dumps(value), delay=delay)

    def reply_tool_calls(
        self, calls: list[tuple[str, dict[str, Any]]], *, content: str | None = None
    ) -> ScriptedOpenAI:
        """Queue an assistant message calling these tools: [(name, arguments), ...]."""
        tool_calls = [
            {
                "id": f"call_{len(self.requests)}_{i}",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(arguments)},
            }
            for i, (name, arguments) in enumerate(calls)
        ]
        message = {"role": "assistant", "content": content, "tool_calls": tool_calls}
        return self._message(message, "tool_calls", 0.0)

    def fail(
        self,
        status: int,
        *,
        headers: dict[str, str] | None = None,
        message: str = "scripted failure",
        delay: float = 0.0,
    ) -> ScriptedOpenAI:
        """Queue an error response (e.g. 429 with {"Retry-After": "3"}, or 500)."""
        body = {"error": {"message": message, "type": "scripted", "code": str(status)}}
        self.queue.append(ScriptedReply(status, body, dict(headers or {}), delay))
        return self

    def _message(self, message: dict[str, Any], finish: str, delay: float) -> ScriptedOpenAI:
        body = {
            "id": "chatcmpl-scripted",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model,
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
        self.queue.append(ScriptedReply(200, body, {}, delay))
        return self

    def app(self) -> Starlette:
        """The ASGI app (POST /v1/chat/completions)."""
        return Starlette(routes=[Route("/v1/chat/completions", self._chat, methods=["POST"])])

    async def _chat(self, request: Request) -> Response:
        payload = await request.json()
        self.requests.append(RecordedRequest(request.url.path, dict(request.headers), payload))
        if not self.queue:
            error = {"message": "ScriptedOpenAI: no scripted response left", "type": "scripted"}
            return JSONResponse({"error": error}, status_code=500)
        scripted = self.queue.popleft()
        if scripted.delay:
            await asyncio.sleep(scripted.delay)
        if scripted.status == 200 and payload.get("stream"):
            return StreamingResponse(_chunks(scripted.body), media_type="text/event-stream")
        return JSONResponse(scripted.body, scripted.status, headers=scripted.headers)


async def _chunks(body: dict[str, Any]) -> AsyncIterator[str]:
    choice = body["choices"][0]
    delta = dict(choice["message"])
    for i, call in enumerate(delta.get("tool_calls") or []):
        call["index"] = i
    base = {k: body[k] for k in ("id", "created", "model")} | {"object": "chat.completion.chunk"}
    for chunk_choice in (
        {"index": 0, "delta": delta, "finish_reason": None},
        {"index": 0, "delta": {}, "finish_reason": choice["finish_reason"]},
    ):
        yield f"data: {json.dumps(base | {'choices': [chunk_choice]})}\n\n"
    yield "data: [DONE]\n\n"


@pytest.fixture
async def openai_server() -> AsyncIterator[ScriptedOpenAI]:
    """A running ScriptedOpenAI; import this fixture into a test module or conftest."""
    async with ScriptedOpenAI.running() as server:
        yield server
