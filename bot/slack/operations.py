"""What Slack listeners ask of the services: propose, decide, edit, run, retry (commit here)."""

from __future__ import annotations

from typing import Any

from accounts import limits
from bot.slack.deps import Actor, SlackDeps
from bot.slack.views.draft_card import DraftCard
from storage.models import Approval, Member, Workflow, WorkflowVersion
from storage.scope import Tenant
from workflows import service
from workflows.errors import NotFound
from workflows.lookup import QUOTES, match_workflows
from workflows.runs import StartedRun, retry_failed, run_manually


def may_request(member: Member) -> None:
    """Viewers look; everyone else may ask for, change and run workflows."""
    service.require_operator(member, "create, change or run workflows")


async def fresh_transaction(actor: Actor) -> None:
    """End the read snapshot and forget loaded rows, so what follows sees the latest commits."""
    await actor.session.commit()
    actor.session.expire_all()
    await actor.session.refresh(actor.workspace)
    await actor.session.refresh(actor.member)


async def propose_draft(actor: Actor, deps: SlackDeps, spec_data: Any) -> service.Proposal:
    """Store a drafted spec as a new workflow waiting for approval."""
    may_request(actor.member)
    spec = service.parse_spec(spec_data, deps.runtime.registry)
    await limits.require(actor.session, actor.tenant.workspace_id, "workflow")
    proposal = await service.create_workflow(
        actor.tenant, spec, deps.runtime.registry, actor.member
    )
    await actor.session.commit()
    deps.runtime.live.approval_changed(proposal.approval)
    return proposal


async def card_for(tenant: Tenant, deps: SlackDeps, approval_id: str) -> DraftCard:
    """The draft card of an approval (its version's spec, class, reasons, requester)."""
    approval = await tenant.get(Approval, approval_id)
    if approval is None:
        raise NotFound("this approval request no longer exists")
    version = await tenant.get(WorkflowVersion, approval.version_id)
    assert version is not None
    requester = await tenant.get(Member, approval.requested_by) if approval.requested_by else None
    return DraftCard(
        workflow_id=approval.workflow_id,
        approval_id=approval.id,
        version=version.version,
        approval_class=approval.approval_class,
        reasons=list(approval.reasons),
        spec=dict(version.spec),
        requested_by=requester.slack_user_id if requester else None,
        link=deps.link(f"/api/workflows/{approval.workflow_id}"),
        public_url=deps.settings.public_url,
    )


async def decide(
    actor: Actor,
    deps: SlackDeps,
    approval_id: str,
    *,
    approve: bool,
    confirm: bool = False,
    typed_name: str | None = None,
) -> service.Proposal:
    """Approve or reject (the policy checks the member); an approved trigger is registered."""
    async with deps.lock(f"approval:{approval_id}"):
        await fresh_transaction(actor)
        proposal = await service.decide(
            actor.tenant, approval_id, actor.member, approve=approve, confirm=confirm,
            typed_name=typed_name,
        )  # fmt: skip
        await actor.session.commit()
    if proposal.confirmation is not None:
        return proposal  # still pending: the emailed link decides
    deps.runtime.live.approval_changed(proposal.approval)
    if approve:
        await deps.runtime.sync_workflow(proposal.workflow)
    return proposal


async def propose_edit(
    actor: Actor, deps: SlackDeps, approval_id: str, spec_data: dict[str, Any]
) -> service.Proposal:
    """A new version from the Edit form; the older pending request is superseded."""
    may_request(actor.member)
    approval = await actor.tenant.get(Approval, approval_id)
    if approval is None:
        raise NotFound("this approval request no longer exists")
    spec = service.parse_spec(spec_data, deps.runtime.registry)
    workflow_id = approval.workflow_id
    async with deps.lock(f"approval:{approval_id}"):
        await fresh_transaction(actor)
        proposal = await service.propose_version(
            actor.tenant, workflow_id, spec, deps.runtime.registry, actor.member
        )
        await actor.session.commit()
    deps.runtime.live.approval_changed(proposal.approval)
    return proposal


async def run_now(
    actor: Actor, deps: SlackDeps, workflow: Workflow, key: str | None = None
) -> StartedRun:
    """Record a manual run and start it in the background (a repeated `key` starts nothing)."""
    await limits.require(actor.session, actor.tenant.workspace_id, "run")
    started = await run_manually(actor.tenant, actor.member, workflow, idempotency_key=key)
    if started.created:
        await actor.session.commit()
        deps.runtime.submit(started.run.id)
    return started


async def retry(actor: Actor, deps: SlackDeps, run_id: str) -> tuple[Workflow, StartedRun]:
    """Run a failed run's workflow again with the same trigger payload, once per failed run."""
    async with deps.lock(f"retry:{run_id}"):  # concurrent clicks: the second finds the first
        await fresh_transaction(actor)
        await limits.require(actor.session, actor.tenant.workspace_id, "run")
        workflow, started = await retry_failed(actor.tenant, actor.member, run_id)
    if started.created:
        await actor.session.commit()
        deps.runtime.submit(started.run.id)
    return workflow, started


async def find_workflow(tenant: Tenant, ref: str) -> Workflow:
    """The one workflow `ref` names (`workflows.lookup` rules), or NotFound saying why not."""
    if not ref.strip().strip(QUOTES):
        raise NotFound("name a workflow (its id or its name)")
    found = await match_workflows(tenant, ref)
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFound(f"no workflow called “{ref.strip()}” (try `/levqor list`)")
    names = ", ".join(f"{w.name} (`{w.id[:8]}`)" for w in found[:5])
    raise NotFound(f"“{ref.strip()}” matches several workflows: {names}; use the id")
