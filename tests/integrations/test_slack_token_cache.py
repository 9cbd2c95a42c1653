"""The Slack step's bot token: read once per workspace for a while, forgotten when it changes."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.base import ActionContext
from integrations.credential_cache import CredentialCache, cached_credentials
from integrations.credentials import delete_credentials, store_credential
from integrations.slack import ACTIONS
from storage.config import Settings
from storage.models import Workspace
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401

ACTION = ACTIONS[0]


def _ctx(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], ws: Workspace, key: str
) -> ActionContext:
    return ActionContext(
        settings=settings,
        sessions=sessions,
        http=httpx.AsyncClient(),
        workspace_id=ws.id,
        workflow_id="wf1",
        run_id=key,
        step_id="notify",
        idempotency_key=f"{key}:notify",
    )


async def _post(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], ws: Workspace, key: str
) -> str:
    out = await ACTION.run(_ctx(settings, sessions, ws, key), {"channel": "#x", "text": key})
    return str(out.delivered)


def _live(settings: Settings, fake_slack: FakeSlack) -> Settings:  # noqa: F811
    """No token in the settings: the workspace's stored one is used, against the fake Slack."""
    return settings.model_copy(update={"slack_bot_token": None, "slack_api_url": fake_slack.url})


async def _with_token(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    ws: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
) -> Settings:
    """Settings for posts with the workspace's bot token stored (and committed)."""
    live = _live(settings, fake_slack)
    async with sessions() as session:
        await store_credential(session, ws.id, "slack", "bot_token", TOKEN, settings=live)
        await session.commit()
    return live


def _credential_reads(engine: AsyncEngine) -> list[str]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM credential" in statement:
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    return seen


async def test_the_token_is_read_once_for_many_posts(
    settings: Settings,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    live = await _with_token(settings, sessions, workspace, fake_slack)
    reads = _credential_reads(engine)
    delivered = [await _post(live, sessions, workspace, f"run{n}") for n in range(5)]
    assert delivered == ["slack"] * 5
    assert len(reads) == 1
    assert [c.token for c in fake_slack.calls("chat.postMessage")] == [TOKEN] * 5


async def test_a_token_saved_or_removed_is_used_by_the_next_post(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    live = _live(settings, fake_slack)
    assert await _post(live, sessions, workspace, "before") == "outbox"  # no token: parked
    async with sessions() as session:
        await store_credential(session, workspace.id, "slack", "bot_token", TOKEN, settings=live)
        await session.commit()
    assert await _post(live, sessions, workspace, "saved") == "slack"
    async with sessions() as session:
        await delete_credentials(session, workspace.id, "slack", ["bot_token"])
        await session.commit()
    assert await _post(live, sessions, workspace, "removed") == "outbox"
    assert len(fake_slack.calls("chat.postMessage")) == 1


async def test_a_change_rolled_back_keeps_the_token(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    live = await _with_token(settings, sessions, workspace, fake_slack)
    assert await _post(live, sessions, workspace, "first") == "slack"
    async with sessions() as session:
        await delete_credentials(session, workspace.id, "slack", ["bot_token"])
        await session.rollback()
    assert await _post(live, sessions, workspace, "second") == "slack"


async def test_a_lookup_in_flight_during_a_change_stores_nothing() -> None:
    cache = CredentialCache()
    started, release = asyncio.Event(), asyncio.Event()

    async def slow_old() -> str | None:
        started.set()
        await release.wait()
        return "old"

    key = ("db", "ws", "slack", "bot_token")
    lookup = asyncio.create_task(cache.get(key, slow_old))
    await started.wait()
    cache.forget({("ws", "slack", "bot_token")})  # a commit changed it meanwhile
    release.set()
    assert await lookup == "old"  # what it read, for this caller only

    async def new() -> str | None:
        return "new"

    assert await cache.get(key, new) == "new"


async def test_an_entry_is_read_again_once_it_is_old() -> None:
    cache = CredentialCache(ttl=0.0)
    values = iter(["a", "b"])

    async def load() -> str | None:
        return next(values)

    key = ("db", "ws", "slack", "bot_token")
    assert [await cache.get(key, load), await cache.get(key, load)] == ["a", "b"]


def test_the_process_cache_is_one() -> None:
    assert cached_credentials() is cached_credentials()
