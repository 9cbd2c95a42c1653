"""Which workflow "it", "the weekly report" or "the invoice one" means, as a conversation.

Drafts here are not sent for approval automatically (as in Slack and `levqor chat`): "looks good"
sends the working copy; named approvals decide the card that waits for that workflow.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from agents.assistant import Assistant
from storage.config import Settings
from storage.models import (
    Approval,
    Decision,
    Role,
    Workflow,
    WorkflowStatus,
    WorkflowVersion,
    Workspace,
)
from tests.agents.conversation_worker import open_assistant
from tests.agents.test_conversation import member
from tests.workflows.helpers import activate

EMAILED = "email me the weekly report every Monday at 9am"
POSTED = "post the weekly report to #team every Friday at 5pm"
INVOICES = "every day at 7am post the invoice summary to #finance"
MONDAY_9 = {"type": "schedule", "cron": "0 9 * * 1", "timezone": "UTC"}


def weekly(name: str, channel: str) -> dict[str, Any]:
    """A stored weekly report posting to `channel`."""
    return {
        "name": name,
        "trigger": {"type": "schedule", "cron": "0 9 * * 1", "timezone": "UTC"},
        "steps": [
            {"id": "post", "action": "slack.post_message",
             "inputs": {"channel": channel, "text": "the week"}},
        ],
    }  # fmt: skip


async def versions(sessions: async_sessionmaker[AsyncSession], workflow_id: str) -> list[Any]:
    """(version, state, trigger) of each stored version of a workflow, oldest first."""
    async with sessions() as session:
        rows = await session.exec(
            select(WorkflowVersion)
            .where(WorkflowVersion.workflow_id == workflow_id)
            .order_by(col(WorkflowVersion.version))
        )
        return [(v.version, v.state.value, v.spec["trigger"]) for v in rows.all()]


async def stored(sessions: async_sessionmaker[AsyncSession], workflow_id: str) -> Workflow:
    """The workflow row as it stands."""
    async with sessions() as session:
        workflow = await session.get(Workflow, workflow_id)
    assert workflow is not None
    return workflow


async def submit(assistant: Assistant, thread: str, request: str) -> str:
    """Draft `request` and send it for approval; the new workflow's id."""
    drafted = await assistant.send(thread, request)
    assert drafted.draft is not None, drafted.text
    card = (await assistant.send(thread, "looks good")).approval
    assert card is not None
    return card.workflow_id


async def test_named_approval_and_revision_act_on_the_workflow_meant_never_the_rejected_one(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    owner = await member(sessions, workspace, Role.owner)
    thread = uuid.uuid4().hex
    async with open_assistant(settings, workspace.id, owner.id, scheduler=True) as assistant:
        rejected = await submit(assistant, thread, EMAILED)
        reply = await assistant.send(thread, "reject")
        assert reply.text.startswith("Rejected: ") and "bring back the rejected" in reply.text

        # A pronoun never means the rejected draft: "approve it" re-submits nothing.
        reply = await assistant.send(thread, "approve it")
        assert reply.approval is None and "Sent for approval" not in reply.text
        assert await versions(sessions, rejected) == [(1, "rejected", MONDAY_9)]

        second = await submit(assistant, thread, POSTED)
        invoices = await submit(assistant, thread, INVOICES)
        reply = await assistant.send(thread, "approve the weekly report")
        assert f"Approved: {(await stored(sessions, second)).name} is active" in reply.text
        assert (await stored(sessions, second)).status == WorkflowStatus.active
        assert (await stored(sessions, rejected)).status == WorkflowStatus.draft
        assert len(await versions(sessions, rejected)) == 1
        assert (await stored(sessions, invoices)).status == WorkflowStatus.pending_approval

        reply = await assistant.send(thread, "make the weekly report 8am London time")
        assert reply.draft is not None and "08:00 (Europe/London)" in reply.text
        card = (await assistant.send(thread, "looks good")).approval
        assert card is not None and card.workflow_id == second
        reply = await assistant.send(thread, "approve it")
        assert "is active" in reply.text
        london = {"type": "schedule", "cron": "0 8 * * 5", "timezone": "Europe/London"}
        assert (await versions(sessions, second))[-1] == (2, "approved", london)
        assert (await stored(sessions, second)).active_version == 2
        assert len(await versions(sessions, invoices)) == 1  # the other one is untouched
        assert len(await versions(sessions, rejected)) == 1

        # "the invoice one" by its words; "it" follows the latest mention.
        reply = await assistant.send(thread, "reject the invoice one")
        assert reply.text.startswith("Rejected: ")
        assert (await stored(sessions, invoices)).status == WorkflowStatus.draft
        reply = await assistant.send(thread, "pause it")  # the rejected invoices: skipped
        assert reply.text == f"{(await stored(sessions, second)).name} is now paused."


async def test_a_rejected_draft_comes_back_only_when_asked_for_by_name(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    owner = await member(sessions, workspace, Role.owner)
    thread = uuid.uuid4().hex
    async with open_assistant(settings, workspace.id, owner.id) as assistant:
        rejected = await submit(assistant, thread, EMAILED)
        await assistant.send(thread, "reject")
        name = (await stored(sessions, rejected)).name

        reply = await assistant.send(thread, "approve the weekly report")
        assert "was rejected" in reply.text and reply.approval is None
        assert reply.suggestions == [f"Bring back the rejected {name}"]
        assert len(await versions(sessions, rejected)) == 1

        reply = await assistant.send(thread, "1")  # picks the offered suggestion
        assert f"{name} was rejected; I'm reopening it" in reply.text
        assert reply.draft is not None and reply.approval is None
        reply = await assistant.send(thread, "looks good")
        assert reply.approval is not None and reply.approval.workflow_id == rejected
        assert [v[:2] for v in await versions(sessions, rejected)] == [
            (1, "rejected"),
            (2, "pending"),
        ]
        await assistant.send(thread, "reject")
        reply = await assistant.send(thread, "approve the rejected weekly report")
        assert f"{name} was rejected; I'm reopening it" in reply.text
        assert reply.approval is not None and reply.approval.workflow_id == rejected
        assert [v[:2] for v in await versions(sessions, rejected)][-1] == (3, "pending")

        # A discarded draft, likewise: "it" skips it, its name with "discarded" brings it back.
        await assistant.send(thread, INVOICES)
        assert (await assistant.send(thread, "discard it")).text.startswith("Discarded")
        reply = await assistant.send(thread, "show it")
        assert "invoice" not in reply.text.lower()
        reply = await assistant.send(thread, "bring back the discarded invoice summary")
        assert "was discarded; I'm reopening it" in reply.text and reply.draft is not None
        assert "invoice summary" in reply.draft["name"]


async def test_an_ambiguous_name_asks_once_with_choices_and_the_answer_sticks(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    owner = await member(sessions, workspace, Role.owner)
    async with open_assistant(settings, workspace.id, owner.id) as assistant:
        registry = assistant.runtime.registry
        sales = await activate(
            sessions, workspace, weekly("Weekly report: sales", "#sales"), registry
        )
        ops = await activate(sessions, workspace, weekly("Weekly report: ops", "#ops"), registry)
        thread = uuid.uuid4().hex
        reply = await assistant.send(thread, "pause the weekly report")
        assert reply.text == "Which one do you mean?"
        assert sorted(reply.suggestions or []) == [ops.name, sales.name]
        assert (await stored(sessions, ops.id)).status == WorkflowStatus.active  # nothing done yet
        pick = (reply.suggestions or []).index(ops.name) + 1
        reply = await assistant.send(thread, str(pick))
        assert reply.text == f"{ops.name} is now paused."
        assert (await stored(sessions, sales.id)).status == WorkflowStatus.active
        reply = await assistant.send(thread, "resume that one")
        assert reply.text == f"{ops.name} is now active."

        # Mentioned in this conversation: the same phrase needs no question any more.
        reply = await assistant.send(thread, "pause the weekly report")
        assert reply.text == f"{ops.name} is now paused."

        # Answering with the words of one option works too.
        other = uuid.uuid4().hex
        reply = await assistant.send(other, "show me the weekly report")
        assert reply.text == "Which one do you mean?"
        reply = await assistant.send(other, "the sales one")
        assert reply.text.startswith(f"{sales.name} (active)")
        assert "every Monday at 09:00 (UTC)" in reply.text and reply.shown is not None
        async with sessions() as session:
            shown = await session.get(Approval, reply.shown)
        assert shown is not None and shown.workflow_id == sales.id
        assert shown.decision == Decision.approved

        reply = await assistant.send(other, "run the invoice one now")
        assert "can't find a workflow called “invoice”" in reply.text
