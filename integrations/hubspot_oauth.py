"""HubSpot over OAuth (where configured): the consent link, the code exchange, renewing tokens.

An instance with a HubSpot public app (HUBSPOT_CLIENT_ID and _SECRET) offers "Connect with
HubSpot" next to the private-app token. The access and refresh tokens are sealed `Credential`
rows (integration `hubspot`); the workspace's `hubspot` connection then has `mode: oauth` and
the access token's expiry. `workspace_token()` is what actions use: the OAuth access token
(renewed a minute before it expires) or else the private-app token.

The `state` sent to HubSpot names the workspace, expires, and is spent once: its nonce is kept
on the connection, so a callback replayed with the same state is refused.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from urllib.parse import urlencode

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations import oauth_state
from integrations.base import RetryableError
from integrations.connections import (
    CONNECTED,
    MissingConnection,
    connection_row,
    record_result,
)
from integrations.credentials import load_credential, store_credential
from integrations.oauth_state import OAuthError, Tokens
from storage.config import Settings
from storage.models import Connection
from storage.scope import Tenant
from storage.types import utcnow

INTEGRATION = "hubspot"
SCOPES = (
    "oauth crm.objects.contacts.read crm.objects.contacts.write "
    "crm.objects.deals.read crm.objects.deals.write"
)
TOKEN_PATH = "/oauth/v1/token"
PURPOSE = "hubspot-oauth"
EARLY = timedelta(seconds=60)
SPENT_KEPT = 20  # how many spent state nonces a connection remembers


class HubSpotAuthError(OAuthError):
    """HubSpot refused (or could not be asked) to grant or renew access; a sentence to show."""


def configured(settings: Settings) -> bool:
    """Whether this instance has a HubSpot app (HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET)."""
    return bool(settings.hubspot_client_id and settings.hubspot_client_secret)


def redirect_uri(settings: Settings) -> str:
    """Where HubSpot sends the person back to (register it as the app's redirect URL)."""
    return settings.public_url.rstrip("/") + "/connections/hubspot/callback"


def make_state(settings: Settings, workspace_id: str, now: float | None = None) -> str:
    """A signed, expiring, single-use `state` naming the workspace that asked."""
    return oauth_state.make_state(
        settings.resolved_secret_key, PURPOSE, workspace_id, nonce=secrets.token_hex(8), now=now
    )


def check_state(settings: Settings, state: str, now: float | None = None) -> tuple[str, str]:
    """(workspace id, nonce) a `state` was made for; HubSpotAuthError if forged or expired."""
    try:
        checked = oauth_state.check_state(
            settings.resolved_secret_key,
            PURPOSE,
            state,
            provider="HubSpot",
            single_use=True,
            now=now,
        )
    except OAuthError as exc:
        raise HubSpotAuthError(str(exc)) from None
    assert checked.nonce is not None
    return checked.workspace_id, checked.nonce


def authorize_url(settings: Settings, workspace_id: str) -> str:
    """HubSpot's page where the person picks their HubSpot account and allows Levqor in."""
    if not configured(settings):
        raise HubSpotAuthError(
            "Connecting with HubSpot is not set up on this Levqor: an operator sets "
            "HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET. A private-app token works meanwhile."
        )
    query = {
        "client_id": settings.hubspot_client_id,
        "redirect_uri": redirect_uri(settings),
        "scope": SCOPES,
        "state": make_state(settings, workspace_id),
    }
    return f"{settings.hubspot_auth_base.rstrip('/')}/oauth/authorize?{urlencode(query)}"


async def _grant(http: httpx.AsyncClient, settings: Settings, form: dict[str, str]) -> Tokens:
    form |= {
        "client_id": settings.hubspot_client_id or "",
        "client_secret": settings.hubspot_client_secret or "",
    }
    url = settings.hubspot_api_base.rstrip("/") + TOKEN_PATH
    try:
        response = await http.post(url, data=form, timeout=15)
    except httpx.TransportError:
        raise HubSpotAuthError("HubSpot could not be reached; try again in a minute.") from None
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    if response.status_code >= 400 or not isinstance(body.get("access_token"), str):
        refused = {body.get("status"), body.get("error")}
        if "BAD_AUTH_CODE" in refused:
            raise HubSpotAuthError("HubSpot did not accept that sign-in; start connecting again.")
        if refused & {"BAD_REFRESH_TOKEN", "invalid_grant"}:
            raise HubSpotAuthError(
                "HubSpot no longer accepts this workspace's access (it was revoked or expired); "
                "connect HubSpot again.",
                revoked=True,
            )
        raise HubSpotAuthError(f"HubSpot refused to grant access (answer {response.status_code}).")
    lifetime = int(body.get("expires_in") or 1800)
    return Tokens(
        access_token=body["access_token"],
        expires_at=utcnow() + timedelta(seconds=lifetime),
        refresh_token=body.get("refresh_token"),
    )


async def exchange_code(http: httpx.AsyncClient, settings: Settings, code: str) -> Tokens:
    """Trade the code HubSpot sent back for an access token and a refresh token."""
    form = {"grant_type": "authorization_code", "code": code}
    form["redirect_uri"] = redirect_uri(settings)
    tokens = await _grant(http, settings, form)
    if not tokens.refresh_token:
        raise HubSpotAuthError("HubSpot did not grant lasting access; connect again.")
    return tokens


async def refresh(http: httpx.AsyncClient, settings: Settings, refresh_token: str) -> Tokens:
    """A new access token from the refresh token."""
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    form["redirect_uri"] = redirect_uri(settings)
    return await _grant(http, settings, form)


async def _store(session: AsyncSession, workspace_id: str, tokens: Tokens, s: Settings) -> None:
    await store_credential(
        session, workspace_id, INTEGRATION, "access_token", tokens.access_token, settings=s
    )
    if tokens.refresh_token:
        await store_credential(
            session, workspace_id, INTEGRATION, "refresh_token", tokens.refresh_token, settings=s
        )


async def _load(session: AsyncSession, workspace_id: str, name: str, s: Settings) -> str | None:
    return await load_credential(session, workspace_id, INTEGRATION, name, settings=s)


def uses_oauth(row: Connection | None) -> bool:
    """Whether the workspace's HubSpot connection was made by signing in with HubSpot."""
    return row is not None and row.config.get("mode") == "oauth"


async def renew_access(
    session: AsyncSession, workspace_id: str, settings: Settings, http: httpx.AsyncClient
) -> datetime:
    """Trade the refresh token for a new access token, seal it, and return its expiry.

    The caller commits. MissingConnection (saying to reconnect HubSpot on the Connections page)
    when there is no refresh token or HubSpot revoked it; the connection then needs attention.
    """
    tenant = Tenant(session, workspace_id)
    row = await connection_row(tenant, INTEGRATION)
    refresh_token = await _load(session, workspace_id, "refresh_token", settings)
    if row is None or not refresh_token:
        raise MissingConnection(INTEGRATION, settings)
    try:
        tokens = await refresh(http, settings, refresh_token)
    except HubSpotAuthError as exc:
        if exc.revoked:
            await record_result(tenant, INTEGRATION, False, str(exc))
            await session.commit()
            raise MissingConnection(INTEGRATION, settings, str(exc)) from None
        raise RetryableError(str(exc)) from None
    await _store(session, workspace_id, tokens, settings)
    row.config = {**row.config, "expires_at": tokens.expires_at.isoformat()}
    session.add(row)
    await session.flush()
    return tokens.expires_at


async def workspace_token(
    session: AsyncSession, workspace_id: str, settings: Settings, http: httpx.AsyncClient
) -> str | None:
    """The token HubSpot calls use: OAuth (renewed when due) or the private-app token.

    None when the workspace has neither. The caller commits (a renewal saves the new token).
    """
    row = await connection_row(Tenant(session, workspace_id), INTEGRATION)
    if not uses_oauth(row):
        return await _load(session, workspace_id, "token", settings)
    assert row is not None
    stored = await _load(session, workspace_id, "access_token", settings)
    expires = row.config.get("expires_at")
    fresh = isinstance(expires, str) and datetime.fromisoformat(expires) - EARLY > utcnow()
    if stored and fresh:
        return stored
    await renew_access(session, workspace_id, settings, http)
    return await _load(session, workspace_id, "access_token", settings)


async def complete_consent(
    session: AsyncSession,
    workspace_id: str,
    state: str,
    code: str,
    settings: Settings,
    http: httpx.AsyncClient,
    member_id: str | None = None,
) -> None:
    """Finish "Connect with HubSpot": check `state` (this workspace's, unspent), trade the code,
    seal the tokens. HubSpotAuthError (a sentence) otherwise. The caller commits."""
    owner, nonce = check_state(settings, state)
    if owner != workspace_id:
        raise HubSpotAuthError(
            "That HubSpot sign-in was started from another workspace; start connecting again here."
        )
    tenant = Tenant(session, workspace_id)
    row = await connection_row(tenant, INTEGRATION)
    spent = [str(n) for n in (row.config.get("spent_states", []) if row is not None else [])]
    if nonce in spent:
        raise HubSpotAuthError(
            "That HubSpot sign-in link was already used; start connecting again."
        )
    tokens = await exchange_code(http, settings, code)
    await _store(session, workspace_id, tokens, settings)
    if row is None:
        row = tenant.add(Connection(workspace_id=workspace_id, integration=INTEGRATION))
        row.created_by = member_id
    row.config = {
        "mode": "oauth",
        "expires_at": tokens.expires_at.isoformat(),
        "spent_states": [*spent, nonce][-SPENT_KEPT:],
    }
    row.status, row.detail, row.updated_at = CONNECTED, None, utcnow()
    session.add(row)
    await session.flush()
