"""email.send / email.send_bulk through a real SMTP server (aiosmtpd) on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.base import ActionContext, ActionError, RetryableError, Risk
from integrations.email import ACTIONS, send_risk
from storage.config import Settings
from storage.models import CrmContact, OutboxMessage, Workspace
from tests.fakes.http_server import free_port

SEND, BULK = ACTIONS


class Inbox:
    """An aiosmtpd handler that keeps envelopes and refuses scripted recipients."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, _: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def _ctx(settings: Settings, sessions: async_sessionmaker[AsyncSession], ws: Workspace,
         **extra: Any) -> ActionContext:  # fmt: skip
    return ActionContext(
        settings=settings, sessions=sessions, http=httpx.AsyncClient(), workspace_id=ws.id,
        workflow_id="wf1", run_id="run1", step_id="mail", idempotency_key="run1:mail", **extra,
    )  # fmt: skip


def _live(settings: Settings, port: int) -> Settings:
    return settings.model_copy(
        update={"smtp_url": f"smtp://127.0.0.1:{port}", "email_from": "Levqor <bot@acme.test>"}
    )


async def _rows(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with sessions() as session:
        rows = (await session.exec(select(OutboxMessage))).all()
        return sorted(rows, key=lambda r: r.target)


def test_risk_depends_on_recipients() -> None:
    assert send_risk({"to": "member:owners", "cc": ["member:me"]}) == Risk.internal
    assert send_risk({"to": ["member:admins", "lead@example.org"]}) == Risk.external
    assert send_risk({"to": "member:me", "cc": ["x@example.org"]}) == Risk.external
    assert send_risk({"to": "{{ trigger.email }}"}) == Risk.external
    assert BULK.risk_of({"segment": "all"}) == Risk.critical


async def test_sends_real_smtp_once_per_recipient(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace,
    smtp: tuple[Inbox, int],
) -> None:  # fmt: skip
    inbox, port = smtp
    ctx = _ctx(_live(settings, port), sessions, workspace)
    inputs = {
        "to": ["lead@example.org", "member:owners"], "cc": ["member:admin@example.com"],
        "subject": "Welcome", "text": "Hello there", "html": "<p>Hello there</p>",
        "in_reply_to": "abc@mail.example.org",
    }  # fmt: skip
    out = await SEND.run(ctx, inputs)
    again = await SEND.run(ctx, inputs)
    assert out.delivered == "email" and again.message_id == out.message_id
    assert out.recipients == ["lead@example.org", "owner@example.com", "admin@example.com"]
    assert sorted(e.rcpt_tos[0] for e in inbox.envelopes) == sorted(out.recipients)
    parsed = message_from_bytes(inbox.envelopes[0].content)
    assert parsed["Message-ID"] == out.message_id and parsed["Subject"] == "Welcome"
    assert parsed["In-Reply-To"] == "<abc@mail.example.org>" == parsed["References"]
    assert parsed["Cc"] == "admin@example.com"
    assert {p.get_content_type() for p in parsed.walk()} >= {"text/plain", "text/html"}
    assert [r.status for r in await _rows(sessions)] == ["sent"] * 3


async def test_member_me_is_the_requester(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace,
    smtp: tuple[Inbox, int],
) -> None:  # fmt: skip
    _, port = smtp
    ctx = _ctx(
        _live(settings, port), sessions, workspace, extras={"member_email": "operator@example.com"}
    )
    out = await SEND.run(ctx, {"to": "member:me", "subject": "s", "text": "t"})
    assert out.recipients == ["operator@example.com"]
    with pytest.raises(ActionError, match="not a member"):
        await SEND.run(ctx, {"to": "member:stranger@example.org", "subject": "s", "text": "t"})


async def test_no_smtp_goes_to_outbox(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    ctx = _ctx(settings, sessions, workspace)
    out = await SEND.run(ctx, {"to": "member:owners", "subject": "Report", "text": "figures"})
    assert out.delivered == "outbox"
    rows = await _rows(sessions)
    assert [(r.target, r.status, r.reason, r.subject) for r in rows] == [
        ("owner@example.com", "pending", "smtp not configured", "Report")
    ]
    assert rows[0].idempotency_key == "run1:mail:owner@example.com"


async def test_dry_run_writes_nothing(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace,
    smtp: tuple[Inbox, int],
) -> None:  # fmt: skip
    inbox, port = smtp
    ctx = _ctx(_live(settings, port), sessions, workspace, dry_run=True)
    out = await SEND.run(ctx, {"to": "a@example.org", "subject": "s", "text": "t"})
    assert out.delivered == "dry_run" and inbox.envelopes == [] and await _rows(sessions) == []


async def test_dead_server_is_retryable(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    port = free_port()
    ctx = _ctx(_live(settings, port), sessions, workspace)
    with pytest.raises(RetryableError, match=f"SMTP server 127.0.0.1:{port} unreachable"):
        await SEND.run(ctx, {"to": "a@example.org", "subject": "s", "text": "t"})
    [row] = await _rows(sessions)  # waiting in the outbox, saying why; the next attempt reuses it
    assert (row.target, row.status) == ("a@example.org", "failed")
    assert f"not delivered: SMTP server 127.0.0.1:{port} unreachable" in (row.reason or "")


async def test_smtp_replies_map_to_permanent_or_retryable(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace,
    smtp: tuple[Inbox, int],
) -> None:  # fmt: skip
    inbox, port = smtp
    inbox.refuse = {
        "busy@example.org": "451 try again later",
        "gone@example.org": "550 no such user",
    }
    ctx = _ctx(_live(settings, port), sessions, workspace)
    with pytest.raises(RetryableError, match="451"):
        await SEND.run(ctx, {"to": "busy@example.org", "subject": "s", "text": "t"})
    with pytest.raises(ActionError, match="550"):
        await SEND.run(
            ctx, {"to": ["ok@example.org", "gone@example.org"], "subject": "s", "text": "t"}
        )
    rows = await _rows(sessions)
    assert [(r.target, r.status) for r in rows] == [
        ("busy@example.org", "failed"), ("gone@example.org", "failed"), ("ok@example.org", "sent")
    ]  # fmt: skip
    assert "not delivered: SMTP server" in (rows[0].reason or "") and "451" in (
        rows[0].reason or ""
    )
    assert "550" in (rows[1].reason or "")


async def test_bulk_sends_to_a_segment(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace,
    smtp: tuple[Inbox, int],
) -> None:  # fmt: skip
    inbox, port = smtp
    async with sessions() as session:
        people = [("a@x.org", "lead", {}), ("b@x.org", "lead", {"unsubscribed": True}),
                  ("c@x.org", "customer", {})]  # fmt: skip
        for email, stage, fields in people:
            session.add(
                CrmContact(workspace_id=workspace.id, email=email, stage=stage, fields=fields)
            )
        await session.commit()
    ctx = _ctx(_live(settings, port), sessions, workspace)
    out = await BULK.run(ctx, {"segment": {"stage": "lead"}, "subject": "News", "text": "hi"})
    assert (out.sent, out.queued, out.skipped, out.recipients) == (1, 0, 1, ["a@x.org"])
    everyone = await BULK.run(ctx, {"segment": "all", "subject": "News", "text": "hi"})
    assert everyone.recipients == ["a@x.org", "c@x.org"]
    assert sorted(e.rcpt_tos[0] for e in inbox.envelopes) == ["a@x.org", "c@x.org"]
