"""A live Levqor on a free loopback port (uvicorn in the test's event loop) with keys per role."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.keys import create_key
from bot.app import create_app
from storage.config import Settings
from storage.models import Member, Role, Workspace
from workflows.runtime import Runtime


@dataclass
class Live:
    """A running app, a client, and an API key for each role of the test workspace."""

    url: str
    runtime: Runtime
    keys: dict[Role, str]
    workspace: Workspace
    clients: dict[Role, httpx.AsyncClient] = field(default_factory=dict)

    def as_(self, role: Role = Role.owner) -> httpx.AsyncClient:
        """A client authenticated as the workspace member with this role."""
        if role not in self.clients:
            self.clients[role] = httpx.AsyncClient(
                base_url=self.url,
                headers={"Authorization": f"Bearer {self.keys[role]}"},
                timeout=30,
            )
        return self.clients[role]

    async def wait_for_run(self, run_id: str, within: float = 20) -> dict[str, Any]:
        """Poll the API until the run is finished (or waiting)."""
        deadline = asyncio.get_running_loop().time() + within
        while True:
            body: dict[str, Any] = (await self.as_().get(f"/api/runs/{run_id}")).json()
            if body["status"] in ("succeeded", "failed", "waiting"):
                return body
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"run {run_id} still {body['status']}")
            await asyncio.sleep(0.02)


async def serve(app: Any) -> tuple[uvicorn.Server, asyncio.Task[None], str]:
    """Start uvicorn on a free port in this event loop; returns once it accepts connections."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    return server, task, f"http://127.0.0.1:{port}"


async def start_live(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> tuple[Live, uvicorn.Server, asyncio.Task[None]]:
    """Keys for each member, then the app with its runtime, served on loopback."""
    keys: dict[Role, str] = {}
    async with sessions() as session:
        members = (
            await session.exec(select(Member).where(Member.workspace_id == workspace.id))
        ).all()
        for member in members:
            keys[member.role], _ = await create_key(session, workspace, member.role, member=member)
        await session.commit()
    runtime = Runtime(settings)
    await runtime.start()
    app = create_app(settings, runtime)
    server, task, url = await serve(app)
    return Live(url, runtime, keys, workspace), server, task


@pytest.fixture
async def live(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> AsyncIterator[Live]:
    """Levqor served on loopback against the test database (scheduler off unless enabled)."""
    app_live, server, task = await start_live(settings, sessions, workspace)
    try:
        yield app_live
    finally:
        for client in app_live.clients.values():
            await client.aclose()
        server.should_exit = True
        await task
        await app_live.runtime.drain()
        await app_live.runtime.close()
