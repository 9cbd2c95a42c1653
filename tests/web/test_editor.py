"""The visual workflow editor: preview and save over HTTP, drag/keyboard reordering in Chromium."""

from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, Route, expect
from sqlmodel import col, select

from storage.models import (
    Approval,
    Decision,
    Member,
    OutboxMessage,
    Role,
    Run,
    VersionState,
    WebLogin,
    Workflow,
    WorkflowVersion,
)
from storage.scope import Tenant
from tests.web.conftest import Web, page_csrf, screenshot, sign_up_client, sign_up_in_browser
from workflows import service

SPEC: dict[str, Any] = {
    "name": "Weekly leads",
    "trigger": {"type": "schedule", "cron": "0 9 * * 1", "timezone": "UTC"},
    "steps": [
        {"id": "find", "action": "crm.find_contacts", "inputs": {"stage": "lead"}},
        {
            "id": "tell",
            "action": "slack.post_message",
            "inputs": {"channel": "#sales", "text": "New leads this week"},
        },
        {"id": "report", "action": "report.build", "inputs": {"title": "Weekly leads"}},
    ],
}


async def _member(web: Web, email: str) -> Member:
    async with web.runtime.sessions() as session:
        login = (await session.exec(select(WebLogin).where(WebLogin.email == email))).one()
        member = await session.get(Member, login.member_id)
        assert member is not None
        return member


async def active_workflow(web: Web, email: str, spec: dict[str, Any] = SPEC) -> str:
    """A workflow of `email`'s workspace with version 1 approved (it is active)."""
    owner = await _member(web, email)
    registry = web.runtime.registry
    async with web.runtime.sessions() as session:
        tenant = Tenant(session, owner.workspace_id)
        proposal = await service.create_workflow(
            tenant, service.parse_spec(spec, registry), registry, None
        )
        await service.decide(tenant, proposal.approval.id, owner, approve=True)
        await session.commit()
        return proposal.workflow.id


async def _state(
    web: Web, workflow_id: str
) -> tuple[Workflow, list[WorkflowVersion], list[Approval]]:
    async with web.runtime.sessions() as session:
        workflow = await session.get(Workflow, workflow_id)
        assert workflow is not None
        versions = (
            await session.exec(
                select(WorkflowVersion)
                .where(WorkflowVersion.workflow_id == workflow_id)
                .order_by(col(WorkflowVersion.version))
            )
        ).all()
        approvals = (
            await session.exec(select(Approval).where(Approval.workflow_id == workflow_id))
        ).all()
        return workflow, list(versions), list(approvals)


async def _signed_in(web: Web, email: str) -> tuple[httpx.AsyncClient, str, str]:
    client = await sign_up_client(web, email=email, workspace=email.split("@")[1])
    workflow_id = await active_workflow(web, email)
    token = await page_csrf(client, f"/workflows/{workflow_id}/edit")
    return client, workflow_id, token


async def test_the_page_shows_the_latest_spec_and_the_action_schemas(web: Web) -> None:
    client, workflow_id, _ = await _signed_in(web, "olivia@acme.example")
    page = await client.get(f"/workflows/{workflow_id}/edit")
    assert page.status_code == 200
    embedded = page.text.split('id="editor-data">', 1)[1].split("</script>", 1)[0]
    data = json.loads(embedded)
    assert [s["id"] for s in data["spec"]["steps"]] == ["find", "tell", "report"]
    post = next(a for a in data["actions"] if a["name"] == "slack.post_message")
    assert post["risk"] == "internal" and post["schema"]["required"] == ["channel", "text"]
    assert set(post) == {"name", "description", "risk", "schema"}
    assert "cron" in data["triggers"]["schedule"]["properties"]
    await client.aclose()


async def test_preview_of_a_valid_spec_gives_words_and_the_approval_class(web: Web) -> None:
    client, workflow_id, token = await _signed_in(web, "olivia@acme.example")
    headers = {"X-CSRF-Token": token}
    answer = await client.post(f"/workflows/{workflow_id}/preview", json=SPEC, headers=headers)
    assert answer.status_code == 200
    body = answer.json()
    assert body["valid"] is True and body["errors"] == []
    assert body["approval_class"] == "A"
    assert body["summary"][0] == "Weekly leads runs every Monday at 09:00 (UTC)."
    assert body["summary"][2] == "2. Post “New leads this week” in #sales"
    assert [s["id"] for s in body["json"]["steps"]] == ["find", "tell", "report"]

    emailing = copy.deepcopy(SPEC)
    emailing["steps"].append(
        {
            "id": "mail",
            "action": "email.send",
            "inputs": {"to": "{{ trigger.email }}", "subject": "Hi", "text": "Welcome"},
        }
    )
    body = (
        await client.post(f"/workflows/{workflow_id}/preview", json=emailing, headers=headers)
    ).json()
    assert body["valid"] is True and body["approval_class"] == "B"
    assert any(r.startswith("mail: email.send") for r in body["reasons"])
    assert body["json"]["steps"][3]["inputs"]["to"] == "{{ trigger.email }}"
    await client.aclose()


async def test_preview_of_an_invalid_spec_names_each_problem_by_location(web: Web) -> None:
    client, workflow_id, token = await _signed_in(web, "olivia@acme.example")
    broken = copy.deepcopy(SPEC)
    del broken["steps"][1]["inputs"]["channel"]
    broken["steps"][0]["when"] = "trigger.count >>> 3"
    answer = await client.post(
        f"/workflows/{workflow_id}/preview", json=broken, headers={"X-CSRF-Token": token}
    )
    body = answer.json()
    assert answer.status_code == 200 and body["valid"] is False
    assert body["errors"] == [{"location": "steps.0.when", "message": body["errors"][0]["message"]}]
    assert "invalid condition" in body["errors"][0]["message"]

    broken["steps"][0].pop("when")
    body = (
        await client.post(
            f"/workflows/{workflow_id}/preview", json=broken, headers={"X-CSRF-Token": token}
        )
    ).json()
    assert body["errors"] == [
        {"location": "steps.1.inputs.channel", "message": "required by slack.post_message"}
    ]
    broken["trigger"]["cron"] = "every monday"
    body = (
        await client.post(
            f"/workflows/{workflow_id}/preview", json=broken, headers={"X-CSRF-Token": token}
        )
    ).json()
    assert [e["location"] for e in body["errors"]] == ["trigger.cron"]
    assert body["approval_class"] is None
    await client.aclose()


async def test_save_proposes_the_next_version_and_the_active_one_keeps_running(web: Web) -> None:
    client, workflow_id, token = await _signed_in(web, "olivia@acme.example")
    changed = copy.deepcopy(SPEC)
    changed["steps"].reverse()
    async with web.runtime.live.subscribe(
        (await _member(web, "olivia@acme.example")).workspace_id
    ) as events:
        answer = await client.post(
            f"/workflows/{workflow_id}/versions", json=changed, headers={"X-CSRF-Token": token}
        )
        assert answer.status_code == 201, answer.text
        event = events.get_nowait()
    assert event.kind == "approval.pending" and event.workflow_id == workflow_id
    body = answer.json()
    assert body["message"] == "Saved as version 2 — waiting for approval (class A)"
    workflow, versions, approvals = await _state(web, workflow_id)
    assert workflow.active_version == 1 and workflow.latest_version == 2
    assert [v.state for v in versions] == [VersionState.approved, VersionState.pending]
    assert [s["id"] for s in versions[1].spec["steps"]] == ["report", "tell", "find"]
    pending = [a for a in approvals if a.decision == Decision.pending]
    assert len(pending) == 1 and pending[0].version_id == versions[1].id

    broken = copy.deepcopy(changed)
    del broken["steps"][1]["inputs"]["channel"]
    refused = await client.post(
        f"/workflows/{workflow_id}/versions", json=broken, headers={"X-CSRF-Token": token}
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["details"] == [
        {"location": "steps.1.inputs.channel", "message": "required by slack.post_message"}
    ]
    assert len((await _state(web, workflow_id))[1]) == 2
    await client.aclose()


async def test_viewers_are_told_they_cannot_save(web: Web) -> None:
    client, workflow_id, token = await _signed_in(web, "vic@acme.example")
    member = await _member(web, "vic@acme.example")
    async with web.runtime.sessions() as session:
        row = await session.get(Member, member.id)
        assert row is not None
        row.role = Role.viewer
        await session.commit()
    answer = await client.post(
        f"/workflows/{workflow_id}/versions", json=SPEC, headers={"X-CSRF-Token": token}
    )
    assert answer.status_code == 403
    assert answer.json()["error"]["message"] == "viewers cannot change workflows"
    assert len((await _state(web, workflow_id))[1]) == 1
    await client.aclose()


async def test_another_workspaces_workflow_is_not_found(web: Web) -> None:
    _, workflow_id, _ = await _signed_in(web, "olivia@acme.example")
    other = await sign_up_client(web, email="mallory@globex.example", workspace="Globex")
    token = await page_csrf(other)
    page = await other.get(f"/workflows/{workflow_id}/edit", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "Weekly leads" not in page.text
    headers = {"X-CSRF-Token": token}
    for path in ("preview", "versions"):
        answer = await other.post(f"/workflows/{workflow_id}/{path}", json=SPEC, headers=headers)
        assert answer.status_code == 404, path
    assert len((await _state(web, workflow_id))[1]) == 1
    await other.aclose()


async def test_preview_and_save_refuse_a_missing_or_wrong_csrf_token(web: Web) -> None:
    client, workflow_id, _ = await _signed_in(web, "olivia@acme.example")
    for path in ("preview", "versions"):
        for headers in ({}, {"X-CSRF-Token": "forged"}):
            answer = await client.post(
                f"/workflows/{workflow_id}/{path}", json=SPEC, headers=headers
            )
            assert answer.status_code == 403, (path, headers)
    assert len((await _state(web, workflow_id))[1]) == 1
    await client.aclose()


def _step_ids_in_json(ids: str) -> str:
    return (
        "() => { try { return JSON.parse(document.getElementById('preview-json').textContent)"
        f".steps.map(s => s.id).join(',') === '{ids}'; }} catch (e) {{ return false; }} }}"
    )


async def test_drag_edit_fix_and_save_in_the_browser(web: Web, page: Page, tmp_path: Path) -> None:
    await sign_up_in_browser(page, web, email="olivia@acme.example")
    workflow_id = await active_workflow(web, "olivia@acme.example")
    await page.goto(f"{web.url}/workflows/{workflow_id}/edit")
    cards = page.locator("#steps > li")
    await expect(cards).to_have_count(3)
    await expect(page.locator("#preview-class")).to_have_text("Class A")

    await cards.nth(2).drag_to(cards.nth(0))
    await expect(cards.nth(0)).to_contain_text("report")
    await expect(cards.nth(1)).to_contain_text("find")
    await expect(page.locator("#dirty")).to_be_visible()
    await page.wait_for_function(_step_ids_in_json("report,find,tell"))
    await expect(page.locator("#announce")).to_contain_text("position 1 of 3")

    await cards.nth(2).locator('[data-role="select"]').click()
    channel = page.get_by_label("Channel")
    await channel.fill("#leads")
    await expect(page.locator("#preview-summary")).to_contain_text("in #leads")
    await expect(cards.nth(2)).to_contain_text("#leads")

    await channel.fill("")
    error = page.locator('[data-field="inputs.channel"] .error.server')
    await expect(error).to_have_text("required by slack.post_message")
    await expect(channel).to_have_attribute("aria-invalid", "true")
    await expect(cards.nth(2)).to_contain_text("inputs.channel: required")
    await channel.fill("#leads")
    await expect(error).to_be_hidden()
    await page.get_by_text("Spec as JSON").click()
    await page.evaluate("window.scrollTo(0, 0)")
    await screenshot(page, "editor", tmp_path, full_page=True)

    await page.get_by_role("button", name="Save as new version").click()
    result = page.locator("#save-result")
    await expect(result).to_contain_text("Saved as version 2 — waiting for approval (class A)")
    await expect(result.get_by_role("link", name="Approvals")).to_have_attribute(
        "href", "/approvals"
    )
    await expect(page.locator("#dirty")).to_be_hidden()
    workflow, versions, approvals = await _state(web, workflow_id)
    assert workflow.active_version == 1
    assert versions[-1].version == 2 and versions[-1].state == VersionState.pending
    steps = versions[-1].spec["steps"]
    assert [s["id"] for s in steps] == ["report", "find", "tell"]
    assert steps[2]["inputs"]["channel"] == "#leads"
    assert [a.decision for a in approvals if a.version_id == versions[-1].id] == [Decision.pending]


async def test_keyboard_reordering_at_phone_width(web: Web, page: Page) -> None:
    await page.set_viewport_size({"width": 375, "height": 800})
    await sign_up_in_browser(page, web, email="olivia@acme.example")
    workflow_id = await active_workflow(web, "olivia@acme.example")
    await page.goto(f"{web.url}/workflows/{workflow_id}/edit")
    cards = page.locator("#steps > li")
    second = cards.nth(1).locator('[data-role="select"]')
    await second.focus()
    await page.keyboard.press("Alt+ArrowUp")
    await expect(cards.nth(0)).to_contain_text("tell")
    await expect(page.locator("#announce")).to_have_text("Moved step tell to position 1 of 3.")
    await expect(cards.nth(0).locator('[data-role="select"]')).to_be_focused()
    await page.wait_for_function(_step_ids_in_json("tell,find,report"))

    down = page.get_by_role("button", name="Move step 1 (tell) down")
    await down.click()
    await expect(cards.nth(1)).to_contain_text("tell")
    await page.get_by_role("button", name="Move step 2 (tell) down").press("Enter")
    await expect(cards.nth(2)).to_contain_text("tell")
    await expect(page.locator("#announce")).to_have_text("Moved step tell to position 3 of 3.")
    await page.wait_for_function(_step_ids_in_json("find,report,tell"))
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375


async def test_add_remove_and_trigger_edits_update_the_preview(web: Web, page: Page) -> None:
    await sign_up_in_browser(page, web, email="olivia@acme.example")
    workflow_id = await active_workflow(web, "olivia@acme.example")
    await page.goto(f"{web.url}/workflows/{workflow_id}/edit")
    cards = page.locator("#steps > li")
    await page.get_by_label("Action for the new step").select_option("email.send")
    await page.get_by_role("button", name="Add step").click()
    await expect(cards).to_have_count(4)
    await expect(page.locator("#panel-title")).to_have_text("Step 4 settings")
    await expect(page.locator("#announce")).to_have_text("Added step send at position 4.")
    await expect(page.locator('[data-field="inputs.to"] .error.server')).to_contain_text(
        "required by email.send"
    )
    await page.get_by_role("textbox", name="To (required)", exact=True).fill("{{ trigger.email }}")
    await page.get_by_label("Subject").fill("Welcome")
    await page.get_by_role("textbox", name="Text (required)", exact=True).fill("Hello there")
    await expect(page.locator("#preview-state")).to_have_text("Valid: ready to save.")
    await expect(page.locator("#preview-class")).to_have_text("Class B")
    await expect(page.locator("#preview-why")).to_contain_text("send: email.send is external")

    await page.get_by_role("button", name="Remove step 4 (send)").click()
    await expect(cards).to_have_count(3)
    await expect(page.locator("#preview-class")).to_have_text("Class A")
    await expect(page.locator("#panel-title")).to_have_text("Step settings")

    cron = page.get_by_label("Cron")
    await cron.fill("every monday")
    await expect(page.locator('[data-field="trigger.cron"] .error.server')).to_contain_text(
        "5 fields"
    )
    await cron.fill("0 8 * * 1-5")
    await expect(page.locator("#preview-summary")).to_contain_text(
        "every weekday (Monday to Friday) at 08:00"
    )
    await page.get_by_label("Starts").select_option("manual")
    await expect(page.locator("#preview-summary")).to_contain_text("only when someone runs it")
    await expect(page.get_by_label("Cron")).to_have_count(0)


class Held:
    """Holds the browser's requests to one path until released, so each state can be seen."""

    def __init__(self, page: Page, path: str) -> None:
        self.page, self.pattern = page, f"**{path}"
        self.release = asyncio.Event()
        self.seen = self.passed = 0

    async def __aenter__(self) -> Held:
        await self.page.route(self.pattern, self._hold)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release.set()
        for _ in range(200):
            if self.passed == self.seen:
                break
            await asyncio.sleep(0.01)
        await self.page.unroute(self.pattern)

    async def _hold(self, route: Route) -> None:
        self.seen += 1
        await self.release.wait()
        await route.continue_()
        self.passed += 1


LOGGED = {
    **SPEC,
    "name": "Log new leads",
    "steps": [
        *SPEC["steps"][:2],
        {"id": "log", "action": "sheets.append_row",
         "inputs": {"spreadsheet": "Leads", "sheet": "Sheet1", "values": {"stage": "lead"}}},
    ],
}  # fmt: skip


async def test_the_living_canvas_thinks_works_and_goes_green_or_red(
    web: Web, page: Page, tmp_path: Path
) -> None:
    await sign_up_in_browser(page, web, email="olivia@acme.example")
    workflow_id = await active_workflow(web, "olivia@acme.example")
    await page.goto(f"{web.url}/workflows/{workflow_id}/edit")
    canvas, words = page.locator("#editor-canvas"), page.locator("#editor-canvas-text")
    await expect(canvas).to_have_attribute("data-state", "idle")
    await expect(words).to_have_text("Ready: change a step, or try it on sample data.")
    cards = page.locator("#steps > li")

    # Thinking while the preview is checked; back to ready when it is valid, red when it is not.
    await cards.nth(1).locator('[data-role="select"]').click()
    channel = page.get_by_label("Channel")
    async with Held(page, f"/workflows/{workflow_id}/preview") as held:
        await channel.fill("")
        await expect(canvas).to_have_attribute("data-state", "thinking")
        await expect(words).to_contain_text("Thinking")
        await page.wait_for_function("document.querySelector('#preview-state').textContent")
        assert held.seen <= 1
    await expect(canvas).to_have_attribute("data-state", "error")
    await expect(words).to_have_text("1 problem to fix before it can run.")
    await channel.fill("#leads")
    await expect(canvas).to_have_attribute("data-state", "idle")

    # Working while the dry run goes, green when every step would work; nothing was sent.
    async with Held(page, f"/workflows/{workflow_id}/try"):
        await page.get_by_role("button", name="Try it (dry run)").click()
        await expect(canvas).to_have_attribute("data-state", "processing")
        await expect(words).to_contain_text("Working: trying it on sample data")
        await screenshot(page, "editor-working", tmp_path)
    await expect(canvas).to_have_attribute("data-state", "success")
    await expect(words).to_contain_text("Every step would work")
    await expect(page.locator("#try-result .trial-ok")).to_have_count(3)
    await screenshot(page, "editor-tried", tmp_path)
    async with web.runtime.sessions() as session:
        assert (await session.exec(select(Run))).all() == []
        assert (await session.exec(select(OutboxMessage))).all() == []

    # Red when a step would fail (Google Sheets is not connected), with the reason in words.
    failing = await active_workflow(web, "olivia@acme.example", LOGGED)
    await page.goto(f"{web.url}/workflows/{failing}/edit")
    await expect(canvas).to_have_attribute("data-state", "idle")
    await page.get_by_role("button", name="Try it (dry run)").click()
    await expect(canvas).to_have_attribute("data-state", "error")
    await expect(words).to_contain_text("1 step would fail")
    await expect(page.locator("#try-result")).to_contain_text("Google Sheets is not connected")


async def test_a_dry_run_of_an_invalid_spec_names_what_to_fix(web: Web) -> None:
    client, workflow_id, token = await _signed_in(web, "olivia@acme.example")
    bad = copy.deepcopy(SPEC)
    bad["steps"][1]["action"] = "slack.post_nothing"
    headers = {"X-CSRF-Token": token}
    refused = await client.post(f"/workflows/{workflow_id}/try", json=bad, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["error"]["message"] == "Fix the problems in the preview first."
    tried = await client.post(f"/workflows/{workflow_id}/try", json=SPEC, headers=headers)
    assert tried.status_code == 200 and tried.json()["failed"] == 0
    assert (await client.post(f"/workflows/{workflow_id}/try", json=SPEC)).status_code == 403
    await client.aclose()
