"""Stripe events: verify the signature, match `StripeTrigger.events` (wildcards), start runs."""

from __future__ import annotations

import fnmatch
import logging
from typing import Any

import stripe
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.connections import secret
from storage.config import Settings
from storage.models import Run
from storage.scope import Tenant
from workflows.errors import BadRequest, Conflict
from workflows.spec import StripeTrigger
from workflows.triggers.dispatch import Candidate, Dispatched, active_candidates, dispatch

log = logging.getLogger(__name__)
TOLERANCE_SECONDS = 300


async def signing_secret(
    session: AsyncSession, workspace_id: str, settings: Settings
) -> str | None:
    """The secret a workspace's Stripe events are checked with: its own (Connections) only.

    A workspace that saved no signing secret falls back to STRIPE_WEBHOOK_SECRET (a single-team
    instance); one that saved its own never accepts events signed with any other secret.
    """
    own = await secret(session, workspace_id, "stripe", "webhook_secret", settings)
    return own or settings.stripe_webhook_secret


def verify_event(body: bytes, signature: str | None, secret: str | None) -> dict[str, Any]:
    """The event as a dict, if `Stripe-Signature` is valid and recent; else BadRequest (400)."""
    if not secret:
        raise Conflict(
            "Stripe events are not set up for this workspace: add the webhook signing secret "
            "to the Stripe connection on the Connections page"
        )
    try:
        event = stripe.Webhook.construct_event(body, signature, secret, TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError as exc:
        raise BadRequest(f"Stripe signature check failed: {exc.user_message or exc}") from None
    except (ValueError, AttributeError, TypeError) as exc:
        raise BadRequest(f"payload is not a Stripe event: {exc}") from None
    data: dict[str, Any] = event.to_dict(for_json=True)
    if not isinstance(data.get("type"), str) or not isinstance(data.get("id"), str):
        raise BadRequest("a Stripe event needs an `id` and a `type`")
    return data


def event_payload(event: dict[str, Any]) -> dict[str, Any]:
    """The run's trigger payload: the event's `type`, `id`, `created` and `data.object`."""
    data = event.get("data") if isinstance(event.get("data"), dict) else {}
    obj = data.get("object") if isinstance(data, dict) else None
    return {
        "type": event["type"],
        "id": event["id"],
        "created": event.get("created"),
        "data": {"object": obj if isinstance(obj, dict) else {}},
    }


def event_matches(trigger: StripeTrigger, event_type: str) -> bool:
    """Whether one of the trigger's patterns (`invoice.paid`, `invoice.*`, `*`) names the type."""
    return any(fnmatch.fnmatchcase(event_type, pattern.strip()) for pattern in trigger.events)


def object_key(payload: dict[str, Any]) -> str | None:
    """`stripe:<object id>:<type>`, the second dedupe key (None when the object has no id)."""
    object_id = payload["data"]["object"].get("id")
    return f"stripe:{object_id}:{payload['type']}" if isinstance(object_id, str) else None


async def receive(tenant: Tenant, event: dict[str, Any]) -> Dispatched:
    """Start one run per active workflow whose trigger lists the event's type (deduped)."""
    payload = event_payload(event)
    matching = [
        c
        for c in await active_candidates(tenant, "stripe")
        if isinstance(c.spec.trigger, StripeTrigger)
        and event_matches(c.spec.trigger, event["type"])
    ]
    if not matching:
        return Dispatched(skipped=f"no active workflow listens to {event['type']}")

    async def same_object_and_type(tenant: Tenant, candidate: Candidate) -> str | None:
        """Skip when another event already ran this workflow for the same object and type."""
        object_id = payload["data"]["object"].get("id")
        if not isinstance(object_id, str) or payload["type"].endswith(".updated"):
            return None  # every change of an object is its own `*.updated` event
        trigger_payload = col(Run.trigger_payload)
        query = tenant.select(Run).where(
            Run.workflow_id == candidate.workflow_id,
            Run.trigger_type == "stripe",
            trigger_payload["type"].as_string() == payload["type"],
            trigger_payload[("data", "object", "id")].as_string() == object_id,
        )
        earlier = await tenant.first(query)
        if earlier is None:
            return None
        return f"already ran for {object_key(payload)} (run {earlier.id})"

    return await dispatch(
        tenant,
        matching,
        trigger_type="stripe",
        payload=payload,
        key=f"stripe:{event['id']}",
        guard=same_object_and_type,
    )
