"""Workflow routes: create (template or spec), list, read, new version, status changes, run."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, status

from accounts import limits
from bot.api.deps import PrincipalDep, RuntimeDep, TenantDep
from bot.api.responses import AUTHENTICATED
from bot.api.schemas import (
    ApprovalOut,
    RunOut,
    RunRequest,
    VersionCreate,
    WorkflowCreate,
    WorkflowOut,
)
from storage.models import Approval, Decision, Workflow, WorkflowVersion
from storage.scope import Tenant
from workflows import service
from workflows.catalog import TemplateCatalog, TemplateParamsError, UnknownTemplateError
from workflows.errors import InvalidSpec, NotFound
from workflows.runs import run_manually
from workflows.runtime import Runtime
from workflows.spec import WorkflowSpec

router = APIRouter(prefix="/api/workflows", tags=["workflows"], responses=AUTHENTICATED)


async def describe(tenant: Tenant, workflow: Workflow, runtime: Runtime) -> WorkflowOut:
    """A workflow with its latest spec, class, webhook URL and pending approval."""
    version = await tenant.first(
        tenant.select(WorkflowVersion).where(
            WorkflowVersion.workflow_id == workflow.id,
            WorkflowVersion.version == workflow.latest_version,
        )
    )
    pending = await tenant.first(
        tenant.select(Approval).where(
            Approval.workflow_id == workflow.id, Approval.decision == Decision.pending
        )
    )
    spec = version.spec if version else None
    hook = form = None
    trigger = spec.get("trigger", {}) if spec else {}
    if trigger.get("type") == "webhook":
        base = runtime.settings.public_url.rstrip("/")
        hook = f"{base}/hooks/{workflow.id}/{workflow.webhook_secret}"
        form = f"{base}/f/{workflow.id}" if trigger.get("form") else None
    return WorkflowOut.of(
        workflow,
        spec=spec,
        approval_class=version.approval_class if version else None,
        webhook_url=hook,
        form_url=form,
        approval=ApprovalOut.of(pending) if pending else None,
    )


def _spec_from(body: WorkflowCreate, runtime: Runtime, zone: str | None = None) -> WorkflowSpec:
    if body.template_id is not None:
        try:
            catalog = TemplateCatalog.load()
            params = catalog.get(body.template_id).in_zone(body.params, zone)
            spec = catalog.instantiate(body.template_id, params)
        except UnknownTemplateError as exc:
            raise NotFound(str(exc)) from None
        except TemplateParamsError as exc:
            raise InvalidSpec(str(exc), [{"location": "params", "message": str(exc)}]) from None
        return service.parse_spec(spec, runtime.registry)
    return service.parse_spec(body.spec, runtime.registry)


def _may_request(principal: PrincipalDep) -> None:
    service.require_operator(principal.member, "create or change workflows")


@router.post("", status_code=status.HTTP_201_CREATED)
async def create(
    body: WorkflowCreate, tenant: TenantDep, principal: PrincipalDep, runtime: RuntimeDep
) -> WorkflowOut:
    """Create a workflow; it waits for approval before it can run."""
    _may_request(principal)
    spec = _spec_from(body, runtime, principal.workspace.timezone)
    await limits.require(tenant.session, tenant.workspace_id, "workflow")
    proposal = await service.create_workflow(
        tenant, spec, runtime.registry, principal.member, template_id=body.template_id
    )
    await tenant.session.commit()
    runtime.live.approval_changed(proposal.approval)
    return await describe(tenant, proposal.workflow, runtime)


@router.get("")
async def list_all(
    tenant: TenantDep, runtime: RuntimeDep, status: str | None = None
) -> list[WorkflowOut]:
    """This workspace's workflows, newest first."""
    return [
        await describe(tenant, w, runtime) for w in await service.list_workflows(tenant, status)
    ]


@router.get("/{workflow_id}")
async def read(workflow_id: str, tenant: TenantDep, runtime: RuntimeDep) -> WorkflowOut:
    """One workflow."""
    return await describe(tenant, await service.get_workflow(tenant, workflow_id), runtime)


@router.post("/{workflow_id}/versions", status_code=status.HTTP_201_CREATED)
async def new_version(
    workflow_id: str,
    body: VersionCreate,
    tenant: TenantDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> WorkflowOut:
    """Propose a changed spec; the running version stays until this one is approved."""
    _may_request(principal)
    spec = service.parse_spec(body.spec, runtime.registry)
    proposal = await service.propose_version(
        tenant, workflow_id, spec, runtime.registry, principal.member
    )
    await tenant.session.commit()
    runtime.live.approval_changed(proposal.approval)
    return await describe(tenant, proposal.workflow, runtime)


@router.post("/{workflow_id}/run", status_code=status.HTTP_202_ACCEPTED)
async def run_now(
    workflow_id: str,
    tenant: TenantDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    body: RunRequest | None = None,
) -> RunOut:
    """Run the approved version now (or dry-run it: nothing is sent, nothing is written)."""
    _may_request(principal)
    body = body or RunRequest()
    workflow = await service.get_workflow(tenant, workflow_id)
    if not body.dry_run:
        await limits.require(tenant.session, tenant.workspace_id, "run")
    started = await run_manually(
        tenant, principal.member, workflow, payload=body.payload, dry_run=body.dry_run
    )
    await tenant.session.commit()
    if body.wait or body.dry_run:
        return RunOut.of(await runtime.engine.execute(started.run.id))
    runtime.submit(started.run.id)
    return RunOut.of(started.run)


@router.post("/{workflow_id}/{verb}")
async def change_status(
    workflow_id: str,
    verb: Literal["pause", "resume", "archive"],
    tenant: TenantDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
) -> WorkflowOut:
    """Pause, resume or archive; the scheduler follows."""
    if verb == "resume":
        await limits.require(tenant.session, tenant.workspace_id, "activate")
    workflow = await service.transition(tenant, workflow_id, verb, principal.member)
    await tenant.session.commit()
    await runtime.sync_workflow(workflow)
    return await describe(tenant, workflow, runtime)
