"""Connection routes: list, connect (PUT), "Send a test" (POST …/test) and disconnect (DELETE).

Any member may see how connections stand; owners and admins connect and disconnect (they handle
the workspace's secrets); operators may also send a test. Secrets go in, never come out.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Response, status
from fastapi.responses import JSONResponse

from accounts.keys import Principal
from bot.api.connection_schemas import ConnectionOut, SignInWithGoogle, TestOut
from bot.api.deps import PrincipalDep, RuntimeDep, SessionDep
from bot.api.responses import AUTHENTICATED
from integrations import (
    connection_checks,
    connection_store,
    connections,
    google_oauth,
    hubspot_oauth,
)
from storage.models import Role
from workflows.errors import BadRequest, Forbidden, NotFound

router = APIRouter(prefix="/api/connections", tags=["connections"], responses=AUTHENTICATED)
_MANAGERS = (Role.owner, Role.admin)


def _require(principal: Principal, roles: tuple[Role, ...], doing: str) -> None:
    if principal.member.role not in roles:
        raise Forbidden(f"only an owner or admin can {doing}")


def _known(integration: str) -> None:
    if integration not in connections.LABELS:
        raise NotFound(
            f"there is no {integration!r} connection; choose one of {', '.join(connections.LABELS)}"
        )


@router.get("")
async def list_connections(
    principal: PrincipalDep, runtime: RuntimeDep, session: SessionDep
) -> list[ConnectionOut]:
    """Every integration and how it stands for this workspace (secrets only by name)."""
    views = await connections.list_views(session, principal.workspace, runtime.settings)
    return [ConnectionOut.of(v) for v in views]


@router.put(
    "/{integration}",
    response_model=ConnectionOut,
    responses={
        202: {"model": SignInWithGoogle, "description": "Google or HubSpot: open the address."}
    },
)
async def connect(
    integration: str,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    session: SessionDep,
    body: dict[str, Any] = Body(default_factory=dict),  # noqa: B008 - FastAPI's way
) -> Any:
    """Connect or update: `stripe` {api_key, webhook_secret}, `hubspot` {token}, `email` {mode,
    host, port, security, username, password, sender}, `http` {secrets: [{name, header, scheme,
    value}], remove: [names]}. A secret left out keeps the saved one. `google` answers 202 with
    the address to open in a browser, and so does `hubspot` with an empty body where HubSpot
    sign-in is configured; `slack` connects by installing the app."""
    _known(integration)
    _require(principal, _MANAGERS, "connect integrations")
    settings = runtime.settings
    if integration == "google":
        try:
            url = google_oauth.authorize_url(settings, principal.workspace.id)
        except google_oauth.GoogleAuthError as exc:
            raise BadRequest(str(exc)) from None
        answer = SignInWithGoogle(
            authorize_url=url,
            message="Open this address in a browser signed in to Levqor and allow access.",
        )
        return JSONResponse(answer.model_dump(), status_code=status.HTTP_202_ACCEPTED)
    if integration == "hubspot" and not body and hubspot_oauth.configured(settings):
        answer = SignInWithGoogle(
            authorize_url=hubspot_oauth.authorize_url(settings, principal.workspace.id),
            message="Open this address in a browser signed in to Levqor and allow access.",
        )
        return JSONResponse(answer.model_dump(), status_code=status.HTTP_202_ACCEPTED)
    try:
        view = await connection_store.save(
            session, principal.workspace, integration, body, settings, principal.member.id
        )
    except connections.ConnectionProblem as exc:
        raise BadRequest(str(exc)) from None
    await session.commit()
    return ConnectionOut.of(view)


@router.post("/{integration}/test")
async def send_test(
    integration: str, principal: PrincipalDep, runtime: RuntimeDep, session: SessionDep
) -> TestOut:
    """Try the connection for real ("Send a test") and say what happened."""
    _known(integration)
    _require(principal, (*_MANAGERS, Role.operator), "send a test")
    result = await connection_checks.send_test(
        session, principal.workspace, integration, runtime.settings, runtime.http, principal.member
    )
    await session.commit()
    view = await connections.view(session, principal.workspace, integration, runtime.settings)
    return TestOut(ok=result.ok, message=result.message, connection=ConnectionOut.of(view))


@router.delete("/{integration}", status_code=status.HTTP_204_NO_CONTENT)
async def disconnect(integration: str, principal: PrincipalDep, session: SessionDep) -> Response:
    """Disconnect: the connection and its saved secrets are deleted."""
    _known(integration)
    _require(principal, _MANAGERS, "disconnect integrations")
    if not await connection_store.disconnect(
        session, principal.workspace, integration, principal.member.id
    ):
        raise NotFound(f"{connections.LABELS[integration]} is not connected")
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
