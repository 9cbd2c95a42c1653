"""Weekly report: template → approved → scheduler fires → figures and chart → Slack and email."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from aiosmtpd.controller import Controller

from agents.planner import draft
from integrations.catalog import default_registry
from storage.config import Settings
from storage.models import Role
from tests.bot.conftest import Live, live  # noqa: F401
from tests.conftest import make_settings
from tests.fakes.http_server import free_port
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401
from tests.integrations.test_charts import bars, decode_png
from workflows.spec import WorkflowSpec


class Inbox:
    """aiosmtpd handler keeping every envelope."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def settings(
    tmp_path: Path,
    database_url: str,
    fake_slack: FakeSlack,  # noqa: F811
    inbox: tuple[Inbox, int],
) -> Settings:
    return make_settings(
        tmp_path, database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake_slack.url,
        LEVQOR_SCHEDULER=True, SMTP_URL=f"smtp://127.0.0.1:{inbox[1]}",
        LEVQOR_EMAIL_FROM="Levqor <reports@acme.test>",
        LEVQOR_PUBLIC_URL="https://levqor.acme.test",
    )  # fmt: skip


async def approved(app: Live, body: dict[str, Any], requester: Role = Role.admin) -> Any:
    """Create a workflow as `requester` and approve it as the owner."""
    created = (await app.as_(requester).post("/api/workflows", json=body)).json()
    result = await app.as_(Role.owner).post(f"/api/approvals/{created['approval']['id']}/approve")
    assert result.status_code == 200, result.text
    return result.json()


def manual(name: str, step: dict[str, Any]) -> dict[str, Any]:
    return {"spec": {"name": name, "trigger": {"type": "manual"}, "steps": [step]}}


async def fire_now(app: Live, workflow_id: str) -> dict[str, Any]:
    """Bring the scheduled job's next fire time to now and wait for the run it starts."""
    scheduler = app.runtime.scheduler
    assert scheduler is not None and scheduler.is_running
    job = scheduler._scheduler.get_job(f"wf:{workflow_id}")
    job.modify(next_run_time=datetime.now(ZoneInfo("UTC")))
    scheduler._scheduler.wakeup()
    for _ in range(300):
        runs = (await app.as_().get("/api/runs", params={"workflow_id": workflow_id})).json()
        if runs and runs[0]["status"] in ("succeeded", "failed"):
            return dict(runs[0])
        await asyncio.sleep(0.05)
    raise AssertionError("the scheduled report did not finish")


async def test_weekly_report_with_chart_reaches_slack_and_email(
    live: Live,  # noqa: F811
    fake_slack: FakeSlack,  # noqa: F811
    inbox: tuple[Inbox, int],
) -> None:
    hello = {
        "id": "ping",
        "action": "slack.post_message",
        "inputs": {"channel": "#ops", "text": "hi"},
    }
    ping = await approved(live, manual("Ping team", hello))
    broken = await approved(live, manual("Ping partner", {
        "id": "ping", "action": "http.request", "retry": {"max_attempts": 1},
        "inputs": {"method": "GET", "url": "http://127.0.0.1:9/unreachable"},
    }))  # fmt: skip
    for workflow in (ping, ping, broken):
        await live.as_().post(f"/api/workflows/{workflow['id']}/run", json={"wait": True})

    report = await approved(
        live,
        {
            "template_id": "weekly-analytics-report",
            "params": {"channel": "#management", "timezone": "Europe/London", "email_owners": True},
        },
        requester=Role.operator,
    )
    assert report["status"] == "active"
    fake_slack.reset()
    run = await fire_now(live, report["id"])
    assert run["status"] == "succeeded" and run["trigger_type"] == "schedule", run

    posts = fake_slack.calls("chat.postMessage")
    assert [p.args["channel"] for p in posts] == ["#management"]
    text, blocks = posts[0].args["text"], posts[0].args["blocks"]
    assert "3 runs, 2 succeeded, 1 failed (66.7% success)" in text, text
    fields = " ".join(
        f["text"] for b in blocks if b["type"] == "section" for f in b.get("fields", [])
    )
    assert "*Runs*\n3" in fields and "*Failed*\n1" in fields and "*Success rate*\n66.7%" in fields
    images = [b for b in blocks if b["type"] == "image"]
    assert len(images) == 1
    chart_url = images[0]["image_url"]
    assert chart_url.startswith("https://levqor.acme.test/charts/") and chart_url.endswith(".png")

    # The chart is served (no API key: Slack fetches it) and draws today's 2 + 1 runs.
    path = "/charts/" + chart_url.rsplit("/", 1)[1]
    async with httpx.AsyncClient(base_url=live.url) as client:
        served = await client.get(path)
        assert served.status_code == 200 and served.headers["content-type"] == "image/png"
        width, height, _ = image = decode_png(served.content)
        assert (width, height) == (640, 320)
        (_, green, red, _), *others = bars(image)
        assert others == [] and abs(green - 2 * red) <= 2 and red > 10
        assert (await client.get("/charts/" + "0" * 32 + ".png")).status_code == 404
        assert (await client.get("/charts/..%2Fsecret.key.png")).status_code == 404

    for _ in range(100):
        if inbox[0].envelopes:
            break
        await asyncio.sleep(0.02)
    # The seeded failing run also emailed the owners its failure notice: only the report counts.
    envelopes = [e for e in inbox[0].envelopes if b"Subject: Weekly report" in e.content]
    assert [e.rcpt_tos for e in envelopes] == [["owner@example.com"]]
    mail = message_from_bytes(envelopes[0].content, policy=policy.default)
    assert mail["Subject"] == "Weekly report"
    plain, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert plain is not None and html is not None
    assert "3 runs, 2 succeeded, 1 failed (66.7% success)" in plain.get_content()
    html_text = html.get_content()
    assert "3 runs, 2 succeeded, 1 failed (66.7% success)" in html_text
    assert f'src="{chart_url}"' in html_text and "<td>3</td><td>2</td><td>1</td>" in html_text


def test_weekly_report_is_draftable() -> None:
    result = draft(
        "every monday at 9am send a weekly analytics report to #management and email the owners"
    )
    spec = WorkflowSpec.model_validate(result.workflow)
    assert all(action in default_registry() for action in spec.actions())
    assert spec.trigger.model_dump() == {"type": "schedule", "cron": "0 9 * * 1", "timezone": "UTC"}
    assert spec.actions()[0] == "report.build"
    assert set(spec.integrations()) == {"report", "slack", "email"}
