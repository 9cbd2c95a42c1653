"""Seed a workspace with a little of all it owns: runs, steps, events, messages, charts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.charts import chart_id_for, save_chart
from storage.config import Settings
from storage.models import (
    OutboxMessage,
    Run,
    RunEvent,
    RunStatus,
    StepRun,
    StepStatus,
    Workflow,
    WorkflowVersion,
    Workspace,
)
from storage.types import utcnow

Sessions = async_sessionmaker[AsyncSession]
PNG = b"\x89PNG\r\n\x1a\nnot really a chart"


@dataclass
class Seeded:
    """What was seeded for one workspace."""

    workflow_id: str
    run_ids: list[str] = field(default_factory=list)
    chart_ids: list[str] = field(default_factory=list)


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
