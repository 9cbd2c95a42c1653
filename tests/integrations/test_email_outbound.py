"""email.send's outbound features through aiosmtpd: sender, templates, threading, drip opt-outs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.base import ActionContext, ActionError
from integrations.email import ACTIONS
from integrations.email_templates import read_unsubscribe_token, render, unsubscribe_token
from storage.config import Settings
from storage.models import CrmContact, Workspace
from tests.bot.conftest import Live, live  # noqa: F401
from tests.conftest import make_settings
from tests.workflows.e2e.test_auto_responder import SmtpSink

SEND = ACTIONS[0]


@pytest.fixture
async def sink() -> AsyncIterator[SmtpSink]:
    server = await SmtpSink().start()
    yield server
    await server.close()


@pytest.fixture
def settings(tmp_path: Path, database_url: str, sink: SmtpSink) -> Settings:
    return make_settings(tmp_path, database_url, SMTP_URL=f"smtp://127.0.0.1:{sink.port}")


def context(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], ws: Workspace, step: str
) -> ActionContext:
    return ActionContext(
        settings=settings, sessions=sessions, http=httpx.AsyncClient(), workspace_id=ws.id,
        workflow_id="wf1", run_id="run1", step_id=step, idempotency_key=f"run1:{step}",
    )  # fmt: skip


async def test_workspace_sender_reply_to_and_threading(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace,
    sink: SmtpSink,
) -> None:  # fmt: skip
    ctx = context(settings, sessions, workspace, "reply")
    inputs: dict[str, Any] = {
        "to": "dana@example.com", "subject": "Re: Order", "text": "On its way.",
        "in_reply_to": "<b@mail.example>", "references": "<a@mail.example> <b@mail.example>",
    }  # fmt: skip
    out = await SEND.run(ctx, inputs)
    [message] = sink.messages()
    assert message["From"] == "Acme <acme@acme.levqor.localhost>"
    assert message["Reply-To"] == "acme@acme.levqor.localhost"
    assert message["Message-ID"] == out.message_id and out.message_id.endswith(
        "@acme.levqor.localhost>"
    )
    assert message["In-Reply-To"] == "<b@mail.example>"
    assert message["References"] == "<a@mail.example> <b@mail.example>"
    assert message["List-Unsubscribe"] is None  # not drip mail

    pattern = settings.model_copy(update={"email_from": "Help Desk <{slug}@mail.example.com>"})
    other = context(pattern, sessions, workspace, "other")
    await SEND.run(other, {"to": "a@example.org", "subject": "s", "text": "t", "reply_to": "x@y.z"})
    assert sink.messages()[1]["From"] == "Help Desk <acme@mail.example.com>"
    assert sink.messages()[1]["Reply-To"] == "x@y.z"
    assert sink.envelopes[1].mail_from == "acme@mail.example.com"


async def test_named_templates_render_both_bodies_and_keep_text_as_data(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace,
    sink: SmtpSink,
) -> None:  # fmt: skip
    ctx = context(settings, sessions, workspace, "report")
    text = "Runs: 4\n<b>bold?</b> {{ 7 * 7 }}\n\nSecond paragraph"
    await SEND.run(ctx, {"to": "a@example.org", "subject": "Weekly", "text": text,
                         "template": "report"})  # fmt: skip
    [message] = sink.messages()
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and html is not None
    assert "{{ 7 * 7 }}" in plain.get_content() and "<b>bold?</b>" in plain.get_content()
    body = html.get_content()
    assert "<h1" in body and "Weekly</h1>" in body and "<pre" in body
    assert "&lt;b&gt;bold?&lt;/b&gt; {{ 7 * 7 }}" in body and "<b>" not in body
    plain_html = render("plain", subject="s", text="One\nline\n\nTwo", workspace_name="Acme").html
    assert "<p>One<br>\nline</p>\n<p>Two</p>" in plain_html
    with pytest.raises(ActionError, match="unknown email template 'fancy'; use one of: plain"):
        await SEND.run(ctx, {"to": "a@example.org", "subject": "s", "text": "t",
                             "template": "fancy"})  # fmt: skip


def test_unsubscribe_tokens_are_signed(settings: Settings) -> None:
    token = unsubscribe_token(settings, "ws1", "Dana@Example.com")
    assert read_unsubscribe_token(settings, token) == ("ws1", "dana@example.com")
    encoded, _, mac = token.partition(".")
    assert read_unsubscribe_token(settings, f"{encoded}.{'0' * len(mac)}") is None
    other = settings.model_copy(update={"secret_key": "another-key"})
    other.__dict__.pop("resolved_secret_key", None)
    assert read_unsubscribe_token(other, token) is None
    assert read_unsubscribe_token(settings, "garbage") is None


async def test_drip_mail_unsubscribes_in_one_click_and_later_drips_are_skipped(
    live: Live,  # noqa: F811
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    sink: SmtpSink,
) -> None:
    workspace = live.workspace
    drip = {"to": ["ann@example.org", "bob@example.org"], "subject": "Day 2 tips",
            "text": "Here is a tip.", "drip": True}  # fmt: skip
    first = await SEND.run(context(settings, sessions, workspace, "day2"), drip)
    assert first.recipients == ["ann@example.org", "bob@example.org"] and first.skipped == []
    assert [e.rcpt_tos for e in sink.envelopes] == [["ann@example.org"], ["bob@example.org"]]
    ann, bob = sink.messages()
    assert ann["To"] == "ann@example.org" and ann["Message-ID"] != bob["Message-ID"]
    link = ann["List-Unsubscribe"].strip("<>")
    assert link.startswith(f"{settings.public_url}/u/")
    assert ann["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = ann.get_body(("plain",)), ann.get_body(("html",))
    assert text is not None and f"Unsubscribe: {link}" in text.get_content()
    assert html is not None and f'href="{link}"' in html.get_content()

    path = "/" + link.split("/", 3)[3]
    async with httpx.AsyncClient(base_url=live.url) as browser:
        shown = await browser.get(path)  # a link scanner fetching it unsubscribes nobody
        assert (
            shown.status_code == 200
            and "Stop sending these emails to ann@example.org" in shown.text
        )
        assert await contact_fields(sessions, "ann@example.org") is None
        clicked = await browser.post(path, data={"List-Unsubscribe": "One-Click"})
        assert clicked.status_code == 200 and "no more of these emails" in clicked.text
        assert (await browser.post(path)).status_code == 200  # twice is fine
        assert (await browser.post(path[:-3] + "abc")).status_code == 404
    fields = await contact_fields(sessions, "ann@example.org")
    assert fields is not None and fields["unsubscribed"] is True

    later = await SEND.run(context(settings, sessions, workspace, "day5"), drip)
    assert (later.recipients, later.skipped) == (["bob@example.org"], ["ann@example.org"])
    only_ann = {**drip, "to": "ann@example.org", "template": "drip", "drip": False}
    skipped = await SEND.run(context(settings, sessions, workspace, "day14"), only_ann)
    assert (skipped.delivered, skipped.skipped) == ("skipped", ["ann@example.org"])
    assert [e.rcpt_tos for e in sink.envelopes][2:] == [["bob@example.org"]]
    plain = {**only_ann, "template": None}  # not drip mail: opt-outs do not apply
    assert (await SEND.run(context(settings, sessions, workspace, "x"), plain)).delivered == "email"


async def contact_fields(
    sessions: async_sessionmaker[AsyncSession], email: str
) -> dict[str, Any] | None:
    async with sessions() as session:
        contact = (await session.exec(select(CrmContact).where(CrmContact.email == email))).first()
        return dict(contact.fields) if contact else None
