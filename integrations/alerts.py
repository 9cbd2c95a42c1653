"""alert.crossed: tell a threshold crossing from a value that merely stays over the threshold.

State is kept per workflow and `key` (one row in `alert_state`). Each check moves it with one
conditional write: a first sighting is an INSERT that does nothing if another check inserted the
key first, and a change is an UPDATE that only applies if nobody wrote the row since it was read
(`updated_by` is the version). A check that loses either race reads again, so two runs crossing at
once report `crossed` once. A step re-executed after a crash gets its first answer back.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any, Literal

from pydantic import field_validator, model_validator
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.base import (
    Action,
    ActionContext,
    ActionInput,
    ActionOutput,
    RetryableError,
    Risk,
)
from storage.models import AlertState
from storage.scope import Tenant
from storage.types import new_id, utcnow

MAX_KEY = 200
_ATTEMPTS = 10


def _number(value: Any, name: str) -> float:
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        raise ValueError(f"{name} must be a number, got {value!r}")
    return number


class CrossedInput(ActionInput):
    """Inputs of alert.crossed: which metric, its value now, and where the line is."""

    key: str = "value"
    value: float
    threshold: float
    direction: Literal["above", "below"] = "above"
    rearm_below: float | None = None

    @field_validator("key", mode="before")
    @classmethod
    def _key(cls, value: Any) -> str:
        text = "" if value is None else str(value).strip()
        if not text:
            return "value"
        return (
            text if len(text) <= MAX_KEY else "sha256:" + hashlib.sha256(text.encode()).hexdigest()
        )

    @field_validator("value", "threshold", "rearm_below", mode="before")
    @classmethod
    def _numbers(cls, value: Any, info: Any) -> float | None:
        if value is None and info.field_name == "rearm_below":
            return None
        return _number(value, info.field_name)

    @model_validator(mode="after")
    def _rearm_side(self) -> CrossedInput:
        rearm = self.rearm_level
        if self.direction == "above" and rearm > self.threshold:
            raise ValueError(
                f"rearm_below ({rearm:g}) must not be above threshold ({self.threshold:g})"
            )
        if self.direction == "below" and rearm < self.threshold:
            raise ValueError(
                f"for direction 'below', rearm_below ({rearm:g}) must not be under "
                f"threshold ({self.threshold:g})"
            )
        return self

    @property
    def rearm_level(self) -> float:
        """Where the value must get back past to re-arm the alert (the threshold by default)."""
        return self.threshold if self.rearm_below is None else self.rearm_below

    def next_over(self, was_over: bool) -> bool:
        """Over after this value (reaching the threshold sets it, passing re-arm clears it)."""
        if self.direction == "above":
            reached, rearmed = self.value >= self.threshold, self.value < self.rearm_level
        else:
            reached, rearmed = self.value <= self.threshold, self.value > self.rearm_level
        return not rearmed if was_over else reached


class CrossedOutput(ActionOutput):
    """Whether this check crossed (or came back), the state now, and the value before it.

    Whole numbers come out as integers, so a message shows "180", not "180.0".
    """

    key: str
    value: int | float
    threshold: int | float
    crossed: bool
    recovered: bool
    over: bool
    previous: int | float | None


def _plain(number: float) -> int | float:
    return int(number) if number.is_integer() else number


def _output(inp: CrossedInput, *, was: bool, over: bool, previous: float | None) -> CrossedOutput:
    return CrossedOutput(
        key=inp.key, value=_plain(inp.value), threshold=_plain(inp.threshold),
        crossed=over and not was, recovered=was and not over, over=over,
        previous=None if previous is None else _plain(previous),
    )  # fmt: skip


def _replayed(ctx: ActionContext, inp: CrossedInput, row: AlertState) -> CrossedOutput:
    """The answer this step gave when it wrote the row (it is being executed again)."""
    flipped = row.changed_by == ctx.idempotency_key
    previous = row.previous_value if row.updated_by == ctx.idempotency_key else None
    return _output(inp, was=row.over != flipped, over=row.over, previous=previous)


async def crossed(ctx: ActionContext, inp: CrossedInput) -> CrossedOutput:
    """Record `value` for `key` and say whether it just crossed the threshold (or came back)."""
    for _ in range(_ATTEMPTS):
        async with ctx.sessions() as session:
            outcome = await _check(ctx, session, inp)
        if outcome is not None:
            return outcome
    raise RetryableError(f"alert state {inp.key!r} is being written by other runs at once")


async def _check(
    ctx: ActionContext, session: AsyncSession, inp: CrossedInput
) -> CrossedOutput | None:
    """One read and one conditional write; None when another check wrote first (read again)."""
    tenant = Tenant(session, ctx.workspace_id)
    row = await tenant.first(
        tenant.select(AlertState).where(
            AlertState.workflow_id == ctx.workflow_id, AlertState.key == inp.key
        )
    )
    connection = await session.connection()
    if row is None:
        over = inp.next_over(False)
        if not ctx.dry_run and not await _insert(ctx, connection, inp, over):
            await session.rollback()
            return None
        await session.commit()
        return _output(inp, was=False, over=over, previous=None)
    if ctx.idempotency_key in (row.updated_by, row.changed_by):
        return _replayed(ctx, inp, row)
    over = inp.next_over(row.over)
    if not ctx.dry_run and not await _update(ctx, connection, inp, row, over):
        await session.rollback()
        return None
    await session.commit()
    return _output(inp, was=row.over, over=over, previous=row.last_value)


async def _insert(
    ctx: ActionContext, connection: AsyncConnection, inp: CrossedInput, over: bool
) -> bool:
    now = utcnow()
    values = {
        "id": new_id(), "workspace_id": ctx.workspace_id, "workflow_id": ctx.workflow_id,
        "key": inp.key, "over": over, "last_value": inp.value, "previous_value": None,
        "changed_at": now, "updated_at": now, "updated_by": ctx.idempotency_key,
        "changed_by": ctx.idempotency_key if over else None,
    }  # fmt: skip
    added = await connection.execute(_INSERT_NEW[connection.dialect.name], values)
    return added.first() is not None


async def _update(
    ctx: ActionContext, connection: AsyncConnection, inp: CrossedInput, row: AlertState, over: bool
) -> bool:
    now = utcnow()
    values: dict[str, Any] = {
        "over": over, "last_value": inp.value, "previous_value": row.last_value,
        "updated_at": now, "updated_by": ctx.idempotency_key,
    }  # fmt: skip
    if over != row.over:
        values.update(changed_at=now, changed_by=ctx.idempotency_key)
    statement = (
        update(AlertState)
        .where(
            col(AlertState.id) == row.id,
            col(AlertState.workspace_id) == ctx.workspace_id,
            col(AlertState.updated_by) == row.updated_by,  # unchanged since it was read
        )
        .values(**values)
        .returning(col(AlertState.id))
    )
    return (await connection.execute(statement)).first() is not None


# A new state row, unless the key has one already (then no row comes back).
_INSERT_NEW = {
    "postgresql": postgresql.insert(AlertState)
    .on_conflict_do_nothing()
    .returning(col(AlertState.id)),
    "sqlite": sqlite.insert(AlertState).on_conflict_do_nothing().returning(col(AlertState.id)),
}

ACTIONS: list[Action[Any, Any]] = [
    Action(
        name="alert.crossed",
        description=(
            "Remember a metric per workflow and say when it first crosses a threshold "
            "(crossed) or comes back (recovered), so an alert fires once, not on every check."
        ),
        risk=Risk.read,
        input_model=CrossedInput,
        output_model=CrossedOutput,
        handler=crossed,
    )
]
