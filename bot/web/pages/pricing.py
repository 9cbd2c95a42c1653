"""Web page: the public price list (`/pricing`), rendered from `accounts.plans`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from accounts import plans
from bot.web.auth import OptionalUser
from bot.web.render import render

router = APIRouter(include_in_schema=False)


def plan_rows(plan: plans.Plan) -> list[str]:
    """What a plan allows, one plain sentence a line."""
    rows = [
        plans.amount(plan.active_workflows, "active workflows"),
        f"{plans.amount(plan.runs_per_month, 'runs')} a month",
        plans.amount(plan.members, "team members"),
        f"{plans.amount(plan.ai_drafts_per_month, 'AI drafts')} a month",
    ]
    if plan.client_workspaces:
        rows.append(f"{plan.client_workspaces} client workspaces")
    rows.append(f"Run history kept {plan.retention_days} days")
    rows.append("Exports (CSV)" if plan.exports else "No exports")
    rows.append(f"Support: {plan.support.lower()}")
    return rows


@router.get("/pricing", response_class=HTMLResponse)
async def pricing(request: Request, user: OptionalUser) -> HTMLResponse:
    """Plans, prices (monthly and annual) and limits; open to everyone."""
    cards = [
        {
            "plan": plan,
            "monthly": plans.money(plan.monthly_pence),
            "annual": plans.money(plan.annual_pence),
            "annual_per_month": plans.money(plan.annual_pence // 12),
            "rows": plan_rows(plan),
        }
        for plan in plans.PLANS
    ]
    return render(
        request,
        "billing/pricing.html",
        user,
        title="Pricing",
        cards=cards,
        trial_days=plans.TRIAL_DAYS,
        discount=plans.ANNUAL_DISCOUNT_PERCENT,
    )
