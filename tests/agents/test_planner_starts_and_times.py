"""What starts a workflow and when: read from the words that say so.

A part of the day after a bare hour makes it a clock ("6 in the morning"), a zone code counts
wherever it stands, words about what a report covers ("what happened overnight") do not move its
clock, the left side of an arrow is the start, and invoices or orders in another tool are that
tool's events, not Stripe's.
"""

from __future__ import annotations

import pytest

from agents.planner import draft
from tests.agents.drafting import drafted_actions


def _trigger(request_text: str) -> dict[str, object]:
    result = draft(request_text)
    assert result.workflow is not None, result
    trigger: dict[str, object] = result.workflow["trigger"]
    return trigger


@pytest.mark.parametrize(
    ("request_text", "cron"),
    [
        ("7 in the morning every weekday email me the day's bookings", "0 7 * * 1-5"),
        ("every sunday at 9 at night post next week's rota in #staff", "0 21 * * 0"),
        ("each day at 5 in the afternoon email me the new leads", "0 17 * * *"),
        ("every weekday at 7:15 post what came in overnight in #support", "15 7 * * 1-5"),
    ],
)
def test_a_part_of_the_day_sets_the_clock_and_a_covered_period_does_not(
    request_text: str, cron: str
) -> None:
    assert _trigger(request_text)["cron"] == cron


@pytest.mark.parametrize(
    ("request_text", "zone"),
    [
        ("every monday at 8 email me the week's meetings. AEDT", "Australia/Sydney"),
        ("we're on CET, post the sales figures in #sales each friday at 4pm", "Europe/Paris"),
    ],
)
def test_a_zone_code_counts_wherever_it_stands(request_text: str, zone: str) -> None:
    result = draft(request_text)
    assert result.timezone == zone


def test_a_zone_code_inside_a_channel_name_or_an_abbreviation_is_no_zone() -> None:
    assert draft("every friday at 4 post the numbers in #cet-team").timezone is None
    assert draft("every friday at 4 email me the est. revenue").timezone is None


@pytest.mark.parametrize(
    ("request_text", "kind"),
    [
        ("new invoice in freshbooks -> add a row to the invoices sheet", "webhook"),
        ("new refund in xero -> tell #finance", "webhook"),
        ("when we refund an order in our woocommerce store, email the customer a note", "webhook"),
        ("each jotform submission -> a new row in our google sheet", "webhook"),
        ("when an invoice is paid, thank the client by email", "stripe"),
        ("post in #ops when a new nocodb row is created", "poll"),
        ("when a record is added to our seatable base, email me", "poll"),
    ],
)
def test_the_start_is_the_event_the_words_name(request_text: str, kind: str) -> None:
    assert _trigger(request_text)["type"] == kind


@pytest.mark.parametrize(
    ("request_text", "cron"),
    [
        ("jeden Freitag um 16 Uhr den Wochenbericht an chef@firma.de schicken", "0 16 * * 5"),
        ("todos los lunes a las 8 envía las ventas a ventas@tienda.es", "0 8 * * 1"),
        ("chaque matin à 7h30 envoyer les rendez-vous à moi@cabinet.fr", "30 7 * * *"),
        ("elke dag om 18 uur de bestellingen naar team@winkel.nl mailen", "0 18 * * *"),
        ("每周一早上9点把上周的销售数据发到 #sales", "0 9 * * 1"),
        ("每个月最后一天把销售报表发给 finance@acme.cn", "0 9 28-31 * *"),
    ],
)
def test_time_words_of_other_languages_are_read(request_text: str, cron: str) -> None:
    trigger = _trigger(request_text)
    assert trigger["type"] == "schedule"
    assert trigger["cron"] == cron


@pytest.mark.parametrize(
    "request_text",
    [
        "check the site every 2h and ping #ops if it's down",
        "as 5 people signed up today, post it",
        "um 5 people signed up today, post it in #wins",
        "my todo list every friday at 9",
    ],
)
def test_english_time_words_are_left_as_they_were(request_text: str) -> None:
    from agents.planner.when.foreign import in_english

    assert in_english(request_text) == request_text


@pytest.mark.parametrize(
    "request_text",
    [
        "every monday at 8 post the store stats in #general: orders, revenue, new customers",
        "each morning at 7 email me how many signups and active users we had yesterday",
        "friday 5pm email the partners a report of the referrals they sent us this week",
    ],
)
def test_a_report_of_figures_kept_elsewhere_reads_them_first(request_text: str) -> None:
    actions = drafted_actions(request_text)
    assert actions[0] == "http.request"
    assert "report.build" in actions


@pytest.mark.parametrize(
    "request_text",
    [
        "every monday email me a report of last week's stripe revenue",
        "every friday post a report of the deals closed this week from hubspot in #sales",
        "every monday email me the runs report",
    ],
)
def test_a_report_of_figures_an_integration_holds_reads_nothing_else(request_text: str) -> None:
    result = draft(request_text)
    assert result.workflow is not None
    assert not [
        s
        for s in result.workflow["steps"]
        if s.get("action") == "http.request" and s["inputs"].get("method") == "GET"
    ]


@pytest.mark.parametrize(
    ("request_text", "source"),
    [
        ("new pipedrive deal -> post it in #sales", "Pipedrive"),
        (
            "when a deal is marked closed-won in salesforce, create the kickoff tasks in asana",
            "Salesforce",
        ),
    ],
)
def test_a_crm_event_starts_the_workflow_and_adds_no_crm_step(
    request_text: str, source: str
) -> None:
    from agents.evaluation import integrations_of

    result = draft(request_text)
    assert result.workflow is not None
    assert result.workflow["trigger"]["source"] == source
    actions = [str(s.get("action")) for s in result.workflow["steps"]]
    assert not [a for a in actions if a.startswith("crm.")], actions  # no list of every contact
    assert "crm" in integrations_of(result)  # the CRM's own event


def test_a_message_asked_for_on_whatsapp_or_telegram_goes_there_and_not_by_email() -> None:
    actions = drafted_actions(
        "when an order ships in woocommerce send the buyer a whatsapp with the link"
    )
    assert "email.send" not in actions
    result = draft("new row in our airtable base -> telegram msg to the ops chat")
    assert result.workflow is not None
    urls = [str(s["inputs"].get("url")) for s in result.workflow["steps"]]
    assert any("telegram" in u for u in urls)
    assert "email.send" not in [s.get("action") for s in result.workflow["steps"]]


@pytest.mark.parametrize(
    "request_text",
    [
        "when someone books a review call in calendly, post it in #cs",
        "new stripe customer -> follow them on our linkedin page",
    ],
)
def test_an_event_reads_no_feed_when_a_social_site_is_only_where_it_posts(
    request_text: str,
) -> None:
    assert "rss.new_items" not in drafted_actions(request_text)


@pytest.mark.parametrize(
    "request_text",
    [
        "every friday email me the overdue invoices from xero",
        "on the 1st email me the unpaid invoices in our invoicing system and the total",
    ],
)
def test_invoices_kept_in_another_tool_are_not_read_from_stripe(request_text: str) -> None:
    assert not [a for a in drafted_actions(request_text) if a.startswith("stripe.")]


def test_a_request_in_another_language_is_asked_about_in_english_with_its_time_said_back() -> None:
    result = draft("jeden Freitag um 16 Uhr den Wochenbericht an chef@firma.de schicken")
    assert result.status == "clarify"
    question = result.question or ""
    assert "every Friday at 16:00" in question and "English" in question
    english = draft("what should this do with my leads")
    assert "English" not in (english.question or "")
