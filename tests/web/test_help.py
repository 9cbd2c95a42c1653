"""Help in the browser: an answer quoted from the docs, then "Still need help?" opens a ticket;
the operator's queue is for instance admins only."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from storage.config import Settings
from tests.conftest import make_settings
from tests.web.conftest import Web, sign_up_client, sign_up_in_browser


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url, LEVQOR_ADMIN_EMAILS="ops@levqor.example")


async def test_help_answers_from_the_docs_then_opens_a_ticket(page: Page, web: Web) -> None:
    await sign_up_in_browser(page, web)
    await page.goto(f"{web.url}/help")
    await page.get_by_label("What do you need help with?").fill("restore a deleted workspace")
    await page.get_by_role("button", name="Search the docs").click()
    answer = page.locator("figure.help-answer").first
    await expect(answer.locator("blockquote")).to_contain_text("restore")
    await expect(answer.locator("figcaption")).to_contain_text("data-lifecycle.md")

    await expect(page.get_by_label("Subject")).to_have_value("restore a deleted workspace")
    await page.get_by_label("Message").fill("The restore button does not show for me.")
    await page.get_by_role("button", name="Send to support").click()
    await expect(page.get_by_role("status").first).to_contain_text(
        "Ticket opened: “restore a deleted workspace”. We reply as soon as we can"
    )


async def test_the_support_queue_is_for_instance_admins(web: Web) -> None:
    customer = await sign_up_client(web, email="olivia@acme.example", workspace="Acme Ops")
    csrf = (await customer.get("/help")).text.split('name="csrf_token" value="')[1].split('"')[0]
    opened = await customer.post(
        "/help/tickets", data={"csrf_token": csrf, "subject": "Billing", "message": "Invoice?"}
    )
    assert opened.status_code == 303
    assert (await customer.get("/admin/support")).status_code == 403
    operator = await sign_up_client(web, email="ops@levqor.example", workspace="Levqor Ops")
    queue = await operator.get("/admin/support")
    assert (
        queue.status_code == 200 and "Billing" in queue.text and "olivia@acme.example" in queue.text
    )
    assert "Best effort" in queue.text
    await customer.aclose()
    await operator.aclose()
