"""Seed a workspace with a little of all it owns: runs, steps, events, messages, charts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.export import archive_path
from accounts.keys import create_key
from integrations.charts import chart_id_for, save_chart
from storage.config import Settings
from storage.models import (
    AlertState,
    Approval,
    ApprovalLink,
    AuditLog,
    Connection,
    Credential,
    CrmContact,
    ExportJob,
    FeedItemSeen,
    Member,
    OutboxMessage,
    PageSnapshot,
    ReferralEvent,
    ReferralLink,
    Role,
    Run,
    RunEvent,
    RunStatus,
    SlackInstallation,
    StepRun,
    StepStatus,
    Subscription,
    SupportTicket,
    UsageCount,
    WebInvite,
    WebLogin,
    WebSession,
    Workflow,
    WorkflowVersion,
    Workspace,
)
from storage.types import new_id, utcnow

Sessions = async_sessionmaker[AsyncSession]
PNG = b"\x89PNG\r\n\x1a\nnot really a chart"


@dataclass
class Seeded:
    """What was seeded for one workspace."""

    workflow_id: str
    run_ids: list[str] = field(default_factory=list)
    chart_ids: list[str] = field(default_factory=list)
    export_ids: list[str] = field(default_factory=list)


async def seed_runs(
    settings: Settings,
    sessions: Sessions,
    ws: Workspace,
    *,
    runs: int = 3,
    status: RunStatus = RunStatus.succeeded,
    messages: int = 2,
    at: datetime | None = None,
) -> Seeded:
    """A workflow with `runs` runs (two steps, three events, a chart each) and messages."""
    async with sessions() as session:
        wf = Workflow(workspace_id=ws.id, name=f"{ws.slug} report", webhook_secret="s")
        session.add(wf)
        await session.flush()
        version = WorkflowVersion(
            workspace_id=ws.id, workflow_id=wf.id, version=1, spec={}, approval_class="A"
        )
        session.add(version)
        await session.flush()
        seeded = Seeded(wf.id)
        for _ in range(runs):
            run = Run(
                workspace_id=ws.id,
                workflow_id=wf.id,
                version_id=version.id,
                status=status,
                trigger_type="manual",
                created_at=at or utcnow(),
            )
            session.add(run)
            await session.flush()
            chart = chart_id_for(settings, f"{run.id}:report")
            save_chart(settings, chart, PNG)
            seeded.chart_ids.append(chart)
            seeded.run_ids.append(run.id)
            for position, output in enumerate(({"chart_id": chart}, {"text": "sent"})):
                session.add(
                    StepRun(
                        workspace_id=ws.id,
                        run_id=run.id,
                        step_id=f"s{position}",
                        position=position,
                        action="report.build",
                        status=StepStatus.succeeded,
                        inputs={"to": "lead@example.com"},
                        output=output,
                        idempotency_key=f"{run.id}:s{position}",
                    )
                )
            for kind in ("started", "step", "finished"):
                session.add(RunEvent(workspace_id=ws.id, run_id=run.id, kind=kind))
            await session.flush()
        for n in range(messages):
            session.add(
                OutboxMessage(
                    workspace_id=ws.id,
                    channel="email",
                    target=f"lead{n}@example.com",
                    body="hi",
                    created_at=at or utcnow(),
                )
            )
        await session.commit()
    return seeded


async def count_rows(sessions: Sessions, model: type, workspace_id: str) -> int:
    """How many rows of `model` the workspace has."""
    async with sessions() as session:
        column = model.workspace_id  # type: ignore[attr-defined]
        query = select(func.count()).select_from(model).where(column == workspace_id)
        return int((await session.exec(query)).one())


async def seed_every_table(settings: Settings, sessions: Sessions, ws: Workspace) -> Seeded:
    """At least one row in every tenant table (`TENANT_TABLES`), runs with charts included."""
    seeded = await seed_runs(settings, sessions, ws, runs=2)
    export_id = new_id()
    async with sessions() as session:
        member = Member(workspace_id=ws.id, name="Sam", role=Role.owner, email=f"sam@{ws.slug}.io")
        session.add(member)
        await session.flush()
        _plain, _key = await create_key(session, ws, Role.admin, member=member)
        version = (
            await session.exec(
                select(WorkflowVersion).where(WorkflowVersion.workflow_id == seeded.workflow_id)
            )
        ).one()
        approval = Approval(
            workspace_id=ws.id,
            workflow_id=seeded.workflow_id,
            version_id=version.id,
            approval_class="C",
        )
        session.add(approval)
        await session.flush()
        later = utcnow() + timedelta(days=1)
        login = WebLogin(
            workspace_id=ws.id, member_id=member.id, email=f"sam@{ws.slug}.io", password_hash="x"
        )
        session.add(login)
        await session.flush()
        session.add_all(
            [
                ApprovalLink(
                    workspace_id=ws.id,
                    approval_id=approval.id,
                    member_id=member.id,
                    token_hash=new_id(),
                    expires_at=later,
                ),
                AuditLog(workspace_id=ws.id, actor="Sam", action="workflow.approved"),
                Credential(workspace_id=ws.id, integration="smtp", name="password", ciphertext="c"),
                CrmContact(workspace_id=ws.id, email=f"lead@{ws.slug}.io", name="Lee"),
                FeedItemSeen(workspace_id=ws.id, workflow_id=seeded.workflow_id, item_key="i"),
                PageSnapshot(
                    workspace_id=ws.id,
                    workflow_id=seeded.workflow_id,
                    url="https://competitor.example/pricing",
                    digest="d",
                    text="Pro plan $49",
                ),
                AlertState(
                    workspace_id=ws.id,
                    workflow_id=seeded.workflow_id,
                    key="k",
                    last_value=1.0,
                    updated_by="u",
                ),
                SlackInstallation(workspace_id=ws.id, team_id=f"T{ws.slug}"),
                WebSession(
                    token_hash=new_id(),
                    workspace_id=ws.id,
                    login_id=login.id,
                    csrf_token="t",
                    expires_at=later,
                ),
                WebInvite(
                    workspace_id=ws.id,
                    email=f"new@{ws.slug}.io",
                    role=Role.viewer,
                    token_hash=new_id(),
                    expires_at=later,
                ),
                SupportTicket(
                    workspace_id=ws.id, member_id=member.id, subject="Help", body="Please"
                ),
                ReferralLink(code=f"ref-{ws.slug}", workspace_id=ws.id),
                ReferralEvent(workspace_id=ws.id, kind="click"),
                Connection(workspace_id=ws.id, integration="hubspot", config={}),
                Subscription(workspace_id=ws.id, plan="growth", status="active"),
                UsageCount(workspace_id=ws.id, metric="ai_draft", count=1),
                ExportJob(
                    id=export_id,
                    workspace_id=ws.id,
                    status="done",
                    expires_at=utcnow() + timedelta(days=60),
                ),
            ]
        )
        await session.commit()
    path = archive_path(settings, export_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip
    seeded.export_ids.append(export_id)
    return seeded
