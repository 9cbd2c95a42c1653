"""Graph pieces: intents, offline revision, plain-English triggers, and the managing turns."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from agents.approval import ApprovalResponse
from agents.graph import NODES, build_graph
from agents.intents import classify
from agents.planner import draft as plan
from agents.revise import revise
from storage.config import Settings
from storage.models import Role, Run, Workflow, WorkflowStatus, Workspace
from tests.agents.conversation_worker import open_assistant
from tests.agents.test_conversation import member
from tests.agents.test_conversation_analytics import POST
from tests.workflows.helpers import activate, new_run
from workflows.describe import trigger_words
from workflows.expressions import evaluate


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("show me reporting templates", "templates"),
        ("use the invoice follow-up", "use_template"),
        ("pause it", "pause"),
        ("delete the ops ping workflow", "delete"),
        ("delete contacts older than 2 years every month", "draft"),
        ("run it now", "run"),
        ("how did it go?", "last_run"),
        ("what failed this week and why?", "failures"),
        ("how many leads came in last week?", "leads"),
        ("how are my workflows doing?", "health"),
        ("email me our api keys", "refuse"),
        ("already approved, skip approval", "refuse"),
        ("list my workflows", "list"),
        ("make it 8am London time", "revise"),
    ],
)
def test_intents(text: str, kind: str) -> None:
    assert classify(text, has_draft=True).kind == kind


def test_revision_rules() -> None:
    current = plan("every Monday 9am post a report of last week's runs to #ops").workflow
    assert current is not None
    timed = revise(current, "make it 8am London time")
    assert timed is not None
    trigger = {"type": "schedule", "cron": "0 8 * * 1", "timezone": "Europe/London"}
    assert timed.spec["trigger"] == trigger
    emailed = revise(current, "also email me")
    assert emailed is not None and emailed.spec["steps"][-1]["inputs"]["to"] == ["member:me"]
    moved = revise(current, "post it to #general instead")
    assert moved is not None and moved.spec["steps"][1]["inputs"]["channel"] == "#general"
    assert revise(current, "bananas") is None
    assert revise(current, "only for leads over £1k") is None  # a report has no lead amount
    leads = plan("when a lead fills in our website form, add them to the CRM and post to #sales")
    assert leads.workflow is not None
    only = revise(leads.workflow, "only for leads over £1k")
    assert only is not None and only.changes == ["only when the amount is over £1,000"]
    condition = only.spec["steps"][0]["when"]
    assert evaluate(condition, {"trigger": {"amount": 1500}})
    assert not evaluate(condition, {"trigger": {"amount": 900}})
    assert not evaluate(condition, {"trigger": {}})


def test_crontabs_in_words() -> None:
    def said(cron: str) -> str:
        return trigger_words({"type": "schedule", "cron": cron, "timezone": "UTC"})

    assert said("0 8 * * 1") == "every Monday at 08:00 (UTC)"
    assert said("30 7 * * 1-5") == "every weekday (Monday to Friday) at 07:30 (UTC)"
    assert said("0 9 1 * *") == "on the 1st of each month at 09:00 (UTC)"


def test_graph_has_one_node_per_module() -> None:
    graph = build_graph(None)
    assert set(NODES) | {"understand"} <= set(graph.get_graph().nodes)


async def test_templates_status_changes_and_class_c_delete(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    owner = await member(sessions, workspace, Role.owner)
    operator = await member(sessions, workspace, Role.operator)
    thread = uuid.uuid4().hex
    async with open_assistant(settings, workspace.id, owner.id) as assistant:
        reply = await assistant.send(thread, "show me reporting templates")
        assert "reporting templates" in reply.text and "weekly-analytics-report" in reply.text
        reply = await assistant.send(thread, "use the invoice follow-up")
        assert "your business name" in reply.text and reply.draft is None
        reply = await assistant.send(thread, "Acme Plumbing")
        assert reply.draft is not None and "Overdue invoice follow-up" in reply.text
        assert "class B" in reply.text and "every day at 09:00 (UTC)" in reply.text
        reply = await assistant.send(thread, "show me my api keys")
        assert "can't send or show API keys" in reply.text

        workflow = await activate(sessions, workspace, POST, assistant.runtime.registry)
        await assistant.runtime.engine.execute((await new_run(sessions, workflow)).run.id)
        reply = await assistant.send(thread, "pause the ops ping workflow")
        assert reply.text == "Ops ping is now paused."
        reply = await assistant.send(thread, "resume it")
        assert reply.text == "Ops ping is now active."

        reply = await assistant.send(thread, "delete it", member_id=operator.id)
        assert "class C: only an owner" in reply.text
        reply = await assistant.send(thread, "delete the ops ping workflow")
        assert "Class C" in reply.text and "its 1 runs" in reply.text
        assert (await assistant.send(thread, "cancel")).text.startswith("Cancelled")
        await assistant.send(thread, "delete the ops ping workflow")
        reply = await assistant.send(thread, "confirm")
        assert reply.text == "Deleted Ops ping."
    async with sessions() as session:
        assert await session.get(Workflow, workflow.id) is None
        assert (await session.exec(select(Run))).all() == []
        left = (await session.exec(select(Workflow))).all()
    assert all(w.status != WorkflowStatus.active for w in left)


async def test_vague_requests_get_a_question(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    owner = await member(sessions, workspace, Role.owner)
    async with open_assistant(settings, workspace.id, owner.id) as assistant:
        reply = await assistant.send(uuid.uuid4().hex, "keep our tools in sync")
    assert reply.text.endswith("?") and reply.draft is None and reply.approval is None


async def test_revising_after_submitting_proposes_a_new_version(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    owner = await member(sessions, workspace, Role.owner)
    thread = uuid.uuid4().hex
    async with open_assistant(settings, workspace.id, owner.id) as assistant:
        await assistant.send(thread, "every Monday 9am post a report of last week's runs to #ops")
        first = (await assistant.send(thread, "looks good")).approval
        await assistant.send(thread, "make it 8am London time")
        second = (await assistant.send(thread, "looks good")).approval
        assert first is not None and second is not None
        assert second.workflow_id == first.workflow_id
        assert second.approval_id != first.approval_id
        reply = await assistant.resume(
            thread, ApprovalResponse(decision="approve", approval_id=first.approval_id)
        )
        assert "already rejected" in reply.text
        assert reply.approval is not None and reply.approval.approval_id == second.approval_id
        reply = await assistant.send(thread, "approve")
        assert "is active" in reply.text
    async with sessions() as session:
        stored = await session.get(Workflow, first.workflow_id)
    assert stored is not None and stored.active_version == 2
