"""Edit → new version → card re-drawn (stale buttons harmless); failure alert → Retry; Run now."""

from __future__ import annotations

from bot.slack import ids
from bot.slack.edits import CHANNEL, CRON
from integrations.catalog import default_registry
from storage.models import Approval, Decision, Run, RunStatus
from tests.bot.slack.conftest import SlackLive
from tests.bot.slack.harness import all_text, button_values
from tests.bot.slack.test_approval_flow import LEADS, post_card
from tests.workflows.helpers import activate


async def test_edit_makes_a_new_version_and_old_buttons_do_nothing(live_slack: SlackLive) -> None:
    live = live_slack
    card = await post_card(live, LEADS)
    old_id = button_values(card.args["blocks"])[ids.EDIT]

    await live.slack.click(ids.EDIT, old_id, user="UOPER", message_ts="1700000000.000555")
    [opened] = await live.slack.wait_for("views.open")
    form = opened.args["view"]
    assert form["callback_id"] == ids.EDIT_VIEW
    fields = {
        b["block_id"]: b["element"]["initial_value"] for b in form["blocks"] if "element" in b
    }
    assert fields == {CRON: "0 9 * * 1", CHANNEL: "#sales"}

    bad = await live.slack.submit(ids.EDIT_VIEW, form["private_metadata"], {CRON: "every day"})
    assert bad.json()["response_action"] == "errors" and CRON in bad.json()["errors"]

    good = await live.slack.submit(
        ids.EDIT_VIEW, form["private_metadata"], {CRON: "30 8 * * 1-5", CHANNEL: "#leads"}
    )
    assert good.status_code == 200 and good.text == ""
    [update] = await live.slack.wait_for("chat.update")
    assert update.args["ts"] == "1700000000.000555"
    text = all_text(update.args["blocks"])
    assert "every weekday (Monday to Friday) at 08:30 (UTC)" in text and "#leads" in text
    new_id = button_values(update.args["blocks"])[ids.APPROVE]
    assert new_id != old_id and "version 2" in text

    await live.slack.click(ids.APPROVE, old_id, user="UADMIN")  # a stale card elsewhere
    [told] = await live.slack.wait_for("chat.postEphemeral")
    assert "already rejected" in told.args["text"]
    async with live.runtime.sessions() as session:
        old = await session.get(Approval, old_id)
        new = await session.get(Approval, new_id)
        assert old is not None and new is not None
        assert old.decision == Decision.rejected and new.decision == Decision.pending
    assert await live.audit("approval.approved") == []


async def test_failed_run_alert_has_a_retry_button(live_slack: SlackLive) -> None:
    live = live_slack
    spec = {
        "name": "Ping sales",
        "trigger": {"type": "manual"},
        "steps": [
            {
                "id": "ping",
                "action": "slack.post_message",
                "inputs": {"channel": "#sales", "text": "ping"},
                "retry": {"max_attempts": 1},
            }
        ],
    }
    await live.slack.warm()  # UOWNER (an owner) exists from here on
    workflow = await activate(live.runtime.sessions, live.workspace, spec, default_registry())
    _, key = await live.slack.command("list", user="UOPER")  # first contact asks Slack who it is
    await live.slack.wait_response(key)
    live.slack.fake.fail_next(1, "channel_not_found")  # the post, the next call to Slack
    _, key = await live.slack.command(f"run {workflow.id}", user="UOPER")
    await live.slack.wait_response(key)
    [alert] = await live.slack.wait_for(
        "chat.postMessage", lambda c: c.args["channel"] == "#alerts"
    )
    assert (
        "Ping sales" in alert.args["text"] and "channel #sales was not found" in alert.args["text"]
    )
    failed_run_id = button_values(alert.args["blocks"])[ids.RETRY_RUN]

    for _ in range(2):  # a double click retries once
        await live.slack.click(
            ids.RETRY_RUN, failed_run_id, channel="C0ALERTS", blocks=alert.args["blocks"]
        )
    [sent] = await live.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == "#sales")
    assert sent.args["text"] == "ping"
    [update] = await live.slack.wait_for("chat.update")
    assert button_values(update.args["blocks"]) == {}
    assert "Retry started by <@UOWNER>" in all_text(update.args["blocks"])
    [told] = await live.slack.wait_for("chat.postEphemeral")
    assert "already retried" in told.args["text"]
    await live.runtime.drain()
    async with live.runtime.sessions() as session:
        from sqlmodel import select

        statuses = sorted(r.status for r in (await session.exec(select(Run))).all())
    assert statuses == sorted([RunStatus.failed, RunStatus.succeeded])


async def test_home_run_now_and_viewers_cannot(live_slack: SlackLive) -> None:
    live = live_slack
    spec = {
        "name": "Hello",
        "trigger": {"type": "manual"},
        "steps": [
            {"id": "hi", "action": "slack.post_message", "inputs": {"channel": "#x", "text": "hi"}}
        ],
    }
    await live.slack.warm()
    workflow = await activate(live.runtime.sessions, live.workspace, spec, default_registry())
    await live.slack.click(ids.RUN_WORKFLOW, workflow.id, user="UVIEW", channel=None)
    [dm] = await live.slack.wait_for("chat.postMessage")
    assert dm.args["channel"] == "UVIEW" and "viewers cannot" in dm.args["text"]
    await live.slack.click(ids.RUN_WORKFLOW, workflow.id, user="UOPER", channel=None)
    await live.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == "#x")
