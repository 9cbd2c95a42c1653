"""Slack messages handed to the Slack trigger: the workspace of the team, channel names, submit."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.deps import NotInstalled, SlackDeps, workspace_for_team
from storage.models import Workflow
from storage.scope import Tenant
from workflows.triggers import slack
from workflows.triggers.dispatch import Dispatched

log = logging.getLogger("levqor.slack")


@dataclass(frozen=True)
class Started:
    """What one Slack message did: the dispatch, and the names of the workflows it started."""

    dispatched: Dispatched
    names: list[str]

    @property
    def listened(self) -> bool:
        """Whether any workflow listens for this message (started now or by an earlier copy)."""
        return bool(self.dispatched.outcomes)


NAME_SECONDS = 600  # a renamed channel is matched by its new name within ten minutes
_names: dict[str, tuple[float, str | None]] = {}
_people: dict[str, tuple[float, str | None]] = {}


async def _remembered(
    cache: dict[str, tuple[float, str | None]],
    key: str,
    what: str,
    look_up: Callable[[], Awaitable[str | None]],
) -> str | None:
    """`look_up()`'s answer for `key`, remembered `NAME_SECONDS`; None if Slack won't say."""
    known = cache.get(key)
    if known and known[0] > time.monotonic():
        return known[1]
    try:
        name = await look_up()
    except SlackApiError as exc:
        log.warning("could not read the name of %s %s: %s", what, key, exc.response.get("error"))
        return None
    if len(cache) > 10_000:
        cache.clear()
    cache[key] = (time.monotonic() + NAME_SECONDS, name)
    return name


async def channel_name(client: AsyncWebClient, channel: str) -> str | None:
    """The channel's name (`conversations.info`, remembered a while), or None if Slack won't say."""

    async def look_up() -> str | None:
        found = ((await client.conversations_info(channel=channel)).get("channel") or {}).get(
            "name"
        )
        return str(found) if found else None

    return await _remembered(_names, channel, "channel", look_up)


async def person_name(client: AsyncWebClient, user: str) -> str | None:
    """The Slack user's display name (`users.info`, remembered a while), or None if Slack
    won't say: a message's body names who wrote it, not their id."""

    async def look_up() -> str | None:
        found = (await client.users_info(user=user)).get("user") or {}
        profile = found.get("profile") or {}
        said = (profile.get("display_name"), profile.get("real_name"), found.get("name"))
        return next((n for n in said if isinstance(n, str) and n.strip()), None)

    return await _remembered(_people, user, "user", look_up)


async def _named(client: AsyncWebClient, message: slack.SlackMessage) -> slack.SlackMessage:
    """The message with the names a run's messages show: its channel, who said (or reacted),
    and for a reaction who wrote the message."""
    if message.channel_name is None and message.channel:
        message = replace(message, channel_name=await channel_name(client, message.channel))
    if message.user_name is None and message.user:
        message = replace(message, user_name=await person_name(client, message.user))
    if message.kind == "reaction" and message.item_user and message.item_user_name is None:
        message = replace(message, item_user_name=await person_name(client, message.item_user))
    return message


async def start_listeners(
    deps: SlackDeps, client: AsyncWebClient, message: slack.SlackMessage
) -> Started:
    """Start the workflows listening for this message; the names of those started."""
    async with deps.runtime.sessions() as session:
        try:
            workspace = await workspace_for_team(session, deps.settings, message.team)
        except NotInstalled:
            return Started(Dispatched(skipped="Levqor is not installed in this team"), [])
        tenant = Tenant(session, workspace.id)
        listening = await slack.slack_candidates(tenant)
        if message.channel_name is None and any(
            slack.names_a_channel_by_name(trigger) for _, trigger in listening
        ):
            message = replace(message, channel_name=await channel_name(client, message.channel))
        if any(slack.listens_for(trigger, message) for _, trigger in listening):
            message = await _named(client, message)  # only for a message that starts a run
        dispatched = await slack.receive(tenant, message)
        names: list[str] = []
        for outcome in dispatched.outcomes:
            workflow = await tenant.get(Workflow, outcome.workflow_id)
            if outcome.run_id and workflow is not None:
                names.append(workflow.name)
        await session.commit()
    for run_id in dispatched.new_run_ids:
        deps.runtime.submit(run_id)
    log.info(
        "Slack %s %s started %s%s",
        message.kind,
        message.key,
        dispatched.new_run_ids or "nothing",
        f" ({dispatched.reason()})" if dispatched.reason() else "",
    )
    return Started(dispatched, names)
