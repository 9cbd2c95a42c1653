"""The Account page (password, email, sign out everywhere) and the Team page's role and remove."""

from __future__ import annotations

import httpx
from sqlmodel import select

from storage.models import Member, Role
from tests.web.conftest import PASSWORD, Web, csrf_of, page_csrf, sign_up_client
from tests.web.test_health_page import workspace_of

EMAIL = "olivia@acme.example"
NEW_PASSWORD = "a much longer new secret"


async def signed_in(web: Web, email: str, password: str) -> httpx.AsyncClient | None:
    """A client signed in through the sign-in form, or None when the form refuses."""
    client = web.client()
    page = await client.get("/signin")
    answer = await client.post(
        "/signin", data={"csrf_token": csrf_of(page.text), "email": email, "password": password}
    )
    if answer.status_code != 303:
        await client.aclose()
        return None
    return client


async def is_signed_in(client: httpx.AsyncClient) -> bool:
    return (await client.get("/workflows")).status_code == 200


async def test_a_new_password_signs_out_the_other_browsers(web: Web) -> None:
    here = await sign_up_client(web, email=EMAIL)
    there = await signed_in(web, EMAIL, PASSWORD)
    assert there is not None and await is_signed_in(there)
    page = await here.get("/account")
    assert page.status_code == 200 and "olivia@acme.example" in page.text
    token = csrf_of(page.text)

    wrong = await here.post(
        "/account/password", data={"csrf_token": token, "current": "guess", "new": NEW_PASSWORD}
    )
    assert wrong.status_code == 422 and "That is not your current password." in wrong.text
    short = await here.post(
        "/account/password", data={"csrf_token": token, "current": PASSWORD, "new": "short"}
    )
    assert short.status_code == 422 and "at least 10 characters" in short.text
    assert await is_signed_in(there)

    done = await here.post(
        "/account/password", data={"csrf_token": token, "current": PASSWORD, "new": NEW_PASSWORD}
    )
    assert done.status_code == 303
    assert await is_signed_in(here) and not await is_signed_in(there)
    assert await signed_in(web, EMAIL, PASSWORD) is None
    again = await signed_in(web, EMAIL, NEW_PASSWORD)
    assert again is not None
    for client in (here, there, again):
        await client.aclose()


async def test_the_sign_in_email_changes_and_a_taken_one_is_refused(web: Web) -> None:
    other = await sign_up_client(web, email="sam@other.example", workspace="Other")
    here = await sign_up_client(web, email=EMAIL)
    token = await page_csrf(here, "/account")
    taken = await here.post(
        "/account/email",
        data={"csrf_token": token, "email": "sam@other.example", "current": PASSWORD},
    )
    assert taken.status_code == 422 and "already signs in to an account" in taken.text
    assert 'value="sam@other.example"' in taken.text  # what was typed is kept
    changed = await here.post(
        "/account/email",
        data={"csrf_token": token, "email": "Olivia@New.example", "current": PASSWORD},
    )
    assert changed.status_code == 303
    assert "You now sign in as olivia@new.example." in (await here.get("/account")).text
    assert await signed_in(web, EMAIL, PASSWORD) is None
    moved = await signed_in(web, "olivia@new.example", PASSWORD)
    assert moved is not None
    for client in (other, here, moved):
        await client.aclose()


async def test_sign_out_everywhere_ends_every_session(web: Web) -> None:
    here = await sign_up_client(web, email=EMAIL)
    there = await signed_in(web, EMAIL, PASSWORD)
    assert there is not None
    token = await page_csrf(here, "/account")
    out = await here.post("/account/sign-out-everywhere", data={"csrf_token": token})
    assert out.status_code == 303 and out.headers["location"] == "/signin"
    assert not await is_signed_in(here) and not await is_signed_in(there)
    for client in (here, there):
        await client.aclose()


async def test_the_team_page_changes_roles_and_removes_but_keeps_the_last_owner(web: Web) -> None:
    client = await sign_up_client(web, email=EMAIL)
    workspace_id = await workspace_of(web, EMAIL)
    async with web.runtime.sessions() as session:
        me = (await session.exec(select(Member).where(Member.email == EMAIL))).one()
        sam = Member(workspace_id=workspace_id, name="Sam", role=Role.operator, email="s@x.io")
        session.add(sam)
        await session.commit()
    token = await page_csrf(client, "/team")
    promoted = await client.post(
        f"/team/members/{sam.id}/role", data={"csrf_token": token, "role": "admin"}
    )
    assert promoted.status_code == 303
    assert "Sam is now admin." in (await client.get("/team")).text
    kept = await client.post(
        f"/team/members/{me.id}/role", data={"csrf_token": token, "role": "viewer"}
    )
    assert kept.status_code == 303
    page = await client.get("/team")
    assert "the workspace&#39;s only owner: make someone else an owner first" in page.text
    removed = await client.post(f"/team/members/{sam.id}/remove", data={"csrf_token": token})
    assert removed.status_code == 303
    page = await client.get("/team")
    assert "Removed Sam from the workspace." in page.text and "s@x.io" not in page.text
    async with web.runtime.sessions() as session:
        assert await session.get(Member, sam.id) is None
        owner = await session.get(Member, me.id)
        assert owner is not None and owner.role == Role.owner
    await client.aclose()
