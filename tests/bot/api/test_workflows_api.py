"""REST API: creating, approving (roles vs class), running and reading workflows; JSON errors."""

from __future__ import annotations

from typing import Any

import httpx

from storage.models import Role
from tests.bot.conftest import Live

SLACK_SPEC: dict[str, Any] = {
    "name": "Morning hello",
    "trigger": {"type": "manual"},
    "steps": [
        {
            "id": "hello",
            "action": "slack.post_message",
            "inputs": {"channel": "#team", "text": "Hi {{ trigger.who }}"},
        }
    ],
}


async def create(live: Live, body: dict[str, Any], role: Role = Role.operator) -> httpx.Response:
    return await live.as_(role).post("/api/workflows", json=body)


async def test_create_from_spec_is_pending_with_class(live: Live) -> None:
    response = await create(live, {"spec": SLACK_SPEC})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "pending_approval"
    assert body["approval"]["class"] == "A" and body["approval"]["id"]
    assert body["spec"]["steps"][0]["action"] == "slack.post_message"


async def test_class_a_any_member_approves_then_runs_into_outbox(live: Live) -> None:
    created = (await create(live, {"spec": SLACK_SPEC})).json()
    approved = await live.as_(Role.operator).post(
        f"/api/approvals/{created['approval']['id']}/approve"
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "active" and approved.json()["active_version"] == 1
    run = await live.as_(Role.operator).post(
        f"/api/workflows/{created['id']}/run", json={"payload": {"who": "team"}}
    )
    assert run.status_code == 202
    finished = await live.wait_for_run(run.json()["id"])
    assert finished["status"] == "succeeded"
    assert [s["step_id"] for s in finished["steps"]] == ["hello"]
    assert any(e["kind"] == "step_succeeded" for e in finished["events"])
    outbox = (await live.as_().get("/api/outbox")).json()
    assert [(m["target"], m["body"], m["status"]) for m in outbox] == [
        ("#team", "Hi team", "pending")
    ]


async def test_class_b_needs_an_admin_who_is_not_the_requester(live: Live) -> None:
    created = await create(
        live, {"template_id": "lead-capture-crm", "params": {"channel": "#leads"}}, Role.admin
    )
    assert created.status_code == 201, created.text
    approval = created.json()["approval"]
    assert approval["class"] == "B"
    url = f"/api/approvals/{approval['id']}/approve"
    denied = await live.as_(Role.operator).post(url)
    assert denied.status_code == 403
    assert (
        denied.json()["error"]["message"] == "class B workflows need an admin or owner to approve"
    )
    self_approval = await live.as_(Role.admin).post(url)
    assert self_approval.status_code == 403 and "other than the requester" in self_approval.text
    ok = await live.as_(Role.owner).post(url, json={"reason": "looks right"})
    assert ok.status_code == 200 and ok.json()["status"] == "active"
    again = await live.as_(Role.owner).post(url)
    assert again.status_code == 409 and "already approved by Olivia Owner" in again.text


async def test_class_c_needs_owner_and_confirmation(live: Live) -> None:
    spec = {
        "name": "Clean old contacts",
        "trigger": {"type": "manual"},
        "steps": [
            {"id": "wipe", "action": "crm.delete_contacts", "inputs": {"inactive_for": "730 days"}}
        ],
    }
    approval = (await create(live, {"spec": spec})).json()["approval"]
    assert approval["class"] == "C"
    url = f"/api/approvals/{approval['id']}/approve"
    named = {"typed_name": "Clean old contacts"}
    assert (await live.as_(Role.admin).post(url, json=named)).status_code == 403
    unconfirmed = await live.as_(Role.owner).post(url, json={"confirm": True})
    assert unconfirmed.status_code == 403 and "type “Clean old contacts”" in unconfirmed.text
    wrong = await live.as_(Role.owner).post(url, json={"typed_name": "Clean contacts"})
    assert wrong.status_code == 403 and "does not match" in wrong.text
    assert (await live.as_(Role.owner).post(url, json=named)).status_code == 200


async def test_bad_specs_get_422_naming_step_and_field(live: Live) -> None:
    bad = {**SLACK_SPEC, "steps": [{**SLACK_SPEC["steps"][0], "retry": {"max_attempts": 99}}]}
    response = await create(live, {"spec": bad})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_spec"
    assert error["details"][0]["location"] == "steps[0] (hello).retry.max_attempts"
    unknown = {**SLACK_SPEC, "steps": [{"id": "x", "action": "fax.send", "inputs": {}}]}
    response = await create(live, {"spec": unknown})
    assert response.status_code == 422 and "unknown action 'fax.send'" in response.text
    neither = await create(live, {})
    assert neither.status_code == 422 and "either template_id" in neither.text
    # an input the action lacks, or a required one missing, would fail every run: refused now
    step = SLACK_SPEC["steps"][0]
    misspelt = {
        "id": step["id"],
        "action": step["action"],
        "inputs": {"chanel": "#x", "text": "hi"},
    }
    response = await create(live, {"spec": {**SLACK_SPEC, "steps": [misspelt]}})
    assert response.status_code == 422
    found = {d["location"]: d["message"] for d in response.json()["error"]["details"]}
    assert "has no input 'chanel'" in found["steps[0] (hello).inputs.chanel"]
    assert found["steps[0] (hello).inputs.channel"] == "required by slack.post_message"
    listed = (await live.as_().get("/api/workflows")).json()
    assert all(w["name"] != SLACK_SPEC["name"] for w in listed)


async def test_unknown_template_and_bad_params(live: Live) -> None:
    missing = await create(live, {"template_id": "lead-captur-crm"})
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found" and "lead-capture-crm" in missing.text
    wrong = await create(live, {"template_id": "lead-capture-crm", "params": {"chanel": "#x"}})
    assert wrong.status_code == 422 and "chanel" in wrong.text
    assert (await live.as_().get("/api/templates/nope")).status_code == 404


async def test_templates_listing_by_category(live: Live) -> None:
    everything = (await live.as_().get("/api/templates")).json()
    assert len(everything) >= 25
    reporting = (await live.as_().get("/api/templates", params={"category": "reporting"})).json()
    assert reporting and {t["category"] for t in reporting} == {"reporting"}
    one = (await live.as_().get("/api/templates/weekly-analytics-report")).json()
    assert one["spec"]["trigger"]["type"] == "schedule"


async def test_auth_and_roles(live: Live) -> None:
    async with httpx.AsyncClient(base_url=live.url) as anonymous:
        response = await anonymous.get("/api/workflows")
        assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"
        bad = await anonymous.get("/api/workflows", headers={"Authorization": "Bearer lq_nope"})
        assert bad.status_code == 401
    assert (await create(live, {"spec": SLACK_SPEC}, Role.viewer)).status_code == 403


async def test_pause_resume_archive_and_running_rules(live: Live) -> None:
    created = (await create(live, {"spec": SLACK_SPEC})).json()
    early = await live.as_().post(f"/api/workflows/{created['id']}/run")
    assert early.status_code == 409 and "not active" in early.text
    await live.as_(Role.owner).post(f"/api/approvals/{created['approval']['id']}/approve")
    wf = f"/api/workflows/{created['id']}"
    assert (await live.as_().post(f"{wf}/pause")).json()["status"] == "paused"
    assert (await live.as_().post(f"{wf}/run")).status_code == 409
    assert (await live.as_().post(f"{wf}/pause")).status_code == 409
    assert (await live.as_().post(f"{wf}/resume")).json()["status"] == "active"
    assert (await live.as_().post(f"{wf}/archive")).json()["status"] == "archived"
    listed = (await live.as_().get("/api/workflows", params={"status": "archived"})).json()
    assert [w["id"] for w in listed] == [created["id"]]


async def test_new_version_keeps_the_active_one_until_approved(live: Live) -> None:
    created = (await create(live, {"spec": SLACK_SPEC})).json()
    await live.as_(Role.owner).post(f"/api/approvals/{created['approval']['id']}/approve")
    changed = {**SLACK_SPEC, "name": "Morning hello v2"}
    proposed = await live.as_().post(
        f"/api/workflows/{created['id']}/versions", json={"spec": changed}
    )
    assert proposed.status_code == 201
    body = proposed.json()
    assert (
        body["status"] == "active" and body["active_version"] == 1 and body["latest_version"] == 2
    )
    await live.as_(Role.owner).post(f"/api/approvals/{body['approval']['id']}/approve")
    after = (await live.as_().get(f"/api/workflows/{created['id']}")).json()
    assert after["active_version"] == 2 and after["name"] == "Morning hello v2"


async def test_dry_run_sends_nothing(live: Live) -> None:
    created = (await create(live, {"spec": SLACK_SPEC})).json()
    await live.as_(Role.owner).post(f"/api/approvals/{created['approval']['id']}/approve")
    run = await live.as_().post(
        f"/api/workflows/{created['id']}/run", json={"dry_run": True, "payload": {"who": "x"}}
    )
    assert run.json()["status"] == "succeeded" and run.json()["dry_run"] is True
    assert (await live.as_().get("/api/outbox")).json() == []


async def test_other_workspaces_cannot_see_each_other(live: Live) -> None:
    created = (await create(live, {"spec": SLACK_SPEC})).json()
    from accounts.keys import create_key
    from accounts.workspaces import create_workspace

    async with live.runtime.sessions() as session:
        other = await create_workspace(session, "other-co")
        key, _ = await create_key(session, other, Role.owner)
        await session.commit()
    async with httpx.AsyncClient(
        base_url=live.url, headers={"Authorization": f"Bearer {key}"}
    ) as c:
        assert (await c.get(f"/api/workflows/{created['id']}")).status_code == 404
        assert (
            await c.post(f"/api/approvals/{created['approval']['id']}/approve")
        ).status_code == 404
        assert (await c.get("/api/workflows")).json() == []


async def test_health_reports_figures(live: Live) -> None:
    created = (await create(live, {"spec": SLACK_SPEC})).json()
    health = (await live.as_().get("/api/health")).json()
    assert health["status"] == "ok" and health["pending_approvals"] == 1
    assert health["scope"] == "workspace"
    await live.as_(Role.owner).post(f"/api/approvals/{created['approval']['id']}/approve")
    run = await live.as_().post(
        f"/api/workflows/{created['id']}/run", json={"wait": True, "payload": {"who": "a"}}
    )
    assert run.json()["status"] == "succeeded"
    health = (await live.as_().get("/api/health")).json()
    assert (health["runs_24h"], health["succeeded_24h"], health["pending_approvals"]) == (1, 1, 0)
    assert health["active_workflows"] == 1 and health["success_rate_24h"] == 100.0
