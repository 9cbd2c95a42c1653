"""A signed-in person's own account: change password, change sign-in email, sign out everywhere.

Each change asks for the current password. A new password also ends every other signed-in
browser (the one making the change stays signed in).
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.web_auth import EMAIL_PATTERN, MIN_PASSWORD, hash_password, token_hash
from storage.models import AuditLog, Member, WebLogin, WebSession

_hasher = PasswordHasher()


class AccountError(ValueError):
    """A change to one's account is refused; `field` says which form field, the message why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _check_password(login: WebLogin, password: str) -> None:
    try:
        _hasher.verify(login.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise AccountError("current", "That is not your current password.") from None


def _audit(session: AsyncSession, login: WebLogin, action: str) -> None:
    session.add(
        AuditLog(
            workspace_id=login.workspace_id, actor=login.email, action=action, subject=login.id
        )
    )


async def sign_out_others(session: AsyncSession, login: WebLogin, keep_token: str | None) -> None:
    """End every session of `login` except the one whose cookie token is `keep_token`."""
    query = delete(WebSession).where(col(WebSession.login_id) == login.id)
    if keep_token:
        query = query.where(col(WebSession.token_hash) != token_hash(keep_token))
    await session.exec(query)


async def change_password(
    session: AsyncSession, login: WebLogin, current: str, new: str, keep_token: str
) -> None:
    """Set a new password (caller commits); other browsers are signed out."""
    _check_password(login, current)
    if len(new) < MIN_PASSWORD:
        raise AccountError("new", f"Use a password of at least {MIN_PASSWORD} characters.")
    login.password_hash = hash_password(new)
    session.add(login)
    await sign_out_others(session, login, keep_token)
    _audit(session, login, "account.password_changed")
    await session.flush()


async def change_email(
    session: AsyncSession, login: WebLogin, member: Member, email: str, current: str
) -> str:
    """Sign in with `email` from now on (caller commits); returns the stored address."""
    _check_password(login, current)
    address = email.strip().lower()
    if not EMAIL_PATTERN.match(address):
        raise AccountError("email", "Enter an email address like you@example.com.")
    if address == login.email:
        return address
    taken = (await session.exec(select(WebLogin).where(WebLogin.email == address))).first()
    if taken is not None:
        raise AccountError("email", "That email already signs in to an account.")
    clash = (
        await session.exec(
            select(Member).where(
                Member.workspace_id == member.workspace_id, Member.email == address
            )
        )
    ).first()
    if clash is not None and clash.id != member.id:
        raise AccountError("email", "Someone in this workspace already has that email.")
    _audit(session, login, "account.email_changed")
    login.email = address
    member.email = address
    session.add(login)
    session.add(member)
    await session.flush()
    return address


async def sign_out_everywhere(session: AsyncSession, login: WebLogin) -> None:
    """End every signed-in browser of `login`, this one included (caller commits)."""
    await sign_out_others(session, login, None)
    _audit(session, login, "account.signed_out_everywhere")
