"""Threshold alerts through the webhook hub: Slack hears about a crossing once, not every check."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from agents.planner import draft
from storage.config import Settings
from storage.models import AlertState, Role
from tests.bot.conftest import Live, live  # noqa: F401
from tests.conftest import make_settings
from tests.fakes.http_server import LoopbackServer, serve_app
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401


@pytest.fixture
def settings(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> Settings:  # noqa: F811
    return make_settings(
        tmp_path, database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake_slack.url
    )


async def threshold_alert(app: Live, **params: Any) -> tuple[str, str]:
    """The template approved with these parameters: its id and its webhook path."""
    body = {"template_id": "slack-alert-notifications",
            "params": {"threshold": 100, "channel": "#ops", **params}}  # fmt: skip
    created = await app.as_(Role.admin).post("/api/workflows", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["approval"]["class"] == "A"
    approval = created.json()["approval"]["id"]
    result = await app.as_(Role.owner).post(f"/api/approvals/{approval}/approve")
    assert result.status_code == 200 and result.json()["status"] == "active", result.text
    workflow = result.json()
    return workflow["id"], "/" + workflow["webhook_url"].split("/", 3)[3]


async def post(app: Live, path: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Send one webhook and wait for its run."""
    response = await app.as_().post(path, json=payload)
    assert response.status_code == 202, response.text
    return await app.wait_for_run(response.json()["run_id"])


def posts_to(fake: FakeSlack, channel: str) -> list[str]:
    return [c.args["text"] for c in fake.calls("chat.postMessage") if c.args["channel"] == channel]


async def test_alerts_on_each_crossing_only(live: Live, fake_slack: FakeSlack) -> None:  # noqa: F811
    _, path = await threshold_alert(live)
    for value in (50, 150, 160, 90, 170):
        run = await post(live, path, {"metric": "Queue depth", "value": value})
        assert run["status"] == "succeeded", run
    assert posts_to(fake_slack, "#ops") == [
        ":warning: Queue depth is 150 (threshold 100)",
        ":warning: Queue depth is 170 (threshold 100)",
    ]


async def test_recovery_is_posted_when_asked(live: Live, fake_slack: FakeSlack) -> None:  # noqa: F811
    _, path = await threshold_alert(live, notify_recovery=True)
    for value in (50, 150, 160, 90, 170):
        assert (await post(live, path, {"metric": "CPU", "value": value}))["status"] == "succeeded"
    assert posts_to(fake_slack, "#ops") == [
        ":warning: CPU is 150 (threshold 100)",
        ":white_check_mark: CPU is back to 90 (under the threshold 100)",
        ":warning: CPU is 170 (threshold 100)",
    ]


async def test_runs_crossing_at_once_alert_once(live: Live, fake_slack: FakeSlack) -> None:  # noqa: F811
    _, path = await threshold_alert(live)
    assert (await post(live, path, {"metric": "Errors", "value": 10}))["status"] == "succeeded"
    responses = await asyncio.gather(
        *(live.as_().post(path, json={"metric": "Errors", "value": v}) for v in range(150, 156))
    )
    runs = [await live.wait_for_run(r.json()["run_id"]) for r in responses]
    assert [r["status"] for r in runs] == ["succeeded"] * 6
    alerts = posts_to(fake_slack, "#ops")
    assert len(alerts) == 1 and alerts[0].startswith(":warning: Errors is 15")


async def test_metrics_are_tracked_apart(live: Live, fake_slack: FakeSlack) -> None:  # noqa: F811
    _, path = await threshold_alert(live)
    for metric, value in (("CPU", 150), ("Disk", 150), ("CPU", 150)):
        assert (await post(live, path, {"metric": metric, "value": value}))["status"] == "succeeded"
    assert posts_to(fake_slack, "#ops") == [
        ":warning: CPU is 150 (threshold 100)",
        ":warning: Disk is 150 (threshold 100)",
    ]


async def test_dry_run_leaves_the_state_alone(
    live: Live,  # noqa: F811
    fake_slack: FakeSlack,  # noqa: F811
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    workflow_id, path = await threshold_alert(live)
    assert (await post(live, path, {"metric": "Latency", "value": 40}))["status"] == "succeeded"

    async def state() -> list[dict[str, Any]]:
        async with sessions() as session:
            rows = await session.exec(
                select(AlertState).where(AlertState.workflow_id == workflow_id)
            )
            return [r.model_dump() for r in rows.all()]

    before = await state()
    dry = await live.as_().post(
        f"/api/workflows/{workflow_id}/run",
        json={"dry_run": True, "payload": {"metric": "Latency", "value": 500}},
    )
    assert dry.status_code == 202 and dry.json()["status"] == "succeeded", dry.text
    detail = (await live.as_().get(f"/api/runs/{dry.json()['id']}")).json()
    check = next(s for s in detail["steps"] if s["step_id"] == "check")
    assert check["output"]["crossed"] is True  # the preview says what would happen
    assert await state() == before and len(before) == 1
    assert posts_to(fake_slack, "#ops") == []
    await post(live, path, {"metric": "Latency", "value": 500})
    assert posts_to(fake_slack, "#ops") == [":warning: Latency is 500 (threshold 100)"]


async def test_a_value_that_is_not_a_number_fails_the_check_clearly(
    live: Live,  # noqa: F811
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    _, path = await threshold_alert(live)
    run = await post(live, path, {"metric": "Queue depth", "value": "lots"})
    assert run["status"] == "failed"
    assert "step check (alert.crossed) failed" in run["error"]
    assert "value must be a number, got 'lots'" in run["error"]
    assert posts_to(fake_slack, "#ops") == []


@pytest.fixture
def metrics() -> Iterator[tuple[LoopbackServer, dict[str, int]]]:
    values = {"queue_depth": 40}

    async def endpoint(request: Request) -> JSONResponse:
        return JSONResponse({"queue_depth": values["queue_depth"]})

    with serve_app(Starlette(routes=[Route("/metrics", endpoint)])) as server:
        yield server, values


async def test_drafted_metric_alert_fires_on_the_crossing(
    live: Live,  # noqa: F811
    fake_slack: FakeSlack,  # noqa: F811
    metrics: tuple[LoopbackServer, dict[str, int]],
) -> None:
    server, values = metrics
    drafted = draft(
        f"check our metrics endpoint {server.url}/metrics every 5 minutes and alert #ops in "
        "slack when the queue depth goes over 100"
    )
    assert drafted.status == "draft" and drafted.workflow is not None
    spec = drafted.workflow
    check = next(s for s in spec["steps"] if s["action"] == "alert.crossed")
    assert check["inputs"]["threshold"] == 100
    created = await live.as_(Role.admin).post("/api/workflows", json={"spec": spec})
    assert created.status_code == 201, created.text
    workflow_id = created.json()["id"]
    approval = created.json()["approval"]["id"]
    approved = await live.as_(Role.owner).post(f"/api/approvals/{approval}/approve")
    assert approved.status_code == 200, approved.text
    for depth in (40, 180, 190, 99, 150):
        values["queue_depth"] = depth
        await live.runtime.fire(workflow_id)
    runs = (await live.as_().get("/api/runs", params={"workflow_id": workflow_id})).json()
    assert [r["status"] for r in runs] == ["succeeded"] * 5
    assert posts_to(fake_slack, "#ops") == [
        ":warning: queue depth is 180 (threshold 100)",
        ":warning: queue depth is 150 (threshold 100)",
    ]
