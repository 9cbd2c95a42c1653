"""Agency client workspaces over REST: `GET/POST /api/clients`, `DELETE /api/clients/{slug}`.

Any request acts in a client workspace with the header `Levqor-Workspace: SLUG` (`bot.api.deps`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from accounts import agencies
from bot.api.deps import PrincipalDep, SessionDep
from bot.api.responses import AUTHENTICATED
from workflows.errors import Forbidden

router = APIRouter(prefix="/api/clients", tags=["agencies"], responses=AUTHENTICATED)


class ClientIn(BaseModel):
    """A new client workspace: its name and, optionally, its address (slug)."""

    name: str = Field(min_length=1, max_length=200)
    slug: str | None = Field(default=None, max_length=63)


@router.get("")
async def list_clients(principal: PrincipalDep, session: SessionDep) -> list[dict[str, Any]]:
    """The agency's clients with their workflows, failed runs this week and runs this month."""
    return await agencies.overview(session, principal.workspace)


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_client(
    body: ClientIn, principal: PrincipalDep, session: SessionDep
) -> dict[str, Any]:
    """Add a client workspace (agency owners and admins; counted against the agency's plan)."""
    try:
        client = await agencies.create_client(
            session, principal.workspace, principal.member, body.name, body.slug
        )
    except agencies.AgencyError as exc:
        raise Forbidden(str(exc)) from None
    await session.commit()
    return {"slug": client.slug, "name": client.name}


@router.delete("/{slug}")
async def unlink_client(slug: str, principal: PrincipalDep, session: SessionDep) -> dict[str, Any]:
    """Unlink a client: the agency's access ends at once; the client keeps its data."""
    try:
        client = await agencies.unlink(session, principal.workspace, principal.member, slug)
    except agencies.AgencyError as exc:
        raise Forbidden(str(exc)) from None
    await session.commit()
    return {"slug": client.slug, "unlinked": True}
