""" "Connect Slack" from a signed-in workspace: the Connections button → Slack's consent URL with a
single-use state → the fake Slack Web API's oauth.v2.access → the callback → the bot token stored
for that workspace; forged, expired and reused states refused; a team another workspace owns
refused in words; then a slash command from the team acts in the workspace and its workflow posts
through the team's own bot token; Disconnect removes it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest
from playwright.async_api import Page, expect
from sqlmodel import select

from integrations.catalog import default_registry
from storage.config import Settings
from storage.models import (
    Credential,
    Member,
    Role,
    SlackInstallation,
    SlackOAuthState,
    Workspace,
)
from storage.types import utcnow
from tests.bot.api.test_billing_limits import HELLO
from tests.bot.slack.conftest import responses
from tests.bot.slack.harness import SIGNING_SECRET, Responses, SlackClient
from tests.conftest import make_settings
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_consent import FakeConsent, script_oauth
from tests.web.conftest import Web, page_csrf, screenshot, sign_up_client, sign_up_in_browser
from tests.workflows.helpers import activate

__all__ = ["responses"]

TEAM_TOKEN = "xoxb-acme-team-token"
COOKIE = "slack-app-oauth-state"


@pytest.fixture
def team_slack() -> Iterator[FakeSlack]:
    """A fake Slack Web API that answers only the connected team's bot token."""
    fake = FakeSlack(token=TEAM_TOKEN).start()
    try:
        yield fake
    finally:
        fake.stop()


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
    tmp_path: Path, database_url: str, team_slack: FakeSlack, consent: FakeConsent
) -> Settings:
    return make_settings(
        tmp_path,
        database_url,
        SLACK_AUTHORIZE_URL=f"{consent.server.url}/oauth/v2/authorize",
        SLACK_BOT_TOKEN=None,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_CLIENT_ID="111.222",
        SLACK_CLIENT_SECRET="client-secret",
        SLACK_API_URL=team_slack.url,
    )


def _flash(response: httpx.Response) -> str:
    found = re.search(r"levqor_flash=([^;]+)", response.headers.get("set-cookie", ""))
    return unquote(found.group(1)).split(":", 1)[1] if found else ""


def _script_oauth(
    fake: FakeSlack, team: str = "TACME", name: str = "Acme Slack", installer: str = "UOLIVIA"
) -> None:
    script_oauth(fake, TEAM_TOKEN, team, name, installer)


async def _start(client: httpx.AsyncClient) -> str:
    """Click "Connect Slack": Slack's consent page with a state, and the browser cookie for it."""
    started = await client.get("/connections/slack/start")
    assert started.status_code == 303, started.text
    url = urlsplit(started.headers["location"])
    assert url.path == "/oauth/v2/authorize"  # Slack's consent page (SLACK_AUTHORIZE_URL)
    query = parse_qs(url.query)
    assert query["client_id"] == ["111.222"]
    assert query["redirect_uri"][0].endswith("/slack/oauth_redirect")
    assert "chat:write" in query["scope"][0]
    [state] = query["state"]
    assert len(state) >= 40  # unguessable
    assert f"{COOKIE}={state}" in started.headers["set-cookie"]
    return state


async def _back(client: httpx.AsyncClient, state: str, code: str = "abc") -> httpx.Response:
    """Slack sends the same browser back with the code and the state."""
    return await client.get(
        "/slack/oauth_redirect",
        params={"code": code, "state": state},
        headers={"cookie": f"{COOKIE}={state}"},
    )


async def _workspace(web: Web, name: str) -> Workspace:
    async with web.runtime.sessions() as session:
        query = select(Workspace).where(Workspace.name == name)
        return (await session.exec(query)).one()


async def test_connect_slack_stores_the_install_for_the_signed_in_workspace(
    web: Web, team_slack: FakeSlack, responses: Responses
) -> None:
    olivia = await sign_up_client(web)
    page = await olivia.get("/connections")
    assert 'href="/connections/slack/start">Connect Slack</a>' in page.text
    state = await _start(olivia)
    _script_oauth(team_slack)
    done = await _back(olivia, state)
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/connections#slack"
    assert _flash(done) == "Slack connected to Acme Slack."

    acme = await _workspace(web, "Acme Ops")
    async with web.runtime.sessions() as session:
        [installed] = (await session.exec(select(SlackInstallation))).all()
        assert (installed.workspace_id, installed.team_id) == (acme.id, "TACME")
        assert (installed.bot_id, installed.bot_user_id) == ("BACME", "UBOTACME")
        [sealed] = (await session.exec(select(Credential))).all()
        assert sealed.workspace_id == acme.id and TEAM_TOKEN not in sealed.ciphertext
        [owner] = (await session.exec(select(Member).where(Member.workspace_id == acme.id))).all()
        assert owner.slack_user_id == "UOLIVIA"  # the person who connected is that Slack user
        assert (await session.exec(select(Workspace))).all().__len__() == 1  # no new workspace
    shown = await olivia.get("/connections")
    assert "Installed in the Slack workspace Acme Slack" in shown.text
    assert 'aria-label="Disconnect Slack"' in shown.text

    # The same state again is refused in words, and nothing changes.
    replay = await _back(olivia, state)
    assert replay.status_code == 401
    assert "this link has expired or was already used" in replay.text

    # A slash command from the team acts in this workspace, as Olivia; the workflow's message
    # goes out with the team's own bot token (the fake answers no other).
    await activate(web.runtime.sessions, acme, HELLO, default_registry())
    async with httpx.AsyncClient(timeout=30) as http:
        slack = SlackClient(web.url, team_slack, responses, http)
        answered, key = await slack.command("run Hello", user="UOLIVIA", team_id="TACME")
        assert answered.status_code == 200
        await slack.wait_response(key)
    [post] = await team_slack.wait_for("chat.postMessage")
    assert post.token == TEAM_TOKEN and post.args["text"] == "hi"

    # Disconnect from the page removes the install and its token.
    csrf = await page_csrf(olivia, "/connections")
    gone = await olivia.post("/connections/slack/disconnect", data={"csrf_token": csrf})
    assert gone.status_code == 303 and "Disconnected Slack" in _flash(gone)
    async with web.runtime.sessions() as session:
        assert (await session.exec(select(SlackInstallation))).all() == []
        assert (await session.exec(select(Credential))).all() == []
    again = await olivia.get("/connections")
    assert 'href="/connections/slack/start">Connect Slack</a>' in again.text


async def test_forged_expired_and_foreign_states_are_refused(
    web: Web, team_slack: FakeSlack
) -> None:
    olivia = await sign_up_client(web)
    forged = "x" * 43
    refused = await _back(olivia, forged)
    assert refused.status_code == 401 and "expired or was already used" in refused.text

    # A state from another browser (no cookie for it) is refused before it is used.
    state = await _start(olivia)
    other_browser = await olivia.get(
        "/slack/oauth_redirect", params={"code": "abc", "state": state}, headers={"cookie": ""}
    )
    assert other_browser.status_code == 400 and "same browser" in other_browser.text

    async with web.runtime.sessions() as session:  # eleven minutes later
        row = await session.get(SlackOAuthState, state)
        assert row is not None and row.workspace_id is not None
        row.issued_at = utcnow() - timedelta(minutes=11)
        session.add(row)
        await session.commit()
    expired = await _back(olivia, state)
    assert expired.status_code == 401 and "expired" in expired.text
    async with web.runtime.sessions() as session:
        assert (await session.exec(select(SlackInstallation))).all() == []
    assert team_slack.calls("oauth.v2.access") == []


async def test_a_team_connected_elsewhere_is_refused_in_words(
    web: Web, team_slack: FakeSlack
) -> None:
    olivia = await sign_up_client(web)
    _script_oauth(team_slack)
    assert (await _back(olivia, await _start(olivia))).status_code == 303

    bruno = await sign_up_client(web, email="bruno@beta.example", workspace="Beta Ops")
    _script_oauth(team_slack)
    refused = await _back(bruno, await _start(bruno))
    assert refused.status_code == 303 and refused.headers["location"] == "/connections#slack"
    said = _flash(refused)
    assert "Acme Slack is already connected to another Levqor workspace" in said
    assert "Disconnect it there first" in said
    acme = await _workspace(web, "Acme Ops")
    async with web.runtime.sessions() as session:
        [installed] = (await session.exec(select(SlackInstallation))).all()
        assert installed.workspace_id == acme.id  # not moved
        [sealed] = (await session.exec(select(Credential))).all()
        assert sealed.workspace_id == acme.id

    # Someone else in that Slack team re-installs through the plain "Add to Slack": the team
    # stays with Acme Ops, and the re-installer does not become an owner of it.
    plain = await bruno.get("/slack/install")
    state = plain.text.split("state=", 1)[1].split("&", 1)[0]
    _script_oauth(team_slack, installer="UMALLORY")
    reinstalled = await _back(bruno, state)
    assert reinstalled.status_code == 200, reinstalled.text
    async with web.runtime.sessions() as session:
        [installed] = (await session.exec(select(SlackInstallation))).all()
        assert installed.workspace_id == acme.id
        query = select(Member).where(Member.slack_user_id == "UMALLORY")
        [mallory] = (await session.exec(query)).all()
        assert mallory.workspace_id == acme.id and mallory.role == Role.operator
        assert len((await session.exec(select(Workspace))).all()) == 2  # none made

    # A signed-out visitor cannot start one: they are sent to sign in, no state is issued.
    stranger = web.client()
    signed_out = await stranger.get("/connections/slack/start")
    assert "/oauth/v2/authorize" not in signed_out.headers.get("location", "")


async def test_connect_slack_in_a_browser(
    page: Page, web: Web, team_slack: FakeSlack, consent: FakeConsent, tmp_path: Path
) -> None:
    consent.app_url = web.url
    await sign_up_in_browser(page, web)
    await page.get_by_role("link", name="Connections", exact=True).click()
    card = page.locator("[data-connection=slack]")
    await expect(card.locator("[data-status]")).to_have_text("Not connected")
    _script_oauth(team_slack)
    await card.get_by_role("link", name="Connect Slack").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Acme Slack")
    [asked] = consent.asked
    assert asked["client_id"] == "111.222" and "chat:write" in asked["scope"]
    await page.get_by_role("link", name="Allow").click()
    await page.wait_for_url(f"{web.url}/connections#slack")
    await expect(page.locator(".flash")).to_have_text("Slack connected to Acme Slack.")
    await expect(card.locator("[data-status]")).to_have_text("Connected")
    await expect(card).to_contain_text("Installed in the Slack workspace Acme Slack")
    await page.evaluate("window.scrollTo(0, 0)")
    await screenshot(page, "connect-slack", tmp_path)
    async with web.runtime.sessions() as session:
        [installed] = (await session.exec(select(SlackInstallation))).all()
    acme = await _workspace(web, "Acme Ops")
    assert installed.workspace_id == acme.id and installed.team_id == "TACME"
