"""OAuth installs kept in our database: each Slack team gets (or keeps) its Levqor workspace."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any

from slack_bolt.error import BoltError
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.slack import member_for_slack_user
from accounts.subscriptions import start_trial
from accounts.workspaces import create_workspace
from integrations.credentials import load_credential, store_credential
from storage.config import Settings
from storage.models import AuditLog, Member, SlackInstallation, SlackOAuthState, Workspace
from storage.types import utcnow

log = logging.getLogger("levqor.slack")
TOKEN_NAME = "bot_token"


class SlackTeamTaken(BoltError):
    """A connect refused: its message says why, in words, and what to do."""


def slug_for_team(team_id: str) -> str:
    """The Levqor workspace slug made for a Slack team on its first install."""
    return f"slack-{team_id.lower()}"


async def installation_for_team(session: AsyncSession, team_id: str) -> SlackInstallation | None:
    """The installation row of a Slack team, if Levqor is installed there."""
    query = select(SlackInstallation).where(SlackInstallation.team_id == team_id)
    return (await session.exec(query)).first()


class DatabaseInstallationStore(AsyncInstallationStore):
    """Bolt's installation store over `slack_installation` plus an encrypted bot token."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self.sessions = sessions
        self.settings = settings

    @property
    def logger(self) -> logging.Logger:
        """The store's logger."""
        return log

    async def async_save(self, installation: Installation) -> None:
        """Record an install: a workspace for a new team (on the free trial when Levqor's billing
        is set up, as a web sign-up is), the token, the installer as owner."""
        team_id = installation.team_id
        if not team_id or not installation.bot_token:
            raise ValueError("Levqor installs into one Slack workspace, with a bot token")
        async with self.sessions() as session:
            row = await installation_for_team(session, team_id)
            if row is None:
                name = installation.team_name or team_id
                workspace = await create_workspace(session, slug_for_team(team_id), name)
                if self.settings.stripe_billing_secret_key is not None:
                    start_trial(session, workspace)  # the same plan and limits as a web sign-up
                row = SlackInstallation(workspace_id=workspace.id, team_id=team_id)
            else:
                found = await session.get(Workspace, row.workspace_id)
                assert found is not None
                workspace = found
            row.team_name, row.enterprise_id = installation.team_name, installation.enterprise_id
            row.app_id, row.bot_id = installation.app_id, installation.bot_id
            row.bot_user_id, row.installer_user_id = installation.bot_user_id, installation.user_id
            row.bot_scopes = ",".join(installation.bot_scopes or [])
            row.installed_at = utcnow()
            session.add(row)
            await store_credential(
                session,
                workspace.id,
                "slack",
                TOKEN_NAME,
                installation.bot_token,
                settings=self.settings,
            )
            installer = installation.user_id
            # The installer owns a workspace made for the team; a re-install into a workspace
            # that signed up on the web and connected Slack makes no one an owner.
            made_for_team = workspace.slug == slug_for_team(team_id)
            owners = [installer] if made_for_team else []
            await member_for_slack_user(session, workspace, installer, owner_ids=owners)
            await session.commit()

    async def save_for_workspace(
        self, installation: Installation, workspace_id: str, member_id: str | None
    ) -> str:
        """Record an install started from a signed-in workspace's Connections page: the team's
        bot token is stored for that workspace. A team connected to another Levqor workspace, or
        a workspace already connected to another team, is refused (never moved silently).
        Returns the Slack team's name."""
        team_id = installation.team_id
        if not team_id or not installation.bot_token:
            raise SlackTeamTaken("Levqor installs into one Slack workspace, with a bot token.")
        team = installation.team_name or team_id
        async with self.sessions() as session:
            workspace = await session.get(Workspace, workspace_id)
            if workspace is None:
                raise SlackTeamTaken("The Levqor workspace that asked for Slack no longer exists.")
            row = await installation_for_team(session, team_id)
            if row is not None and row.workspace_id != workspace_id:
                raise SlackTeamTaken(
                    f"The Slack workspace {team} is already connected to another Levqor "
                    "workspace. Disconnect it there first (Connections, then Disconnect under "
                    "Slack), then connect it here."
                )
            query = select(SlackInstallation).where(SlackInstallation.workspace_id == workspace_id)
            other = (await session.exec(query)).first()
            if other is not None and other.team_id != team_id:
                raise SlackTeamTaken(
                    f"This workspace is already connected to the Slack workspace "
                    f"{other.team_name or other.team_id}. Disconnect it first, then connect "
                    f"{team}."
                )
            row = row or SlackInstallation(workspace_id=workspace_id, team_id=team_id)
            row.team_name, row.enterprise_id = installation.team_name, installation.enterprise_id
            row.app_id, row.bot_id = installation.app_id, installation.bot_id
            row.bot_user_id, row.installer_user_id = installation.bot_user_id, installation.user_id
            row.bot_scopes = ",".join(installation.bot_scopes or [])
            row.installed_at = utcnow()
            session.add(row)
            await store_credential(
                session, workspace_id, "slack", TOKEN_NAME, installation.bot_token,
                settings=self.settings,
            )  # fmt: skip
            await _link_installer(session, workspace, member_id, installation.user_id)
            session.add(
                AuditLog(
                    workspace_id=workspace_id, actor=member_id or "system",
                    action="connection.saved", subject="slack", detail={"team": team_id},
                )
            )  # fmt: skip
            await session.commit()
        return team

    async def async_save_bot(self, bot: Bot) -> None:
        """Bots are saved with their installation (`async_save`)."""

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        """The bot (and its token) installed in a team."""
        if not team_id:
            return None
        async with self.sessions() as session:
            row = await installation_for_team(session, team_id)
            if row is None:
                return None
            token = await load_credential(
                session, row.workspace_id, "slack", TOKEN_NAME, settings=self.settings
            )
        if token is None or row.bot_id is None or row.bot_user_id is None:
            return None
        return Bot(
            app_id=row.app_id,
            enterprise_id=row.enterprise_id,
            team_id=row.team_id,
            team_name=row.team_name,
            bot_token=token,
            bot_id=row.bot_id,
            bot_user_id=row.bot_user_id,
            bot_scopes=row.bot_scopes,
            installed_at=row.installed_at,
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The installation of a team (bot part only: Levqor asks for no user tokens)."""
        bot = await self.async_find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None:
            return None
        return Installation(
            app_id=bot.app_id,
            enterprise_id=bot.enterprise_id,
            team_id=bot.team_id,
            team_name=bot.team_name,
            bot_token=bot.bot_token,
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
            bot_scopes=bot.bot_scopes,
            user_id=user_id or "",
            installed_at=bot.installed_at,
        )


async def _link_installer(
    session: AsyncSession, workspace: Workspace, member_id: str | None, slack_user_id: str | None
) -> None:
    """The member who connected Slack is, from now on, the Slack user who installed it (unless
    that Slack user is already a member here, or the member already has a Slack user)."""
    if member_id is None or not slack_user_id:
        return
    member = await session.get(Member, member_id)
    if member is None or member.workspace_id != workspace.id or member.slack_user_id:
        return
    if await member_for_slack_user_exists(session, workspace.id, slack_user_id):
        return
    member.slack_user_id = slack_user_id
    session.add(member)


async def member_for_slack_user_exists(
    session: AsyncSession, workspace_id: str, slack_user_id: str
) -> bool:
    """Whether a member of the workspace already is this Slack user."""
    query = select(Member).where(
        Member.workspace_id == workspace_id, Member.slack_user_id == slack_user_id
    )
    return (await session.exec(query)).first() is not None


class DatabaseStateStore(AsyncOAuthStateStore):
    """One-time OAuth `state` values in the database (any web node can finish the flow)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], expiry_seconds: int = 600):
        self.sessions = sessions
        self.expiry = timedelta(seconds=expiry_seconds)
        # Consumed "Connect Slack" states by value, from the state check to the install's save
        # (both within one callback request on this node).
        self.claimed: dict[str, SlackOAuthState] = {}

    @property
    def logger(self) -> logging.Logger:
        """The store's logger."""
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        """A new state value."""
        return await self.issue_for()

    async def issue_for(self, workspace_id: str | None = None, member_id: str | None = None) -> str:
        """A new state value, carrying the signed-in workspace (and member) when given."""
        state = secrets.token_urlsafe(32)
        async with self.sessions() as session:
            row = SlackOAuthState(state=state, workspace_id=workspace_id, member_id=member_id)
            session.add(row)
            await session.commit()
        return state

    async def async_consume(self, state: str) -> bool:
        """True once for a state we issued within the expiry; it cannot be used again. A state
        from "Connect Slack" is kept aside for the rest of this callback (`claim`)."""
        row = await self.consume(state)
        if row is not None and row.workspace_id is not None:
            self.claimed[row.state] = row
        return row is not None

    def claim(self, state: str | None) -> SlackOAuthState | None:
        """The "Connect Slack" state this callback consumed, taken once (None for an install
        that was not started from a signed-in workspace)."""
        return self.claimed.pop((state or "")[:64], None)

    async def consume(self, state: str) -> SlackOAuthState | None:
        """The state's row, once, if we issued it within the expiry; it cannot be used again."""
        async with self.sessions() as session:
            row = await session.get(SlackOAuthState, state[:64])
            if row is None:
                return None
            await session.delete(row)
            await session.commit()
        return row if utcnow() - row.issued_at <= self.expiry else None
