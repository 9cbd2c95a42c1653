"""The planner drafts a hosted-form lead capture and a milestone-aware onboarding drip.

Drafts take their templates' shapes (lead-capture-crm, customer-onboarding), validate with the
default registry, get the template's approval class, and work: the drafted form is served and
its submissions reach the CRM and Slack; the drafted drip skips emails by milestones.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from agents.planner import draft
from integrations.catalog import default_registry
from storage.config import Settings
from storage.models import CrmContact, Role, Run, RunStatus, StepRun, Workspace
from storage.scope import Tenant
from storage.types import utcnow
from tests.bot.conftest import Live, live  # noqa: F401
from tests.conftest import make_settings
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401
from tests.workflows.e2e.test_lead_capture import fresh_token
from tests.workflows.helpers import activate, new_run
from workflows.catalog import TemplateCatalog
from workflows.milestones import record_milestone
from workflows.policy import assess
from workflows.runtime import Runtime
from workflows.service import parse_spec
from workflows.spec import WorkflowSpec

ONBOARDING_PARAMS = {"business_name": "Acme", "help_url": "https://acme.example/help"}


@pytest.fixture
def settings(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> Settings:  # noqa: F811
    """Test settings with Slack faked on loopback."""
    return make_settings(
        tmp_path, database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake_slack.url
    )


def _template(template_id: str, **params: Any) -> WorkflowSpec:
    return TemplateCatalog.load().instantiate(template_id, params)


def _drafted(request: str, template_id: str, **params: Any) -> dict[str, Any]:
    """The draft: it validates, and its approval class is the template's and the policy's."""
    result = draft(request)
    assert result.status == "draft" and result.workflow, result
    registry = default_registry()
    spec = parse_spec(result.workflow, registry)
    template_class = assess(_template(template_id, **params), registry).approval_class
    assert result.approval_class == assess(spec, registry).approval_class == template_class
    return result.workflow


def _actions(workflow: dict[str, Any]) -> list[str]:
    return [s.get("action") or f"wait {s['wait']}" for s in workflow["steps"]]


# --- Lead capture with a hosted form ------------------------------------------------------

LEADS = [
    (
        "Put a contact form on our site; new leads go into the CRM and ping #sales",
        ["name", "email", "message"],
        "#sales",
        "Get in touch",
    ),
    (
        "Add a contact form to our website with name, email, company and message; save each "
        "lead in the CRM and tell #new-leads",
        ["name", "email", "company", "message"],
        "#new-leads",
        "Get in touch",
    ),
    (
        "Create a lead form for our website asking for name, email, phone number and company. "
        "Every submission should be added to our CRM and posted to #leads.",
        ["name", "email", "phone", "company"],
        "#leads",
        "Get in touch",
    ),
    (
        "We need a hosted contact form: first name, last name, email and message. Put new leads "
        "in the CRM and notify #sales on Slack.",
        ["first_name", "last_name", "email", "message"],
        "#sales",
        "Get in touch",
    ),
    (
        "Give me a quote request form (name, email, budget and event date) - add each lead to "
        "the CRM and ping #catering",
        ["name", "email", "budget", "event_date"],
        "#catering",
        "Get in touch",
    ),
    (
        "Set up a form asking for their name, phone number and budget. leads go to the CRM, "
        "post in #sales",
        ["name", "email", "phone", "budget"],  # email is added: the CRM needs it
        "#sales",
        "Get in touch",
    ),
    (
        "build a 'Book a free consultation' form on our site, save leads to the CRM and tell "
        "#sales",
        ["name", "email", "message"],
        "#sales",
        "Book a free consultation",
    ),
    (
        "put a signup form on our landing page that collects email and company, add them to "
        "our CRM and alert #growth",
        ["email", "company"],
        "#growth",
        "Get in touch",
    ),
    (
        "I need a simple form with fields: name, email, favourite colour. Put people in our CRM "
        "and tell #sales",
        ["name", "email", "favourite_colour"],
        "#sales",
        "Get in touch",
    ),
]


@pytest.mark.parametrize(("request_text", "fields", "channel", "title"), LEADS)
def test_hosted_form_lead_capture_takes_the_templates_shape(
    request_text: str, fields: list[str], channel: str, title: str
) -> None:
    workflow = _drafted(request_text, "lead-capture-crm")
    template = _template("lead-capture-crm", channel=channel).model_dump(
        mode="json", exclude_none=True
    )
    trigger = workflow["trigger"]
    assert trigger["type"] == "webhook"
    form = trigger["form"]
    assert [f["name"] for f in form["fields"]] == fields
    assert form["title"] == title
    assert form["thank_you"] == template["trigger"]["form"]["thank_you"]
    email = next(f for f in form["fields"] if f["name"] == "email")
    assert email["type"] == "email" and email["required"] is True
    shaped = {f["name"]: f for f in template["trigger"]["form"]["fields"]}
    for field in form["fields"]:
        if field["name"] in shaped:  # the template's own field, as it defines it
            assert field == shaped[field["name"]]
    assert _actions(workflow) == ["crm.upsert_contact", "slack.post_message"]
    contact, notify = workflow["steps"]
    assert contact == template["steps"][0]
    assert contact["inputs"]["email"] == "{{ trigger.email }}"  # one contact per email address
    assert notify == template["steps"][1] and notify["inputs"]["channel"] == channel
    assert workflow["category"] == "lead_capture"


def test_without_slack_the_form_still_feeds_the_crm() -> None:
    workflow = _drafted(
        "Put a contact form on our website. Add whoever fills it in to the CRM.", "lead-capture-crm"
    )
    assert [f["name"] for f in workflow["trigger"]["form"]["fields"]] == [
        "name",
        "email",
        "message",
    ]
    assert _actions(workflow) == ["crm.upsert_contact"]
    assert workflow["steps"][0]["id"] == "contact"


@pytest.mark.parametrize(
    "request_text",
    [
        "When someone fills in our website form add them to the CRM and tell #sales in Slack",
        "New Typeform response on our 'Get a quote' form -> add the person to the CRM and ping "
        "#sales",
        "set up a typeform for leads and put them in the CRM, then tell #sales",
    ],
)
def test_a_form_they_already_have_gets_no_hosted_form(request_text: str) -> None:
    result = draft(request_text)
    assert result.workflow is not None and result.workflow["trigger"]["type"] == "webhook"
    assert "form" not in result.workflow["trigger"]


async def test_a_drafted_form_is_served_and_its_leads_reach_the_crm_and_slack(
    live: Live,  # noqa: F811
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    workflow = _drafted(
        "Put a contact form on our site with name, email, company, budget and message; new "
        "leads go into the CRM and ping #sales",
        "lead-capture-crm",
    )
    created = await live.as_(Role.admin).post("/api/workflows", json={"spec": workflow})
    assert created.status_code == 201, created.text
    approval = created.json()["approval"]
    assert approval["class"] == "B"
    decided = await live.as_(Role.owner).post(f"/api/approvals/{approval['id']}/approve")
    assert decided.status_code == 200, decided.text
    form_id = created.json()["id"]

    async with httpx.AsyncClient(base_url=live.url, timeout=30) as public:
        page = await public.get(f"/f/{form_id}")
        assert page.status_code == 200 and "<h1>Get in touch</h1>" in page.text
        for name in ("name", "email", "company", "budget", "message"):
            assert f'id="field-{name}" name="{name}"' in page.text
        assert 'id="field-phone"' not in page.text  # only the fields the request named
        token = await fresh_token(public, form_id)
        lead = {"name": "Dana Lee", "email": "Dana@Example.com", "company": "Lee Bakery",
                "budget": "5k", "message": "Catering for 40 people?"}  # fmt: skip
        sent = await public.post(f"/f/{form_id}", data={"form_token": token, **lead})
        assert sent.status_code == 200 and "get back to you within one working day" in sent.text
        missing = {**lead, "email": ""}
        again = await fresh_token(public, form_id)
        rejected = await public.post(f"/f/{form_id}", data={"form_token": again, **missing})
        assert rejected.status_code == 422  # the drafted email field is required
    await live.runtime.drain()

    runs = (await live.as_().get("/api/runs", params={"workflow_id": form_id})).json()
    assert [r["status"] for r in runs] == ["succeeded"]
    assert runs[0]["trigger_payload"] == lead
    async with live.runtime.sessions() as session:
        [contact] = (await session.exec(select(CrmContact))).all()
    assert (contact.email, contact.name, contact.company, contact.stage, contact.source) == (
        "dana@example.com", "Dana Lee", "Lee Bakery", "lead", "website form"
    )  # fmt: skip
    [post] = [c.args for c in fake_slack.calls("chat.postMessage")]
    assert post["channel"] == "#sales"
    assert "Dana Lee <Dana@Example.com> at Lee Bakery (new contact)" in post["text"]
    assert "\n> Catering for 40 people?" in post["text"]


# --- Onboarding drip with milestones -------------------------------------------------------

ONBOARDING = [
    (
        "When a new customer signs up, send a welcome email, then follow up on days 2, 5 and 14 "
        "- skip the day 5 tip if they already created their first workflow",
        ["2 days", "3 days", "9 days"],
        {5: ["'created_first_workflow' not in steps.day5_contact.milestones"]},
    ),
    (
        "When someone signs up for Acme Studio, send a welcome email, then tips on day 1, 3 and "
        "7. If they have already invited their team, skip the day 3 email",
        ["1 day", "2 days", "4 days"],
        {3: ["'invited_team' not in steps.day3_contact.milestones"]},
    ),
    (
        "new user signs up (webhook) -> welcome + drip on days 2 and 10; stop the drip once "
        "they've completed setup",
        ["2 days", "8 days"],
        {
            2: ["'completed_setup' not in steps.day2_contact.milestones"],
            10: ["'completed_setup' not in steps.day10_contact.milestones"],
        },
    ),
    (
        "Onboard new signups: send a welcome email, then follow-ups on day 3, 7 and 21. Don't "
        "send the day 7 email if they have already connected their calendar, and skip the day "
        "21 one unless they've reached the 'paid_plan' milestone.",
        ["3 days", "4 days", "14 days"],
        {
            7: ["'connected_calendar' not in steps.day7_contact.milestones"],
            21: ["'paid_plan' in steps.day21_contact.milestones"],
        },
    ),
    (
        "When a new customer signs up, send a welcome email, then follow up on days 2, 5 and 14 "
        "- if they've invited their team, skip the day 5 and 14 emails",
        ["2 days", "3 days", "9 days"],
        {
            5: ["'invited_team' not in steps.day5_contact.milestones"],
            14: ["'invited_team' not in steps.day14_contact.milestones"],
        },
    ),
    (
        "Onboarding for new signups: welcome email, then follow up on day 2, 5 and 14. only send "
        "the day 5 tip if they haven't created a workflow",
        ["2 days", "3 days", "9 days"],
        {5: ["'created_workflow' not in steps.day5_contact.milestones"]},
    ),
    (
        "When a customer signs up send them a welcome email and follow-up emails. Skip the "
        "follow-ups for anyone who has 'completed_setup'.",
        ["2 days", "3 days", "9 days"],  # the template's days when none are named
        {
            2: ["'completed_setup' not in steps.day2_contact.milestones"],
            5: ["'completed_setup' not in steps.day5_contact.milestones"],
            14: ["'completed_setup' not in steps.day14_contact.milestones"],
        },
    ),
    (
        "set up a drip for everyone who signs up on our site: day 1 welcome, day 3 how-to video, "
        "day 10 case study",
        ["2 days", "7 days"],  # the welcome is day 1: the follow-ups come 2 and 9 days later
        {},
    ),
]


@pytest.mark.parametrize(("request_text", "waits", "skips"), ONBOARDING)
def test_onboarding_drip_takes_the_templates_shape(
    request_text: str, waits: list[str], skips: dict[int, list[str]]
) -> None:
    workflow = _drafted(request_text, "customer-onboarding", **ONBOARDING_PARAMS)
    assert workflow["trigger"]["type"] == "webhook"
    assert workflow["category"] == "sales_automation"
    steps = workflow["steps"]
    assert [s["wait"] for s in steps if "wait" in s] == waits
    welcome = steps[0]
    assert welcome["id"] == "welcome" and welcome["action"] == "email.send"
    assert welcome["inputs"]["to"] == "{{ trigger.email }}" and welcome["inputs"]["drip"] is True
    # After each wait: a fresh read of the contact when a milestone can skip the email, then it.
    expected: list[str] = ["email.send"]
    day = 1 if request_text.startswith("set up a drip") else 0
    for wait in waits:
        day += int(wait.split()[0])
        expected += [f"wait {wait}"] + (["crm.get_contact"] if day in skips else [])
        expected.append("email.send")
    assert _actions(workflow) == expected
    conditions = {}
    for position, step in enumerate(steps):
        if step.get("action") == "crm.get_contact":
            assert step["inputs"] == {"email": "{{ trigger.email }}"}
            email = steps[position + 1]
            assert email["action"] == "email.send"
            conditions[int(step["id"][3:].split("_")[0])] = email["when"].split(" and ")
        elif step.get("action") == "email.send":
            assert step["inputs"]["drip"] is True
    assert conditions == skips
    unconditioned = [s for s in steps if "when" in s and s.get("action") != "email.send"]
    assert unconditioned == []


def test_onboarding_without_milestones_sends_only_emails_with_the_templates_words() -> None:
    workflow = _drafted(
        "When a new customer signs up (our app sends a webhook), send them a welcome email, "
        "then follow-up emails on day 2, day 5 and day 14.",
        "customer-onboarding",
        **ONBOARDING_PARAMS,
    )
    template = _template("customer-onboarding", **ONBOARDING_PARAMS)
    ids = [s["id"] for s in workflow["steps"]]
    shaped = [s.id for s in template.steps if s.action != "crm.get_contact"]
    assert ids == shaped  # welcome, wait_2d, getting_started, wait_3d, check_in, wait_9d, ...
    subjects = [
        s["inputs"]["subject"] for s in workflow["steps"] if s.get("action") == "email.send"
    ]
    assert subjects == [
        "Welcome to {{ workspace.name }}!",
        "Getting started with {{ workspace.name }}",
        "How is it going with {{ workspace.name }}?",
        "Two weeks with {{ workspace.name }}",
    ]
    assert not any("when" in s for s in workflow["steps"])


def test_days_named_with_subjects_keep_them() -> None:
    workflow = _drafted(
        "When someone signs up in our app, send a welcome email, then day 2 'create your first "
        "project', day 5 \"invite your team\", day 14 'how's it going?'",
        "customer-onboarding",
        **ONBOARDING_PARAMS,
    )
    subjects = [
        s["inputs"]["subject"] for s in workflow["steps"] if s.get("action") == "email.send"
    ]
    assert subjects[1:] == ["Create your first project", "Invite your team", "How's it going?"]


async def _days_pass(sessions: async_sessionmaker[AsyncSession], run_id: str) -> None:
    """The run's current wait is over: its stored start moves back, its resume time to now."""
    async with sessions() as session:
        query = select(StepRun).where(StepRun.run_id == run_id, StepRun.status == "waiting")
        row = (await session.exec(query)).one()
        row.started_at -= timedelta(days=366)  # longer than any wait
        run = await session.get(Run, run_id)
        assert run is not None and run.status == RunStatus.waiting
        run.resume_at = utcnow()
        session.add_all([row, run])
        await session.commit()


async def test_a_drafted_drip_skips_the_email_once_the_milestone_is_reached(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    workflow = _drafted(
        "When a new customer signs up, send a welcome email, then follow up on days 2, 5 and 14 "
        "- skip the day 5 tip if they already created their first workflow",
        "customer-onboarding",
        **ONBOARDING_PARAMS,
    )
    runtime = Runtime(settings)
    try:
        stored = await activate(sessions, workspace, workflow, runtime.registry)
        people = {"dana@example.com": True, "eli@example.com": False}
        statuses: dict[str, dict[str, str]] = {}
        for email, reached in people.items():
            started = await new_run(sessions, stored, {"email": email}, dry_run=True)
            run = await runtime.engine.execute(started.run.id)
            if reached:  # recorded as POST /api/milestones does
                async with sessions() as session:
                    await record_milestone(
                        Tenant(session, workspace.id), email, "created_first_workflow"
                    )
            while run.status == RunStatus.waiting:
                await _days_pass(sessions, run.id)
                run = await runtime.engine.execute(run.id)
            assert run.status == RunStatus.succeeded, run.error
            async with sessions() as session:
                rows = (await session.exec(select(StepRun).where(StepRun.run_id == run.id))).all()
            statuses[email] = {r.step_id: r.status for r in rows}
    finally:
        await runtime.close()
    assert statuses["dana@example.com"]["check_in"] == "skipped"
    assert statuses["eli@example.com"]["check_in"] == "succeeded"
    for email in people:
        for step in ("welcome", "getting_started", "two_weeks", "day5_contact"):
            assert statuses[email][step] == "succeeded"
