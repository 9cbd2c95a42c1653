"""Try it: run a draft once on sample data as a dry run, and say what each step would do.

Every action runs for real with `dry_run=True` (the same flag the engine's dry runs pass), so a
Slack post or an email is only previewed (`integrations.outbox` records nothing), CRM, Stripe,
HubSpot and Sheets writes are skipped and outbound HTTP other than GET/HEAD is not sent. Unlike
an engine dry run nothing is recorded (no run, no step rows), waits are not waited, and a
failing step does not stop the try: it says why, and later steps go on with sample output so
the owner still sees every message the workflow would send.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ValidationError

from integrations.base import ActionContext, ActionError, RetryableError
from storage.models import Approval, Workflow, WorkflowVersion, Workspace
from storage.scope import Tenant
from storage.types import new_id
from workflows.describe import describe
from workflows.describe_refs import Scene
from workflows.errors import NotFound
from workflows.expressions import ExpressionError
from workflows.sample_triggers import sample_trigger, wrap
from workflows.samples import (
    SKIPPED,
    SampleMessage,
    condition_note,
    each_sample,
    message_of,
    render_inputs,
    sample_context,
    sample_output,
)
from workflows.stand_ins import is_stand_in

if TYPE_CHECKING:
    from workflows.runtime import Runtime

log = logging.getLogger(__name__)
Outcome = Literal["ok", "skipped", "failed", "waited"]


@dataclass(frozen=True)
class TrialStep:
    """What one step did in the try, in words."""

    number: int
    text: str
    outcome: Outcome
    detail: str
    message: SampleMessage | None = None
    problem: str | None = None  # the technical reason, for an "Advanced" disclosure


@dataclass(frozen=True)
class Trial:
    """The try of one draft: the sample it used and each step's outcome."""

    name: str
    sample: str
    steps: list[TrialStep] = field(default_factory=list)

    @property
    def failed(self) -> list[TrialStep]:
        """The steps that would fail."""
        return [s for s in self.steps if s.outcome == "failed"]

    @property
    def verdict(self) -> str:
        """One sentence on how the try went (and that nothing was sent)."""
        if not self.failed:
            return "Every step would work. Nothing was sent: this was only a try."
        first = self.failed[0].number
        count = len(self.failed)
        return (
            f"{count} step{'s' if count > 1 else ''} would fail; a real run would stop at step "
            f"{first}. Nothing was sent: this was only a try."
        )

    @property
    def messages(self) -> list[SampleMessage]:
        """The messages it would send."""
        return [s.message for s in self.steps if s.message is not None and s.outcome == "ok"]


# A call whose web address is still the draft's stand-in: it cannot run until one is given.
STAND_IN_WORDS = (
    "Would fail: its web address is still to be filled in. Give the real one with Edit before "
    "approving; the try went on with sample data."
)


def failure_words(error: BaseException) -> str:
    """Why a step would fail, as a sentence for the owner (no stack traces, no templates)."""
    if isinstance(error, TimeoutError):
        return "It took too long to answer."
    if isinstance(error, ValidationError):
        names = sorted({str(e["loc"][0]) for e in error.errors() if e["loc"]})
        missing = " and ".join(n.replace("_", " ") for n in names) or "some settings"
        return f"Its settings are incomplete or wrong: check its {missing}."
    if isinstance(error, ExpressionError):
        return "A value it uses could not be filled in from the sample data."
    if isinstance(error, RetryableError):
        return f"A service it needs did not answer just now ({error}); a real run would retry."
    if isinstance(error, ActionError):
        text = str(error).strip().rstrip(".")
        return (text[:1].upper() + text[1:] + ".") if text else "The service refused it."
    return "Something unexpected went wrong; the step's log has the details."


def _ran_words(action: str, output: Mapping[str, Any]) -> str:
    """What a step that worked would have done, from its dry-run output."""
    if action == "crm.upsert_contact":
        return "Would add a new contact." if output.get("created") else "Would update the contact."
    if action == "ai.categorize":
        return f"AI sorted the sample as “{output.get('label')}”."
    if action in ("crm.find_contacts", "hubspot.list_contacts"):
        return f"Found {output.get('count', 0)} contact(s)."
    if action == "report.build":
        return f"Built the report “{output.get('title')}”."
    if action == "http.request" and output.get("dry_run"):
        return "Would send the request (not sent: this is a try)."
    return "Would work."


def _message_detail(message: SampleMessage, output: Mapping[str, Any]) -> SampleMessage:
    """The message with the addresses the dry run resolved (`member:me` → an address)."""
    recipients = output.get("recipients") if isinstance(output, Mapping) else None
    if message.kind == "email" and isinstance(recipients, list) and recipients:
        shown = ", ".join(str(r) for r in recipients[:5])
        if shown not in message.to:
            return replace(message, to=f"{message.to.split(' (')[0]} ({shown})")
    return message


_EXPECTED = (ActionError, RetryableError, ValidationError, TimeoutError, ExpressionError)


@dataclass
class _Try:
    """One try in progress: the runtime, the sample context and where it runs."""

    runtime: Runtime
    scene: Scene
    context: dict[str, Any]
    workspace_id: str
    workflow_id: str
    requested_by: str | None
    run_id: str = field(default_factory=lambda: f"try-{new_id()}")

    def action_context(self, step_id: str) -> ActionContext:
        """The context an action gets in the try: a dry run, keyed like an engine step."""
        return ActionContext(
            settings=self.runtime.settings,
            sessions=self.runtime.sessions,
            http=self.runtime.http,
            workspace_id=self.workspace_id,
            workflow_id=self.workflow_id,
            run_id=self.run_id,
            step_id=step_id,
            idempotency_key=f"{self.run_id}:{step_id}",
            dry_run=True,
            extras={"requested_by": self.requested_by, "workspace": self.context["workspace"]},
        )

    async def step(self, step: Mapping[str, Any], number: int, text: str) -> TrialStep:
        """Try one step; its output (or sample output, if it fails) feeds the later steps."""
        step_id, action = str(step.get("id") or number), str(step.get("action") or "")
        if step.get("wait"):
            return TrialStep(number, text, "waited", "Would wait here; the try goes straight on.")
        if condition_note(step.get("when"), self.context) == SKIPPED:
            detail = "Skipped: with this sample its condition is not met."
            return TrialStep(number, text, "skipped", detail)
        context = self.context
        if step.get("for_each"):
            # repeated for each record of a list: tried on the first, as the card shows it
            items, _ = each_sample(step.get("for_each"), self.context)
            if not items:
                detail = "Skipped: with this sample there is nothing in the list it goes through."
                return TrialStep(number, text, "skipped", detail)
            context = {**self.context, "item": items[0], "item_index": 0}
        inputs, unfilled = render_inputs(step, context)
        message = message_of(step, inputs, self.scene)
        if action == "http.request" and is_stand_in(str(inputs.get("url") or "")):
            # nothing to call yet: said so, and later steps go on with sample records
            self.context["steps"][step_id] = wrap(sample_output(action, inputs))
            return TrialStep(number, text, "failed", STAND_IN_WORDS, message)
        try:
            if unfilled:
                raise ExpressionError("an input could not be rendered on the sample")
            timeout = step.get("timeout_seconds") or self.runtime.settings.step_timeout_seconds
            async with asyncio.timeout(float(timeout)):
                result = await self.runtime.registry.get(action).run(
                    self.action_context(step_id), inputs
                )
        except Exception as exc:  # every failure is reported in words, never raised
            if not isinstance(exc, _EXPECTED):
                log.warning("try of %s: step %s failed", self.workflow_id, step_id, exc_info=True)
            self.context["steps"][step_id] = wrap(sample_output(action, inputs))
            detail = "Would fail: " + failure_words(exc)
            problem = f"{type(exc).__name__}: {exc}"[:500]
            return TrialStep(number, text, "failed", detail, message, problem)
        output: dict[str, Any] = result.model_dump(mode="json")
        self.context["steps"][step_id] = wrap(output)
        if message is None:
            return TrialStep(number, text, "ok", _ran_words(action, output))
        detail = "Would send this message (not sent: this is a try)."
        return TrialStep(number, text, "ok", detail, _message_detail(message, output))


async def try_spec(
    runtime: Runtime,
    spec: Mapping[str, Any],
    *,
    workspace: Workspace,
    workflow_id: str,
    requested_by: str | None,
    now: datetime | None = None,
) -> Trial:
    """Run `spec` once on sample data as a dry run; nothing is sent or stored."""
    now = now or datetime.now(UTC)
    described = describe(spec, samples=False)
    context = sample_context(spec, now)
    context["workspace"] = {"id": workspace.id, "name": workspace.name, "slug": workspace.slug}
    context["workflow"] = {"id": workflow_id, "name": described.name}
    trying = _Try(runtime, Scene.of(spec), context, workspace.id, workflow_id, requested_by)
    steps = [
        await trying.step(step, words.number, words.text)
        for step, words in zip(trying.scene.steps, described.steps, strict=False)
    ]
    return Trial(described.name, sample_trigger(spec.get("trigger"), now)[1], steps)


async def try_approval(runtime: Runtime, tenant: Tenant, approval_id: str) -> Trial:
    """Try the version an approval card shows (any member of its workspace may)."""
    approval = await tenant.get(Approval, approval_id)
    if approval is None:
        raise NotFound("this approval request no longer exists")
    version = await tenant.get(WorkflowVersion, approval.version_id)
    workflow = await tenant.get(Workflow, approval.workflow_id)
    workspace = await tenant.session.get(Workspace, tenant.workspace_id)
    if version is None or workflow is None or workspace is None:
        raise NotFound("this draft no longer exists")
    spec, requested_by = dict(version.spec), approval.requested_by or workflow.created_by
    return await try_spec(
        runtime, spec, workspace=workspace, workflow_id=workflow.id, requested_by=requested_by
    )
