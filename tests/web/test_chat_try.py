"""The web chat's draft card in plain words, and Try it: the messages it would send, none sent."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect
from sqlmodel import select

from integrations.catalog import default_registry
from storage.config import Settings
from storage.models import CrmContact, OutboxMessage, Run
from tests.conftest import make_settings
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack
from tests.fakes.smtp_inbox import Inbox, smtp_inbox
from tests.web.conftest import Web, screenshot, sign_up_in_browser
from tests.web.test_chat import card_of, open_chat

__all__ = ["fake_slack"]

REQUEST = (
    "when someone fills in our website contact form, add them to the CRM, "
    "post the lead in #sales and email them a thank-you"
)


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with smtp_inbox() as running:
        yield running


@pytest.fixture
def settings(
    tmp_path: Path, database_url: str, inbox: tuple[Inbox, int], fake_slack: FakeSlack
) -> Settings:
    """Slack (the fake Web API) and SMTP (a loopback inbox) on: a real send would show there."""
    return make_settings(
        tmp_path,
        database_url,
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_API_URL=fake_slack.url,
        SMTP_URL=f"smtp://127.0.0.1:{inbox[1]}",
    )


async def nothing_was_sent(web: Web, fake: FakeSlack, inbox: Inbox) -> None:
    """No Slack call, no email, nothing in the outbox, no CRM write and no run recorded."""
    assert fake.calls() == [], [call.method for call in fake.calls()]
    assert inbox.envelopes == []
    async with web.runtime.sessions() as session:
        for table in (OutboxMessage, CrmContact, Run):
            assert (await session.exec(select(table))).all() == [], table.__name__


async def test_the_card_speaks_plain_words_and_try_it_shows_what_it_would_send(
    web: Web, page: Page, tmp_path: Path, fake_slack: FakeSlack, inbox: tuple[Inbox, int]
) -> None:
    await sign_up_in_browser(page, web)
    box = page.get_by_label("Message to Levqor")
    await box.fill(REQUEST)
    await box.press("Enter")
    log = page.get_by_role("log", name="Conversation")
    card = log.locator(".draft-card")
    await expect(card).to_be_visible()

    summary = card.locator(".draft-card-summary")
    await expect(summary).to_contain_text(
        "Levqor will add or update the person as a contact in your CRM"
    )
    steps = card.locator(".draft-card-steps > li")
    await expect(steps).to_have_count(3)
    await expect(steps.nth(1)).to_contain_text("to the person who filled in the form")
    await expect(steps.nth(2)).to_contain_text(
        "Post the new lead's name, company, email address and message in #sales"
    )
    sample = steps.nth(2).locator(".sample-message")
    await expect(sample.locator("figcaption")).to_have_text("It will post in #sales:")
    await expect(sample.locator("blockquote")).to_contain_text(
        "New form submission from Jane Doe (Doe Bakery, jane@example.com): Hi! Could you send"
    )  # written for the team, not the form's fields as key: value lines

    advanced = card.locator("details.draft-card-advanced")
    await expect(advanced.locator("pre")).to_be_hidden()
    visible = await card.evaluate(
        "c => { const d = c.querySelector('details'); const t = c.innerText;"
        " return d.open ? t : t.replace(d.innerText, '') }"
    )
    assert not [name for name in default_registry().names() if name in visible], visible
    assert "{{" not in visible and "member:" not in visible
    await advanced.locator("summary").click()
    await expect(advanced.locator("pre")).to_contain_text("slack.post_message")
    await advanced.locator("summary").click()

    await card.get_by_role("button", name="Try it").click()
    trial = card.locator(".trial")
    await expect(trial.locator(".trial-verdict")).to_have_text(
        "Every step would work. Nothing was sent: this was only a try."
    )
    await expect(trial).to_contain_text("Tried on a sample form submission from Jane Doe.")
    tried = trial.locator(".trial-step")
    await expect(tried).to_have_count(3)
    await expect(tried.nth(0)).to_contain_text("Would add a new contact.")
    await expect(tried.nth(1).locator("figcaption")).to_have_text(
        re.compile(r"^It would email the person who filled in the form \(jane@example\.com\):$")
    )
    await expect(tried.nth(2).locator("figcaption")).to_have_text("It would post in #sales:")
    await expect(tried.nth(2).locator("blockquote")).to_contain_text(
        "New form submission from Jane Doe (Doe Bakery, jane@example.com)"
    )
    await expect(card.get_by_role("button", name="Try again")).to_be_enabled()
    await trial.scroll_into_view_if_needed()
    await screenshot(page, "chat-try", tmp_path)
    await nothing_was_sent(web, fake_slack, inbox[0])


async def test_try_needs_csrf_and_a_draft_of_this_workspace(
    web: Web, fake_slack: FakeSlack, inbox: tuple[Inbox, int]
) -> None:
    chat = await open_chat(web)
    card = card_of(await chat.say(REQUEST))
    assert card["summary"].startswith(
        "When someone fills in our website contact form (sent in by your website or another app)"
    )
    assert card["next_runs"] == [] and len(card["step_cards"]) == 3
    assert card["step_cards"][2]["sample"]["headline"] == "It will post in #sales:"
    body = {"approval_id": card["approval_id"]}
    refused = await chat.client.post("/chat/try", json=body)
    assert refused.status_code == 403
    answer = await chat.client.post("/chat/try", json=body, headers={"X-CSRF-Token": chat.csrf})
    assert answer.status_code == 200, answer.text
    tried = answer.json()
    assert [s["outcome"] for s in tried["steps"]] == ["ok", "ok", "ok"]
    assert tried["steps"][2]["message"]["headline"] == "It would post in #sales:"
    assert "Nothing was sent" in tried["verdict"] and 'class="trial"' in tried["html"]

    other = await open_chat(web, email="sam@other.example")
    stranger = await other.client.post("/chat/try", json=body, headers={"X-CSRF-Token": other.csrf})
    assert stranger.status_code == 404 and stranger.json()["error"]["code"] == "not_found"
    await nothing_was_sent(web, fake_slack, inbox[0])
    await chat.client.aclose()
    await other.client.aclose()


async def test_a_card_says_what_the_draft_cannot_do_where_the_owner_reads_it(
    web: Web, page: Page
) -> None:
    await sign_up_in_browser(page, web)
    box = page.get_by_label("Message to Levqor")
    await box.fill("translate incoming whatsapp messages into english and post them in #support")
    await box.press("Enter")
    card = page.get_by_role("log", name="Conversation").locator(".draft-card")
    await expect(card.locator(".draft-card-summary")).to_contain_text(
        "Levqor has no translation step yet, so this draft does not translate"
    )
