"""`/levqor workspace`: an agency member lists the agency's clients, switches to one (kept per
Slack user), drafts and lists there, goes back; unlinking sends them back with a sentence; a
workspace that is not an agency is refused in words. Signed slash commands into the real app."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from accounts import subscriptions
from accounts.agencies import unlink
from accounts.workspaces import add_member, create_workspace
from integrations.catalog import default_registry
from storage.models import Member, Role, Workflow, Workspace
from tests.bot.api.test_billing_limits import HELLO
from tests.bot.slack.conftest import SlackLive
from tests.bot.slack.test_commands import ask
from tests.workflows.helpers import activate


async def on_plan(live: SlackLive, plan: str) -> None:
    async with live.runtime.sessions() as session:
        ws = await session.get(Workspace, live.workspace.id)
        assert ws is not None
        found = await subscriptions.subscription_of(session, ws.id)
        (found or subscriptions.start_trial(session, ws)).plan = plan
        await session.commit()


async def test_a_workspace_that_is_not_an_agency_is_refused_in_words(
    live_slack: SlackLive,
) -> None:
    await on_plan(live_slack, "growth")
    for text in ("workspace", "workspace lee-bakery"):
        said = await ask(live_slack, text)
        assert "Default workspace is not an agency workspace" in said
        assert "Agency plan" in said


async def test_agency_member_switches_to_a_client_drafts_there_and_goes_back(
    live_slack: SlackLive,
) -> None:
    live = live_slack
    await on_plan(live, "agency")
    async with live.runtime.sessions() as session:
        home = await session.get(Workspace, live.workspace.id)
        assert home is not None
        client = await create_workspace(session, "lee-bakery", "Lee Bakery", parent=home)
        await add_member(session, client, "Lee Owner", Role.owner)
        await create_workspace(session, "stranger", "Stranger Ltd")
        await session.commit()
    await live.slack.warm()
    await activate(live.runtime.sessions, client, {**HELLO, "name": "Bakery hello"},
                   default_registry())  # fmt: skip

    listed = await ask(live, "workspace")
    assert "You act in *Default workspace*" in listed
    assert "*Lee Bakery* (`lee-bakery`) — client" in listed
    assert "(`agency`) — your agency ← you act here" in listed
    assert "not a client workspace" in await ask(live, "workspace stranger")

    switched = await ask(live, "workspace lee-bakery")
    assert "You now act in *Lee Bakery*, a client of Default workspace" in switched
    assert "Bakery hello" in await ask(live, "list")  # this Slack user acts in the client now
    assert "No workflows yet" in await ask(live, "list", user="UADMIN")  # others do not
    assert "*Lee Bakery* (`lee-bakery`) — client ← you act here" in await ask(live, "workspace")

    await live.slack.command("every Monday 9am post last week's new leads to #sales")
    [card] = await live.slack.wait_for("chat.postMessage")
    assert card.args["channel"] == "C0SALES"
    async with live.runtime.sessions() as session:
        drafted = (
            await session.exec(select(Workflow).where(Workflow.name != "Bakery hello"))
        ).one()
    assert drafted.workspace_id == client.id  # the draft was made in the client workspace
    [made] = [a for a in await live.audit("workflow.created") if a.subject == drafted.id]
    assert made.workspace_id == client.id and made.actor is not None
    assert made.actor.endswith("(owner)")  # the agency member, with their agency role

    back = await ask(live, "workspace agency")
    assert "You now act in *Default workspace*, your agency's own workspace again" in back
    assert "No workflows yet" in await ask(live, "list")


async def test_unlinking_sends_a_slack_user_back_to_the_agency_with_a_sentence(
    live_slack: SlackLive,
) -> None:
    live = live_slack
    await on_plan(live, "agency")
    async with live.runtime.sessions() as session:
        home = await session.get(Workspace, live.workspace.id)
        assert home is not None
        await create_workspace(session, "lee-bakery", "Lee Bakery", parent=home)
        await session.commit()
    assert "You now act in *Lee Bakery*" in await ask(live, "workspace lee-bakery", user="UADMIN")
    async with live.runtime.sessions() as session:
        home = await session.get(Workspace, live.workspace.id)
        assert home is not None
        admin = (await session.exec(select(Member).where(Member.slack_user_id == "UADMIN"))).one()
        assert admin.acting_workspace_id is not None
        await unlink(session, home, admin, "lee-bakery")
        await session.commit()
        await session.refresh(admin)
        assert admin.acting_workspace_id is None  # forgotten with the link
    listed = await ask(live, "workspace", user="UADMIN")
    assert "You act in *Default workspace*" in listed and "Lee Bakery" not in listed


async def test_a_link_ended_otherwise_is_said_on_the_next_command(live_slack: SlackLive) -> None:
    live = live_slack
    await on_plan(live, "agency")
    async with live.runtime.sessions() as session:
        home = await session.get(Workspace, live.workspace.id)
        assert home is not None
        client = await create_workspace(session, "lee-bakery", "Lee Bakery", parent=home)
        await session.commit()
    assert "You now act in *Lee Bakery*" in await ask(live, "workspace lee-bakery")
    async with live.runtime.sessions() as session:  # the client leaves the agency by itself
        found = await session.get(Workspace, client.id)
        assert found is not None
        found.parent_id = None
        await session.commit()
    _, key = await live.slack.command("list")
    await live.slack.wait_response(key)
    for _ in range(200):
        if len(live.slack.responses.posts(key)) >= 2:
            break
        await asyncio.sleep(0.02)
    notice, listed = live.slack.responses.posts(key)[:2]
    assert notice["text"] == (
        "Lee Bakery is no longer a client of Default workspace, so you are back in Default "
        "workspace."
    )
    assert "No workflows yet" in listed["text"] + str(listed.get("blocks"))
