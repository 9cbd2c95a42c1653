"""Which workspace an agency member acts in: their agency's own, or one of its linked clients.

The web keeps the choice in the browser's session (a cookie holding the client's slug), Slack on
the member (`Member.acting_workspace_id`, set by `/levqor workspace SLUG`); both are checked
against the agency link every time they are used, so unlinking ends the access at once.
"""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.agencies import AgencyError, client_of
from accounts.subscriptions import plan_of, subscription_of
from storage.models import Member, Workspace

BACK_WORDS = ("agency", "home", "back")


async def clients_of(session: AsyncSession, agency: Workspace) -> list[Workspace]:
    """The agency's linked client workspaces, by name."""
    query = select(Workspace).where(Workspace.parent_id == agency.id)
    return list((await session.exec(query.order_by(col(Workspace.name)))).all())


async def is_agency(session: AsyncSession, home: Workspace) -> bool:
    """Whether the workspace is an agency: it has client workspaces or a plan that allows them."""
    if home.parent_id is not None:
        return False
    if await clients_of(session, home):
        return True
    subscription = await subscription_of(session, home.id)
    return subscription is not None and bool(plan_of(subscription).client_workspaces)


def ended_sentence(client_name: str, home: Workspace) -> str:
    """What a member is told when the client they acted in is no longer linked."""
    return f"{client_name} is no longer a client of {home.name}, so you are back in {home.name}."


async def acting_in(
    session: AsyncSession, home: Workspace, member: Member
) -> tuple[Workspace, str | None]:
    """Where a Slack user acts: the client they chose while it is still linked, else their own
    workspace (and, if the link ended, a sentence saying so; the stale choice is forgotten)."""
    if member.acting_workspace_id is None:
        return home, None
    client = await session.get(Workspace, member.acting_workspace_id)
    if client is not None and client.parent_id == home.id and client.deleted_at is None:
        return client, None
    member.acting_workspace_id = None
    session.add(member)
    return home, ended_sentence(client.name if client else "That client", home)


async def act_in(session: AsyncSession, home: Workspace, member: Member, slug: str) -> Workspace:
    """Make a Slack user act in the agency's client `slug`, or back in the agency itself
    ("agency", or its own slug). The caller commits."""
    if not await is_agency(session, home):
        raise AgencyError(
            f"{home.name} is not an agency workspace: switching workspaces is for agencies and "
            "their client workspaces (the Agency plan)."
        )
    wanted = slug.strip().lower()
    if wanted in BACK_WORDS or wanted == home.slug:
        member.acting_workspace_id = None
        session.add(member)
        return home
    client = await client_of(session, home, wanted)
    member.acting_workspace_id = client.id
    session.add(member)
    return client


async def linked_client(session: AsyncSession, home: Workspace, slug: str) -> Workspace | None:
    """The agency's client `slug` while it is linked (and not deleted), else None."""
    try:
        client = await client_of(session, home, slug)
    except AgencyError:
        return None
    return client if client.deleted_at is None else None
