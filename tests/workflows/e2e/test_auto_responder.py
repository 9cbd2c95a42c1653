"""Workflow 2: inbound mail → ai.categorize (offline) → a threaded reply over SMTP, or a person."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, cast

import aiosmtplib
import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from agents.planner import draft
from bot.mail.gateway import MailGateway
from storage.config import Settings
from storage.models import Role
from tests.bot.conftest import Live, live  # noqa: F401
from tests.conftest import make_settings
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401
from workflows.spec import WorkflowSpec
from workflows.triggers.email import webhook_secret, webhook_url
from workflows.triggers.inbound_signature import mailgun_fields

FIXTURES = Path(__file__).parents[2] / "fixtures" / "email"
SUPPORT = "support@acme.levqor.localhost"
OUR_ADDRESS = "acme@acme.levqor.localhost"


class SmtpSink:
    """A real SMTP server (aiosmtpd) in this event loop that keeps every envelope it accepts."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.port = 0
        self._arrived = asyncio.Event()
        self._server: asyncio.Server | None = None

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Keep the envelope and wake anyone waiting for mail."""
        self.envelopes.append(envelope)
        self._arrived.set()
        return "250 2.0.0 OK"

    async def start(self, port: int = 0) -> SmtpSink:
        """Listen on loopback (`port` 0: a free one)."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: SMTP(self, hostname="sink.test", loop=loop), "127.0.0.1", port
        )
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    async def close(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def wait_for(self, count: int, within: float = 10) -> None:
        """Return once `count` envelopes have arrived."""
        async with asyncio.timeout(within):
            while len(self.envelopes) < count:
                self._arrived.clear()
                await self._arrived.wait()

    def messages(self) -> list[EmailMessage]:
        """Every accepted message, parsed."""
        return [
            message_from_bytes(e.original_content or b"", policy=policy.default)
            for e in self.envelopes
        ]

    def recipients(self) -> list[str]:
        """Every envelope recipient, in order."""
        return [r for e in self.envelopes for r in e.rcpt_tos]


@pytest.fixture
async def sink() -> AsyncIterator[SmtpSink]:
    server = await SmtpSink().start()
    yield server
    await server.close()


@pytest.fixture
def settings(
    tmp_path: Path,
    database_url: str,
    sink: SmtpSink,
    fake_slack: FakeSlack,  # noqa: F811
) -> Settings:
    return make_settings(
        tmp_path,
        database_url,
        SMTP_URL=f"smtp://127.0.0.1:{sink.port}",
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_API_URL=fake_slack.url,
    )


async def approved_template(
    live: Live,  # noqa: F811
    template_id: str,
    **params: Any,
) -> dict[str, Any]:
    """A workflow from a template, requested by an admin and approved by the owner."""
    created = await live.as_(Role.admin).post(
        "/api/workflows", json={"template_id": template_id, "params": params}
    )
    assert created.status_code == 201, created.text
    approval = created.json()["approval"]
    result = await live.as_(Role.owner).post(f"/api/approvals/{approval['id']}/approve")
    assert result.status_code == 200, result.text
    return {**result.json(), "approval_class": approval["class"]}


async def deliver(port: int, raw: bytes, sender: str, to: str = SUPPORT) -> str:
    """One message into the SMTP gateway; its final reply."""
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port) as smtp:
        _, reply = await smtp.sendmail(sender, [to], raw)
    return reply


@pytest.fixture
async def gateway(live: Live) -> AsyncIterator[MailGateway]:  # noqa: F811
    server = await MailGateway(live.runtime, "127.0.0.1", 0).start()
    yield server
    await server.close()


async def runs_of(live: Live, workflow_id: str) -> list[dict[str, Any]]:  # noqa: F811
    """The workflow's runs, newest first."""
    response = await live.as_().get("/api/runs", params={"workflow_id": workflow_id})
    return cast(list[dict[str, Any]], response.json())


async def test_question_by_smtp_gets_one_threaded_reply_and_no_loop(
    live: Live,  # noqa: F811
    gateway: MailGateway,
    sink: SmtpSink,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    wf = await approved_template(live, "email-auto-responder", channel="#support")
    assert wf["approval_class"] == "B"
    raw = (FIXTURES / "support_question.eml").read_bytes()
    assert "accepted" in await deliver(gateway.port, raw, "dana@example.com")
    await sink.wait_for(1)
    [run] = await runs_of(live, wf["id"])
    body = await live.wait_for_run(run["id"])
    assert body["status"] == "succeeded", body
    steps = {s["step_id"]: s for s in body["steps"]}
    assert steps["categorize"]["output"]["label"] == "order_status"
    assert steps["flag"]["status"] == "skipped"

    [envelope], [reply] = sink.envelopes, sink.messages()
    assert envelope.mail_from == OUR_ADDRESS and envelope.rcpt_tos == ["dana@example.com"]
    assert reply["Subject"] == "Re: Where is my order #1234?"
    assert reply["In-Reply-To"] == "<order-1234-question@mail.example.com>"
    assert reply["References"] == "<order-1234-question@mail.example.com>"
    assert reply["From"] == f"Acme <{OUR_ADDRESS}>" and reply["Reply-To"] == OUR_ADDRESS
    assert reply["Auto-Submitted"] == "auto-replied"
    text = reply.get_body(("plain",))
    html = reply.get_body(("html",))
    assert text is not None and "about your order" in text.get_content()
    assert html is not None and "about your order" in html.get_content()
    assert fake_slack.calls("chat.postMessage") == []

    # Our own reply coming back (a forwarding rule, a bounce loop) starts nothing and sends nothing.
    echoed = envelope.original_content or b""
    assert "accepted" in await deliver(gateway.port, echoed, OUR_ADDRESS)
    # The customer's out-of-office answering our reply starts nothing either.
    ooo = (FIXTURES / "out_of_office.eml").read_bytes()
    assert "accepted" in await deliver(gateway.port, ooo, "sam@example.org")
    await live.runtime.drain()
    assert len(await runs_of(live, wf["id"])) == 1 and len(sink.envelopes) == 1


async def test_human_only_category_by_webhook_goes_to_slack_not_the_sender(
    live: Live,  # noqa: F811
    settings: Settings,
    sink: SmtpSink,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    wf = await approved_template(live, "email-auto-responder", channel="#support")
    url = webhook_url(settings, live.workspace).split("://", 1)[1].split("/", 1)[1]
    complaint = {
        "from": "Carl Cross <carl@example.com>",
        "to": SUPPORT,
        "subject": "Terrible service",
        "text": "I am very disappointed and angry, this is the worst service I have had.",
        "message_id": "<complaint-1@example.com>",
    }
    accepted = await live.as_().post(
        f"/{url}", json={**complaint, **mailgun_fields(webhook_secret(settings, live.workspace))}
    )
    assert accepted.status_code == 202, accepted.text
    [run_id] = accepted.json()["run_ids"]
    body = await live.wait_for_run(run_id)
    assert body["status"] == "succeeded", body
    steps = {s["step_id"]: s["status"] for s in body["steps"]}
    assert steps == {
        "categorize": "succeeded",
        "draft": "skipped",
        "reply": "skipped",
        "flag": "succeeded",
    }
    [note] = fake_slack.calls("chat.postMessage")
    assert note.args["channel"] == "#support"
    assert "complaint email from carl@example.com needs a person" in note.args["text"]
    assert "worst service" in note.args["text"]
    assert sink.envelopes == []
    assert wf["id"] == body["workflow_id"]


def test_auto_responder_is_draftable_from_plain_language() -> None:
    result = draft(
        "Set up an email auto-responder for support@: categorize incoming emails and send the "
        "matching reply; complaints go to #support"
    )
    assert result.status == "draft" and result.workflow is not None
    spec = WorkflowSpec.model_validate(result.workflow)
    assert spec.trigger.type == "email"
    assert spec.integrations() == ["ai", "email", "slack"]
    reply = next(s for s in spec.steps if s.action == "email.send")
    assert reply.inputs["to"] == "{{ trigger.from }}"
    assert reply.inputs["in_reply_to"] == "{{ trigger.message_id }}"
