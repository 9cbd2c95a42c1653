"""Outside data placed into Slack text cannot ping everyone or forge links; no unfurling."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.config import Settings
from storage.models import Role
from tests.bot.conftest import Live
from tests.conftest import make_settings
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401

SPEC = {
    "name": "Lead alert",
    "trigger": {"type": "manual"},
    "steps": [
        {
            "id": "post",
            "action": "slack.post_message",
            "inputs": {
                "channel": "#sales",
                "text": "<!here> New lead: {{ trigger.name }} ({{ trigger.note }})",
            },
        },
        {
            "id": "again",
            "action": "slack.post_message",
            "inputs": {"channel": "#sales", "text": "{{ trigger.name }}"},
        },
    ],
}


@pytest.fixture
def settings(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> Settings:  # noqa: F811
    return make_settings(
        tmp_path, database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake_slack.url
    )


async def test_outside_data_is_escaped_and_links_do_not_unfurl(
    live: Live,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    created = (await live.as_(Role.admin).post("/api/workflows", json={"spec": SPEC})).json()
    await live.as_(Role.owner).post(f"/api/approvals/{created['approval']['id']}/approve")
    payload = {"name": "<!channel> Dana & co", "note": "<https://evil.example|your bank>"}
    run = await live.as_().post(
        f"/api/workflows/{created['id']}/run", json={"payload": payload, "wait": True}
    )
    assert run.json()["status"] == "succeeded", run.text
    posts = fake_slack.calls("chat.postMessage")
    assert [p.args["text"] for p in posts] == [
        "<!here> New lead: &lt;!channel&gt; Dana &amp; co (&lt;https://evil.example|your bank&gt;)",
        "&lt;!channel&gt; Dana &amp; co",
    ]
    assert all(str(p.args["unfurl_links"]).lower() in ("false", "0") for p in posts)
    assert all(str(p.args["unfurl_media"]).lower() in ("false", "0") for p in posts)
