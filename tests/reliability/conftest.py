"""Fixtures of the reliability suite: the fake Slack, a held SMTP inbox, two held HTTP gates."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.keys import create_key
from storage.models import Member, Role, Workspace
from tests.fakes.gate import Gate
from tests.fakes.http_server import LoopbackServer, free_port, serve_app
from tests.fakes.slack_api import fake_slack

__all__ = ["fake_slack"]


class HeldInbox:
    """An aiosmtpd handler that keeps each message, then (when `hold` is set) holds its "250"."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.reached = threading.Event()
        self.hold = threading.Event()
        self.released = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)  # in the recipient's mailbox from here on
        self.reached.set()
        if self.hold.is_set():
            await asyncio.to_thread(self.released.wait, 120)
        return "250 Message accepted"


@pytest.fixture
def inbox() -> Iterator[tuple[HeldInbox, int]]:
    handler, port = HeldInbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        handler.released.set()
        controller.stop()


@pytest.fixture
def gates() -> Iterator[list[tuple[Gate, LoopbackServer]]]:
    first, second = Gate(), Gate()
    with serve_app(first.app) as one, serve_app(second.app) as two:
        yield [(first, one), (second, two)]
        first.released.set()
        second.released.set()


@pytest.fixture
async def owner_api(
    sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> AsyncIterator[Any]:
    """`call(url, method, path, **kw)`: the REST API of a served process, as the owner."""
    async with sessions() as session:
        query = select(Member).where(Member.workspace_id == workspace.id, Member.role == Role.owner)
        owner = (await session.exec(query)).one()
        key, _ = await create_key(session, workspace, Role.owner, member=owner)
        await session.commit()
    async with httpx.AsyncClient(timeout=30, headers={"Authorization": f"Bearer {key}"}) as client:

        async def call(base: str, method: str, path: str, **kw: Any) -> httpx.Response:
            return await client.request(method, base + path, **kw)

        yield call
