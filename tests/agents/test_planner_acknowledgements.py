"""An auto-responder's reply acknowledges the email, per category; it never echoes it back."""

from __future__ import annotations

from typing import Any

from agents.planner import draft
from integrations import ai_offline
from workflows.expressions import evaluate, render_value

MAIL = {
    "from": "jane@shop.example",
    "from_name": "Jane Doe",
    "subject": "Where is my parcel?",
    "text": "Hi, order 1234 has not arrived yet. Jane",
    "message_id": "<1@shop.example>",
}
CONTEXT: dict[str, Any] = {"trigger": MAIL, "steps": {}, "workspace": {"name": "Tidy Home"}}


def _steps(request: str) -> dict[str, dict[str, Any]]:
    result = draft(request)
    assert result.status == "draft" and result.workflow is not None, result
    return {s["id"]: s for s in result.workflow["steps"]}


def test_a_plain_auto_reply_acknowledges_with_the_name_and_subject() -> None:
    steps = _steps("auto-reply to every email that lands in support@ so people know we got it")
    (reply,) = [s for s in steps.values() if s.get("action") == "email.send"]
    text = render_value(reply["inputs"]["text"], CONTEXT)
    assert text.startswith("Hi Jane,\n\nThank you for your email about “Where is my parcel?”.")
    assert text.endswith("Tidy Home")
    assert "order 1234" not in text  # their own words are not sent back to them
    assert not any(s.get("action", "").startswith("ai.") for s in steps.values())


def test_categorised_replies_are_written_for_each_category_and_spam_gets_none() -> None:
    steps = _steps(
        "auto-reply to whatever lands in help@: sort each one into billing / shipping / spam "
        "/ other and send the matching answer"
    )
    assert steps["classify"]["inputs"]["labels"] == ["billing", "shipping", "spam", "other"]
    drafted = steps["draft_reply"]["inputs"]
    written = render_value(drafted["offline_templates"], CONTEXT)
    assert set(written) == {"billing", "shipping", "default"}  # spam: no reply
    reply_text = ai_offline.draft_reply(
        MAIL["text"], "shipping", written, sender_name="Jane Doe", subject=MAIL["subject"]
    )
    assert reply_text.startswith("Hi Jane,\n\nThank you for your email about “Where is my parcel?”")
    assert "checking on your order" in reply_text
    (reply,) = [s for s in steps.values() if s.get("action") == "email.send"]
    assert reply["inputs"]["text"] == "{{ steps.draft_reply.reply }}"
    assert evaluate(reply["when"], {**CONTEXT, "steps": {"classify": {"label": "spam"}}}) is False
    assert evaluate(reply["when"], {**CONTEXT, "steps": {"classify": {"label": "billing"}}})
