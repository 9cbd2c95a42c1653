"""Workspace invites: create, accept (new person / existing login), expiry, reuse, revoke, roles."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts import invites
from accounts.invite_mail import email_invite
from accounts.web_auth import SignUpError, sign_up
from storage.config import Settings
from storage.models import Member, OutboxMessage, Role, WebInvite, WebLogin, Workspace
from storage.scope import Tenant
from storage.types import utcnow
from tests.fakes.smtp_inbox import Inbox, smtp_inbox

Sessions = async_sessionmaker[AsyncSession]
PASSWORD = "correct horse battery"


async def member(sessions: Sessions, ws: Workspace, role: Role) -> Member:
    """The fixture workspace's member with this role."""
    async with sessions() as session:
        query = select(Member).where(Member.workspace_id == ws.id, Member.role == role)
        return (await session.exec(query)).one()


async def invite(
    sessions: Sessions, ws: Workspace, email: str, role: Role | str, by: Role = Role.owner
) -> invites.NewInvite:
    """Create and commit an invite as the workspace's member with role `by`."""
    inviter = await member(sessions, ws, by)
    async with sessions() as session:
        new = await invites.create_invite(Tenant(session, ws.id), inviter, email, role)
        await session.commit()
        return new


async def accept(sessions: Sessions, token: str, name: str = "Nina New") -> invites.Joined:
    async with sessions() as session:
        joined = await invites.accept_invite(session, token, name=name, password=PASSWORD)
        await session.commit()
        return joined


async def stored(sessions: Sessions, invite_id: str) -> WebInvite:
    async with sessions() as session:
        row = await session.get(WebInvite, invite_id)
    assert row is not None
    return row


async def gone_reason(sessions: Sessions, token: str) -> str:
    async with sessions() as session:
        with pytest.raises(invites.InviteGone) as opened:
            await invites.open_invite(session, token)
        with pytest.raises(invites.InviteGone) as accepted:
            await invites.accept_invite(session, token, name="X", password=PASSWORD)
    assert opened.value.reason == accepted.value.reason
    return opened.value.reason


async def test_an_invite_keeps_only_the_token_hash_and_lasts_seven_days(
    sessions: Sessions, workspace: Workspace
) -> None:
    new = await invite(sessions, workspace, " Nina@Example.org ", "admin")
    row = await stored(sessions, new.invite.id)
    assert row.email == "nina@example.org" and row.role == Role.admin
    assert row.token_hash == hashlib.sha256(new.token.encode()).hexdigest() != new.token
    assert len(new.token) >= 40
    left = row.expires_at - utcnow()
    assert timedelta(days=6, hours=23) < left <= timedelta(days=7)
    async with sessions() as session:
        pending = await invites.pending_invites(Tenant(session, workspace.id))
        found = await invites.open_invite(session, new.token)
    assert [p.id for p in pending] == [new.invite.id]
    assert found.workspace.id == workspace.id and found.login is None
    link = invites.invite_link("https://levqor.example/", new.token)
    assert link == f"https://levqor.example/invite/{new.token}"


async def test_a_new_person_joins_that_workspace_with_the_invited_role(
    sessions: Sessions, workspace: Workspace
) -> None:
    new = await invite(sessions, workspace, "nina@example.org", Role.admin)
    joined = await accept(sessions, new.token)
    assert joined.workspace.id == workspace.id
    async with sessions() as session:
        login = (await session.exec(select(WebLogin))).one()
        person = await session.get(Member, login.member_id)
        workspaces = (await session.exec(select(func.count()).select_from(Workspace))).one()
    assert person is not None
    assert (person.workspace_id, person.name, person.role, person.email) == (
        workspace.id, "Nina New", Role.admin, "nina@example.org",
    )  # fmt: skip
    assert login.workspace_id == workspace.id and login.email == "nina@example.org"
    assert workspaces == 1  # no new workspace
    row = await stored(sessions, new.invite.id)
    assert row.accepted_at is not None and row.accepted_by == person.id


async def test_a_bad_name_or_password_leaves_the_invite_pending(
    sessions: Sessions, workspace: Workspace
) -> None:
    new = await invite(sessions, workspace, "nina@example.org", "viewer")
    async with sessions() as session:
        with pytest.raises(SignUpError) as short:
            await invites.accept_invite(session, new.token, name="Nina", password="short")
        with pytest.raises(SignUpError) as nameless:
            await invites.accept_invite(session, new.token, name=" ", password=PASSWORD)
    assert (short.value.field, nameless.value.field) == ("password", "name")
    assert (await stored(sessions, new.invite.id)).accepted_at is None
    await accept(sessions, new.token)


async def test_an_existing_login_elsewhere_is_refused_with_a_clear_error(
    sessions: Sessions, workspace: Workspace
) -> None:
    async with sessions() as session:
        await sign_up(
            session, workspace_name="Other Co", name="Nina", email="nina@example.org",
            password=PASSWORD,
        )  # fmt: skip
        await session.commit()
    new = await invite(sessions, workspace, "nina@example.org", "operator")
    async with sessions() as session:
        found = await invites.open_invite(session, new.token)
        assert found.login is not None  # the page asks for the existing login's password
        with pytest.raises(SignUpError) as wrong:
            await invites.accept_invite(session, new.token, name="", password="not the password")
        with pytest.raises(invites.LoginElsewhere) as elsewhere:
            await invites.accept_invite(session, new.token, name="", password=PASSWORD)
    assert wrong.value.field == "password"
    assert "Other Co" in str(elsewhere.value) and "one workspace only" in str(elsewhere.value)
    assert "Acme" in str(elsewhere.value)
    assert (await stored(sessions, new.invite.id)).accepted_at is None
    async with sessions() as session:
        in_acme = select(Member).where(Member.workspace_id == workspace.id)
        emails = {m.email for m in (await session.exec(in_acme)).all()}
    assert "nina@example.org" not in emails


async def test_an_existing_member_is_not_invited_again(
    sessions: Sessions, workspace: Workspace
) -> None:
    with pytest.raises(invites.InviteError, match="already a member"):
        await invite(sessions, workspace, "Operator@example.com", "admin")
    with pytest.raises(invites.InviteError, match="email address"):
        await invite(sessions, workspace, "not-an-address", "admin")


async def test_an_expired_invite_cannot_be_used(sessions: Sessions, workspace: Workspace) -> None:
    new = await invite(sessions, workspace, "nina@example.org", "operator")
    async with sessions() as session:
        row = await session.get(WebInvite, new.invite.id)
        assert row is not None
        row.expires_at = utcnow() - timedelta(seconds=1)
        await session.commit()
    assert await gone_reason(sessions, new.token) == "expired"
    async with sessions() as session:
        assert await invites.pending_invites(Tenant(session, workspace.id)) == []


async def test_an_invite_is_single_use(sessions: Sessions, workspace: Workspace) -> None:
    new = await invite(sessions, workspace, "nina@example.org", "operator")
    await accept(sessions, new.token)
    assert await gone_reason(sessions, new.token) == "used"
    assert await gone_reason(sessions, new.token + "x") == "unknown"
    async with sessions() as session:
        logins = (await session.exec(select(func.count()).select_from(WebLogin))).one()
    assert logins == 1


async def test_revoking_stops_the_link_and_reinviting_replaces_the_pending_one(
    sessions: Sessions, workspace: Workspace
) -> None:
    first = await invite(sessions, workspace, "nina@example.org", "viewer")
    second = await invite(sessions, workspace, "NINA@example.org", "operator", by=Role.admin)
    assert await gone_reason(sessions, first.token) == "revoked"
    async with sessions() as session:
        pending = await invites.pending_invites(Tenant(session, workspace.id))
    assert [(p.id, p.role) for p in pending] == [(second.invite.id, Role.operator)]
    admin = await member(sessions, workspace, Role.admin)
    async with sessions() as session:
        await invites.revoke_invite(Tenant(session, workspace.id), admin, second.invite.id)
        await session.commit()
    assert await gone_reason(sessions, second.token) == "revoked"
    async with sessions() as session:
        tenant = Tenant(session, workspace.id)
        assert await invites.pending_invites(tenant) == []
        with pytest.raises(invites.InviteError, match="not pending"):
            await invites.revoke_invite(tenant, admin, second.invite.id)


async def test_only_owners_and_admins_invite_and_only_owners_invite_owners(
    sessions: Sessions, workspace: Workspace
) -> None:
    for role in (Role.operator, Role.viewer):
        with pytest.raises(invites.InviteError, match="Only an owner or admin"):
            await invite(sessions, workspace, "x@example.org", "viewer", by=role)
    with pytest.raises(invites.InviteError, match="Only an owner can invite another owner"):
        await invite(sessions, workspace, "x@example.org", "owner", by=Role.admin)
    with pytest.raises(invites.InviteError, match="no role"):
        await invite(sessions, workspace, "x@example.org", "superuser")
    await invite(sessions, workspace, "admin2@example.org", "admin", by=Role.admin)
    boss = await invite(sessions, workspace, "boss@example.org", "owner")
    assert invites.grantable_roles(Role.owner) == list(Role)
    assert Role.owner not in invites.grantable_roles(Role.admin)
    assert invites.grantable_roles(Role.operator) == invites.grantable_roles(Role.viewer) == []
    admin = await member(sessions, workspace, Role.admin)
    operator = await member(sessions, workspace, Role.operator)
    async with sessions() as session:
        tenant = Tenant(session, workspace.id)
        with pytest.raises(invites.InviteError, match="another owner"):
            await invites.revoke_invite(tenant, admin, boss.invite.id)
        with pytest.raises(invites.InviteError, match="Only an owner or admin"):
            await invites.revoke_invite(tenant, operator, boss.invite.id)
    assert (await stored(sessions, boss.invite.id)).revoked_at is None
    joined = await accept(sessions, boss.token, "Bo Boss")
    async with sessions() as session:
        person = await session.get(Member, joined.login.member_id)
    assert person is not None and person.role == Role.owner


async def test_another_workspaces_invite_cannot_be_revoked(
    sessions: Sessions, workspace: Workspace
) -> None:
    new = await invite(sessions, workspace, "nina@example.org", "operator")
    async with sessions() as session:
        other = Workspace(slug="globex", name="Globex")
        session.add(other)
        await session.flush()
        their_owner = Member(workspace_id=other.id, name="G", role=Role.owner, email="g@x.org")
        session.add(their_owner)
        await session.commit()
    async with sessions() as session:
        tenant = Tenant(session, other.id)
        with pytest.raises(invites.InviteError, match="not pending"):
            await invites.revoke_invite(tenant, their_owner, new.invite.id)
        assert await invites.pending_invites(tenant) == []
        await session.commit()
    assert (await stored(sessions, new.invite.id)).revoked_at is None


async def test_without_smtp_the_outbox_keeps_the_mail_but_not_the_link(
    sessions: Sessions, workspace: Workspace, settings: Settings
) -> None:
    new = await invite(sessions, workspace, "nina@example.org", "operator")
    link = invites.invite_link(settings.public_url, new.token)
    async with httpx.AsyncClient() as http:
        mail = await email_invite(settings, sessions, http, new, workspace, "Olivia", link)
    assert mail.delivered == "outbox"
    async with sessions() as session:
        row = (await session.exec(select(OutboxMessage))).one()
    assert (row.workspace_id, row.channel, row.target) == (workspace.id, "email", new.invite.email)
    assert row.status == "pending" and row.subject == "Join Acme on Levqor"
    assert "Olivia invited you" in row.body and new.token not in row.body
    assert new.token not in str(row.payload)


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_inbox() as running:
        yield running


async def test_with_smtp_the_invitee_gets_the_link_once(
    sessions: Sessions, workspace: Workspace, settings: Settings, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    live = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{port}"})
    new = await invite(sessions, workspace, "nina@example.org", "admin")
    link = invites.invite_link("https://levqor.example", new.token)
    async with httpx.AsyncClient() as http:
        first = await email_invite(live, sessions, http, new, workspace, "Olivia", link)
        again = await email_invite(live, sessions, http, new, workspace, "Olivia", link)
    assert (first.delivered, again.delivered) == ("email", "email")
    assert len(inbox.envelopes) == 1  # keyed by the invite: a repeat does not send twice
    envelope = inbox.envelopes[0]
    assert envelope.rcpt_tos == ["nina@example.org"]
    message = message_from_bytes(envelope.content)
    assert message["Subject"] == "Join Acme on Levqor"
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    text = body.decode()
    assert link in text and "as admin" in text
    async with sessions() as session:
        row = (await session.exec(select(OutboxMessage))).one()
    assert row.status == "sent" and new.token not in row.body
