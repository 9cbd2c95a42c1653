"""The conversation state, checkpointed per thread (plain JSON values only)."""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

HISTORY_TURNS = 20


def keep_recent(old: list[str], new: list[str]) -> list[str]:
    """Reducer: append this turn's messages, keeping the last few turns."""
    return [*old, *new][-HISTORY_TURNS:]


class Pending(TypedDict):
    """The stored version this thread has sent for approval."""

    approval_id: str
    workflow_id: str
    revision: int
    card: dict[str, Any]


class Confirmation(TypedDict):
    """A class C action waiting for the owner's explicit second confirmation."""

    action: str
    workflow_id: str
    name: str


class State(TypedDict, total=False):
    """One conversation: the latest message, the current draft and what waits on the person.

    `draft` is the working copy (of `draft_workflow_id` when it revises a stored workflow);
    `submitted` is the draft revision last sent for approval. `mentions` holds the workflows this
    conversation talked about, most recent first (`UNSAVED` for a draft not stored yet); `shown`
    is the approval whose card this turn shows; `choices` the options this turn offered, and
    `pending_choice` what to do once the person picks one of them. `command` is a button's
    action on a named workflow (a card's "Run now"), read instead of the text.
    """

    text: str
    intent: str
    args: dict[str, Any]
    reply: str
    draft: dict[str, Any] | None
    draft_class: str | None
    template_id: str | None
    awaiting_param: dict[str, Any] | None
    draft_workflow_id: str | None
    revision: int
    pending: Pending | None
    response: dict[str, Any] | None
    denied: bool
    confirmation: Confirmation | None
    workflow_id: str | None
    run_id: str | None
    history: Annotated[list[str], keep_recent]
    mentions: list[str]
    submitted: int
    shown: str | None
    choices: list[str] | None
    pending_choice: dict[str, Any] | None
    note: str | None
    discarded: dict[str, Any] | None
    command: dict[str, Any] | None
