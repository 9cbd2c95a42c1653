"""Slack triggers: a slash command, an @mention, a channel message with a keyword or an emoji
reaction put on a message starts runs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from storage.scope import Tenant
from workflows.emoji import emoji_name
from workflows.spec import SlackTrigger
from workflows.triggers.dispatch import Candidate, Dispatched, active_candidates, dispatch

Kind = Literal["command", "mention", "message", "reaction"]
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")


@dataclass(frozen=True)
class SlackMessage:
    """What someone said in Slack that may start workflows (one delivery, one dedupe `key`)."""

    kind: Kind
    key: str
    channel: str
    text: str
    user: str | None = None
    user_name: str | None = None
    channel_name: str | None = None
    command: str | None = None
    ts: str | None = None
    thread_ts: str | None = None
    team: str | None = None
    reaction: str | None = None  # a reaction: the emoji's name; `ts` is the message reacted to
    item_user: str | None = None  # a reaction: who wrote the message reacted to
    item_user_name: str | None = None

    def payload(self) -> dict[str, Any]:
        """The run's trigger payload (`trigger.text`, `trigger.channel`, `trigger.user` …)."""
        found = {
            "kind": self.kind,
            "text": self.text,
            "user": self.user,
            "user_name": self.user_name,
            "channel": self.channel,
            "channel_name": self.channel_name,
            "command": self.command,
            "ts": self.ts,
            "thread_ts": self.thread_ts,
            "team": self.team,
            "reaction": self.reaction,
            "item_user": self.item_user,
            "item_user_name": self.item_user_name,
        }
        return {k: v for k, v in found.items() if v is not None}


def command_name(command: str) -> str:
    """`/Lead` and `lead` alike → `/lead`."""
    return "/" + command.strip().lstrip("/").lower()


def names_a_channel_by_name(trigger: SlackTrigger) -> bool:
    """Whether the trigger names its channel (`#help`) rather than giving its id."""
    return bool(trigger.channel) and not _CHANNEL_ID.match(str(trigger.channel))


def in_channel(trigger: SlackTrigger, message: SlackMessage) -> bool:
    """No channel on the trigger, or the message's channel by id or by name."""
    if not trigger.channel:
        return True
    wanted = trigger.channel.strip()
    if _CHANNEL_ID.match(wanted):
        return wanted == message.channel
    name = wanted.lstrip("#").lower()
    return bool(message.channel_name) and name == str(message.channel_name).lstrip("#").lower()


def has_keyword(trigger: SlackTrigger, text: str) -> bool:
    """No keyword, or the keyword in the text (any case)."""
    return not trigger.keyword or trigger.keyword.strip().lower() in text.lower()


def listens_for(trigger: SlackTrigger, message: SlackMessage) -> bool:
    """Whether this trigger starts on this message.

    A trigger with `command` listens to that slash command only; one with `mention` to
    @mentions of Levqor; one with `reaction` to that emoji put on a message (in its channel,
    if it names one); any other (a channel and/or a keyword) to plain channel messages.
    """
    if trigger.reaction:
        return (
            message.kind == "reaction"
            and emoji_name(trigger.reaction) == emoji_name(message.reaction or "")
            and in_channel(trigger, message)
            and has_keyword(trigger, message.text)
        )
    if trigger.command:
        return (
            message.kind == "command"
            and command_name(trigger.command) == command_name(message.command or "")
            and in_channel(trigger, message)
            and has_keyword(trigger, message.text)
        )
    if trigger.mention:
        return (
            message.kind == "mention"
            and in_channel(trigger, message)
            and has_keyword(trigger, message.text)
        )
    if message.kind != "message" or not (trigger.channel or trigger.keyword):
        return False
    return in_channel(trigger, message) and has_keyword(trigger, message.text)


async def slack_candidates(tenant: Tenant) -> list[tuple[Candidate, SlackTrigger]]:
    """The workspace's active workflows with a Slack trigger."""
    return [
        (c, c.spec.trigger)
        for c in await active_candidates(tenant, "slack")
        if isinstance(c.spec.trigger, SlackTrigger)
    ]


async def receive(tenant: Tenant, message: SlackMessage) -> Dispatched:
    """Start one run per active workflow listening for this message (deduped on its key)."""
    matching = [c for c, trigger in await slack_candidates(tenant) if listens_for(trigger, message)]
    if not matching:
        return Dispatched(skipped=f"no active workflow listens for this Slack {message.kind}")
    return await dispatch(
        tenant, matching, trigger_type="slack", payload=message.payload(), key=message.key
    )
