"""Web fixtures: Levqor served on loopback, signed-in HTTP clients, and headless Chromium.

Browser tests drive Debian's Chromium (`/usr/bin/chromium`, installed by `make test`) through
Playwright. Screenshots go to the test's tmp dir, or to `docs/screenshots/` when
`LEVQOR_SCREENSHOTS=1` (`make screenshots`).
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.async_api import Browser, Page, async_playwright

from bot.app import create_app
from storage.config import Settings
from tests.bot.conftest import serve
from workflows.runtime import Runtime

CHROMIUM = os.environ.get("LEVQOR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
PASSWORD = "correct horse battery"


@dataclass
class Web:
    """A served Levqor: its URL and its runtime."""

    url: str
    runtime: Runtime
    settings: Settings

    def client(self) -> httpx.AsyncClient:
        """A fresh cookie-keeping client (a browser without JavaScript)."""
        return httpx.AsyncClient(base_url=self.url, timeout=30, follow_redirects=False)


@asynccontextmanager
async def serve_web(settings: Settings) -> AsyncIterator[Web]:
    """Levqor (API + web pages) on a free loopback port, until the block ends."""
    runtime = Runtime(settings)
    await runtime.start()
    server: uvicorn.Server
    server, task, url = await serve(create_app(settings, runtime))
    try:
        yield Web(url, runtime, settings)
    finally:
        server.should_exit = True
        await task
        await runtime.drain()
        await runtime.close()


@pytest.fixture
async def web(settings: Settings) -> AsyncIterator[Web]:
    """Levqor (API + web pages) on a free loopback port, on a fresh database."""
    async with serve_web(settings) as served:
        yield served


def csrf_of(html: str) -> str:
    """The CSRF token a page carries (form field or meta tag)."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(
        r'<meta name="csrf-token" content="([^"]+)"', html
    )
    assert found, "page has no CSRF token"
    return found.group(1)


async def sign_up_client(
    web: Web,
    *,
    email: str = "olivia@acme.example",
    workspace: str = "Acme Ops",
    name: str = "Olivia",
) -> httpx.AsyncClient:
    """An HTTP client that has signed up (a new workspace, its owner) and holds the session."""
    client = web.client()
    page = await client.get("/signup")
    response = await client.post(
        "/signup",
        data={
            "csrf_token": csrf_of(page.text),
            "workspace": workspace,
            "name": name,
            "email": email,
            "password": PASSWORD,
        },
    )
    assert response.status_code == 303, response.text
    return client


async def page_csrf(client: httpx.AsyncClient, path: str = "/workflows") -> str:
    """The signed-in session's CSRF token, read off a page."""
    response = await client.get(path)
    assert response.status_code == 200, response.text
    return csrf_of(response.text)


def _chromium_available() -> bool:
    return Path(CHROMIUM).exists()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Headless Debian Chromium (required when CI=true)."""
    if not _chromium_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is required when CI=true but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is not installed (make test installs it)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A fresh browser context (no cookies) at a laptop-sized viewport.

    The test fails on any JavaScript error and on any request to a host other than the app.
    """
    context = await browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10_000)
    tab = await context.new_page()
    errors: list[str] = []
    elsewhere: list[str] = []  # the pages must never ask another host for anything
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    context.on(
        "request",
        lambda request: (
            None
            if request.url.startswith(("http://127.0.0.1:", "data:", "blob:", "about:"))
            else elsewhere.append(request.url)
        ),
    )
    try:
        yield tab
    finally:
        await context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
    assert not elsewhere, f"pages requested other hosts: {elsewhere}"


async def sign_up_in_browser(
    page: Page, web: Web, *, email: str = "olivia@acme.example", workspace: str = "Acme Ops"
) -> None:
    """Fill in the sign-up form as a person would, and land on the chat."""
    await page.goto(f"{web.url}/signup")
    await page.get_by_label("Workspace name").fill(workspace)
    await page.get_by_label("Your name").fill("Olivia Owner")
    await page.get_by_label("Work email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create workspace").click()
    await page.wait_for_url(f"{web.url}/")


_TAKEN: dict[str, str] = {}


async def screenshot(page: Page, name: str, tmp_path: Path, **options: Any) -> Path:
    """Save a PNG of the page: into docs/screenshots with LEVQOR_SCREENSHOTS=1, else tmp.

    A name belongs to one test: a second test saving under it would overwrite the docs' picture.
    """
    test = os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0].split("[")[0]
    assert _TAKEN.setdefault(name, test) == test, f"screenshot {name!r} is {_TAKEN[name]}'s"
    folder = SCREENSHOTS if os.environ.get("LEVQOR_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    await page.screenshot(path=str(path), **options)
    assert path.stat().st_size > 1000, "screenshot is empty"
    return path


__all__ = [
    "PASSWORD",
    "Web",
    "csrf_of",
    "page_csrf",
    "screenshot",
    "sign_up_client",
    "sign_up_in_browser",
]
