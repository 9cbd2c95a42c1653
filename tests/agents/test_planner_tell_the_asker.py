""" "Tell me when …", "let me know if …" with no channel named: the person asking is emailed
(the card says so), never a draft that tells nobody; a vague event is still asked about."""

from __future__ import annotations

import pytest

from agents.planner import draft


@pytest.mark.parametrize(
    ("request_text", "source", "name"),
    [
        ("tell me when a new order comes in from shopify", "Shopify", "Order alerts"),
        ("let me know when someone books a call on calendly", "Calendly", "Booking alerts"),
        ("ping me when a new issue is opened on github", "GitHub", "Issue alerts"),
        ("alert us whenever a PR gets merged", "GitHub", "Pull request alerts"),
    ],
)
def test_an_app_event_told_to_the_asker_is_an_email_to_them(
    request_text: str, source: str, name: str
) -> None:
    result = draft(request_text)
    assert result.status == "draft", result.question
    workflow = result.workflow or {}
    assert workflow["trigger"]["type"] == "webhook"
    assert workflow["trigger"]["source"] == source
    [tell] = workflow["steps"]  # no lookup of what the event already carries
    assert tell["action"] == "email.send" and tell["inputs"]["to"] == ["member:me"]
    assert workflow["name"] == name
    assert "send you an email" in (result.summary or "")


def test_a_stripe_event_told_to_the_asker() -> None:
    result = draft("let me know when somebody pays an invoice in stripe")
    workflow = result.workflow or {}
    assert workflow["trigger"] == {"type": "stripe", "events": ["invoice.paid"]}
    assert [s["action"] for s in workflow["steps"]] == ["email.send"]


@pytest.mark.parametrize(
    "request_text",
    [
        "notify me when something important happens in stripe",
        "let me know when anything relevant shows up",
    ],
)
def test_a_vague_event_is_still_asked_about(request_text: str) -> None:
    assert draft(request_text).status == "clarify"


@pytest.mark.parametrize(
    ("request_text", "action"),
    [
        ("tell me in #orders when a new order comes in from shopify", "slack.post_message"),
        ("let me know by email when someone books a call on calendly", "email.send"),
    ],
)
def test_a_channel_named_is_the_one_used_once(request_text: str, action: str) -> None:
    steps = (draft(request_text).workflow or {})["steps"]
    assert [s["action"] for s in steps] == [action]


def test_a_run_started_by_hand_shows_its_result_and_is_not_emailed() -> None:
    result = draft(
        "one time job: import the contacts from this csv into our crm and tell me how many went in"
    )
    assert "email.send" not in [s["action"] for s in (result.workflow or {})["steps"]]


def test_a_review_asked_of_customers_after_an_event_is_a_review_request_to_them() -> None:
    result = draft(
        "when a job is marked done, ask the customer to leave a 5 star review for us on google"
    )
    assert result.status == "draft", result.question
    workflow = result.workflow or {}
    assert workflow["trigger"]["type"] == "webhook"  # not a feed of reviews to read
    [ask] = workflow["steps"]
    assert ask["action"] == "email.send" and ask["inputs"]["to"] == "{{ trigger.email }}"
    assert ask["inputs"]["subject"] == "Would you leave us a review?"
    assert "would you leave us a review?" in ask["inputs"]["text"]
    assert workflow["name"] == "Review request"


def test_a_review_asked_of_nobody_the_run_brings_is_asked_about() -> None:
    result = draft("ask happy customers to leave a 5 star review for us on google")
    assert result.status == "clarify"
    assert (result.question or "").startswith("Who should get it, and when:")
    assert result.suggestions == [
        "Each customer after their order",
        "Every customer in the CRM, once",
    ]
    assert (result.workflow or {})["trigger"]["type"] == "manual"  # no feed of example.com


def test_a_message_written_out_is_sent_as_written_and_a_ticket_number_is_no_channel() -> None:
    result = draft(
        "when a new ticket gets created send the customer an email like 'your ticket #XXXX is "
        "in, an agent will get to it asap'"
    )
    workflow = result.workflow or {}
    [email] = workflow["steps"]  # no Slack post to a channel called #xxxx
    assert email["action"] == "email.send"
    assert email["inputs"]["text"] == "your ticket #XXXX is in, an agent will get to it asap"
    assert email["inputs"]["subject"] == "Your ticket #XXXX is in"  # its own first words
    assert workflow["name"] == "Ticket confirmation"


@pytest.mark.parametrize(
    "request_text",
    [
        "cross post each new article from our blog rss to the discord #newsstand channel",
        "every time we publish a github release, post it in the #releases channel on our discord",
    ],
)
def test_a_channel_on_discord_is_not_a_slack_channel(request_text: str) -> None:
    steps = (draft(request_text).workflow or {})["steps"]
    assert "slack.post_message" not in [s["action"] for s in steps]
    assert any(
        s["action"] == "http.request"
        and s["inputs"]["method"] == "POST"
        and "discord" in s["inputs"]["url"]
        for s in steps
    )


def test_a_text_as_well_as_an_email_and_a_person_named_without_address_are_kept() -> None:
    result = draft("text + email me and Dana when a new order over 500 comes in from shopify")
    assert result.status == "clarify"
    assert result.question == "What is Dana's email address? I'll send it to Dana as well."
    assert result.suggestions == ["Just email me"]
    workflow = result.workflow or {}
    steps = {s["action"]: s for s in workflow["steps"]}
    assert set(steps) == {"email.send", "http.request"}  # the text is not dropped
    over = "(trigger.total | default(0) | float) > 500"
    assert steps["email.send"].get("when") == over and steps["http.request"].get("when") == over
    assert workflow["name"] == "Order alerts"
    addressed = draft("email me and dana@cornerbakery.example when a new order comes in")
    assert addressed.status == "draft"  # her address is said: nothing to ask
