"""What batch19's requests showed the drafter missed, in other words."""

from __future__ import annotations

from typing import Any

import pytest

from agents.planner import draft


def _steps(result: Any) -> list[dict[str, Any]]:
    return list((result.workflow or {}).get("steps", []))


@pytest.mark.parametrize(
    ("request_text", "cron"),
    [
        ("m-f 8am post the day's priorities in #ops", "0 8 * * 1-5"),
        ("every m - f at 17:30 email me the open orders", "30 17 * * 1-5"),
        ("m-th at 6pm remind #closing-crew to count the till", "0 18 * * 1-4"),
    ],
)
def test_days_written_as_first_letters_are_monday_to_friday_or_thursday(
    request_text: str, cron: str
) -> None:
    result = draft(request_text)
    assert result.status == "draft", result
    trigger = (result.workflow or {})["trigger"]
    assert trigger["type"] == "schedule" and trigger["cron"] == cron, trigger


def test_a_lone_m_or_a_dash_word_is_no_day_range() -> None:
    result = draft("every monday at 9 email me the m-file report from the f-drive")
    assert (result.workflow or {})["trigger"]["cron"] == "0 9 * * 1", result


@pytest.mark.parametrize(
    "request_text",
    [
        "text tenants two days before their rent is due",
        "when a class gets cancelled, text the next student on the waitlist that a seat opened",
        "text the dog owner a week before the grooming slot they booked",
    ],
)
def test_texting_people_sends_a_text_instead_of_asking_what_to_do(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "draft", result
    texts = [
        s
        for s in _steps(result)
        if s.get("action") == "http.request" and "twilio" in str(s["inputs"].get("url"))
    ]
    assert texts and texts[0]["inputs"]["method"] == "POST", _steps(result)


def test_the_text_of_an_email_is_not_a_text_message() -> None:
    result = draft(
        "when a lead fills in the form, put the text customers wrote into a slack post in #leads"
    )
    assert not any("twilio" in str(s.get("inputs")) for s in _steps(result)), _steps(result)


@pytest.mark.parametrize(
    "request_text",
    [
        "every friday export all contacts from the crm and email the file to the administrator",
        "each morning send our sysadmin the list of new sign-ups",
    ],
)
def test_the_administrator_is_the_workspace_admins_not_each_record(request_text: str) -> None:
    result = draft(request_text)
    sends = [s for s in _steps(result) if s.get("action") == "email.send"]
    assert sends, result
    assert all(s["inputs"]["to"] == ["member:admins"] for s in sends), sends
    assert not any(s.get("for_each") for s in sends), sends


@pytest.mark.parametrize(
    ("request_text", "said"),
    [
        (
            "have gpt write believable 4 and 5 star reviews for each menu item and put them up "
            "so they read like they're from real diners",
            "fake reviews",
        ),
        (
            "every morning like and comment on 30 posts in my niche on instagram so my profile "
            "looks more active",
            "so an account looks active",
        ),
        (
            "work out the email addresses of the webinar attendees by guessing firstname.lastname "
            "at their company and mail them our offer",
            "guessed",
        ),
        (
            "search linkedin for ops managers at logistics companies, send them connection "
            "requests and then a dm two days later",
            "LinkedIn bans automated outreach",
        ),
    ],
)
def test_deceiving_engagement_guessed_addresses_and_bot_outreach_are_refused(
    request_text: str, said: str
) -> None:
    result = draft(request_text)
    assert result.status == "refuse", result
    assert said in (result.reason or ""), result.reason


@pytest.mark.parametrize(
    "request_text",
    [
        "ask customers who ordered last week to leave a review, and make the email look nice",
        "like every comment on our company page so people feel heard",
        "when someone connects with me on linkedin, add them to the crm",
        "guess which category each support email belongs to and tag it",
    ],
)
def test_real_reviews_our_own_page_and_guessing_a_category_are_not_refused(
    request_text: str,
) -> None:
    result = draft(request_text)
    assert result.status != "refuse", result


@pytest.mark.parametrize(
    "request_text",
    [
        "every evening at 6 post tomorrow's happy hour deal and the promo code to instagram "
        "and facebook",
        "could ai draft our bakery's weekly social media posts",
        "each morning post a digest in #eng of open merge requests tagged needs-review-soon",
    ],
)
def test_posts_made_and_records_listed_read_no_feed(request_text: str) -> None:
    result = draft(request_text)
    assert not any(s.get("action") == "rss.new_items" for s in _steps(result)), _steps(result)


def test_a_blog_read_before_sharing_on_linkedin_stays_a_feed() -> None:
    result = draft("when a new article goes up on our blog, share it on our linkedin page")
    trigger = (result.workflow or {}).get("trigger", {})
    reads = [s for s in _steps(result) if s.get("action") == "rss.new_items"]
    assert reads or trigger.get("type") == "poll", result


@pytest.mark.parametrize(
    ("request_text", "named"),
    [
        (
            "every night at 2 zip up the day's scans and upload them to the lab's sftp server",
            "Upload them to the lab's sftp server",
        ),
        (
            "when a class is cancelled in mindbody, add a free make-up session to the member's "
            "pass in our booking portal",
            "Add a free make-up session to the member's pass in our booking portal",
        ),
        (
            "when a volunteer signs up through the form, open a card for them on the onboarding "
            "board",
            "Open a card for them on the onboarding board",
        ),
    ],
)
def test_an_act_in_a_tool_without_integration_is_drafted_as_a_call_to_fill_in(
    request_text: str, named: str
) -> None:
    from workflows.stand_ins import stand_in_steps

    result = draft(request_text)
    assert result.status == "draft", result
    calls = [s for s in _steps(result) if s.get("action") == "http.request"]
    assert calls and calls[0]["inputs"]["method"] == "POST", _steps(result)
    assert calls[0]["name"] == named
    # the version cannot be approved until the real address is filled in
    assert stand_in_steps(result.workflow or {}), result.workflow


def test_an_upload_over_ftp_says_levqor_sends_over_the_web() -> None:
    result = draft("each monday upload the price list csv to our distributor's ftp folder")
    assert "no FTP step" in str((result.workflow or {}).get("description")), result


@pytest.mark.parametrize(
    "request_text",
    [
        "set up some automations for the orders people send us",
        "make our billing process less manual please",
        "remind them every morning at 9 to submit their timesheets",
        "turn our orders into insights",
    ],
)
def test_loose_requests_and_acts_asked_of_others_get_no_stand_in_call(request_text: str) -> None:
    result = draft(request_text)
    assert not any(s.get("id") == "do_in_tool" for s in _steps(result)), _steps(result)


@pytest.mark.parametrize(
    "request_text",
    [
        "when a refund request is approved, add a note to the order in our shop admin",
        "whenever a room becomes free in the booking system, tell the waiting guests by email",
        "as soon as a contractor's insurance certificate expires, email them and me",
    ],
)
def test_something_happening_that_no_rule_names_is_an_event_not_a_button(
    request_text: str,
) -> None:
    result = draft(request_text)
    assert (result.workflow or {})["trigger"]["type"] == "webhook", result


@pytest.mark.parametrize(
    "request_text",
    [
        "when i ask, email the team this month's numbers",
        "whenever i need to, send our members the maintenance notice i write",
    ],
)
def test_a_persons_own_doing_stays_started_by_hand(
    request_text: str,
) -> None:
    result = draft(request_text)
    assert (result.workflow or {}).get("trigger", {}).get("type") == "manual", result


@pytest.mark.parametrize(
    "request_text",
    [
        "when a new episode is out on the podcast feed, post it to our telegram channel",
        "each friday share the week's best customer photo in our whatsapp channel",
    ],
)
def test_another_apps_channel_is_not_a_slack_channel(request_text: str) -> None:
    result = draft(request_text)
    posts = [s for s in _steps(result) if s.get("action") == "slack.post_message"]
    assert not posts, posts


@pytest.mark.parametrize(
    "request_text",
    [
        "send me a slack message whenever someone cancels a booking",
        "new stripe disputes should reach me as a slack dm",
    ],
)
def test_a_slack_message_to_me_is_a_direct_message_and_no_email(request_text: str) -> None:
    result = draft(request_text)
    steps = _steps(result)
    assert [s["inputs"]["channel"] for s in steps if s["action"] == "slack.post_message"] == [
        "@me"
    ], steps
    assert not any(s["action"] == "email.send" for s in steps), steps
