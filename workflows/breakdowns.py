"""When an execution breaks down rather than a step failing: count it, fail a poison run, let go.

A step that fails is the engine's ordinary business. An execution that breaks down (a bug, a
spec that cannot be read, the database gone mid-run) or a process that stops mid-run is counted on
the run (`run.recoveries`, see `workflows.leases`); once that reaches `LEVQOR_RUN_MAX_RECOVERIES`
the run is failed as poison and the workspace is alerted, instead of being tried forever.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ENDED_RUN_STATUSES, Run, RunEvent, RunStatus
from storage.types import utcnow
from workflows import leases
from workflows.run_log import outcome
from workflows.run_writes import UNKNOWN
from workflows.step_errors import describe

if TYPE_CHECKING:
    from workflows.engine import Engine

log = logging.getLogger(__name__)

RECOVERED = (
    "Levqor continued this run after the process running it stopped (time {n} it was taken over)."
)
RESUMED = "Started again: the process running this step stopped before it finished."
CRASHED = "Levqor could not run this: {why}. It will try again."


def poison(count: int) -> str:
    """Why a poison run was failed, in words."""
    return (
        f"Levqor stopped trying this run: it stopped the process running it {count} times, "
        "so running it again could harm other runs. Check its steps and inputs, then retry it."
    )


async def crashed(engine: Engine, run_id: str, error: BaseException) -> Run:
    """Count an execution that broke down and free the run for the next try (or fail it)."""
    try:
        async with engine.sessions() as session:
            count = await leases.count_crash(session, run_id, engine.leases.owner)
            if count is not None:
                why = describe(error)
                await _insert_event(session, run_id, "run_crashed", CRASHED.format(why=why))
            await session.commit()
            run = await session.get(Run, run_id)
        if run is None:
            raise LookupError(f"run {run_id} not found")
        if count is not None and count >= engine.settings.run_max_recoveries:
            return await fail_poison(engine, run_id, count)
        return run
    except Exception:
        log.exception("run %s: could not record the breakdown; its lease will expire", run_id)
        raise


async def fail_poison(engine: Engine, run_id: str, count: int) -> Run:
    """Fail the run as poison and alert the workspace (unless it has ended meanwhile)."""
    message = poison(count)
    async with engine.sessions() as session:
        run = await session.get(Run, run_id)
        assert run is not None
        if run.status in ENDED_RUN_STATUSES:
            return run
        run.status, run.error, run.finished_at = RunStatus.failed, message, utcnow()
        run.lease_owner = None
        await _insert_event(session, run_id, "run_failed", message)
        await session.commit()
    outcome(run)
    engine.publish(run, "run.failed", detail=message)
    if engine.on_failure and not run.dry_run:
        await engine.on_failure(run, message, UNKNOWN)  # read by the notices
    return run


async def let_go(engine: Engine, run_id: str) -> None:
    """Give the run's lease back without counting anything (this process is shutting down)."""
    engine.leases.release(run_id)
    try:
        await leases.release(engine.sessions, run_id, engine.leases.owner)
    except Exception:
        log.exception("run %s: could not release its lease; it will expire", run_id)


async def _insert_event(session: AsyncSession, run_id: str, kind: str, message: str) -> None:
    run = await session.get(Run, run_id)
    if run is None:
        return
    connection = await session.connection()
    values = {"workspace_id": run.workspace_id, "run_id": run_id, "step_id": None,
              "kind": kind, "message": message, "at": utcnow()}  # fmt: skip
    await connection.execute(insert(RunEvent), [values])
