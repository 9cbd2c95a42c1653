"""`GET /api/health`: liveness for anyone; with an API key, the workspace's figures and load."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials

from accounts.keys import authenticate
from bot.api.deps import RuntimeDep, SessionDep, bearer
from bot.api.responses import errors
from bot.api.schemas import HealthOut
from bot.throttle.deps import count_request, limiter_of, source_of
from workflows.health import figures

router = APIRouter(tags=["health"], responses=errors(401, 422, 429))


@router.get("/api/health", response_model_exclude_none=True)
async def health(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> HealthOut:
    """`{"status": "ok"}` without a key; with one, your workspace's figures and the load tier."""
    token = credentials.credentials if credentials else ""
    if not token.strip():
        return HealthOut(status="ok")
    limiter = limiter_of(request)
    await limiter.strict("api_key_failure", source_of(request), count=False)
    principal = await authenticate(session, token.strip())
    if principal is None:
        await limiter.strict("api_key_failure", source_of(request))
        raise HTTPException(401, "unknown or revoked API key", {"WWW-Authenticate": "Bearer"})
    await count_request(request, principal.workspace.id, principal.member.id)
    scheduler = runtime.scheduler
    load: dict[str, Any] = limiter.monitor.snapshot()
    return HealthOut(
        status="ok",
        scope="workspace",
        load_tier=str(load["tier"]),
        load=load,
        scheduler={
            "enabled": scheduler is not None,
            "running": bool(scheduler and scheduler.is_running),
            "jobs": len(scheduler.jobs()) if scheduler else 0,
        },
        **await figures(session, principal.workspace.id),
    )
