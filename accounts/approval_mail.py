"""Emailing a lone owner the link that confirms approving their own class C workflow.

Through `accounts.account_mail` (SMTP only: without it the link cannot reach anyone, so nothing is
kept); the message carries the link, the outbox copy does not.
"""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.account_mail import AccountMail, MailResult, send_account_mail
from storage.config import Settings
from storage.models import Workspace

LINK_KEPT_OUT = "(the link was emailed to you; it is not kept in this copy)"


def link_text(name: str, reasons: list[str], link: str, minutes: int) -> str:
    """The email's plain-text body."""
    why = "".join(f"\n- {reason}" for reason in reasons)
    return (
        f"You asked to approve “{name}”, a class C workflow. Class C means it deletes data, "
        f"changes billing, handles credentials or sends in bulk:{why}\n\n"
        f"To approve it, open this link (it works once, for {minutes} minutes):\n{link}\n\n"
        "If you did not ask for this, ignore this email: nothing changes, and consider changing "
        "your password.\n"
    )


async def email_approval_link(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
    workspace: Workspace,
    *,
    to: str,
    link: str,
    key: str,
    minutes: int,
    name: str,
    reasons: list[str],
) -> MailResult:
    """Send the confirmation `link` to `to` once per `key`, from the workspace's address."""
    mail = AccountMail(
        to=to,
        subject=f"Confirm approving “{name}” on Levqor",
        text=link_text(name, reasons, link, minutes),
        kept_text=link_text(name, reasons, LINK_KEPT_OUT, minutes),
        key=key,
    )
    return await send_account_mail(settings, sessions, http, workspace, mail, park=False)
