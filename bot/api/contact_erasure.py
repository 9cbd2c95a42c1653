"""Contacts: erasing one person (class C, owners) from contacts, messages and run data."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from accounts.contacts import EraseError, erase_contact
from bot.api.deps import PrincipalDep, RuntimeDep, TenantDep
from bot.api.responses import AUTHENTICATED

router = APIRouter(prefix="/api/contacts", tags=["contacts"], responses=AUTHENTICATED)


class EraseIn(BaseModel):
    """Whom to erase, and the explicit confirmation erasing needs."""

    email: str = Field(max_length=320, description="the contact's email address")
    confirm: bool = Field(default=False, description="true: yes, erase them (cannot be undone)")


class ErasedOut(BaseModel):
    """What was removed or blanked out."""

    contacts: int
    messages: int
    runs: int
    steps: int
    events: int


@router.post("/erase")
async def erase(
    body: EraseIn, principal: PrincipalDep, tenant: TenantDep, runtime: RuntimeDep
) -> ErasedOut:
    """Erase a contact: their CRM row and messages go, their address is blanked in run data."""
    try:
        done = await erase_contact(
            tenant, runtime.settings, principal.member, body.email, confirm=body.confirm
        )
    except EraseError as exc:
        raise HTTPException(exc.status, str(exc)) from None
    await tenant.session.commit()
    return ErasedOut(**done.__dict__)
