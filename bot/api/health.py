"""`GET /api/health`: is Levqor working, and how are the workflows doing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from accounts.keys import authenticate
from bot.api.deps import RuntimeDep, SessionDep
from workflows.health import figures

router = APIRouter(tags=["health"])


@router.get("/api/health")
async def health(request: Request, runtime: RuntimeDep, session: SessionDep) -> dict[str, Any]:
    """Scheduler state and run figures (for your workspace when you send an API key)."""
    workspace_id = None
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        principal = await authenticate(session, token.strip())
        workspace_id = principal.workspace.id if principal else None
    scheduler = runtime.scheduler
    return {
        "status": "ok",
        "scheduler": {
            "enabled": scheduler is not None,
            "running": bool(scheduler and scheduler.is_running),
            "jobs": len(scheduler.jobs()) if scheduler else 0,
        },
        "scope": "workspace" if workspace_id else "instance",
        **await figures(session, workspace_id),
    }
