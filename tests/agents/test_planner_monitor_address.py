"""A website check uses the address the person named (with none named, a stand-in the person
fills in before it can be approved), recognises failure words next to an address, alerts once per
outage and says when it is back."""

from __future__ import annotations

import pytest

from agents.planner import draft
from agents.revise import revise
from workflows.samples import preview
from workflows.stand_ins import is_stand_in, stand_in_steps


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


@pytest.mark.parametrize(
    "request_text",
    [
        "alert #ops when our website goes down",
        "post in slack if our backend goes down",
        "send an alert to #status if the web app or the api goes offline",
    ],
)
def test_without_an_address_the_check_is_drafted_with_one_to_fill_in(request_text: str) -> None:
    """The whole monitor is drafted (check, alert once, back-up notice); the card says the
    address is still to be filled in, and no version holding the stand-in can be approved."""
    result = draft(request_text)
    assert result.status == "draft", result.question
    assert result.workflow is not None and result.summary is not None
    steps = {s["id"]: s for s in result.workflow["steps"]}
    assert is_stand_in(steps["check"]["inputs"]["url"])
    assert steps["alert"]["when"] == "steps.state.crossed"
    assert "still to be filled in" in result.summary
    assert stand_in_steps(result.workflow)


def test_the_address_given_in_reply_is_the_one_checked_and_named_in_the_alerts() -> None:
    result = draft("alert #ops when our website goes down")
    assert result.workflow is not None
    revised = revise(result.workflow, "the address is https://tidyhome.io")
    assert revised is not None
    assert revised.changes == ["“Load the page” now uses https://tidyhome.io"]
    steps = {s["id"]: s for s in revised.spec["steps"]}
    assert steps["check"]["inputs"]["url"] == "https://tidyhome.io"
    assert "tidyhome.io is down" in steps["alert"]["inputs"]["text"]
    assert "example.com" not in str(revised.spec) and not stand_in_steps(revised.spec)


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
