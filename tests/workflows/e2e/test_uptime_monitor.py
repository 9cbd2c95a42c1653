"""Website down alert: a failing check is handled (the run succeeds), Slack hears once per outage
and again on recovery — whether the site answers an error page or does not answer at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from agents.planner import draft
from storage.config import Settings
from storage.models import Role
from tests.bot.conftest import Live, live  # noqa: F401
from tests.conftest import make_settings
from tests.fakes.http_server import LoopbackServer, free_port
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401


@pytest.fixture
def settings(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> Settings:  # noqa: F811
    return make_settings(
        tmp_path, database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake_slack.url
    )


class Site:
    """A page whose answer the test sets (200 or an error), or nothing listening at all."""

    def __init__(self) -> None:
        self.status = 200

    async def page(self, request: Request) -> PlainTextResponse:
        return PlainTextResponse("hello", status_code=self.status)


async def approved(app: Live, body: dict[str, Any]) -> str:
    created = await app.as_(Role.admin).post("/api/workflows", json=body)
    assert created.status_code == 201, created.text
    approval = created.json()["approval"]["id"]
    result = await app.as_(Role.owner).post(f"/api/approvals/{approval}/approve")
    assert result.status_code == 200, result.text
    return str(result.json()["id"])


async def check(app: Live, workflow_id: str) -> dict[str, Any]:
    response = await app.as_(Role.owner).post(
        f"/api/workflows/{workflow_id}/run", json={"wait": True}
    )
    assert response.status_code == 202, response.text
    return dict(response.json())


def posts(fake: FakeSlack) -> list[str]:
    return [c.args["text"] for c in fake.calls("chat.postMessage") if c.args["channel"] == "#ops"]


async def test_template_alerts_once_per_outage_and_on_recovery(
    live: Live,  # noqa: F811
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    site = Site()
    server = LoopbackServer(Starlette(routes=[Route("/", site.page)])).start()
    url = server.url + "/"
    try:
        workflow = await approved(live, {"template_id": "website-uptime-alert",
                                         "params": {"url": url, "channel": "#ops"}})  # fmt: skip
        outcomes = []
        for status in (200, 503, 503, 200):
            site.status = status
            outcomes.append((await check(live, workflow))["status"])
        server.stop()  # now nothing answers at all
        outcomes.append((await check(live, workflow))["status"])
        outcomes.append((await check(live, workflow))["status"])
    finally:
        server.stop()
    assert outcomes == ["succeeded"] * 6  # a down site is handled, not a failed workflow
    texts = posts(fake_slack)
    assert len(texts) == 3, texts
    assert texts[0] == f":red_circle: {url} is down ({url} answered 503)"
    assert texts[1] == f":large_green_circle: {url} is back up"
    assert texts[2].startswith(f":red_circle: {url} is down (") and "503" not in texts[2]


async def test_the_drafted_monitor_runs_the_same_way(
    live: Live,  # noqa: F811
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    port = free_port()  # nothing listens: the site is down from the start
    result = draft(f"tell #ops when our site 127.0.0.1:{port} goes down")
    assert result.status == "draft" and result.workflow is not None
    spec = result.workflow
    spec["steps"][0]["inputs"]["url"] = f"http://127.0.0.1:{port}/"  # drafts use https
    workflow = await approved(live, {"spec": spec})
    first, second = await check(live, workflow), await check(live, workflow)
    assert (first["status"], second["status"]) == ("succeeded", "succeeded")
    assert len(posts(fake_slack)) == 1 and "is down" in posts(fake_slack)[0]
