"""Tickets nearing or past due alert the operator's Slack channel (a fake Slack Web API on
loopback), once per ticket and state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from accounts import support
from accounts.support_alerts import alert_due
from storage.config import Settings
from storage.models import Member, Workspace
from tests.accounts.seed import Sessions
from tests.conftest import make_settings
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack

__all__ = ["fake_slack"]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> Settings:
    return make_settings(
        tmp_path,
        database_url,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_API_URL=fake_slack.url,
        LEVQOR_SUPPORT_CHANNEL="#support",
    )


async def test_alerts_fire_when_due_is_near_and_again_when_overdue(
    settings: Settings, sessions: Sessions, workspace: Workspace, fake_slack: FakeSlack
) -> None:
    async with sessions() as session:
        member = Member(workspace_id=workspace.id, name="Kim", email="kim@acme.io")
        session.add(member)
        scale: Any = SimpleNamespace(id=workspace.id, plan="scale")  # due in 8 hours
        launch: Any = SimpleNamespace(id=workspace.id, plan="launch")  # best effort
        await support.open_ticket(session, scale, member, "Runs stuck", "help", now=T0)
        await support.open_ticket(session, launch, member, "Question", "hi", now=T0)
        await session.commit()
    async with httpx.AsyncClient() as http:
        assert await alert_due(settings, sessions, http, now=T0 + timedelta(hours=5)) == 0
        assert fake_slack.calls("chat.postMessage") == []
        near = T0 + timedelta(hours=6, minutes=30)
        assert await alert_due(settings, sessions, http, now=near) == 1
        assert await alert_due(settings, sessions, http, now=near + timedelta(minutes=5)) == 1
        posts = fake_slack.calls("chat.postMessage")
        assert len(posts) == 1  # the same state alerts once
        assert await alert_due(settings, sessions, http, now=T0 + timedelta(hours=9)) == 1
    posts = fake_slack.calls("chat.postMessage")
    texts = [str(p.args.get("text")) for p in posts]
    assert len(texts) == 2
    assert "“Runs stuck” from kim@acme.io is due soon (due 02 Mar 2026, 17:00 UTC)" in texts[0]
    assert "is overdue" in texts[1] and "Question" not in " ".join(texts)
    assert all(p.args.get("channel") for p in posts)
