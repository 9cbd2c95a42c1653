"""slack.post_message against the fake Slack Web API, and the outbox ledger behind it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations import slack_http
from integrations.base import ActionContext, ActionError, RetryableError, Risk
from integrations.slack import ACTIONS, fit_blocks
from storage.config import Settings
from storage.models import Member, OutboxMessage, Workspace
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401

ACTION = ACTIONS[0]


def _ctx(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    ws: Workspace,
    key: str = "run1:notify",
    dry_run: bool = False,
) -> ActionContext:
    return ActionContext(
        settings=settings,
        sessions=sessions,
        http=httpx.AsyncClient(),
        workspace_id=ws.id,
        workflow_id="wf1",
        run_id="run1",
        step_id="notify",
        idempotency_key=key,
        dry_run=dry_run,
    )


def _live(settings: Settings, fake: FakeSlack) -> Settings:
    return settings.model_copy(update={"slack_bot_token": TOKEN, "slack_api_url": fake.url})


async def _rows(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with sessions() as session:
        return list((await session.exec(select(OutboxMessage))).all())


def test_declared_risk_is_internal() -> None:
    assert ACTION.name == "slack.post_message"
    assert ACTION.risk_of({"channel": "#x", "text": "hi"}) == Risk.internal


async def test_posts_once_even_when_retried(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    ctx = _ctx(_live(settings, fake_slack), sessions, workspace)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Hello*"}}]
    inputs: dict[str, Any] = {"channel": "#sales", "text": "Hello", "blocks": blocks}
    first = await ACTION.run(ctx, inputs)
    again = await ACTION.run(ctx, inputs)
    calls = fake_slack.calls("chat.postMessage")
    assert len(calls) == 1
    assert calls[0].args["channel"] == "#sales" and calls[0].args["blocks"] == blocks
    assert first.delivered == "slack" and first.ts and again.ts == first.ts
    rows = await _rows(sessions)
    assert [(r.status, r.idempotency_key, r.target) for r in rows] == [
        ("sent", "run1:notify", "#sales")
    ]


async def test_posts_share_one_kept_connection(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    live = _live(settings, fake_slack)
    slack_http.keep()  # as a runtime does while it runs
    try:
        for n in range(3):
            ctx = _ctx(live, sessions, workspace, key=f"run{n}:notify")
            assert (await ACTION.run(ctx, {"channel": "#x", "text": f"n{n}"})).delivered == "slack"
        peers = {call.peer for call in fake_slack.calls("chat.postMessage")}
        assert len(fake_slack.calls("chat.postMessage")) == 3 and len(peers) == 1, peers
    finally:
        await slack_http.close()


async def test_without_a_runtime_each_post_has_its_own_session(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    live = _live(settings, fake_slack)
    for n in range(2):
        ctx = _ctx(live, sessions, workspace, key=f"run{n}:notify")
        assert (await ACTION.run(ctx, {"channel": "#x", "text": f"n{n}"})).delivered == "slack"
    peers = {call.peer for call in fake_slack.calls("chat.postMessage")}
    assert len(peers) == 2 and slack_http.session(5) is None


async def test_unconfigured_slack_goes_to_outbox_once(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    ctx = _ctx(settings, sessions, workspace)
    out = await ACTION.run(ctx, {"channel": "#ops", "text": "Report ready"})
    await ACTION.run(ctx, {"channel": "#ops", "text": "Report ready"})
    assert out.delivered == "outbox" and out.ts is None
    rows = await _rows(sessions)
    assert len(rows) == 1
    assert (rows[0].status, rows[0].reason, rows[0].body) == (
        "pending",
        "slack not configured",
        "Report ready",
    )


async def test_dry_run_sends_and_writes_nothing(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    ctx = _ctx(_live(settings, fake_slack), sessions, workspace, dry_run=True)
    out = await ACTION.run(ctx, {"channel": "#ops", "text": "preview me"})
    assert out.delivered == "dry_run" and out.text == "preview me"
    assert fake_slack.calls() == [] and await _rows(sessions) == []


async def test_rate_limit_is_retryable_with_retry_after(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    ctx = _ctx(_live(settings, fake_slack), sessions, workspace)
    fake_slack.rate_limit_next(1, retry_after=7)
    with pytest.raises(RetryableError) as caught:
        await ACTION.run(ctx, {"channel": "#ops", "text": "hi"})
    assert caught.value.retry_after == 7
    assert await _rows(sessions) == []
    out = await ACTION.run(ctx, {"channel": "#ops", "text": "hi"})
    assert out.delivered == "slack" and len(fake_slack.calls("chat.postMessage")) == 1


async def test_server_error_is_retryable(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    fake_slack.server_error_next(1, status=503)
    with pytest.raises(RetryableError, match="503"):
        await ACTION.run(_ctx(_live(settings, fake_slack), sessions, workspace), {
            "channel": "#ops", "text": "hi"
        })  # fmt: skip


async def test_channel_not_found_fails_and_is_recorded(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    ctx = _ctx(_live(settings, fake_slack), sessions, workspace)
    fake_slack.fail_next(1, "channel_not_found")
    with pytest.raises(ActionError, match="#nope was not found"):
        await ACTION.run(ctx, {"channel": "#nope", "text": "hi"})
    rows = await _rows(sessions)
    assert [(r.status, r.target) for r in rows] == [("failed", "#nope")]
    assert "not found" in (rows[0].reason or "")


async def test_bad_token_is_a_clear_error(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    live = settings.model_copy(
        update={"slack_bot_token": "xoxb-wrong", "slack_api_url": fake_slack.url}
    )
    with pytest.raises(ActionError, match="token is invalid"):
        await ACTION.run(_ctx(live, sessions, workspace), {"channel": "#ops", "text": "hi"})


async def test_unreachable_slack_is_retryable(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    from tests.fakes.http_server import free_port

    dead = settings.model_copy(
        update={"slack_bot_token": TOKEN, "slack_api_url": f"http://127.0.0.1:{free_port()}/api/"}
    )
    with pytest.raises(RetryableError, match="unreachable"):
        await ACTION.run(_ctx(dead, sessions, workspace), {"channel": "#ops", "text": "hi"})


def test_blocks_are_kept_within_block_kit_limits() -> None:
    long = "x" * 5000
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": long}}
    ] * 60
    fitted = fit_blocks(blocks)
    assert len(fitted) == 50
    assert len(fitted[0]["text"]["text"]) == 3000 and fitted[0]["text"]["text"].endswith("…")
    assert fitted[-1]["type"] == "context" and "11 more blocks" in fitted[-1]["elements"][0]["text"]
    assert len(blocks[0]["text"]["text"]) == 5000  # the input is not mutated


async def test_fake_records_form_and_json_calls_of_other_methods(
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    async with httpx.AsyncClient(trust_env=False) as http:
        view = '{"type": "home", "blocks": []}'
        form = await http.post(fake_slack.url + "views.publish",
                               data={"token": TOKEN, "user_id": "U1", "view": view})  # fmt: skip
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        update = await http.post(fake_slack.url + "chat.update", headers=bearer,
                                 json={"channel": "C1", "ts": "1.2", "text": "edited"})  # fmt: skip
        refused = await http.post(fake_slack.url + "views.open", json={"trigger_id": "t"})
    assert form.json()["ok"] and form.json()["view"]["type"] == "home"
    assert (update.json()["channel"], update.json()["ts"]) == ("C1", "1.2")
    assert refused.json() == {"ok": False, "error": "invalid_auth"}
    publish = fake_slack.calls("views.publish")
    assert publish[0].args["view"] == {"type": "home", "blocks": []} and publish[0].token == TOKEN
    assert [c.method for c in fake_slack.calls()] == ["views.publish", "chat.update"]


async def test_a_workspace_installed_by_oauth_posts_with_its_own_token(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    from integrations.credentials import store_credential

    no_global_token = settings.model_copy(
        update={"slack_bot_token": None, "slack_api_url": fake_slack.url}
    )
    async with sessions() as session:
        await store_credential(
            session, workspace.id, "slack", "bot_token", TOKEN, settings=no_global_token
        )
        await session.commit()
    out = await ACTION.run(
        _ctx(no_global_token, sessions, workspace), {"channel": "#x", "text": "hi"}
    )
    assert out.delivered == "slack"
    assert [c.token for c in fake_slack.calls("chat.postMessage")] == [TOKEN]


async def _member(
    sessions: async_sessionmaker[AsyncSession], ws: Workspace, slack_user_id: str | None
) -> Member:
    async with sessions() as session:
        member = Member(workspace_id=ws.id, name="Dana Diaz", email="dana@acme.example")
        member.slack_user_id = slack_user_id
        session.add(member)
        await session.commit()
        await session.refresh(member)
        return member


async def test_at_me_is_a_direct_message_to_the_linked_slack_user_of_who_asked(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    dana = await _member(sessions, workspace, "U0DANA")
    ctx = _ctx(_live(settings, fake_slack), sessions, workspace)
    ctx.extras["requested_by"] = dana.id
    await ACTION.run(ctx, {"channel": "@me", "text": "a booking was cancelled"})
    calls = fake_slack.calls("chat.postMessage")
    assert [c.args["channel"] for c in calls] == ["U0DANA"]


async def test_at_me_without_a_linked_slack_user_fails_saying_what_to_do(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    dana = await _member(sessions, workspace, None)
    ctx = _ctx(_live(settings, fake_slack), sessions, workspace)
    ctx.extras["requested_by"] = dana.id
    with pytest.raises(ActionError, match=r"direct message to Dana Diaz.*not linked"):
        await ACTION.run(ctx, {"channel": "@me", "text": "hi"})
    assert fake_slack.calls("chat.postMessage") == []


async def test_trying_a_draft_with_at_me_needs_no_linked_slack_user(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    dana = await _member(sessions, workspace, None)
    ctx = _ctx(_live(settings, fake_slack), sessions, workspace, dry_run=True)
    ctx.extras["requested_by"] = dana.id
    shown = await ACTION.run(ctx, {"channel": "@me", "text": "hi"})
    assert shown.delivered == "dry_run" and shown.text == "hi"
    assert fake_slack.calls("chat.postMessage") == []
