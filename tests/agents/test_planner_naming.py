"""Draft names are short summaries of what a workflow does, never the request cut mid-sentence."""

from __future__ import annotations

import pytest

from agents.planner import draft
from agents.planner.naming import short_name
from workflows.samples import preview


@pytest.mark.parametrize(
    ("request_text", "name"),
    [
        ("Every Monday at 9am send me the weekly leads report", "Weekly leads report"),
        ("email me every friday at 3pm a summary of deals closed this week",
         "Weekly deals closed summary"),
        ("Every 1st and 15th at noon, email the clients who have unpaid invoices in our "
         "Invoices sheet a polite reminder with the amount due", "Invoice reminders"),
        ("stripe fails -> #billing", "Failed payment alerts to #billing"),
        ("hourly between 9 and 6 on weekdays grab new rows from the Leads sheet and create them "
         "in HubSpot", "Leads to HubSpot"),
        ("keep an eye on reddit for mentions of our brand, log them in a sheet",
         "Mention monitor"),
    ],
)  # fmt: skip
def test_drafts_are_named_by_what_they_do(request_text: str, name: str) -> None:
    result = draft(request_text)
    assert result.workflow is not None and result.workflow["name"] == name


@pytest.mark.parametrize(
    "request_text",
    [
        "When someone fills in the contact form on our website, add them to the CRM and tell "
        "#sales",
        "Fri 4:30pm send each client an email with the hours we logged on their project",
        "nightly at 3 copy all our saved credentials and API tokens into a shared folder",
        "When Chorus sends us the call-summary webhook after a call, add that summary as a note",
    ],
)
def test_a_name_never_ends_mid_phrase_or_opens_with_the_time(request_text: str) -> None:
    kind = "schedule" if request_text.startswith(("Fri", "nightly")) else "webhook"
    name = short_name(request_text, kind)
    last = name.split()[-1].lower()
    assert last not in {"on", "the", "a", "to", "of", "and", "with", "our", "at", "all"}
    assert not name.lower().startswith(("fri", "nightly", "when")), name
    assert len(name.split()) <= 6 and name[0].isupper()


def test_a_report_draft_covers_what_was_asked_for() -> None:
    deals = draft("every friday at 4pm email me a report of the deals closed this week")
    assert deals.workflow is not None
    report = next(s for s in deals.workflow["steps"] if s["action"] == "report.build")
    assert report["inputs"]["include"] == ["deals"]
    assert "deals closed" in (deals.summary or "")
    (sample,) = preview(deals.workflow).values()  # the email it would send, on sample data
    assert "2 deals closed" in sample.body and "runs" not in sample.body
    plain = draft("every monday at 9 email me the weekly report")
    assert plain.workflow is not None
    report = next(s for s in plain.workflow["steps"] if s["action"] == "report.build")
    assert "include" not in report["inputs"]


def test_a_name_keeps_a_web_address_whole_as_its_site() -> None:
    result = draft("send me new items from https://news.example.org/feed.xml every day")
    assert result.workflow is not None
    assert "news.example.org" in result.workflow["name"]
    assert "https" not in result.workflow["name"]


@pytest.mark.parametrize(
    ("request_text", "name"),
    [
        # what starts it is not the name: the act after it is
        ("whenever a contract gets signed in docusign, email the account manager a copy",
         "Email the account manager a copy"),
        ("when a trial user upgrades message our success channel on discord with their plan",
         "Message our success channel"),
        ("if a subscriber's card expires remind them to update it", "Remind them to update it"),
        # when it runs is not the name either
        ("every 3 days archive the finished projects in basecamp", "Archive the finished projects"),
        ("saturday mornings at 8 back up the orders table to s3", "Order backup"),
        ("once a quarter anonymise every lead older than two years", "Anonymise every lead"),
        # an act on "it" keeps what it is done with
        ("each time a quote is accepted in pandadoc forward it to accounts@acme.io",
         "Forward it to accounts@acme.io"),
        # a verb said in the third person is said as the act
        ("add a button job that exports the open tickets to a csv", "Export the open tickets"),
    ],
)  # fmt: skip
def test_a_name_is_the_act_asked_for_without_its_start_or_its_time(
    request_text: str, name: str
) -> None:
    result = draft(request_text)
    assert result.workflow is not None and result.workflow["name"] == name, result.workflow
