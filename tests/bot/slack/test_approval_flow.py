"""End to end over signed requests: /levqor → draft card → Approve → active → run → message."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from bot.slack import ids
from bot.slack.views.modals import TYPED_NAME
from storage.models import Approval, Decision, Workflow, WorkflowStatus
from tests.bot.slack.conftest import SlackLive
from tests.bot.slack.harness import all_text, button_values, workflow_name
from tests.fakes.slack_api import SlackCall

LEADS = "every Monday 9am post last week's new leads to #sales"
SUMMARY = "every day at 8am post the daily sales summary to #sales"


def is_card(call: SlackCall) -> bool:
    return ids.APPROVE in all_text(call.args.get("blocks", []))


async def post_card(live: SlackLive, text: str = LEADS, user: str = "UOWNER") -> SlackCall:
    """Send `/levqor text` and return the draft card it posted."""
    before = len([c for c in live.slack.fake.calls("chat.postMessage") if is_card(c)])
    response, _ = await live.slack.command(text, user=user)
    assert response.status_code == 200
    assert response.text == "Drafting…"
    cards = await live.slack.wait_for("chat.postMessage", is_card, count=before + 1)
    return cards[-1]


async def workflow_state(live: SlackLive) -> list[Workflow]:
    async with live.runtime.sessions() as session:
        return list((await session.exec(select(Workflow))).all())


async def approval(live: SlackLive, approval_id: str) -> Approval:
    async with live.runtime.sessions() as session:
        found = await session.get(Approval, approval_id)
        assert found is not None
        return found


async def test_command_to_card_to_approval_to_run(live_slack: SlackLive) -> None:
    live = live_slack
    card = await post_card(live, SUMMARY)
    assert card.args["channel"] == "C0SALES"
    text = all_text(card.args["blocks"])
    assert "every day at 08:00 (UTC)" in text
    assert "Class A" in text and "in #sales" in text
    buttons = button_values(card.args["blocks"])
    assert set(buttons) == {ids.APPROVE, ids.REJECT, ids.EDIT, ids.TRY}
    approval_id = buttons[ids.APPROVE]
    [workflow] = await workflow_state(live)
    assert workflow.status == WorkflowStatus.pending_approval

    ts = "1700000000.000777"
    response = await live.slack.click(ids.APPROVE, approval_id, user="UADMIN", message_ts=ts)
    assert response.status_code == 200
    [update] = await live.slack.wait_for("chat.update")
    assert update.args["ts"] == ts and update.args["channel"] == "C0SALES"
    assert "Approved by <@UADMIN>" in all_text(update.args["blocks"])
    assert button_values(update.args["blocks"]) == {}
    [workflow] = await workflow_state(live)
    assert workflow.status == WorkflowStatus.active
    [entry] = await live.audit("approval.approved")
    assert entry.actor == "Adam Admin (admin)" and entry.detail["approval_id"] == approval_id

    response, key = await live.slack.command(f"run {workflow.id[:8]}", user="UOPER")
    assert response.status_code == 200
    reply = await live.slack.wait_response(key)
    assert "Started" in reply["text"] and reply["response_type"] == "ephemeral"
    posted = await live.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == "#sales")
    assert posted[0].token == "xoxb-fake-token"


async def test_wrong_approver_is_told_why_and_nothing_changes(live_slack: SlackLive) -> None:
    live = live_slack
    card = await post_card(live, "when a new lead arrives send them a welcome email")
    approval_id = button_values(card.args["blocks"])[ids.APPROVE]
    assert "Class B" in all_text(card.args["blocks"])

    await live.slack.click(ids.APPROVE, approval_id, user="UOPER")
    [told] = await live.slack.wait_for("chat.postEphemeral")
    assert told.args["user"] == "UOPER" and "admin or owner" in told.args["text"]

    await live.slack.click(ids.APPROVE, approval_id, user="UOWNER")  # the requester
    told_again = await live.slack.wait_for("chat.postEphemeral", count=2)
    assert "other than the requester" in told_again[1].args["text"]
    await live.slack.settle(0.2)
    assert live.slack.fake.calls("chat.update") == []
    assert (await approval(live, approval_id)).decision == Decision.pending
    assert await live.audit("approval.approved") == []


async def test_class_c_asks_for_confirmation_first(live_slack: SlackLive) -> None:
    live = live_slack
    card = await post_card(live, "delete all contacts older than a year", user="UOPER")
    approval_id = button_values(card.args["blocks"])[ids.APPROVE]

    await live.slack.click(ids.APPROVE, approval_id, user="UADMIN")
    [told] = await live.slack.wait_for("chat.postEphemeral")
    assert "owner" in told.args["text"]

    await live.slack.click(ids.APPROVE, approval_id, user="UOWNER", message_ts="1700000000.000042")
    [dialog] = await live.slack.wait_for("views.open")
    view = dialog.args["view"]
    assert view["callback_id"] == ids.CONFIRM_VIEW
    assert TYPED_NAME in [block.get("block_id") for block in view["blocks"]]
    assert view["submit"]["text"] == "Yes, approve"
    assert (await approval(live, approval_id)).decision == Decision.pending

    metadata = view["private_metadata"]
    name = workflow_name(card.args["text"])
    wrong = {TYPED_NAME: f"{name} now"}
    await live.slack.submit(ids.CONFIRM_VIEW, metadata, wrong, user="UOWNER")
    [_, told] = await live.slack.wait_for("chat.postEphemeral", count=2)
    assert told.args["user"] == "UOWNER" and "does not match" in told.args["text"]
    assert (await approval(live, approval_id)).decision == Decision.pending
    typed = {TYPED_NAME: name}
    response = await live.slack.submit(ids.CONFIRM_VIEW, metadata, typed, user="UOWNER")
    assert response.status_code == 200
    [update] = await live.slack.wait_for("chat.update")
    assert update.args["ts"] == "1700000000.000042"
    assert "Approved by <@UOWNER>" in all_text(update.args["blocks"])
    decided = await approval(live, approval_id)
    assert decided.decision == Decision.approved
    [entry] = await live.audit("approval.approved")
    assert entry.detail["approval_class"] == "C"


async def test_double_click_decides_once(live_slack: SlackLive) -> None:
    live = live_slack
    card = await post_card(live)
    approval_id = button_values(card.args["blocks"])[ids.APPROVE]
    first, second = await asyncio.gather(
        live.slack.click(ids.APPROVE, approval_id, user="UADMIN"),
        live.slack.click(ids.APPROVE, approval_id, user="UADMIN"),
    )
    assert first.status_code == second.status_code == 200
    [told] = await live.slack.wait_for("chat.postEphemeral")
    assert "already approved" in told.args["text"]
    await live.slack.settle(0.2)
    assert len(await live.audit("approval.approved")) == 1
    updates = live.slack.fake.calls("chat.update")
    assert updates and all(button_values(u.args["blocks"]) == {} for u in updates)


async def test_reject_removes_buttons(live_slack: SlackLive) -> None:
    live = live_slack
    card = await post_card(live)
    approval_id = button_values(card.args["blocks"])[ids.REJECT]
    await live.slack.click(ids.REJECT, approval_id, user="UOPER")
    [update] = await live.slack.wait_for("chat.update")
    assert "Rejected by <@UOPER>" in all_text(update.args["blocks"])
    assert update.args["blocks"][0]["text"]["text"].startswith("Rejected: ")  # not "Draft:"
    assert button_values(update.args["blocks"]) == {}
    [workflow] = await workflow_state(live)
    assert workflow.status == WorkflowStatus.draft
