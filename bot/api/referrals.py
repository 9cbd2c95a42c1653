"""Referrals: the workspace's link and what it led to."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from accounts import referrals
from bot.api.deps import PrincipalDep, RuntimeDep, SessionDep
from bot.api.responses import AUTHENTICATED

router = APIRouter(prefix="/api/referrals", tags=["referrals"], responses=AUTHENTICATED)


class ReferralsOut(BaseModel):
    """The link, clicks, sign-ups, paying referrals and rewards."""

    link: str
    clicks: int
    signups: int
    paying: int
    rewards: int
    credited_pence: int


@router.get("")
async def show(principal: PrincipalDep, session: SessionDep, runtime: RuntimeDep) -> ReferralsOut:
    """The workspace's referral link and its figures."""
    f = await referrals.figures(session, principal.workspace)
    await session.commit()
    base = runtime.settings.public_url.rstrip("/")
    return ReferralsOut(
        link=f"{base}/r/{f.code}",
        clicks=f.clicks,
        signups=f.signups,
        paying=f.paying,
        rewards=f.rewards,
        credited_pence=f.credited_pence,
    )
