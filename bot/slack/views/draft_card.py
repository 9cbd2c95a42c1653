"""The draft card: what a workflow does, its approval class, and Approve / Reject / Edit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.slack import ids
from bot.slack.views.blocks import (
    Block,
    actions,
    button,
    context,
    fit,
    header,
    section,
    slack_date,
)
from bot.slack.views.triggers import describe_trigger
from workflows.policy import Assessment

_WHO = {
    "A": "any member may approve",
    "B": "an admin or owner approves (not the requester, unless they are the only one)",
    "C": "an owner approves and confirms (an owner's own: a second owner or admin)",
}
_CLASS_BADGE = {"A": ":large_green_circle:", "B": ":large_orange_circle:", "C": ":red_circle:"}


@dataclass(frozen=True)
class DraftCard:
    """Everything a draft card shows; built from the stored version and its approval."""

    workflow_id: str
    approval_id: str
    version: int
    approval_class: str
    reasons: list[str]
    spec: dict[str, Any]
    requested_by: str | None
    link: str


def describe_step(step: dict[str, Any]) -> str:
    """One line for a step: its action and where it goes, or the wait."""
    if step.get("wait"):
        return f"wait {step['wait']}"
    inputs: dict[str, Any] = step.get("inputs", {})
    line = f"`{step.get('action')}`"
    if step.get("name"):
        line = f"{step['name']} ({line})"
    for key, label in (("channel", "to"), ("to", "to"), ("subject", "subject"), ("url", "at")):
        value = inputs.get(key)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if value:
            line += f" {label} {_quote(str(value), key)}"
    if step.get("when"):
        line += f" — only when `{step['when']}`"
    return line


def _quote(value: str, key: str) -> str:
    short = value if len(value) <= 80 else value[:79] + "…"
    return f"“{short}”" if key == "subject" else short


def _body(card: DraftCard) -> list[Block]:
    spec = card.spec
    steps = spec.get("steps", [])
    step_lines = "\n".join(f"{i}. {describe_step(s)}" for i, s in enumerate(steps, 1))
    summary = Assessment(card.approval_class, card.reasons).summary  # type: ignore[arg-type]
    reasons = "\n".join(f"• {r}" for r in card.reasons)
    badge = _CLASS_BADGE.get(card.approval_class, "")
    blocks: list[Block] = [header(f"Draft: {spec.get('name', 'workflow')}")]
    if spec.get("description"):
        blocks.append(context(str(spec["description"])))
    blocks += [
        section(f"*When:* {describe_trigger(spec.get('trigger', {}))}"),
        section(f"*Steps:*\n{step_lines}", link=card.link),
        section(
            f"*Approval:* {badge} {summary}\n{reasons}\n_{_WHO.get(card.approval_class, '')}_",
            link=card.link,
        ),
    ]
    who = f"Requested by <@{card.requested_by}> · " if card.requested_by else ""
    blocks.append(context(f"{who}version {card.version} · <{card.link}|details>"))
    return blocks


def draft_card(card: DraftCard) -> list[Block]:
    """The card with Approve / Reject / Edit buttons, each carrying the approval id."""
    buttons = actions(
        button("Approve", ids.APPROVE, card.approval_id, style="primary"),
        button("Reject", ids.REJECT, card.approval_id, style="danger"),
        button("Edit", ids.EDIT, card.approval_id),
        block_id=f"approval:{card.approval_id}",
    )
    return fit([*_body(card), buttons], card.link)


def decided_card(
    card: DraftCard, *, approved: bool, by: str, at: datetime, note: str | None = None
) -> list[Block]:
    """The card after the decision: no buttons, "Approved by @name at time"."""
    verb = ":white_check_mark: Approved" if approved else ":no_entry_sign: Rejected"
    stamp = slack_date(at)
    line = f"*{verb} by {by} at {stamp}*"
    if note:
        line += f"\n{note}"
    return fit([*_body(card), section(line)], card.link)


def superseded_card(card: DraftCard) -> list[Block]:
    """An older card whose request was replaced by a newer version (no buttons)."""
    return fit([*_body(card), section("_Replaced by a newer version._")], card.link)


def card_text(card: DraftCard) -> str:
    """The notification text of a card (shown where blocks cannot be)."""
    return (
        f"Draft workflow “{card.spec.get('name', '')}” (class {card.approval_class}) needs approval"
    )


def decided_text(card: DraftCard, *, approved: bool, by: str) -> str:
    """The notification text once decided."""
    verb = "approved" if approved else "rejected"
    return f"Workflow “{card.spec.get('name', '')}” {verb} by {by}"
