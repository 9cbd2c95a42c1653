"""A weekly report from its template, approved, fires from the scheduler with real figures."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from storage.config import Settings
from storage.models import Role
from storage.types import utcnow
from tests.bot.conftest import Live
from tests.conftest import make_settings
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401


@pytest.fixture
def settings(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> Settings:  # noqa: F811
    return make_settings(
        tmp_path,
        database_url,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_API_URL=fake_slack.url,
        LEVQOR_SCHEDULER=True,
    )


async def approved(
    live: Live, body: dict[str, object], requester: Role = Role.admin
) -> dict[str, str]:
    created = (await live.as_(requester).post("/api/workflows", json=body)).json()
    result = await live.as_(Role.owner).post(f"/api/approvals/{created['approval']['id']}/approve")
    assert result.status_code == 200, result.text
    return dict(result.json())


async def test_weekly_report_fires_from_scheduler_with_figures(
    live: Live,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    # Real activity first: three leads through the webhook hub, and one failing workflow run.
    leads = await approved(
        live, {"template_id": "lead-capture-crm", "params": {"channel": "#sales"}}
    )
    path = "/" + leads["webhook_url"].split("/", 3)[3]
    for n in range(3):
        payload = json.dumps({"email": f"lead{n}@example.com", "name": f"Lead {n}"})
        response = await live.as_().post(
            path,
            content=payload,
            headers={"content-type": "application/json", "Idempotency-Key": f"k{n}"},
        )
        await live.wait_for_run(response.json()["run_id"])
    broken = await approved(
        live,
        {
            "spec": {
                "name": "Ping partner",
                "trigger": {"type": "manual"},
                "steps": [
                    {
                        "id": "ping",
                        "action": "http.request",
                        "retry": {"max_attempts": 1},
                        "inputs": {"method": "GET", "url": "http://127.0.0.1:9/unreachable"},
                    }
                ],
            }
        },
    )
    run = await live.as_().post(f"/api/workflows/{broken['id']}/run", json={"wait": True})
    assert run.json().get("status") == "failed", run.text
    alerts = [
        c.args["text"]
        for c in fake_slack.calls("chat.postMessage")
        if c.args["channel"] == "#alerts"
    ]
    assert len(alerts) == 1 and "*Ping partner* failed" in alerts[0] and "step ping" in alerts[0]

    report = await approved(
        live,
        {
            "template_id": "weekly-analytics-report",
            "params": {"channel": "#management", "timezone": "Europe/London"},
        },
        requester=Role.operator,
    )
    scheduler = live.runtime.scheduler
    assert scheduler is not None and scheduler.is_running
    next_fire = scheduler.next_fire_time(report["id"])
    assert next_fire is not None
    local = next_fire.astimezone(ZoneInfo("Europe/London"))
    assert (local.weekday(), local.hour, local.minute) == (0, 9, 0)  # Monday 09:00 London
    assert next_fire > utcnow()

    # Controlled clock: bring the job's next fire time to now; the scheduler does the rest.
    fake_slack.reset()
    job = scheduler._scheduler.get_job(f"wf:{report['id']}")
    job.modify(next_run_time=datetime.now(ZoneInfo("UTC")))
    scheduler._scheduler.wakeup()
    runs: list[dict[str, object]] = []
    for _ in range(200):
        runs = (await live.as_().get("/api/runs", params={"workflow_id": report["id"]})).json()
        if runs and runs[0]["status"] in ("succeeded", "failed"):
            break
        await asyncio.sleep(0.05)
    assert runs and runs[0]["status"] == "succeeded", runs
    assert runs[0]["trigger_type"] == "schedule"
    posts = fake_slack.calls("chat.postMessage")
    assert [p.args["channel"] for p in posts] == ["#management"]
    text = posts[0].args["text"]
    assert "4 runs, 3 succeeded, 1 failed (75.0% success)" in text, text
    assert "3 new CRM contacts" in text, text
    assert "Ping partner failed 1x" in text, text
    refreshed = scheduler.next_fire_time(report["id"])
    assert refreshed is not None and refreshed.astimezone(ZoneInfo("Europe/London")).weekday() == 0

    await live.as_().post(f"/api/workflows/{report['id']}/pause")
    assert scheduler.next_fire_time(report["id"]) is None
