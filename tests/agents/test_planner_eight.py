"""The planner drafts production workflows with their templates' actions; each draft dry-runs."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from agents.planner import draft
from integrations.catalog import default_registry
from storage.config import Settings
from storage.models import RunStatus, Workspace
from tests.agents.test_drafts_run import PAYLOAD
from tests.fakes.hubspot_api import FakeHubSpot
from tests.fakes.openai_server import serve_loopback
from tests.fakes.stripe_api import FakeStripe
from tests.workflows.helpers import activate, new_run
from workflows.policy import assess
from workflows.runtime import Runtime
from workflows.spec import WorkflowSpec


def _drafted(request: str) -> dict[str, Any]:
    """The drafted workflow, which must validate and carry the policy's approval class."""
    result = draft(request)
    assert result.status == "draft" and result.workflow, result
    spec = WorkflowSpec.model_validate(result.workflow)
    assert result.approval_class == assess(spec, default_registry()).approval_class
    return result.workflow


def _actions(workflow: dict[str, Any]) -> list[str]:
    return [s["action"] for s in workflow["steps"] if "action" in s]


def _step(workflow: dict[str, Any], action: str) -> dict[str, Any]:
    return next(s for s in workflow["steps"] if s.get("action") == action)


async def _dry_run(
    workflow: dict[str, Any],
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    **configured: Any,
) -> None:
    """Run the draft dry through the real engine (external services faked on loopback)."""
    runtime = Runtime(settings.model_copy(update=configured))
    try:
        stored = await activate(sessions, workspace, workflow, runtime.registry)
        started = await new_run(sessions, stored, PAYLOAD, dry_run=True)
        run = await runtime.engine.execute(started.run.id)
    finally:
        await runtime.close()
    assert run.status == RunStatus.succeeded, run.error


async def _feed(request: Request) -> Response:
    name = request.path_params["name"]
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>' + name + "</title>"
        "<item><guid>" + name + "-1</guid><title>Acme plumbing review</title>"
        "<link>http://example.org/" + name + "</link><description>acme</description></item>"
        "</channel></rss>"
    )
    return Response(body, media_type="application/xml")


async def test_two_way_hubspot_sync_every_hour(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    workflow = _drafted("Keep our CRM contacts and HubSpot in sync both ways every hour.")
    assert workflow["trigger"]["type"] == "schedule"
    assert workflow["trigger"]["cron"] == "0 * * * *"
    assert _actions(workflow) == ["crm.sync_hubspot"]
    assert _step(workflow, "crm.sync_hubspot")["inputs"] == {"full": False}
    async with FakeHubSpot.running(token="pat-eight") as hubspot:
        hubspot.add_contact(email="ann@example.com", firstname="Ann")
        await _dry_run(
            workflow,
            settings,
            sessions,
            workspace,
            hubspot_api_base=hubspot.url,
            hubspot_token="pat-eight",
        )


async def test_unpaid_invoices_get_staged_reminders_and_escalation(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    workflow = _drafted(
        "Chase unpaid Stripe invoices: remind customers on day 3, 7 and 14 and tell #finance "
        "after that"
    )
    assert workflow["trigger"]["type"] == "schedule"
    assert workflow["trigger"]["cron"] == "0 9 * * *"
    assert _actions(workflow) == ["stripe.invoice_reminders", "slack.post_message"]
    assert not any("wait" in s for s in workflow["steps"])
    remind = _step(workflow, "stripe.invoice_reminders")
    assert remind["inputs"] == {"stages": [3, 7, 14], "escalate_after_days": 14}
    escalate = _step(workflow, "slack.post_message")
    assert escalate["inputs"]["channel"] == "#finance"
    assert escalate["when"] == f"steps.{remind['id']}.escalate | length > 0"
    async with FakeStripe.running(key="sk_test_eight") as stripe:
        await _dry_run(
            workflow,
            settings,
            sessions,
            workspace,
            stripe_api_base=stripe.url,
            stripe_secret_key="sk_test_eight",
        )


async def test_auto_responder_leaves_human_only_categories_to_a_person(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    workflow = _drafted(
        "Auto-reply to emails that land in support@acme.com; complaints and billing questions "
        "go to a person in #support"
    )
    assert workflow["trigger"] == {"type": "email", "address": "support@acme.com"}
    assert _actions(workflow) == [
        "ai.categorize",
        "ai.draft_reply",
        "email.send",
        "slack.post_message",
    ]
    categorize = _step(workflow, "ai.categorize")
    assert {"complaint", "billing"} <= set(categorize["inputs"]["labels"])
    skip = "steps.categorize.label not in ['complaint', 'billing']"
    assert _step(workflow, "ai.draft_reply")["when"] == skip
    assert _step(workflow, "email.send")["when"] == skip
    flag = _step(workflow, "slack.post_message")
    assert flag["inputs"]["channel"] == "#support"
    assert flag["when"] == "steps.categorize.label in ['complaint', 'billing']"
    await _dry_run(workflow, settings, sessions, workspace)


async def test_two_feeds_and_unquoted_keywords(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    workflow = _drafted(
        "watch the Reddit and Hacker News feeds for keywords acme, plumbing and post new ones "
        "to #marketing"
    )
    assert workflow["trigger"]["type"] == "poll"
    assert _actions(workflow) == ["rss.new_items", "slack.post_message"]
    items = _step(workflow, "rss.new_items")
    assert items["inputs"]["keywords"] == ["acme", "plumbing"]
    urls = items["inputs"]["urls"]
    assert len(urls) == 2 and "reddit.com" in urls[0] and "hnrss.org" in urls[1]
    assert "url" not in items["inputs"]
    assert _step(workflow, "slack.post_message")["when"] == "steps['new_items'].count > 0"
    async with serve_loopback(Starlette(routes=[Route("/{name}", _feed)])) as base:
        # The same draft, its two feeds served on loopback instead of the public sites.
        items["inputs"]["urls"] = [f"{base}/reddit", f"{base}/hn"]
        workflow["trigger"]["url"] = f"{base}/reddit"
        await _dry_run(workflow, settings, sessions, workspace)


async def test_weekly_report_with_a_chart(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    workflow = _drafted(
        "every monday at 9am send #team a weekly report of last week's runs with a chart"
    )
    assert workflow["trigger"]["cron"] == "0 9 * * 1"
    assert _actions(workflow) == ["report.build", "slack.post_message"]
    assert _step(workflow, "report.build")["inputs"]["chart"] is True
    without = _drafted("every monday at 9am send #team a weekly report of last week's runs")
    assert "chart" not in _step(without, "report.build")["inputs"]
    await _dry_run(workflow, settings, sessions, workspace)


def test_a_recipe_that_would_clash_with_drafted_step_ids_leaves_the_draft_alone() -> None:
    from agents.planner.intents import detect_trigger
    from agents.planner.recipes import apply_recipes
    from agents.planner.slots import read_slots
    from agents.planner.text import normalise

    slots = read_slots(normalise("Keep our CRM contacts and HubSpot in sync both ways every hour"))
    trigger = detect_trigger(slots.text, slots.quoted, slots.tools)
    raw: dict[str, Any] = {
        "name": "x",
        "trigger": {"type": "manual"},
        "steps": [
            {"id": "sync", "action": "email.send", "inputs": {"to": "member:me", "text": "t"}},
        ],
    }
    snapshot = copy.deepcopy(raw["steps"])
    assert apply_recipes(raw, trigger, slots) == set()
    assert raw["steps"] == snapshot


async def test_contact_form_on_our_site_gets_a_hosted_form(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    workflow = _drafted(
        "Put a contact form on our site with name, email, company and message; new leads go "
        "into the CRM and ping #sales"
    )
    form = workflow["trigger"]["form"]
    assert workflow["trigger"]["type"] == "webhook"
    assert [f["name"] for f in form["fields"]] == ["name", "email", "company", "message"]
    assert _actions(workflow) == ["crm.upsert_contact", "slack.post_message"]
    assert _step(workflow, "crm.upsert_contact")["inputs"]["email"] == "{{ trigger.email }}"
    assert _step(workflow, "slack.post_message")["inputs"]["channel"] == "#sales"
    await _dry_run(workflow, settings, sessions, workspace)


async def test_onboarding_drip_with_a_milestone_skip(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    workflow = _drafted(
        "When a new customer signs up, send a welcome email, then follow up on days 2, 5 and 14 "
        "- skip the day 5 tip if they already created their first workflow"
    )
    assert workflow["trigger"]["type"] == "webhook"
    assert [s.get("action") or s["wait"] for s in workflow["steps"]] == [
        "email.send", "2 days", "email.send", "3 days", "crm.get_contact", "email.send",
        "9 days", "email.send",
    ]  # fmt: skip
    check_in = workflow["steps"][5]
    assert check_in["when"] == "'created_first_workflow' not in steps.day5_contact.milestones"
    runtime = Runtime(settings)
    try:
        stored = await activate(sessions, workspace, workflow, runtime.registry)
        started = await new_run(sessions, stored, PAYLOAD, dry_run=True)
        run = await runtime.engine.execute(started.run.id)
    finally:
        await runtime.close()
    assert run.status == RunStatus.waiting, run.error  # welcome sent, waiting for day 2
