"""Read the message: what the person asked for, given what waits in this conversation."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.context import Context
from agents.intents import classify
from agents.state import State


async def understand(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Set this turn's intent and arguments; approve/reject mean what waits on the person."""
    text = state.get("text", "")
    fresh: dict[str, Any] = {"reply": "", "history": [text] if text else []}
    if state.get("response"):
        return {**fresh, "intent": "decide", "args": {}}
    intent = classify(text, has_draft=bool(state.get("draft")))
    kind: str = intent.kind
    args = dict(intent.args)
    if state.get("awaiting_param") and kind not in ("reject", "refuse", "help"):
        return {**fresh, "intent": "use_template", "args": {}}
    fresh["awaiting_param"] = None
    if kind not in ("approve", "reject"):
        fresh["confirmation"] = None
    if kind in ("approve", "reject"):
        approve = kind == "approve"
        if state.get("confirmation"):
            kind = "confirm" if approve else "cancel"
        elif (pending := state.get("pending")) and pending["revision"] >= state.get("revision", 0):
            response = {"decision": kind, "confirm": bool(args.get("confirm"))}
            return {**fresh, "intent": "decide", "args": {}, "response": response}
        elif state.get("draft"):
            kind = "submit" if approve else "discard"
        else:
            kind = "help"
    return {**fresh, "intent": kind, "args": args}
