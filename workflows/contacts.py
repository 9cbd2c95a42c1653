"""Levqor's own CRM for people: search, edit one contact, import and export CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import col

from storage.models import CrmContact
from storage.scope import Tenant
from storage.types import utcnow
from workflows.errors import BadRequest, Conflict, NotFound

COLUMNS = ("email", "name", "company", "phone", "stage", "source")
EXPORT_COLUMNS = (*COLUMNS, "created_at", "updated_at")
# Header spellings people's spreadsheets use for our columns.
ALIASES = {
    "e-mail": "email",
    "email address": "email",
    "e-mail address": "email",
    "full name": "name",
    "contact name": "name",
    "organisation": "company",
    "organization": "company",
    "phone number": "phone",
    "telephone": "phone",
    "lifecycle stage": "stage",
    "lead source": "source",
}
MAX_ROWS = 10_000
LIMITS = {"email": 320, "name": 200, "company": 200, "phone": 64, "stage": 32, "source": 100}


def clean_email(value: str) -> str:
    """The lower-cased address, or BadRequest saying what is wrong with it."""
    email = value.strip().lower()
    if not email:
        raise BadRequest("an email address is required")
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in email):
        raise BadRequest(f"“{value.strip()}” is not an email address")
    return email


def _check_lengths(values: dict[str, str | None]) -> None:
    for name, value in values.items():
        if value and len(value) > LIMITS.get(name, 200):
            raise BadRequest(f"the {name} is too long (at most {LIMITS.get(name, 200)} characters)")


async def search(
    tenant: Tenant, query: str = "", stage: str = "", *, limit: int = 100, offset: int = 0
) -> tuple[list[CrmContact], int]:
    """Contacts whose email, name, company or phone contains `query` (any case), and a count."""
    select = tenant.select(CrmContact)
    text = query.strip().lower()
    if text:
        like = f"%{text}%"
        select = select.where(
            or_(
                func.lower(col(CrmContact.email)).like(like),
                func.lower(col(CrmContact.name)).like(like),
                func.lower(col(CrmContact.company)).like(like),
                func.lower(col(CrmContact.phone)).like(like),
            )
        )
    if stage.strip():
        select = select.where(CrmContact.stage == stage.strip())
    counted: Any = select.with_only_columns(func.count()).order_by(None)
    total = int((await tenant.session.exec(counted)).one())
    ordered = select.order_by(col(CrmContact.updated_at).desc(), col(CrmContact.id))
    return list(await tenant.all(ordered.offset(offset).limit(limit))), total


async def stages(tenant: Tenant) -> list[str]:
    """The stages the workspace's contacts are in (for the filter)."""
    rows = await tenant.all(tenant.select(CrmContact))
    return sorted({c.stage for c in rows if c.stage})


async def get_contact(tenant: Tenant, contact_id: str) -> CrmContact:
    """One contact of this workspace, or NotFound."""
    contact = await tenant.first(tenant.select(CrmContact).where(CrmContact.id == contact_id))
    if contact is None:
        raise NotFound("there is no such contact")
    return contact


async def update_contact(tenant: Tenant, contact_id: str, values: dict[str, str]) -> CrmContact:
    """Save the edited fields (the caller commits); a clear error and no change when one is bad."""
    contact = await get_contact(tenant, contact_id)
    cleaned: dict[str, str | None] = {
        name: (values.get(name) or "").strip() or None for name in COLUMNS
    }
    email = clean_email(values.get("email", ""))
    _check_lengths(cleaned)
    if email != contact.email:
        other = await tenant.first(tenant.select(CrmContact).where(CrmContact.email == email))
        if other is not None:
            raise Conflict(f"another contact already has the address {email}")
    contact.email = email
    for name in ("name", "company", "phone", "source"):
        setattr(contact, name, cleaned[name])
    contact.stage = cleaned["stage"] or "lead"
    contact.updated_at = utcnow()
    tenant.session.add(contact)
    return contact


@dataclass
class Imported:
    """What an import did: contacts created and updated, and the rows it could not take."""

    created: int = 0
    updated: int = 0
    problems: list[str] = field(default_factory=list)

    def sentence(self) -> str:
        """ "Imported 3 contacts (2 new, 1 updated). 1 row was skipped: …"."""
        done = self.created + self.updated
        said = (
            f"Imported {done} contact{'s' if done != 1 else ''} "
            f"({self.created} new, {self.updated} updated)."
        )
        if self.problems:
            n = len(self.problems)
            said += f" {n} row{'s were' if n != 1 else ' was'} skipped: " + "; ".join(
                self.problems[:5]
            )
            said += " …" if n > 5 else "."
        return said


def read_csv(data: bytes) -> list[dict[str, str]]:
    """The rows of a CSV file as {our column or the header as written: value}; BadRequest if
    it is not a CSV with an email column."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if not text.strip():
        raise BadRequest(
            "the file is empty: choose a CSV file with a header row and an email column"
        )
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, [])
    names = [_column(h) for h in header]
    if "email" not in names:
        raise BadRequest(
            "the file has no email column: its first row must name the columns "
            "(email, name, company, phone, stage, source)"
        )
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        rows.append({n: v for n, v in zip(names, values, strict=False) if n})
        if len(rows) > MAX_ROWS:
            raise BadRequest(
                f"the file has more than {MAX_ROWS:,} contacts: split it and import each"
            )
    return rows


def _column(header: str) -> str:
    """Our column a header means ("Email Address" → email), else the header as written."""
    name = " ".join(header.strip().lower().replace("_", " ").split())
    name = ALIASES.get(name, name)
    return name if name in COLUMNS else " ".join(header.split())


async def import_csv(tenant: Tenant, data: bytes) -> Imported:
    """Create or update one contact per row, by email (the caller commits).

    A row without a valid email is reported by its line number and skipped; the others are
    kept. Columns other than ours go into the contact's custom fields. Empty cells change nothing.
    """
    result = Imported()
    existing = {c.email: c for c in await tenant.all(tenant.select(CrmContact))}
    for line, row in enumerate(read_csv(data), start=2):
        try:
            email = clean_email(row.get("email", ""))
            values = {k: row.get(k, "").strip() or None for k in COLUMNS if k != "email"}
            _check_lengths(values)
        except BadRequest as exc:
            result.problems.append(f"line {line}: {exc}")
            continue
        extra = {k: v.strip() for k, v in row.items() if k not in COLUMNS and v.strip()}
        contact = existing.get(email)
        if contact is None:
            contact = tenant.add(CrmContact(workspace_id="", email=email, source="import"))
            existing[email] = contact
            result.created += 1
        else:
            result.updated += 1
        for name, value in values.items():
            if value is not None:
                setattr(contact, name, value)
        if extra:
            contact.fields = {**contact.fields, **extra}
        contact.updated_at = utcnow()
    return result


def _safe(value: Any) -> str:
    """A cell a spreadsheet shows as text (a leading = + - @ would be run as a formula)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


async def export_csv(tenant: Tenant) -> str:
    """Every contact as CSV: our columns, then each custom field."""
    contacts = await tenant.all(tenant.select(CrmContact).order_by(col(CrmContact.email)))
    custom = sorted({k for c in contacts for k in c.fields})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*EXPORT_COLUMNS, *custom])
    for c in contacts:
        row: list[Any] = [getattr(c, name) for name in COLUMNS]
        row += [c.created_at.isoformat(), c.updated_at.isoformat()]
        row += [c.fields.get(k) for k in custom]
        writer.writerow([_safe(v) for v in row])
    return out.getvalue()
