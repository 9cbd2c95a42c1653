"""The webhook hub: `POST /hooks/{workflow_id}/{secret}` starts a run of an active workflow."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.compare import same_secret
from storage.json_limits import TooDeep, loads_checked
from storage.models import Workflow, WorkflowStatus
from storage.scope import Tenant
from workflows.errors import (
    BadRequest,
    Conflict,
    InvalidPayload,
    NotFound,
    TooLarge,
    Unauthorized,
)
from workflows.runs import StartedRun, start_run
from workflows.service import active_version
from workflows.spec import WebhookTrigger
from workflows.versions import spec_of


def sign(secret: str, body: bytes) -> str:
    """The signature header value a sender computes: `sha256=<hex HMAC of the body>`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def receive(
    session: AsyncSession,
    workflow_id: str,
    secret: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    max_bytes: int,
) -> StartedRun:
    """Check secret, size and signature, parse the payload and record a run (deduped)."""
    if len(body) > max_bytes:
        raise TooLarge(f"payload is {len(body)} bytes; the limit is {max_bytes}")
    workflow = await session.get(Workflow, workflow_id)
    if workflow is None or not same_secret(workflow.webhook_secret, secret):
        raise NotFound("no webhook at this address")
    if workflow.status != WorkflowStatus.active:
        raise Conflict(f"workflow is {workflow.status.value}; it accepts deliveries when active")
    tenant = Tenant(session, workflow.workspace_id)
    version = await active_version(tenant, workflow)
    trigger = spec_of(version).trigger
    if not isinstance(trigger, WebhookTrigger):
        raise Conflict(f"workflow is triggered by {trigger.type}, not by webhook")
    if trigger.signature_header:
        given = headers.get(trigger.signature_header.lower(), "")
        if not same_secret(given, sign(workflow.webhook_secret, body)):
            raise Unauthorized(f"missing or wrong {trigger.signature_header} signature")
    payload = parse_payload(body, headers.get("content-type", ""))
    key = headers.get("idempotency-key") or None
    if key and len(key) > 200:
        raise BadRequest("Idempotency-Key must be at most 200 characters")
    return await start_run(
        tenant,
        workflow,
        trigger_type="webhook",
        payload=payload,
        idempotency_key=key,
        version=version,
    )


def parse_payload(body: bytes, content_type: str) -> dict[str, Any]:
    """JSON object or form fields into a dict; anything else is a clear 400."""
    if not body.strip():
        return {}
    if "application/x-www-form-urlencoded" in content_type:
        return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    try:
        data = loads_checked(body)
    except TooDeep as exc:
        raise InvalidPayload(f"payload rejected: {exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest(f"payload is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BadRequest("payload must be a JSON object")
    return data
