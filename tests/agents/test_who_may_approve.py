"""The card says who may approve this request now and what each must do, as the policy decides
it for each member of the workspace (not the rules for every case in one sentence)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.config import Settings
from storage.models import Member, Role, Workspace
from tests.agents.conversation_worker import open_assistant
from tests.agents.test_conversation import member

DELETE = "every night delete the crm contacts nobody has touched in 2 years"
POST = "every Monday 9am post a report of last week's runs to #ops"


async def _card_who(settings: Settings, workspace: Workspace, asker: Member, request: str) -> str:
    thread = uuid.uuid4().hex
    async with open_assistant(settings, workspace.id, asker.id) as assistant:
        drafted = await assistant.send(thread, request)
        assert drafted.draft is not None, drafted.text
        card = (await assistant.send(thread, "looks good")).approval
        assert card is not None
        return card.who_can_approve


@pytest.mark.parametrize(
    ("asker", "expected"),
    [
        (Role.owner, "Adam Admin (admin) types its name"),  # an owner's own: a second approver
        (Role.operator, "Olivia Owner (owner) types its name"),  # class C: owners only
    ],
)
async def test_a_class_c_card_names_who_may_approve_it_now(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    asker: Role,
    expected: str,
) -> None:
    await member(sessions, workspace, Role.admin)
    requester = await member(sessions, workspace, asker)
    assert await _card_who(settings, workspace, requester, DELETE) == expected


async def test_a_refused_approver_is_told_who_may_approve_this_request(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    """The reply to a refused "approve" named everyone whose role may approve the class, the
    owner who had just been refused included; it now says what the card says."""
    await member(sessions, workspace, Role.admin)
    owner = await member(sessions, workspace, Role.owner)
    thread = uuid.uuid4().hex
    async with open_assistant(settings, workspace.id, owner.id) as assistant:
        drafted = await assistant.send(thread, DELETE)
        assert drafted.draft is not None, drafted.text
        card = (await assistant.send(thread, "looks good")).approval
        assert card is not None and card.approval_class == "C"
        reply = await assistant.send(thread, "approve")
    assert "Who can approve: Adam Admin (admin) types its name." in reply.text, reply.text
    assert "Olivia Owner" not in reply.text.split("Who can approve:")[1]
    assert "still pending" in reply.text and ".." not in reply.text


async def test_a_lone_owner_is_told_the_emailed_confirmation(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    async with sessions() as session:
        admin = await member(sessions, workspace, Role.admin)
        row = await session.get(Member, admin.id)
        assert row is not None
        row.role = Role.operator  # nobody else who could approve
        await session.commit()
    owner = await member(sessions, workspace, Role.owner)
    who = await _card_who(settings, workspace, owner, DELETE)
    assert who == "Olivia Owner (owner) types its name, then confirms from an email we send"


async def test_class_a_lists_everyone_who_approves_with_one_click(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    operator = await member(sessions, workspace, Role.operator)
    who = await _card_who(settings, workspace, operator, POST)
    assert who == (
        "Olivia Owner (owner), Adam Admin (admin), Oscar Operator (operator) approve with one click"
    )  # class A: any member but a viewer, the one who asked included
