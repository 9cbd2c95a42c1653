"""Slack buttons apply the same approval rules as the API and the page (`workflows.policy`)."""

from __future__ import annotations

from bot.slack import ids
from bot.slack.views.modals import TYPED_NAME
from storage.models import Decision
from tests.bot.slack.conftest import SlackLive
from tests.bot.slack.harness import all_text, button_values, workflow_name
from tests.bot.slack.test_approval_flow import approval, post_card


async def test_an_owners_own_class_c_is_approved_by_a_second_admin(live_slack: SlackLive) -> None:
    live = live_slack
    card = await post_card(live, "delete all contacts older than a year", user="UOWNER")
    approval_id = button_values(card.args["blocks"])[ids.APPROVE]

    await live.slack.click(ids.APPROVE, approval_id, user="UOWNER")
    [told] = await live.slack.wait_for("chat.postEphemeral")
    assert told.args["user"] == "UOWNER" and "a second owner or admin" in told.args["text"]
    await live.slack.settle(0.2)
    assert live.slack.fake.calls("views.open") == []
    assert (await approval(live, approval_id)).decision == Decision.pending

    await live.slack.click(ids.APPROVE, approval_id, user="UADMIN", message_ts="1700000000.000043")
    [dialog] = await live.slack.wait_for("views.open")
    view = dialog.args["view"]
    assert view["callback_id"] == ids.CONFIRM_VIEW
    assert TYPED_NAME in [block.get("block_id") for block in view["blocks"]]
    # The second approver types the name too: submitting without it approves nothing.
    await live.slack.submit(ids.CONFIRM_VIEW, view["private_metadata"], user="UADMIN")
    [_, refused] = await live.slack.wait_for("chat.postEphemeral", count=2)
    assert refused.args["user"] == "UADMIN" and "type “" in refused.args["text"]
    assert (await approval(live, approval_id)).decision == Decision.pending
    named = {TYPED_NAME: workflow_name(card.args["text"])}
    await live.slack.submit(ids.CONFIRM_VIEW, view["private_metadata"], named, user="UADMIN")
    [update] = await live.slack.wait_for("chat.update")
    assert "Approved by <@UADMIN>" in all_text(update.args["blocks"])
    assert (await approval(live, approval_id)).decision == Decision.approved
