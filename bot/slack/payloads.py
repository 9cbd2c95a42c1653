"""Slack payloads parsed into small typed models (only the fields the listeners use)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


def _team(body: dict[str, Any]) -> str | None:
    team = body.get("team")
    if isinstance(team, dict):
        return team.get("id")
    return body.get("team_id") or (body.get("user") or {}).get("team_id")


@dataclass(frozen=True)
class SlashCommand:
    """A `/levqor …` invocation."""

    team_id: str | None
    user_id: str
    user_name: str | None
    channel_id: str
    text: str

    @classmethod
    def of(cls, body: dict[str, Any]) -> SlashCommand:
        """Parse the form fields of a slash command."""
        return cls(
            team_id=body.get("team_id"),
            user_id=body["user_id"],
            user_name=body.get("user_name"),
            channel_id=body.get("channel_id", ""),
            text=" ".join(str(body.get("text", "")).split()),
        )

    def words(self) -> tuple[str, str]:
        """The first word (lower-cased) and the rest."""
        first, _, rest = self.text.partition(" ")
        return first.lower(), rest.strip()


@dataclass(frozen=True)
class Click:
    """A button click (block_actions) on a message or on the home tab."""

    team_id: str | None
    user_id: str
    user_name: str | None
    action_id: str
    value: str
    trigger_id: str | None
    channel_id: str | None
    message_ts: str | None

    @classmethod
    def of(cls, body: dict[str, Any]) -> Click:
        """Parse a block_actions payload (its first action)."""
        user = body.get("user") or {}
        action = (body.get("actions") or [{}])[0]
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        message = body.get("message") or {}
        return cls(
            team_id=_team(body),
            user_id=user["id"],
            user_name=user.get("username") or user.get("name"),
            action_id=str(action.get("action_id", "")),
            value=str(action.get("value", "")),
            trigger_id=body.get("trigger_id"),
            channel_id=channel,
            message_ts=message.get("ts") or container.get("message_ts"),
        )


@dataclass(frozen=True)
class CardRef:
    """Which approval a modal is about and which message shows its card."""

    approval_id: str
    channel_id: str | None
    message_ts: str | None

    def dump(self) -> str:
        """The modal's private_metadata."""
        return json.dumps({"a": self.approval_id, "c": self.channel_id, "t": self.message_ts})

    @classmethod
    def load(cls, text: str) -> CardRef:
        """Read private_metadata written by `dump`."""
        data = json.loads(text or "{}")
        return cls(str(data.get("a", "")), data.get("c"), data.get("t"))


@dataclass(frozen=True)
class Submission:
    """A modal submitted (view_submission)."""

    team_id: str | None
    user_id: str
    user_name: str | None
    card: CardRef
    values: dict[str, Any]

    @classmethod
    def of(cls, body: dict[str, Any]) -> Submission:
        """Parse a view_submission payload."""
        user = body.get("user") or {}
        view = body.get("view") or {}
        return cls(
            team_id=_team(body),
            user_id=user["id"],
            user_name=user.get("username") or user.get("name"),
            card=CardRef.load(view.get("private_metadata", "")),
            values=(view.get("state") or {}).get("values", {}),
        )
