"""A dead SMTP server: the reply step retries, the run fails naming the server, the mail waits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.config import Settings
from tests.bot.conftest import Live, live  # noqa: F401
from tests.conftest import make_settings
from tests.fakes.http_server import free_port
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401
from tests.workflows.e2e.test_auto_responder import SUPPORT, SmtpSink, approved_template
from workflows.triggers.email import webhook_secret, webhook_url
from workflows.triggers.inbound_signature import mailgun_fields

QUESTION = {
    "from": "Dana Lee <dana@example.com>",
    "to": SUPPORT,
    "subject": "Where is my order #1234?",
    "text": "Hi, my order #1234 has not arrived yet. Can you tell me where it is?",
    "message_id": "<order-1234@mail.example.com>",
}


@pytest.fixture
def smtp_port() -> int:
    return free_port()  # nothing listens here until the test starts a server on it


@pytest.fixture
def settings(
    tmp_path: Path,
    database_url: str,
    smtp_port: int,
    fake_slack: FakeSlack,  # noqa: F811
) -> Settings:
    return make_settings(
        tmp_path,
        database_url,
        SMTP_URL=f"smtp://127.0.0.1:{smtp_port}",
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_API_URL=fake_slack.url,
    )


@pytest.fixture
async def revived(smtp_port: int) -> AsyncIterator[SmtpSink]:
    """Call `start(smtp_port)` on it to bring the server back; closed after the test."""
    sink = SmtpSink()
    yield sink
    await sink.close()


async def test_dead_smtp_fails_the_run_clearly_and_keeps_the_reply_for_a_rerun(
    live: Live,  # noqa: F811
    settings: Settings,
    smtp_port: int,
    revived: SmtpSink,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    wf = await approved_template(live, "email-auto-responder", channel="#support")
    url = webhook_url(settings, live.workspace).split("://", 1)[1].split("/", 1)[1]
    accepted = await live.as_().post(
        f"/{url}", json={**QUESTION, **mailgun_fields(webhook_secret(settings, live.workspace))}
    )
    [run_id] = accepted.json()["run_ids"]
    run = await live.wait_for_run(run_id)

    server = f"SMTP server 127.0.0.1:{smtp_port} unreachable"
    assert run["status"] == "failed"
    assert run["error"].startswith("step reply (email.send) failed: ") and server in run["error"]
    reply = next(s for s in run["steps"] if s["step_id"] == "reply")
    assert reply["attempts"] == 3  # the step's retry policy: max_attempts 3
    retries = [e for e in run["events"] if e["kind"] == "step_retry"]
    assert [e["step_id"] for e in retries] == ["reply", "reply"]
    [alert] = await fake_slack.wait_for("chat.postMessage")  # the alert follows the failure
    assert alert.args["channel"] == "#alerts" and server in alert.args["text"]

    # The owners' failure notice could not go either (same dead server); Dana's reply waits.
    for _ in range(100):  # the notice follows the run's end
        kept = (await live.as_().get("/api/outbox", params={"channel": "email"})).json()
        notices = [m["subject"] for m in kept if m["target"] == "owner@example.com"]
        if notices:
            break
        await asyncio.sleep(0.05)
    assert notices == [f"“{wf['name']}” failed"]
    [waiting] = [m for m in kept if m["target"] == "dana@example.com"]
    assert waiting["status"] == "failed"
    assert waiting["subject"] == "Re: Where is my order #1234?"
    assert waiting["reason"].startswith(f"not delivered: {server}")
    assert "re-run" in waiting["reason"]

    await revived.start(smtp_port)  # the server is back: re-running the run delivers the reply
    rerun = await live.as_().post(
        f"/api/workflows/{wf['id']}/run", json={"payload": run["trigger_payload"], "wait": True}
    )
    assert rerun.json()["status"] == "succeeded", rerun.text
    # Dana gets the reply; the owners hear the workflow works again.
    assert revived.recipients() == ["dana@example.com", "owner@example.com"]
    message, recovered = revived.messages()
    assert message["In-Reply-To"] == "<order-1234@mail.example.com>"
    assert recovered["Subject"] == f"“{wf['name']}” works again"
    statuses = (await live.as_().get("/api/outbox", params={"channel": "email"})).json()
    to_dana = sorted(m["status"] for m in statuses if m["target"] == "dana@example.com")
    assert to_dana == ["failed", "sent"]
