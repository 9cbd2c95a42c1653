"""A message kept in the outbox is never built as MIME, and its words read exactly as the built
message's do (subject, text and HTML parts, Message-ID); a message sent by SMTP is built."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations import smtp as smtp_module
from integrations.base import ActionContext
from integrations.email import ACTIONS
from integrations.smtp import Mail, Sender, message_id
from storage.config import Settings
from storage.models import OutboxMessage, Workspace

SEND, _ = ACTIONS
TEXTS = [
    *("hi", "hi\n", "a\r\nb", "a\rb\n\n", "", "\n", "héllo ✓ 日本", "x" * 2000, "line\n" * 5),
    *("tab\there  \nend  ", "a\n\n\nb", "  lead", "=3D quoted = ", "From me\n.dot\n"),
]
SUBJECTS = ["Hi", "  Hi  there ", "Ünïcode ✓", "x " * 200, "a\tb", "", "=?utf-8?q?caf=C3=A9?=",
            "Re: [#1] foo; bar: baz"]  # fmt: skip


@pytest.mark.parametrize("subject", SUBJECTS)
def test_the_parts_read_as_the_built_message_does(subject: str) -> None:
    sender = Sender("w", "Acme Ltd", "hello@acme.example")
    for text in TEXTS:
        for html in (None, f"<p>{text}</p>"):
            msg_id = message_id(sender.address, f"run:{subject}")
            parts = Mail(sender, ["a@b.example"], [], subject, text, html, msg_id)
            built = parts.message()
            plain, rich = built.get_body(("plain",)), built.get_body(("html",))
            assert plain is not None
            assert parts.shown_subject() == str(built["Subject"])
            assert parts.plain() == plain.get_content()
            assert parts.html_part() == (rich.get_content() if rich is not None else None)
            assert parts.msg_id == str(built["Message-ID"])


async def test_a_message_for_the_outbox_is_not_built(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[Any] = []

    class Counted(EmailMessage):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            built.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(smtp_module, "EmailMessage", Counted)
    ctx = ActionContext(
        settings=settings, sessions=sessions, http=httpx.AsyncClient(), workspace_id=workspace.id,
        workflow_id="wf1", run_id="run1", step_id="mail", idempotency_key="run1:mail",
    )  # fmt: skip
    text = "Hi,\r\nthe figures are in.\n"
    out = await SEND.run(
        ctx,
        {"to": "member:owners", "subject": " Weekly  report ", "text": text, "html": "<b>x</b>"},
    )
    assert out.delivered == "outbox"
    assert built == []  # no SMTP: nothing to build
    async with sessions() as session:
        row = (await session.exec(select(OutboxMessage))).one()
    assert (row.subject, row.body) == ("Weekly report", "Hi,\nthe figures are in.\n")
    assert row.payload["html"] == "<b>x</b>\n" and row.payload["message_id"] == out.message_id
