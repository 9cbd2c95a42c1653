"""Forgot password: the link arrives by email (a real SMTP server on loopback), works once, and
signs every other browser out; the page never says whether an address has an account."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from storage.config import Settings
from storage.models import OutboxMessage
from tests.conftest import make_settings
from tests.fakes.smtp_inbox import Inbox, smtp_inbox
from tests.web.conftest import PASSWORD, Web, csrf_of, sign_up_client

EMAIL = "olivia@acme.example"
NEW = "a brand new password"


def reset_path(inbox: Inbox, base: str) -> str:
    """The reset link in the only message received, as a path."""
    assert len(inbox.messages) == 1, [m["Subject"] for m in inbox.messages]
    body = inbox.messages[0].get_body(("plain",))
    assert body is not None
    found = re.search(r"https?://\S+/password/reset/\S+", body.get_content())
    assert found, "no link in the email"
    return found.group(0).removeprefix(base)


@pytest.fixture
def smtp_on() -> bool:
    """Whether this test's Levqor has SMTP configured (parametrize to turn it off)."""
    return True


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with smtp_inbox() as running:
        yield running


@pytest.fixture
def settings(
    tmp_path: Path, database_url: str, inbox: tuple[Inbox, int], smtp_on: bool
) -> Settings:
    """Settings whose SMTP server is the loopback inbox (or none)."""
    extra = {"SMTP_URL": f"smtp://127.0.0.1:{inbox[1]}"} if smtp_on else {}
    return make_settings(tmp_path, database_url, LEVQOR_PUBLIC_URL="http://levqor.test", **extra)


async def ask_for_link(web: Web, email: str) -> str:
    """Submit the forgot-password form as a visitor; the page shown after."""
    async with web.client() as visitor:
        form = await visitor.get("/password/forgot")
        answer = await visitor.post(
            "/password/forgot", data={"csrf_token": csrf_of(form.text), "email": email}
        )
        assert answer.status_code in (200, 422, 503), answer.text
        return answer.text


async def test_the_emailed_link_sets_a_new_password_once(
    web: Web, inbox: tuple[Inbox, int]
) -> None:
    other_browser = await sign_up_client(web)
    signin = (await web.client().get("/signin")).text
    assert 'href="/password/forgot"' in signin

    page = await ask_for_link(web, EMAIL.upper())
    assert f"If a Levqor sign-in uses <strong>{EMAIL}</strong>" in page
    path = reset_path(inbox[0], "http://levqor.test")
    assert (await ask_for_link(web, EMAIL)) and len(inbox[0].messages) == 1  # once per 15 min
    async with web.runtime.sessions() as session:
        kept = (await session.exec(select(OutboxMessage))).all()
    assert [m.target for m in kept] == [EMAIL] and "/password/reset/" not in kept[0].body

    async with web.client() as browser:
        form = await browser.get(path)
        assert form.status_code == 200 and EMAIL in form.text
        token = csrf_of(form.text)
        differ = await browser.post(
            path, data={"csrf_token": token, "password": NEW, "again": NEW + "!"}
        )
        assert differ.status_code == 422 and "not the same" in differ.text
        short = await browser.post(
            path, data={"csrf_token": token, "password": "short", "again": "short"}
        )
        assert short.status_code == 422 and "at least 10" in short.text
        done = await browser.post(path, data={"csrf_token": token, "password": NEW, "again": NEW})
        assert done.status_code == 303 and done.headers["location"] == "/workflows"
        home = await browser.get("/workflows")  # signed in by the reset, told so once
        assert home.status_code == 200 and "Your new password is set" in home.text

        used = await browser.get(path)
        assert used.status_code == 410 and "already used" in used.text

    # The browser signed in before the reset is signed out; the old password no longer works.
    assert (await other_browser.get("/workflows")).status_code == 303
    async with web.client() as fresh:
        form = await fresh.get("/signin")
        for password, status in ((PASSWORD, 401), (NEW, 303)):
            answer = await fresh.post(
                "/signin",
                data={"csrf_token": csrf_of(form.text), "email": EMAIL, "password": password},
            )
            assert answer.status_code == status
    await other_browser.aclose()


async def test_unknown_addresses_get_the_same_answer_and_no_mail(
    web: Web, inbox: tuple[Inbox, int]
) -> None:
    client = await sign_up_client(web)
    page = await ask_for_link(web, "nobody@acme.example")
    assert "If a Levqor sign-in uses <strong>nobody@acme.example</strong>" in page
    assert inbox[0].messages == []
    assert "Enter an email address" in await ask_for_link(web, "not an address")
    forged = await web.client().get("/password/reset/abc.123.def")
    assert forged.status_code == 410 and "not valid" in forged.text
    await client.aclose()


async def test_without_the_csrf_token_nothing_is_sent(web: Web, inbox: tuple[Inbox, int]) -> None:
    await (await sign_up_client(web)).aclose()
    async with web.client() as visitor:
        refused = await visitor.post("/password/forgot", data={"email": EMAIL})
    assert refused.status_code == 403 and inbox[0].messages == []


@pytest.mark.parametrize("smtp_on", [False])
async def test_without_email_the_page_says_who_can_make_a_link(
    web: Web, inbox: tuple[Inbox, int]
) -> None:
    await (await sign_up_client(web)).aclose()
    page = await ask_for_link(web, EMAIL)
    assert "cannot send email yet" in page and f"levqor password-link {EMAIL}" in page
    assert inbox[0].messages == []
