"""A served Levqor with Slack on (one bot token, the `default` workspace) and the fake Web API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from accounts.workspaces import add_member, ensure_default
from bot.app import create_app
from storage.config import Settings
from storage.models import AuditLog, Role, Workspace
from tests.bot.conftest import serve
from tests.bot.slack.harness import SIGNING_SECRET, Responses, SlackClient
from tests.conftest import make_settings
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack
from workflows.runtime import Runtime

__all__ = ["fake_slack"]

_responses: Responses | None = None


@pytest.fixture(scope="session")
def responses() -> Iterator[Responses]:
    """One response_url recorder for the test session."""
    global _responses
    if _responses is None:
        _responses = Responses()
    yield _responses


def slack_settings(tmp_path: Path, database_url: str, fake: FakeSlack, **extra: Any) -> Settings:
    """Test settings with Slack on: bot token, signing secret, the fake API, one owner id."""
    values: dict[str, Any] = {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.url,
        "SLACK_OWNER_IDS": "UOWNER",
        "LEVQOR_PUBLIC_URL": "https://levqor.example",
    }
    return make_settings(tmp_path, database_url, **(values | extra))


@dataclass
class SlackLive:
    """The served app, its runtime, the default workspace, and a Slack-speaking client."""

    slack: SlackClient
    runtime: Runtime
    workspace: Workspace

    async def audit(self, action: str) -> list[AuditLog]:
        """Audit rows with this action."""
        async with self.runtime.sessions() as session:
            rows = await session.exec(select(AuditLog).where(AuditLog.action == action))
            return list(rows.all())


async def start_slack_live(
    settings: Settings, fake: FakeSlack, responses: Responses
) -> AsyncIterator[SlackLive]:
    """Run the app on loopback; the `default` workspace has an admin (UADMIN) and a viewer."""
    runtime = await Runtime(settings).start()
    async with runtime.sessions() as session:
        workspace = await ensure_default(session)
        workspace.alert_channel = "#alerts"
        await add_member(session, workspace, "Adam Admin", Role.admin, slack_user_id="UADMIN")
        await add_member(session, workspace, "Vera Viewer", Role.viewer, slack_user_id="UVIEW")
        await session.commit()
    server, task, url = await serve(create_app(settings, runtime))
    async with httpx.AsyncClient(timeout=30) as http:
        try:
            yield SlackLive(SlackClient(url, fake, responses, http), runtime, workspace)
        finally:
            server.should_exit = True
            await task
            await runtime.drain()
            await runtime.close()


@pytest.fixture
async def live_slack(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack, responses: Responses
) -> AsyncIterator[SlackLive]:
    """Levqor with Slack in single-token mode, served on loopback."""
    settings = slack_settings(tmp_path, database_url, fake_slack)
    async for live in start_slack_live(settings, fake_slack, responses):
        yield live
