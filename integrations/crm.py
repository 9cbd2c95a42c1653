"""The built-in CRM: contacts in our database, one per lower-cased email per workspace."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import Field, field_validator
from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError

from integrations.base import (
    Action,
    ActionContext,
    ActionInput,
    ActionOutput,
    CustomerData,
    RetryableError,
    Risk,
)
from integrations.durations import parse_duration
from storage.models import CrmContact
from storage.scope import Tenant
from storage.types import utcnow


def _email(value: str) -> str:
    email = value.strip().lower()
    if "@" not in email or any(c.isspace() for c in email):
        raise ValueError(f"not an email address: {value!r}")
    return email


def _duration(value: str | None) -> str | None:
    if value is not None:
        parse_duration(value)
    return value


class UpsertInput(ActionInput):
    """Inputs of crm.upsert_contact (all but email optional; fields are merged)."""

    email: str
    name: str | None = None
    company: str | None = None
    phone: str | None = None
    stage: str | None = None
    source: str | None = None
    fields: dict[str, Any] = {}

    _check_email = field_validator("email")(_email)


class UpsertOutput(ActionOutput):
    """The contact's id and whether it was new."""

    contact_id: str | None
    created: bool


class FindInput(ActionInput):
    """Inputs of crm.find_contacts."""

    query: str | None = None
    stage: str | None = None
    source: str | None = None
    created_within: str | None = None
    limit: int = Field(default=100, ge=1, le=1000)

    _check_duration = field_validator("created_within")(_duration)


class FindOutput(ActionOutput):
    """Matching contacts (newest first) and how many."""

    contacts: list[dict[str, Any]]
    count: int


class UpdateInput(ActionInput):
    """Inputs of crm.update_contact."""

    email: str
    stage: str | None = None
    fields: dict[str, Any] = {}
    note: str | None = None

    _check_email = field_validator("email")(_email)


class UpdateOutput(ActionOutput):
    """The contact's id (None when there is no such contact) and whether it changed."""

    contact_id: str | None
    updated: bool


class DeleteInput(ActionInput):
    """Inputs of crm.delete_contacts: contacts untouched for `inactive_for`, maybe one stage."""

    inactive_for: str
    stage: str | None = None

    _check_duration = field_validator("inactive_for")(_duration)


class DeleteOutput(ActionOutput):
    """How many contacts were deleted (or would be, in a dry run)."""

    deleted: int


def contact_dict(contact: CrmContact) -> dict[str, Any]:
    """A contact as plain JSON-ready data."""
    return {
        "id": contact.id, "email": contact.email, "name": contact.name,
        "company": contact.company, "phone": contact.phone, "stage": contact.stage,
        "source": contact.source, "fields": dict(contact.fields),
        "created_at": contact.created_at.isoformat(), "updated_at": contact.updated_at.isoformat(),
    }  # fmt: skip


async def _by_email(tenant: Tenant, email: str) -> CrmContact | None:
    return await tenant.first(tenant.select(CrmContact).where(CrmContact.email == email))


async def upsert_contact(ctx: ActionContext, inp: UpsertInput) -> UpsertOutput:
    """Create the contact, or merge the given values into the existing one."""
    for _ in range(2):
        async with ctx.sessions() as session:
            tenant = Tenant(session, ctx.workspace_id)
            contact = await _by_email(tenant, inp.email)
            created = contact is None
            if ctx.dry_run:
                return UpsertOutput(contact_id=contact.id if contact else None, created=created)
            if contact is None:
                contact = tenant.add(CrmContact(workspace_id=ctx.workspace_id, email=inp.email))
            values = inp.model_dump(include={"name", "company", "phone", "stage", "source"})
            for name, value in values.items():
                if value is not None:
                    setattr(contact, name, value)
            contact.fields = {**contact.fields, **inp.fields}
            contact.updated_at = utcnow()
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()  # created concurrently: merge into it on the next pass
                continue
            return UpsertOutput(contact_id=contact.id, created=created)
    raise RetryableError(f"contact {inp.email} is being written concurrently")


async def find_contacts(ctx: ActionContext, inp: FindInput) -> FindOutput:
    """Contacts matching a text query, stage, source and creation window."""
    async with ctx.sessions() as session:
        tenant = Tenant(session, ctx.workspace_id)
        query = tenant.select(CrmContact)
        if inp.query:
            like = f"%{inp.query.strip().lower()}%"
            query = query.where(
                or_(
                    CrmContact.email.like(like),  # type: ignore[attr-defined]
                    CrmContact.name.ilike(like),  # type: ignore[union-attr]
                    CrmContact.company.ilike(like),  # type: ignore[union-attr]
                )
            )
        if inp.stage:
            query = query.where(CrmContact.stage == inp.stage)
        if inp.source:
            query = query.where(CrmContact.source == inp.source)
        if inp.created_within:
            since = utcnow() - timedelta(seconds=parse_duration(inp.created_within))
            query = query.where(CrmContact.created_at >= since)
        order = CrmContact.created_at.desc()  # type: ignore[attr-defined]
        contacts = await tenant.all(query.order_by(order).limit(inp.limit))
    found = [contact_dict(c) for c in contacts]
    return FindOutput(contacts=found, count=len(found))


async def update_contact(ctx: ActionContext, inp: UpdateInput) -> UpdateOutput:
    """Change a contact's stage/fields and add a note (once per step, even if retried)."""
    async with ctx.sessions() as session:
        tenant = Tenant(session, ctx.workspace_id)
        contact = await _by_email(tenant, inp.email)
        if contact is None:
            return UpdateOutput(contact_id=None, updated=False)
        if ctx.dry_run:
            return UpdateOutput(contact_id=contact.id, updated=False)
        fields = {**contact.fields, **inp.fields}
        if inp.note:
            notes = list(fields.get("notes") or [])
            if not any(n.get("key") == ctx.idempotency_key for n in notes if isinstance(n, dict)):
                at = utcnow().isoformat()
                notes.append({"text": inp.note, "at": at, "key": ctx.idempotency_key})
            fields["notes"] = notes
        changed = fields != contact.fields or (inp.stage is not None and inp.stage != contact.stage)
        if changed:
            contact.fields = fields
            contact.stage = inp.stage or contact.stage
            contact.updated_at = utcnow()
            await session.commit()
        return UpdateOutput(contact_id=contact.id, updated=changed)


async def delete_contacts(ctx: ActionContext, inp: DeleteInput) -> DeleteOutput:
    """Delete contacts not updated for `inactive_for` (optionally only one stage)."""
    cutoff = utcnow() - timedelta(seconds=parse_duration(inp.inactive_for))
    async with ctx.sessions() as session:
        tenant = Tenant(session, ctx.workspace_id)
        query = tenant.select(CrmContact).where(CrmContact.updated_at < cutoff)
        if inp.stage:
            query = query.where(CrmContact.stage == inp.stage)
        stale = list(await tenant.all(query))
        if not ctx.dry_run:
            for contact in stale:
                await session.delete(contact)
            await session.commit()
    return DeleteOutput(deleted=len(stale))


ACTIONS: list[Action[Any, Any]] = [
    Action(
        name="crm.upsert_contact",
        description="Add a contact to the CRM, or merge new details into the existing one.",
        risk=Risk.external, input_model=UpsertInput, output_model=UpsertOutput,
        handler=upsert_contact,
    ),
    Action(
        name="crm.find_contacts",
        description="Find CRM contacts by text, stage, source or how recently they were added.",
        risk=Risk.read, input_model=FindInput, output_model=FindOutput, handler=find_contacts,
        reads=CustomerData.many,
    ),
    Action(
        name="crm.update_contact",
        description="Change a CRM contact's stage or fields, or add a note.",
        risk=Risk.external, input_model=UpdateInput, output_model=UpdateOutput,
        handler=update_contact,
    ),
    Action(
        name="crm.delete_contacts",
        description="Delete CRM contacts inactive for a while (optionally of one stage).",
        risk=Risk.critical, input_model=DeleteInput, output_model=DeleteOutput,
        handler=delete_contacts,
    ),
]  # fmt: skip
