"""Slack users as members: each Slack user of a team maps to one member of its workspace.

In single-token mode `SLACK_OWNER_IDS` names the owners; everyone else joins as an operator the
first time they act, and keeps whatever role an owner gives them later.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.workspaces import add_member
from storage.models import Member, Role, Workspace


async def find_member(
    session: AsyncSession, workspace: Workspace, slack_user_id: str
) -> Member | None:
    """The member this Slack user already is in the workspace, if any."""
    query = select(Member).where(
        Member.workspace_id == workspace.id, Member.slack_user_id == slack_user_id
    )
    return (await session.exec(query.order_by(col(Member.created_at)))).first()


async def member_for_slack_user(
    session: AsyncSession,
    workspace: Workspace,
    slack_user_id: str,
    *,
    name: str | None = None,
    owner_ids: Collection[str] = (),
    email_of: Callable[[], Awaitable[str | None]] | None = None,
) -> Member:
    """The member behind a Slack user, created on first contact (owner if listed, else operator).

    On first contact `email_of` (when given) asks Slack for the user's address: a member of the
    workspace with that address and no Slack user yet (someone who signed up or was invited on
    the web) becomes this Slack user, keeping their role, instead of a second member.
    A user listed in `owner_ids` is always an owner; anyone else keeps the role they have.
    The caller commits.
    """
    member = await find_member(session, workspace, slack_user_id)
    if member is None and email_of is not None and (email := await email_of()):
        member = await _unlinked_with_email(session, workspace, email)
        if member is not None:
            member.slack_user_id = slack_user_id
            session.add(member)
    if member is None:
        role = Role.owner if slack_user_id in owner_ids else Role.operator
        member = await add_member(
            session, workspace, name or slack_user_id, role, slack_user_id=slack_user_id
        )
    elif slack_user_id in owner_ids and member.role != Role.owner:
        member.role = Role.owner
        session.add(member)
    return member


async def _unlinked_with_email(
    session: AsyncSession, workspace: Workspace, email: str
) -> Member | None:
    """The workspace's member with this address (any case) and no Slack user yet, if any."""
    query = select(Member).where(
        Member.workspace_id == workspace.id,
        func.lower(col(Member.email)) == email.lower(),
        col(Member.slack_user_id).is_(None),
    )
    return (await session.exec(query)).first()
