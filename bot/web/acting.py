"""Agency members acting in a client workspace from the web: the choice is held by the browser's
session (a cookie with the client's slug) and checked against the agency link on every request.

While acting, the signed-in user's `workspace` is the client's and `home` the agency's; their
member (and so their role) stays the agency's, so what they do there is theirs in the audit log.
"""

from __future__ import annotations

from dataclasses import replace

from fastapi import Request
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts import acting
from accounts.web_auth import WebUser
from accounts.workspaces import get_by_slug

ACTING_COOKIE = "levqor_acting"


async def acting_user(
    request: Request, session: AsyncSession, user: WebUser, slug: str | None
) -> tuple[WebUser, str | None]:
    """The user as they act on this request, or why the client they chose is out of reach
    (a sentence); the header's switcher choices go in `request.state.switcher`."""
    home = user.workspace
    clients = await acting.clients_of(session, home) if home.parent_id is None else []
    request.state.switcher = [(c.slug, c.name) for c in clients]
    if not slug:
        return user, None
    client = await acting.linked_client(session, home, slug)
    if client is None:
        gone = await get_by_slug(session, slug)
        return user, acting.ended_sentence(gone.name if gone else slug, home)
    return replace(user, workspace=client, home=home), None
