"""An export whose building process was killed midway (left `running`, a half-written archive,
no heartbeat since) is failed with a sentence when the app starts and when the job is next looked
at; a build that is alive (beating) is left alone."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any

from sqlmodel import select

from accounts import export, export_recovery
from bot.app import create_app
from storage.config import Settings
from storage.models import ExportJob, Member, Role
from storage.types import utcnow
from tests.accounts.seed import Sessions
from tests.bot.conftest import Live, live

__all__ = ["live"]


async def _owner_id(sessions: Sessions, workspace_id: str) -> str:
    async with sessions() as session:
        owner = (
            await session.exec(
                select(Member).where(Member.workspace_id == workspace_id, Member.role == Role.owner)
            )
        ).first()
    assert owner is not None
    return owner.id


async def _left_by_a_killed_build(
    live: Live, settings: Settings, sessions: Sessions, **values: Any
) -> ExportJob:
    """What a process killed mid-build leaves: the row `running`, a `.part` archive."""
    owner = await _owner_id(sessions, live.workspace.id)
    async with sessions() as session:
        job = await export.start_export(session, live.workspace.id, owner)
        job.status, job.progress = "running", 40
        job.heartbeat_at = utcnow() - timedelta(minutes=3)
        for key, value in values.items():
            setattr(job, key, value)
        await session.commit()
    partial = export.archive_path(settings, job.id).with_suffix(".part")
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(b"PK half an archive")
    return job


async def test_the_next_look_at_a_killed_export_fails_it_with_a_sentence(
    live: Live, settings: Settings, sessions: Sessions
) -> None:
    killed = await _left_by_a_killed_build(live, settings, sessions)
    alive = await _left_by_a_killed_build(live, settings, sessions, heartbeat_at=utcnow())

    shown = (await live.as_().get(f"/api/export/{killed.id}")).json()
    assert shown["status"] == "failed" and shown["download_url"] is None
    assert shown["error"] == export_recovery.STOPPED
    assert "start a new export" in shown["error"]
    assert not export.archive_path(settings, killed.id).with_suffix(".part").exists()

    still = (await live.as_().get(f"/api/export/{alive.id}")).json()
    assert still["status"] == "running" and still["progress"] == 40
    async with sessions() as session:
        row = await session.get(ExportJob, killed.id)
        assert row is not None and row.status == "failed"  # written, not only shown


async def test_starting_the_app_fails_exports_a_killed_process_left(
    live: Live, settings: Settings, sessions: Sessions
) -> None:
    killed = await _left_by_a_killed_build(live, settings, sessions)
    never_started = await _left_by_a_killed_build(
        live, settings, sessions, status="queued", heartbeat_at=None, progress=0,
        created_at=utcnow() - timedelta(minutes=10),
    )  # fmt: skip
    alive = await _left_by_a_killed_build(live, settings, sessions, heartbeat_at=utcnow())

    app = create_app(settings, live.runtime)  # a node starting (the runtime is the test's)
    async with app.router.lifespan_context(app):
        pass
    async with sessions() as session:
        for job_id, status in ((killed.id, "failed"), (never_started.id, "failed"),
                               (alive.id, "running")):  # fmt: skip
            row = await session.get(ExportJob, job_id)
            assert row is not None and row.status == status, (job_id, row)
            if status == "failed":
                assert row.error == export_recovery.STOPPED


async def test_a_build_beats_while_it_works(
    live: Live, settings: Settings, sessions: Sessions, monkeypatch: Any
) -> None:
    monkeypatch.setattr(export, "HEARTBEAT_SECONDS", 0.02)
    real_tables = export.workspace_tables

    beats: list[Any] = []
    seen_three = asyncio.Event()

    async def slow_tables(session: Any, workspace_id: str) -> Any:  # a big workspace
        # works until the test has seen three beats (or 10 s: then the test fails below), not a
        # fixed half second a loaded machine may spend before the first poll
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(seen_three.wait(), 10)
        return await real_tables(session, workspace_id)

    monkeypatch.setattr(export, "workspace_tables", slow_tables)
    owner = await _owner_id(sessions, live.workspace.id)
    async with sessions() as session:
        job = await export.start_export(session, live.workspace.id, owner)
        await session.commit()
    building = asyncio.create_task(export.build_export(settings, sessions, job.id))
    while not building.done():
        async with sessions() as session:
            row = await session.get(ExportJob, job.id)
            assert row is not None
            if row.status == "running" and row.heartbeat_at not in beats:
                beats.append(row.heartbeat_at)
            if len(beats) >= 3:
                seen_three.set()
        await asyncio.sleep(0.05)
    assert await building
    assert len(beats) >= 3  # it kept saying it is alive while it worked
    async with sessions() as session:
        row = await session.get(ExportJob, job.id)
        assert row is not None and row.status == "done"
