"""Public HTML pages: hosted forms (`/f/{form_id}`) and unsubscribe links (`/u/{token}`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import FileSystemLoader, Template
from jinja2.sandbox import SandboxedEnvironment
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts import closed
from bot.api.deps import RuntimeDep, SessionDep
from bot.throttle.deps import limiter_of, source_of
from integrations.email import unsubscribe
from integrations.email_templates import read_unsubscribe_token
from storage.config import Settings
from storage.models import Workspace
from workflows import forms
from workflows.errors import Conflict, NotFound

router = APIRouter(tags=["forms"], include_in_schema=False)  # browser pages, not API

_TEMPLATES = Path(__file__).parents[1] / "web" / "templates"
_MAX_FIELDS = 100
AUTOCOMPLETE = {
    "email": "email",
    "name": "name",
    "first_name": "given-name",
    "last_name": "family-name",
    "phone": "tel",
    "company": "organization",
    "website": "url",
}


@lru_cache(maxsize=1)
def _template() -> Template:
    env = SandboxedEnvironment(loader=FileSystemLoader(_TEMPLATES), autoescape=True)
    return env.get_template("form.html")


def page(status: int = 200, **context: Any) -> HTMLResponse:
    """The page template with `context` (a form, a message, or a one-button confirmation)."""
    values = {"fields": None, "errors": {}, "values": {}, "autocomplete": AUTOCOMPLETE, **context}
    return HTMLResponse(_template().render(values), status_code=status)


def _not_found() -> HTMLResponse:
    return page(404, title="Page not found", message="There is nothing at this address.")


async def _closed(session: AsyncSession, hosted: forms.HostedForm) -> HTMLResponse:
    """410: the form's workspace is deleted (the refusal is recorded)."""
    await closed.record_refusal(session, hosted.workflow.workspace_id, "form")
    await session.commit()
    message = "This form no longer takes answers: its owner's workspace is being deleted."
    return page(410, title="This form is closed", message=message)


def form_page(
    settings: Settings, hosted: forms.HostedForm, status: int = 200, **context: Any
) -> HTMLResponse:
    """The form with a fresh signed token (and, when given, the values and errors to correct)."""
    spec = hosted.form
    return page(
        status,
        title=spec.title,
        intro=spec.intro,
        fields=spec.fields,
        submit_label=spec.submit_label,
        action=f"/f/{hosted.workflow.id}",
        token=forms.form_token(settings, hosted.workflow.id),
        owner=hosted.workspace_name,
        **context,
    )


def _thanks(hosted: forms.HostedForm) -> HTMLResponse:
    return page(title="Thank you", message=hosted.form.thank_you, owner=hosted.workspace_name)


async def _fields(request: Request, limit: int) -> dict[str, str] | None:
    """The urlencoded body as a dict, or None when it is too big or not a form post."""
    if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        return None
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            return None
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=_MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        return None
    return dict(pairs)


@router.get("/f/{form_id}", response_class=HTMLResponse)
async def show_form(form_id: str, runtime: RuntimeDep, session: SessionDep) -> HTMLResponse:
    """The hosted form of an active webhook workflow (404 for anything else)."""
    try:
        hosted = await forms.hosted_form(session, form_id)
    except NotFound:
        return _not_found()
    if await closed.is_closed(session, hosted.workflow.workspace_id):
        return await _closed(session, hosted)
    return form_page(runtime.settings, hosted)


@router.post("/f/{form_id}", response_class=HTMLResponse)
async def submit_form(
    form_id: str, request: Request, runtime: RuntimeDep, session: SessionDep
) -> HTMLResponse:
    """Check token, honeypot and fields, then start the workflow's run; a thank-you page."""
    await limiter_of(request).strict("form_post", source_of(request), form_id)
    settings = runtime.settings
    try:
        hosted = await forms.hosted_form(session, form_id)
    except NotFound:
        return _not_found()
    if await closed.is_closed(session, hosted.workflow.workspace_id):
        return await _closed(session, hosted)
    data = await _fields(request, settings.webhook_max_bytes)
    if data is None:
        return form_page(settings, hosted, 400, problem="The form could not be read; try again.")
    submission = forms.read_submission(hosted.form, data)
    try:
        forms.check_token(settings, form_id, data.get(forms.TOKEN_FIELD, ""))
    except forms.FormRejected as exc:
        return form_page(settings, hosted, 400, values=submission.values, problem=str(exc))
    if submission.spam:
        return _thanks(hosted)  # bots get the same answer and start nothing
    if submission.errors:
        context = {"values": submission.values, "errors": submission.errors}
        return form_page(settings, hosted, 422, **context)
    token = data[forms.TOKEN_FIELD]
    try:
        started = await forms.submit(session, settings, hosted, submission.values, token)
    except (NotFound, Conflict):
        return _not_found()
    if started.created:
        runtime.submit(started.run.id)
    return _thanks(hosted)


async def _subscriber(
    session: SessionDep, settings: Settings, token: str
) -> tuple[str, str] | None:
    found = read_unsubscribe_token(settings, token)
    if found is None or await session.get(Workspace, found[0]) is None:
        return None
    return found


@router.get("/u/{token}", response_class=HTMLResponse)
async def confirm_unsubscribe(token: str, runtime: RuntimeDep, session: SessionDep) -> HTMLResponse:
    """A confirmation button (link scanners that fetch the link unsubscribe nobody)."""
    found = await _subscriber(session, runtime.settings, token)
    if found is None:
        return _not_found()
    return page(
        title="Unsubscribe",
        message=f"Stop sending these emails to {found[1]}?",
        action=f"/u/{token}",
        button="Unsubscribe",
    )


@router.post("/u/{token}", response_class=HTMLResponse)
async def one_click_unsubscribe(
    token: str, runtime: RuntimeDep, session: SessionDep
) -> HTMLResponse:
    """RFC 8058 one-click (and the confirmation button): later drip mail to the address stops."""
    found = await _subscriber(session, runtime.settings, token)
    if found is None:
        return _not_found()
    await unsubscribe(runtime.sessions, *found)
    return page(title="Unsubscribed", message=f"{found[1]} will get no more of these emails.")
