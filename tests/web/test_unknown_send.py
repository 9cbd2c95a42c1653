"""A send cut off by a crash is shown in words on the run page and in the API, never re-sent."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from accounts.keys import create_key
from storage.config import Settings
from storage.models import Workspace
from tests.conftest import make_settings
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401
from tests.web.conftest import Web
from tests.web.test_approvals_page import signed_up
from tests.workflows.test_leases import GREET, UNKNOWN_WORDS, half_sent


@pytest.fixture
def settings(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> Settings:  # noqa: F811
    return make_settings(
        tmp_path, database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake_slack.url,
        LEVQOR_LEASE_SECONDS=1,
    )  # fmt: skip


async def test_the_run_page_and_the_api_say_it_may_or_may_not_have_gone(
    web: Web,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    client, owner = await signed_up(web)
    async with web.runtime.sessions() as session:
        workspace = await session.get(Workspace, owner.workspace_id)
        assert workspace is not None
        key, _ = await create_key(session, workspace, owner.role, member=owner)
        await session.commit()
    run_id, _ = await half_sent(web.runtime.sessions, workspace, GREET, "greet", "", "slack")
    fake_slack.fail_history("missing_scope")  # the history cannot tell us
    await web.runtime.recover()
    await web.runtime.drain()

    page = (await client.get(f"/runs/{run_id}")).text
    assert "may have been sent" in page and UNKNOWN_WORDS in page
    async with httpx.AsyncClient(
        base_url=web.url, headers={"Authorization": f"Bearer {key}"}
    ) as api:
        run = (await api.get(f"/api/runs/{run_id}")).json()
    assert run["status"] == "failed" and UNKNOWN_WORDS in run["error"]
    [step] = run["steps"]
    assert step["status"] == "unknown" and UNKNOWN_WORDS in step["error"]
    assert fake_slack.messages("#ops") == []
    await client.aclose()
