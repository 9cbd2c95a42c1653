"""`POST /api/milestones`: a customer reached a milestone (from the customer's own product)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from bot.api.deps import PrincipalDep, TenantDep
from bot.api.responses import AUTHENTICATED
from workflows.milestones import record_milestone
from workflows.service import require_operator

router = APIRouter(tags=["milestones"], responses=AUTHENTICATED)


class MilestoneIn(BaseModel):
    """Who reached what."""

    email: str = Field(max_length=320, examples=["dana@example.com"])
    milestone: str = Field(max_length=64, examples=["created_first_workflow"])


class MilestoneOut(BaseModel):
    """The contact's milestones after this one."""

    contact_id: str
    email: str
    milestone: str
    reached_at: str = Field(description="when it was first reached (a repeat keeps this)")
    first_time: bool
    new_contact: bool
    milestones: list[str]


@router.post("/api/milestones")
async def post_milestone(
    body: MilestoneIn, principal: PrincipalDep, tenant: TenantDep
) -> MilestoneOut:
    """Record a milestone on the contact with this email; later drip steps read it."""
    require_operator(principal.member, "record milestones")
    recorded = await record_milestone(tenant, body.email, body.milestone)
    return MilestoneOut(**recorded.__dict__)
