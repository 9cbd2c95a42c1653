"""Slack triggers: a slash command, an @mention and a channel keyword each start their workflow
once, through signed requests into the real Bolt app (repeats and retries start nothing more)."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from sqlmodel import select

from integrations.catalog import default_registry
from storage.models import Run, RunStatus
from tests.bot.slack.conftest import SlackLive
from tests.bot.slack.harness import fixture
from tests.workflows.helpers import activate


def posting(name: str, trigger: dict[str, Any], channel: str, text: str) -> dict[str, Any]:
    return {
        "name": name,
        "trigger": trigger,
        "steps": [
            {
                "id": "post",
                "action": "slack.post_message",
                "inputs": {"channel": channel, "text": text},
            }
        ],
    }


async def slack_runs(live: SlackLive) -> list[Run]:
    await live.runtime.drain()
    async with live.runtime.sessions() as session:
        rows = await session.exec(select(Run).where(Run.trigger_type == "slack"))
        return list(rows.all())


async def slash(live: SlackLive, command: str, text: str, trigger_id: str) -> str:
    """POST a signed `/command text`; returns its response_url key."""
    form = fixture("slash_command") | {
        "command": command,
        "text": text,
        "user_id": "UOPER",
        "trigger_id": trigger_id,
    }
    key = f"cmd-{trigger_id}-{uuid.uuid4().hex[:8]}"
    form["response_url"] = live.slack.responses.url(key)
    response = await live.slack.send(urlencode(form).encode(), "application/x-www-form-urlencoded")
    assert response.status_code == 200
    return key


async def test_a_slash_command_starts_its_workflow_once(live_slack: SlackLive) -> None:
    live = live_slack
    await live.slack.warm()
    spec = posting(
        "Log leads", {"type": "slack", "command": "/lead"}, "#leads", "Lead: {{ trigger.text }}"
    )
    await activate(live.runtime.sessions, live.workspace, spec, default_registry())

    key = await slash(live, "/lead", "Jane Doe, jane@acme.com", "111.222.aaa")
    told = await live.slack.wait_response(key)
    assert told["text"] == "Started “Log leads”." and told["response_type"] == "ephemeral"
    [post] = await live.slack.wait_for("chat.postMessage", lambda c: c.args["channel"] == "#leads")
    assert post.args["text"] == "Lead: Jane Doe, jane@acme.com"

    again = await slash(live, "/lead", "Jane Doe, jane@acme.com", "111.222.aaa")  # same POST again
    assert "Already started “Log leads”" in (await live.slack.wait_response(again))["text"]
    [run] = await slack_runs(live)
    assert run.status == RunStatus.succeeded
    assert run.trigger_payload["command"] == "/lead" and run.trigger_payload["user"] == "UOPER"
    await live.slack.settle(0.2)
    assert len(live.slack.fake.calls("chat.postMessage")) == 1

    other = await slash(live, "/refund", "order 12", "333.444.bbb")
    said = (await live.slack.wait_response(other))["text"]
    assert said.startswith("No active automation listens for /refund yet.")
    assert len(await slack_runs(live)) == 1


async def test_a_mention_starts_its_workflow_instead_of_a_conversation(
    live_slack: SlackLive,
) -> None:
    live = live_slack
    await live.slack.warm()
    spec = posting(
        "Answer mentions",
        {"type": "slack", "mention": True, "channel": "C0SALES"},
        "{{ trigger.channel }}",
        "On it: {{ trigger.text }}",
    )
    await activate(live.runtime.sessions, live.workspace, spec, default_registry())

    assert (await live.slack.event("event_app_mention")).status_code == 200
    [post] = await live.slack.wait_for("chat.postMessage")
    assert post.args["channel"] == "C0SALES"
    assert post.args["text"] == "On it: every day at 8am post the sales summary to #sales"
    assert (await live.slack.event("event_app_mention", retry=1)).status_code == 200
    await live.slack.settle(0.3)
    assert len(live.slack.fake.calls("chat.postMessage")) == 1  # no assistant reply either
    assert len(await slack_runs(live)) == 1

    # A mention elsewhere is a conversation with the assistant, as before.
    await live.slack.event(
        "event_app_mention", event_id="Ev0MENTION2", inner={"channel": "C0OTHER", "ts": "18.1"}
    )
    replies = await live.slack.wait_for("chat.postMessage", count=2)
    assert replies[1].args["channel"] == "C0OTHER" and replies[1].args["thread_ts"] == "18.1"
    assert len(await slack_runs(live)) == 1


async def test_a_channel_message_with_the_keyword_starts_its_workflow_once(
    live_slack: SlackLive,
) -> None:
    live = live_slack
    await live.slack.warm()
    live.slack.fake.set_response(
        "conversations.info", {"ok": True, "channel": {"id": "C0HELP", "name": "help"}}
    )
    spec = posting(
        "Refund watch",
        {"type": "slack", "channel": "#help", "keyword": "refund"},
        "#mentions",
        "<@{{ trigger.user }}> in #{{ trigger.channel_name }}: {{ trigger.text }}",
    )
    await activate(live.runtime.sessions, live.workspace, spec, default_registry())

    assert (await live.slack.event("event_message_channel")).status_code == 200
    [post] = await live.slack.wait_for("chat.postMessage")
    assert post.args["channel"] == "#mentions"
    assert post.args["text"] == "<@UOPER> in #help: Acme asked for a Refund on order 1042"
    await live.slack.event("event_message_channel", retry=1)  # Slack retries the delivery

    # Without the word, from a bot (Levqor's own post included) or an edit: nothing starts.
    for event_id, inner in [
        ("Ev0C2", {"text": "all quiet today", "ts": "19.1"}),
        ("Ev0C3", {"bot_id": "BBOT", "ts": "19.2"}),
        ("Ev0C4", {"subtype": "message_changed", "ts": "19.3"}),
    ]:
        assert await live.slack.event("event_message_channel", event_id=event_id, inner=inner)
    await live.slack.settle(0.3)
    assert len(live.slack.fake.calls("chat.postMessage")) == 1
    [run] = await slack_runs(live)
    assert run.status == RunStatus.succeeded and run.trigger_payload["channel"] == "C0HELP"


async def test_a_keyword_message_in_another_channel_starts_nothing(live_slack: SlackLive) -> None:
    live = live_slack
    await live.slack.warm()
    live.slack.fake.set_response(
        "conversations.info", {"ok": True, "channel": {"id": "C0RANDOM", "name": "random"}}
    )
    spec = posting(
        "Refund watch",
        {"type": "slack", "channel": "#help", "keyword": "refund"},
        "#mentions",
        "{{ trigger.text }}",
    )
    await activate(live.runtime.sessions, live.workspace, spec, default_registry())
    await live.slack.event("event_message_channel", inner={"channel": "C0RANDOM"})
    await live.slack.settle(0.3)
    assert live.slack.fake.calls("chat.postMessage") == []
    assert await slack_runs(live) == []


async def test_a_reaction_on_a_message_starts_its_workflow_once(live_slack: SlackLive) -> None:
    """🔥 put on a message in #leads starts the workflow listening for it, with the message's
    text read back from the channel; another emoji, another channel, a reaction on a file and
    Slack's retry of the same event start nothing more."""
    live = live_slack
    await live.slack.warm()
    live.slack.fake.set_response(
        "conversations.info", {"ok": True, "channel": {"id": "C0LEADS", "name": "leads"}}
    )
    live.slack.fake.set_response(
        "conversations.history",
        {
            "ok": True,
            "messages": [
                {"ts": "1700000400.000500", "user": "UJANE", "text": "Acme wants 40 seats"}
            ],
        },
    )
    live.slack.fake.set_response(
        "users.info", {"ok": True, "user": {"name": "olivia", "profile": {"display_name": "Liv"}}}
    )
    spec = posting(
        "Hot leads",
        {"type": "slack", "reaction": "fire", "channel": "#leads"},
        "#sales",
        "{{ trigger.user_name }} (<@{{ trigger.user }}>) flagged <@{{ trigger.item_user }}>'s "
        "lead in #{{ trigger.channel_name }}: {{ trigger.text }}",
    )
    await activate(live.runtime.sessions, live.workspace, spec, default_registry())

    # (people of their own: names are remembered per user id, across tests in one process)
    liv, author = (f"U{uuid.uuid4().hex[:8].upper()}" for _ in range(2))
    who = {"user": liv, "item_user": author}
    assert (await live.slack.event("event_reaction_added", inner=who)).status_code == 200
    [post] = await live.slack.wait_for("chat.postMessage")
    assert post.args["channel"] == "#sales"
    assert post.args["text"] == (
        f"Liv (<@{liv}>) flagged <@{author}>'s lead in #leads: Acme wants 40 seats"
    )
    # who reacted and who wrote it are looked up by id, so a run's message can name them
    assert {liv, author} <= {c.args["user"] for c in live.slack.fake.calls("users.info")}
    [read] = live.slack.fake.calls("conversations.history")
    assert read.args["channel"] == "C0LEADS" and read.args["latest"] == "1700000400.000500"

    await live.slack.event("event_reaction_added", retry=1, inner=who)  # Slack retries it
    others: list[tuple[str, dict[str, Any]]] = [
        ("Ev0REACT2", {"reaction": "eyes"}),  # another emoji
        ("Ev0REACT3", {"item": {"type": "file", "file": "F0X"}}),  # not on a message
        ("Ev0REACT4", {"user": "UBOT"}),  # Levqor's own reaction (Bolt drops it)
    ]
    for event_id, inner in others:
        assert await live.slack.event("event_reaction_added", event_id=event_id, inner=inner)
    live.slack.fake.set_response(
        "conversations.info", {"ok": True, "channel": {"id": "C0RANDOM", "name": "random"}}
    )
    await live.slack.event(
        "event_reaction_added",
        event_id="Ev0REACT5",
        inner={"item": {"type": "message", "channel": "C0RANDOM", "ts": "1700000500.000100"}},
    )
    await live.slack.settle(0.3)
    assert len(live.slack.fake.calls("chat.postMessage")) == 1
    [run] = await slack_runs(live)
    assert run.status == RunStatus.succeeded
    assert run.trigger_payload["kind"] == "reaction" and run.trigger_payload["reaction"] == "fire"
    assert run.trigger_payload["ts"] == "1700000400.000500"

    # The same emoji under another of Slack's names, with a skin tone, is the same reaction.
    thumbs = posting(
        "Approved", {"type": "slack", "reaction": "thumbsup"}, "#ops", "ok: {{ trigger.text }}"
    )
    await activate(live.runtime.sessions, live.workspace, thumbs, default_registry())
    await live.slack.event(
        "event_reaction_added", event_id="Ev0REACT6", inner={"reaction": "+1::skin-tone-3"}
    )
    [_, second] = await live.slack.wait_for("chat.postMessage", count=2)
    assert second.args["channel"] == "#ops"
