"""Inbound routes: a provider's parsed email, and Stripe events → 202 with the runs started."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile
from starlette.types import Message

from accounts.keys import Principal
from accounts.workspaces import get_by_slug
from bot.api.closed import refuse_if_closed
from bot.api.deps import PrincipalDep, RuntimeDep, SessionDep
from bot.api.responses import AUTHENTICATED
from storage.compare import same_secret
from storage.json_limits import TooDeep, loads_checked
from storage.models import Role, Workspace
from storage.scope import Tenant
from workflows.errors import BadRequest, Forbidden, InvalidPayload, NotFound, TooLarge
from workflows.runtime import Runtime
from workflows.triggers import email, stripe
from workflows.triggers.dispatch import Dispatched
from workflows.triggers.inbound_signature import verify_inbound

router = APIRouter(tags=["inbound"], responses=AUTHENTICATED)


class InboundAccepted(BaseModel):
    """What a delivery did: runs started, runs an earlier delivery started, why nothing ran."""

    run_ids: list[str] = Field(description="runs this delivery started")
    duplicate_run_ids: list[str] = Field(default_factory=list)
    skipped: str | None = Field(default=None, description="why no run was started")


@router.post("/inbound/email/{workspace_slug}/{secret}", status_code=status.HTTP_202_ACCEPTED)
async def inbound_email(
    workspace_slug: str, secret: str, request: Request, runtime: RuntimeDep, session: SessionDep
) -> InboundAccepted:
    """A provider's parsed mail (JSON, or Mailgun/SendGrid form fields) for one workspace."""
    limit = runtime.settings.inbound_max_bytes
    _check_declared_size(request, limit)
    workspace = await get_by_slug(session, workspace_slug)
    expected = email.webhook_secret(runtime.settings, workspace) if workspace else ""
    if workspace is None or not same_secret(secret, expected):
        raise NotFound("no inbound email address here")
    await refuse_if_closed(session, workspace.id, "inbound email")
    body = await _read_body(request, limit)
    fields = await _fields(request, body, limit)
    if not runtime.settings.inbound_allow_unsigned:
        verify_inbound(expected, body, request.headers, fields)
    await session.commit()  # pins a secret first derived now (rows from before it was stored)
    mail = email.parse_fields(fields)
    dispatched = await email.receive(Tenant(session, workspace.id), runtime.settings, mail)
    return _accepted(runtime, dispatched)


class InboundAddress(BaseModel):
    """Where a mail provider posts parsed mail for this workspace, and the signing secret."""

    webhook_url: str
    secret: str = Field(description="keys the delivery signatures (see docs/security.md)")


@router.get("/api/inbound/email")
async def inbound_address(
    principal: PrincipalDep, runtime: RuntimeDep, session: SessionDep
) -> InboundAddress:
    """The workspace's inbound-email webhook URL and signing secret (owners and admins)."""
    _require_admin(principal)
    workspace = principal.workspace
    url = email.webhook_url(runtime.settings, workspace)
    session.add(workspace)
    await session.commit()
    return InboundAddress(webhook_url=url, secret=email.webhook_secret(runtime.settings, workspace))


@router.post("/api/inbound/email/secret")
async def regenerate_inbound_secret(
    principal: PrincipalDep, runtime: RuntimeDep, session: SessionDep
) -> InboundAddress:
    """A new inbound secret: the old webhook URL and signatures stop working at once."""
    _require_admin(principal)
    workspace = principal.workspace
    secret = email.regenerate_webhook_secret(workspace)
    session.add(workspace)
    await session.commit()
    return InboundAddress(webhook_url=email.webhook_url(runtime.settings, workspace), secret=secret)


def _require_admin(principal: Principal) -> None:
    if principal.member.role not in (Role.owner, Role.admin):
        raise Forbidden("only an owner or admin can see or change the inbound-email secret")


@router.post("/hooks/stripe/{workspace_slug}", status_code=status.HTTP_202_ACCEPTED)
async def stripe_event(
    workspace_slug: str, request: Request, runtime: RuntimeDep, session: SessionDep
) -> InboundAccepted:
    """A Stripe event, verified by `Stripe-Signature`; 400 (nothing processed) when it fails."""
    limit = runtime.settings.inbound_max_bytes
    _check_declared_size(request, limit)
    body = await _read_body(request, limit)
    signature = request.headers.get("stripe-signature")
    workspace: Workspace | None = await get_by_slug(session, workspace_slug)
    if workspace is None:
        raise NotFound(f"no workspace {workspace_slug!r}")
    secret = await stripe.signing_secret(session, workspace.id, runtime.settings)
    event = stripe.verify_event(body, signature, secret)
    await refuse_if_closed(session, workspace.id, "Stripe event")
    dispatched = await stripe.receive(Tenant(session, workspace.id), event)
    return _accepted(runtime, dispatched)


def _accepted(runtime: Runtime, dispatched: Dispatched) -> InboundAccepted:
    for run_id in dispatched.new_run_ids:
        runtime.submit(run_id)
    return InboundAccepted(
        run_ids=dispatched.new_run_ids,
        duplicate_run_ids=dispatched.duplicate_run_ids,
        skipped=dispatched.reason(),
    )


def _check_declared_size(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"payload is {declared} bytes; the limit is {limit}")


async def _read_body(request: Request, limit: int) -> bytes:
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise TooLarge(f"payload is over the {limit}-byte limit (LEVQOR_INBOUND_MAX_BYTES)")
    return bytes(body)


async def _fields(request: Request, body: bytes, limit: int) -> dict[str, Any]:
    """JSON object or form fields (attachments are dropped) from an already-read body."""
    content_type = request.headers.get("content-type", "")
    if "form" not in content_type:
        try:
            data = loads_checked(body or b"{}")
        except TooDeep as exc:
            raise InvalidPayload(f"payload rejected: {exc}") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BadRequest(f"payload is not valid JSON or form data: {exc}") from None
        if not isinstance(data, dict):
            raise BadRequest("payload must be a JSON object")
        return data

    async def replay() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async with Request(request.scope, replay).form(max_part_size=limit) as form:
        return {k: v for k, v in form.items() if not isinstance(v, UploadFile)}
