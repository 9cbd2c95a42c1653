"""The workspace's timezone: the chat drafts schedules in it unless the request names a zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import select

from storage.models import Workflow, WorkflowVersion, Workspace
from storage.scope import Tenant
from tests.web.conftest import Web, csrf_of
from tests.web.test_chat import REQUEST, Chat, card_of, open_chat, reply_text, workspace_of
from workflows import service
from workflows.scheduler import _aps_trigger
from workflows.spec import WorkflowSpec


async def set_zone(web: Web, zone: str) -> None:
    async with web.runtime.sessions() as session:
        workspace = await session.get(Workspace, await workspace_of(web))
        assert workspace is not None
        workspace.timezone = zone
        await session.commit()


async def test_a_schedule_is_drafted_in_the_workspace_timezone(web: Web) -> None:
    chat = await open_chat(web)
    await set_zone(web, "Europe/Paris")
    events = await chat.say(REQUEST)
    card = card_of(events)
    assert card["trigger"] == "every Monday at 09:00 (Europe/Paris)"
    assert "(UTC)" not in reply_text(events)

    approvals = await chat.client.get("/approvals")  # the page's times read in the zone too
    assert re.search(r"\d{1,2} \w{3} \d{4}, \d{2}:\d{2} CET", approvals.text)
    assert " UTC</time>" not in approvals.text

    named = await chat.say("every Friday at 5pm New York time email me the sales report")
    assert "(America/New_York)" in card_of(named)["trigger"]
    await chat.client.aclose()


async def save_zone(chat: Chat, zone: str) -> None:
    """Change the timezone on the Settings page, as an owner would."""
    page = await chat.client.get("/settings")
    form = {
        "csrf_token": csrf_of(page.text),
        "name": "Acme Ops",
        "timezone": zone,
        "approval_reminder_hours": "24",
        "approval_escalate_hours": "24",
        "failure_email": "on",
    }
    saved = await chat.client.post("/settings", data=form)
    assert saved.status_code == 303, saved.text


async def test_old_workflows_keep_their_zone_and_new_drafts_use_the_new_one(web: Web) -> None:
    chat = await open_chat(web)
    await save_zone(chat, "Europe/London")
    card = card_of(await chat.say(REQUEST))
    assert card["trigger"] == "every Monday at 09:00 (Europe/London)"
    assert "Approved:" in reply_text(await chat.decide(card, "approve"))
    london = card["workflow_id"]

    await save_zone(chat, "America/New_York")
    # The London workflow still runs at 09:00 London time, and says so.
    async with web.runtime.sessions() as session:
        workflow = await session.get(Workflow, london)
        assert workflow is not None
        version = await service.active_version(Tenant(session, workflow.workspace_id), workflow)
    assert version.spec["trigger"]["timezone"] == "Europe/London"
    trigger = _aps_trigger(WorkflowSpec.model_validate(version.spec).trigger)
    assert trigger is not None  # what the scheduler registers for it
    fire = trigger.get_next_fire_time(None, datetime(2026, 12, 3, tzinfo=UTC))
    assert fire is not None
    local = fire.astimezone(ZoneInfo("Europe/London"))
    assert (local.date().isoformat(), local.hour, local.minute) == ("2026-12-07", 9, 0)
    assert fire.astimezone(UTC).hour == 9  # London is on UTC in December; New York is not
    page = (await chat.client.get(f"/workflows/{london}")).text
    assert "09:00 (Europe/London)" in page

    # New drafts, from the chat and from a template's form, are in New York time.
    again = card_of(await chat.say("every Tuesday at 8am send me the weekly report by email"))
    assert again["trigger"] == "every Tuesday at 08:00 (America/New_York)"
    form = (await chat.client.get("/templates/daily-sales-summary")).text
    assert re.search(r'name="timezone"[^>]*value="America/New_York"', form), form
    made = await chat.client.post(
        "/templates/daily-sales-summary",
        data={"csrf_token": csrf_of(form), "channel": "#sales"},
    )
    assert made.status_code == 303
    async with web.runtime.sessions() as session:
        rows = (await session.exec(select(WorkflowVersion))).all()
    zones = sorted(str(v.spec["trigger"].get("timezone")) for v in rows)
    assert zones == ["America/New_York", "America/New_York", "Europe/London"], zones
    await chat.client.aclose()
