"""Every page carries a strict CSP (no inline script or style), no framing, nosniff."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Page

from tests.web.conftest import Web, sign_up_client, sign_up_in_browser

SIGNED_IN = ["/", "/workflows", "/runs", "/analytics", "/health", "/templates", "/team"]
PUBLIC = ["/signin", "/signup", "/password/forgot", "/docs", "/api/health"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)


def assert_secure(response: httpx.Response) -> None:
    path = response.request.url.path
    csp = response.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp, path
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, path
    assert "script-src 'self'" in csp, path
    assert response.headers.get("x-content-type-options") == "nosniff", path
    assert response.headers.get("x-frame-options") == "DENY", path
    assert response.headers.get("referrer-policy"), path
    if "html" in response.headers.get("content-type", ""):
        assert not INLINE_SCRIPT.search(response.text), path
        assert "<style" not in response.text and " style=" not in response.text, path
        assert not re.search(r"\son[a-z]+=", response.text), path


async def test_pages_carry_the_security_headers(web: Web) -> None:
    client = await sign_up_client(web)
    for path in SIGNED_IN:
        response = await client.get(path)
        assert response.status_code == 200, path
        assert_secure(response)
    async with web.client() as anonymous:
        for path in PUBLIC:
            response = await anonymous.get(path)
            assert response.status_code == 200, path
            assert_secure(response)
        assert_secure(await anonymous.get("/no-such-page"))
    await client.aclose()


async def test_pages_work_under_the_policy_in_a_browser(web: Web, page: Page) -> None:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    await sign_up_in_browser(page, web)
    for path in ("/workflows", "/runs", "/analytics", "/health", "/templates", "/team"):
        await page.goto(f"{web.url}{path}")
        await page.wait_for_load_state("networkidle")
    assert await page.evaluate("window.top === window.self")
    assert not violations, violations
    framed = await page.evaluate(
        """async (url) => {
            const frame = document.createElement("iframe");
            frame.src = url;
            document.body.append(frame);
            await new Promise((done) => setTimeout(done, 1000));
            try { return frame.contentDocument?.body?.innerText ?? "blocked"; }
            catch { return "blocked"; }
        }""",
        f"{web.url}/workflows",
    )
    assert "Workflows" not in framed
