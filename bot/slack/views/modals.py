"""Modals: the draft card's Edit form and the approval confirmation dialog."""

from __future__ import annotations

from typing import Any

from bot.slack import ids
from bot.slack.edits import CHANNEL, CRON, RECIPIENTS, THRESHOLD, EditableFields
from bot.slack.views.blocks import Block, context, cut, plain, section
from workflows.schedule_words import describe_cron

View = dict[str, Any]


def _input(block_id: str, label: str, value: str, hint: str) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": plain(label),
        "hint": plain(hint, 150),
        "element": {
            "type": "plain_text_input",
            "action_id": "value",
            "initial_value": value[:3000],
        },
    }


def edit_modal(name: str, fields: EditableFields, metadata: str) -> View:
    """The Edit form: schedule, channel, recipients and thresholds of the draft (what it has)."""
    blocks: list[Block] = []
    if fields.cron is not None:
        hint = f"Crontab: minute hour day month weekday. Now: {describe_cron(fields.cron)}"
        blocks.append(_input(CRON, "Schedule", fields.cron, hint))
    if fields.channel is not None:
        blocks.append(_input(CHANNEL, "Channel", fields.channel, "Where it posts, like #sales"))
    if fields.recipients is not None:
        hint = "Email addresses, separated by commas"
        blocks.append(_input(RECIPIENTS, "Recipients", fields.recipients, hint))
    for step_id, value in fields.thresholds.items():
        label = f"Threshold ({step_id})"
        blocks.append(_input(THRESHOLD + step_id, label, value, "Runs only past this number"))
    if not blocks:
        blocks.append(section("This draft has no schedule, channel, recipients or thresholds."))
    blocks.append(context("Saving makes a new version; it needs approval again."))
    return {
        "type": "modal",
        "callback_id": ids.EDIT_VIEW,
        "private_metadata": metadata,
        "title": plain("Edit draft", 24),
        "submit": plain("Save", 24),
        "close": plain("Cancel", 24),
        "blocks": [section(f"*{cut(name, 200)}*"), *blocks],
    }


TYPED_NAME = "typed_name"


def confirm_modal(
    name: str,
    reasons: list[str],
    metadata: str,
    approval_class: str = "C",
    *,
    ask_name: bool = False,
    link: bool = False,
) -> View:
    """The explicit confirmation an approval needs: for class C the workflow's name to type (for
    a lone owner's own, a link is then emailed to them); for one's own class B a plain yes."""
    why = "\n".join(f"• {r}" for r in reasons)
    if approval_class == "C":
        head = (
            f":warning: *{cut(name, 200)}* is class C: it deletes data, changes billing, "
            f"handles credentials or sends in bulk.\n{why}"
        )
    else:
        head = f"*{cut(name, 200)}* is class B, and you asked for it: it acts outside.\n{why}"
    blocks: list[Block] = [section(head)]
    if ask_name:
        blocks.append(section("You are the only owner: type its name to approve it. We then "
                              "email you a link to confirm." if link else
                              "Type its name to approve it. It runs without asking again once "
                              "approved."))  # fmt: skip
        blocks.append({
            "type": "input", "block_id": TYPED_NAME, "label": plain("The workflow's name"),
            "element": {"type": "plain_text_input", "action_id": "value"},
        })  # fmt: skip
    else:
        blocks.append(section("Approve it? It runs without asking again once approved."))
    return {
        "type": "modal",
        "callback_id": ids.CONFIRM_VIEW,
        "private_metadata": metadata,
        "title": plain("Confirm approval", 24),
        "submit": plain("Email me the link" if link else "Yes, approve", 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    }
