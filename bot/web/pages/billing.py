"""Web page: `/billing` — plan, status, trial days left, renewal, usage meters, plan choices."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from accounts import plans
from accounts.billing import summary
from bot.web.auth import PageContext
from bot.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/billing", response_class=HTMLResponse)
async def billing_page(request: Request, ctx: PageContext, plan: str | None = None) -> HTMLResponse:
    """The workspace's billing; `?plan=growth` preselects a plan to change to."""
    state = await summary(ctx.tenant.session, ctx.tenant.workspace_id)
    choices = [
        {
            "plan": p,
            "monthly": plans.money(p.monthly_pence),
            "annual": plans.money(p.annual_pence),
        }
        for p in plans.PLANS
    ]
    return render(
        request,
        "billing/index.html",
        ctx.user,
        title="Billing",
        state=state,
        choices=choices,
        chosen=plan if plan in plans.BY_KEY else None,
        is_owner=ctx.user.member.role.value == "owner",
        discount=plans.ANNUAL_DISCOUNT_PERCENT,
    )
