"""The card says who may approve this request now and what each must do, as the policy decides
it for each member of the workspace (not the rules for every case in one sentence)."""

from __future__ import annotations

import uuid

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


async def test_an_owners_own_class_c_names_the_admin_as_second_approver(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    owner = await member(sessions, workspace, Role.owner)
    who = await _card_who(settings, workspace, owner, DELETE)
    assert who == "Adam Admin (admin) types its name"


async def test_a_members_class_c_names_the_owner(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    operator = await member(sessions, workspace, Role.operator)
    who = await _card_who(settings, workspace, operator, DELETE)
    assert who == "Olivia Owner (owner) types its name"


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
