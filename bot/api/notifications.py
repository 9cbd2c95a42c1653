"""Notifications for scripts: what the web page's bell shows the key's member."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from bot.api.deps import PrincipalDep, TenantDep
from bot.api.responses import AUTHENTICATED
from workflows.notifications import Notice, notices_for

router = APIRouter(tags=["notifications"], responses=AUTHENTICATED)


class NoticeOut(BaseModel):
    """One notification."""

    kind: str = Field(description="approval, failure, connection or recovery")
    title: str
    detail: str
    link: str = Field(description="the web page that deals with it (path on this server)")
    at: datetime
    needs_action: bool

    @classmethod
    def of(cls, notice: Notice) -> NoticeOut:
        """From a notice."""
        return cls(
            kind=notice.kind,
            title=notice.title,
            detail=notice.detail,
            link=notice.link,
            at=notice.at,
            needs_action=notice.needs_action,
        )


@router.get("/api/notifications")
async def list_notifications(tenant: TenantDep, principal: PrincipalDep) -> list[NoticeOut]:
    """Waiting approvals this member may decide, failing workflows, connection problems."""
    return [NoticeOut.of(n) for n in await notices_for(tenant, principal.member)]
