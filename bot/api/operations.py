"""For operators and orchestrators: `GET /metrics` (Prometheus), liveness and readiness.

`/api/health/live` answers while the process serves; `/api/health/ready` answers 503 when the
database (or, with workers, the run queue) cannot be reached, so a load balancer stops sending
traffic to a node that cannot record a run. `/metrics` needs `Authorization: Bearer
$LEVQOR_METRICS_TOKEN` when that is set.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, text
from sqlmodel import col, select

from bot.api.deps import RuntimeDep
from storage.models import OutboxMessage, Run, RunStatus
from storage.types import utcnow
from workflows.runtime import Runtime

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])
CHECK_SECONDS = 3.0


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, runtime: RuntimeDep) -> Response:
    """This process's figures in Prometheus' text format (names prefixed `levqor_`)."""
    token = runtime.settings.metrics_token
    if token:
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise HTTPException(401, "a valid metrics token is required")
    figures = runtime.metrics
    figures.set_tier(str(request.app.state.limiter.monitor.snapshot()["tier"]))
    try:
        depth, age, backlog = await asyncio.wait_for(_shared_figures(runtime), CHECK_SECONDS)
        figures.queue_depth.set(depth)
        figures.queue_age_seconds.set(age)
        figures.outbox_backlog.set(backlog)
    except Exception:  # the process's own figures are still worth a scrape
        log.exception("could not read the queue and outbox figures")
    return Response(generate_latest(figures.registry), media_type=CONTENT_TYPE_LATEST)


async def _shared_figures(runtime: Runtime) -> tuple[int, float, int]:
    async with runtime.sessions() as session:
        outbox = select(func.count()).where(col(OutboxMessage.status) == "pending")
        backlog = int((await session.exec(outbox)).one())
        if runtime.queue is not None:
            depth, age = await runtime.queue.depth()
            return depth, age, backlog
        queued = select(func.count(), func.min(Run.created_at)).where(
            col(Run.status) == RunStatus.queued
        )
        count, oldest = (await session.exec(queued)).one()
    age = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
    return int(count), max(0.0, age), backlog


@router.get("/api/health/live")
async def live() -> dict[str, str]:
    """`{"status": "ok"}` while the process answers at all."""
    return {"status": "ok"}


@router.get("/api/health/ready", responses={503: {"description": "Not ready"}})
async def ready(runtime: RuntimeDep) -> JSONResponse:
    """200 when the database (and the run queue, with workers) answers; 503 otherwise."""
    checks: dict[str, Any] = {"database": await _check(_database(runtime))}
    if runtime.queue is not None:
        checks["queue"] = await _check(runtime.queue.depth())
    ok = all(value == "ok" for value in checks.values())
    body = {"status": "ready" if ok else "not ready", "checks": checks}
    return JSONResponse(body, status_code=200 if ok else 503)


async def _database(runtime: Runtime) -> None:
    async with runtime.sessions() as session:
        await session.exec(select(text("1")))


async def _check(call: Any) -> str:
    try:
        await asyncio.wait_for(call, CHECK_SECONDS)
    except Exception as exc:
        log.warning("readiness check failed: %s", exc)
        return "unreachable"
    return "ok"
