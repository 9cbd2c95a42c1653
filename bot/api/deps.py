"""FastAPI dependencies: the runtime, a session per request, the authenticated principal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.agencies import AgencyError, client_of
from accounts.keys import Principal, authenticate
from bot.throttle.deps import count_request, limiter_of, source_of
from storage.scope import Tenant
from workflows.runtime import Runtime


async def get_runtime(request: Request) -> Runtime:
    """The process's runtime, built by the app's lifespan.

    `async` though it awaits nothing: FastAPI runs a plain `def` dependency in a worker thread,
    a thread hop (and a wait for the GIL back) on every request that uses the runtime."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_session(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    """A session for one request; routes commit at the boundary."""
    async with runtime.sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


bearer = HTTPBearer(
    auto_error=False,
    scheme_name="APIKey",
    description="A workspace API key: `Authorization: Bearer lq_...`",
)


async def get_any_principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The member behind `Authorization: Bearer <API key>` (deleted workspaces too), or 401."""
    token = credentials.credentials if credentials else ""
    if not token.strip():
        raise HTTPException(
            401,
            "send a workspace API key as 'Authorization: Bearer <key>'",
            {"WWW-Authenticate": "Bearer"},
        )
    limiter, source = limiter_of(request), source_of(request)
    await limiter.strict("api_key_failure", source, count=False)
    principal = await authenticate(session, token.strip())
    if principal is None:
        await limiter.strict("api_key_failure", source)
        raise HTTPException(401, "unknown or revoked API key", {"WWW-Authenticate": "Bearer"})
    if principal.touched:
        await session.commit()  # the key's last use, recorded at the request's boundary
    await count_request(request, principal.workspace.id, principal.member.id)
    return principal


AnyPrincipalDep = Annotated[Principal, Depends(get_any_principal)]


async def get_principal(principal: AnyPrincipalDep) -> Principal:
    """The member behind the API key, or 401; 410 while their workspace is deleted."""
    if principal.workspace.deleted_at is not None:
        raise HTTPException(
            410, "this workspace is deleted; an owner can restore it (POST /api/workspace/restore)"
        )
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def get_tenant(request: Request, principal: PrincipalDep, session: SessionDep) -> Tenant:
    """The request's session scoped to the principal's workspace, or to one of its agency's
    client workspaces named by the `Levqor-Workspace: SLUG` header (403 if not linked)."""
    slug = request.headers.get("levqor-workspace", "").strip()
    if not slug or slug == principal.workspace.slug:
        return Tenant(session, principal.workspace.id)
    try:
        client = await client_of(session, principal.workspace, slug)
    except AgencyError as exc:
        raise HTTPException(403, str(exc)) from None
    return Tenant(session, client.id)


TenantDep = Annotated[Tenant, Depends(get_tenant)]
