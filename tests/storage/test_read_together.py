"""Reads asked for in the same turn of the event loop are made once, for every caller; a read
asked for after one was made is made again (never a stale value)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations import email
from integrations.base import ActionContext
from storage.config import Settings
from storage.models import CrmContact, Workspace
from storage.read_together import ReadTogether


async def test_keys_asked_in_one_turn_are_read_once_and_each_caller_gets_its_value() -> None:
    calls: list[list[str]] = []

    async def read_many(keys: list[str]) -> dict[str, int]:
        calls.append(sorted(keys))
        return {key: len(key) for key in keys if key != "gone"}

    together = ReadTogether(read_many, -1)
    found = await asyncio.gather(*(together.get(k) for k in ("a", "bb", "a", "gone")))
    assert found == [1, 2, 1, -1]
    assert calls == [["a", "bb", "gone"]]
    assert await together.get("ccc") == 3  # asked later: read again
    assert calls[-1] == ["ccc"] and together.reads == 2


async def test_a_failed_read_fails_each_caller_and_the_next_read_is_made_afresh() -> None:
    failing = True

    async def read_many(keys: list[str]) -> dict[str, int]:
        if failing:
            raise RuntimeError("the database went away")
        return dict.fromkeys(keys, 1)

    together = ReadTogether(read_many, 0)
    results = await asyncio.gather(together.get("a"), together.get("b"), return_exceptions=True)
    assert [str(r) for r in results] == ["the database went away"] * 2
    failing = False
    assert await together.get("a") == 1


async def test_a_cancelled_caller_does_not_disturb_the_others() -> None:
    release = asyncio.Event()

    async def read_many(keys: list[str]) -> dict[str, int]:
        await release.wait()
        return dict.fromkeys(keys, 7)

    together = ReadTogether(read_many, 0)
    first = asyncio.ensure_future(together.get("a"))
    second = asyncio.ensure_future(together.get("a"))
    await asyncio.sleep(0.01)
    first.cancel()
    release.set()
    assert await second == 7
    with pytest.raises(asyncio.CancelledError):
        await first


@pytest.fixture
def backend() -> str:
    return "postgres"


@pytest.mark.postgres
async def test_drip_sends_of_the_same_moment_read_mail_and_unsubscribes_once(
    settings: Settings,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
) -> None:
    async with sessions() as session:
        gone = CrmContact(workspace_id=workspace.id, email="gone@example.com")
        gone.fields = {"unsubscribed": True}
        session.add(gone)
        await session.commit()
    selects: list[str] = []

    def on_statement(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.startswith("SELECT"):
            selects.append(statement)

    async with httpx.AsyncClient() as http:
        contexts = [
            ActionContext(settings=settings, sessions=sessions, http=http,
                          workspace_id=workspace.id, workflow_id="w", run_id=f"r{n}",
                          step_id="nudge", idempotency_key=f"r{n}:nudge")
            for n in range(4)
        ]  # fmt: skip
        addresses = ["a@example.com", "gone@example.com", "b@example.com", "gone@example.com"]
        event.listen(engine.sync_engine, "before_cursor_execute", on_statement)
        try:
            found = await asyncio.gather(
                *(email.unsubscribed(ctx, [a]) for ctx, a in zip(contexts, addresses, strict=True))
            )
            mail = await asyncio.gather(*(email._reads_of(ctx).mail.get(ctx.workspace_id)
                                          for ctx in contexts))  # fmt: skip
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", on_statement)
    assert found == [[], ["gone@example.com"], [], ["gone@example.com"]]
    assert mail == [None] * 4  # no own mail server: the instance's
    crm = [s for s in selects if "crm_contact" in s]
    connections = [s for s in selects if "FROM connection" in s]
    assert len(crm) == 1 and len(connections) == 1, selects
