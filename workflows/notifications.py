"""What the bell shows a member: approvals waiting for them, failing workflows, broken connections.

Nothing is stored: every notice is read from the approvals and runs as they are now, so a notice
goes away when what it is about is fixed (the approval decided, the workflow working again). A
workflow that works again after failing shows a quiet "works again" notice for a day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

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


async def _failed_step(tenant: Tenant, run: Run) -> StepRun | None:
    query = tenant.select(StepRun).where(
        StepRun.run_id == run.id,
        StepRun.status.in_((StepStatus.failed, StepStatus.unknown)),  # type: ignore[attr-defined]
    )
    return await tenant.first(query.order_by(col(StepRun.position).desc()))


async def _runs(tenant: Tenant) -> list[Notice]:
    since = utcnow() - LOOK_BACK
    query = (
        select(Run, Workflow)
        .join(Workflow, col(Workflow.id) == Run.workflow_id)
        .where(
            Run.workspace_id == tenant.workspace_id,
            col(Run.dry_run).is_(False),
            col(Run.status).in_((RunStatus.succeeded, RunStatus.failed)),
            col(Run.finished_at) >= since,
            Workflow.status != WorkflowStatus.archived,
        )
        .order_by(col(Run.finished_at).desc())
        .limit(1000)
    )
    latest: dict[str, list[tuple[Run, Workflow]]] = {}
    for run, workflow in (await tenant.session.exec(query)).all():
        seen = latest.setdefault(workflow.id, [])
        if len(seen) < 2:
            seen.append((run, workflow))
    notices = []
    for pair in latest.values():
        run, workflow = pair[0]
        when = run.finished_at or run.created_at
        if run.status == RunStatus.failed:
            service = _connection_of(await _failed_step(tenant, run))
            if service is not None:
                notices.append(
                    Notice(
                        "connection",
                        f"“{workflow.name}” cannot reach {service}",
                        _first_line(run.error) + " Check the connection, then retry the run.",
                        "/connections",
                        when,
                    )
                )
                continue
            notices.append(
                Notice(
                    "failure",
                    f"“{workflow.name}” is failing",
                    _first_line(run.error),
                    f"/runs/{run.id}",
                    when,
                )
            )
        elif (
            len(pair) > 1
            and pair[1][0].status == RunStatus.failed
            and utcnow() - when <= RECOVERY_SHOWN
        ):
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


async def notices_for(tenant: Tenant, member: Member) -> list[Notice]:
    """Everything the bell holds for `member`, those needing action first, newest first."""
    notices = [*await _approvals(tenant, member), *await _runs(tenant)]
    notices.sort(key=lambda n: n.at, reverse=True)
    notices.sort(key=lambda n: not n.needs_action)
    return notices


async def bell_count(tenant: Tenant, member: Member) -> int:
    """How many notices need `member` to act."""
    return sum(1 for n in await notices_for(tenant, member) if n.needs_action)
