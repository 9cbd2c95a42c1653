"""`/levqor support <question>`: signed requests into the real Bolt app, answers read off the
fake Slack Web API and the response_url. The reply quotes the docs passage and where it comes
from; "Still need help?" opens a ticket with the question and the passages attached, due by the
plan's response time, and tells only the person who clicked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.slack import ids
from storage.models import SupportTicket
from tests.bot.api.test_billing_limits import on_plan
from tests.bot.slack.conftest import SlackLive, slack_settings, start_slack_live
from tests.bot.slack.harness import Responses, all_text, button_values
from tests.fakes.openai_server import ScriptedOpenAI, openai_server
from tests.fakes.slack_api import FakeSlack

__all__ = ["openai_server"]


async def test_support_quotes_the_docs_then_opens_a_ticket_due_by_the_plan(
    live_slack: SlackLive,
) -> None:
    live = live_slack
    await on_plan(live.runtime.sessions, live.workspace, "growth", status="active")
    response, key = await live.slack.command("support how do I restore a deleted workspace")
    assert response.status_code == 200 and response.text == ""
    reply = await live.slack.wait_response(key)
    assert reply["response_type"] == "ephemeral"
    shown = all_text(reply["blocks"])
    assert "*You asked:* how do I restore a deleted workspace" in shown
    assert "> " in shown and "restore" in shown.lower()
    assert "From the docs: data-lifecycle.md" in shown
    assert "/help?q=how+do+I+restore+a+deleted+workspace|Help>" in shown
    buttons = button_values(reply["blocks"])
    assert buttons[ids.SUPPORT_TICKET] == "how do I restore a deleted workspace"

    clicked = await live.slack.click(ids.SUPPORT_TICKET, buttons[ids.SUPPORT_TICKET])
    assert clicked.status_code == 200
    [told] = await live.slack.wait_for(
        "chat.postEphemeral", lambda c: "Ticket opened" in str(c.args.get("text"))
    )
    assert told.args["user"] == "UOWNER" and told.args["channel"] == "C0SALES"
    assert "Ticket opened: “how do I restore a deleted workspace”. We reply by" in told.args["text"]

    async with live.runtime.sessions() as session:
        [ticket] = (await session.exec(select(SupportTicket))).all()
    assert ticket.workspace_id == live.workspace.id and ticket.plan == "growth"
    assert ticket.due_at is not None and ticket.due_at - ticket.created_at == timedelta(hours=24)
    assert ticket.body == "Asked in Slack: how do I restore a deleted workspace"
    [turn] = ticket.conversation
    assert turn["via"] == "slack" and turn["asked"] == "how do I restore a deleted workspace"
    assert turn["shown"] and turn["shown"][0]["page"] == "data-lifecycle.md"


async def test_support_without_a_question_says_how_to_ask(live_slack: SlackLive) -> None:
    response, key = await live_slack.slack.command("support")
    assert response.status_code == 200
    reply = await live_slack.slack.wait_response(key)
    assert "`/levqor support how do I export my data`" in reply["text"]
    assert ids.SUPPORT_TICKET not in button_values(reply.get("blocks", []))


async def test_support_with_nothing_in_the_docs_still_offers_a_person(
    live_slack: SlackLive,
) -> None:
    _, key = await live_slack.slack.command("support zzyzx qwvx")
    reply = await live_slack.slack.wait_response(key)
    assert "Nothing in the docs matches that question." in all_text(reply["blocks"])
    assert button_values(reply["blocks"])[ids.SUPPORT_TICKET] == "zzyzx qwvx"


@pytest.fixture
async def live_slack_with_model(
    tmp_path: Path,
    database_url: str,
    fake_slack: FakeSlack,
    responses: Responses,
    openai_server: ScriptedOpenAI,
) -> AsyncIterator[SlackLive]:
    """Levqor with Slack and a (scripted) OpenAI-compatible model configured."""
    settings = slack_settings(
        tmp_path,
        database_url,
        fake_slack,
        OPENAI_API_KEY="sk-test",
        OPENAI_BASE_URL=openai_server.base_url,
        LEVQOR_STEP_TIMEOUT=0.5,
    )
    async for live in start_slack_live(settings, fake_slack, responses):
        yield live


async def test_with_a_model_the_answer_cites_the_docs_and_nonsense_is_ignored(
    live_slack_with_model: SlackLive, openai_server: ScriptedOpenAI
) -> None:
    live = live_slack_with_model
    openai_server.reply_json(
        {"answer": "An owner restores it from the Workspace page within 30 days.", "cited": [1]}
    )
    _, key = await live.slack.command("support how do I restore a deleted workspace")
    shown = all_text((await live.slack.wait_response(key))["blocks"])
    assert "An owner restores it from the Workspace page within 30 days." in shown
    assert "From the docs: data-lifecycle.md" in shown and "> " not in shown
    [asked] = openai_server.requests
    assert "how do I restore a deleted workspace" in asked.messages[-1]["content"]

    openai_server.reply("I am a teapot.")  # not the cited answer asked for: quote the docs
    _, key = await live.slack.command("support how do I restore a deleted workspace")
    shown = all_text((await live.slack.wait_response(key))["blocks"])
    assert "teapot" not in shown and "> " in shown
    assert "From the docs: data-lifecycle.md" in shown
