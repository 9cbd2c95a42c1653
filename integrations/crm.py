"""The built-in CRM: contacts in our database, one per lower-cased email per workspace."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache, partial
from typing import Any

from pydantic import Field, field_validator
from sqlalchemy import ColumnClause, Insert, bindparam, insert, literal_column, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

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
    # Only contacts nobody has changed for this long ("30 days"): the ones gone quiet.
    inactive_for: str | None = None
    limit: int = Field(default=100, ge=1, le=1000)

    _check_duration = field_validator("created_within", "inactive_for")(_duration)


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
    """Inputs of crm.delete_contacts: contacts untouched for `inactive_for` (every contact when
    it is not given), maybe only one stage."""

    inactive_for: str | None = None
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
    """Create the contact, or merge the given values into the existing one.

    The read and the write share one transaction, committed before this returns
    (`ActionContext.write`: on the engine's group writer inside a run)."""
    if ctx.dry_run:
        async with ctx.sessions() as session:
            contact = await _by_email(Tenant(session, ctx.workspace_id), inp.email)
        return UpsertOutput(contact_id=contact.id if contact else None, created=contact is None)
    for _ in range(2):
        try:
            contact_id, created = await ctx.write(
                partial(_upsert_on, workspace_id=ctx.workspace_id, inp=inp)
            )
        except IntegrityError:  # created concurrently: merge into it on the next pass
            continue
        return UpsertOutput(contact_id=contact_id, created=created)
    raise RetryableError(f"contact {inp.email} is being written concurrently")


_CONTACT = CrmContact.__table__  # type: ignore[attr-defined]
_CONTACT_COLUMNS = tuple(c.name for c in _CONTACT.columns)
# Built once (per call only the parameters change).
_BY_EMAIL = select(_CONTACT).where(
    _CONTACT.c.workspace_id == bindparam("c_ws"), _CONTACT.c.email == bindparam("c_email")
)
_UPDATE = (
    update(_CONTACT)
    .where(_CONTACT.c.id == bindparam("c_id"))
    .values(
        fields=bindparam("c_fields", type_=_CONTACT.c.fields.type),
        stage=bindparam("c_stage", type_=_CONTACT.c.stage.type),
        updated_at=bindparam("c_at", type_=_CONTACT.c.updated_at.type),
    )
)


async def _contact_on(
    connection: AsyncConnection, workspace_id: str, email: str
) -> dict[str, Any] | None:
    """The workspace's contact with this email, as its columns (or None)."""
    row = (await connection.execute(_BY_EMAIL, {"c_ws": workspace_id, "c_email": email})).first()
    return None if row is None else dict(row._mapping)


async def _upsert_on(
    connection: AsyncConnection, workspace_id: str, inp: UpsertInput
) -> tuple[str, bool]:
    """The upsert's statements (a read, then an INSERT or an UPDATE): the contact id, created.

    On PostgreSQL one statement (`INSERT … ON CONFLICT DO UPDATE`), one round trip instead of
    two: the given columns replace the stored ones and the given fields are merged into the
    stored fields, as below."""
    given = inp.model_dump(include={"name", "company", "phone", "stage", "source"})
    values = {name: value for name, value in given.items() if value is not None}
    if connection.dialect.name == "postgresql":
        return await _upsert_in_one(connection, workspace_id, inp, values)
    found = await _contact_on(connection, workspace_id, inp.email)
    if found is None:
        new = _new_contact(workspace_id, inp, values)
        await connection.execute(insert(_CONTACT), new)
        return str(new["id"]), True
    values["fields"] = {**(found["fields"] or {}), **inp.fields}
    values["updated_at"] = utcnow()
    await connection.execute(update(_CONTACT).where(_CONTACT.c.id == found["id"]).values(values))
    return str(found["id"]), False


def _new_contact(workspace_id: str, inp: UpsertInput, values: dict[str, Any]) -> dict[str, Any]:
    new = CrmContact(workspace_id=workspace_id, email=inp.email, **values)
    new.fields = dict(inp.fields)
    return {name: getattr(new, name) for name in _CONTACT_COLUMNS}


# The stored fields (an object; anything else counts as none) with the given ones merged in.
_MERGED_FIELDS: ColumnClause[Any] = literal_column(
    "((CASE WHEN jsonb_typeof(crm_contact.fields::jsonb) = 'object'"
    " THEN crm_contact.fields::jsonb ELSE '{}'::jsonb END) || excluded.fields::jsonb)::json"
)
_CREATED: ColumnClause[bool] = literal_column(
    "crm_contact.xmax = 0"
)  # no row was there: this INSERT made it


async def _upsert_in_one(
    connection: AsyncConnection, workspace_id: str, inp: UpsertInput, values: dict[str, Any]
) -> tuple[str, bool]:
    upsert = _upsert_statement(tuple(values))
    contact_id, created = (
        await connection.execute(upsert, _new_contact(workspace_id, inp, values))
    ).one()
    return str(contact_id), bool(created)


@lru_cache(maxsize=64)
def _upsert_statement(given: tuple[str, ...]) -> Insert:
    """The upsert for these given columns, built once: per call only its parameters (the new
    row's columns) change."""
    statement = pg_insert(_CONTACT)
    merged: dict[str, Any] = {name: statement.excluded[name] for name in given}
    merged.update(fields=_MERGED_FIELDS, updated_at=statement.excluded.updated_at)
    return statement.on_conflict_do_update(
        index_elements=[_CONTACT.c.workspace_id, _CONTACT.c.email], set_=merged
    ).returning(_CONTACT.c.id, _CREATED)


async def find_contacts(ctx: ActionContext, inp: FindInput) -> FindOutput:
    """Contacts matching a text query, stage, source, creation window and time untouched."""
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
        if inp.inactive_for:
            quiet = utcnow() - timedelta(seconds=parse_duration(inp.inactive_for))
            query = query.where(CrmContact.updated_at <= quiet)
        order = CrmContact.created_at.desc()  # type: ignore[attr-defined]
        contacts = await tenant.all(query.order_by(order).limit(inp.limit))
    found = [contact_dict(c) for c in contacts]
    return FindOutput(contacts=found, count=len(found))


async def update_contact(ctx: ActionContext, inp: UpdateInput) -> UpdateOutput:
    """Change a contact's stage/fields and add a note (once per step, even if retried).

    Read and written in one transaction, committed before this returns (`ActionContext.write`)."""
    if ctx.dry_run:
        async with ctx.sessions() as session:
            contact = await _by_email(Tenant(session, ctx.workspace_id), inp.email)
        return UpdateOutput(contact_id=contact.id if contact else None, updated=False)
    contact_id, changed = await ctx.write(
        partial(_update_on, workspace_id=ctx.workspace_id, inp=inp, key=ctx.idempotency_key)
    )
    return UpdateOutput(contact_id=contact_id, updated=changed)


async def _update_on(
    connection: AsyncConnection, workspace_id: str, inp: UpdateInput, key: str
) -> tuple[str | None, bool]:
    """The update's statements (a read, then an UPDATE if anything changes)."""
    found = await _contact_on(connection, workspace_id, inp.email)
    if found is None:
        return None, False
    before = dict(found["fields"] or {})
    fields = {**before, **inp.fields}
    if inp.note:
        notes = list(fields.get("notes") or [])
        if not any(n.get("key") == key for n in notes if isinstance(n, dict)):
            notes.append({"text": inp.note, "at": utcnow().isoformat(), "key": key})
        fields["notes"] = notes
    changed = fields != before or (inp.stage is not None and inp.stage != found["stage"])
    if changed:
        values = {"c_fields": fields, "c_stage": inp.stage or found["stage"], "c_at": utcnow()}
        await connection.execute(_UPDATE, {**values, "c_id": found["id"]})
    return str(found["id"]), changed


async def delete_contacts(ctx: ActionContext, inp: DeleteInput) -> DeleteOutput:
    """Delete contacts not updated for `inactive_for` (all of them without it; optionally only
    one stage)."""
    async with ctx.sessions() as session:
        tenant = Tenant(session, ctx.workspace_id)
        query = tenant.select(CrmContact)
        if inp.inactive_for is not None:
            cutoff = utcnow() - timedelta(seconds=parse_duration(inp.inactive_for))
            query = query.where(CrmContact.updated_at < cutoff)
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
        handler=upsert_contact, writes_first=True,
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
        handler=update_contact, writes_first=True,
    ),
    Action(
        name="crm.delete_contacts",
        description="Delete CRM contacts inactive for a while (optionally of one stage).",
        risk=Risk.critical, input_model=DeleteInput, output_model=DeleteOutput,
        handler=delete_contacts,
    ),
]  # fmt: skip
