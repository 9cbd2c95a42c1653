"""Levqor's own plan: "what plan am I on, how much have I used" answered from the workspace's
billing; "upgrade my Levqor plan" sent to the Billing page — never drafted as a workflow (a plan
change is class C: an owner chooses it there and confirms the payment with Stripe)."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.context import Context
from agents.state import State


async def billing(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Answer about the plan and usage; a change points to the Billing page."""
    ctx = runtime.context
    words = ctx.runtime.billing_words
    if words is None:
        now = "This server does not bill for Levqor, so nothing is limited."
    else:
        async with ctx.runtime.sessions() as session:
            now = await words(session, ctx.workspace_id)
    args = state.get("args", {})
    if not args.get("change"):
        return {"reply": f"{now} See every figure on the Billing page."}
    plan = f" to {str(args['plan']).title()}" if args.get("plan") else ""
    link = f"{ctx.runtime.settings.public_url.rstrip('/')}/billing"
    return {
        "reply": (
            f"{now} To change your Levqor plan{plan}, an owner chooses it on the Billing page "
            f"({link}) and confirms the payment with Stripe; I do not make a workflow for it."
        )
    }
