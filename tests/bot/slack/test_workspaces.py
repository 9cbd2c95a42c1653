"""Slack users → members, and OAuth installs: each Slack team served as its own workspace."""

from __future__ import annotations

from pathlib import Path

import httpx
from slack_sdk.oauth.installation_store.models.installation import Installation
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.slack import member_for_slack_user
from accounts.workspaces import ensure_default
from bot.app import create_app
from bot.slack.installations import DatabaseInstallationStore, DatabaseStateStore, slug_for_team
from storage.models import Credential, Member, Role, SlackInstallation, Workflow, Workspace
from tests.bot.conftest import serve
from tests.bot.slack.conftest import start_slack_live
from tests.bot.slack.harness import Responses
from tests.bot.slack.install import install_team, oauth_settings
from tests.conftest import make_settings
from tests.fakes.slack_api import TOKEN, FakeSlack
from workflows.runtime import Runtime


async def test_slack_users_become_members(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        workspace = await ensure_default(session)
        owner = await member_for_slack_user(session, workspace, "U1", name="ann", owner_ids=["U1"])
        other = await member_for_slack_user(session, workspace, "U2", name="bob", owner_ids=["U1"])
        assert (owner.role, other.role, other.name) == (Role.owner, Role.operator, "bob")
        other.role = Role.admin  # an owner changes it later
        await session.commit()
    async with sessions() as session:
        workspace = await ensure_default(session)
        again = await member_for_slack_user(session, workspace, "U2", owner_ids=["U1"])
        assert again.id == other.id and again.role == Role.admin
        promoted = await member_for_slack_user(session, workspace, "U2", owner_ids=["U2"])
        assert promoted.role == Role.owner
        await session.commit()
        rows = await session.exec(select(Member).where(Member.slack_user_id == "U2"))
        assert len(rows.all()) == 1


def install(team: str = "T2") -> Installation:
    return Installation(
        app_id="A1",
        team_id=team,
        team_name="Beta Corp",
        bot_token=TOKEN,
        bot_id="BBOT",
        bot_user_id="UBOT",
        bot_scopes=["commands", "chat:write"],
        user_id="UINSTALLER",
    )


async def test_installation_store_keeps_the_token_encrypted(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path, database_url: str
) -> None:
    store = DatabaseInstallationStore(sessions, make_settings(tmp_path, database_url))
    await store.async_save(install())
    await store.async_save(install())  # a re-install keeps the same workspace
    async with sessions() as session:
        [row] = (await session.exec(select(SlackInstallation))).all()
        workspace = await session.get(Workspace, row.workspace_id)
        assert workspace is not None and workspace.slug == slug_for_team("T2")
        [credential] = (await session.exec(select(Credential))).all()
        assert TOKEN not in credential.ciphertext
        [installer] = (await session.exec(select(Member))).all()
        assert (installer.slack_user_id, installer.role) == ("UINSTALLER", Role.owner)
    bot = await store.async_find_bot(enterprise_id=None, team_id="T2")
    assert (
        bot is not None and bot.bot_token == TOKEN and bot.bot_scopes == ["commands", "chat:write"]
    )
    assert await store.async_find_bot(enterprise_id=None, team_id="T9") is None
    states = DatabaseStateStore(sessions)
    state = await states.async_issue()
    assert await states.async_consume(state) is True
    assert await states.async_consume(state) is False


async def test_each_installed_team_is_its_own_workspace(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack, responses: Responses
) -> None:
    settings = oauth_settings(tmp_path, database_url, fake_slack)
    async for live in start_slack_live(settings, fake_slack, responses):
        store = DatabaseInstallationStore(live.runtime.sessions, settings)
        await store.async_save(install("T2"))
        response, _ = await live.slack.command(
            "post hello to #general every day at 8am", team_id="T2"
        )
        assert response.text == "Drafting…"
        [card] = await live.slack.wait_for("chat.postMessage")
        assert card.token == TOKEN
        async with live.runtime.sessions() as session:
            [workflow] = (await session.exec(select(Workflow))).all()
            workspace = await session.get(Workspace, workflow.workspace_id)
            assert workspace is not None and workspace.slug == "slack-t2"

        stranger, _ = await live.slack.command("post hello to #general daily", team_id="T3")
        assert stranger.status_code != 500 and stranger.text != "Drafting…"
        page = await live.slack.http.get(f"{live.slack.url}/slack/install")
        assert page.status_code == 200
        assert "https://slack.com/oauth/v2/authorize?state=" in page.text
        assert "client_id=111.222" in page.text and "scope=app_mentions:read" in page.text


async def test_slack_routes_are_off_without_configuration(
    tmp_path: Path, database_url: str
) -> None:
    settings = make_settings(tmp_path, database_url)
    runtime = Runtime(settings)
    server, task, url = await serve(create_app(settings, runtime))
    try:
        async with httpx.AsyncClient() as client:
            response = await client.post(f"{url}/slack/events", content=b"{}")
        assert response.status_code == 404 and "not configured" in response.text
    finally:
        server.should_exit = True
        await task
        await runtime.close()


async def test_oauth_install_maps_the_new_team_to_a_workspace(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack, responses: Responses
) -> None:
    settings = oauth_settings(tmp_path, database_url, fake_slack)
    async for live in start_slack_live(settings, fake_slack, responses):
        installed_by = await install_team(
            live, fake_slack, team="T7", name="Team Seven", token="xoxb-team-seven",
            installer="UINSTALL7",
        )  # fmt: skip
        done = installed_by.done
        assert done.status_code == 200, done.text
        async with live.runtime.sessions() as session:
            [installed] = (await session.exec(select(SlackInstallation))).all()
            workspace = await session.get(Workspace, installed.workspace_id)
        assert installed.team_id == "T7" and installed.bot_id == "B7"
        assert workspace is not None and workspace.slug == slug_for_team("T7")
        store = DatabaseInstallationStore(live.runtime.sessions, settings)
        bot = await store.async_find_bot(enterprise_id=None, team_id="T7")
        assert bot is not None and bot.bot_token == "xoxb-team-seven"
        replay = await live.slack.http.get(
            f"{live.slack.url}/slack/oauth_redirect",
            params={"code": "abc", "state": installed_by.state},
            headers=installed_by.cookie,
        )
        assert replay.status_code != 200  # a state is good for one install only
