"""What starts a workflow (batch13 round), in wording written for these tests: a record's own age
or due day is looked at every day; "closing the shop down" and an outage someone logs are not an
uptime check."""

from __future__ import annotations

import pytest

from tests.agents.drafting import drafted_trigger


@pytest.mark.parametrize(
    "request_text",
    [
        "remove the guest logins that no one has used in six months",
        "files in the shared drive uploaded more than 90 days ago should be archived to the cold "
        "bucket",
        "on the day each library book is due back, email the member a reminder",
        "close support tickets nobody has updated for 3 weeks",
    ],
)
def test_an_age_or_a_due_day_of_each_record_is_a_daily_look(request_text: str) -> None:
    trigger = drafted_trigger(request_text)
    assert trigger["type"] == "schedule" and trigger["cron"] == "0 9 * * *"


@pytest.mark.parametrize(
    ("request_text", "kind"),
    [
        ("we are winding the agency down: cancel every retainer subscription in stripe", "manual"),
        ("after every outage we post on the status page, email the affected accounts",
         "webhook"),
    ],
)  # fmt: skip
def test_down_as_a_verb_and_a_logged_outage_are_not_uptime_checks(
    request_text: str, kind: str
) -> None:
    assert drafted_trigger(request_text)["type"] == kind


@pytest.mark.parametrize(
    "request_text",
    ["tell #ops when our site goes down", "if the shop is down for more than 5 minutes text me"],
)
def test_a_site_that_goes_down_is_still_checked(request_text: str) -> None:
    assert drafted_trigger(request_text)["type"] == "interval"
