"""report.build over real Run/Workflow/CrmContact rows."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.base import ActionContext, Risk
from integrations.report import ACTIONS
from storage.config import Settings
from storage.models import CrmContact, Run, RunStatus, Workflow, WorkflowVersion, Workspace
from storage.types import utcnow

BUILD = ACTIONS[0]


def _ctx(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], ws: Workspace
) -> ActionContext:
    return ActionContext(
        settings=settings, sessions=sessions, http=httpx.AsyncClient(), workspace_id=ws.id,
        workflow_id="wf", run_id="run", step_id="report", idempotency_key="run:report",
    )  # fmt: skip


async def _seed(sessions: async_sessionmaker[AsyncSession], ws: Workspace) -> dict[str, str]:
    now = utcnow()
    async with sessions() as session:
        ids: dict[str, str] = {}
        for name in ("Lead intake", "Invoice chaser"):
            wf = Workflow(workspace_id=ws.id, name=name, webhook_secret="s")
            session.add(wf)
            await session.flush()
            version = WorkflowVersion(workspace_id=ws.id, workflow_id=wf.id, version=1,
                                      approval_class="A")  # fmt: skip
            session.add(version)
            await session.flush()
            ids[name] = wf.id
            ids[name + ":v"] = version.id

        def run(name: str, status: RunStatus, ago: timedelta, error: str | None = None,
                dry_run: bool = False) -> Run:  # fmt: skip
            return Run(workspace_id=ws.id, workflow_id=ids[name], version_id=ids[name + ":v"],
                       status=status, trigger_type="schedule", error=error, dry_run=dry_run,
                       created_at=now - ago)  # fmt: skip

        hour = timedelta(hours=1)
        session.add_all([
            run("Lead intake", RunStatus.succeeded, hour),
            run("Lead intake", RunStatus.succeeded, 2 * hour),
            run("Lead intake", RunStatus.succeeded, 3 * hour),
            run("Lead intake", RunStatus.failed, 5 * hour, "SMTP server refused (550)"),
            run("Invoice chaser", RunStatus.failed, 4 * hour, "Stripe timed out"),
            run("Invoice chaser", RunStatus.failed, 2 * hour, "Stripe answered 503"),
            run("Invoice chaser", RunStatus.running, hour),
            run("Invoice chaser", RunStatus.failed, hour, "dry", dry_run=True),
            run("Lead intake", RunStatus.failed, timedelta(days=10), "too old"),
        ])  # fmt: skip
        for email, source, ago in (
            ("a@x.org", "webform", hour),
            ("b@x.org", "webform", hour),
            ("c@x.org", None, hour),
            ("d@x.org", "ads", timedelta(days=9)),
        ):
            session.add(CrmContact(workspace_id=ws.id, email=email, source=source,
                                   created_at=now - ago))  # fmt: skip
        await session.commit()
    return ids


async def test_weekly_figures_and_text(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    ids = await _seed(sessions, workspace)
    assert BUILD.risk == Risk.read
    out = await BUILD.run(_ctx(settings, sessions, workspace), {"period": "7 days"})
    f = out.figures
    assert (f["runs_total"], f["succeeded"], f["failed"]) == (7, 3, 3)
    assert f["success_rate"] == 50.0
    assert f["runs_per_workflow"] == {"Lead intake": 4, "Invoice chaser": 3}
    top = f["top_failing"]
    assert [(t["name"], t["failures"]) for t in top] == [("Invoice chaser", 2), ("Lead intake", 1)]
    assert (
        top[0]["last_error"] == "Stripe answered 503"
        and top[0]["workflow_id"] == ids["Invoice chaser"]
    )
    assert f["new_contacts"] == 3 and f["new_contacts_by_source"] == {"webform": 2, "unknown": 1}
    assert out.title == "Acme report, last 7 days"
    assert out.period_end - out.period_start == timedelta(days=7)
    assert "7 runs, 3 succeeded, 3 failed (50.0% success)" in out.text
    assert "Invoice chaser failed 2x; last error: Stripe answered 503" in out.text
    assert "3 new CRM contacts (2 from webform, 1 from unknown)" in out.text


async def test_one_workflow_and_an_empty_period(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    ids = await _seed(sessions, workspace)
    ctx = _ctx(settings, sessions, workspace)
    one = await BUILD.run(ctx, {"workflow_id": ids["Lead intake"], "title": "Leads"})
    assert one.figures["runs_total"] == 4 and one.figures["success_rate"] == 75.0
    quiet = await BUILD.run(ctx, {"period": "30 minutes"})
    assert quiet.figures["runs_total"] == 0 and quiet.figures["success_rate"] is None
    assert "no workflow runs" in quiet.text


async def test_a_deals_report_lists_the_deals_closed_in_the_period_and_nothing_else(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    await _seed(sessions, workspace)
    now = utcnow()
    async with sessions() as session:
        session.add_all([
            CrmContact(workspace_id=workspace.id, email="ann@acme.io", company="Acme",
                       stage="won", fields={"amount": "1,200"}, updated_at=now - timedelta(days=1)),
            CrmContact(workspace_id=workspace.id, email="bo@globex.io", name="Bo",
                       stage="closed_won", fields={"amount": 300}, updated_at=now),
            CrmContact(workspace_id=workspace.id, email="old@x.io", company="Old",
                       stage="won", updated_at=now - timedelta(days=20)),
            CrmContact(workspace_id=workspace.id, email="open@x.io", company="Open",
                       stage="lead", updated_at=now),
        ])  # fmt: skip
        await session.commit()
    ctx = _ctx(settings, sessions, workspace)
    out = await BUILD.run(ctx, {"period": "7 days", "include": ["deals"], "title": "Deals"})
    assert out.figures["deals_closed"] == 2 and out.figures["deals_value"] == 1500.0
    assert {d["name"] for d in out.figures["deals"]} == {"Acme", "Bo"}
    assert "2 deals closed, worth 1,500.00 in all" in out.text
    assert "run" not in out.text.lower() and "CRM contact" not in out.text
    default = await BUILD.run(ctx, {"period": "7 days"})
    assert "deals_closed" not in default.figures and "deal" not in default.text


async def test_a_report_refuses_sections_it_does_not_know(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    ctx = _ctx(settings, sessions, workspace)
    for include in (["weather"], []):
        with pytest.raises(ValidationError, match="include must list some of runs, contacts"):
            await BUILD.run(ctx, {"period": "7 days", "include": include})


async def test_a_new_deals_report_lists_deals_opened_in_the_period_not_closed_ones(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    now = utcnow()
    async with sessions() as session:
        session.add_all([
            CrmContact(workspace_id=workspace.id, email="new@acme.io", company="Acme",
                       stage="opportunity", fields={"amount": "2,000"},
                       updated_at=now - timedelta(days=3)),
            CrmContact(workspace_id=workspace.id, email="pro@globex.io", name="Globex",
                       stage="proposal", updated_at=now - timedelta(days=10)),
            CrmContact(workspace_id=workspace.id, email="won@x.io", company="Won",
                       stage="won", fields={"amount": 900}, updated_at=now),
            CrmContact(workspace_id=workspace.id, email="old@x.io", company="Old",
                       stage="opportunity", updated_at=now - timedelta(days=30)),
        ])  # fmt: skip
        await session.commit()
    ctx = _ctx(settings, sessions, workspace)
    out = await BUILD.run(ctx, {"period": "14 days", "include": ["new_deals"], "title": "New"})
    assert out.figures["new_deals"] == 2 and out.figures["new_deals_value"] == 2000.0
    assert [d["name"] for d in out.figures["new_deal_list"]] == ["Acme", "Globex"]
    assert out.text == "New:\n2 new deals, worth 2,000.00 in all: Acme (2,000.00), Globex."
    assert "deals_closed" not in out.figures
    week = await BUILD.run(ctx, {"period": "7 days", "include": ["new_deals"], "title": "New"})
    assert week.figures["new_deals"] == 1
