"""`/levqor` subcommands answer through the response_url; unknown words get the usage line."""

from __future__ import annotations

from typing import Any

from integrations import connection_store
from integrations.catalog import default_registry
from storage.models import Workflow, WorkflowStatus
from tests.bot.slack.conftest import SlackLive
from tests.workflows.helpers import activate, new_run

SPEC: dict[str, Any] = {
    "name": "Morning hello",
    "trigger": {"type": "schedule", "cron": "0 8 * * *", "timezone": "Europe/London"},
    "steps": [
        {"id": "hi", "action": "slack.post_message", "inputs": {"channel": "#x", "text": "hi"}}
    ],
}


async def ask(live: SlackLive, text: str, user: str = "UOWNER") -> str:
    """Run `/levqor text` and return the reply text posted to its response_url."""
    response, key = await live.slack.command(text, user=user)
    assert response.status_code == 200 and response.text == ""
    reply = await live.slack.wait_response(key)
    assert reply["response_type"] == "ephemeral"
    return str(reply["text"]) + str(reply.get("blocks", ""))


async def test_unknown_or_empty_gets_usage(live_slack: SlackLive) -> None:
    for text in ("", "frobnicate"):
        response, _ = await live_slack.slack.command(text)
        assert response.status_code == 200 and response.text.startswith("Usage: `/levqor")


async def test_read_subcommands(live_slack: SlackLive) -> None:
    live = live_slack
    assert "turns plain words into automations" in await ask(live, "help")
    assert "No workflows yet" in await ask(live, "list")
    await live.slack.warm()
    workflow = await activate(live.runtime.sessions, live.workspace, SPEC, default_registry())
    assert "Morning hello" in await ask(live, "list")
    status = await ask(live, "status")
    assert "Active workflows: *1*" in status and "Pending approvals: *0*" in status
    assert "Weekly" in await ask(live, "templates reporting")
    assert "Unknown category" in await ask(live, "templates gardening")
    assert "Nothing waits for approval" in await ask(live, "approvals")
    assert "No runs yet" in await ask(live, f"runs {workflow.name}")
    assert "no workflow called" in await ask(live, "runs nothing-like-this")


async def test_pause_and_resume(live_slack: SlackLive) -> None:
    live = live_slack
    await live.slack.warm()
    workflow = await activate(live.runtime.sessions, live.workspace, SPEC, default_registry())
    assert "is now paused" in await ask(live, "pause morning hello", user="UOPER")
    async with live.runtime.sessions() as session:
        found = await session.get(Workflow, workflow.id)
        assert found is not None and found.status == WorkflowStatus.paused
    assert "viewers cannot" in await ask(live, f"resume {workflow.id[:8]}", user="UVIEW")
    assert "is now active" in await ask(live, f"resume {workflow.id[:8]}", user="UOPER")
    assert "cannot resume" in await ask(live, f"resume {workflow.id[:8]}", user="UOPER")
    [entry] = await live.audit("workflow.paused")
    assert entry.actor is not None and entry.actor.endswith("(operator)")


async def test_connections_lists_what_is_connected_in_words(live_slack: SlackLive) -> None:
    live = live_slack
    before = await ask(live, "connections")
    assert ":white_circle: *Stripe*: Not connected" in before
    assert "/connections|Connect, test or disconnect on the Connections page>" in before
    async with live.runtime.sessions() as session:
        await connection_store.save(
            session, live.workspace, "stripe", {"api_key": "rk_live_slack_check_7777"},
            live.runtime.settings,
        )  # fmt: skip
        await session.commit()
    after = await ask(live, "connections")
    assert ":white_check_mark: *Stripe*: Connected — Uses the key ending 7777" in after
    assert "rk_live_slack_check_7777" not in after
    assert "`/levqor connections`" in await ask(live, "help")


async def test_runs_say_which_messages_were_kept_instead_of_sent(live_slack: SlackLive) -> None:
    live = live_slack
    await live.slack.warm()
    spec = {
        "name": "Tell and mail",
        "trigger": {"type": "manual"},
        "steps": [
            {
                "id": "tell",
                "action": "slack.post_message",
                "inputs": {"channel": "#x", "text": "a"},
            },
            {
                "id": "mail",
                "action": "email.send",
                "inputs": {"to": "jane@customer.example", "subject": "Hi", "text": "Hello"},
            },
        ],
    }
    workflow = await activate(live.runtime.sessions, live.workspace, spec, default_registry())
    started = await new_run(live.runtime.sessions, workflow)
    task = live.runtime.submit(started.run.id)  # Slack is connected here; email (SMTP) is not
    assert task is not None
    await task
    said = await ask(live, "runs tell and mail")
    assert "succeeded" in said
    assert "1 message was not sent: kept until email sending (SMTP) is connected." in said
