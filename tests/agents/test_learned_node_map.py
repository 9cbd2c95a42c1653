"""The node-type table: triggers, integrations, and which trigger wins."""

from __future__ import annotations

import pytest

from agents.learned.node_map import (
    labels_for_catalogue,
    labels_for_template,
    n8n_integrations,
    n8n_trigger,
)

BASE = "n8n-nodes-base."
CHAIN = "@n8n/n8n-nodes-langchain."


@pytest.mark.parametrize(
    ("node", "trigger"),
    [
        ("scheduleTrigger", "schedule"),
        ("cron", "schedule"),
        ("webhook", "webhook"),
        ("formTrigger", "webhook"),
        ("typeformTrigger", "webhook"),
        ("shopifyTrigger", "webhook"),
        ("telegramTrigger", "webhook"),
        ("gmailTrigger", "email"),
        ("emailReadImap", "email"),
        ("microsoftOutlookTrigger", "email"),
        ("stripeTrigger", "stripe"),
        ("slackTrigger", "slack"),
        ("rssFeedReadTrigger", "poll"),
        ("googleSheetsTrigger", "poll"),
        ("manualTrigger", "manual"),
        ("executeWorkflowTrigger", "manual"),
    ],
)
def test_trigger_nodes(node: str, trigger: str) -> None:
    assert n8n_trigger([BASE + node, BASE + "set"]) == trigger


def test_chat_triggers_count_as_an_inbound_message() -> None:
    assert n8n_trigger([CHAIN + "chatTrigger", CHAIN + "agent"]) == "webhook"


def test_a_real_trigger_beats_manual_and_weak_ones() -> None:
    assert n8n_trigger([BASE + "manualTrigger", BASE + "scheduleTrigger"]) == "schedule"
    assert n8n_trigger([BASE + "executeWorkflowTrigger", BASE + "gmailTrigger"]) == "email"
    assert n8n_trigger([CHAIN + "chatTrigger", BASE + "manualTrigger"]) == "webhook"
    assert n8n_trigger([BASE + "httpRequest"]) is None


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ("gmail", {"email"}),
        ("emailSend", {"email"}),
        ("microsoftOutlook", {"email"}),
        ("sendGrid", {"email"}),
        ("hubspot", {"crm"}),
        ("pipedrive", {"crm"}),
        ("salesforce", {"crm"}),
        ("zohoCrm", {"crm"}),
        ("googleSheets", {"sheets"}),
        ("microsoftExcel", {"sheets"}),
        ("stripe", {"stripe"}),
        ("slack", {"slack"}),
        ("rssFeedRead", {"rss"}),
        ("openAi", {"ai"}),
        ("httpRequest", {"http"}),
        ("telegram", {"http"}),
        ("notion", {"http"}),
        ("airtable", {"http"}),
        ("googleDrive", {"http"}),
        ("set", set()),
        ("if", set()),
        ("code", set()),
        ("merge", set()),
        ("stickyNote", set()),
        ("typeformTrigger", set()),
    ],
)
def test_integration_nodes(node: str, expected: set[str]) -> None:
    assert n8n_integrations([BASE + node]) == expected


def test_langchain_models_agents_and_classifiers_are_ai() -> None:
    for node in ("agent", "lmChatOpenAi", "textClassifier", "chainSummarization", "openAi"):
        assert n8n_integrations([CHAIN + node]) == {"ai"}
    assert n8n_integrations([CHAIN + "chatTrigger"]) == set()


def test_unknown_community_app_nodes_are_http() -> None:
    assert n8n_integrations(["@acme/n8n-nodes-acme.acme"]) == {"http"}


def test_titles_and_overviews_add_interval_report_and_credentials() -> None:
    uptime = labels_for_template("Website uptime monitor", [BASE + "scheduleTrigger"])
    assert uptime.trigger == "interval"
    weekly = labels_for_template(
        "Weekly numbers", [BASE + "scheduleTrigger", BASE + "slack"], "Posts a sales report."
    )
    assert weekly == labels_for_template("x", [BASE + "cron", BASE + "slack"], "a KPI digest")
    assert weekly.integrations == ("slack", "report")
    keys = labels_for_template("Rotate API keys", [BASE + "manualTrigger", BASE + "httpRequest"])
    assert keys.integrations == ("http", "credentials")


def test_catalogue_apps() -> None:
    assert labels_for_catalogue("slack", "action", "Send a message").integrations == ("slack",)
    assert labels_for_catalogue("gmail", "trigger", "New email").trigger == "email"
    typeform = labels_for_catalogue("typeform", "trigger", "New entry")
    assert (typeform.trigger, typeform.integrations) == ("webhook", ())
    assert labels_for_catalogue("notion", "action", "Create page").integrations == ("http",)
