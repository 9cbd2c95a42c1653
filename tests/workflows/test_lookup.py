"""`match_workflows`: the one set of rules by which Slack and the assistant find a workflow."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Workflow, WorkflowStatus, Workspace
from storage.scope import Tenant
from tests.workflows.helpers import Recorder, activate
from workflows.lookup import match_workflows


def spec(name: str) -> dict[str, object]:
    """A one-step manual workflow called `name`."""
    return {
        "name": name,
        "trigger": {"type": "manual"},
        "steps": [{"id": "note", "action": "test.note", "inputs": {"text": "hi"}}],
    }


async def names_for(
    sessions: async_sessionmaker[AsyncSession], workspace: Workspace, phrase: str
) -> list[str]:
    """The names `phrase` matches, sorted."""
    async with sessions() as session:
        found = await match_workflows(Tenant(session, workspace.id), phrase)
    return sorted(w.name for w in found)


async def test_each_rule_in_order_and_archived_only_as_a_last_resort(
    sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    registry = Recorder().registry()
    made = {}
    for name in ("Weekly report", "Weekly report to Slack", "Lead capture", "Old lead capture"):
        made[name] = await activate(sessions, workspace, spec(name), registry)
    async with sessions() as session:
        old = await session.get(Workflow, made["Old lead capture"].id)
        assert old is not None
        old.status = WorkflowStatus.archived
        await session.commit()
    weekly = made["Weekly report"]

    assert await names_for(sessions, workspace, weekly.id) == ["Weekly report"]  # 1. id
    # 2. the exact name beats the longer name that also contains it
    assert await names_for(sessions, workspace, "“weekly REPORT”") == ["Weekly report"]
    assert await names_for(sessions, workspace, weekly.id[:6]) == ["Weekly report"]  # 3. prefix
    # 4. inside a name: both weekly ones (ambiguous, the caller asks which)
    assert await names_for(sessions, workspace, "weekly") == [
        "Weekly report",
        "Weekly report to Slack",
    ]
    # 5. most shared words, filler words ignored
    assert await names_for(sessions, workspace, "the slack report workflow") == [
        "Weekly report to Slack"
    ]
    # The archived one only when nothing live matches.
    assert await names_for(sessions, workspace, "lead capture") == ["Lead capture"]
    assert await names_for(sessions, workspace, "old lead") == ["Old lead capture"]
    assert await names_for(sessions, workspace, "invoices") == []
    assert await names_for(sessions, workspace, "  ") == []
    assert await names_for(sessions, workspace, "the workflow") == []


async def test_another_workspaces_workflow_is_never_matched(
    sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    registry = Recorder().registry()
    ours = await activate(sessions, workspace, spec("Weekly report"), registry)
    async with sessions() as session:
        other = Workspace(slug="other", name="Other")
        session.add(other)
        await session.commit()
    async with sessions() as session:
        assert await match_workflows(Tenant(session, other.id), ours.id) == []
        assert await match_workflows(Tenant(session, other.id), "weekly report") == []


def test_the_request_words_find_a_workflow_whose_short_name_lacks_them() -> None:
    from agents.tools.known import Known
    from workflows.lookup import rank_matches

    report = Known("w1", "Weekly leads report", WorkflowStatus.active,
                   about="Every Monday at 9am send me the weekly leads report")  # fmt: skip
    alerts = Known("w2", "Failed payment alerts to #billing", WorkflowStatus.active,
                   about="stripe fails -> #billing")  # fmt: skip
    assert rank_matches([report, alerts], "the monday one") == [report]
    assert rank_matches([report, alerts], "the stripe one") == [alerts]
    # A name match still wins over a request match.
    assert rank_matches([report, alerts], "the billing alerts") == [alerts]
    assert rank_matches([report, alerts], "the tuesday one") == []
