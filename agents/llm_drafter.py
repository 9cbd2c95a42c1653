"""`LLMDrafter`: drafts with a language model, validated by code, the offline planner behind it.

One model call per draft; a second only to repair an answer that failed validation (the errors are
sent back). The model fills in status, question/reason, timezone and the spec; the approval class
is always `workflows.policy.assess` of the validated spec, whatever the model says.

Outcomes after the repair round still fails:
- the spec uses an action the registry lacks → status "clarify" with a question naming the unknown
  action and the integrations we have; `workflow` and `approval_class` are None, so nothing the
  model invented can be stored or offered for approval (`LLMDraft.rejected` holds the error);
- anything else unusable (not JSON, wrong shape, invalid spec) → the offline planner's draft.
When the model is unreachable or keeps failing (retries exhausted) → the offline planner's draft
(`OfflineDrafter`, which today drafts the request text alone, ignoring `current`).
Requests to skip approval or to hand out credentials are refused by the offline planner's guard
before any model call (source "guard"); a revision keeps showing the current spec.
`LLMDraft` carries the result plus how it was made (source, fallback reason, calls, tokens, time);
`draft()` returns only the `DraftResult`, as the `Drafter` protocol asks.
"""

from __future__ import annotations

import json
import logging
import time
import zoneinfo
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from agents.drafting import OfflineDrafter
from agents.drafts import DraftResult, DraftStatus
from agents.llm import (
    LLMClient,
    LLMOptions,
    Message,
    ModelUnavailable,
    Reply,
    ReplyFormatError,
    Usage,
)
from agents.llm_catalogue import (
    TOOL_NAME,
    action_catalogue,
    submit_draft_tool,
    trigger_catalogue,
)
from agents.planner import draft as offline_draft
from agents.planner.guard import refusal
from agents.planner.text import normalise
from agents.risk_check import with_owner_check
from integrations.registry import ActionRegistry
from prompts import load_prompt
from storage.config import Settings
from workflows.errors import InvalidSpec
from workflows.policy import assess
from workflows.service import parse_spec
from workflows.spec import CATEGORIES, WorkflowSpec

logger = logging.getLogger(__name__)
Source = Literal["llm", "offline", "guard"]
MAX_OPTION = 200


@dataclass
class LLMDraft:
    """A draft and how it was made: by the model, the offline planner, or the code guard."""

    result: DraftResult
    source: Source = "llm"
    fallback: str | None = None
    rejected: str | None = None
    errors: list[str] = field(default_factory=list)
    model_calls: int = 0
    attempts: int = 0
    usage: Usage = field(default_factory=Usage)
    latency_ms: float = 0.0


class DraftInvalid(ValueError):
    """A model answer that failed validation; `unknown_actions` names actions it invented."""

    def __init__(self, message: str, unknown_actions: list[str] | None = None) -> None:
        super().__init__(message)
        self.unknown_actions = unknown_actions or []


class ModelAnswer(BaseModel):
    """What the model may say. Anything else (an approval class, "approved": true) is dropped."""

    model_config = ConfigDict(extra="ignore")

    status: DraftStatus
    question: str | None = None
    suggestions: list[str] | None = None
    reason: str | None = None
    timezone: str | None = None
    workflow: dict[str, Any] | None = None

    @field_validator("timezone")
    @classmethod
    def _iana(cls, value: str | None) -> str | None:
        if value:
            try:
                zoneinfo.ZoneInfo(value)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"unknown IANA timezone {value!r}") from exc
        return value or None


class LLMDrafter:
    """Drafts with the model at OPENAI_BASE_URL; code validates and classifies every answer."""

    def __init__(
        self,
        settings: Settings,
        registry: ActionRegistry | None = None,
        *,
        options: LLMOptions | None = None,
    ) -> None:
        from integrations.catalog import default_registry

        self.registry = registry or default_registry()
        self.client = LLMClient(settings, options)
        self.system_prompt = load_prompt(
            "draft_system",
            categories=", ".join(f'"{c}"' for c in CATEGORIES),
            triggers=trigger_catalogue(),
            actions=action_catalogue(self.registry),
        )
        self.tools = [submit_draft_tool()]
        self.offline = OfflineDrafter(self.registry)

    async def draft(self, request: str, *, current: dict[str, Any] | None = None) -> DraftResult:
        """Draft `request` (or revise `current` with it); the `Drafter` protocol."""
        return (await self.draft_traced(request, current=current)).result

    async def draft_traced(
        self, request: str, *, current: dict[str, Any] | None = None
    ) -> LLMDraft:
        """Draft, and say how: source, fallback reason, model calls, tokens and latency."""
        start = time.perf_counter()
        trace = LLMDraft(result=DraftResult(status="clarify"))
        reason = refusal(normalise(request))
        if reason:
            trace.result, trace.source = self._refuse(request, current, reason), "guard"
        else:
            try:
                trace.result = await self._ask(request, current, trace)
            except (ModelUnavailable, DraftInvalid) as exc:
                trace.source, trace.fallback = "offline", str(exc)
                trace.result = await self.offline.draft(request, current=current)
        trace.latency_ms = (time.perf_counter() - start) * 1000
        logger.info(
            "draft source=%s calls=%d attempts=%d tokens=%d latency_ms=%.0f fallback=%s",
            trace.source,
            trace.model_calls,
            trace.attempts,
            trace.usage.total_tokens,
            trace.latency_ms,
            trace.fallback,
        )
        return trace

    async def aclose(self) -> None:
        """Close the model client's connections."""
        await self.client.aclose()

    async def _ask(
        self, request: str, current: dict[str, Any] | None, trace: LLMDraft
    ) -> DraftResult:
        if current is None:
            user = load_prompt("draft_request", request=request)
        else:
            user = load_prompt(
                "revise_request", current=json.dumps(current, indent=1), request=request
            )
        messages: list[Message] = [
            {"role": "system", "content": self.system_prompt},
            {"role": "user", "content": user},
        ]
        asked = request if current is None else None  # a change to a draft is read as a whole
        reply = await self._call(messages, trace)
        try:
            return self._accept(reply, asked)
        except DraftInvalid as first:
            trace.errors.append(str(first))
            messages += [
                reply.as_message(),
                *reply.answer_with(load_prompt("repair", errors=str(first))),
            ]
        reply = await self._call(messages, trace)
        try:
            return self._accept(reply, asked)
        except DraftInvalid as second:
            trace.errors.append(str(second))
            if not second.unknown_actions:
                raise DraftInvalid(
                    f"the model's answer was unusable after a repair round: {second}"
                ) from None
            trace.rejected = str(second)
            return DraftResult(status="clarify", question=self._unknown_action_question(second))

    async def _call(self, messages: list[Message], trace: LLMDraft) -> Reply:
        tool_style = self.client.options.style == "tool"
        try:
            reply = await self.client.complete(
                messages,
                tools=self.tools if tool_style else None,
                tool_name=TOOL_NAME if tool_style else None,
            )
        except ModelUnavailable as exc:
            trace.attempts += exc.attempts
            raise
        trace.model_calls += 1
        trace.attempts += reply.attempts
        trace.usage.add(reply.usage)
        return reply

    def _accept(self, reply: Reply, asked: str | None) -> DraftResult:
        """Validate one reply into a DraftResult whose class comes from the policy, or raise.
        `asked` is a new request, read by the risk check (`agents.risk_check`)."""
        try:
            payload = reply.payload()
        except ReplyFormatError as exc:
            raise DraftInvalid(str(exc)) from None
        if isinstance(payload, dict) and "status" not in payload and "steps" in payload:
            payload = {"status": "draft", "workflow": payload}  # a bare spec is a draft
        try:
            answer = ModelAnswer.model_validate(payload)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'answer'}: {e['msg']}" for e in exc.errors()
            )
            raise DraftInvalid(f"the answer has the wrong shape: {problems}") from None
        spec = self._validate_spec(answer.workflow) if answer.workflow is not None else None
        if answer.status == "draft" and spec is None:
            raise DraftInvalid("status is 'draft' but there is no workflow")
        if answer.status == "clarify" and not answer.question:
            raise DraftInvalid("status is 'clarify' but there is no question")
        if answer.status == "refuse" and not answer.reason:
            raise DraftInvalid("status is 'refuse' but there is no reason")
        if spec is not None and asked and answer.status != "refuse":
            spec = with_owner_check(asked, spec, assess(spec, self.registry).approval_class)
        return DraftResult(
            status=answer.status,
            question=answer.question if answer.status == "clarify" else None,
            suggestions=_options(answer.suggestions) if answer.status == "clarify" else None,
            reason=answer.reason if answer.status == "refuse" else None,
            approval_class=assess(spec, self.registry).approval_class if spec else None,
            timezone=answer.timezone,
            workflow=spec.model_dump(mode="json", exclude_none=True) if spec else None,
        )

    def _validate_spec(self, workflow: dict[str, Any]) -> WorkflowSpec:
        try:
            spec = parse_spec(workflow, self.registry)
        except InvalidSpec as exc:
            only_unknown = all("unknown action" in e["message"] for e in exc.errors)
            steps = workflow.get("steps", []) if only_unknown else []
            unknown = [s["action"] for s in steps if s.get("action") not in self.registry]
            raise DraftInvalid(str(exc), unknown_actions=unknown) from None
        return spec

    def _refuse(self, request: str, current: dict[str, Any] | None, reason: str) -> DraftResult:
        if current is None:
            reading = offline_draft(request, self.registry)
            return reading.model_copy(
                update={"status": "refuse", "reason": reason, "question": None}
            )
        try:
            spec = parse_spec(current, self.registry)
        except InvalidSpec:
            return DraftResult(status="refuse", reason=reason)
        return DraftResult(
            status="refuse",
            reason=reason,
            approval_class=assess(spec, self.registry).approval_class,
            workflow=spec.model_dump(mode="json", exclude_none=True),
        )

    def _unknown_action_question(self, error: DraftInvalid) -> str:
        names = ", ".join(f"'{name}'" for name in dict.fromkeys(error.unknown_actions))
        integrations = sorted({a.integration for a in self.registry.actions()})
        return (
            f"Levqor has no {names} action, so I can't build that step. "
            f"Which of these tools should it use instead: {', '.join(integrations)}?"
        )


def _options(suggestions: list[str] | None) -> list[str] | None:
    """At most 3 distinct, short, non-empty options (None when there are none)."""
    kept = [" ".join(s.split())[:MAX_OPTION] for s in suggestions or [] if s.strip()]
    return list(dict.fromkeys(kept))[:3] or None
