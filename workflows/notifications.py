"""What the bell shows a member: approvals waiting for them, failing workflows, broken connections.

Nothing is stored: every notice is read from the approvals and runs as they are now, so a notice
goes away when what it is about is fixed (the approval decided, the workflow working again). A
workflow that works again after failing shows a quiet "works again" notice for a day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlmodel import col, select

from storage.models import (
    Approval,
    Decision,
    Member,
    Run,
    RunStatus,
    StepRun,
    StepStatus,
    Workflow,
    WorkflowStatus,
)
from storage.scope import Tenant
from storage.types import utcnow
from workflows.policy import may_approve

Kind = Literal["approval", "failure", "connection", "recovery"]
RECOVERY_SHOWN = timedelta(days=1)
LOOK_BACK = timedelta(days=30)
_CONNECTED = ("slack.", "email.", "hubspot.", "sheets.", "stripe.", "crm.hubspot")
_CONNECTION_WORDS = ("connect", "token", "auth", "credential", "smtp", "not set up", "api key")
_SERVICE = {"slack": "Slack", "email": "email", "hubspot": "HubSpot", "sheets": "Google Sheets",
            "stripe": "Stripe"}  # fmt: skip


@dataclass(frozen=True)
class Notice:
    """One thing to tell a member, with the page that fixes it."""

    kind: Kind
    title: str
    detail: str
    link: str
    at: datetime

    @property
    def needs_action(self) -> bool:
        """Whether it counts on the bell (a recovery is only news)."""
        return self.kind != "recovery"


# The engine prefixes a run's error with "step x (action) failed: ": people need only the reason.
_STEP_PREFIX = re.compile(r"^step \S+ \([^)]*\) failed: ")


def _sentence(text: str) -> str:
    """`text` ending as a sentence (a reason is often a clause without its full stop)."""
    return text if not text or text.endswith((".", "!", "?", "…")) else text + "."


def _first_line(text: str | None, limit: int = 240) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    line = _STEP_PREFIX.sub("", line)
    return line if len(line) <= limit else line[: limit - 1] + "…"


async def _approvals(tenant: Tenant, member: Member) -> list[Notice]:
    query = (
        select(Approval, Workflow)
        .join(Workflow, col(Workflow.id) == Approval.workflow_id)
        .where(Approval.workspace_id == tenant.workspace_id, Approval.decision == Decision.pending)
        .order_by(col(Approval.created_at).desc())
    )
    notices = []
    for approval, workflow in (await tenant.session.exec(query)).all():
        if not may_approve(approval.approval_class, member.role):
            continue
        chased = ""
        if approval.escalated_at is not None:
            chased = " It has waited a while: the owners were asked."
        elif approval.reminded_at is not None:
            chased = " It has waited a while: a reminder was sent."
        notices.append(
            Notice(
                "approval",
                f"“{workflow.name}” is waiting for approval",
                "Check what it does and approve or decline it." + chased,
                f"/approvals#approval-{approval.id}",
                approval.created_at,
            )
        )
    return notices


def _connection_of(step: StepRun | None) -> str | None:
    """The service a failed step could not reach through its connection, if that is what broke."""
    if step is None or not step.action.startswith(_CONNECTED):
        return None
    error = (step.error or "").lower()
    if not any(word in error for word in _CONNECTION_WORDS):
        return None
    return _SERVICE.get(step.action.split(".", 1)[0], step.action.split(".", 1)[0])


async def _failed_steps(tenant: Tenant, run_ids: list[str]) -> dict[str, StepRun]:
    """The last failed (or unknown) step of each of these runs, in one query."""
    if not run_ids:
        return {}
    query = tenant.select(StepRun).where(
        col(StepRun.run_id).in_(run_ids),
        col(StepRun.status).in_((StepStatus.failed, StepStatus.unknown)),
    )
    steps: dict[str, StepRun] = {}
    for step in await tenant.all(query.order_by(col(StepRun.position))):
        steps[step.run_id] = step  # ordered by position: the last one wins
    return steps


def _nth_finished(column: Any, offset: int) -> Any:
    """`column` of a workflow's latest (offset 0) or second latest (1) finished real run."""
    return (
        select(column)
        .where(
            Run.workflow_id == Workflow.id,
            col(Run.finished_at).is_not(None),
            col(Run.dry_run).is_(False),
            col(Run.status).in_((RunStatus.succeeded, RunStatus.failed)),
        )
        .order_by(col(Run.finished_at).desc())
        .offset(offset)
        .limit(1)
        .correlate(Workflow)
        .scalar_subquery()
    )


async def _runs(tenant: Tenant) -> list[Notice]:
    # Per workflow, its latest finished run and how the one before ended: two index lookups
    # each (run: workflow_id, finished_at), however many runs are stored.
    query = select(Workflow, _nth_finished(Run.id, 0), _nth_finished(Run.status, 1)).where(
        Workflow.workspace_id == tenant.workspace_id, Workflow.status != WorkflowStatus.archived
    )
    rows = list((await tenant.session.exec(query)).all())
    wanted = [run_id for _, run_id, _ in rows if run_id is not None]
    runs = {r.id: r for r in await tenant.all(tenant.select(Run).where(col(Run.id).in_(wanted)))}
    failed = [r.id for r in runs.values() if r.status == RunStatus.failed]
    steps = await _failed_steps(tenant, failed)
    now = utcnow()
    notices = []
    for workflow, run_id, before in rows:
        run = runs.get(run_id) if run_id else None
        if run is None:
            continue
        when = run.finished_at or run.created_at
        if now - when > LOOK_BACK:
            continue
        if run.status == RunStatus.failed:
            notices.append(_failure(workflow, run, steps.get(run.id), when))
        elif before == RunStatus.failed and now - when <= RECOVERY_SHOWN:
            notices.append(
                Notice(
                    "recovery",
                    f"“{workflow.name}” works again",
                    "Its last run succeeded after failing.",
                    f"/runs/{run.id}",
                    when,
                )
            )
    return notices


def _failure(workflow: Workflow, run: Run, step: StepRun | None, when: datetime) -> Notice:
    service = _connection_of(step)
    if service is not None:
        return Notice(
            "connection",
            f"“{workflow.name}” cannot reach {service}",
            _sentence(_first_line(run.error)) + " Check the connection, then retry the run.",
            "/connections",
            when,
        )
    return Notice(
        "failure", f"“{workflow.name}” is failing", _first_line(run.error), f"/runs/{run.id}", when
    )


async def notices_for(tenant: Tenant, member: Member) -> list[Notice]:
    """Everything the bell holds for `member`, those needing action first, newest first."""
    notices = [*await _approvals(tenant, member), *await _runs(tenant)]
    notices.sort(key=lambda n: n.at, reverse=True)
    notices.sort(key=lambda n: not n.needs_action)
    return notices


async def bell_count(tenant: Tenant, member: Member) -> int:
    """How many notices need `member` to act."""
    return sum(1 for n in await notices_for(tenant, member) if n.needs_action)
