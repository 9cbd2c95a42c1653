"""Pure view builders and the Edit form's spec changes, without Slack."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.slack import ids
from bot.slack.edits import (
    CHANNEL,
    CRON,
    RECIPIENTS,
    THRESHOLD,
    EditError,
    apply_edits,
    editable_fields,
)
from bot.slack.views.blocks import MAX_BLOCKS, MAX_SECTION_TEXT, cut, fit, section
from bot.slack.views.draft_card import DraftCard, decided_card, draft_card
from bot.slack.views.home import Failure, HomeModel, WorkflowLine, home_view
from bot.slack.views.modals import confirm_modal, edit_modal
from bot.slack.views.replies import listing
from tests.bot.slack.harness import button_values
from workflows.describe import trigger_words
from workflows.schedule_words import describe_cron


@pytest.mark.parametrize(
    ("cron", "words"),
    [
        ("0 9 * * 1", "every Monday at 09:00 (UTC)"),
        ("30 8 * * 1-5", "every weekday (Monday to Friday) at 08:30 (UTC)"),
        ("0 8 * * *", "every day at 08:00 (UTC)"),
        ("0 7 1 * *", "on the 1st of each month at 07:00 (UTC)"),
        ("0 18 * * 1,3,5", "every Monday, Wednesday and Friday at 18:00 (UTC)"),
        ("0 9 * * 0", "every Sunday at 09:00 (UTC)"),
        ("*/15 * * * *", "every 15 minutes"),
        ("5 * * * *", "every hour at 5 past"),
        ("0 9-17 * * *", "every hour from 09:00 to 17:00 (UTC)"),
    ],
)
def test_cron_in_words(cron: str, words: str) -> None:
    assert describe_cron(cron) == words


def test_triggers_in_words() -> None:
    schedule = {"type": "schedule", "cron": "0 9 * * 1", "timezone": "Europe/London"}
    assert trigger_words(schedule) == "every Monday at 09:00 (Europe/London)"
    assert trigger_words({"type": "interval", "seconds": 3600}) == "every hour"
    assert trigger_words({"type": "manual"}) == "only when someone runs it"
    assert (
        trigger_words({"type": "webhook"})
        == "when your website or another app sends in new details"
    )


def card(**changes: Any) -> DraftCard:
    spec = {
        "name": "Weekly leads",
        "description": "every Monday 9am post last week's new leads to #sales",
        "trigger": {"type": "schedule", "cron": "0 9 * * 1", "timezone": "UTC"},
        "steps": [{"id": "post", "action": "slack.post_message", "inputs": {"channel": "#sales"}}],
    }
    values: dict[str, Any] = {
        "workflow_id": "w1",
        "approval_id": "a1",
        "version": 1,
        "approval_class": "B",
        "reasons": ["email: email.send is external"],
        "spec": spec,
        "requested_by": "U1",
        "link": "https://levqor.example/api/workflows/w1",
    }
    return DraftCard(**(values | changes))


def test_draft_card_shows_what_and_why_in_words_with_four_buttons() -> None:
    blocks = draft_card(card())
    sections = json.dumps([b for b in blocks if b["type"] in ("section", "header")])
    assert "every Monday at 09:00 (UTC)" in sections and "Next runs: Mon " in sections
    assert "1. Post a message in #sales" in sections and "It will post in #sales:" in sections
    assert "Class B" in sections and "email.send is external" in sections
    assert "not the requester" in sections
    assert "slack.post_message" not in sections.replace("email.send is external", "")
    advanced = [b for b in blocks if b["type"] == "context" and "Advanced" in json.dumps(b)]
    assert len(advanced) == 1 and "slack.post_message" in json.dumps(advanced)
    assert button_values(blocks) == {
        ids.APPROVE: "a1",
        ids.REJECT: "a1",
        ids.EDIT: "a1",
        ids.TRY: "a1",
    }


def test_decided_card_has_no_buttons_and_says_who_and_when() -> None:
    at = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    blocks = decided_card(card(), approved=True, by="<@U2>", at=at)
    assert button_values(blocks) == {}
    assert "Approved by <@U2> at <!date^1767605400^" in json.dumps(blocks)


def test_long_content_is_cut_with_a_link() -> None:
    steps = [
        {"id": f"s{i}", "action": "slack.post_message", "inputs": {"channel": "#" + "x" * 70}}
        for i in range(50)
    ]
    blocks = draft_card(card(spec={**card().spec, "steps": steps}))
    texts = [b["text"]["text"] for b in blocks if b.get("type") == "section"]
    assert all(len(t) <= MAX_SECTION_TEXT for t in texts)
    assert any(t.endswith("<https://levqor.example/api/workflows/w1|see all>") for t in texts)
    assert cut("abc", 10) == "abc"


def test_at_most_fifty_blocks() -> None:
    many = [section(str(i)) for i in range(80)]
    fitted = fit(many, "https://x")
    assert len(fitted) == MAX_BLOCKS and "31 more not shown" in json.dumps(fitted[-1])
    lines = [f"• workflow {i} " + "y" * 200 for i in range(1000)]
    reply = listing("Workflows", lines, "none", "https://x/api/workflows")
    assert len(reply.blocks) <= MAX_BLOCKS


def test_home_view_tiles_and_buttons() -> None:
    figures = {
        "active_workflows": 3,
        "runs_24h": 12,
        "success_rate_24h": 91.7,
        "pending_approvals": 2,
    }
    failure = Failure("r1", "Leads", "boom", datetime(2026, 1, 1, tzinfo=UTC))
    view = home_view(HomeModel(figures, "https://x", [failure], [WorkflowLine("w1", "Leads")]))
    text = json.dumps(view)
    assert view["type"] == "home" and "91.7 %" in text and "*Pending approvals*\\n2" in text
    assert button_values(view["blocks"]) == {
        ids.HOME_REFRESH: "refresh",
        ids.RETRY_RUN: "r1",
        ids.RUN_WORKFLOW: "w1",
    }


SPEC: dict[str, Any] = {
    "name": "Alerts",
    "trigger": {"type": "schedule", "cron": "0 9 * * 1", "timezone": "UTC"},
    "steps": [
        {"id": "mail", "action": "email.send", "inputs": {"to": "a@x.io", "text": "hi"}},
        {
            "id": "post",
            "action": "slack.post_message",
            "when": "trigger.value >= 100",
            "inputs": {"channel": "#ops", "text": "hi"},
        },
    ],
}


def test_edit_form_offers_what_the_spec_has() -> None:
    fields = editable_fields(SPEC)
    assert (fields.cron, fields.channel, fields.recipients) == ("0 9 * * 1", "#ops", "a@x.io")
    assert fields.thresholds == {"post": "100"}
    view = edit_modal("Alerts", fields, "{}")
    assert [b.get("block_id") for b in view["blocks"] if b["type"] == "input"] == [
        CRON,
        CHANNEL,
        RECIPIENTS,
        THRESHOLD + "post",
    ]
    assert confirm_modal("Alerts", ["x"], "{}")["callback_id"] == ids.CONFIRM_VIEW


def test_apply_edits_changes_only_what_was_typed() -> None:
    values = {CRON: "0 10 * * 2", CHANNEL: "#alerts", RECIPIENTS: "b@x.io, c@x.io"}
    edited = apply_edits(SPEC, values | {THRESHOLD + "post": "250"})
    assert edited["trigger"]["cron"] == "0 10 * * 2"
    assert edited["steps"][0]["inputs"]["to"] == "b@x.io, c@x.io"
    assert edited["steps"][1]["inputs"]["channel"] == "#alerts"
    assert edited["steps"][1]["when"] == "trigger.value >= 250"
    assert SPEC["trigger"]["cron"] == "0 9 * * 1"  # the input is left alone
    with pytest.raises(EditError) as caught:
        apply_edits(SPEC, {CRON: "soon", RECIPIENTS: "nobody", THRESHOLD + "post": "lots"})
    assert set(caught.value.errors) == {CRON, RECIPIENTS, THRESHOLD + "post"}


def test_draft_card_says_which_connections_it_needs_with_the_page() -> None:
    sheet = {"id": "log", "action": "sheets.append_row",
             "inputs": {"spreadsheet": "s", "sheet": "Log", "values": ["x"]}}  # fmt: skip
    base = card().spec
    needing = card(spec={**base, "steps": [*base["steps"], sheet]},
                   public_url="https://levqor.example")  # fmt: skip
    text = str(draft_card(needing))
    assert (
        ":electric_plug: It needs Google Sheets connected: connect it on the Connections page "
        "(https://levqor.example/connections#google)."
    ) in text
    assert "It needs" not in str(draft_card(card(public_url="https://levqor.example")))
