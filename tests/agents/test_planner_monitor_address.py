"""A website check uses the address the person named (never a placeholder), recognises failure
words next to an address, alerts once per outage and says when it is back."""

from __future__ import annotations

import pytest

from agents.planner import draft
from workflows.samples import preview


@pytest.mark.parametrize(
    ("request_text", "url"),
    [
        ("alert #ops when https://bramble.co.uk goes down, and tell us when it's back",
         "https://bramble.co.uk"),
        ("tell me when status.acme.io is unreachable", "https://status.acme.io"),
        ("every 10 minutes check http://10.0.0.5:8080/health and email me if it fails",
         "http://10.0.0.5:8080/health"),
        ("ping shop.lee-bakery.com every 2 minutes and post in #web if it returns an error",
         "https://shop.lee-bakery.com"),
    ],
)  # fmt: skip
def test_the_named_address_is_checked_and_an_outage_alerts_once(
    request_text: str, url: str
) -> None:
    result = draft(request_text)
    assert result.status == "draft", result.question
    workflow = result.workflow
    assert workflow is not None
    steps = {s["id"]: s for s in workflow["steps"]}
    assert steps["check"]["inputs"]["url"] == url
    assert steps["check"]["continue_on_error"] is True
    assert steps["alert"]["when"] == "steps.state.crossed"
    assert steps["recovered"]["when"] == "steps.state.recovered"
    host = url.split("://")[1].split("/")[0]
    assert workflow["name"] == f"Uptime check of {host}"
    assert "example.com" not in str(workflow)


def test_without_an_address_it_asks_which_one() -> None:
    result = draft("alert #ops when our website goes down")
    assert result.status == "clarify"
    assert result.question is not None and "Which address" in result.question


def test_a_failing_job_without_an_address_is_not_a_website_check() -> None:
    result = draft("email me if the nightly import fails")
    steps = [s.get("action") for s in (result.workflow or {}).get("steps", [])]
    assert "alert.crossed" not in steps and "http.request" not in steps


def test_the_sample_alert_reads_like_a_real_outage() -> None:
    result = draft("alert #ops when https://bramble.co.uk goes down")
    assert result.workflow is not None
    messages = preview(result.workflow)
    assert messages["alert"].body == (
        "https://bramble.co.uk is down (https://bramble.co.uk answered 503)"
    )
    assert "[" not in messages["alert"].body
    assert messages["recovered"].note is not None and "skipped" in messages["recovered"].note
