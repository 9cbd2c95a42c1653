"""Read the message: what the person asked for, and which workflow it is about."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.choices import answer_choice, offered_text
from agents.context import Context
from agents.intents import classify
from agents.mentions import unsaved
from agents.state import State
from agents.targeting import aim, aims

_RESET = ("shown", "choices", "pending_choice", "note", "command")


async def understand(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Set this turn's intent and arguments; approve/reject mean what waits on the person."""
    text = offered_text(state, state.get("text", ""))
    fresh: dict[str, Any] = {"reply": "", "history": [text] if text else [], "text": text}
    fresh |= dict.fromkeys(_RESET)
    if state.get("response"):
        return {**fresh, "intent": "decide", "args": {}}
    command = state.get("command")
    if command:  # a button on a card: its own workflow, whatever was said last
        args = {"workflow_id": str(command["workflow_id"])}
        return {**fresh, **await aim(state, runtime.context, str(command["intent"]), args)}
    has_draft = bool(state.get("draft") or state.get("mentions"))
    intent = classify(text, has_draft=has_draft)
    kind: str = intent.kind
    args = dict(intent.args)
    answered = answer_choice(state, text, loose=kind == "draft")
    if answered is not None:
        chosen, chosen_args = answered
        return {**fresh, **await aim(state, runtime.context, chosen, chosen_args)}
    if state.get("awaiting_param") and kind not in ("reject", "refuse", "help"):
        return {**fresh, "intent": "use_template", "args": {}}
    fresh["awaiting_param"] = None
    if kind not in ("approve", "reject"):
        fresh["confirmation"] = None
    if kind == "revise" and not state.get("draft"):
        args.setdefault("target", "it")  # "also email me" about the workflow last talked about
    if aims(kind, args):
        return {**fresh, **await aim(state, runtime.context, kind, args)}
    if kind in ("approve", "reject"):
        return {**fresh, **await _answer(state, runtime.context, kind, args)}
    return {**fresh, "intent": kind, "args": args}


async def _answer(state: State, ctx: Context, kind: str, args: dict[str, Any]) -> dict[str, Any]:
    """A bare yes/no: the confirmation, the card waiting here, the working copy, or "it"."""
    approve = kind == "approve"
    if state.get("confirmation"):
        return {"intent": "confirm" if approve else "cancel", "args": args}
    pending = state.get("pending")
    if pending and pending["revision"] >= state.get("revision", 0):
        response = {"decision": kind, "confirm": bool(args.get("confirm"))}
        return {"intent": "decide", "args": {}, "response": response}
    if unsaved(state):
        return {"intent": "submit" if approve else "discard", "args": args}
    if state.get("mentions"):
        return await aim(state, ctx, kind, args)
    return {"intent": "help", "args": args}
