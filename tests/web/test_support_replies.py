"""The operator answers a ticket from `/admin/support` (or `levqor support reply ID "text"`): the
customer gets the reply by email (a real SMTP server on loopback) and reads it in the ticket's
thread on the Help page; the ticket leaves the open queue."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect
from sqlmodel import select

from accounts import support
from accounts.workspaces import ensure_default
from storage.config import Settings
from storage.db import create_engine, session_factory
from storage.models import AuditLog, Member, Role, SupportTicket
from tests.bot.test_cli import env, levqor
from tests.conftest import make_settings
from tests.fakes.smtp_inbox import Inbox, smtp_inbox
from tests.web.conftest import Web, csrf_of, page_csrf, sign_up_client, sign_up_in_browser

__all__ = ["env"]
OPERATOR = "ops@levqor.example"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with smtp_inbox() as served:
        yield served


@pytest.fixture
def settings(tmp_path: Path, database_url: str, inbox: tuple[Inbox, int]) -> Settings:
    return make_settings(
        tmp_path,
        database_url,
        LEVQOR_ADMIN_EMAILS=OPERATOR,
        SMTP_URL=f"smtp://127.0.0.1:{inbox[1]}",
    )


async def test_the_operator_replies_the_customer_reads_it_by_email_and_in_the_app(
    web: Web, inbox: tuple[Inbox, int]
) -> None:
    customer = await sign_up_client(web, email="olivia@acme.example", workspace="Acme Ops")
    csrf = await page_csrf(customer, "/help")
    opened = await customer.post(
        "/help/tickets",
        data={"csrf_token": csrf, "subject": "Invoice address", "message": "How do I change it?"},
    )
    assert opened.status_code == 303
    waiting = (await customer.get("/help")).text
    assert "Your tickets" in waiting and "Invoice address" in waiting
    assert "Waiting for a reply" in waiting

    operator = await sign_up_client(web, email=OPERATOR, workspace="Levqor Ops")
    queue = await operator.get("/admin/support")
    assert "Invoice address" in queue.text and "How do I change it?" in queue.text
    ticket_id = queue.text.split('data-ticket="')[1].split('"')[0]
    outsider = await customer.post(
        f"/admin/support/{ticket_id}/reply",
        data={"csrf_token": csrf, "reply": "I am not the operator"},
    )
    assert outsider.status_code == 403
    sent = await operator.post(
        f"/admin/support/{ticket_id}/reply",
        data={
            "csrf_token": csrf_of(queue.text),
            "reply": "Open Billing, then Manage billing: the address is under Billing details.",
        },
    )
    assert sent.status_code == 303
    told = await operator.get(sent.headers["location"])
    assert "emailed to olivia@acme.example" in told.text
    assert "No open tickets." in told.text  # answered: it left the open queue

    [mail] = [m for m in inbox[0].messages if m["To"] == "olivia@acme.example"]
    assert mail["Subject"] == "Re: Invoice address"
    body = mail.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Open Billing, then Manage billing" in text and "/help" in text

    thread = (await customer.get("/help")).text
    assert "Answered" in thread and "Waiting for a reply" not in thread
    assert "Open Billing, then Manage billing" in thread and "Levqor support" in thread
    await customer.aclose()
    await operator.aclose()


async def _ticket() -> str:
    engine = create_engine(Settings())
    try:
        async with session_factory(engine)() as session:
            ws = await ensure_default(session)
            member = Member(workspace_id=ws.id, name="Kim", role=Role.owner, email="kim@x.io")
            session.add(member)
            ticket = await support.open_ticket(session, ws, member, "Cannot connect Slack", "hi")
            await session.commit()
            return ticket.id
    finally:
        await engine.dispose()


async def _stored(ticket_id: str) -> tuple[SupportTicket, list[str]]:
    engine = create_engine(Settings())
    try:
        async with session_factory(engine)() as session:
            ticket = await session.get(SupportTicket, ticket_id)
            assert ticket is not None
            query = select(AuditLog.action).where(AuditLog.subject == ticket_id)
            return ticket, list((await session.exec(query)).all())
    finally:
        await engine.dispose()


def test_support_reply_command(env: Path) -> None:
    assert levqor("db", "upgrade")[0] == 0
    ticket_id = asyncio.run(_ticket())
    code, out = levqor("support", "reply", "nope", "hello")
    assert code == 1 and "there is no ticket 'nope'" in out
    answer = "Reinstall the app from the Connections page."
    code, out = levqor("support", "reply", ticket_id, answer)
    assert code == 0, out
    assert "Replied to “Cannot connect Slack”" in out and "kept in the outbox" in out
    ticket, audited = asyncio.run(_stored(ticket_id))
    assert ticket.status == "answered" and audited == ["support.replied"]
    assert ticket.conversation[-1]["reply"] == answer
    assert levqor("support", "list")[1].strip() == "No open tickets."


async def test_help_ticket_then_the_operators_reply_in_chromium(
    page: Page, web: Web, inbox: tuple[Inbox, int]
) -> None:
    await sign_up_in_browser(page, web)
    await page.goto(f"{web.url}/help?q=export")
    await page.get_by_label("Message").fill("The export button is grey for me.")
    await page.get_by_role("button", name="Send to support").click()
    await expect(page.get_by_role("status").first).to_contain_text("Ticket opened")
    ticket = page.locator("article.ticket").first
    await expect(ticket).to_contain_text("Waiting for a reply")

    operator = await sign_up_client(web, email=OPERATOR, workspace="Levqor Ops")
    queue = await operator.get("/admin/support")
    ticket_id = queue.text.split('data-ticket="')[1].split('"')[0]
    reply = "Exports come with the Growth plan: choose it on Billing, then try again."
    sent = await operator.post(
        f"/admin/support/{ticket_id}/reply",
        data={"csrf_token": csrf_of(queue.text), "reply": reply},
    )
    assert sent.status_code == 303
    await operator.aclose()

    await page.reload()
    await expect(ticket).to_contain_text("Answered")
    await expect(ticket.locator("figure.ticket-reply blockquote")).to_have_text(reply)
    await expect(ticket.locator("figure.ticket-reply figcaption")).to_have_text("Levqor support")
