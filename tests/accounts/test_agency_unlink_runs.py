"""Unlinking a client ends the agency's access at once, runs already queued included: a run
agency staff queued in the client is cancelled with a reason and never executes, on the
in-process path (SQLite and PostgreSQL) and through the PostgreSQL run queue's worker; the
client's own runs are untouched."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts import agencies
from accounts.workspaces import add_member, create_workspace
from integrations.catalog import default_registry
from storage.cancelled_runs import AGENCY_ENDED as WITHDRAWN
from storage.models import Member, Role, RunStatus, Workflow, Workspace
from storage.scope import Tenant
from tests.accounts.conftest import HELLO, QueueWorker, execute_in_process, outcome
from tests.workflows.helpers import activate, owner_of
from workflows.runs import run_manually


async def agency_with_client(
    sessions: async_sessionmaker[AsyncSession], agency: Workspace
) -> tuple[Workspace, Workflow]:
    """A client of `agency` with an owner of its own and an active workflow."""
    async with sessions() as session:
        home = await session.get(Workspace, agency.id)
        assert home is not None
        client = await create_workspace(session, "lee-bakery", "Lee Bakery", parent=home)
        await add_member(session, client, "Lee Owner", Role.owner)
        await session.commit()
    return client, await activate(sessions, client, HELLO, default_registry())


async def queue_run(
    sessions: async_sessionmaker[AsyncSession], client: Workspace, workflow: Workflow, who: str
) -> str:
    """Record a manual run asked for by member `who` (by name), without executing it."""
    async with sessions() as session:
        member = (await session.exec(select(Member).where(Member.name == who))).one()
        fresh = await session.get(Workflow, workflow.id)
        assert fresh is not None
        started = await run_manually(Tenant(session, client.id), member, fresh)
        await session.commit()
        return started.run.id


async def unlink(sessions: async_sessionmaker[AsyncSession], agency: Workspace) -> None:
    async with sessions() as session:
        home = await session.get(Workspace, agency.id)
        assert home is not None
        await agencies.unlink(session, home, await owner_of(session, home), "lee-bakery")
        await session.commit()


async def test_unlink_cancels_the_agencys_queued_runs_in_process(
    settings: Any, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    client, workflow = await agency_with_client(sessions, workspace)
    by_agency = await queue_run(sessions, client, workflow, "Oscar Operator")
    by_client = await queue_run(sessions, client, workflow, "Lee Owner")
    await unlink(sessions, workspace)

    cancelled, _ = await outcome(sessions, by_agency)  # at once, before any executor looks
    assert cancelled.status == RunStatus.cancelled and cancelled.error == WITHDRAWN
    await execute_in_process(settings, by_agency, by_client)
    run, steps = await outcome(sessions, by_agency)
    assert (run.status, run.error, steps) == (RunStatus.cancelled, WITHDRAWN, 0)
    own, own_steps = await outcome(sessions, by_client)
    assert own.status == RunStatus.succeeded and own_steps == 1  # the client's own run is kept


async def test_the_engine_refuses_an_agency_run_whose_link_ended_after_it_was_queued(
    settings: Any, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    client, workflow = await agency_with_client(sessions, workspace)
    run_id = await queue_run(sessions, client, workflow, "Oscar Operator")
    async with sessions() as session:  # the link ends by any other way than `unlink`
        found = await session.get(Workspace, client.id)
        assert found is not None
        found.parent_id = None
        await session.commit()
    assert (await outcome(sessions, run_id))[0].status == RunStatus.queued
    await execute_in_process(settings, run_id)
    run, steps = await outcome(sessions, run_id)
    assert (run.status, run.error, steps) == (RunStatus.cancelled, WITHDRAWN, 0)


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"], indirect=False)
async def test_a_queued_job_of_an_unlinked_agency_is_not_executed_by_the_worker(
    queue_worker: QueueWorker, workspace: Workspace
) -> None:
    runtime, sessions = queue_worker.runtime, queue_worker.runtime.sessions
    client, workflow = await agency_with_client(sessions, workspace)
    by_agency = await queue_run(sessions, client, workflow, "Oscar Operator")
    by_client = await queue_run(sessions, client, workflow, "Lee Owner")
    assert queue_worker.queued_run_ids() == sorted([by_agency, by_client])
    await unlink(sessions, workspace)

    queue_worker.start()
    assert await runtime.finished(by_client, None, within=20)
    assert await runtime.finished(by_agency, None, within=20)
    run, steps = await outcome(sessions, by_agency)
    assert (run.status, run.error, steps) == (RunStatus.cancelled, WITHDRAWN, 0)
    assert (await outcome(sessions, by_client))[0].status == RunStatus.succeeded
