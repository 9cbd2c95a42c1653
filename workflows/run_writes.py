"""What an executing run writes at each of its commits, as Core statements (no unit of work).

The engine changes its run and step rows in memory (detached from any session). At each commit,
`pending` compares them with what was last written and returns one function that issues just the
difference — the claim if it is not written yet, new step rows, changed columns of step rows and
of the run, timeline events — on a connection, in the transaction the engine gives it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import ScalarSelect, Update, and_, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col

from storage.group_commit import insert_rows
from storage.models import Run, RunEvent, RunStatus, StepRun
from workflows import leases

# Columns the engine changes on a run (the lease's expiry is the claim's and the keeper's only).
RUN_COLUMNS = ("status", "error", "finished_at", "lease_owner", "resume_at", "started_at",
               "running_since", "active_seconds", "recoveries")  # fmt: skip
STEP_COLUMNS = tuple(c.name for c in StepRun.__table__.columns)  # type: ignore[attr-defined]
Write = Callable[[AsyncConnection], Awaitable[bool]]

_INSERT_STEPS = insert(StepRun)
_INSERT_EVENTS = insert(RunEvent)
_EARLIER = Run.__table__.alias("earlier")  # type: ignore[attr-defined]
UNKNOWN = "unknown"  # `Written.previous` when the ending commit did not read it


def _previous_outcome(bounded: bool) -> ScalarSelect[Any]:
    earlier = _EARLIER.c
    where = [
        earlier.workflow_id == bindparam("previous_workflow"),
        earlier.id != bindparam("previous_run"),
        earlier.dry_run.is_(False),
        earlier.status.in_((RunStatus.succeeded, RunStatus.failed)),
        earlier.finished_at.is_not(None),
    ]
    if bounded:
        where.append(earlier.finished_at <= bindparam("previous_until"))
    return (
        select(earlier.status)
        .where(and_(*where))
        .order_by(earlier.finished_at.desc())
        .limit(1)
        .correlate(None)
        .scalar_subquery()
    )


# Built once: per run only the parameters change (building the statement cost 3 % of a run).
_PREVIOUS = {bounded: _previous_outcome(bounded) for bounded in (True, False)}


def previous_outcome_of(run: Run) -> tuple[ScalarSelect[Any], dict[str, Any]]:
    """How the workflow's last finished real run before `run` ended: a scalar subquery and its
    parameters.

    (NULL: there was none.) Runs finished after `run` (when `run` has finished) do not count.
    On an alias of the run table, so that inside `UPDATE run … RETURNING` it reads the other
    rows, not the one being updated."""
    params: dict[str, Any] = {"previous_workflow": run.workflow_id, "previous_run": run.id}
    if run.finished_at is not None:
        params["previous_until"] = run.finished_at
    return _PREVIOUS[run.finished_at is not None], params


def run_values(run: Run) -> dict[str, Any]:
    """The run's columns the engine may change, as they are now."""
    return {name: getattr(run, name) for name in RUN_COLUMNS}


def step_values(row: StepRun) -> dict[str, Any]:
    """Every column of a step row, as it is now (inputs and output copied: they are dicts)."""
    values = {name: getattr(row, name) for name in STEP_COLUMNS}
    for name in ("inputs", "output"):
        if isinstance(values[name], dict):
            values[name] = dict(values[name])
    return values


@dataclass
class Written:
    """What the database holds of one run, as far as this engine knows (its last commit)."""

    run: dict[str, Any]
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)  # step id → columns
    claim: leases.PendingClaim | None = None  # worked out, not written yet
    # Set by the engine before the commit that ends a run: that commit's run `UPDATE` also
    # returns how the workflow's previous finished run ended (`previous`), in the same statement.
    ask_previous: bool = False
    previous: RunStatus | str | None = UNKNOWN  # UNKNOWN, None (no such run) or its status

    @classmethod
    def loaded(cls, run: Run, rows: list[StepRun]) -> Written:
        return cls(run_values(run), {r.step_id: step_values(r) for r in rows})


def pending(
    written: Written, run: Run, rows: dict[str, StepRun], events: list[dict[str, Any]]
) -> Write:
    """The statements that bring the database up to `run` and `rows`, plus `events`.

    `written` is updated as if they were committed (the engine stops at a failed commit). The
    returned function is False when the claim found the run taken by someone else."""
    claim, written.claim = written.claim, None
    new: list[dict[str, Any]] = []
    changed: list[tuple[str, dict[str, Any]]] = []
    for step_id, row in rows.items():
        now = step_values(row)
        before = written.steps.get(step_id)
        if before is None:
            new.append(now)
        elif now != before:
            changed.append((row.id, {k: v for k, v in now.items() if before.get(k) != v}))
        written.steps[step_id] = now
    now_run = run_values(run)
    run_changes = {k: v for k, v in now_run.items() if written.run.get(k) != v}
    written.run = now_run
    run_id, events = run.id, list(events)
    ask, written.ask_previous = written.ask_previous and bool(run_changes), False
    previous = previous_outcome_of(run) if ask else None

    async def write(connection: AsyncConnection) -> bool:
        if claim is not None and not await leases.claim_on(connection, claim):
            return False
        await insert_rows(connection, _INSERT_STEPS, new)  # with the group writer: at its end
        for row_id, values in changed:
            await connection.execute(_update_step(tuple(values)), _params(values, s_id=row_id))
        if previous is not None:  # the ending write: the previous outcome comes back with it
            _, params = previous
            bounded = "previous_until" in params
            result = await connection.execute(
                _update_run(tuple(run_changes), bounded),
                _params(run_changes, r_id=run_id, **params),
            )
            found = result.scalar_one()
            written.previous = RunStatus(found) if found is not None else None
        elif run_changes:
            await connection.execute(
                _update_run(tuple(run_changes), None), _params(run_changes, r_id=run_id)
            )
        await insert_rows(connection, _INSERT_EVENTS, events)
        return True

    return write


# The UPDATEs of a run's and a step row's changed columns, built once per set of columns (and,
# for the run's ending write, with how the previous run ended): per write only the parameters
# change. Building each anew, and working out its cache key, was about 5 % of a worker's CPU.
def _params(values: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {**{f"v_{name}": value for name, value in values.items()}, **more}


@lru_cache(maxsize=256)
def _update_step(columns: tuple[str, ...]) -> Update:
    table = StepRun.__table__  # type: ignore[attr-defined]
    return (
        update(StepRun)
        .where(col(StepRun.id) == bindparam("s_id"))
        .values({name: bindparam(f"v_{name}", type_=table.c[name].type) for name in columns})
    )


@lru_cache(maxsize=256)
def _update_run(columns: tuple[str, ...], bounded: bool | None) -> Update:
    """`bounded` None: no previous outcome asked; else that of `previous_outcome_of`."""
    table = Run.__table__  # type: ignore[attr-defined]
    statement = (
        update(Run)
        .where(col(Run.id) == bindparam("r_id"))
        .values({name: bindparam(f"v_{name}", type_=table.c[name].type) for name in columns})
    )
    if bounded is None:
        return statement
    return statement.returning(_PREVIOUS[bounded].label("previous"))
