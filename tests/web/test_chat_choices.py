"""A vague request: the drafter asks with options, the chat offers them as chips, a chip drafts.

The drafter is the LLM path, answered by the scripted OpenAI-compatible server on loopback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect

from agents.llm_catalogue import TOOL_NAME
from storage.config import Settings
from tests.conftest import make_settings
from tests.fakes.openai_server import ScriptedOpenAI, openai_server
from tests.web.conftest import Web, sign_up_in_browser
from tests.web.test_chat import card_of, open_chat, reply_text

__all__ = ["openai_server"]

OPTIONS = [
    "Post each new lead from your website form in #sales and add them to your CRM",
    "Email each new lead from your contact form a thank-you and save them to the CRM",
]
PLACEHOLDER: dict[str, Any] = {
    "name": "Help with leads",
    "trigger": {"type": "manual"},
    "steps": [{"id": "note", "action": "slack.post_message",
               "inputs": {"channel": "#sales", "text": "leads"}}],
}  # fmt: skip
LEADS: dict[str, Any] = {
    "name": "New leads to #sales",
    "trigger": {"type": "webhook"},
    "steps": [{"id": "post", "action": "slack.post_message",
               "inputs": {"channel": "#sales", "text": "New lead: {{ trigger.email }}"}}],
}  # fmt: skip


@pytest.fixture
def settings(tmp_path: Path, database_url: str, openai_server: ScriptedOpenAI) -> Settings:
    """The served app drafts with the scripted model."""
    return make_settings(
        tmp_path,
        database_url,
        OPENAI_API_KEY="sk-test",
        OPENAI_BASE_URL=openai_server.base_url,
        OPENAI_MODEL="test-model",
    )


def script(server: ScriptedOpenAI) -> None:
    """A clarify with options for the vague request, then a draft for the option picked."""
    question = "Which of these should I set up?"
    clarify = {"status": "clarify", "question": question, "suggestions": OPTIONS}
    server.reply_tool_calls([(TOOL_NAME, {**clarify, "workflow": PLACEHOLDER})])
    server.reply_tool_calls([(TOOL_NAME, {"status": "draft", "workflow": LEADS})])


async def test_clarify_options_arrive_as_a_choices_frame_and_stay_after_a_reload(
    web: Web, openai_server: ScriptedOpenAI
) -> None:
    script(openai_server)
    chat = await open_chat(web)
    events = await chat.say("help me with my leads")
    assert reply_text(events) == "Which of these should I set up?"
    assert [data for name, data in events if name == "choices"] == [{"options": OPTIONS}]
    assert "card" not in [name for name, _ in events]
    page = (await chat.client.get("/")).text
    assert all(f'data-ask="{option}"' in page for option in OPTIONS)

    events = await chat.say(OPTIONS[0])
    assert card_of(events)["workflow_name"] == "New leads to #sales"
    assert OPTIONS[0] in openai_server.requests[1].messages[-1]["content"]
    page = (await chat.client.get("/")).text
    assert 'class="chat-choices"' not in page  # answered: no open offer after the reload
    await chat.client.aclose()


async def test_in_the_browser_clicking_a_choice_sends_it(
    web: Web, page: Page, openai_server: ScriptedOpenAI
) -> None:
    script(openai_server)
    await sign_up_in_browser(page, web)
    box = page.get_by_label("Message to Levqor")
    await box.fill("help me with my leads")
    await box.press("Enter")
    log = page.get_by_role("log", name="Conversation")
    chips = log.get_by_role("list", name="Choices").get_by_role("button")
    await expect(chips).to_have_text(OPTIONS)
    await chips.first.click()
    await expect(log.locator(".msg.user .bubble")).to_have_text(
        ["help me with my leads", OPTIONS[0]]
    )
    await expect(log.locator(".draft-card")).to_be_visible()
    await expect(log.get_by_role("list", name="Choices")).to_be_hidden()
    assert OPTIONS[0] in openai_server.requests[1].messages[-1]["content"]
