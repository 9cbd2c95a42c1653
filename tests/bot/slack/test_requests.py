"""Request handling: signatures, stale timestamps, url_verification, Events API retries, 429s."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

from sqlmodel import select

from storage.models import SlackEvent, Workflow
from tests.bot.slack.conftest import SlackLive
from tests.bot.slack.harness import fixture


async def workflows(live: SlackLive) -> list[Workflow]:
    async with live.runtime.sessions() as session:
        return list((await session.exec(select(Workflow))).all())


async def test_url_verification_echoes_the_challenge(live_slack: SlackLive) -> None:
    body = json.dumps(fixture("url_verification")).encode()
    response = await live_slack.slack.send(body, "application/json")
    assert response.status_code == 200
    assert response.json() == {"challenge": fixture("url_verification")["challenge"]}


async def test_bad_signature_is_refused_and_nothing_runs(live_slack: SlackLive) -> None:
    live = live_slack
    form = fixture("slash_command")
    body = urlencode(form).encode()
    response = await live.slack.send(body, "application/x-www-form-urlencoded", secret="wrong")
    assert response.status_code == 401
    tampered = await live.slack.send(
        body,
        "application/x-www-form-urlencoded",
        headers={"X-Slack-Signature": "v0=" + "0" * 64},
    )
    assert tampered.status_code == 401
    unsigned = await live.slack.http.post(f"{live.slack.url}/slack/events", content=body)
    assert unsigned.status_code == 401
    await live.slack.settle(0.2)
    assert [c.method for c in live.slack.fake.calls()] == []
    assert await workflows(live) == []


async def test_stale_timestamp_is_refused(live_slack: SlackLive) -> None:
    live = live_slack
    body = json.dumps(fixture("event_app_mention")).encode()
    old = int(time.time()) - 6 * 60
    response = await live.slack.send(body, "application/json", at=old)
    assert response.status_code == 401
    await live.slack.settle(0.2)
    assert live.slack.fake.calls("chat.postMessage") == []
    async with live.runtime.sessions() as session:
        assert (await session.exec(select(SlackEvent))).all() == []


async def test_event_retries_are_processed_once(live_slack: SlackLive) -> None:
    live = live_slack
    first = await live.slack.event("event_app_mention")
    assert first.status_code == 200
    [reply] = await live.slack.wait_for("chat.postMessage")
    assert reply.args["thread_ts"] == "1700000100.000200" and reply.args["channel"] == "C0SALES"
    assert "every day at 08:00 (UTC)" in reply.args["text"]

    again = await live.slack.event("event_app_mention", retry=1)
    assert again.status_code == 200
    await live.slack.settle(0.3)
    assert len(live.slack.fake.calls("chat.postMessage")) == 1

    # A retry of an event we never took in (the first delivery was lost) is still processed.
    lost = await live.slack.event(
        "event_app_mention", retry=2, event_id="Ev0LOST", inner={"ts": "17.1"}
    )
    assert lost.status_code == 200
    replies = await live.slack.wait_for("chat.postMessage", count=2)
    assert replies[1].args["thread_ts"] == "17.1"


async def test_direct_message_goes_to_the_conversation(live_slack: SlackLive) -> None:
    live = live_slack
    await live.slack.event("event_message_im")
    [reply] = await live.slack.wait_for("chat.postMessage")
    assert reply.args["channel"] == "D0LEVQOR"
    assert reply.args["thread_ts"] == "1700000200.000300"
    edited = await live.slack.event(
        "event_message_im", event_id="Ev0DM2", inner={"subtype": "message_changed"}
    )
    assert edited.status_code == 200
    await live.slack.settle(0.2)
    assert len(live.slack.fake.calls("chat.postMessage")) == 1


async def test_app_home_shows_health_tiles(live_slack: SlackLive) -> None:
    live = live_slack
    await live.slack.event("event_app_home_opened")
    [published] = await live.slack.wait_for("views.publish")
    assert published.args["user_id"] == "UOWNER"
    view = published.args["view"]
    assert view["type"] == "home"
    tiles = json.dumps(view["blocks"])
    for label in ("Active workflows", "Runs today", "Success rate", "Pending approvals"):
        assert label in tiles


async def test_posting_waits_out_a_429(live_slack: SlackLive) -> None:
    live = live_slack
    await live.slack.warm()
    live.slack.fake.rate_limit_next(1, retry_after=1)
    live.slack.fake.hold_posts()  # the card's post cannot finish until released below
    started = time.monotonic()
    try:
        response, _ = await live.slack.command(
            "every Monday 9am post last week's new leads to #sales"
        )
        # Acknowledged while the slow part (drafting, the 429, the post) could not have finished:
        # the post's answer is held until after this (an ack that waited for it would time out).
        assert response.status_code == 200 and response.text == "Drafting…"
    finally:
        live.slack.fake.release_posts()
    [card] = await live.slack.wait_for("chat.postMessage")
    assert time.monotonic() - started >= 1.0  # the post waited out Retry-After
    assert card.args["channel"] == "C0SALES"
