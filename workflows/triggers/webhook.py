"""The webhook hub: `POST /hooks/{workflow_id}/{secret}` starts a run of an active workflow."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy import bindparam
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import read_ahead
from storage.compare import same_secret
from storage.json_limits import TooDeep, loads_checked
from storage.models import Run, Subscription, Workflow, WorkflowStatus, Workspace
from storage.scope import Tenant
from workflows.errors import (
    BadRequest,
    Conflict,
    InvalidPayload,
    NotFound,
    TooLarge,
    Unauthorized,
)
from workflows.handover import Handed, Lease
from workflows.runs import RunGate, StartedRun, start_run
from workflows.service import active_version
from workflows.spec import WebhookTrigger, WorkflowSpec
from workflows.versions import known, remember_id, spec_of

log = logging.getLogger(__name__)


SIGNATURE_TOLERANCE_SECONDS = 300


def sign(secret: str, body: bytes, at: int | None = None) -> str:
    """The signature header a sender computes: `t=<unix time>,v1=<hex HMAC of "<t>." + body>`."""
    stamp = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={mac}"


def legacy_sign(secret: str, body: bytes) -> str:
    """The old, untimestamped form `sha256=<hex HMAC of the body>` (replayable; off by default)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(
    header: str, secret: str, body: bytes, name: str, *, allow_legacy: bool = False
) -> None:
    """Raise Unauthorized unless `header` signs `body` with `secret` within five minutes of now."""
    if allow_legacy and header.startswith("sha256="):
        if same_secret(header, legacy_sign(secret, body)):
            log.warning("accepted a legacy untimestamped %s signature", name)
            return
        raise Unauthorized(f"wrong {name} signature")
    fields = [part.strip().partition("=") for part in header.split(",")]
    stamps = [value for key, _, value in fields if key == "t"]
    macs = [value for key, _, value in fields if key == "v1"]
    if len(stamps) != 1 or not stamps[0].isascii() or not stamps[0].isdigit() or not macs:
        raise Unauthorized(f"missing or malformed {name} signature: send t=<unix time>,v1=<hmac>")
    if abs(time.time() - int(stamps[0])) > SIGNATURE_TOLERANCE_SECONDS:
        raise Unauthorized(f"the {name} signature is more than five minutes old or ahead")
    expected = sign(secret, body, int(stamps[0])).partition(",v1=")[2]
    if not any(same_secret(mac, expected) for mac in macs):
        raise Unauthorized(f"wrong {name} signature")


class DeliverySkipped(Exception):
    """An authentic delivery that starts no run (over the plan's quota): acknowledge, record."""

    def __init__(self, workflow: Workflow, reason: str) -> None:
        super().__init__(reason)
        self.workflow = workflow
        self.reason = reason


_HUB = (
    select(Workflow, Workspace, Subscription)
    .join(Workspace, col(Workspace.id) == Workflow.workspace_id)
    .outerjoin(Subscription, col(Subscription.workspace_id) == Workflow.workspace_id)
    .where(col(Workflow.id) == bindparam("workflow_id"))
)


async def hub_rows(
    session: AsyncSession,
    workflow_id: str,
    reads: async_sessionmaker[AsyncSession] | None = None,
) -> tuple[Workflow, Workspace] | None:
    """The workflow a delivery is addressed to and its workspace, read in one statement.

    The session's identity map holds its rows weakly: while the caller keeps both, the front
    door's checks, the plan's admission and `receive` find them there without a query. The
    workspace's own subscription (or its absence) is read with them and noted for the plan's
    admission that follows (`accounts.subscriptions.subscription_of`, once).

    `reads` (`storage.db.read_sessions`, on PostgreSQL in autocommit): the statement is read
    there, outside any transaction, and its rows are put in `session` as loaded. A delivery that
    reads nothing else then opens no transaction of its own before its run's insert: no BEGIN
    and COMMIT around the read, two round trips of the three it cost."""
    if reads is None:
        found = (await session.exec(_HUB, params={"workflow_id": workflow_id})).first()
    else:
        async with reads() as reading:
            found = (await reading.exec(_HUB, params={"workflow_id": workflow_id})).first()
        if found is not None:  # detached with every column loaded: now `session`'s rows
            for row in found:
                if row is not None:
                    session.add(row)
    if found is None:
        return None
    workflow, workspace, subscription = found
    read_ahead.note(session, ("subscription", workspace.id), subscription)
    return workflow, workspace


async def _run_with_key(tenant: Tenant, workflow_id: str, key: str) -> Run | None:
    query = tenant.select(Run).where(Run.workflow_id == workflow_id, Run.idempotency_key == key)
    return await tenant.first(query)


@dataclass
class Delivery:
    """A recorded delivery: its run (new or the earlier one) and how the sender is answered."""

    started: StartedRun
    trigger: WebhookTrigger
    handed: Handed | None = None  # a new run, for this process's engine (no load)


async def receive(
    session: AsyncSession,
    workflow_id: str,
    secret: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    max_bytes: int,
    allow_legacy: bool = False,
    admit: RunGate | None = None,
    lease: Lease | None = None,
) -> Delivery:
    """Check secret, size and signature, parse the payload and record a run (deduped).

    `admit` may refuse a new run (the plan's run quota): `DeliverySkipped` says why. With
    `lease` the new run is inserted claimed by the caller's engine (`workflows.runs.start_run`).
    A new run comes with what its execution needs (`Delivery.handed`), read here already.
    """
    if len(body) > max_bytes:
        raise TooLarge(f"payload is {len(body)} bytes; the limit is {max_bytes}")
    workflow = await session.get(Workflow, workflow_id)
    if workflow is None or not same_secret(workflow.webhook_secret, secret):
        raise NotFound("no webhook at this address")
    if workflow.status != WorkflowStatus.active:
        raise Conflict(f"workflow is {workflow.status.value}; it accepts deliveries when active")
    tenant = Tenant(session, workflow.workspace_id)
    version_id, spec = await _active(tenant, workflow)
    trigger = spec.trigger
    if not isinstance(trigger, WebhookTrigger):
        raise Conflict(f"workflow is triggered by {trigger.type}, not by webhook")
    if trigger.signature_header:
        given = headers.get(trigger.signature_header.lower(), "")
        verify_signature(
            given,
            workflow.webhook_secret,
            body,
            trigger.signature_header,
            allow_legacy=allow_legacy,
        )
    payload = parse_payload(body, headers.get("content-type", ""))
    key = headers.get("idempotency-key") or None
    if key and len(key) > 200:
        raise BadRequest("Idempotency-Key must be at most 200 characters")
    earlier = await _run_with_key(tenant, workflow.id, key) if key else None
    if earlier is None and admit is not None and (refused := await admit(tenant)):
        raise DeliverySkipped(workflow, refused)
    started = await start_run(
        tenant,
        workflow,
        trigger_type="webhook",
        payload=payload,
        idempotency_key=key,
        version_id=version_id,
        lease=lease,
    )
    if not started.created and started.run.trigger_payload != payload:
        raise InvalidPayload(
            "this Idempotency-Key was already used for a different payload; "
            "send new data with a new key"
        )
    return Delivery(started, trigger, await _handed(session, workflow, started, spec))


async def _handed(
    session: AsyncSession, workflow: Workflow, started: StartedRun, spec: WorkflowSpec
) -> Handed | None:
    """What the engine needs of a new run besides the run (the workspace is in the session's
    identity map already: the front door and the plan's admission read it)."""
    if not started.created or started.values is None:
        return None
    workspace = await session.get(Workspace, workflow.workspace_id)
    if workspace is None:
        return None
    return Handed(
        values=dict(started.values),
        spec=spec,
        workflow={"id": workflow.id, "name": workflow.name},
        created_by=workflow.created_by,
        workspace={"id": workspace.id, "name": workspace.name, "slug": workspace.slug},
        workspace_deleted=workspace.deleted_at is not None,
        claimed=started.claimed,
    )


async def _active(tenant: Tenant, workflow: Workflow) -> tuple[str, WorkflowSpec]:
    """The running version's id and spec: read and parsed once per process per version."""
    if workflow.active_version is not None:
        found = known(workflow.id, workflow.active_version)
        if found:
            return found
    version = await active_version(tenant, workflow)
    spec = spec_of(version)
    remember_id(version)
    return version.id, spec


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
