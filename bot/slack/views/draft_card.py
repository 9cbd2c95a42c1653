"""The draft card: a workflow in words, its class, and Approve / Reject / Edit / Try it."""

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
from workflows.describe import Description, describe, reasons_in_words
from workflows.needs import needs_sentence
from workflows.policy import Assessment

_WHO = {
    "A": "any member may approve",
    "B": "an admin or owner approves (not the requester, unless they are the only one)",
    "C": "an owner types its name (an owner's own: a second owner or admin types it)",
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
    public_url: str = ""


def _step_lines(described: Description) -> str:
    lines = []
    for step in described.steps:
        lines.append(f"{step.number}. {step.text}")
        message = step.message
        if message is not None:
            subject = f" _“{message.subject}”_" if message.subject else ""
            body = quote_block(message.body)
            lines.append(f"      _{message.headline()}_{subject}\n{body}")
            if message.note:
                lines.append(f"      _{message.note}_")
    return "\n".join(lines)


def quote_block(text: str, limit: int = 400) -> str:
    """Text as a Slack quote (each line prefixed with `>`), cut to `limit` characters."""
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.splitlines() or [""])


def _body(card: DraftCard, state: str = "Draft") -> list[Block]:
    spec = card.spec
    described = describe(spec)
    summary = Assessment(card.approval_class, card.reasons).summary  # type: ignore[arg-type]
    reasons = "\n".join(f"• {r}" for r in reasons_in_words(spec, card.reasons))
    badge = _CLASS_BADGE.get(card.approval_class, "")
    blocks: list[Block] = [header(f"{state}: {spec.get('name', 'workflow')}")]
    if spec.get("description"):
        blocks.append(context(str(spec["description"])))
    when = f"*When:* {described.trigger}"
    if described.next_runs:
        when += "\n_Next runs: " + " · ".join(described.next_runs) + "_"
    blocks += [
        section(described.summary),
        section(when),
        section(f"*Steps:*\n{_step_lines(described)}", link=card.link),
    ]
    needs = needs_sentence(spec, card.public_url) if card.public_url else None
    if needs:
        blocks.append(section(f":electric_plug: {needs}"))
    blocks += [
        section(
            f"*Approval:* {badge} {summary}\n{reasons}\n_{_WHO.get(card.approval_class, '')}_",
            link=card.link,
        ),
        context("*Advanced:* " + " · ".join(f"`{line}`" for line in described.advanced)),
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
        button("Try it", ids.TRY, card.approval_id),
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
    state = "Approved" if approved else "Rejected"
    return fit([*_body(card, state), section(line)], card.link)


def superseded_card(card: DraftCard) -> list[Block]:
    """An older card whose request was replaced by a newer version (no buttons)."""
    body = _body(card, "Replaced")
    return fit([*body, section("_Replaced by a newer version._")], card.link)


def card_text(card: DraftCard) -> str:
    """The notification text of a card (shown where blocks cannot be)."""
    return (
        f"Draft workflow “{card.spec.get('name', '')}” (class {card.approval_class}) needs approval"
    )


def decided_text(card: DraftCard, *, approved: bool, by: str) -> str:
    """The notification text once decided."""
    verb = "approved" if approved else "rejected"
    return f"Workflow “{card.spec.get('name', '')}” {verb} by {by}"
