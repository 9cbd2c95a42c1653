"""`POST /workspace/switch`: an agency member chooses the workspace the web acts in — the agency's
own, or one of its linked clients — for this browser session."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from accounts import acting
from bot.api.deps import RuntimeDep
from bot.web.acting import ACTING_COOKIE
from bot.web.auth import CsrfChecked, PageUser, is_secure
from bot.web.flash import flash_redirect

router = APIRouter(include_in_schema=False)


@router.post("/workspace/switch", dependencies=[CsrfChecked])
async def switch(
    request: Request,
    user: PageUser,
    runtime: RuntimeDep,
    slug: Annotated[str, Form()] = "",
) -> Response:
    """Act in the client `slug` (checked against the agency link), or back in the agency."""
    home = user.home or user.workspace
    wanted = slug.strip().lower()
    if not wanted or wanted in acting.BACK_WORDS or wanted == home.slug:
        response = flash_redirect("/clients", f"You are back in {home.name}.")
        response.delete_cookie(ACTING_COOKIE, path="/")
        return response
    async with runtime.sessions() as session:
        client = await acting.linked_client(session, home, wanted)
    if client is None:
        return flash_redirect(
            "/clients", f"{wanted} is not a client workspace of {home.name}.", "error"
        )
    role = user.member.role.value
    response = flash_redirect(
        "/", f"You are now working in {client.name}, as {home.name}'s {role}."
    )
    response.set_cookie(
        ACTING_COOKIE,
        client.slug,
        httponly=True,
        samesite="lax",
        secure=is_secure(request, runtime),
        path="/",
    )
    return response
