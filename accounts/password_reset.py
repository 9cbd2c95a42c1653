"""Password reset links: signed, short-lived, single use, and stored nowhere.

A link's token is `login id . expiry . signature`, the signature an HMAC (the instance's secret key)
over the login id, the expiry and the login's current password hash. Setting a new password changes
the hash, so a used link (and every other link for that login) stops working; nothing needs to be
stored or cleaned up. Links last `LINK_MINUTES`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from sqlmodel import col, delete
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.web_auth import MIN_PASSWORD, SignUpError, hash_password
from storage.compare import same_secret
from storage.config import Settings
from storage.models import WebLogin, WebSession

LINK_MINUTES = 60


class ResetLinkError(ValueError):
    """The link is malformed, expired, already used, or for a login that no longer exists."""


def _signature(settings: Settings, login: WebLogin, expires: int) -> str:
    secret = settings.resolved_secret_key.encode()
    message = f"password-reset:{login.id}:{expires}:{login.password_hash}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def reset_token(settings: Settings, login: WebLogin, now: float | None = None) -> str:
    """A token that lets whoever holds it set `login`'s password once, for `LINK_MINUTES`."""
    expires = int((time.time() if now is None else now) + LINK_MINUTES * 60)
    return f"{login.id}.{expires}.{_signature(settings, login, expires)}"


def reset_link(settings: Settings, login: WebLogin) -> str:
    """The full reset URL for `login` (on `LEVQOR_PUBLIC_URL`)."""
    return f"{settings.public_url.rstrip('/')}/password/reset/{reset_token(settings, login)}"


async def login_for_token(
    session: AsyncSession, settings: Settings, token: str, now: float | None = None
) -> WebLogin:
    """The login a still-valid token is for; ResetLinkError saying why not otherwise."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        raise ResetLinkError("This reset link is not valid. Ask for a new one.")
    login_id, expires_text, signature = parts
    login = await session.get(WebLogin, login_id)
    expected = _signature(settings, login, int(expires_text)) if login else ""
    if login is None or not same_secret(expected, signature):
        raise ResetLinkError("This reset link is not valid or was already used. Ask for a new one.")
    if int(expires_text) < (time.time() if now is None else now):
        raise ResetLinkError(f"This reset link has expired (links last {LINK_MINUTES} minutes).")
    return login


async def set_password(session: AsyncSession, login: WebLogin, password: str) -> None:
    """Set a new password and sign every browser of this login out (caller commits)."""
    if len(password) < MIN_PASSWORD:
        raise SignUpError("password", f"Use a password of at least {MIN_PASSWORD} characters.")
    login.password_hash = hash_password(password)
    session.add(login)
    await session.exec(delete(WebSession).where(col(WebSession.login_id) == login.id))
