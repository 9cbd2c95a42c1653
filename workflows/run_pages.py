"""Reading runs a page at a time: newest first, filtered, keyset-paginated, with workflow names.

One query per page (runs joined to their workflow's name, `LIMIT n + 1` on the
`(workspace_id, created_at)` index) and one grouped query for the counts per status.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_
from sqlalchemy.orm import defer
from sqlalchemy.sql import ColumnElement
from sqlmodel import col, select

from storage.models import Run, RunStatus, Workflow
from storage.scope import Tenant

PAGE_SIZE = 50
_payload: Any = Run.trigger_payload
_error: Any = Run.error
_HEAVY = (defer(_payload), defer(_error))  # a list row needs neither
# ... except the reason of a cancelled run, which the list shows ("Cancelled — …").
_CANCEL_REASON: Any = case((col(Run.status) == RunStatus.cancelled, _error), else_=None)
TRIGGER_TYPES = ("manual", "schedule", "interval", "webhook", "email", "stripe", "slack", "poll")


@dataclass(frozen=True)
class RunFilters:
    """What the runs list is narrowed to (None: everything)."""

    status: str | None = None
    workflow_id: str | None = None
    trigger_type: str | None = None


@dataclass(frozen=True)
class RunRow:
    """One line of the runs list."""

    id: str
    status: str
    workflow_id: str
    workflow_name: str
    trigger_type: str
    dry_run: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    cancel_reason: str | None = None  # why a cancelled run was cancelled, in words

    @property
    def outcome(self) -> str:
        """The status in words ("Cancelled — the workspace was deleted" for a cancelled run)."""
        if self.status == RunStatus.cancelled.value and self.cancel_reason:
            return f"Cancelled — {self.cancel_reason}"
        return self.status

    @property
    def duration_ms(self) -> float | None:
        """How long the run took (None until it has started and finished)."""
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds() * 1000


@dataclass(frozen=True)
class RunPage:
    """A page of runs and the cursor of the next (older) page, if there is one."""

    rows: list[RunRow]
    next_cursor: str | None


def encode_cursor(row: RunRow) -> str:
    """An opaque cursor pointing just after `row` (its creation time and id)."""
    raw = f"{row.created_at.isoformat()}|{row.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str] | None:
    """The (created_at, id) a cursor points after, or None for a cursor we did not write."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, _, run_id = raw.partition("|")
        at = datetime.fromisoformat(stamp)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not run_id or at.tzinfo is None:
        return None
    return at, run_id


def _conditions(tenant: Tenant, filters: RunFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [col(Run.workspace_id) == tenant.workspace_id]
    if filters.status:
        conditions.append(col(Run.status) == filters.status)
    if filters.workflow_id:
        conditions.append(col(Run.workflow_id) == filters.workflow_id)
    if filters.trigger_type:
        conditions.append(col(Run.trigger_type) == filters.trigger_type)
    return conditions


async def run_page(
    tenant: Tenant, filters: RunFilters, *, after: str | None = None, limit: int = PAGE_SIZE
) -> RunPage:
    """Runs newest first with their workflow's name, starting after the `after` cursor."""
    conditions = _conditions(tenant, filters)
    position = decode_cursor(after) if after else None
    if position is not None:
        at, run_id = position
        conditions.append(
            or_(
                col(Run.created_at) < at,
                and_(col(Run.created_at) == at, col(Run.id) < run_id),
            )
        )
    query = (
        select(Run, Workflow.name, _CANCEL_REASON)
        .join(Workflow, col(Workflow.id) == col(Run.workflow_id))
        .where(*conditions)
        .options(*_HEAVY)
        .order_by(col(Run.created_at).desc(), col(Run.id).desc())
        .limit(limit + 1)
    )
    result = await tenant.session.exec(query)
    rows = [
        RunRow(
            id=run.id,
            status=RunStatus(run.status).value,
            workflow_id=run.workflow_id,
            workflow_name=name,
            trigger_type=run.trigger_type,
            dry_run=run.dry_run,
            created_at=run.created_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            cancel_reason=reason,
        )
        for run, name, reason in result.all()
    ]
    more = len(rows) > limit
    rows = rows[:limit]
    return RunPage(rows, encode_cursor(rows[-1]) if more and rows else None)


async def status_counts(tenant: Tenant, filters: RunFilters) -> dict[str, int]:
    """How many runs there are in each status (ignoring the status filter), in one query."""
    conditions = _conditions(tenant, RunFilters(None, filters.workflow_id, filters.trigger_type))
    query = select(col(Run.status), func.count()).where(*conditions).group_by(col(Run.status))
    counted = {RunStatus(status).value: int(n) for status, n in (await tenant.session.exec(query))}
    return {status.value: counted.get(status.value, 0) for status in RunStatus}
