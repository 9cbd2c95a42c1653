"""`crm.sync_hubspot`: two-way sync of our CRM with HubSpot; `crm.get_contact` for run conditions.

Change detection: each of our contacts keeps `fields["hubspot"] = {"id", "hash", "synced_at"}`,
where `hash` is the content hash (email, name, company, phone, stage) both sides agreed on at the
last sync. A side whose current content hashes differently has changed since; only changed
records move.

Conflict rule (both sides changed, differently): the newest modification wins, comparing our
`updated_at` with HubSpot's `lastmodifieddate`; a tie goes to our CRM.

No ping-pong: whatever the sync writes (to either side) is recorded as the agreed hash, so on
the next pass the written record hashes equal to it and is not seen as a change.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import Field, field_validator

from integrations.base import Action, ActionContext, ActionInput, ActionOutput, CustomerData, Risk
from integrations.crm import contact_dict
from integrations.hubspot import HubSpotClient, HubSpotContact, client_for, hubspot_stage
from integrations.hubspot import to_properties as hubspot_properties
from storage.models import CrmContact
from storage.scope import Tenant
from storage.types import utcnow

# HubSpot's search index trails its writes by a few seconds; re-reading a margin costs nothing.
OVERLAP = timedelta(minutes=5)
Winner = Literal["crm", "hubspot"]


def content(
    email: str, name: str | None, company: str | None, phone: str | None, stage: str | None
) -> dict[str, str]:
    """The synced content of a contact, normalised so both sides compare equal."""
    return {
        "email": email.strip().lower(),
        "name": " ".join((name or "").split()),
        "company": (company or "").strip(),
        "phone": (phone or "").strip(),
        "stage": hubspot_stage(stage) or "",
    }


def content_hash(values: dict[str, str]) -> str:
    """A short, stable hash of synced content."""
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:20]


def ours_hash(contact: CrmContact) -> str:
    """The content hash of one of our contacts."""
    c = contact
    return content_hash(content(c.email, c.name, c.company, c.phone, c.stage))


def theirs_hash(contact: HubSpotContact) -> str:
    """The content hash of a HubSpot contact."""
    c = contact
    return content_hash(content(c.email, c.name, c.company, c.phone, c.stage))


def pick_winner(ours_at: datetime, theirs_at: datetime) -> Winner:
    """The conflict rule: the newest modification wins; a tie goes to our CRM."""
    return "hubspot" if theirs_at > ours_at else "crm"


class SyncInput(ActionInput):
    """Inputs of crm.sync_hubspot."""

    full: bool = False  # re-read every HubSpot contact, not only those changed since last sync
    limit: int = Field(default=10_000, ge=1, le=10_000)


class SyncOutput(ActionOutput):
    """What moved: writes per side, conflicts and how they were decided, what was unchanged."""

    pushed: int = 0
    pulled: int = 0
    created_in_hubspot: int = 0
    created_in_crm: int = 0
    unchanged: int = 0
    skipped: int = 0
    conflicts: list[dict[str, Any]] = Field(default_factory=list)
    changes: list[dict[str, str]] = Field(default_factory=list)
    since: str | None = None


@dataclass
class _Pair:
    email: str
    ours: CrmContact | None
    theirs: HubSpotContact | None


def _state(contact: CrmContact | None) -> dict[str, Any]:
    value = contact.fields.get("hubspot") if contact is not None else None
    return value if isinstance(value, dict) else {}


def _cursor(contacts: list[CrmContact]) -> datetime | None:
    """Where this pass starts reading HubSpot: the last sync that moved something, less OVERLAP."""
    stamps = [s.get("synced_at") for s in map(_state, contacts)]
    times = [datetime.fromisoformat(s) for s in stamps if isinstance(s, str)]
    return max(times) - OVERLAP if times else None


async def sync_hubspot(ctx: ActionContext, inp: SyncInput) -> SyncOutput:
    """One two-way pass: changed records move to the other side; conflicts follow the rule."""
    client = await client_for(ctx)
    now = utcnow()
    async with ctx.sessions() as session:
        tenant = Tenant(session, ctx.workspace_id)
        ours = {c.email: c for c in await tenant.all(tenant.select(CrmContact))}
        since = None if inp.full else _cursor(list(ours.values()))
        theirs = {c.email: c for c in await client.changed_since(since, inp.limit)}
        out = SyncOutput(since=since.isoformat() if since else None)
        for email in sorted(set(ours) | set(theirs)):
            pair = _Pair(email, ours.get(email), theirs.get(email))
            await _sync_one(ctx, tenant, client, pair, now, out)
    return out


async def _sync_one(
    ctx: ActionContext,
    tenant: Tenant,
    client: HubSpotClient,
    pair: _Pair,
    now: datetime,
    out: SyncOutput,
) -> None:
    state = _state(pair.ours)
    mine = ours_hash(pair.ours) if pair.ours is not None else None
    yours = theirs_hash(pair.theirs) if pair.theirs is not None else None
    ours_changed = mine is not None and mine != state.get("hash")
    theirs_changed = yours is not None and yours != state.get("hash")
    if not ours_changed and not theirs_changed:
        out.unchanged += 1
        return
    if ctx.dry_run:
        out.changes.append({"email": pair.email, "direction": "planned"})
        return
    if pair.ours is not None:
        seen = pair.ours.updated_at
        await tenant.session.refresh(pair.ours)
        if pair.ours.updated_at != seen:  # edited while we synced: the next pass takes it
            out.skipped += 1
            return
    winner: Winner = "crm" if ours_changed else "hubspot"
    if ours_changed and theirs_changed:
        assert pair.ours is not None and pair.theirs is not None
        if mine == yours:  # both sides already agree (first sync, or a crash after a write)
            await _record(tenant, pair.ours, pair.theirs.id, ours_hash(pair.ours), now)
            out.unchanged += 1
            return
        winner = pick_winner(pair.ours.updated_at, pair.theirs.updated_at)
        out.conflicts.append({
            "email": pair.email, "winner": winner,
            "crm_modified": pair.ours.updated_at.isoformat(),
            "hubspot_modified": pair.theirs.updated_at.isoformat(),
        })  # fmt: skip
    if winner == "crm":
        await _push(tenant, client, pair, state, now, out)
    else:
        await _pull(ctx, tenant, client, pair, now, out)


async def _push(
    tenant: Tenant,
    client: HubSpotClient,
    pair: _Pair,
    state: dict[str, Any],
    now: datetime,
    out: SyncOutput,
) -> None:
    c = pair.ours
    assert c is not None
    props = hubspot_properties(c.email, c.name, c.company, c.phone, c.stage)
    props.setdefault("lifecyclestage", "")  # our stage has no HubSpot twin: keep theirs empty
    known_id = state.get("id") or (pair.theirs.id if pair.theirs else None)
    contact_id, created = await client.upsert(known_id, props)
    await _record(tenant, c, contact_id, ours_hash(c), now)
    out.pushed += 1
    out.created_in_hubspot += int(created)
    out.changes.append({"email": pair.email, "direction": "to_hubspot"})


async def _pull(
    ctx: ActionContext,
    tenant: Tenant,
    client: HubSpotClient,
    pair: _Pair,
    now: datetime,
    out: SyncOutput,
) -> None:
    theirs = pair.theirs
    assert theirs is not None
    contact = pair.ours
    if contact is None:
        contact = tenant.add(
            CrmContact(workspace_id=ctx.workspace_id, email=pair.email, source="hubspot")
        )
        out.created_in_crm += 1
    contact.name, contact.company, contact.phone = theirs.name, theirs.company, theirs.phone
    contact.stage = theirs.stage or contact.stage
    contact.updated_at = now
    await _record(tenant, contact, theirs.id, ours_hash(contact), now)
    out.pulled += 1
    out.changes.append({"email": pair.email, "direction": "to_crm"})
    if ours_hash(contact) != theirs_hash(theirs):
        # HubSpot has no lifecycle stage and our stage cannot be empty: give HubSpot ours now,
        # or the two sides would never agree.
        await client.upsert(theirs.id, {"lifecyclestage": hubspot_stage(contact.stage) or ""})
        out.pushed += 1


async def _record(
    tenant: Tenant, contact: CrmContact, hubspot_id: str, agreed: str, now: datetime
) -> None:
    state = {"id": hubspot_id, "hash": agreed, "synced_at": now.isoformat()}
    contact.fields = {**contact.fields, "hubspot": state}
    tenant.session.add(contact)
    await tenant.session.commit()


class GetContactInput(ActionInput):
    """Inputs of crm.get_contact."""

    email: str

    @field_validator("email")
    @classmethod
    def _normal(cls, value: str) -> str:
        return value.strip().lower()


class GetContactOutput(ActionOutput):
    """The contact (None when unknown), its milestones' names and whether it unsubscribed."""

    found: bool
    contact: dict[str, Any] | None
    milestones: list[str]
    unsubscribed: bool


def milestone_names(fields: dict[str, Any]) -> list[str]:
    """The milestones recorded in a contact's fields, sorted (`fields["milestones"]`)."""
    value = fields.get("milestones")
    return sorted(value) if isinstance(value, dict) else []


async def get_contact(ctx: ActionContext, inp: GetContactInput) -> GetContactOutput:
    """A fresh read of one contact by email, for `when` conditions of later steps."""
    async with ctx.sessions() as session:
        tenant = Tenant(session, ctx.workspace_id)
        found = await tenant.first(tenant.select(CrmContact).where(CrmContact.email == inp.email))
    if found is None:
        return GetContactOutput(found=False, contact=None, milestones=[], unsubscribed=False)
    return GetContactOutput(
        found=True,
        contact=contact_dict(found),
        milestones=milestone_names(found.fields),
        unsubscribed=bool(found.fields.get("unsubscribed")),
    )


ACTIONS: list[Action[Any, Any]] = [
    Action("crm.sync_hubspot",
           "Two-way sync of CRM contacts with HubSpot (only changed records; newest edit wins).",
           Risk.external, SyncInput, SyncOutput, sync_hubspot),
    Action("crm.get_contact", "Read one CRM contact by email, with its milestones.",
           Risk.read, GetContactInput, GetContactOutput, get_contact, reads=CustomerData.one),
]  # fmt: skip
