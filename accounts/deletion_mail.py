"""Emailing an owner the link that confirms deleting their workspace (SMTP only: without it the
link cannot reach anyone, so nothing is kept); the outbox copy leaves the link out."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.account_mail import AccountMail, MailResult, send_account_mail
from accounts.approval_mail import LINK_KEPT_OUT
from accounts.deletion import DeletionRequest
from accounts.retention import RESTORE_DAYS
from storage.config import Settings
from storage.models import Workspace


def deletion_text(workspace_name: str, link: str, minutes: int) -> str:
    """The email's plain-text body."""
    return (
        f"You asked to delete the workspace “{workspace_name}” on Levqor.\n\n"
        f"To delete it, open this link (it works once, for {minutes} minutes) and press the "
        f"button:\n{link}\n\n"
        f"Its workflows stop at once. For {RESTORE_DAYS} days an owner can restore it from the "
        "web app; after that, its workflows, runs, messages, contacts, connections and "
        "conversations are erased for good.\n\n"
        "If you did not ask for this, ignore this email: nothing changes, and consider changing "
        "your password.\n"
    )


async def email_deletion_link(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
    workspace: Workspace,
    request: DeletionRequest,
) -> MailResult:
    """Send the confirmation link once per request."""
    assert workspace.deletion_requested_at is not None
    stamp = int(workspace.deletion_requested_at.timestamp())
    mail = AccountMail(
        to=request.to,
        subject=f"Confirm deleting “{workspace.name}” on Levqor",
        text=deletion_text(workspace.name, request.link, request.minutes),
        kept_text=deletion_text(workspace.name, LINK_KEPT_OUT, request.minutes),
        key=f"workspace-delete:{workspace.id}:{stamp}",
    )
    return await send_account_mail(settings, sessions, http, workspace, mail, park=False)
