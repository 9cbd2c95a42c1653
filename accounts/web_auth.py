"""Web sign-up and sign-in: Argon2id password hashes, server-side sessions behind a cookie."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.subscriptions import start_trial
from accounts.workspaces import add_member, create_workspace, get_by_slug
from storage.models import Member, Role, WebLogin, WebSession, Workspace
from storage.types import utcnow

SESSION_DAYS = 14
MIN_PASSWORD = 10
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()  # Argon2id with the library's current (RFC 9106 low-memory) costs


class SignUpError(ValueError):
    """The sign-up form cannot be accepted; the message says which field and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class WebUser:
    """Who a signed-in browser acts as."""

    workspace: Workspace
    member: Member
    login: WebLogin
    csrf_token: str
    # The agency's own workspace while its member acts in one of its clients (`workspace`).
    home: Workspace | None = None


def hash_password(password: str) -> str:
    """The stored form of a password."""
    return _hasher.hash(password)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_hash(token: str) -> str:
    """The stored form of a session cookie's token."""
    return _token_hash(token)


def _slug_for(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "workspace"
    return slug if slug[0].isalnum() else f"w{slug}"


async def _free_slug(session: AsyncSession, name: str) -> str:
    base = _slug_for(name)
    slug = base
    while await get_by_slug(session, slug) is not None:
        slug = f"{base}-{secrets.token_hex(2)}"
    return slug


def check_sign_up(workspace_name: str, name: str, email: str, password: str) -> None:
    """Raise `SignUpError` for the first field that is not acceptable."""
    if not workspace_name.strip():
        raise SignUpError("workspace", "Name your workspace (your company or team).")
    if not name.strip():
        raise SignUpError("name", "Tell us your name.")
    if not EMAIL_PATTERN.match(email.strip()):
        raise SignUpError("email", "Enter an email address like you@example.com.")
    if len(password) < MIN_PASSWORD:
        raise SignUpError("password", f"Use a password of at least {MIN_PASSWORD} characters.")


async def sign_up(
    session: AsyncSession,
    *,
    workspace_name: str,
    name: str,
    email: str,
    password: str,
    trial: bool = False,
) -> WebLogin:
    """Create a workspace with this person as its owner, and their login (caller commits).

    `trial`: the workspace starts Levqor's free trial (when billing is set up on this server).
    """
    check_sign_up(workspace_name, name, email, password)
    address = email.strip().lower()
    taken = await session.exec(select(WebLogin).where(WebLogin.email == address))
    if taken.first() is not None:
        raise SignUpError("email", "That email already has an account: sign in instead.")
    workspace = await create_workspace(
        session, await _free_slug(session, workspace_name), workspace_name.strip()
    )
    member = await add_member(session, workspace, name.strip(), Role.owner, email=address)
    if trial:
        start_trial(session, workspace)
    login = WebLogin(
        workspace_id=workspace.id,
        member_id=member.id,
        email=address,
        password_hash=hash_password(password),
    )
    session.add(login)
    await session.flush()
    return login


async def anyone_can_sign_in(session: AsyncSession) -> bool:
    """Whether any web login exists (none: a fresh install, where the first visitor signs up)."""
    return (await session.exec(select(WebLogin.id).limit(1))).first() is not None


async def sign_in(session: AsyncSession, email: str, password: str) -> WebLogin | None:
    """The login for these credentials, or None (the same answer for a wrong email or password)."""
    address = email.strip().lower()
    login = (await session.exec(select(WebLogin).where(WebLogin.email == address))).first()
    if login is None:
        _hasher.hash(password)  # spend the same time as a real check: no account probing by timing
        return None
    try:
        _hasher.verify(login.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(login.password_hash):
        login.password_hash = hash_password(password)
    login.last_sign_in_at = utcnow()
    return login


async def open_session(session: AsyncSession, login: WebLogin) -> str:
    """A new browser session for `login`; returns the cookie token (stored only as a hash)."""
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=_token_hash(token),
            workspace_id=login.workspace_id,
            login_id=login.id,
            csrf_token=secrets.token_urlsafe(24),
            expires_at=utcnow() + timedelta(days=SESSION_DAYS),
        )
    )
    await session.flush()
    return token


async def resolve_session(session: AsyncSession, token: str) -> WebUser | None:
    """The signed-in user behind a cookie token, or None when unknown or expired."""
    if not token:
        return None
    query = (
        select(WebSession, WebLogin, Member, Workspace)
        .join(WebLogin, col(WebLogin.id) == WebSession.login_id)
        .join(Member, col(Member.id) == WebLogin.member_id)
        .join(Workspace, col(Workspace.id) == WebSession.workspace_id)
        .where(WebSession.token_hash == _token_hash(token))
    )
    found = (await session.exec(query)).first()
    if found is None:
        return None
    web_session, login, member, workspace = found
    if web_session.expires_at <= utcnow():
        return None
    return WebUser(workspace, member, login, web_session.csrf_token)


async def close_session(session: AsyncSession, token: str) -> None:
    """Sign a browser out (caller commits)."""
    await session.exec(delete(WebSession).where(col(WebSession.token_hash) == _token_hash(token)))
