"""The manifest installs what the code uses: scopes, /levqor, events, interactivity, App Home."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.slack.app import BOT_SCOPES, REDIRECT_PATH
from bot.slack.listeners.events import EVENTS

MANIFEST = Path(__file__).resolve().parents[3] / "bot" / "slack" / "manifest.yml"


def manifest() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(MANIFEST.read_text())
    return data


def test_scopes_match_the_oauth_flow() -> None:
    assert manifest()["oauth_config"]["scopes"]["bot"] == BOT_SCOPES
    [redirect] = manifest()["oauth_config"]["redirect_urls"]
    assert redirect.endswith(REDIRECT_PATH)


def test_every_request_goes_to_one_url() -> None:
    data = manifest()
    [command] = data["features"]["slash_commands"]
    urls = {
        command["url"],
        data["settings"]["event_subscriptions"]["request_url"],
        data["settings"]["interactivity"]["request_url"],
    }
    assert command["command"] == "/levqor"
    assert len(urls) == 1 and urls.pop().endswith("/slack/events")
    assert data["settings"]["interactivity"]["is_enabled"] is True


def test_events_and_home_tab() -> None:
    data = manifest()
    subscribed = {e.split(".")[0] for e in data["settings"]["event_subscriptions"]["bot_events"]}
    assert subscribed == set(EVENTS)
    events = data["settings"]["event_subscriptions"]["bot_events"]
    # DMs converse; channel messages (public and private) feed keyword triggers.
    assert {"message.im", "message.channels", "message.groups"} <= set(events)
    assert data["features"]["app_home"]["home_tab_enabled"] is True
    scopes = set(BOT_SCOPES)
    assert {"app_mentions:read", "im:history", "commands", "chat:write"} <= scopes
    assert {"channels:history", "groups:history", "channels:read"} <= scopes
