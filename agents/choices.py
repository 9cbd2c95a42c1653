"""Answers to the options the assistant offered: a number ("2"), the option's words, or a name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from agents.state import State
from storage.models import WorkflowStatus
from workflows.lookup import rank_matches


@dataclass(frozen=True)
class _Option:
    """An offered workflow as `rank_matches` sees it."""

    id: str
    name: str
    status: WorkflowStatus = WorkflowStatus.active


def picked(text: str, options: list[str]) -> int | None:
    """The index of the option a reply picks: its number or its exact words; None otherwise."""
    said = text.strip().strip(".!").lower()
    number = re.fullmatch(r"(?:number\s+|option\s+|#)?(\d{1,2})", said)
    if number:
        index = int(number.group(1)) - 1
        return index if 0 <= index < len(options) else None
    for index, option in enumerate(options):
        if said == option.strip().strip(".!").lower():
            return index
    return None


def offered_text(state: State, text: str) -> str:
    """The text of a numbered answer to plain suggestions ("2" → the second suggestion)."""
    choices = state.get("choices") or []
    index = picked(text, choices) if choices and not state.get("pending_choice") else None
    return choices[index] if index is not None else text


def answer_choice(state: State, text: str, *, loose: bool) -> tuple[str, dict[str, Any]] | None:
    """(intent, args) when the text answers the "which one?" question, else None.

    A number or an option's exact words always answer; with `loose` (the text is no command of
    its own) words naming one option do too ("the team one").
    """
    waiting = state.get("pending_choice")
    if not waiting:
        return None
    options = [_Option(ref, label) for label, ref in waiting["options"]]
    index = picked(text, [o.name for o in options])
    if index is None and loose:
        found = rank_matches(options, text)
        index = options.index(found[0]) if len(found) == 1 else None
    if index is None:
        return None
    return str(waiting["intent"]), {**waiting["args"], "workflow_id": options[index].id}
