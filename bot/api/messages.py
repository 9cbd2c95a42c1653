"""Message routes: every Slack/email message with its status in words; send a parked one now."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from bot.api.deps import PrincipalDep, RuntimeDep, TenantDep
from bot.api.responses import AUTHENTICATED, errors
from workflows import messages, service

router = APIRouter(tags=["messages"], responses=AUTHENTICATED)


class MessageOut(BaseModel):
    """One message a run sent, kept or failed to send."""

    id: str
    channel: str = Field(description="slack or email")
    target: str = Field(description="the channel or the email address")
    subject: str | None
    body: str
    status: str = Field(description="sent, parked, failed, sending or unknown")
    status_text: str = Field(description="the status in a sentence")
    reason: str | None
    run_id: str | None
    workflow_id: str | None
    workflow_name: str | None
    created_at: datetime
    can_send_now: bool = Field(description="parked, and its channel is connected now")

    @classmethod
    def of(cls, view: messages.MessageView) -> MessageOut:
        """From the service's view."""
        return cls.model_validate(view, from_attributes=True)


class SendNowOut(BaseModel):
    """What sending a parked message did."""

    message: MessageOut
    said: str


@router.get("/api/messages", responses=errors(400))
async def list_messages(
    tenant: TenantDep,
    runtime: RuntimeDep,
    status: str | None = Query(default=None, description="sent, parked, failed, sending, unknown"),
    run_id: str | None = None,
    limit: int = Query(default=200, ge=1, le=1000),
) -> list[MessageOut]:
    """Slack and email messages, newest first, each with its status in words."""
    views = await messages.list_messages(
        tenant, runtime.settings, status=status, run_id=run_id, limit=limit
    )
    return [MessageOut.of(v) for v in views]


@router.post("/api/messages/{message_id}/send", responses=errors(403, 404, 409))
async def send_now(
    message_id: str, principal: PrincipalDep, tenant: TenantDep, runtime: RuntimeDep
) -> SendNowOut:
    """Send a parked message now that its channel is connected (once, however often asked)."""
    service.require_operator(principal.member, "send messages")
    said = await messages.send_now(
        runtime.sessions, runtime.settings, runtime.http, tenant.workspace_id, message_id
    )
    tenant.session.expire_all()
    [view] = await messages.list_messages(tenant, runtime.settings, message_id=message_id)
    return SendNowOut(message=MessageOut.of(view), said=said)
