"""The bell, /notifications and GET /api/notifications, from real runs against the real app."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from storage.config import Settings
from tests.conftest import make_settings
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401
from tests.web.conftest import Web, sign_up_client
from tests.web.test_health_page import (
    FAIL_SPEC,
    OK_SPEC,
    api_key,
    new_workflow,
    run_now,
    workspace_of,
)

EMAIL = "olivia@acme.example"
OUTREACH = {
    "name": "Welcome new leads",
    "trigger": {"type": "manual"},
    "steps": [
        {
            "id": "mail",
            "action": "email.send",
            "inputs": {"to": "lead@customer.example", "subject": "Hi", "text": "Welcome"},
        }
    ],
}


@pytest.fixture
def settings(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> Settings:  # noqa: F811
    return make_settings(
        tmp_path, database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake_slack.url
    )


def bell_of(html: str) -> int:
    """The number on the header's bell (0 when it shows none)."""
    assert 'id="bell"' in html, "the header has no bell"
    found = re.search(r'<span class="bell-count" aria-hidden="true">(\d+)</span>', html)
    return int(found.group(1)) if found else 0


async def test_the_bell_shows_what_needs_you_and_links_to_the_fix(
    web: Web,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    client = await sign_up_client(web, email=EMAIL)
    assert bell_of((await client.get("/workflows")).text) == 0
    empty = await client.get("/notifications")
    assert "All clear" in empty.text

    workspace_id = await workspace_of(web, EMAIL)
    broken = await new_workflow(web, workspace_id, FAIL_SPEC)
    await run_now(web, broken)
    slack = await new_workflow(web, workspace_id, OK_SPEC)
    fake_slack.fail_next(1, error="invalid_auth")
    failed_post = await run_now(web, slack)
    await web.runtime.drain()
    waiting = await new_workflow(web, workspace_id, OUTREACH, approve=False)

    page = await client.get("/notifications")
    assert bell_of(page.text) == 3
    assert "“Welcome new leads” is waiting for approval" in page.text
    assert "“Ping the dead server” is failing" in page.text
    assert "“Post standup” cannot reach Slack" in page.text
    assert "the Slack bot token is invalid" in page.text
    assert 'href="/connections">Fix the connection' in page.text
    failure_link = re.search(r'href="(/runs/[^"]+)">See what went wrong', page.text)
    assert failure_link
    run_page = await client.get(failure_link.group(1), headers={"accept": "text/html"})
    assert run_page.status_code == 200 and "Ping the dead server" in run_page.text
    assert "pending_approval" not in page.text and "Traceback" not in page.text
    assert "http.request" not in page.text and "slack.post_message" not in page.text

    key = await api_key(web, workspace_id)
    async with httpx.AsyncClient(base_url=web.url) as api:
        answer = await api.get("/api/notifications", headers={"Authorization": f"Bearer {key}"})
        assert answer.status_code == 200, answer.text
        notices = answer.json()
    assert sorted(n["kind"] for n in notices) == ["approval", "connection", "failure"]
    approval = next(n for n in notices if n["kind"] == "approval")
    assert approval["link"].startswith("/approvals#approval-") and approval["needs_action"]
    assert waiting.name == "Welcome new leads"

    fixed = await run_now(web, slack)  # Slack answers again: the connection notice goes
    await web.runtime.drain()
    assert fixed.id != failed_post.id
    after = await client.get("/notifications")
    assert bell_of(after.text) == 2
    assert "“Post standup” works again" in after.text
    assert "cannot reach Slack" not in after.text
    await client.aclose()


async def test_a_viewer_is_not_asked_to_approve(web: Web) -> None:
    client = await sign_up_client(web, email=EMAIL)
    workspace_id = await workspace_of(web, EMAIL)
    await new_workflow(web, workspace_id, OUTREACH, approve=False)
    assert bell_of((await client.get("/workflows")).text) == 1
    key = await api_key(web, workspace_id)
    async with httpx.AsyncClient(
        base_url=web.url, headers={"Authorization": f"Bearer {key}"}
    ) as api:
        viewer_key = (await api.post("/api/keys", json={"name": "TV", "role": "viewer"})).json()
        answer = await api.get(
            "/api/notifications", headers={"Authorization": f"Bearer {viewer_key['key']}"}
        )
    assert answer.json() == []
    await client.aclose()
