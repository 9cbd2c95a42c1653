"""The solo owner's first week, in Chromium: the issue's acceptance test.

Sign up; connect the workspace's Slack team (Connect Slack, Slack's consent page, Allow; a local
fake of the Slack Web API); connect the workspace's own mail server (aiosmtpd) and verify its
sender by the mailed link; set the timezone and switch on self-approval; draft a class B workflow
in the chat and approve it with its confirmation; run it and see its messages sent in Messages;
Slack then refuses the token (a broken connection): the run fails, the bell shows it and the
owner is emailed once; Slack answers again, Retry, and the workflow "works again" in the bell and
by email. Screenshots of the pages on the way.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import FilePayload, Page, expect
from sqlmodel import col, select

from storage.config import Settings
from storage.models import Run, RunStatus, Workflow, WorkflowStatus
from tests.bot.slack.harness import SIGNING_SECRET
from tests.conftest import make_settings
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack
from tests.fakes.slack_consent import FakeConsent, script_oauth
from tests.fakes.smtp_inbox import Inbox, smtp_inbox
from tests.web.conftest import Web, screenshot, sign_up_in_browser

__all__ = ["fake_slack"]

REQUEST = (
    "every weekday at 9am post the sales summary to #sales and email it to dana@partner.example"
)
OWNER = "olivia@acme.example"
CONTACTS_CSV = (
    b"email,name,company,stage\n"
    b"dana@partner.example,Dana Reyes,Partner Co,customer\n"
    b"lee@northwind.example,Lee Park,Northwind,lead\n"
)


@pytest.fixture
def mail() -> Iterator[tuple[Inbox, int]]:
    with smtp_inbox() as running:
        yield running


@pytest.fixture
def consent() -> Iterator[FakeConsent]:
    fake = FakeConsent()
    fake.server.start()
    try:
        yield fake
    finally:
        fake.server.stop()


@pytest.fixture
def settings(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack, consent: FakeConsent
) -> Settings:
    """Slack's OAuth app on the fake Web API (no instance bot token: the owner connects her
    team); no instance mail server either: the workspace brings its own."""
    return make_settings(
        tmp_path,
        database_url,
        SLACK_BOT_TOKEN=None,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_CLIENT_ID="111.222",
        SLACK_CLIENT_SECRET="client-secret",
        SLACK_AUTHORIZE_URL=f"{consent.server.url}/oauth/v2/authorize",
        SLACK_API_URL=fake_slack.url,
    )


async def finished_runs(web: Web, workflow_id: str, count: int) -> list[Run]:
    """The workflow's runs once `count` of them have finished, oldest first."""
    runs: list[Run] = []
    for _ in range(300):
        async with web.runtime.sessions() as session:
            query = select(Run).where(Run.workflow_id == workflow_id)
            runs = list((await session.exec(query.order_by(col(Run.created_at)))).all())
        done = [r for r in runs if r.status in (RunStatus.succeeded, RunStatus.failed)]
        if len(done) >= count:
            return runs
        await web.runtime.drain()
    raise AssertionError(f"runs did not finish: {runs}")


async def mails_about(inbox: Inbox, subject: str, count: int = 1) -> list[str]:
    found: list[str] = []
    for _ in range(200):
        found = [str(m["Subject"]) for m in inbox.messages if subject in str(m["Subject"])]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"no mail about {subject!r}: {[m['Subject'] for m in inbox.messages]}")


async def test_the_solo_owners_week(
    web: Web,
    page: Page,
    tmp_path: Path,
    fake_slack: FakeSlack,
    consent: FakeConsent,
    mail: tuple[Inbox, int],
) -> None:
    inbox, port = mail
    consent.app_url = web.url
    await sign_up_in_browser(page, web, email=OWNER)
    nav = page.get_by_role("navigation", name="Main")

    # Connections: she connects her Slack team, then the workspace's own mail server.
    await nav.get_by_role("link", name="Connections", exact=True).click()
    slack = page.locator("[data-connection=slack]")
    await expect(slack.locator("[data-status]")).to_have_text("Not connected")
    script_oauth(fake_slack, TOKEN)
    await slack.get_by_role("link", name="Connect Slack").click()
    await page.get_by_role("link", name="Allow").click()
    await expect(page.locator(".flash")).to_have_text("Slack connected to Acme Slack.")
    await expect(slack.locator("[data-status]")).to_have_text("Connected")
    email = page.locator("[data-connection=email]")
    await email.get_by_label("Mail server").fill("127.0.0.1")
    await email.get_by_label("Port").fill(str(port))
    await email.get_by_label("Security").select_option("none")
    await email.get_by_label("Send as").fill("ops@acme.example")
    await email.get_by_role("button", name="Save Email sending").click()
    await expect(page.locator(".flash")).to_contain_text("Saved Email sending")
    await email.get_by_role("button", name="Send a test for Email sending").click()
    await expect(page.locator(".flash")).to_contain_text("Open the link in it to verify the sender")
    link = re.search(r"http://\S+/connections/email/verify\?\S+", inbox.messages[-1].get_content())
    assert link, inbox.messages[-1].get_content()
    await page.goto(web.url + "/" + link.group(0).split("/", 3)[3])  # opened from her mailbox
    await expect(page.locator(".flash")).to_have_text(
        "Verified ops@acme.example: Levqor now sends your email from it."
    )
    await expect(email).to_contain_text("Sends as ops@acme.example through 127.0.0.1")
    await page.evaluate("window.scrollTo(0, 0)")
    await screenshot(page, "owner-week-connections", tmp_path)

    # Settings: the timezone, and self-approval of class B (she is the only owner).
    await nav.get_by_role("link", name="Settings", exact=True).click()
    await page.get_by_label("Timezone").fill("Europe/London")
    await page.locator("#f-self").check()
    await page.get_by_role("button", name="Save settings").click()
    await expect(page.get_by_text("Saved the workspace's settings.")).to_be_visible()
    await expect(page.get_by_label("Timezone")).to_have_value("Europe/London")
    await expect(page.locator("#f-self")).to_be_checked()
    await screenshot(page, "owner-week-settings", tmp_path, full_page=True)

    # Draft a class B workflow in the chat; approving her own needs its confirmation.
    await nav.get_by_role("link", name="Chat", exact=True).click()
    box = page.get_by_label("Message to Levqor")
    await box.fill(REQUEST)
    await box.press("Enter")
    card = page.locator(".draft-card").last
    await expect(card.get_by_text("Class B", exact=True)).to_be_visible()
    await expect(card).to_contain_text("(Europe/London)")
    workflow_id = await card.get_attribute("data-workflow-id")
    assert workflow_id
    await card.get_by_role("button", name="Approve").click()
    await expect(card.get_by_role("status")).to_contain_text("Tick the box")
    await card.get_by_label(re.compile("I checked what this workflow sends outside")).check()
    await card.get_by_role("button", name="Approve").click()
    await expect(page.locator(".msg.assistant .bubble").last).to_contain_text("is active")
    async with web.runtime.sessions() as session:
        workflow = await session.get(Workflow, workflow_id)
        assert workflow is not None and workflow.status == WorkflowStatus.active
        name = workflow.name

    # Run it now: the email goes out through her server, the post reaches Slack.
    await nav.get_by_role("link", name="Workflows", exact=True).click()
    row = page.locator(f'tr[data-workflow-row="{workflow_id}"]')
    await row.get_by_role("button", name=f"Run now {name}").click()
    [first] = await finished_runs(web, workflow_id, 1)
    assert first.status == RunStatus.succeeded, first.error
    assert [e.rcpt_tos for e in inbox.envelopes][-1] == ["dana@partner.example"]
    assert inbox.envelopes[-1].mail_from == "ops@acme.example"
    assert fake_slack.messages("#sales"), fake_slack.calls()
    await nav.get_by_role("link", name="Messages", exact=True).click()
    messages = page.locator("main")
    await expect(messages).to_contain_text("dana@partner.example")
    await expect(messages).to_contain_text("#sales")
    sent = page.locator("tr.message.sent")
    await expect(sent).to_have_count(2)
    await expect(page.locator("#not-connected")).to_have_count(0)  # her own server counts
    await expect(sent.first.locator("time")).to_contain_text("GMT")  # London time
    await screenshot(page, "owner-week-messages", tmp_path, full_page=True)

    # Contacts: she brings her customers in from a spreadsheet.
    await nav.get_by_role("link", name="Contacts", exact=True).click()
    await page.locator("#import-file").set_input_files(
        files=FilePayload(name="customers.csv", mimeType="text/csv", buffer=CONTACTS_CSV)
    )
    await page.get_by_role("button", name="Import").click()
    await expect(page.get_by_text("Dana Reyes").first).to_be_visible()
    await expect(page.get_by_text("Lee Park").first).to_be_visible()
    await screenshot(page, "owner-week-contacts", tmp_path, full_page=True)

    # Slack refuses the token: the run fails, the bell says so, and she is emailed once.
    fake_slack.fail_next(1, error="token_revoked")
    await nav.get_by_role("link", name="Workflows", exact=True).click()
    await row.get_by_role("button", name=f"Run now {name}").click()
    runs = await finished_runs(web, workflow_id, 2)
    failed = runs[-1]
    assert failed.status == RunStatus.failed
    [told] = await mails_about(inbox, "failed")
    assert told == f"“{name}” failed"
    await page.goto(f"{web.url}/workflows")
    bell = page.locator("#bell")
    await expect(bell).to_have_attribute("aria-label", re.compile(r"Notifications: [1-9]\d* need"))
    await bell.click()
    await expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    notice = page.locator("main")
    await expect(notice).to_contain_text(f"“{name}” cannot reach Slack")
    await expect(notice).to_contain_text("revoked. Check the connection, then retry the run.")
    await screenshot(page, "owner-week-bell", tmp_path)

    # Slack answers again; Retry from the run's page: it works again, in the bell and by email.
    await page.goto(f"{web.url}/runs/{failed.id}")
    await page.get_by_role("button", name="Retry").click()
    runs = await finished_runs(web, workflow_id, 3)
    assert runs[-1].status == RunStatus.succeeded, runs[-1].error
    [again] = await mails_about(inbox, "works again")
    assert again == f"“{name}” works again"
    assert len([m for m in inbox.messages if "failed" in str(m["Subject"])]) == 1
    await page.goto(f"{web.url}/notifications")
    await expect(page.locator("main")).to_contain_text(f"“{name}” works again")
    await screenshot(page, "owner-week-recovered", tmp_path)
