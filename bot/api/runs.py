"""Run routes: list and read with step events; the outbox."""

from __future__ import annotations

from fastapi import APIRouter, Query
from sqlmodel import col

from bot.api.deps import TenantDep
from bot.api.responses import AUTHENTICATED
from bot.api.schemas import EventOut, OutboxOut, RunOut, StepOut
from storage.models import OutboxMessage
from workflows import runs

router = APIRouter(tags=["runs"], responses=AUTHENTICATED)


@router.get("/api/runs")
async def list_runs(
    tenant: TenantDep,
    workflow_id: str | None = None,
    status: str | None = None,
    limit: int = Query(default=50, ge=1, le=500),
) -> list[RunOut]:
    """Runs, newest first."""
    rows = await runs.list_runs(tenant, workflow_id=workflow_id, status=status, limit=limit)
    return [RunOut.of(r) for r in rows]


@router.get("/api/runs/{run_id}")
async def read_run(run_id: str, tenant: TenantDep) -> RunOut:
    """One run with its steps (inputs, outputs, errors, attempts) and its event timeline."""
    run = await runs.get_run(tenant, run_id)
    steps = [StepOut.of(s) for s in await runs.run_steps(tenant, run_id)]
    events = [EventOut.of(e) for e in await runs.run_events(tenant, run_id)]
    return RunOut.of(run, steps=steps, events=events)


@router.get("/api/outbox")
async def outbox(
    tenant: TenantDep,
    status: str | None = None,
    channel: str | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[OutboxOut]:
    """Slack and email messages recorded by the outbox (pending = not sent live)."""
    query = tenant.select(OutboxMessage)
    if status:
        query = query.where(OutboxMessage.status == status)
    if channel:
        query = query.where(OutboxMessage.channel == channel)
    rows = await tenant.all(query.order_by(col(OutboxMessage.created_at).desc()).limit(limit))
    return [OutboxOut.of(r) for r in rows]
