"""Web pages: the template marketplace, one template's form, and creating a draft from it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from accounts import limits
from agents.views import who_approves
from bot.web.auth import CsrfChecked, PageContext
from bot.web.flash import flash_answer
from bot.web.render import render
from integrations.connections import LABELS
from integrations.registry import ActionRegistry
from workflows import policy, service
from workflows.catalog import Template, TemplateCatalog, TemplateParamsError, substitute
from workflows.describe import step_sentences, trigger_words
from workflows.errors import InvalidSpec, NotFound
from workflows.needs import needed_connections
from workflows.spec import CATEGORIES

router = APIRouter(include_in_schema=False)
CATEGORY_LABELS = {c: c.replace("_", " ").capitalize() for c in CATEGORIES}
_PARAM_IN_MESSAGE = re.compile(r"parameter '([a-z][a-z0-9_]*)'")
NAME_FIELD = "workflow_name"


@dataclass
class Card:
    """A template as the marketplace shows it."""

    template: Template
    trigger: str
    approval_class: str | None
    needs: tuple[tuple[str, str], ...] = ()  # (label, connection) it needs connected

    @property
    def category(self) -> str:
        """The category's label."""
        return CATEGORY_LABELS[self.template.category]


def _sample(template: Template) -> dict[str, Any]:
    """Values to preview a template with: defaults, else examples, else the parameter's name."""
    return {
        name: p.default if not p.required else (p.example if p.example is not None else f"<{name}>")
        for name, p in template.parameters.items()
    }


def card_of(template: Template, registry: ActionRegistry) -> Card:
    """The template's trigger in words and the approval class a draft of it would get."""
    sample = _sample(template)
    trigger = trigger_words(substitute(template.spec.get("trigger", {}), sample))
    try:
        spec = template.instantiate(sample)
        approval_class: str | None = policy.assess(spec, registry).approval_class
    except (TemplateParamsError, KeyError, ValueError):
        approval_class = None
    needs = tuple((LABELS[n], n) for n in needed_connections(template.spec))
    return Card(template, trigger, approval_class, needs)


def preview_steps(template: Template) -> list[dict[str, str]]:
    """The template's steps in words, defaults filled in and required values named."""
    shown = {
        name: f"({p.description[:1].lower()}{p.description[1:]})" if p.required else p.default
        for name, p in template.parameters.items()
    }
    spec = substitute(
        {"trigger": template.spec.get("trigger", {}), "steps": template.spec.get("steps", [])},
        shown,
    )
    words = step_sentences(spec)
    return [
        {"name": s.get("name") or s.get("id", ""), "words": said}
        for s, said in zip(spec["steps"], words, strict=True)
    ]


def _get(template_id: str) -> Template:
    try:
        return TemplateCatalog.load().get(template_id)
    except KeyError:
        raise NotFound(f"template {template_id} not found") from None


def ask_url(template: Template) -> str:
    """The chat, with a plain request to set this template up already typed in."""
    return "/?ask=" + quote(f"Set up the “{template.name}” template for me", safe="")


@router.get("/templates")
async def templates_page(
    request: Request, ctx: PageContext, category: str | None = None, q: str | None = None
) -> Response:
    """The template marketplace: category tabs, a search box and template cards."""
    catalog = TemplateCatalog.load()
    category = category if category in CATEGORIES else None
    search = (q or "").strip()[:200]
    found = catalog.list(category, search or None)
    return render(
        request,
        "templates/list.html",
        ctx.user,
        title="Templates",
        cards=[card_of(t, ctx.runtime.registry) for t in found],
        counts=catalog.categories(),
        total=len(catalog),
        labels=CATEGORY_LABELS,
        category=category,
        q=search,
    )


def _form_values(template: Template, zone: str | None = None) -> dict[str, str]:
    values = {NAME_FIELD: template.name}
    for name, param in template.parameters.items():
        values[name] = _as_field(param.default) if not param.required else ""
    if "timezone" in values and zone:
        values["timezone"] = zone  # new drafts are in the workspace's timezone
    return values


def _as_field(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _show(
    request: Request,
    ctx: PageContext,
    template: Template,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    problem: str | None = None,
) -> Response:
    return render(
        request,
        "templates/detail.html",
        ctx.user,
        status=422 if errors or problem else 200,
        title=template.name,
        card=card_of(template, ctx.runtime.registry),
        steps=preview_steps(template),
        who=who_approves,
        values=values,
        errors=errors or {},
        problem=problem,
        ask=ask_url(template),
        may_operate=policy.may_operate(ctx.user.member.role),
        name_field=NAME_FIELD,
    )


@router.get("/templates/{template_id}")
async def template_page(request: Request, template_id: str, ctx: PageContext) -> Response:
    """One template: what it does, and a form for its parameters."""
    template = _get(template_id)
    return _show(request, ctx, template, _form_values(template, ctx.user.workspace.timezone))


def _convert(template: Template, form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Typed parameters from form text, and a message per field that does not fit."""
    params: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, param in template.parameters.items():
        text = form.get(name, "").strip()
        if param.type == "boolean":
            params[name] = text in ("on", "true", "1", "yes")
        elif not text:
            if param.required:
                errors[name] = f"Enter {param.description[:1].lower()}{param.description[1:]}."
            elif param.type == "list":
                params[name] = []
        elif param.type == "integer":
            try:
                params[name] = int(text)
            except ValueError:
                errors[name] = "Enter a whole number, like 5."
        elif param.type == "number":
            try:
                params[name] = float(text) if "." in text else int(text)
            except ValueError:
                errors[name] = "Enter a number, like 250 or 9.5."
        elif param.type == "list":
            items = [item.strip() for item in text.replace("\n", ",").split(",")]
            params[name] = [int(i) if i.isdigit() else i for i in items if i]
        else:
            params[name] = text
    return params, errors


@router.post("/templates/{template_id}", dependencies=[CsrfChecked])
async def create_from_template(request: Request, template_id: str, ctx: PageContext) -> Response:
    """Create a workflow from the template's form; it waits for approval before it runs."""
    template = _get(template_id)
    service.require_operator(ctx.user.member, "create workflows")
    raw = await request.form()
    form = {key: value for key, value in raw.items() if isinstance(value, str)}
    values = {name: form.get(name, "") for name in (NAME_FIELD, *template.parameters)}
    params, errors = _convert(template, form)
    name = form.get(NAME_FIELD, "").strip() or template.name
    if len(name) > 200:
        errors[NAME_FIELD] = "Keep the name under 200 characters."
    if errors:
        return _show(request, ctx, template, values, errors)
    try:
        params = template.in_zone(params, ctx.user.workspace.timezone)
        spec = template.instantiate(params).model_copy(update={"name": name})
        spec = service.parse_spec(
            spec.model_dump(mode="json", exclude_none=True), ctx.runtime.registry
        )
    except TemplateParamsError as exc:
        found = _PARAM_IN_MESSAGE.search(str(exc))
        if found and found.group(1) in template.parameters:
            return _show(request, ctx, template, values, {found.group(1): str(exc)})
        return _show(request, ctx, template, values, problem=str(exc))
    except InvalidSpec as exc:
        return _show(request, ctx, template, values, problem=str(exc))
    tenant = ctx.tenant
    refusal = await limits.check(tenant.session, tenant.workspace_id, "workflow")
    if refusal is not None:
        return _show(
            request, ctx, template, values, problem=f"{refusal.message} {limits.UPGRADE_WORDS}"
        )
    proposal = await service.create_workflow(
        tenant, spec, ctx.runtime.registry, ctx.user.member, template_id=template.id
    )
    await tenant.session.commit()
    workflow = proposal.workflow
    ctx.runtime.live.approval_changed(proposal.approval)
    message = f"Created “{workflow.name}”. It runs once its approval is granted."
    return flash_answer(request, f"/workflows/{workflow.id}", message)
