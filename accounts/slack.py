"""Slack users as members: each Slack user of a team maps to one member of its workspace.

In single-token mode `SLACK_OWNER_IDS` names the owners; everyone else joins as an operator the
first time they act, and keeps whatever role an owner gives them later.
"""

from __future__ import annotations

from collections.abc import Collection

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
) -> Member:
    """The member behind a Slack user, created on first contact (owner if listed, else operator).

    A user listed in `owner_ids` is always an owner; anyone else keeps the role they have.
    The caller commits.
    """
    member = await find_member(session, workspace, slack_user_id)
    if member is None:
        role = Role.owner if slack_user_id in owner_ids else Role.operator
        member = await add_member(
            session, workspace, name or slack_user_id, role, slack_user_id=slack_user_id
        )
    elif slack_user_id in owner_ids and member.role != Role.owner:
        member.role = Role.owner
        session.add(member)
    return member
