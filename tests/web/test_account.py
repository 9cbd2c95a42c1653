"""Sign-up, sign-in, sessions and CSRF, over HTTP and in Chromium."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Member, Role, WebLogin, Workspace
from tests.web.conftest import (
    PASSWORD,
    Web,
    csrf_of,
    page_csrf,
    screenshot,
    sign_up_client,
    sign_up_in_browser,
)


async def test_sign_up_creates_the_workspace_and_its_owner_with_a_hashed_password(
    web: Web, sessions: async_sessionmaker[AsyncSession]
) -> None:
    client = await sign_up_client(web, email="Olivia@Acme.example", workspace="Acme Ops")
    cookie = client.cookies.get("levqor_session")
    assert cookie
    async with sessions() as session:
        login = (await session.exec(select(WebLogin))).one()
        member = await session.get(Member, login.member_id)
        workspace = await session.get(Workspace, login.workspace_id)
    assert login.email == "olivia@acme.example"
    assert login.password_hash.startswith("$argon2id$") and PASSWORD not in login.password_hash
    assert member is not None and member.role == Role.owner
    assert workspace is not None and workspace.name == "Acme Ops" and workspace.slug == "acme-ops"
    home = await client.get("/")
    assert home.status_code == 200
    await client.aclose()


async def test_session_cookie_is_http_only_and_same_site(web: Web) -> None:
    client = web.client()
    page = await client.get("/signup")
    response = await client.post(
        "/signup",
        data={
            "csrf_token": csrf_of(page.text),
            "workspace": "Acme",
            "name": "O",
            "email": "o@acme.example",
            "password": PASSWORD,
        },
    )
    header = next(h for h in response.headers.get_list("set-cookie") if "levqor_session" in h)
    assert "HttpOnly" in header and "SameSite=lax" in header and "Max-Age=" in header
    await client.aclose()


async def test_sign_up_problems_are_shown_on_the_form_and_keep_what_was_typed(web: Web) -> None:
    client = web.client()
    token = csrf_of((await client.get("/signup")).text)
    response = await client.post(
        "/signup",
        data={
            "csrf_token": token,
            "workspace": "Acme",
            "name": "Olivia",
            "email": "olivia@acme.example",
            "password": "short",
        },
    )
    assert response.status_code == 422
    assert "at least 10 characters" in response.text
    assert 'value="olivia@acme.example"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert "levqor_session" not in response.headers.get("set-cookie", "")
    await client.aclose()


async def test_an_email_has_one_account(web: Web) -> None:
    first = await sign_up_client(web, email="same@acme.example")
    client = web.client()
    token = csrf_of((await client.get("/signup")).text)
    response = await client.post(
        "/signup",
        data={
            "csrf_token": token,
            "workspace": "Other",
            "name": "X",
            "email": "SAME@acme.example",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 422 and "already has an account" in response.text
    await first.aclose()
    await client.aclose()


async def test_sign_in_checks_the_password_and_sign_out_ends_the_session(web: Web) -> None:
    owner = await sign_up_client(web, email="olivia@acme.example")
    token = await page_csrf(owner)
    out = await owner.post("/signout", data={"csrf_token": token})
    assert out.status_code == 303 and out.headers["location"] == "/signin"
    assert (await owner.get("/workflows")).status_code == 303

    client = web.client()
    form = csrf_of((await client.get("/signin")).text)
    wrong = await client.post(
        "/signin", data={"csrf_token": form, "email": "olivia@acme.example", "password": "nope"}
    )
    assert wrong.status_code == 401
    assert "do not match an account" in wrong.text
    unknown = await client.post(
        "/signin", data={"csrf_token": form, "email": "who@acme.example", "password": PASSWORD}
    )
    assert unknown.status_code == 401 and "do not match an account" in unknown.text
    right = await client.post(
        "/signin",
        data={
            "csrf_token": form,
            "email": "olivia@acme.example",
            "password": PASSWORD,
            "next": "/runs",
        },
    )
    assert right.status_code == 303 and right.headers["location"] == "/runs"
    await owner.aclose()
    await client.aclose()


async def test_unsafe_requests_without_the_csrf_token_are_refused(web: Web) -> None:
    client = await sign_up_client(web)
    refused = await client.post("/signout", data={})
    assert refused.status_code == 403
    wrong = await client.post("/signout", data={"csrf_token": "forged"})
    assert wrong.status_code == 403
    assert (await client.get("/")).status_code == 200  # still signed in
    fresh = web.client()
    anonymous = await fresh.post("/signin", data={"email": "a@b.c", "password": "x"})
    assert anonymous.status_code == 403
    await client.aclose()
    await fresh.aclose()


async def test_a_fresh_install_opens_on_create_your_workspace(web: Web) -> None:
    client = web.client()
    for path in ("/", "/workflows"):
        response = await client.get(path)
        assert response.status_code == 303 and response.headers["location"] == "/signup"
    assert "Create your workspace" in (await client.get("/signup")).text
    assert (await client.get("/signin")).status_code == 200  # still there for whoever has one
    await client.aclose()


async def test_visitors_are_sent_to_sign_in_and_come_back_after(web: Web) -> None:
    await (await sign_up_client(web)).aclose()  # someone can sign in: visitors are asked to
    client = web.client()
    for path in ("/", "/workflows", "/runs?status=failed", "/analytics", "/health"):
        response = await client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/signin?next=/")
    evil = await client.get("/signin?next=https://evil.example/")
    assert 'name="next" value="/"' in evil.text
    await client.aclose()


async def test_sign_up_in_the_browser_then_sign_in_again(
    web: Web, page: Page, tmp_path: Path
) -> None:
    await page.goto(f"{web.url}/workflows")  # a fresh install: nobody to sign in as yet
    await expect(page).to_have_url(f"{web.url}/signup")
    await expect(page.get_by_role("heading", name="Create your workspace")).to_be_visible()
    await page.get_by_label("Password").fill("short")
    await page.get_by_role("button", name="Create workspace").click()
    await expect(page.get_by_text("Name your workspace")).to_be_visible()
    await screenshot(page, "signup", tmp_path)
    await sign_up_in_browser(page, web)
    await expect(page.get_by_text("Acme Ops")).to_be_visible()
    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(f"{web.url}/signin")
    await page.get_by_label("Email").fill("olivia@acme.example")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(f"{web.url}/")
