"""Emailing an invite link through `accounts.account_mail` (SMTP when configured, else the outbox).

The message that goes out carries the link; the outbox copy does not, so the token is never stored.
"""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.account_mail import AccountMail, MailResult, send_account_mail
from accounts.invites import INVITE_DAYS, NewInvite
from storage.config import Settings
from storage.models import Workspace

LINK_KEPT_OUT = "(the link was shown to whoever invited you; it is not kept in this copy)"

__all__ = ["LINK_KEPT_OUT", "MailResult", "email_invite", "invite_text"]


def invite_text(workspace: Workspace, inviter: str, role: str, link: str) -> str:
    """The invite email's plain-text body."""
    return (
        f"{inviter} invited you to join the workspace “{workspace.name}” on Levqor as {role}.\n\n"
        f"Accept the invite here (the link works once, for {INVITE_DAYS} days):\n{link}\n\n"
        "If you did not expect this, ignore this email.\n"
    )


async def email_invite(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
    new: NewInvite,
    workspace: Workspace,
    inviter: str,
    link: str,
) -> MailResult:
    """Send the invite email once (keyed by the invite), or keep it in the outbox without SMTP."""
    invite, role = new.invite, new.invite.role.value
    mail = AccountMail(
        to=invite.email,
        subject=f"Join {workspace.name} on Levqor",
        text=invite_text(workspace, inviter, role, link),
        kept_text=invite_text(workspace, inviter, role, LINK_KEPT_OUT),
        key=f"invite:{invite.id}",
    )
    return await send_account_mail(settings, sessions, http, workspace, mail)
