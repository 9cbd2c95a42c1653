"""Google access for actions: a usable access token, renewed with the refresh token when due."""

from __future__ import annotations

from datetime import datetime

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations import google_oauth
from integrations.base import RetryableError
from integrations.connections import (
    CONNECTED,
    MissingConnection,
    connection_row,
    record_result,
)
from integrations.credentials import load_credential
from storage.config import Settings
from storage.models import Connection
from storage.scope import Tenant
from storage.types import utcnow


async def renew_access(
    session: AsyncSession, workspace_id: str, settings: Settings, http: httpx.AsyncClient
) -> datetime:
    """Trade the refresh token for a new access token, seal it, and return its expiry.

    The caller commits. MissingConnection when the workspace has no refresh token or Google
    revoked it (the connection is then marked as needing attention).
    """
    tenant = Tenant(session, workspace_id)
    row = await connection_row(tenant, "google")
    _, refresh_token = await google_oauth.current_tokens(session, workspace_id, settings=settings)
    if row is None or not refresh_token:
        raise MissingConnection("google", settings)
    try:
        tokens = await google_oauth.refresh(http, settings, refresh_token)
    except google_oauth.GoogleAuthError as exc:
        if exc.revoked:
            await record_result(tenant, "google", False, str(exc))
            await session.commit()
            raise MissingConnection("google", settings, str(exc)) from None
        raise RetryableError(str(exc)) from None
    await google_oauth.store_tokens(session, workspace_id, tokens, settings=settings)
    row.config = {**row.config, "expires_at": tokens.expires_at.isoformat()}
    session.add(row)
    await session.flush()
    return tokens.expires_at


async def access_token(
    session: AsyncSession, workspace_id: str, settings: Settings, http: httpx.AsyncClient
) -> str:
    """A usable access token: the stored one, renewed first if it expires within a minute.

    Falls back to a raw token stored before connections existed (`sheets`/`token`).
    """
    row = await connection_row(Tenant(session, workspace_id), "google")
    if row is None:
        legacy = await load_credential(session, workspace_id, "sheets", "token", settings=settings)
        if legacy:
            return legacy
        raise MissingConnection("google", settings)
    stored, _ = await google_oauth.current_tokens(session, workspace_id, settings=settings)
    expires = row.config.get("expires_at")
    fresh = (
        isinstance(expires, str) and datetime.fromisoformat(expires) - google_oauth.EARLY > utcnow()
    )
    if stored and fresh:
        return stored
    await renew_access(session, workspace_id, settings, http)
    renewed, _ = await google_oauth.current_tokens(session, workspace_id, settings=settings)
    assert renewed is not None
    return renewed


async def complete_consent(
    session: AsyncSession,
    workspace_id: str,
    state: str,
    code: str,
    settings: Settings,
    http: httpx.AsyncClient,
    member_id: str | None = None,
) -> None:
    """Finish "Connect Google Sheets": check `state`, trade the code, seal the tokens.

    GoogleAuthError (a sentence) when the state is not this workspace's or Google refuses.
    The caller commits.
    """
    if google_oauth.check_state(settings, state) != workspace_id:
        raise google_oauth.GoogleAuthError(
            "That Google sign-in was started from another workspace; start connecting again here."
        )
    tokens = await google_oauth.exchange_code(http, settings, code)
    await google_oauth.store_tokens(session, workspace_id, tokens, settings=settings)
    tenant = Tenant(session, workspace_id)
    row = await connection_row(tenant, "google")
    if row is None:
        row = tenant.add(Connection(workspace_id=workspace_id, integration="google"))
        row.created_by = member_id
    row.config = {"expires_at": tokens.expires_at.isoformat(), "scope": google_oauth.SCOPE}
    row.status, row.detail, row.updated_at = CONNECTED, None, utcnow()
    session.add(row)
    await session.flush()
