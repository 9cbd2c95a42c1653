"""The chat quickstart: streamed replies (server-sent events), approval cards, and the browser."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect
from sqlmodel import select

from agents.assistant import Assistant
from storage.models import (
    Approval,
    ApprovalLink,
    Decision,
    WebLogin,
    Workflow,
    WorkflowStatus,
)
from tests.web.conftest import Web, csrf_of, screenshot, sign_up_client, sign_up_in_browser
from workflows.live import LiveEvent

REQUEST = "every Monday at 9am send me the weekly report by email"
CLASS_C = (
    "delete every lead in the CRM that has been inactive for 6 months, "
    "run it every sunday at midnight"
)
Event = tuple[str, dict[str, Any]]
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}
CROSS_SITE = {"Sec-Fetch-Site": "cross-site"}


def parse_events(body: str) -> list[Event]:
    """The SSE frames of a response body: (event name, JSON data), comments skipped."""
    events: list[Event] = []
    for block in body.split("\n\n"):
        name, data = "message", []
        for line in block.splitlines():
            field, _, value = line.partition(":")
            if field == "event":
                name = value.strip()
            elif field == "data":
                data.append(value.removeprefix(" "))
        if data:
            events.append((name, json.loads("\n".join(data))))
    return events


def reply_text(events: list[Event]) -> str:
    """The reply the tokens spell."""
    return "".join(data["text"] for name, data in events if name == "token")


class Chat:
    """A signed-in HTTP client on the chat page: its CSRF token and conversation."""

    def __init__(self, client: httpx.AsyncClient, html: str) -> None:
        self.client = client
        self.csrf = csrf_of(html)
        found = re.search(r'data-conversation="([a-f0-9]+)"', html)
        assert found, "chat page has no conversation"
        self.conversation = found.group(1)

    async def post(self, path: str, body: dict[str, Any], **headers: str) -> httpx.Response:
        """POST JSON with the CSRF header (unless headers override it)."""
        sent = {"X-CSRF-Token": self.csrf, "Accept": "text/event-stream", **headers}
        return await self.client.post(path, json=body, headers=sent)

    async def say(self, text: str) -> list[Event]:
        """Send a message; the reply's events (the response must be a 200 event stream)."""
        response = await self.post(
            "/chat/messages", {"conversation": self.conversation, "text": text}
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/event-stream")
        return parse_events(response.text)

    async def decide(self, card: dict[str, Any], decision: str, **extra: Any) -> list[Event]:
        """Click Approve or Reject on a card."""
        body = {"conversation": self.conversation, "approval_id": card["approval_id"]}
        response = await self.post("/chat/approvals", {**body, "decision": decision, **extra})
        assert response.status_code == 200, response.text
        return parse_events(response.text)


async def open_chat(web: Web, email: str = "olivia@acme.example") -> Chat:
    """Sign up and open the chat page."""
    client = await sign_up_client(web, email=email)
    page = await client.get("/")
    assert page.status_code == 200
    return Chat(client, page.text)


def card_of(events: list[Event]) -> dict[str, Any]:
    """The one card event's data."""
    cards = [data for name, data in events if name == "card"]
    assert len(cards) == 1, events
    return cards[0]


async def workspace_of(web: Web, email: str = "olivia@acme.example") -> str:
    """The workspace id of the person who signed up with `email`."""
    async with web.runtime.sessions() as session:
        login = (await session.exec(select(WebLogin).where(WebLogin.email == email))).one()
    return login.workspace_id


async def workflow_row(web: Web, workflow_id: str) -> Workflow:
    """The workflow as stored."""
    async with web.runtime.sessions() as session:
        workflow = await session.get(Workflow, workflow_id)
    assert workflow is not None
    return workflow


async def test_a_request_streams_its_draft_then_the_approval_card_and_approve_activates_it(
    web: Web,
) -> None:
    chat = await open_chat(web)
    seen: list[LiveEvent] = []
    async with web.runtime.live.subscribe(await workspace_of(web)) as queue:
        events = await chat.say(REQUEST)
        assert events[0] == ("status", {"state": "thinking"})
        assert [name for name, _ in events][-1] == "done"
        assert "error" not in [name for name, _ in events]
        tokens = [data["text"] for name, data in events if name == "token"]
        assert len(tokens) > 10, "the reply arrives in word-sized chunks"
        text = reply_text(events)
        assert text.startswith("Draft: ") and "every Monday at 09:00 (UTC)" in text
        assert "Sent for approval" in text and 'Say "looks good"' not in text
        card = card_of(events)
        assert card["approval_class"] == "A" and card["trigger"] == "every Monday at 09:00 (UTC)"
        assert "Email you the report" in card["steps"]
        assert 'data-action="approve"' in card["html"] and "Class A" in card["html"]
        assert f'href="/workflows/{card["workflow_id"]}/edit"' in card["html"]
        workflow = await workflow_row(web, card["workflow_id"])
        assert workflow.status == WorkflowStatus.pending_approval

        answer = await chat.decide(card, "approve")
        assert re.search(r"Approved: .+ is active", reply_text(answer)), answer
        assert "card" not in [name for name, _ in answer]
        assert (await workflow_row(web, card["workflow_id"])).status == WorkflowStatus.active
        while not queue.empty():
            seen.append(queue.get_nowait())
    kinds = [(event.kind, event.workflow_id) for event in seen]
    assert ("approval.pending", card["workflow_id"]) in kinds
    assert ("approval.decided", card["workflow_id"]) in kinds

    again = await chat.client.get("/")  # the conversation survives a reload
    assert REQUEST in again.text and "Approved:" in again.text and "Sent for approval" in again.text
    assert 'data-action="approve"' not in again.text  # nothing waits any more
    await chat.client.aclose()


async def test_reject_with_a_reason_and_a_lone_owners_class_c_is_not_approved_in_the_chat(
    web: Web,
) -> None:
    chat = await open_chat(web)
    card = card_of(await chat.say(REQUEST))
    flagged = card_of(await chat.say(CLASS_C))  # a second request while the first card waits
    assert flagged["approval_class"] == "C" and flagged["needs_confirmation"] is True
    assert flagged["workflow_id"] != card["workflow_id"]
    assert 'data-role="typed-name"' in flagged["html"] and "Type its name" in flagged["html"]

    answer = await chat.decide(card, "reject", reason="send it to #ops instead")
    assert reply_text(answer).startswith("Rejected: ")
    async with web.runtime.sessions() as session:
        approval = await session.get(Approval, card["approval_id"])
    assert approval is not None and approval.decision == Decision.rejected
    assert approval.reason == "send it to #ops instead"

    # Her own class C, as the only owner: ticking the box is not enough; the approvals page asks
    # for its name and emails her a link (tests/web/test_approval_confirmation.py).
    for confirm in (False, True):
        refused = await chat.decide(flagged, "approve", confirm=confirm)
        assert "type its name" in reply_text(refused) and "still pending" in reply_text(refused)
        assert f"{web.settings.public_url}/approvals" in reply_text(refused)
        assert card_of(refused)["approval_id"] == flagged["approval_id"]
    # Typing the name in the card is not the end either: the emailed link is the Approvals
    # page's, and the chat issues none.
    named = await chat.decide(flagged, "approve", typed_name=flagged["workflow_name"])
    assert "link we email you" in reply_text(named) and "still pending" in reply_text(named)
    async with web.runtime.sessions() as session:
        assert (await session.exec(select(ApprovalLink))).all() == []
    assert (await workflow_row(web, flagged["workflow_id"])).status != WorkflowStatus.active
    await chat.client.aclose()


async def test_the_stream_opens_with_a_status_frame_before_the_reply_is_ready(web: Web) -> None:
    chat = await open_chat(web)
    body = {"conversation": chat.conversation, "text": REQUEST}
    headers = {"X-CSRF-Token": chat.csrf}
    async with chat.client.stream("POST", "/chat/messages", json=body, headers=headers) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        chunks = response.aiter_text()
        first = await anext(chunks)
        assert "event: status" in first and "event: done" not in first
        rest = "".join([chunk async for chunk in chunks])
    names = [name for name, _ in parse_events(first + rest)]
    assert names[0] == "status" and "token" in names and names[-1] == "done"
    await chat.client.aclose()


async def test_empty_or_unreadable_messages_arrive_as_error_events(web: Web) -> None:
    chat = await open_chat(web)
    for body in ({"conversation": chat.conversation, "text": "   "}, {"text": "hi"}):
        response = await chat.post("/chat/messages", body)
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("text/event-stream")
        events = parse_events(response.text)
        assert events[0][0] == "error" and events[0][1]["message"], events
        assert "token" not in [name for name, _ in events]
    empty = await chat.post("/chat/messages", {"conversation": chat.conversation, "text": ""})
    assert "Type what you would like" in parse_events(empty.text)[0][1]["message"]
    await chat.client.aclose()


async def test_csrf_is_required_and_visitors_are_sent_to_sign_in(web: Web) -> None:
    chat = await open_chat(web)
    body = {"conversation": chat.conversation, "text": REQUEST}
    refused = await chat.client.post("/chat/messages", json=body)
    assert refused.status_code == 403
    forged = await chat.post("/chat/messages", body, **{"X-CSRF-Token": "forged"})
    assert forged.status_code == 403
    async with web.runtime.sessions() as session:
        assert (await session.exec(select(Workflow))).first() is None
    await chat.client.aclose()

    visitor = web.client()
    page = await visitor.get("/")
    assert page.status_code == 303 and page.headers["location"].startswith("/signin?next=/")
    token = csrf_of((await visitor.get("/signin")).text)  # a valid pre-sign-in token
    answer = await visitor.post("/chat/messages", json=body, headers={"X-CSRF-Token": token})
    assert answer.status_code == 401
    await visitor.aclose()


async def test_chips_come_from_templates_and_new_chat_starts_another_conversation(
    web: Web,
) -> None:
    chat = await open_chat(web)
    page = (await chat.client.get("/")).text
    asks = re.findall(r'data-ask="(Use the [^"]+ template)"', page)
    assert 4 <= len(asks) <= 6
    events = await chat.say(asks[0].replace("&#39;", "'"))
    assert card_of(events)["workflow_name"]
    fresh = await chat.client.post("/chat/new", data={"csrf_token": chat.csrf})
    assert fresh.status_code == 303
    page = (await chat.client.get("/")).text
    assert Chat(chat.client, page).conversation != chat.conversation
    assert 'id="chat-empty"' in page and "bubble" not in page
    await chat.client.aclose()


async def test_an_ask_link_opens_a_new_conversation_and_only_sends_itself_from_levqor(
    web: Web,
) -> None:
    chat = await open_chat(web)
    await chat.say(REQUEST)
    ours = await chat.client.get("/", params={"ask": "weekly leads"}, headers=SAME_ORIGIN)
    assert 'data-ask="weekly leads" data-send-ask' in ours.text
    assert Chat(chat.client, ours.text).conversation != chat.conversation
    assert REQUEST not in ours.text
    theirs = await chat.client.get("/", params={"ask": "yes"}, headers=CROSS_SITE)
    assert 'data-ask="yes"' in theirs.text and "data-send-ask" not in theirs.text
    await chat.client.aclose()


async def test_when_the_assistant_fails_the_stream_ends_with_an_error_event(
    web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = await open_chat(web)

    async def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("model unavailable")

    monkeypatch.setattr(Assistant, "send", broken)
    events = await chat.say(REQUEST)
    names = [name for name, _ in events]
    assert names == ["status", "error", "done"], events
    assert (
        "try again" in events[1][1]["message"]
        and "model unavailable" not in events[1][1]["message"]
    )
    await chat.client.aclose()


async def test_in_the_browser_a_request_becomes_an_active_workflow(
    web: Web, page: Page, tmp_path: Path
) -> None:
    await sign_up_in_browser(page, web)
    await expect(
        page.get_by_role("heading", name=re.compile("what should Levqor do"))
    ).to_be_visible()
    box = page.get_by_label("Message to Levqor")
    await box.fill(REQUEST)
    await box.press("Enter")
    log = page.get_by_role("log", name="Conversation")
    await expect(log.locator(".msg.user .bubble")).to_have_text(REQUEST)
    await expect(log.locator(".msg.assistant .bubble").first).to_contain_text("Draft: ")
    card = log.locator(".draft-card")
    await expect(card).to_be_visible()
    await expect(card.locator(".draft-card-summary")).to_contain_text("Every Monday at 09:00 (UTC)")
    await expect(card.get_by_role("link", name="Edit")).to_have_attribute(
        "href", re.compile(r"^/workflows/[a-f0-9]+/edit$")
    )
    await expect(box).to_have_value("")
    await screenshot(page, "chat", tmp_path)

    workflow_id = await card.get_attribute("data-workflow-id")
    assert workflow_id
    await card.get_by_role("button", name="Approve").click()
    await expect(log.locator(".msg.assistant .bubble").last).to_contain_text(
        re.compile(r"Approved: .+ is active")
    )
    await expect(card.get_by_role("button", name="Approve")).to_be_hidden()
    assert (await workflow_row(web, workflow_id)).status == WorkflowStatus.active

    await expect(log.locator(".msg.user .bubble")).to_have_text([REQUEST, "Approve"])
    await page.reload()  # the conversation is still there
    await expect(log.locator(".msg.user .bubble")).to_have_text([REQUEST, "Approve"])
    await expect(log.locator(".msg.assistant .bubble").last).to_contain_text("Approved:")

    await page.set_viewport_size({"width": 375, "height": 800})
    await box.fill(CLASS_C)
    await page.get_by_role("button", name="Send").click()
    flagged = log.locator(".draft-card")
    await expect(flagged.get_by_text("Class C", exact=True)).to_be_visible()
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the chat scrolls sideways at phone width ({width}px)"
    await screenshot(page, "chat-phone", tmp_path)
    await flagged.get_by_role("button", name="Approve").click()
    await expect(flagged.get_by_role("status")).to_contain_text("Type the workflow's name")
    name = (await flagged.locator(".typed-name strong").inner_text()).strip()
    await flagged.get_by_label(re.compile("Type its name to approve it")).fill(name)
    await flagged.get_by_role("button", name="Approve").click()
    last = log.locator(".msg.assistant .bubble").last
    await expect(last).to_contain_text("link we email you")  # her own class C, as lone owner
    await expect(last).to_contain_text("Do that on the Approvals page")


# Holds the end of each /chat/messages reply stream until the test calls window.releaseReply():
# every event still arrives as the server sends it, only the stream's close waits.
HOLD_REPLY_END = """
() => {
  const real = window.fetch.bind(window);
  let release;
  const released = new Promise((resolve) => { release = resolve; });
  window.releaseReply = release;
  window.fetch = async (url, options) => {
    const response = await real(url, options);
    if (!String(url).endsWith("/chat/messages")) return response;
    const reader = response.body.getReader();
    const body = new ReadableStream({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (!done) { controller.enqueue(value); return; }
        await released;
        controller.close();
      },
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
}
"""


async def test_in_the_browser_approve_pressed_while_the_reply_streams_waits_then_decides(
    web: Web, page: Page
) -> None:
    """Approve pressed while the reply that brought the card was still streaming used to be
    dropped: no message, nothing decided. It now waits for the reply's end, then decides."""
    await sign_up_in_browser(page, web)
    await page.evaluate(HOLD_REPLY_END)
    box = page.get_by_label("Message to Levqor")
    await box.fill(REQUEST)
    await box.press("Enter")
    log = page.get_by_role("log", name="Conversation")
    card = log.locator(".draft-card")
    await expect(card).to_be_visible()
    await expect(page.get_by_role("button", name="Send")).to_have_text("Sending…")  # still busy
    await card.get_by_role("button", name="Approve").click()
    await expect(card.get_by_role("status")).to_have_text("Waiting for the reply to finish…")
    workflow_id = await card.get_attribute("data-workflow-id")
    assert workflow_id
    assert (await workflow_row(web, workflow_id)).status == WorkflowStatus.pending_approval
    await page.evaluate("window.releaseReply()")
    await expect(log.locator(".msg.assistant .bubble").last).to_contain_text(
        re.compile(r"Approved: .+ is active")
    )
    assert (await workflow_row(web, workflow_id)).status == WorkflowStatus.active
    # decided, the card says who approved it, and keeps no "who can approve" or Try it caption
    await expect(card).to_contain_text("Approved by")
    await expect(card.get_by_text("Who can approve")).to_have_count(0)
    await expect(card.get_by_text("Runs it once on sample data")).to_be_hidden()


async def test_in_the_browser_a_chip_or_an_ask_link_sends_the_request_and_errors_keep_the_text(
    web: Web, page: Page, tmp_path: Path
) -> None:
    await sign_up_in_browser(page, web)
    log = page.get_by_role("log", name="Conversation")
    chips = page.get_by_role("list", name="Suggestions").get_by_role("button")
    await expect(chips).to_have_count(6)
    await screenshot(page, "chat-empty", tmp_path)
    chip = chips.first
    await chip.click()
    await expect(log.locator(".msg.user .bubble")).to_have_text(
        re.compile(r"^Use the .+ template$")
    )
    await expect(log.locator(".draft-card")).to_be_visible()

    await page.goto(
        f"{web.url}/?ask=every%20weekday%20at%208am%20post%20new%20leads%20to%20%23sales"
    )
    await expect(page).to_have_url(f"{web.url}/")
    await expect(log.locator(".msg.user .bubble").last).to_have_text(
        "every weekday at 8am post new leads to #sales"
    )
    await expect(log.locator(".msg.assistant .bubble").last).to_contain_text("Sent for approval")

    await expect(page.get_by_role("button", name="Send")).to_be_enabled()  # the reply is done
    await page.context.route("**/chat/messages", lambda route: route.abort())
    box = page.get_by_label("Message to Levqor")
    await box.fill("every Friday at 5pm post the weekly summary to #team")
    await box.press("Enter")
    await expect(page.get_by_role("alert")).to_contain_text("could not be reached")
    await expect(box).to_have_value("every Friday at 5pm post the weekly summary to #team")


async def test_a_draft_the_risk_model_flags_shows_the_owners_check_on_its_card(web: Web) -> None:
    chat = await open_chat(web)
    flagged = card_of(
        await chat.say(
            "when a customer churns in chargebee, zero out their account credit in chargebee "
            "and email them"
        )
    )
    assert flagged["approval_class"] == "C"
    html = flagged["html"]
    assert "An owner checks this one before it runs" in html and "could move money" in html
    assert "needs an owner&#39;s explicit yes" in html or "needs an owner's explicit yes" in html
    assert "deletes data, bills" not in html  # the steps do neither: the card does not say so
    await chat.client.aclose()
