"""Web pages: the visual workflow editor (step cards, schema-driven config, live preview, save).

`GET /workflows/{id}/edit` shows the latest version's spec; the page's script posts the spec
being edited to `/workflows/{id}/preview` (validation, summary in words, approval class) and
saves it with `/workflows/{id}/versions` (a new version waiting for approval).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import HTMLResponse, JSONResponse

from agents.llm_catalogue import input_errors
from bot.api.errors import error_body
from bot.api.workflows import describe
from bot.web.auth import ApiContext, CsrfChecked, PageContext
from bot.web.pages.trial import trial_json
from bot.web.render import render
from integrations.registry import ActionRegistry
from workflows import policy, service
from workflows import spec as spec_models
from workflows.describe import step_sentences, trigger_words
from workflows.errors import InvalidSpec
from workflows.live import LiveEvent
from workflows.spec import TRIGGER_TYPES, WorkflowSpec
from workflows.trial import try_spec

router = APIRouter(include_in_schema=False)

SpecBody = Body(..., description="The workflow spec being edited")
_STEP = re.compile(r"^steps\[(\d+)\](?: \([^)]*\))?")
_WHOLE_STEP = re.compile(r"^steps\.\d+$")
_INDEX = re.compile(r"\[(\d+)\]")
_TRIGGER_TAG = re.compile(r"^trigger\.(?:" + "|".join(TRIGGER_TYPES) + r")(?=\.|$)")
_TRIGGER_MODELS = spec_models.TRIGGER_MODELS
_STEP_DETAIL = re.compile(r"^step '[^']*': ")
_INPUT_FIELD = re.compile(r"^(inputs[^:\s]*): ")


def location(raw: str) -> str:
    """A validation location as a dotted path: `steps[2] (send).inputs.to` → `steps.2.inputs.to`."""
    loc = _STEP.sub(lambda m: f"steps.{m.group(1)}", raw)
    loc = _INDEX.sub(lambda m: f".{m.group(1)}", loc)
    return _TRIGGER_TAG.sub("trigger", loc)


def _entry(raw_location: str, message: str) -> dict[str, str]:
    # Whole-spec checks name the step in the message: "steps[1] (x).inputs.text: refers to ..."
    if raw_location == "spec" and _STEP.match(message) and ": " in message:
        raw_location, message = message.split(": ", 1)
    where = location(raw_location)
    if _WHOLE_STEP.match(where):  # "step 'x': the condition …" / "step 'x': inputs.text: …"
        detail = _STEP_DETAIL.sub("", message)
        if detail.startswith(("invalid condition", "the condition")):
            where += ".when"
        elif (field := _INPUT_FIELD.match(detail)) is not None:
            where += "." + location(field.group(1))
    return {"location": where, "message": message}


def check(data: Any, registry: ActionRegistry) -> tuple[WorkflowSpec | None, list[dict[str, str]]]:
    """The parsed spec (None if it does not parse) and every problem, by dotted location."""
    try:
        spec = service.parse_spec(data, registry)
    except InvalidSpec as exc:
        found = exc.errors or [{"location": "spec", "message": str(exc)}]
        return None, [_entry(e["location"], e["message"]) for e in found]
    problems = [p.split(": ", 1) for p in input_errors(spec, registry)]
    return spec, [_entry(where, message) for where, message in problems]


def _words(data: Any) -> tuple[list[str], list[str]]:
    """The trigger and each step in words, from whatever parts of the data make sense."""
    spec = data if isinstance(data, dict) else {}
    trigger = spec.get("trigger")
    name = spec.get("name") or "This workflow"
    summary = [f"{name} runs {trigger_words(trigger)}."] if isinstance(trigger, dict) else []
    steps = step_sentences(spec)
    summary += [f"{i}. {line}" for i, line in enumerate(steps, 1)]
    return summary, steps


def preview_of(data: Any, registry: ActionRegistry) -> dict[str, Any]:
    """What the editor shows beside the spec: validity, words, approval class, errors, JSON."""
    spec, errors = check(data, registry)
    normal = spec.model_dump(mode="json", exclude_none=True) if spec else data
    summary, steps = _words(normal)
    assessment = policy.assess(spec, registry) if spec else None
    return {
        "valid": spec is not None and not errors,
        "summary": summary,
        "steps": steps,
        "approval_class": assessment.approval_class if assessment else None,
        "class_summary": assessment.summary if assessment else "",
        "reasons": assessment.reasons if assessment else [],
        "errors": errors,
        "json": normal,
    }


def catalogue(registry: ActionRegistry) -> list[dict[str, Any]]:
    """The actions the editor offers: name, description, risk and input JSON schema."""
    return [
        {
            "name": action.name,
            "description": action.description,
            "risk": action.risk.name,
            "schema": action.input_model.model_json_schema(),
        }
        for action in registry.actions()
    ]


def trigger_schemas() -> dict[str, dict[str, Any]]:
    """Each trigger type's JSON schema (its fields, for the trigger form)."""
    schemas = {}
    for model in _TRIGGER_MODELS:
        schema = model.model_json_schema()
        schema["properties"].pop("type", None)
        schema["description"] = (model.__doc__ or "").strip()
        schemas[model.model_fields["type"].default] = schema
    return schemas


@router.get("/workflows/{workflow_id}/edit", response_class=HTMLResponse)
async def edit_page(request: Request, workflow_id: str, ctx: PageContext) -> HTMLResponse:
    """The editor for a workflow's latest version."""
    workflow = await service.get_workflow(ctx.tenant, workflow_id)
    out = await describe(ctx.tenant, workflow, ctx.runtime)
    spec = out.spec or {"name": workflow.name, "trigger": {"type": "manual"}, "steps": []}
    registry = ctx.runtime.registry
    data = {
        "workflow": {
            "id": workflow.id,
            "name": workflow.name,
            "status": workflow.status.value,
            "active_version": workflow.active_version,
            "latest_version": workflow.latest_version,
        },
        "spec": spec,
        "preview": preview_of(spec, registry),
        "actions": catalogue(registry),
        "triggers": trigger_schemas(),
        "may_save": policy.may_operate(ctx.user.member.role),
    }
    return render(
        request,
        "editor/edit.html",
        ctx.user,
        title=f"Edit {workflow.name}",
        workflow=out,
        data=data,
    )


@router.post("/workflows/{workflow_id}/preview", dependencies=[CsrfChecked])
async def preview(workflow_id: str, ctx: ApiContext, spec: Any = SpecBody) -> dict[str, Any]:
    """Validate the spec being edited and describe it (nothing is stored)."""
    await service.get_workflow(ctx.tenant, workflow_id)
    return preview_of(spec, ctx.runtime.registry)


@router.post("/workflows/{workflow_id}/try", dependencies=[CsrfChecked])
async def try_edited(workflow_id: str, ctx: ApiContext, spec: Any = SpecBody) -> JSONResponse:
    """Dry-run the spec being edited once on sample data (nothing is sent or stored)."""
    workflow = await service.get_workflow(ctx.tenant, workflow_id)
    parsed, errors = check(spec, ctx.runtime.registry)
    if parsed is None or errors:
        body = error_body("invalid_spec", "Fix the problems in the preview first.", errors)
        return JSONResponse(body, status_code=422)
    trial = await try_spec(
        ctx.runtime,
        parsed.model_dump(mode="json", exclude_none=True),
        workspace=ctx.user.workspace,
        workflow_id=workflow.id,
        requested_by=ctx.user.member.id,
    )
    return JSONResponse({**trial_json(trial), "failed": len(trial.failed)})


@router.post("/workflows/{workflow_id}/versions", dependencies=[CsrfChecked])
async def save(workflow_id: str, ctx: ApiContext, spec: Any = SpecBody) -> JSONResponse:
    """Store the edited spec as a new version waiting for approval (the running one stays)."""
    await service.get_workflow(ctx.tenant, workflow_id)
    service.require_operator(ctx.user.member, "change workflows")
    registry = ctx.runtime.registry
    parsed, errors = check(spec, registry)
    if parsed is None or errors:
        message = "; ".join(f"{e['location']}: {e['message']}" for e in errors)
        body = error_body("invalid_spec", f"Fix these first: {message}", errors)
        return JSONResponse(body, status_code=422)
    proposal = await service.propose_version(
        ctx.tenant, workflow_id, parsed, registry, ctx.user.member
    )
    await ctx.tenant.session.commit()
    number, approval_class = proposal.version.version, proposal.approval.approval_class
    ctx.runtime.live.publish(
        LiveEvent(ctx.user.workspace.id, "approval.pending", workflow_id=workflow_id)
    )
    return JSONResponse(
        {
            "version": number,
            "state": proposal.version.state.value,
            "approval_id": proposal.approval.id,
            "approval_class": approval_class,
            "active_version": proposal.workflow.active_version,
            "message": f"Saved as version {number} — waiting for approval (class {approval_class})",
            "workflow_url": f"/workflows/{workflow_id}",
            "approvals_url": "/approvals",
        },
        status_code=201,
    )
