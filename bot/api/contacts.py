"""Contact routes: Levqor's own CRM, searched."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from bot.api.deps import TenantDep
from bot.api.responses import AUTHENTICATED
from integrations.crm import contact_dict
from workflows import contacts

router = APIRouter(tags=["contacts"], responses=AUTHENTICATED)


class ContactsOut(BaseModel):
    """A page of contacts and how many match in all."""

    contacts: list[dict[str, Any]]
    total: int


@router.get("/api/contacts")
async def list_contacts(
    tenant: TenantDep,
    q: str = Query(default="", description="text in the email, name, company or phone"),
    stage: str = "",
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0),
) -> ContactsOut:
    """Contacts (email, name, company, phone, stage, source, fields), newest change first."""
    found, total = await contacts.search(tenant, q, stage, limit=limit, offset=offset)
    return ContactsOut(contacts=[contact_dict(c) for c in found], total=total)
