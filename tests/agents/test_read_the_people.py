"""A workflow started by a clock emails people who are records (each with their own date or
state) by reading them first and sending once per record: the start carries no person, so an
email "to the person in the incoming data" would go to nobody."""

from __future__ import annotations

from typing import Any

import pytest

from agents.planner import draft
from workflows.stand_ins import is_stand_in


def _draft(request: str) -> tuple[list[dict[str, Any]], str]:
    result = draft(request)
    assert result.status == "draft", result.model_dump()
    assert result.workflow is not None and result.summary is not None
    return list(result.workflow["steps"]), result.summary


@pytest.mark.parametrize(
    ("request_text", "records"),
    [
        ("email each tenant 5 days before their lease ends", "tenants"),
        ("every evening email the drivers whose route starts before 6am tomorrow", "drivers"),
        (
            "every friday send a reminder email to anyone who hasn't finished their safety "
            "training",
            "records",
        ),
    ],
)
def test_the_people_are_read_and_each_one_is_emailed(request_text: str, records: str) -> None:
    steps, summary = _draft(request_text)
    read = steps[0]
    assert read["action"] == "http.request" and read["inputs"]["method"] == "GET"
    assert is_stand_in(read["inputs"]["url"])  # filled in before it can be approved
    if records != "records":
        assert read["inputs"]["url"].endswith("/" + records)
    emails = [s for s in steps if s["action"] == "email.send"]
    assert emails and all(s["for_each"] == f"steps.{read['id']}.json" for s in emails)
    assert all("item" in str(s["inputs"]["to"]) and "trigger" not in str(s) for s in emails)
    assert "to the person in the incoming data" not in summary
    assert "for each one of the" in summary


@pytest.mark.parametrize(
    "request_text",
    [
        "every quarter email our investors the revenue numbers",  # a group, not records
        "every monday email me the open support tickets",  # addressed to the asker
    ],
)
def test_a_group_or_the_asker_is_not_read_as_records(request_text: str) -> None:
    steps, _ = _draft(request_text)
    assert not any(s.get("for_each") for s in steps if s["action"] == "email.send")
    assert not any(str(s["id"]).startswith("fetch_investors") for s in steps)


@pytest.mark.parametrize(
    ("request_text", "said"),
    [
        ("every day at 7pm email the volunteers whose shift is tomorrow a reminder",
         "your shift is tomorrow."),
        ("email each tenant 5 days before their lease ends", "your lease ends in 5 days."),
        ("every morning email the members whose card expires this month",
         "your card expires this month."),
    ],
)  # fmt: skip
def test_each_reader_is_told_why_they_are_written_to(request_text: str, said: str) -> None:
    """The message said "Reminder." (or the workflow's name): now it tells each one what the
    request picked them for, in the second person."""
    steps, _ = _draft(request_text)
    email = next(s for s in steps if s["action"] == "email.send")
    assert said in email["inputs"]["text"]


@pytest.mark.parametrize(
    ("request_text", "records"),
    [
        (
            "on the 28th of every month email all our meals on wheels volunteers their job "
            "assignments for next month",
            "volunteers",
        ),
        ("every monday at 9 email our clients reminding them to send their timesheets", "clients"),
        ("every sunday at 6pm email our tenants a reminder to put the bins out", "tenants"),
    ],
)
def test_people_the_business_serves_are_read_when_a_clock_starts_it(
    request_text: str, records: str
) -> None:
    """A group of the people a business serves, emailed on a schedule: before, the email went
    "to the person in the incoming data", which on a schedule is nobody."""
    steps, summary = _draft(request_text)
    read = steps[0]
    assert read["action"] == "http.request" and read["inputs"]["url"].endswith("/" + records)
    emails = [s for s in steps if s["action"] == "email.send"]
    assert emails and all(s["for_each"] == f"steps.{read['id']}.json" for s in emails)
    assert "to the person in the incoming data" not in summary
    assert f"read the {records} from the system that keeps them" in summary


def test_a_fetched_list_is_emailed_record_by_record_and_the_read_says_which() -> None:
    """ "email anyone who has tasks past their due date" after reading Notion: each person the
    read returns gets one, and the read is named for the people meant, so the address given
    is the one that returns just those (before: one email to nobody)."""
    steps, summary = _draft(
        "weekdays at 4:30 check the notion task board and email anyone who has tasks past their "
        "due date"
    )
    read, email = steps[0], steps[-1]
    assert read["action"] == "http.request" and read["name"] == "Read the people from Notion"
    assert email["action"] == "email.send" and email["for_each"] == f"steps.{read['id']}.json"
    assert "trigger" not in str(email["inputs"])
    assert "to the person in the incoming data" not in summary


def test_the_crew_is_our_own_team() -> None:
    steps, summary = _draft("every thursday send the crew a reminder email about friday's meeting")
    assert [s["inputs"]["to"] for s in steps if s["action"] == "email.send"] == [["member:team"]]
    assert "everyone in your workspace" in summary
