"""Waiting approvals are reminded, escalated and withdrawn on time (an injected clock).

The approvers' email arrives at a real SMTP server (aiosmtpd); the Slack reminders are replies in
the approval card's thread on the fake Slack Web API.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.catalog import default_registry
from storage.config import Settings
from storage.models import Approval, Decision, Member, Role, Workflow, WorkflowStatus, Workspace
from storage.scope import Tenant
from tests.conftest import make_settings
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401
from tests.fakes.smtp_inbox import Inbox, smtp_inbox
from workflows import service
from workflows.notifications import notices_for
from workflows.reminders import record_card
from workflows.runtime import Runtime

OUTREACH = {
    "name": "Welcome new leads",
    "trigger": {"type": "manual"},
    "steps": [
        {
            "id": "mail",
            "action": "email.send",
            "inputs": {"to": "lead@customer.example", "subject": "Hi", "text": "Welcome"},
        }
    ],
}


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with smtp_inbox() as served:
        yield served


@pytest.fixture
def settings(
    tmp_path: Path,
    database_url: str,
    fake_slack: FakeSlack,  # noqa: F811
    inbox: tuple[Inbox, int],
) -> Settings:
    return make_settings(
        tmp_path, database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake_slack.url,
        SMTP_URL=f"smtp://127.0.0.1:{inbox[1]}", LEVQOR_PUBLIC_URL="http://levqor.test",
    )  # fmt: skip


async def ask_in_slack(
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
) -> tuple[Approval, str]:
    """An operator's class B request whose card was posted in #ops (as /levqor does)."""
    registry = default_registry()
    async with sessions() as session:
        tenant = Tenant(session, workspace.id)
        operator = (await session.exec(select(Member).where(Member.role == Role.operator))).one()
        spec = service.parse_spec(OUTREACH, registry)
        proposal = await service.create_workflow(tenant, spec, registry, operator)
        await session.commit()
    client = AsyncWebClient(token=TOKEN, base_url=fake_slack.url)
    posted = await client.chat_postMessage(channel="#ops", text="Approve “Welcome new leads”?")
    ts = str(posted["ts"])
    async with sessions() as session:
        await record_card(Tenant(session, workspace.id), proposal.approval.id, "#ops", ts)
        await session.commit()
    return proposal.approval, ts


def thread_replies(fake_slack: FakeSlack, ts: str) -> list[str]:  # noqa: F811
    calls = fake_slack.calls("chat.postMessage")
    return [c.args["text"] for c in calls if c.args.get("thread_ts") == ts]


def recipients(inbox: tuple[Inbox, int]) -> list[tuple[str, str]]:
    """(envelope recipient, subject) of every email delivered, in order."""
    served = inbox[0]
    return [
        (str(rcpt), str(message["Subject"]))
        for envelope, message in zip(served.envelopes, served.messages, strict=True)
        for rcpt in envelope.rcpt_tos
    ]


async def test_remind_then_escalate_once_each_where_they_were_asked(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
    inbox: tuple[Inbox, int],
) -> None:
    approval, ts = await ask_in_slack(sessions, workspace, fake_slack)
    asked: datetime = approval.created_at
    runtime = Runtime(settings)
    try:
        chaser = runtime.chaser
        assert (await chaser.chase(asked + timedelta(hours=23))).reminded == []
        assert thread_replies(fake_slack, ts) == [] and inbox[0].messages == []

        done = await chaser.chase(asked + timedelta(hours=25))
        assert done.reminded == [approval.id]
        [reply] = thread_replies(fake_slack, ts)
        assert reply.startswith("Reminder: “Welcome new leads” has waited 25 hours for approval")
        assert f"http://levqor.test/approvals#approval-{approval.id}" in reply
        subject = "Reminder: “Welcome new leads” waits for approval"
        assert sorted(recipients(inbox)) == [
            ("admin@example.com", subject),
            ("owner@example.com", subject),
        ]
        again = await chaser.chase(asked + timedelta(hours=30))
        assert again.reminded == [] and again.escalated == [] and len(recipients(inbox)) == 2

        async with sessions() as session:  # the bell says it was chased
            owner = (await session.exec(select(Member).where(Member.role == Role.owner))).one()
            [notice] = await notices_for(Tenant(session, workspace.id), owner)
            assert notice.detail.endswith("It has waited a while: a reminder was sent.")

        done = await chaser.chase(asked + timedelta(hours=49))
        assert done.escalated == [approval.id]
        assert len(thread_replies(fake_slack, ts)) == 2
        assert recipients(inbox)[-1] == (
            "owner@example.com",
            "Please decide: “Welcome new leads” is still waiting",
        )
        assert len(recipients(inbox)) == 3  # owners only: the admin is not asked twice
        later = await chaser.chase(asked + timedelta(hours=200))  # no expiry set: it waits on
        assert later.withdrawn == [] and len(recipients(inbox)) == 3
    finally:
        await runtime.close()
    async with sessions() as session:
        row = await session.get(Approval, approval.id)
        assert row is not None and row.decision == Decision.pending
        assert row.reminded_at == asked + timedelta(hours=25)


async def test_an_expired_request_is_withdrawn_with_a_note(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
    inbox: tuple[Inbox, int],
) -> None:
    async with sessions() as session:
        row = await session.get(Workspace, workspace.id)
        assert row is not None
        row.approval_reminder_hours, row.approval_expire_hours = 4, 12
        await session.commit()
    approval, ts = await ask_in_slack(sessions, workspace, fake_slack)
    runtime = Runtime(settings)
    try:
        assert (await runtime.chaser.chase(approval.created_at + timedelta(hours=5))).reminded
        done = await runtime.chaser.chase(approval.created_at + timedelta(hours=13))
        assert done.withdrawn == [approval.id]
        note = thread_replies(fake_slack, ts)[-1]
        assert "Nobody decided on “Welcome new leads” within 12 hours" in note
        assert "It is a draft again" in note
        assert recipients(inbox)[-1][1] == "“Welcome new leads” was withdrawn"
        assert (await runtime.chaser.chase(approval.created_at + timedelta(hours=40))) == type(
            done
        )()
    finally:
        await runtime.close()
    async with sessions() as session:
        decided = await session.get(Approval, approval.id)
        assert decided is not None and decided.decision == Decision.rejected
        assert decided.reason == "Withdrawn: nobody decided within 12 hours."
        workflow = await session.get(Workflow, approval.workflow_id)
        assert workflow is not None and workflow.status == WorkflowStatus.draft
