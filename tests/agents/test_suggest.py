"""`suggest_from_templates`: vague requests get the closest templates as plain-words options."""

from __future__ import annotations

import pytest

from agents.planner import draft
from agents.suggest import option_text, suggest_from_templates
from workflows.catalog import TemplateCatalog

CATALOG = TemplateCatalog.load()


def ask(template_id: str) -> str:
    """The option a template offers."""
    return option_text(CATALOG.get(template_id))


@pytest.mark.parametrize(
    ("request_text", "first", "also"),
    [
        ("help me with my leads", "lead-capture-crm", "lead-instant-reply"),
        ("sort out our customer feedback", "customer-feedback-logger", None),
        ("automate my invoices", "invoice-follow-up", "stripe-payment-to-sheet"),
        ("I want to stop chasing late payments", "invoice-follow-up", None),
        ("can you help with our support inbox", None, "support-ticket-triage"),
        ("keep an eye on our website", "website-uptime-alert", None),
        ("we need better reporting", None, "weekly-analytics-report"),
        ("remind the team about standups", "team-standup-reminder", None),
        ("something for social media mentions", "social-media-monitor", None),
        ("track our sales numbers in a spreadsheet", "daily-metrics-to-sheet", None),
        ("onboard new customers", "customer-onboarding", None),
        ("do something about failed card payments", "failed-payment-alert", None),
        ("Leads!!", "lead-capture-crm", None),
    ],
)
def test_vague_requests_get_the_closest_templates_first(
    request_text: str, first: str | None, also: str | None
) -> None:
    options = suggest_from_templates(request_text)
    assert 1 <= len(options) <= 3, options
    if first:
        assert options[0] == ask(first), options
    if also:
        assert ask(also) in options, options
    assert len(set(options)) == len(options)


def test_the_first_example_reads_as_the_issue_asks() -> None:
    assert suggest_from_templates("help me with my leads", limit=1) == [
        "Post each new lead from your website form in #sales and add them to your CRM"
    ]


def test_limit_order_and_nothing_for_words_no_template_knows() -> None:
    five = suggest_from_templates("automate my invoices", limit=5)
    assert len(five) == 5 and five[:3] == suggest_from_templates("automate my invoices")
    assert suggest_from_templates("automate my invoices", limit=0) == []
    assert suggest_from_templates("xyzzy frobnicate") == []
    assert suggest_from_templates("") == []
    assert suggest_from_templates("please help me with it") == []


def test_every_option_is_short_plain_words_that_the_planner_can_draft() -> None:
    for template in CATALOG.list():
        option = option_text(template)
        assert len(option) <= 120 and "{" not in option and "_" not in option
        result = draft(option)
        assert result.status in ("draft", "clarify"), (template.id, result.reason)
    drafted = [t.id for t in CATALOG.list() if draft(option_text(t)).status == "draft"]
    assert len(drafted) >= len(CATALOG) - 2, "most options draft without a question"
