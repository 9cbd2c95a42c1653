"""Hosted forms: which workflow serves one, its signed timestamp token, checks, and the run."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.compare import same_secret
from storage.config import Settings
from storage.models import Workflow, WorkflowStatus, Workspace
from storage.scope import Tenant
from workflows.errors import BadRequest, NotFound
from workflows.runs import StartedRun
from workflows.service import active_version
from workflows.spec import FormField, FormSpec, WebhookTrigger
from workflows.triggers.webhook import receive, sign
from workflows.versions import spec_of

TOKEN_FIELD, HONEYPOT_FIELD = "form_token", "website_url"
TOKEN_MAX_AGE_SECONDS = 24 * 3600
_EMAIL = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"']+$")
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


class FormRejected(BadRequest):
    """A submission whose token is missing, forged or expired; the form is shown again."""


@dataclass(frozen=True)
class HostedForm:
    """An active webhook workflow's form, with the workspace that owns it."""

    workflow: Workflow
    trigger: WebhookTrigger
    form: FormSpec
    workspace_name: str


@dataclass
class Submission:
    """Cleaned values of the declared fields, errors by field name, and whether it is a bot's."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    spam: bool = False


async def hosted_form(session: AsyncSession, form_id: str) -> HostedForm:
    """The form of active workflow `form_id`; NotFound unless its webhook trigger has a form."""
    workflow = await session.get(Workflow, form_id)
    if workflow is None or workflow.status != WorkflowStatus.active:
        raise NotFound("there is no form at this address")
    version = await active_version(Tenant(session, workflow.workspace_id), workflow)
    trigger = spec_of(version).trigger
    if not isinstance(trigger, WebhookTrigger) or trigger.form is None:
        raise NotFound("there is no form at this address")
    workspace = await session.get(Workspace, workflow.workspace_id)
    return HostedForm(workflow, trigger, trigger.form, workspace.name if workspace else "")


def form_token(settings: Settings, form_id: str, now: float | None = None) -> str:
    """`<unix time>.<nonce>.<HMAC>`: we rendered this form, when; it also names the submission."""
    issued = str(int(now if now is not None else time.time()))
    nonce = secrets.token_urlsafe(12)
    return f"{issued}.{nonce}.{_mac(settings, form_id, issued, nonce)}"


def check_token(settings: Settings, form_id: str, token: str, now: float | None = None) -> None:
    """FormRejected unless `token` was issued for this form within the last day."""
    issued, nonce, mac = [*token.split("."), "", ""][:3]
    if not issued.isdigit() or not same_secret(mac, _mac(settings, form_id, issued, nonce)):
        raise FormRejected("the form could not be verified; please send it again")
    age = (now if now is not None else time.time()) - int(issued)
    if not -60 <= age <= TOKEN_MAX_AGE_SECONDS:
        raise FormRejected("the form has expired; please send it again")


def _mac(settings: Settings, form_id: str, issued: str, nonce: str) -> str:
    key = settings.resolved_secret_key.encode()
    message = f"form:{form_id}:{issued}:{nonce}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:40]


def read_submission(form: FormSpec, data: Mapping[str, str]) -> Submission:
    """Check every declared field (required, type, length); undeclared fields are dropped."""
    result = Submission(spam=bool(data.get(HONEYPOT_FIELD, "").strip()))
    for spec in form.fields:
        value = data.get(spec.name, "").strip()
        problem = _problem(spec, value)
        if problem:
            result.errors[spec.name] = problem
        if value:
            result.values[spec.name] = value
    return result


def _problem(spec: FormField, value: str) -> str | None:
    if not value:
        return f"Enter {spec.label.lower()}." if spec.required else None
    if len(value) > spec.max_length:
        return f"{spec.label} must be at most {spec.max_length} characters."
    if spec.type == "email" and not _EMAIL.match(value):
        return "Enter an email address like name@example.com."
    if spec.type == "url" and not _URL.match(value):
        return "Enter a web address starting with https://."
    if spec.type == "number":
        try:
            float(value)
        except ValueError:
            return f"{spec.label} must be a number."
    return None


async def submit(
    session: AsyncSession,
    settings: Settings,
    hosted: HostedForm,
    values: dict[str, str],
    token: str,
) -> StartedRun:
    """Start the workflow's run through the webhook hub; the same token again starts nothing."""
    workflow = hosted.workflow
    body = json.dumps(values).encode()
    headers = {
        "content-type": "application/json",
        "idempotency-key": "form:" + hashlib.sha256(token.encode()).hexdigest()[:40],
    }
    if hosted.trigger.signature_header:  # the hub checks it like any sender's
        headers[hosted.trigger.signature_header.lower()] = sign(workflow.webhook_secret, body)
    delivery = await receive(
        session,
        workflow.id,
        workflow.webhook_secret,
        body,
        headers,
        max_bytes=settings.webhook_max_bytes,
    )
    return delivery.started
