"""The emailed second factor of a lone owner's own class C approval: single-use, expiring links.

`issue` stores a new link for an approval and a member (only its SHA-256; the token travels by
email alone, see `accounts.approval_mail`) and retires earlier ones for the same pair. Opening the
link shows what it approves (`peek`, no change); confirming it (`approve_by_link`) uses it up and
decides through `service.decide`, so the policy is checked again at that moment.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Approval, ApprovalLink, Member, WorkflowVersion
from storage.scope import Tenant
from storage.types import utcnow
from workflows.errors import Forbidden

if TYPE_CHECKING:
    from workflows.service import Proposal

LINK_MINUTES = 30


class LinkGone(LookupError):
    """The link is unknown, expired or used (`reason`); the message says so in words."""

    MESSAGES = {
        "unknown": "This confirmation link is not valid. Check that you copied all of it.",
        "expired": f"This confirmation link has expired (links last {LINK_MINUTES} minutes). "
        "Approve the request again to get a new one.",
        "used": "This confirmation link has already been used.",
    }

    def __init__(self, reason: str) -> None:
        super().__init__(self.MESSAGES[reason])
        self.reason = reason


@dataclass(frozen=True)
class LinkIssued:
    """A new link: its token (shown to nobody, emailed once) and where it goes."""

    link_id: str
    token: str
    email: str
    expires_at: datetime


@dataclass(frozen=True)
class LinkView:
    """What an opened link approves, for its confirmation page."""

    link: ApprovalLink
    approval: Approval
    workflow_name: str


def token_hash(token: str) -> str:
    """What the table keeps of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(public_url: str, token: str) -> str:
    """The link the owner opens."""
    return f"{public_url.rstrip('/')}/approvals/confirm/{token}"


async def issue(tenant: Tenant, approval: Approval, member: Member) -> LinkIssued:
    """Store a new link (the caller commits, then emails it); earlier ones stop working."""
    if not member.email:
        raise Forbidden(
            "we need to email you a confirmation link, but your account has no email address: "
            "add one, or ask another owner or admin to approve it"
        )
    now = utcnow()
    await tenant.session.exec(
        update(ApprovalLink)
        .where(
            col(ApprovalLink.workspace_id) == tenant.workspace_id,
            col(ApprovalLink.approval_id) == approval.id,
            col(ApprovalLink.member_id) == member.id,
            col(ApprovalLink.used_at).is_(None),
        )
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(minutes=LINK_MINUTES)
    link = tenant.add(
        ApprovalLink(
            workspace_id="",
            approval_id=approval.id,
            member_id=member.id,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=expires,
        )
    )
    return LinkIssued(link.id, token, member.email, expires)


async def _find(session: AsyncSession, token: str, *, lock: bool) -> ApprovalLink:
    query = select(ApprovalLink).where(ApprovalLink.token_hash == token_hash(token))
    link = (await session.exec(query.with_for_update() if lock else query)).first()
    if link is None:
        raise LinkGone("unknown")
    if link.used_at is not None:
        raise LinkGone("used")
    if link.expires_at <= utcnow():
        raise LinkGone("expired")
    return link


async def peek(session: AsyncSession, token: str) -> LinkView:
    """What a still-valid link approves (changes nothing); LinkGone otherwise."""
    link = await _find(session, token, lock=False)
    approval = await session.get(Approval, link.approval_id)
    version = await session.get(WorkflowVersion, approval.version_id) if approval else None
    if approval is None or version is None:
        raise LinkGone("unknown")
    return LinkView(link, approval, str(version.spec.get("name", "")))


async def approve_by_link(session: AsyncSession, token: str) -> Proposal:
    """Use the link up and approve as its member (the policy decides again); caller commits."""
    from workflows import service

    link = await _find(session, token, lock=True)
    link.used_at = utcnow()
    member = await session.get(Member, link.member_id)
    if member is None or member.workspace_id != link.workspace_id:
        raise LinkGone("unknown")
    tenant = Tenant(session, link.workspace_id)
    return await service.decide(tenant, link.approval_id, member, approve=True, link=link)
