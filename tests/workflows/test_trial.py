"""Try it: a pending draft runs once on sample data; nothing is sent, written or recorded."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.base import ActionError, RetryableError
from integrations.catalog import default_registry
from storage.config import Settings
from storage.models import CrmContact, OutboxMessage, Run, StepRun, Workspace
from storage.scope import Tenant
from tests.conftest import make_settings
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack
from tests.fakes.smtp_inbox import Inbox, smtp_inbox
from tests.workflows.helpers import owner_of
from workflows import service
from workflows.errors import NotFound
from workflows.expressions import ExpressionError
from workflows.runtime import Runtime
from workflows.trial import Trial, failure_words, try_approval

__all__ = ["fake_slack"]

LEADS: dict[str, Any] = {
    "name": "Website leads",
    "category": "lead_capture",
    "trigger": {"type": "webhook"},
    "steps": [
        {
            "id": "save",
            "action": "crm.upsert_contact",
            "inputs": {
                "email": "{{ trigger.email }}",
                "name": "{{ trigger.name }}",
                "stage": "lead",
            },
        },
        {
            "id": "tell",
            "action": "slack.post_message",
            "inputs": {
                "channel": "#sales",
                "text": "New lead: {{ trigger.name }} ({{ trigger.email }}): {{ trigger.message }}",
            },
        },
        {
            "id": "copy",
            "action": "email.send",
            "inputs": {
                "to": "member:me",
                "subject": "New lead {{ trigger.name }}",
                "text": "{{ trigger.message }}",
            },
        },
        {"id": "pause", "wait": "2 days"},
        {
            "id": "log",
            "action": "sheets.append_row",
            "inputs": {
                "spreadsheet": "Leads",
                "sheet": "Sheet1",
                "values": {"email": "{{ trigger.email }}"},
            },
        },
        {
            "id": "vip",
            "action": "slack.post_message",
            "when": "trigger.budget > 100000",
            "inputs": {"channel": "#vip", "text": "Big one: {{ trigger.name }}"},
        },
        {
            "id": "thanks",
            "action": "email.send",
            "inputs": {
                "to": "{{ trigger.email }}",
                "subject": "Thanks, {{ trigger.name }}!",
                "text": "We will call you within a day.",
            },
        },
    ],
}


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with smtp_inbox() as running:
        yield running


@pytest.fixture
def settings(
    tmp_path: Path, database_url: str, inbox: tuple[Inbox, int], fake_slack: FakeSlack
) -> Settings:
    """Slack and SMTP both configured: a real send would reach the fakes."""
    return make_settings(
        tmp_path,
        database_url,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_API_URL=fake_slack.url,
        SMTP_URL=f"smtp://127.0.0.1:{inbox[1]}",
    )


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    runtime = Runtime(settings)
    yield runtime
    await runtime.close()


async def pending_approval(
    sessions: async_sessionmaker[AsyncSession], workspace: Workspace, spec: dict[str, Any]
) -> str:
    """Store `spec` as a draft the owner asked for, waiting for approval; its approval id."""
    async with sessions() as session:
        tenant = Tenant(session, workspace.id)
        owner = await owner_of(session, workspace)
        registry = default_registry()
        parsed = service.parse_spec(spec, registry)
        proposal = await service.create_workflow(tenant, parsed, registry, owner)
        await session.commit()
        return proposal.approval.id


async def tried(runtime: Runtime, workspace: Workspace, approval_id: str) -> Trial:
    async with runtime.sessions() as session:
        return await try_approval(runtime, Tenant(session, workspace.id), approval_id)


async def test_a_try_shows_every_message_and_sends_nothing(
    runtime: Runtime,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    inbox: tuple[Inbox, int],
    fake_slack: FakeSlack,
) -> None:
    approval_id = await pending_approval(sessions, workspace, LEADS)
    trial = await tried(runtime, workspace, approval_id)

    assert trial.sample == "a sample form submission from Jane Doe"
    outcomes = [(s.number, s.outcome) for s in trial.steps]
    assert outcomes == [
        (1, "ok"),
        (2, "ok"),
        (3, "ok"),
        (4, "waited"),
        (5, "failed"),
        (6, "skipped"),
        (7, "ok"),
    ]
    save, tell, copy, pause, log, vip, thanks = trial.steps
    assert save.detail == "Would add a new contact."
    assert tell.message is not None and tell.message.headline(tried=True) == (
        "It would post in #sales:"
    )
    assert tell.message.body == (
        "New lead: Jane Doe (jane@example.com): "
        "Hi! Could you send me your pricing for a team of 10?"
    )
    assert copy.message is not None and copy.message.to == "you (owner@example.com)"
    assert copy.message.subject == "New lead Jane Doe"
    assert pause.detail.startswith("Would wait here")
    assert log.detail == (
        "Would fail: Google Sheets is not connected for this workspace. Add the Google Sheets "
        "connection on the Connections page (http://127.0.0.1:8000/connections#google) and try "
        "again."
    )
    assert log.problem and log.problem.startswith("MissingConnection")
    assert vip.detail == "Skipped: with this sample its condition is not met."
    assert thanks.message is not None and thanks.message.subject == "Thanks, Jane Doe!"
    assert "jane@example.com" in thanks.message.to
    assert trial.verdict.startswith("1 step would fail; a real run would stop at step 5.")
    assert len(trial.messages) == 3

    assert fake_slack.calls() == [] and inbox[0].envelopes == []
    async with sessions() as session:
        for table in (OutboxMessage, CrmContact, Run, StepRun):
            assert (await session.exec(select(table))).all() == [], table.__name__


READ_THEN_EMAIL: dict[str, Any] = {
    "name": "Weekly timesheet reminder",
    "category": "notifications",
    "trigger": {"type": "schedule", "cron": "0 9 * * 1", "timezone": "UTC"},
    "steps": [
        {
            "id": "fetch_clients",
            "name": "Read the clients from the system that keeps them",
            "action": "http.request",
            "inputs": {"method": "GET", "url": "https://api.example.com/clients"},
        },
        {
            "id": "remind",
            "action": "email.send",
            "for_each": "steps.fetch_clients.json",
            "inputs": {
                "to": "{{ item.email }}",
                "subject": "Reminder: send your timesheets",
                "text": "Hi {{ item.name or 'there' }}, please send your timesheets.",
            },
        },
    ],
}


async def test_a_stand_in_address_is_said_to_be_filled_in_and_the_try_goes_on(
    runtime: Runtime,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    inbox: tuple[Inbox, int],
) -> None:
    """A read at the draft's stand-in address said "could not find api.example.com" (a DNS
    failure, which a real run would retry) and the email after it could not be shown."""
    approval_id = await pending_approval(sessions, workspace, READ_THEN_EMAIL)
    trial = await tried(runtime, workspace, approval_id)
    read, remind = trial.steps
    assert read.outcome == "failed"
    assert read.detail.startswith("Would fail: its web address is still to be filled in.")
    assert "api.example.com" not in read.detail
    assert remind.outcome == "ok", (remind.detail, remind.problem)
    assert remind.message is not None
    assert remind.message.subject == "Reminder: send your timesheets"
    assert trial.verdict.startswith("1 step would fail; a real run would stop at step 1.")
    assert inbox[0].envelopes == []


async def test_another_workspace_cannot_try_the_draft(
    runtime: Runtime, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    approval_id = await pending_approval(sessions, workspace, LEADS)
    async with sessions() as session:
        other = Workspace(slug="other", name="Other")
        session.add(other)
        await session.commit()
    with pytest.raises(NotFound):
        await tried(runtime, other, approval_id)
    with pytest.raises(NotFound):
        await tried(runtime, workspace, "nope")


def test_failures_are_said_in_a_sentence() -> None:
    class Needs(BaseModel):
        subject: str

    try:
        Needs.model_validate({})
    except ValidationError as invalid:
        assert failure_words(invalid) == "Its settings are incomplete or wrong: check its subject."
    assert failure_words(TimeoutError()) == "It took too long to answer."
    assert failure_words(ActionError("slack refused the message")) == ("Slack refused the message.")
    assert "would retry" in failure_words(RetryableError("Slack answered 503"))
    assert "{{" not in failure_words(ExpressionError("template '{{ x }}' failed"))
    assert "Traceback" not in failure_words(RuntimeError("boom"))
