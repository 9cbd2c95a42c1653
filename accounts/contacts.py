"""Erasing one contact (class C): out of the CRM, the messages and the run data.

The contact is matched by email address (case-insensitive). Their CRM row and every message sent
to them or naming their address go; in run data (trigger payloads, step inputs and outputs, run
events) every text that contains the address is replaced by `ERASED`, keeping the runs' shape.
The audit record names no one: it keeps a pseudonym of the address.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Text, cast, delete, func, or_
from sqlmodel import col

from accounts.purge import pseudonym
from storage.config import Settings
from storage.models import AuditLog, CrmContact, Member, OutboxMessage, Role, Run, RunEvent, StepRun
from storage.scope import Tenant

ERASED = "[erased]"


class EraseError(Exception):
    """Why a contact could not be erased, in plain words."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Erased:
    """What erasing one contact changed."""

    contacts: int = 0
    messages: int = 0
    runs: int = 0
    steps: int = 0
    events: int = 0


def scrub(value: Any, needle: str) -> Any:
    """`value` with every string containing `needle` (lower case) replaced by `ERASED`."""
    if isinstance(value, str):
        return ERASED if needle in value.lower() else value
    if isinstance(value, dict):
        return {scrub(k, needle): scrub(v, needle) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, needle) for v in value]
    return value


def _mentions(column: Any, needle: str) -> Any:
    return func.lower(cast(column, Text)).contains(needle, autoescape=True)


async def erase_contact(
    tenant: Tenant, settings: Settings, member: Member, email: str, *, confirm: bool
) -> Erased:
    """Erase the contact with this email from the workspace (owners, with `confirm`)."""
    if member.role != Role.owner:
        raise EraseError("only an owner can erase a contact", 403)
    if not confirm:
        raise EraseError("erasing a contact cannot be undone: send confirm=true to go ahead")
    needle = email.strip().lower()
    if "@" not in needle or len(needle) < 3:
        raise EraseError("give the contact's email address")
    session, ws = tenant.session, tenant.workspace_id
    done = Erased()
    contacts = await session.exec(
        delete(CrmContact).where(
            col(CrmContact.workspace_id) == ws, func.lower(CrmContact.email) == needle
        )
    )
    done.contacts = contacts.rowcount
    messages = await session.exec(
        delete(OutboxMessage).where(
            col(OutboxMessage.workspace_id) == ws,
            or_(
                func.lower(OutboxMessage.target) == needle,
                _mentions(OutboxMessage.body, needle),
                _mentions(OutboxMessage.subject, needle),
                _mentions(OutboxMessage.payload, needle),
            ),
        )
    )
    done.messages = messages.rowcount
    for run in await tenant.all(tenant.select(Run).where(_mentions(Run.trigger_payload, needle))):
        run.trigger_payload = scrub(run.trigger_payload, needle)
        run.error = scrub(run.error, needle)
        session.add(run)
        done.runs += 1
    steps = tenant.select(StepRun).where(
        or_(
            _mentions(StepRun.inputs, needle),
            _mentions(StepRun.output, needle),
            _mentions(StepRun.error, needle),
        )
    )
    for step in await tenant.all(steps):
        step.inputs = scrub(step.inputs, needle)
        step.output = scrub(step.output, needle)
        step.error = scrub(step.error, needle)
        session.add(step)
        done.steps += 1
    for event in await tenant.all(
        tenant.select(RunEvent).where(_mentions(RunEvent.message, needle))
    ):
        event.message = ERASED
        session.add(event)
        done.events += 1
    tenant.add(
        AuditLog(
            workspace_id=ws,
            actor=member.name,
            action="contact.erased",
            subject=pseudonym(settings, f"contact:{needle}"),
            detail=asdict(done),
        )
    )
    await session.flush()
    return done
