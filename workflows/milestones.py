"""Milestones: events in a customer's life ("created_first_workflow") kept on their CRM contact.

Stored as `CrmContact.fields["milestones"] = {name: first time reached (ISO 8601)}`; runs read them
with a fresh `crm.get_contact` step, so a drip email's `when` can skip or change what it says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from integrations.crm_sync import milestone_names
from storage.models import CrmContact
from storage.scope import Tenant
from storage.types import utcnow
from workflows.errors import BadRequest, Conflict

MILESTONE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_MILESTONES = 100


@dataclass(frozen=True)
class Recorded:
    """The contact the milestone landed on, when it was first reached, and what was new."""

    contact_id: str
    email: str
    milestone: str
    reached_at: str
    new_contact: bool
    first_time: bool
    milestones: list[str]


def check_milestone(name: str) -> str:
    """The milestone name, or BadRequest unless it is lower_snake_case (max 64 characters)."""
    if not MILESTONE_PATTERN.match(name):
        raise BadRequest(
            f"milestone {name!r} must be lower_snake_case, e.g. 'created_first_workflow'"
        )
    return name


async def record_milestone(tenant: Tenant, email: str, milestone: str) -> Recorded:
    """Mark `milestone` reached for the contact (created if new); repeats keep the first time.

    Commits, because a contact created concurrently is merged into on a second attempt.
    """
    address = email.strip().lower()
    if "@" not in address or any(c.isspace() for c in address):
        raise BadRequest(f"not an email address: {email!r}")
    check_milestone(milestone)
    for _ in range(2):
        query = tenant.select(CrmContact).where(CrmContact.email == address)
        contact = await tenant.first(query)
        new_contact = contact is None
        if contact is None:
            contact = tenant.add(
                CrmContact(workspace_id=tenant.workspace_id, email=address, source="milestone")
            )
        reached = dict(contact.fields.get("milestones") or {})
        first_time = milestone not in reached
        if first_time:
            if len(reached) >= MAX_MILESTONES:
                raise Conflict(f"{address} already has {MAX_MILESTONES} milestones")
            reached[milestone] = utcnow().isoformat()
            contact.fields = {**contact.fields, "milestones": reached}
            contact.updated_at = utcnow()
            tenant.session.add(contact)
        try:
            await tenant.session.commit()
        except IntegrityError:
            await tenant.session.rollback()  # created concurrently: record on it next pass
            continue
        return Recorded(
            contact_id=contact.id, email=address, milestone=milestone,
            reached_at=reached[milestone], new_contact=new_contact, first_time=first_time,
            milestones=milestone_names(contact.fields),
        )  # fmt: skip
    raise Conflict(f"contact {address} is being written concurrently; try again")
