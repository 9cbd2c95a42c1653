"""What listeners get through the Bolt context: settings, runtime, drafter, conversation, actors."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

from slack_bolt.context.async_context import AsyncBoltContext
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts import closed
from accounts.acting import acting_in
from accounts.slack import member_for_slack_user
from accounts.workspaces import ensure_default
from agents.drafting import Drafter
from bot.slack.installations import installation_for_team
from bot.slack.people import slack_email
from storage.config import Settings
from storage.models import Member, Workspace
from storage.scope import Tenant
from workflows.errors import DomainError, Gone
from workflows.runtime import Runtime

CONTEXT_KEY = "levqor"


@dataclass(frozen=True)
class Said:
    """A reply in a Slack conversation, and options to offer as buttons (clicking one says it)."""

    text: str
    choices: list[str] = field(default_factory=list)


class ConversationHandler(Protocol):
    """Answers a message in a Slack conversation (a mention or a DM) with a reply."""

    async def handle(self, thread_key: str, text: str, member: Member) -> Said:
        """Reply to `text` said by `member` in the conversation `thread_key`."""
        ...


class NotInstalled(DomainError):
    """A request from a Slack team Levqor is not installed in."""


def multi_workspace(settings: Settings) -> bool:
    """Whether Slack is set up for OAuth installs (many teams) rather than one bot token."""
    return bool(settings.slack_client_id and settings.slack_client_secret)


@dataclass
class Actor:
    """A Slack user acting in a Levqor workspace, with the session of this listener."""

    session: AsyncSession
    workspace: Workspace
    member: Member
    slack_user_id: str
    # The Slack team's own workspace (an agency's, when `workspace` is one of its clients), and
    # a sentence to pass on when the client this user acted in was unlinked.
    home: Workspace | None = None
    notice: str | None = None

    @property
    def tenant(self) -> Tenant:
        """The session scoped to the actor's workspace."""
        return Tenant(self.session, self.workspace.id)


@dataclass
class SlackDeps:
    """The Slack app's dependencies, put in every request's Bolt context."""

    settings: Settings
    runtime: Runtime
    drafter: Drafter
    conversation: ConversationHandler
    _locks: weakref.WeakValueDictionary[str, asyncio.Lock] = field(
        default_factory=weakref.WeakValueDictionary
    )
    # Drafting after the ack is the heavy part; a few at a time keeps the loop free for acks.
    drafting_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(2))

    def lock(self, key: str) -> asyncio.Lock:
        """One lock per key in this process (double clicks on one approval take turns)."""
        found = self._locks.get(key)
        if found is None:
            found = asyncio.Lock()
            self._locks[key] = found
        return found

    def link(self, path: str) -> str:
        """An absolute link into Levqor's web pages."""
        return self.settings.public_url.rstrip("/") + path

    @asynccontextmanager
    async def acting(
        self, team_id: str | None, user_id: str, name: str | None
    ) -> AsyncIterator[Actor]:
        """The member behind a Slack user (created on first contact); commits when done."""
        async with self.runtime.sessions() as session:
            workspace = await workspace_for_team(session, self.settings, team_id)
            if workspace.deleted_at is not None:  # deleted, pending its purge: no more work
                await closed.record_refusal(session, workspace.id, "Slack")
                await session.commit()
                raise Gone(closed.CLOSED)
            owners = () if multi_workspace(self.settings) else self.settings.slack_owner_ids
            member = await member_for_slack_user(
                session, workspace, user_id, name=name, owner_ids=owners,
                email_of=partial(slack_email, self.settings, session, workspace, user_id),
            )  # fmt: skip
            acting, notice = await acting_in(session, workspace, member)
            yield Actor(session, acting, member, user_id, home=workspace, notice=notice)
            await session.commit()


async def workspace_for_team(
    session: AsyncSession, settings: Settings, team_id: str | None
) -> Workspace:
    """The Levqor workspace of a Slack team: its installation's, or `default` with one token."""
    if team_id:
        installation = await installation_for_team(session, team_id)
        if installation is not None:
            workspace = await session.get(Workspace, installation.workspace_id)
            if workspace is not None:
                return workspace
    if not multi_workspace(settings):
        return await ensure_default(session)
    raise NotInstalled("Levqor is not installed in this Slack workspace")


def deps_of(context: AsyncBoltContext | dict[str, Any]) -> SlackDeps:
    """The dependencies the app factory put in the context."""
    deps = context[CONTEXT_KEY]
    assert isinstance(deps, SlackDeps)
    return deps
