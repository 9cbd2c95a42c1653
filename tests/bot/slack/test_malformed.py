"""Malformed Slack requests get a clear 4xx, never a server error."""

from __future__ import annotations

import json

from tests.bot.slack.conftest import SlackLive
from tests.bot.slack.harness import fixture


async def test_a_non_numeric_timestamp_is_a_401(live_slack: SlackLive) -> None:
    body = json.dumps(fixture("url_verification")).encode()
    for stamp in ("soon", "", "12x", "-5"):
        response = await live_slack.slack.send(
            body,
            "application/json",
            headers={"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=00"},
        )
        assert response.status_code == 401, (stamp, response.text)
