"""Levqor's own billing over REST: `GET /api/billing` (plan, status, usage, limits)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from accounts.billing import summary
from bot.api.deps import TenantDep
from bot.api.responses import AUTHENTICATED

router = APIRouter(tags=["billing"], responses=AUTHENTICATED)


@router.get("/api/billing")
async def read_billing(tenant: TenantDep) -> dict[str, Any]:
    """The workspace's plan, status (`trialing`, `active`, `past_due`, `read_only`, `canceled`),
    trial end, current period, and usage against the plan's limits."""
    return (await summary(tenant.session, tenant.workspace_id)).as_json()
