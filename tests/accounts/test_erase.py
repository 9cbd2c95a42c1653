"""A deleted workspace: restorable at day 29, erased at day 31 from every table, file and
conversation; nothing of another workspace is touched."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from accounts import deletion
from accounts.export import archive_path
from accounts.purge import ERASE_ORDER, Purger
from agents.checkpoint import open_checkpointer
from integrations.charts import chart_path
from storage.config import Settings
from storage.models import TENANT_TABLES, Member, Role, Workspace
from storage.types import utcnow
from tests.accounts.seed import Sessions, count_rows, seed_every_table
from tests.agents.conversation_worker import open_assistant


async def _owner(sessions: Sessions, ws: Workspace) -> Member:
    async with sessions() as session:
        query = select(Member).where(Member.workspace_id == ws.id, Member.role == Role.owner)
        return (await session.exec(query)).first()  # type: ignore[return-value]


async def _delete(settings: Settings, sessions: Sessions, ws: Workspace) -> None:
    """Ask as the owner, then confirm from the link, as of now."""
    async with sessions() as session:
        workspace = await session.get(Workspace, ws.id)
        owner = await session.get(Member, (await _owner(sessions, ws)).id)
        assert workspace is not None and owner is not None
        request = await deletion.request_deletion(session, settings, workspace, owner, ws.name)
        await session.commit()
    token = request.link.rsplit("/", 1)[1]
    async with sessions() as session:
        await deletion.confirm_deletion(session, settings, token)
        await session.commit()


async def _rows(sessions: Sessions, ws_id: str) -> dict[str, int]:
    return {m.__name__: await count_rows(sessions, m, ws_id) for m in TENANT_TABLES}


def test_erasing_covers_every_tenant_table_each_before_the_tables_it_references() -> None:
    assert set(ERASE_ORDER) == set(TENANT_TABLES) and len(ERASE_ORDER) == len(TENANT_TABLES)
    position = {model.__tablename__: n for n, model in enumerate(ERASE_ORDER)}
    for n, model in enumerate(ERASE_ORDER):
        table = model.__table__
        for key in table.foreign_keys:
            referenced = key.column.table.name
            if referenced in position and referenced != table.name:
                assert position[referenced] > n, f"{table.name} must go before {referenced}"


async def test_restorable_at_day_29_erased_everywhere_at_day_31(
    settings: Settings, sessions: Sessions, workspace: Workspace
) -> None:
    other = Workspace(slug="other", name="Other")
    async with sessions() as session:
        session.add(other)
        await session.commit()
    mine = await seed_every_table(settings, sessions, workspace)
    theirs = await seed_every_table(settings, sessions, other)
    owner = await _owner(sessions, workspace)
    my_thread, their_thread = uuid.uuid4().hex, uuid.uuid4().hex
    async with open_assistant(settings, workspace.id, owner.id) as assistant:
        await assistant.send(my_thread, "list my workflows")
    async with open_assistant(settings, other.id, owner.id) as assistant:
        await assistant.send(their_thread, "list my workflows")
    before_theirs = await _rows(sessions, other.id)
    assert all(before_theirs.values()), before_theirs  # every table has a row to lose

    await _delete(settings, sessions, workspace)
    deleted_at = utcnow()
    async with open_checkpointer(settings) as checkpointer:
        # The other workspace keeps run data a year: here it stands for "untouched".
        purger = Purger(settings, sessions, checkpointer=checkpointer, retention=lambda _ws: 365)
        day29 = deleted_at + timedelta(days=29)
        await purger.purge(now=day29, dry_run=True)
        # Day 29: still restorable (the run-data retention is another matter: run it at day 1).
        await purger.purge(now=deleted_at + timedelta(days=1))
        assert all((await _rows(sessions, workspace.id)).values())
        async with sessions() as session:
            ws = await session.get(Workspace, workspace.id)
            member = await session.get(Member, owner.id)
            assert ws is not None and member is not None
            await deletion.restore(session, ws, member, now=day29)
            await session.rollback()  # only checking it could be restored; delete it on
        async with sessions() as session:
            ws = await session.get(Workspace, workspace.id)
            member = await session.get(Member, owner.id)
            assert ws is not None and member is not None
            with pytest.raises(deletion.DeletionError, match="no longer be restored"):
                await deletion.restore(session, ws, member, now=deleted_at + timedelta(days=31))

        await purger.purge(now=deleted_at + timedelta(days=31))
        assert not any((await _rows(sessions, workspace.id)).values())
        async with sessions() as session:
            assert await session.get(Workspace, workspace.id) is None
        assert not any(archive_path(settings, e).is_file() for e in mine.export_ids)
        assert all(archive_path(settings, e).is_file() for e in theirs.export_ids)
        assert not any(chart_path(settings, c).is_file() for c in mine.chart_ids)  # type: ignore[union-attr]
        config = {"configurable": {"thread_id": my_thread}}
        assert await checkpointer.aget_tuple(config) is None  # type: ignore[arg-type]

        # Another workspace lost nothing.
        assert await _rows(sessions, other.id) == before_theirs
        assert all(chart_path(settings, c).is_file() for c in theirs.chart_ids)  # type: ignore[union-attr]
        config = {"configurable": {"thread_id": their_thread}}
        assert await checkpointer.aget_tuple(config) is not None  # type: ignore[arg-type]
