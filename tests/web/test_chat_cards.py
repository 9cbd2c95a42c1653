"""Chat cards keep their current state after a reload, names reach the workflow meant, and offered
choices come back as chips (HTTP and the browser)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.async_api import Locator, Page, expect
from sqlmodel import col, select

from storage.models import Approval, Workflow, WorkflowStatus, WorkflowVersion
from tests.web.conftest import Web, screenshot, sign_up_in_browser
from tests.web.test_chat import card_of, open_chat, reply_text

EMAILED = "email me the weekly report every Monday at 9am"
POSTED = "post the weekly report to #team every Friday at 5pm"
INVOICES = "every day at 7am post the invoice summary to #finance"
LONDON = {"type": "schedule", "cron": "0 8 * * 5", "timezone": "Europe/London"}


async def workflow(web: Web, workflow_id: str) -> Workflow:
    """The workflow as stored."""
    async with web.runtime.sessions() as session:
        found = await session.get(Workflow, workflow_id)
    assert found is not None
    return found


async def triggers(web: Web, workflow_id: str) -> list[dict[str, Any]]:
    """The trigger of each stored version, oldest first."""
    async with web.runtime.sessions() as session:
        rows = await session.exec(
            select(WorkflowVersion)
            .where(WorkflowVersion.workflow_id == workflow_id)
            .order_by(col(WorkflowVersion.version))
        )
        return [v.spec["trigger"] for v in rows.all()]


def cards_in(html: str) -> dict[str, str]:
    """Each card's state on a rendered chat page, by approval id."""
    found = re.findall(r'data-approval-id="(\w+)"[^>]*?data-state="(\w+)"', html, re.S)
    return dict(found)


async def test_names_reach_the_workflow_meant_and_every_card_shows_its_state_after_a_reload(
    web: Web,
) -> None:
    chat = await open_chat(web)
    rejected = card_of(await chat.say(EMAILED))
    assert reply_text(await chat.decide(rejected, "reject")).startswith("Rejected: ")
    weekly = card_of(await chat.say(POSTED))
    invoices = card_of(await chat.say(INVOICES))

    answer = reply_text(await chat.say("approve the weekly report"))
    assert f"Approved: {weekly['workflow_name']} is active" in answer
    assert (await workflow(web, weekly["workflow_id"])).status == WorkflowStatus.active
    assert len(await triggers(web, rejected["workflow_id"])) == 1
    assert (await workflow(web, invoices["workflow_id"])).status == WorkflowStatus.pending_approval

    events = await chat.say("make the weekly report 8am London time")
    changed = card_of(events)
    assert changed["workflow_id"] == weekly["workflow_id"]
    assert changed["trigger"] == "every Friday at 08:00 (Europe/London)"
    assert (await triggers(web, weekly["workflow_id"]))[-1] == LONDON
    assert len(await triggers(web, invoices["workflow_id"])) == 1

    page = (await chat.client.get("/")).text
    assert cards_in(page) == {
        rejected["approval_id"]: "rejected",
        weekly["approval_id"]: "active",
        invoices["approval_id"]: "pending",
        changed["approval_id"]: "pending",
    }
    assert page.count('data-action="approve"') == 2  # only the two waiting cards
    refreshed = await chat.client.get("/chat/cards", params={"approval": [rejected["approval_id"]]})
    assert 'data-state="rejected"' in refreshed.json()["cards"][rejected["approval_id"]]

    shown = await chat.say("show me the weekly report")
    assert card_of(shown)["approval_id"] == changed["approval_id"]
    assert card_of(shown)["state"] == "pending"
    await chat.client.aclose()


async def test_a_name_that_only_matches_a_rejected_draft_offers_to_bring_it_back(web: Web) -> None:
    chat = await open_chat(web)
    rejected = card_of(await chat.say(EMAILED))
    await chat.decide(rejected, "reject")
    events = await chat.say("approve the monday one")
    assert "was rejected" in reply_text(events) and "card" not in [n for n, _ in events]
    [options] = [data["options"] for name, data in events if name == "choices"]
    assert options == [f"Bring back the rejected {rejected['workflow_name']}"]
    page = (await chat.client.get("/")).text
    assert f'data-ask="{options[0]}"' in page  # the offer survives a reload

    events = await chat.say(options[0])
    assert "was rejected; I'm reopening it" in reply_text(events)
    reopened = card_of(events)
    assert reopened["workflow_id"] == rejected["workflow_id"]
    assert reopened["approval_id"] != rejected["approval_id"]
    async with web.runtime.sessions() as session:
        approvals = (
            await session.exec(
                select(Approval).where(Approval.workflow_id == rejected["workflow_id"])
            )
        ).all()
    assert sorted(a.decision.value for a in approvals) == ["pending", "rejected"]
    await chat.client.aclose()


async def card(page: Page, name: str, nth: int = 0) -> Locator:
    """The chat card titled `name` (the nth of them, oldest first)."""
    return page.locator(".draft-card").filter(has=page.get_by_role("heading", name=name)).nth(nth)


async def say(page: Page, text: str, expected: str | re.Pattern[str]) -> None:
    """Type a message and wait for the reply to contain `expected`."""
    box = page.get_by_label("Message to Levqor")
    await box.fill(text)
    await box.press("Enter")
    log = page.get_by_role("log", name="Conversation")
    await expect(log.locator(".msg.user .bubble").last).to_have_text(text)
    await expect(log.locator(".msg.assistant .bubble").last).to_contain_text(expected)
    await expect(page.get_by_role("button", name="Send")).to_be_enabled()


async def test_in_the_browser_cards_keep_their_state_and_act_on_their_own_workflow(
    web: Web, page: Page, tmp_path: Path
) -> None:
    await sign_up_in_browser(page, web)
    log = page.get_by_role("log", name="Conversation")
    await say(page, EMAILED, "Sent for approval")
    first = log.locator(".draft-card").last
    rejected_id = await first.get_attribute("data-workflow-id")
    await first.get_by_role("button", name="Reject").click()
    await first.get_by_label(re.compile("Why reject it")).fill("not this one")
    await first.get_by_role("button", name="Reject workflow").click()
    await expect(log.locator(".msg.assistant .bubble").last).to_contain_text("Rejected: ")
    await expect(first.get_by_text("Rejected", exact=True)).to_be_visible()

    await say(page, POSTED, "Sent for approval")
    weekly_id = await log.locator(".draft-card").last.get_attribute("data-workflow-id")
    await say(page, INVOICES, "Sent for approval")
    invoices_id = await log.locator(".draft-card").last.get_attribute("data-workflow-id")
    assert rejected_id and weekly_id and invoices_id
    weekly_name = (await workflow(web, weekly_id)).name
    invoices_name = (await workflow(web, invoices_id)).name

    await say(page, "approve the weekly report", f"Approved: {weekly_name} is active")
    assert (await workflow(web, weekly_id)).status == WorkflowStatus.active
    assert (await workflow(web, rejected_id)).status == WorkflowStatus.draft
    assert len(await triggers(web, rejected_id)) == 1
    weekly_card = await card(page, weekly_name)
    await expect(weekly_card.get_by_text("Approved · active")).to_be_visible()  # without a reload

    await say(page, "make the weekly report 8am London time", "Sent for approval")
    assert (await triggers(web, weekly_id))[-1] == LONDON
    assert (await triggers(web, invoices_id)) == [
        {"type": "schedule", "cron": "0 7 * * *", "timezone": "UTC"}
    ]

    await page.reload()
    rejected_card = log.locator(f'.draft-card[data-workflow-id="{rejected_id}"]')
    await expect(rejected_card.get_by_text("Rejected", exact=True)).to_be_visible()
    await expect(rejected_card.get_by_text("Rejected by Olivia Owner")).to_contain_text(
        "not this one"
    )
    await expect(rejected_card.get_by_role("button", name="Approve")).to_have_count(0)
    await expect(rejected_card.get_by_role("button", name="Reopen")).to_be_visible()
    weekly_v1, weekly_v2 = await card(page, weekly_name, 0), await card(page, weekly_name, 1)
    await expect(weekly_v1.get_by_text("Approved · active")).to_be_visible()
    await expect(weekly_v1.get_by_role("button", name="Run now")).to_be_visible()
    await expect(weekly_v2.get_by_text("Waiting for approval")).to_be_visible()
    await expect(weekly_v2.locator(".draft-card-facts dd").first).to_contain_text(
        "every Friday at 08:00 (Europe/London)"
    )
    invoices_card = await card(page, invoices_name)
    await expect(invoices_card.get_by_role("button", name="Approve")).to_be_visible()
    await screenshot(page, "chat-cards", tmp_path, full_page=True)

    # A button on an older card acts on that card's workflow, not on the latest one.
    await invoices_card.get_by_role("button", name="Approve").click()
    await expect(log.locator(".msg.assistant .bubble").last).to_contain_text(
        f"Approved: {invoices_name} is active"
    )
    assert (await workflow(web, invoices_id)).status == WorkflowStatus.active
    assert (await workflow(web, weekly_id)).active_version == 1  # the newer card still waits
    await weekly_v2.get_by_role("button", name="Approve").click()
    await expect(weekly_v1.get_by_text("Replaced by a newer version")).to_be_visible()
    await weekly_v1.page.wait_for_timeout(0)
    assert (await workflow(web, weekly_id)).active_version == 2
    await (await card(page, invoices_name)).get_by_role("button", name="Pause").click()
    await expect(log.locator(".msg.assistant .bubble").last).to_contain_text(
        f"{invoices_name} is now paused."
    )
    assert (await workflow(web, weekly_id)).status == WorkflowStatus.active

    await page.reload()
    await expect(rejected_card.get_by_text("Rejected", exact=True)).to_be_visible()
    await expect(
        (await card(page, weekly_name, 0)).get_by_text("Replaced by a newer version")
    ).to_be_visible()
    await expect(
        (await card(page, weekly_name, 1)).get_by_text("Approved · active")
    ).to_be_visible()
    paused = await card(page, invoices_name)
    await expect(paused.get_by_text("Approved · paused")).to_be_visible()
    await expect(paused.get_by_role("button", name="Resume")).to_be_visible()
    await expect(log.locator('.draft-card [data-action="approve"]')).to_have_count(0)

    # An offered choice is a chip: clicking it sends its words.
    await say(page, "approve the monday one", "was rejected")
    chip = log.get_by_role("list", name="Choices").get_by_role("button")
    await expect(chip).to_have_text(re.compile("^Bring back the rejected "))
    said = await chip.text_content()
    await chip.click()
    await expect(log.locator(".msg.user .bubble").last).to_have_text(str(said))
    await expect(log.locator(".msg.assistant .bubble").last).to_contain_text("Sent for approval")
    await expect(log.locator(".msg.assistant .bubble").last).to_contain_text("I'm reopening it")
    assert len(await triggers(web, rejected_id)) == 2
