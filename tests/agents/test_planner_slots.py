"""Time phrases → crontab, zone phrases → IANA names, and the small slots the builder uses."""

from __future__ import annotations

import pytest

from agents.planner.schedule import find_cron
from agents.planner.slots import read_slots
from agents.planner.text import normalise
from agents.planner.zones import find_timezone
from workflows.cron import validate_crontab

CRONS = [
    ("every monday 9am", "0 9 * * 1"),
    ("weekdays at 7", "0 7 * * 1-5"),
    ("fridays 4:30pm", "30 16 * * 5"),
    ("first of the month at 7am", "0 7 1 * *"),
    ("on the 1st and 15th at 8am", "0 8 1,15 * *"),
    ("every 15 min", "*/15 * * * *"),
    ("every hour on the hour, 7am to 7pm, weekdays", "0 7-19 * * 1-5"),
    ("every 15 minutes between 7am and 7pm on weekdays", "*/15 7-18 * * 1-5"),
    ("every night at 2am", "0 2 * * *"),
    ("daily at 9am", "0 9 * * *"),
    ("every morning at 8", "0 8 * * *"),
    ("every tuesday and thursday at noon", "0 12 * * 2,4"),
    ("each evening at 6", "0 18 * * *"),
    ("every 2 hours", "0 */2 * * *"),
    ("on the 15th of each month at 10:00", "0 10 15 * *"),
    ("every weekend at 10am", "0 10 * * 0,6"),
    ("every sunday night at 8", "0 20 * * 0"),
    ("weekly on fridays", "0 9 * * 5"),
    ("every day at 5:45pm", "45 17 * * *"),
    ("every half hour", "*/30 * * * *"),
    ("every sunday at midnight", "0 0 * * 0"),
]
NOT_RECURRING = [
    "reply if a mail arrives outside 8am-6pm mon-fri",
    "send check-in emails on day 2, 5 and 14 at 9am",
    "post hot leads between 9am and 6pm, otherwise first thing the next morning",
    "move each customer to the new plan today",
    "at 14 days send a firmer reminder",
]


@pytest.mark.parametrize(("phrase", "cron"), CRONS)
def test_recurring_phrases_become_standard_crontab(phrase: str, cron: str) -> None:
    assert find_cron(normalise(phrase)) == cron
    assert validate_crontab(cron) == cron


@pytest.mark.parametrize("phrase", NOT_RECURRING)
def test_one_off_times_and_windows_are_not_schedules(phrase: str) -> None:
    assert find_cron(normalise(phrase)) is None


ZONES = [
    ("9am uk time", "Europe/London"),
    ("at 9:15 london time", "Europe/London"),
    ("at 7 eastern", "America/New_York"),
    ("4:30pm pacific", "America/Los_Angeles"),
    ("7am mumbai time", "Asia/Kolkata"),
    ("at 10am in tokyo", "Asia/Tokyo"),
    ("noon central time", "America/Chicago"),
    ("6pm cet", "Europe/Paris"),
    ("timezone: america/sao_paulo", "America/Sao_Paulo"),
    ("every day at 8 Auckland time", "Pacific/Auckland"),
]


@pytest.mark.parametrize(("phrase", "zone"), ZONES)
def test_zone_phrases_map_to_iana_names(phrase: str, zone: str) -> None:
    assert find_timezone(normalise(phrase)) == zone


@pytest.mark.parametrize(
    "phrase", ["our uk clients pay late", "we have an office in paris", "every monday at 9am"]
)
def test_places_without_a_time_name_no_zone(phrase: str) -> None:
    assert find_timezone(normalise(phrase)) is None


def test_slots_channels_addresses_amounts_and_days() -> None:
    slots = read_slots(
        normalise("Any order over $2,500 -> #wins and #sales-team, cc ops@acme.io, day 2/5/14")
    )
    assert slots.channels == ["wins", "sales-team"]
    assert slots.addresses == ["ops@acme.io"]
    assert slots.threshold == 2500
    assert slots.drip_days == [2, 5, 14]
    assert "#ch0" in slots.text  # channel names are kept out of word matching


def test_channel_names_do_not_imply_tools() -> None:
    assert "rss" not in read_slots(normalise("post drafts in #review-feed")).tools
