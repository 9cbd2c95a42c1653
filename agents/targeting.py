"""Turn an intent that targets a workflow into the node to run, once the target is resolved.

`aim` resolves the reference (or takes the workflow picked from a question) and says what to do:
approve means send the working copy for approval, or decide the approval that waits; a rejected
draft is only reopened, never acted on silently; an ambiguous phrase becomes one question.
"""

from __future__ import annotations

from typing import Any

from agents.context import Context
from agents.mentions import DISCARDED, UNSAVED, unsaved
from agents.references import Reference, read_reference
from agents.resolve import STATUS_WORDS, Ask, Found, in_chat, labels, resolve
from agents.state import State
from agents.tools.known import known_workflows
from storage.models import WorkflowStatus

TARGETED = frozenset({"run", "pause", "resume", "archive", "delete", "show", "reopen"})
Aimed = dict[str, Any]


def aims(kind: str, args: dict[str, Any]) -> bool:
    """Whether this intent acts on a workflow the message points at."""
    return kind in TARGETED or ("target" in args and kind in ("approve", "reject", "revise"))


async def aim(state: State, ctx: Context, kind: str, args: dict[str, Any]) -> Aimed:
    """The state update routing this turn: intent, args (and a decision's response)."""
    if "workflow_id" in args:
        outcome = await _picked(state, ctx, str(args["workflow_id"]))
    else:
        reference = read_reference(str(args.get("target", "")), revive=bool(args.get("revive")))
        if reference is None and kind == "revise" and state.get("draft"):
            return {"intent": "revise", "args": {}}  # "change the channel": the working copy
        outcome = await resolve(ctx.runtime, ctx.workspace_id, state, reference or Reference(""))
    if isinstance(outcome, Ask):
        return _ask(state, kind, args, outcome)
    return act(state, kind, args, outcome)


async def _picked(state: State, ctx: Context, workflow_id: str) -> Found | Ask:
    known = in_chat(state) + await known_workflows(ctx.runtime, ctx.workspace_id)
    for k in known:
        if k.id == workflow_id:
            return Found(k, revived=k.rejected)
    return Ask("That workflow no longer exists. Say “list my workflows” to see them.")


def _ask(state: State, kind: str, args: dict[str, Any], asked: Ask) -> Aimed:
    if kind == "revise" and not asked.options and not asked.suggestions:
        # The words named no workflow: a change to the working copy, or a new request.
        return {"intent": "revise" if state.get("draft") else "draft", "args": {}}
    then = {k: v for k, v in args.items() if k not in ("target", "revive")}
    options = [[label, k.id] for label, k in zip(labels(asked.options), asked.options, strict=True)]
    say: dict[str, Any] = {"reply": asked.question, "suggestions": asked.suggestions}
    if options:
        say["choice"] = {"intent": kind, "args": then, "options": options}
    return {"intent": "say", "args": say}


def act(state: State, kind: str, args: dict[str, Any], found: Found) -> Aimed:
    """What to do with the one workflow meant."""
    t = found.target
    working = t.id == UNSAVED or (
        bool(state.get("draft")) and t.id == state.get("draft_workflow_id")
    )
    status = STATUS_WORDS[t.status]
    target = {"workflow_id": None if t.id in (UNSAVED, DISCARDED) else t.id}
    if t.rejected:
        if kind in ("approve", "reopen", "revise"):
            change = {"change": args["change"]} if args.get("change") else {}
            return _route("reopen", {**target, "then": kind, **change})
        if t.id == DISCARDED:
            bring_back = f"Bring back the discarded {t.name}"
            return _say(f"{t.name} was discarded; nothing of it is stored.", bring_back)
        if kind in ("run", "pause", "resume"):
            bring_back = f"Bring back the rejected {t.name}"
            return _say(f"{t.name} was rejected, so it never runs.", bring_back)
    if kind == "reopen":
        return _say(f"{t.name} isn't rejected: it is {status}.")
    if kind in ("approve", "reject"):
        approve = kind == "approve"
        if working and unsaved(state):
            return _route("submit" if approve else "discard", {})
        if t.pending_approval:
            confirm = bool(args.get("confirm"))
            response = {"decision": kind, "approval_id": t.pending_approval, "confirm": confirm}
            return {"intent": "decide", "args": {}, "response": response}
        if approve and t.status in (WorkflowStatus.active, WorkflowStatus.paused):
            return _say(f"{t.name} is already approved: it is {status}.")
        return _say(f"{t.name} has nothing waiting for approval: it is {status}.")
    if kind == "revise":
        return _route("revise", {"change": args.get("change"), **({} if working else target)})
    if t.id == UNSAVED and kind != "show":
        return _say(f"{t.name} is still a draft: say “looks good” to send it for approval first.")
    return _route(kind, target)


def _route(intent: str, args: dict[str, Any]) -> Aimed:
    return {"intent": intent, "args": args}


def _say(reply: str, *suggestions: str) -> Aimed:
    return {"intent": "say", "args": {"reply": reply, "suggestions": list(suggestions)}}
