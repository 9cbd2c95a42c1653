"""Record the decision (service.decide and the policy), then schedule; keyed by the approval."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.approval import ApprovalResponse
from agents.context import Context
from agents.mentions import mention
from agents.state import State
from agents.tools.approvals import decide as record_decision
from agents.tools.members import who_may_approve
from storage.models import Approval
from storage.scope import Tenant
from workflows.errors import Conflict, Forbidden, NameNeeded, NotFound, NotReady


async def decide(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Approve or reject as the member in the context; a denied approver leaves it pending."""
    ctx = runtime.context
    response = ApprovalResponse.model_validate(state.get("response") or {})
    pending = state.get("pending")
    approval_id = response.approval_id or (pending["approval_id"] if pending else None)
    done: dict[str, Any] = {"response": None, "denied": False}
    if approval_id is None:
        return {**done, "reply": "Nothing in this conversation is waiting for approval."}
    ours = pending is not None and pending["approval_id"] == approval_id
    try:
        decided = await record_decision(
            ctx.runtime, ctx.workspace_id, ctx.member_id, approval_id, response
        )
    except NameNeeded as exc:  # the conversation has no name field and cannot email a link
        page = f"{ctx.runtime.settings.public_url.rstrip('/')}/approvals"
        reply = (
            f"{str(exc).rstrip('.')}. Do that on the Approvals page: {page}. It is still pending."
        )
        return {**done, "reply": reply, "denied": ours}
    except Forbidden as exc:
        async with ctx.runtime.sessions() as session:  # as the card says it, for this request
            tenant = Tenant(session, ctx.workspace_id)
            approval = await tenant.get(Approval, approval_id)
            who = await who_may_approve(tenant, approval) if approval else "nobody yet"
        reply = f"{str(exc).rstrip('.')}. Who can approve: {who}. It is still pending."
        return {**done, "reply": reply, "denied": ours, "shown": approval_id}
    except NotReady as exc:  # a stand-in address: the card keeps waiting, as it was
        return {
            **done,
            "reply": f"{exc} It is still pending.",
            "denied": ours,
            "shown": approval_id,
        }
    except (Conflict, NotFound) as exc:
        reply = f"{exc}; nothing changed."
        # A stale card answered: the current one keeps waiting.
        return {**done, "reply": reply, "pending": None if ours else pending, "denied": not ours}
    after: dict[str, Any] = {
        **done,
        "workflow_id": decided.workflow_id,
        "mentions": mention(state, decided.workflow_id),
    }
    if ours:
        after["pending"] = None
    if not decided.approved:
        if state.get("draft_workflow_id") == decided.workflow_id:
            # A rejected draft is never "it" again: only naming it brings it back.
            after |= {"draft": None, "draft_workflow_id": None, "template_id": None}
        return {**after, "reply": _rejected(decided.workflow_name, decided.status)}
    reply = f"Approved: {decided.workflow_name} is {decided.status}."
    return {**after, "reply": reply + _next(ctx, decided.workflow_id)}


def _rejected(name: str, status: str) -> str:
    if status == "draft":
        return (
            f"Rejected: {name} will not run. To reopen it later, say "
            f"“bring back the rejected {name}”; or tell me what to automate instead."
        )
    return f"Rejected: this change to {name} will not be used; it keeps running as before."


def _next(ctx: Context, workflow_id: str) -> str:
    scheduler = ctx.runtime.scheduler
    fire = scheduler.next_fire_time(workflow_id) if scheduler else None
    return f" Next run: {fire:%a %d %b %H:%M %Z}." if fire else ""
