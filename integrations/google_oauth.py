"""Google Sheets over OAuth 2: the consent link, the code exchange, and refreshing access tokens.

The refresh token and the current access token are `Credential` rows (integration `google`); the
access token's expiry is on the workspace's `google` connection. An action asks for a token with
`access_token()`, which refreshes it a minute before it expires.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations import oauth_state
from integrations.credentials import load_credential, store_credential
from integrations.oauth_state import OAuthError, Tokens
from storage.config import Settings
from storage.types import utcnow

SCOPE = "https://www.googleapis.com/auth/spreadsheets"
INTEGRATION = "google"
PURPOSE = "google-oauth"
EARLY = timedelta(seconds=60)


class GoogleAuthError(OAuthError):
    """Google refused (or could not be asked) to grant or renew access; a sentence to show."""


def configured(settings: Settings) -> bool:
    """Whether this instance has a Google OAuth client (GOOGLE_CLIENT_ID and _SECRET)."""
    return bool(settings.google_client_id and settings.google_client_secret)


def redirect_uri(settings: Settings) -> str:
    """Where Google sends the person back to (register it on the OAuth client)."""
    return settings.public_url.rstrip("/") + "/connections/google/callback"


def make_state(settings: Settings, workspace_id: str, now: float | None = None) -> str:
    """A signed, expiring `state` naming the workspace that asked."""
    return oauth_state.make_state(settings.resolved_secret_key, PURPOSE, workspace_id, now=now)


def check_state(settings: Settings, state: str, now: float | None = None) -> str:
    """The workspace id a `state` was made for; GoogleAuthError if forged or expired."""
    try:
        checked = oauth_state.check_state(
            settings.resolved_secret_key, PURPOSE, state, provider="Google", now=now
        )
    except OAuthError as exc:
        raise GoogleAuthError(str(exc)) from None
    return checked.workspace_id


def authorize_url(settings: Settings, workspace_id: str) -> str:
    """Google's consent page for this workspace (offline access: a refresh token comes back)."""
    if not configured(settings):
        raise GoogleAuthError(
            "Google sign-in is not set up on this Levqor: an operator sets GOOGLE_CLIENT_ID "
            "and GOOGLE_CLIENT_SECRET."
        )
    query = {
        "client_id": settings.google_client_id,
        "redirect_uri": redirect_uri(settings),
        "response_type": "code",
        "scope": SCOPE,
        "access_type": "offline",
        "prompt": "consent",
        "state": make_state(settings, workspace_id),
    }
    return f"{settings.google_auth_url}?{urlencode(query)}"


async def _grant(http: httpx.AsyncClient, settings: Settings, form: dict[str, str]) -> Tokens:
    form |= {
        "client_id": settings.google_client_id or "",
        "client_secret": settings.google_client_secret or "",
    }
    try:
        response = await http.post(settings.google_token_url, data=form, timeout=15)
    except httpx.TransportError:
        raise GoogleAuthError("Google could not be reached; try again in a minute.") from None
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code >= 400 or not isinstance(body.get("access_token"), str):
        error = body.get("error") if isinstance(body, dict) else None
        if error == "invalid_grant":
            raise GoogleAuthError(
                "Google no longer accepts this workspace's access (it was revoked or expired); "
                "connect Google Sheets again.",
                revoked=True,
            )
        raise GoogleAuthError(f"Google refused to grant access (answer {response.status_code}).")
    lifetime = int(body.get("expires_in") or 3600)
    return Tokens(
        access_token=body["access_token"],
        expires_at=utcnow() + timedelta(seconds=lifetime),
        refresh_token=body.get("refresh_token"),
    )


async def exchange_code(http: httpx.AsyncClient, settings: Settings, code: str) -> Tokens:
    """Trade the code Google sent back for an access token and a refresh token."""
    tokens = await _grant(
        http,
        settings,
        {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri(settings)},
    )
    if not tokens.refresh_token:
        raise GoogleAuthError("Google did not grant offline access; connect again and allow it.")
    return tokens


async def refresh(http: httpx.AsyncClient, settings: Settings, refresh_token: str) -> Tokens:
    """A new access token from the refresh token (Google may also rotate the refresh token)."""
    return await _grant(
        http, settings, {"grant_type": "refresh_token", "refresh_token": refresh_token}
    )


async def store_tokens(
    session: AsyncSession, workspace_id: str, tokens: Tokens, *, settings: Settings
) -> None:
    """Seal the granted tokens; the caller records the expiry on the connection and commits."""
    await store_credential(
        session, workspace_id, INTEGRATION, "access_token", tokens.access_token, settings=settings
    )
    if tokens.refresh_token:
        await store_credential(
            session,
            workspace_id,
            INTEGRATION,
            "refresh_token",
            tokens.refresh_token,
            settings=settings,
        )


async def current_tokens(
    session: AsyncSession, workspace_id: str, *, settings: Settings
) -> tuple[str | None, str | None]:
    """(access token, refresh token) as stored for the workspace."""
    access = await load_credential(
        session, workspace_id, INTEGRATION, "access_token", settings=settings
    )
    refresh_token = await load_credential(
        session, workspace_id, INTEGRATION, "refresh_token", settings=settings
    )
    return access, refresh_token
