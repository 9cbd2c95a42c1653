"""Referrals: each workspace's link (`/r/{code}`), the clicks and sign-ups it led to, and the
figures the growth panel shows. Payments and rewards are recorded as `paid` and `reward` events
by `accounts.referral_rewards` when a referred workspace pays."""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ReferralEvent, ReferralLink, Workspace

COOKIE = "levqor_ref"
COOKIE_DAYS = 30


@dataclass(frozen=True)
class Figures:
    """What the growth panel shows."""

    code: str
    clicks: int
    signups: int
    paying: int
    rewards: int
    credited_pence: int = 0  # the credit this workspace's rewards put on its Levqor bill


async def link_code(session: AsyncSession, workspace: Workspace) -> str:
    """The workspace's referral code, made on first use (the caller commits)."""
    query = select(ReferralLink).where(ReferralLink.workspace_id == workspace.id)
    link = (await session.exec(query)).first()
    if link is None:
        link = ReferralLink(code=secrets.token_urlsafe(8), workspace_id=workspace.id)
        session.add(link)
        await session.flush()
    return link.code


async def referrer(session: AsyncSession, code: str) -> str | None:
    """The workspace id a code belongs to (None for an unknown code or a deleted workspace)."""
    link = await session.get(ReferralLink, code[:32])
    if link is None:
        return None
    workspace = await session.get(Workspace, link.workspace_id)
    return workspace.id if workspace is not None and workspace.deleted_at is None else None


async def record_click(session: AsyncSession, code: str) -> bool:
    """Count a visit through a link; False for an unknown code."""
    workspace_id = await referrer(session, code)
    if workspace_id is None:
        return False
    session.add(ReferralEvent(workspace_id=workspace_id, kind="click"))
    return True


async def attribute_signup(session: AsyncSession, code: str, new_workspace_id: str) -> bool:
    """Attribute a new workspace to the link it came through (never to itself, never twice)."""
    workspace_id = await referrer(session, code)
    if workspace_id is None or workspace_id == new_workspace_id:
        return False
    query = select(ReferralEvent).where(
        ReferralEvent.kind == "signup", ReferralEvent.referred_workspace_id == new_workspace_id
    )
    if (await session.exec(query)).first() is not None:
        return False
    session.add(
        ReferralEvent(
            workspace_id=workspace_id, kind="signup", referred_workspace_id=new_workspace_id
        )
    )
    return True


async def figures(session: AsyncSession, workspace: Workspace) -> Figures:
    """Clicks, sign-ups, paying referrals and rewards of the workspace's link."""
    code = await link_code(session, workspace)
    query = select(ReferralEvent.kind, ReferralEvent.amount_pence).where(
        ReferralEvent.workspace_id == workspace.id
    )
    rows = (await session.exec(query)).all()
    counts = Counter(kind for kind, _ in rows)
    credited = sum(amount or 0 for kind, amount in rows if kind == "reward")
    return Figures(
        code, counts["click"], counts["signup"], counts["paid"], counts["reward"], credited
    )
