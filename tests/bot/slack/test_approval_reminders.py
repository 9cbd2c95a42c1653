"""A card posted by /levqor is chased in its own thread when nobody decides (injected clock)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.slack import ids
from tests.bot.slack.conftest import SlackLive
from tests.bot.slack.harness import button_values
from tests.bot.slack.test_approval_flow import SUMMARY, approval, post_card


async def test_the_reminder_replies_in_the_cards_thread(live_slack: SlackLive) -> None:
    live = live_slack
    card = await post_card(live, SUMMARY)
    approval_id = button_values(card.args["blocks"])[ids.APPROVE]
    for _ in range(100):  # the card's place is recorded just after it is posted
        asked = await approval(live, approval_id)
        if asked.slack_ts:
            break
        await asyncio.sleep(0.05)
    assert asked.slack_channel == "C0SALES" and asked.slack_ts

    done = await live.runtime.chaser.chase(asked.created_at + timedelta(hours=25))
    assert done.reminded == [approval_id]
    replies = [c for c in live.slack.fake.calls("chat.postMessage") if c.args.get("thread_ts")]
    assert len(replies) == 1
    assert replies[0].args["channel"] == "C0SALES"
    assert replies[0].args["thread_ts"] == asked.slack_ts
    assert "has waited 25 hours for approval" in replies[0].args["text"]
