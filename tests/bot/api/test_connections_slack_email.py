"""Slack (the existing OAuth install) and the instance's mail server on the Connections API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from integrations.credentials import store_credential
from storage.config import Settings
from storage.models import Credential, SlackInstallation
from tests.bot.conftest import Live
from tests.conftest import make_settings
from tests.fakes.slack_api import FakeSlack
from tests.fakes.smtp_inbox import Inbox, smtp_inbox

BOT_TOKEN = "xoxb-acme-installed-token"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(BOT_TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture
def mail() -> Iterator[tuple[Inbox, int]]:
    with smtp_inbox() as (inbox, port):
        yield inbox, port


@pytest.fixture
def settings(
    tmp_path: Path, database_url: str, slack: FakeSlack, mail: tuple[Inbox, int]
) -> Settings:
    return make_settings(
        tmp_path, database_url, SLACK_API_URL=slack.url, SMTP_URL=f"smtp://127.0.0.1:{mail[1]}"
    )


async def test_the_slack_install_shows_as_connected_tests_and_disconnects(
    live: Live, slack: FakeSlack
) -> None:
    owner = live.as_()
    before = {c["integration"]: c for c in (await owner.get("/api/connections")).json()}
    assert before["slack"]["status"] == "not_connected"
    assert "messages wait in the outbox" in before["slack"]["summary"]
    async with live.runtime.sessions() as session:
        session.add(
            SlackInstallation(workspace_id=live.workspace.id, team_id="T1", team_name="Acme HQ")
        )
        await store_credential(
            session, live.workspace.id, "slack", "bot_token", BOT_TOKEN,
            settings=live.runtime.settings,
        )  # fmt: skip
        await session.commit()
    listed = {c["integration"]: c for c in (await owner.get("/api/connections")).json()}
    assert listed["slack"]["status_text"] == "Connected"
    assert listed["slack"]["summary"] == "Installed in the Slack workspace Acme HQ"

    tested = (await owner.post("/api/connections/slack/test")).json()
    assert tested == {
        "ok": True,
        "message": "Slack answered: Levqor is in the Slack workspace Fake.",
        "connection": tested["connection"],
    }
    assert [c.method for c in slack.calls()] == ["auth.test"]
    assert BOT_TOKEN not in str(tested)

    assert (await owner.delete("/api/connections/slack")).status_code == 204
    async with live.runtime.sessions() as session:
        assert (await session.exec(select(SlackInstallation))).all() == []
        assert (await session.exec(select(Credential))).all() == []
    listed = {c["integration"]: c for c in (await owner.get("/api/connections")).json()}
    assert listed["slack"]["status"] == "not_connected"


async def test_the_instance_mail_server_sends_the_test_to_you(
    live: Live, mail: tuple[Inbox, int]
) -> None:
    inbox, _ = mail
    owner = live.as_()
    listed = {c["integration"]: c for c in (await owner.get("/api/connections")).json()}
    assert listed["email"]["status"] == "connected"
    assert listed["email"]["summary"] == "Uses this Levqor's mail server"
    tested = (await owner.post("/api/connections/email/test")).json()
    assert tested["ok"] is True and tested["message"] == "Sent a test email to owner@example.com."
    assert inbox.envelopes[-1].rcpt_tos == ["owner@example.com"]

    private = await owner.put(
        "/api/connections/email",
        json={"host": "10.1.2.3", "port": 25, "security": "none", "sender": "ops@acme.example"},
    )
    assert private.status_code == 400 and private.json()["error"]["message"] == (
        "10.1.2.3 is not a public mail server Levqor may reach; give your provider's server."
    )
    missing = await owner.put("/api/connections/email", json={"mode": "smtp"})
    assert missing.json()["error"]["message"] == (
        "Please fill in the mail server's name and the sender address."
    )
