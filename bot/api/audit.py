"""The audit log: who did what, when (owners and admins), as JSON or CSV."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response
from pydantic import BaseModel

from accounts import audit
from bot.api.deps import PrincipalDep, TenantDep
from bot.api.responses import AUTHENTICATED
from storage.models import Role

router = APIRouter(prefix="/api/audit", tags=["audit"], responses=AUTHENTICATED)
READERS = (Role.owner, Role.admin)


class EntryOut(BaseModel):
    """One audit record: `what` is the action in plain words."""

    id: int
    at: datetime
    actor: str
    action: str
    what: str
    subject: str | None
    detail: dict[str, Any]


class AuditOut(BaseModel):
    """A page of entries, newest first; pass `next_before` as `before` for the next page."""

    entries: list[EntryOut]
    next_before: int | None


@router.get("", response_model=AuditOut)
async def read(
    principal: PrincipalDep,
    tenant: TenantDep,
    before: int | None = None,
    action: str | None = Query(default=None, max_length=64),
    limit: int = Query(default=audit.PAGE, ge=1, le=1000),
    format: Literal["json", "csv"] = "json",
) -> Any:
    """The workspace's audit log (owners and admins); `format=csv` downloads it as CSV."""
    if principal.member.role not in READERS:
        raise HTTPException(403, "only owners and admins can read the audit log")
    rows = await audit.entries(tenant, before=before, action=action, limit=limit)
    if format == "csv":
        return Response(
            audit.as_csv(rows),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="levqor-audit.csv"'},
        )
    return AuditOut(
        entries=[EntryOut(**asdict(e)) for e in rows],
        next_before=rows[-1].id if len(rows) == limit else None,
    )
