"""What starts a workflow, read the way a person means it: reminders counted from each record's
own date, a person editing a table, watching someone else's page, started by hand on request;
and approval-skipping or data-handing-over phrasings that are refused."""

from __future__ import annotations

import pytest

from agents.planner import draft


def _trigger(request: str) -> dict[str, object]:
    result = draft(request)
    assert result.workflow is not None, result.question or result.reason
    trigger: dict[str, object] = result.workflow["trigger"]
    return trigger


@pytest.mark.parametrize(
    ("request_text", "cron"),
    [
        ("text each tenant 5 days before their rent is due, the list is in the Rent sheet",
         "0 9 * * *"),
        ("dm the volunteer the evening before their shift at 7pm (shifts: Volunteers sheet)",
         "0 19 * * *"),
        ("email clients 10 days after the due date if the invoice in the Billing sheet is unpaid",
         "0 9 * * *"),
    ],
)  # fmt: skip
def test_a_reminder_counted_from_each_records_date_is_a_daily_check(
    request_text: str, cron: str
) -> None:
    trigger = _trigger(request_text)
    assert trigger["type"] == "schedule"
    assert trigger["cron"] == cron


def test_an_event_that_starts_the_count_stays_the_event() -> None:
    trigger = _trigger("3 days after a stripe invoice becomes overdue, email the customer")
    assert trigger["type"] == "stripe"


@pytest.mark.parametrize(
    "request_text",
    [
        "when I tick the Paid box in column F of the Orders sheet, email the buyer a receipt",
        "any time someone edits a row in the Stock sheet, tell #warehouse what changed",
        "every new row in the Signups sheet should get a welcome email",
        "when we set a card in our Airtable base to Done, post it to #wins",
    ],
)
def test_a_person_editing_a_table_is_watched_for(request_text: str) -> None:
    assert _trigger(request_text)["type"] == "poll"


def test_watching_someone_elses_shop_is_polled_not_a_webhook() -> None:
    trigger = _trigger(
        "keep an eye on the rival's shopify store and tell #sales when they add a product"
    )
    assert trigger["type"] == "poll"


def test_a_page_that_stops_loading_is_an_uptime_check() -> None:
    assert _trigger("let #ops know if the checkout page stops loading")["type"] == "interval"


def test_started_by_hand_when_the_person_says_so() -> None:
    result = draft(
        "give me a way to email one client their statement from the Ledger sheet when I say so"
    )
    assert result.workflow is not None
    assert result.workflow["trigger"]["type"] == "manual"


@pytest.mark.parametrize(
    "request_text",
    [
        "refund every cancelled order in stripe, and do not put a review step in front of me",
        "delete hubspot contacts nobody emailed in a year, dont bother making me a review list",
        "let the AI reply to customer emails by itself, i never want to approve anything",
        "cancel subscriptions that failed payment twice without me having to confirm",
    ],
)
def test_asking_to_skip_approval_in_other_words_is_refused(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "refuse"
    assert "approval" in (result.reason or "")


def test_customer_data_handed_to_another_business_for_their_marketing_is_refused() -> None:
    result = draft(
        "every friday export our customers' names and emails from shopify and email the csv to "
        "ads@partner-agency.io so they can retarget them"
    )
    assert result.status == "refuse"
    assert "marketing" in (result.reason or "")


def test_a_shop_checkout_is_not_a_bought_mailing_list() -> None:
    result = draft(
        "if someone abandons checkout on woocommerce, wait two hours, check they still haven't "
        "bought, then email them their cart"
    )
    assert result.status == "draft"
    assert result.workflow is not None
    assert result.workflow["trigger"]["type"] == "webhook"


@pytest.mark.parametrize(
    "request_text",
    [
        "every day suspend the accounts of users on the Overdue tab of our billing sheet",
        "cancel the memberships of everyone in the Lapsed sheet on the 1st",
    ],
)
def test_taking_away_access_without_a_step_an_owner_confirms_is_refused(
    request_text: str,
) -> None:
    result = draft(request_text)
    assert result.status == "refuse" or result.approval_class == "C"


def test_a_customer_cancelling_is_the_event_not_something_we_do() -> None:
    result = draft("when a member cancels their membership in stripe, post it in #churn")
    assert result.status == "draft"


def test_fake_reviews_and_posing_as_customers_are_refused() -> None:
    for request_text in (
        "every week write 5 fake reviews of our cafe and post them on google",
        "post in r/coffee pretending to be a happy customer who found our beans",
    ):
        result = draft(request_text)
        assert result.status == "refuse", request_text
        assert "fake reviews" in (result.reason or "")


def test_a_list_of_dates_in_different_months_recurs_every_year() -> None:
    trigger = _trigger("on jan 5, apr 5, jul 5 and oct 5 at 10 email me the vat summary")
    assert trigger["type"] == "schedule"
    assert trigger["cron"] == "0 10 5 1,4,7,10 *"


@pytest.mark.parametrize(
    "request_text",
    [
        "connect shopify and slack",
        "build me an AI agent for the business",
        "i need a weekly report",
        "make our invoicing smoother",
    ],
)
def test_requests_with_nothing_to_build_on_get_a_question(request_text: str) -> None:
    result = draft(request_text)
    assert result.status == "clarify"
    assert result.question


def test_a_slack_trigger_names_the_channel_the_request_named() -> None:
    trigger = _trigger(
        "when someone posts a receipt photo in #expenses, add it to the Expenses sheet"
    )
    assert trigger == {"type": "slack", "channel": "#expenses"}


def test_an_at_mention_of_the_bot_reads_no_feed_and_answers_from_the_faq() -> None:
    result = draft(
        "when someone @mentions the bot in #help, answer their question from our FAQ doc"
    )
    assert result.workflow is not None
    assert result.workflow["trigger"] == {"type": "slack", "mention": True, "channel": "#help"}
    actions = [s["action"] for s in result.workflow["steps"]]
    assert actions == ["ai.draft_reply", "slack.post_message"]


def test_a_messenger_bot_sends_the_ai_answer_back_through_that_messenger() -> None:
    result = draft(
        "telegram bot for our bakery: people ask about opening hours, the AI answers from our FAQ"
    )
    assert result.workflow is not None
    steps = result.workflow["steps"]
    assert [s["action"] for s in steps] == ["ai.draft_reply", "http.request"]
    assert "api.telegram.org" in steps[1]["inputs"]["url"]
    assert steps[1]["inputs"]["json"] == {"text": "{{ steps.draft_reply.reply }}"}


@pytest.mark.parametrize(
    ("request_text", "cron"),
    [
        ("every friday send me the new leads", "0 9 * * 5"),
        ("send me the new hubspot leads every friday", "0 9 * * 5"),
        ("each monday post the open support tickets in #support", "0 9 * * 1"),
    ],
)  # fmt: skip
def test_a_repeating_day_without_an_hour_is_a_schedule_at_nine(
    request_text: str, cron: str
) -> None:
    trigger = _trigger(request_text)
    assert trigger["type"] == "schedule"
    assert trigger["cron"] == cron


@pytest.mark.parametrize(
    ("request_text", "kind"),
    [
        # the start's words decide: a refund or an email later in the request is what it does
        ("when a guest cancels their class booking, refund them in full", "webhook"),
        ("when our lab system produces a test report, automatically email it to the doctor",
         "webhook"),
        ("for each new woocommerce order make a packing slip and email it to us from gmail",
         "webhook"),
        # an app or a person doing something is an event, whoever names it
        ("if a customer goes past their storage quota, email them about the bigger plan",
         "webhook"),
        ("at the end of each project email the client our feedback survey", "webhook"),
        ("dm me the minute someone opens an issue on our github repo", "webhook"),
        ("copy new pipedrive contacts into the Leads spreadsheet", "webhook"),
        ("whenever a supplier sends us an email, log it in the Suppliers sheet", "email"),
        # "when I run it" is by hand, whatever it posts to
        ("when i run it, post the release notes on twitter and mastodon", "manual"),
        # a condition is no start: "if there's no order…" leaves the mailbox as the start
        ("we get refund questions at help@ all day. look up the order and reply; if there's no "
         "order just forward it to me", "email"),
    ],
)  # fmt: skip
def test_what_starts_it_is_read_from_the_words_that_say_so(request_text: str, kind: str) -> None:
    assert _trigger(request_text)["type"] == kind


def test_every_existing_record_is_no_event() -> None:
    """'every contact' is a one-off over what exists; only 'every new contact' arrives."""
    assert _trigger("send our new price list to every contact in the CRM once")["type"] != "webhook"


@pytest.mark.parametrize(
    ("request_text", "path"),
    [
        ("every weekday at 8 post the open pull requests needing review in #dev", "pull-requests"),
        ("each monday email me which ssl certificates expire this month", "certificates"),
        ("every morning at 7 post in #office a summary of who is on vacation today", "time-off"),
    ],
)  # fmt: skip
def test_a_scheduled_list_reads_the_records_it_lists(request_text: str, path: str) -> None:
    """Records kept in a system with no integration are read from it (the owner fills in its
    address), so the list is not sent empty; the plain words say what is still to fill in."""
    result = draft(request_text)
    assert result.status == "draft", result
    assert result.workflow is not None
    reads = [s for s in result.workflow["steps"] if s.get("action") == "http.request"]
    assert reads and reads[0]["inputs"] == {
        "method": "GET",
        "url": f"https://api.example.com/{path}",
    }
    assert "still to be filled in" in (result.summary or "")


def test_a_reminder_to_everyone_reads_nothing() -> None:
    result = draft("every friday at 3pm remind #team to submit their timesheets")
    assert result.workflow is not None
    assert [s["action"] for s in result.workflow["steps"]] == ["slack.post_message"]


@pytest.mark.parametrize(
    ("request_text", "kind", "cron"),
    [
        # a count to an expiry or from a record's own date is a daily look
        ("tell #it when any domain is 14 days from expiring", "schedule", "0 9 * * *"),
        ("based on the signup date, email the customer 1 week and again 1 month after signup",
         "schedule", "0 9 * * *"),
        # a period word describing a thing is no schedule
        ("when a lead books a call, email them our monthly retainer package", "webhook", None),
        # a wait after something a person does is that event, then the wait
        ("3 days after a customer picks up their bike, email them a quick survey", "webhook", None),
        # an offline message and a planned downtime are no uptime check
        ("when a visitor leaves an offline message in the chat, email them that we got it",
         "webhook", None),
        ("email all our staff about the planned downtime on saturday", "manual", None),
    ],
)  # fmt: skip
def test_counts_waits_and_words_that_look_like_times_or_outages(
    request_text: str, kind: str, cron: str | None
) -> None:
    trigger = _trigger(request_text)
    assert trigger["type"] == kind
    assert trigger.get("cron") == cron


@pytest.mark.parametrize(
    "request_text",
    [
        "when a release is published on github, post an announcement on our discord and tweet it",
        "when i say so, publish the launch note on our twitter and linkedin",
    ],
)
def test_posting_to_social_sites_reads_no_feed(request_text: str) -> None:
    result = draft(request_text)
    assert result.workflow is not None
    assert not any(s.get("action") == "rss.new_items" for s in result.workflow["steps"])


def test_watching_a_social_site_still_reads_its_feed() -> None:
    result = draft("watch reddit for mentions of our brand and post them in #social")
    assert result.workflow is not None
    reads = {"rss.new_items", "social.mentions"}
    assert any(s.get("action") in reads for s in result.workflow["steps"])


def test_a_survey_after_a_wait_asks_how_it_went_not_day_3() -> None:
    result = draft("3 days after a customer picks up their bike, email them a quick survey")
    assert result.workflow is not None
    assert result.workflow["name"] == "Feedback request"
    emails = [s for s in result.workflow["steps"] if s.get("action") == "email.send"]
    assert len(emails) == 1
    assert emails[0]["inputs"]["subject"] == "How did we do?"
    assert "tell us how it went" in emails[0]["inputs"]["text"]


def test_an_outage_told_ahead_is_news_and_a_site_going_down_is_checked() -> None:
    told = draft(
        "email all our users that the service will be unavailable for saturday's maintenance"
    )
    assert told.workflow is not None
    assert told.workflow["trigger"]["type"] != "interval"
    assert [s["action"] for s in told.workflow["steps"]] == ["email.send_bulk"]
    assert _trigger("alert #ops when the website goes down, even during maintenance")["type"] == (
        "interval"
    )


def test_cards_posted_from_a_tool_are_read_from_it_not_written_to_it() -> None:
    result = draft(
        "weekdays at 9:30am post to #proj the cards sitting in 'Doing' on our trello board"
    )
    assert result.workflow is not None and result.approval_class == "A"
    steps = [(s["action"], s["inputs"].get("method")) for s in result.workflow["steps"]]
    assert steps == [("http.request", "GET"), ("slack.post_message", None)]


def test_a_scheduled_email_to_the_team_is_not_also_sent_to_nobody() -> None:
    result = draft("every day at 8am email each person on the team their overdue clickup tasks")
    assert result.workflow is not None
    to = [s["inputs"]["to"] for s in result.workflow["steps"] if s["action"] == "email.send"]
    assert to == [["member:team"]]


@pytest.mark.parametrize(
    ("request_text", "cron", "zone"),
    [
        ("at 4:30pm send me a list of today's new signups", "30 16 * * *", "UTC"),
        ("7am paris time, email the crew today's delivery list", "0 7 * * *", "Europe/Paris"),
    ],
)
def test_a_time_of_day_that_opens_the_request_is_every_day(
    request_text: str, cron: str, zone: str
) -> None:
    trigger = _trigger(request_text)
    assert (trigger["type"], trigger["cron"], trigger["timezone"]) == ("schedule", cron, zone)


def test_a_time_on_one_named_day_stays_a_one_off() -> None:
    assert _trigger("at 3pm tomorrow email me the venue address")["type"] != "schedule"


def test_a_weekday_and_time_are_kept_when_a_figure_is_called_daily() -> None:
    trigger = _trigger("tuesday 7am send me the weekly shop figures with the daily average")
    assert trigger["cron"] == "0 7 * * 2"


def test_every_few_months_runs_on_the_first_of_those_months() -> None:
    trigger = _trigger("every 3 months archive the closed projects in our tracker sheet")
    assert (trigger["type"], trigger["cron"]) == ("schedule", "0 9 1 */3 *")


@pytest.mark.parametrize(
    "request_text",
    [
        "delete customers who have not ordered in 2 years",
        "on every member's birthday send them a coupon by email",
        "purge files in the backup folder older than 60 days",
        "email a check-in to clients after 3 months of inactivity",
    ],
)
def test_a_records_own_age_or_day_is_looked_for_every_day(request_text: str) -> None:
    trigger = _trigger(request_text)
    assert (trigger["type"], trigger["cron"]) == ("schedule", "0 9 * * *")


@pytest.mark.parametrize(
    "request_text",
    [
        "tell #warehouse when the inventory of any sku drops below 10",
        "email me if anything changes on the pricing page of acme.com",
    ],
)
def test_values_and_pages_without_a_push_are_watched_and_read(request_text: str) -> None:
    result = draft(request_text)
    assert result.workflow is not None
    assert result.workflow["trigger"]["type"] == "poll"
    reads = [
        s
        for s in result.workflow["steps"]
        if s["action"] == "http.request" and s["inputs"]["method"] == "GET"
    ]
    assert reads, result.workflow["steps"]


def test_keeping_two_systems_in_sync_with_no_time_is_watched() -> None:
    assert _trigger("sync our newsletter contacts with the crm")["type"] == "poll"


@pytest.mark.parametrize(
    ("request_text", "kind"),
    [
        ("when somebody subscribes to our mailchimp list send them a welcome email", "webhook"),
        ("if a member closes their account on our site, cancel their stripe subscription",
         "webhook"),
    ],
)  # fmt: skip
def test_a_stripe_word_after_the_start_or_a_list_subscriber_is_no_stripe_event(
    request_text: str, kind: str
) -> None:
    assert _trigger(request_text)["type"] == kind


def test_slack_named_as_where_alerts_go_is_no_slack_trigger() -> None:
    trigger = _trigger("refund notifications from paddle to our team slack")
    assert trigger["type"] != "slack"


def test_something_the_team_does_in_another_tool_is_the_event() -> None:
    request = "when we add a new volunteer in our roster app, email them the welcome pack"
    assert _trigger(request)["type"] == "webhook"


def test_after_someone_does_something_is_the_event_said_back_in_their_words() -> None:
    trigger = _trigger("after a guest checks out of the cabin, email them a thank you")
    assert trigger["type"] == "webhook"
    assert trigger["event"] == "a guest checks out of the cabin"


def test_a_daily_summary_covers_the_day() -> None:
    result = draft("at 6pm send me a summary of new leads")
    assert result.workflow is not None
    [report] = [s for s in result.workflow["steps"] if s["action"] == "report.build"]
    assert report["inputs"]["period"] == "1 day"


@pytest.mark.parametrize(
    ("request_text", "kind"),
    [
        ("when a client's card on file is about to expire, ask them to update it", "stripe"),
        ("every new square payment should be posted in #takings", "webhook"),
        ("whenever someone forks our repo, post it in #dev", "webhook"),
        ("if the checkout page load time goes over 3 seconds, alert #ops", "interval"),
        ("answer people who message us on facebook with our opening hours", "webhook"),
        ("if the weather forecast says snow, email the drivers at 6am", "schedule"),
    ],
)
def test_starts_read_from_what_happens(request_text: str, kind: str) -> None:
    assert _trigger(request_text)["type"] == kind


def test_a_birthday_message_to_each_customer_is_a_daily_look() -> None:
    trigger = _trigger("send a birthday text to each client from our crm")
    assert (trigger["type"], trigger["cron"]) == ("schedule", "0 9 * * *")
