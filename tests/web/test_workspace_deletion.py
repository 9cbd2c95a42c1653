"""In the browser: delete the workspace (typed name, emailed link), land on restore, restore."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from storage.config import Settings
from tests.conftest import make_settings
from tests.fakes.smtp_inbox import Inbox, smtp_inbox
from tests.web.conftest import Web, screenshot, sign_up_in_browser


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_inbox() as running:
        yield running


@pytest.fixture
def settings(tmp_path: Path, database_url: str, smtp: tuple[Inbox, int]) -> Settings:
    return make_settings(tmp_path, database_url, SMTP_URL=f"smtp://127.0.0.1:{smtp[1]}")


async def test_delete_confirm_by_email_then_restore(
    page: Page, web: Web, smtp: tuple[Inbox, int], tmp_path: Path
) -> None:
    inbox, _port = smtp
    await sign_up_in_browser(page, web)
    await page.goto(f"{web.url}/workspace")
    await expect(page.get_by_text("Run history kept 30 days.")).to_be_visible()

    name = page.get_by_label("Type the workspace's name")
    await name.fill("Acme")
    await page.get_by_role("button", name="Delete workspace").click()
    await expect(page.get_by_role("alert")).to_contain_text("type the workspace's name exactly")
    assert inbox.messages == []  # a wrong name sends nothing

    await name.fill("Acme Ops")
    await page.get_by_role("button", name="Delete workspace").click()
    await expect(page.get_by_role("status").first).to_contain_text("We emailed")
    body = inbox.messages[-1].get_body(("plain",))
    assert body is not None
    found = re.search(r"\S+/workspace/delete/\S+", body.get_content())
    assert found is not None
    link = f"{web.url}/workspace/delete/{found.group(0).split('/workspace/delete/', 1)[1]}"

    await page.goto(link)
    await expect(page.get_by_role("heading", name="Delete “Acme Ops”?")).to_be_visible()
    await screenshot(page, "workspace-delete-confirm", tmp_path)
    await page.get_by_role("button", name="Delete “Acme Ops”").click()
    await expect(page.get_by_role("heading", name="Workspace deleted")).to_be_visible()

    await page.goto(f"{web.url}/workflows")  # every page of a deleted workspace leads to restore
    await page.wait_for_url(f"{web.url}/workspace/deleted")
    await expect(page.get_by_role("heading", name="This workspace is deleted")).to_be_visible()
    await page.get_by_role("button", name="Restore workspace").click()
    await page.wait_for_url(f"{web.url}/workspace")
    await expect(page.get_by_text("Restored “Acme Ops”")).to_be_visible()
    await page.goto(f"{web.url}/workflows")
    assert page.url == f"{web.url}/workflows"


async def test_export_in_the_browser_and_download(page: Page, web: Web, tmp_path: Path) -> None:
    await sign_up_in_browser(page, web)
    await page.goto(f"{web.url}/workspace")
    await page.get_by_role("button", name="Export all data").click()
    await page.wait_for_url(re.compile(r".*/workspace/export/\w+$"))
    link = page.get_by_role("link", name="Download export")
    await expect(link).to_be_visible()
    async with page.expect_download() as info:
        await link.click()
    download = await info.value
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    assert saved.name == "levqor-export.zip"
    with zipfile.ZipFile(saved) as archive:
        members = json.loads(archive.read("member.json"))
        workflows = archive.read("workflow.csv").decode()
    assert [m["name"] for m in members] == ["Olivia Owner"]
    assert workflows.startswith("id,workspace_id,name,")  # its columns, with no workflow yet
