"""The workflows a conversation talked about, most recent first: what "it" and "that one" mean."""

from __future__ import annotations

from agents.state import State

UNSAVED = "~draft"
DISCARDED = "~discarded"
KEPT = 20


def mention(state: State, *refs: str | None) -> list[str]:
    """The mentions with `refs` in front (the first is the most recent), each listed once."""
    new = [ref for ref in refs if ref]
    return [*dict.fromkeys([*new, *state.get("mentions", [])])][:KEPT]


def forget(state: State, *refs: str) -> list[str]:
    """The mentions without `refs` (a discarded draft, a deleted workflow)."""
    return [ref for ref in state.get("mentions", []) if ref not in refs]


def working_ref(state: State) -> str:
    """How the working copy is mentioned: its stored workflow, or UNSAVED."""
    return state.get("draft_workflow_id") or UNSAVED


def unsaved(state: State) -> bool:
    """Whether the working copy has changes not yet sent for approval."""
    pending = state.get("pending")
    submitted = max(state.get("submitted", 0), pending["revision"] if pending else 0)
    return bool(state.get("draft")) and state.get("revision", 0) > submitted
