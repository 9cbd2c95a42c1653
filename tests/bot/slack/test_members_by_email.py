"""Someone who joined on the web is the same member when they first act in Slack: matched by the
address Slack gives (`users.info`, scope `users:read.email`), keeping their role. Before, they
became a second member, an operator, with no link to their web account."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from accounts.workspaces import add_member
from bot.slack import people
from storage.models import Member, Role, Workspace
from tests.bot.slack.conftest import SlackLive
from tests.conftest import make_settings
from tests.fakes.openai_server import serve_loopback
from tests.fakes.slack_api import TOKEN, FakeSlack


def profile(user: str, email: str) -> dict[str, object]:
    return {"ok": True, "user": {"id": user, "profile": {"email": email}}}


async def members(live: SlackLive) -> list[Member]:
    async with live.runtime.sessions() as session:
        found = await session.exec(select(Member).order_by(col(Member.created_at)))
        return list(found.all())


async def test_a_web_member_is_linked_by_address_on_first_contact(
    live_slack: SlackLive, fake_slack: FakeSlack
) -> None:
    live = live_slack
    async with live.runtime.sessions() as session:
        dana = await add_member(session, live.workspace, "Dana", Role.admin, email="dana@acme.io")
        await session.commit()
    before = len(await members(live))
    fake_slack.set_response("users.info", profile("UDANA", "Dana@Acme.io"))
    _, key = await live.slack.command("list", user="UDANA")
    await live.slack.wait_response(key)

    after = await members(live)
    assert len(after) == before  # no second member
    [linked] = [m for m in after if m.slack_user_id == "UDANA"]
    assert (linked.id, linked.role, linked.name) == (dana.id, Role.admin, "Dana")
    [call] = fake_slack.calls("users.info")
    assert call.args["user"] == "UDANA"

    _, key = await live.slack.command("list", user="UDANA")  # known now: Slack is not asked
    await live.slack.wait_response(key)
    assert len(fake_slack.calls("users.info")) == 1


async def test_without_an_address_or_a_match_the_user_joins_as_an_operator(
    live_slack: SlackLive, fake_slack: FakeSlack
) -> None:
    live = live_slack
    async with live.runtime.sessions() as session:
        await add_member(session, live.workspace, "Dana", Role.admin, email="dana@acme.io",
                         slack_user_id="UOTHER")  # fmt: skip
        await session.commit()
    fake_slack.set_response("users.info", profile("UDANA", "dana@acme.io"))  # Dana is linked
    _, key = await live.slack.command("list", user="UDANA")
    assert "workflow" in str(await live.slack.wait_response(key)).lower()
    fake_slack.set_response("users.info", {"ok": False, "error": "missing_scope"})
    _, key = await live.slack.command("list", user="UNEW")
    assert "workflow" in str(await live.slack.wait_response(key)).lower()

    found = {m.slack_user_id: m for m in await members(live)}
    assert found["UOTHER"].email == "dana@acme.io"  # an account linked elsewhere is not taken
    assert found["UDANA"].role == Role.operator and found["UDANA"].email is None
    assert found["UNEW"].role == Role.operator


async def test_a_slack_that_does_not_answer_in_time_gives_no_address(
    tmp_path: Path,
    database_url: str,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """First contact waits at most `LOOKUP_SECONDS` for `users.info` (the docs promise 3 s), then
    the user joins as new: a slow Slack never holds a command's reply."""
    asked, answered = asyncio.Event(), asyncio.Event()

    async def users_info(request: Request) -> JSONResponse:
        asked.set()
        await asyncio.sleep(5)
        answered.set()
        return JSONResponse(profile("USLOW", "dana@acme.io"))

    app = Starlette(routes=[Route("/users.info", users_info, methods=["GET", "POST"])])
    monkeypatch.setattr(people, "LOOKUP_SECONDS", 0.3)
    async with serve_loopback(app) as url:
        settings = make_settings(
            tmp_path, database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=url + "/"
        )
        async with sessions() as session:
            found = await people.slack_email(settings, session, workspace, "USLOW")
    assert asked.is_set()  # Slack was asked, and did not answer in time
    assert found is None and not answered.is_set()
