"""Chasing approvals that wait: remind, then escalate, then (optionally) withdraw.

After the workspace's reminder time (default 24 h) the approvers are reminded where they were
asked: in the Slack card's thread when the card was posted in Slack, by email, and on the bell
(which shows every waiting approval anyway). After a second period the request escalates to the
next role: owners are asked. With an expiry set, a request still waiting after it is withdrawn:
the draft goes back to draft with a note saying why. Each step happens once per approval (its
time is stored; sends are keyed in the delivery ledger), whatever the number of nodes.

`chase(now)` takes the time as an argument, so tests drive it with an injected clock; the
runtime calls it every few minutes with the real time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.base import ActionContext
from integrations.registry import ActionRegistry
from storage.config import Settings
from storage.models import (
    Approval,
    AuditLog,
    Decision,
    VersionState,
    Workflow,
    WorkflowStatus,
    WorkflowVersion,
    Workspace,
)
from storage.scope import Tenant
from storage.types import utcnow

log = logging.getLogger(__name__)
CHASE_EVERY_SECONDS = 300
# Who is reminded first, by class, and who an escalation reaches (the next role up).
_APPROVERS = {"A": "member:admins", "B": "member:admins", "C": "member:owners"}
_ESCALATED_TO = "member:owners"


@dataclass
class Chased:
    """What one pass did (approval ids)."""

    reminded: list[str] = field(default_factory=list)
    escalated: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)


async def record_card(tenant: Tenant, approval_id: str, channel: str, ts: str) -> None:
    """Remember where an approval's card was posted in Slack (caller commits)."""
    approval = await tenant.get(Approval, approval_id)
    if approval is not None:
        approval.slack_channel, approval.slack_ts = channel, ts
        tenant.session.add(approval)


def _hours(n: int) -> str:
    return "1 hour" if n == 1 else f"{n} hours"


@dataclass
class ApprovalChaser:
    """Reminds, escalates and withdraws waiting approvals (see the module's docstring)."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    registry: ActionRegistry
    http: httpx.AsyncClient
    clock: Callable[[], datetime] = utcnow

    async def chase(self, now: datetime | None = None) -> Chased:
        """One pass over every waiting approval, as of `now` (default: the clock)."""
        moment = now or self.clock()
        done = Chased()
        async with self.sessions() as session:
            query = (
                select(Approval, Workspace, Workflow)
                .join(Workspace, col(Workspace.id) == Approval.workspace_id)
                .join(Workflow, col(Workflow.id) == Approval.workflow_id)
                .where(Approval.decision == Decision.pending)
                .order_by(col(Approval.created_at))
            )
            waiting = list((await session.exec(query)).all())
        for approval, workspace, workflow in waiting:
            try:
                await self._one(approval, workspace, workflow, moment, done)
            except Exception:
                log.exception("could not chase approval %s; trying again later", approval.id)
        return done

    async def _one(
        self,
        approval: Approval,
        workspace: Workspace,
        workflow: Workflow,
        now: datetime,
        done: Chased,
    ) -> None:
        age = now - approval.created_at
        remind = timedelta(hours=workspace.approval_reminder_hours)
        escalate = remind + timedelta(hours=workspace.approval_escalate_hours)
        expire = workspace.approval_expire_hours
        link = f"{self.settings.public_url.rstrip('/')}/approvals#approval-{approval.id}"
        if expire is not None and age >= timedelta(hours=expire):
            if await self._withdraw(approval.id, now, expire):
                note = (
                    f"Nobody decided on “{workflow.name}” within {_hours(expire)}, so the request "
                    "was withdrawn. It is a draft again: ask for approval again when it is needed."
                )
                await self._tell(approval, "withdrawn", _APPROVERS[approval.approval_class],
                                 f"“{workflow.name}” was withdrawn", note)  # fmt: skip
                done.withdrawn.append(approval.id)
            return
        if approval.escalated_at is None and age >= escalate:
            note = (
                f"“{workflow.name}” has waited {_hours(int(age.total_seconds() // 3600))} for an "
                f"approval nobody gave. As an owner, please approve or decline it: {link}"
            )
            subject = f"Please decide: “{workflow.name}” is still waiting"
            await self._tell(approval, "escalated", _ESCALATED_TO, subject, note)
            await self._mark(approval.id, "escalated_at", now)
            done.escalated.append(approval.id)
        elif approval.reminded_at is None and age >= remind:
            note = (
                f"Reminder: “{workflow.name}” has waited {_hours(int(age.total_seconds() // 3600))}"
                f" for approval. Approve or decline it: {link}"
            )
            await self._tell(approval, "reminded", _APPROVERS[approval.approval_class],
                             f"Reminder: “{workflow.name}” waits for approval", note)  # fmt: skip
            await self._mark(approval.id, "reminded_at", now)
            done.reminded.append(approval.id)

    async def _mark(self, approval_id: str, column: str, now: datetime) -> None:
        async with self.sessions() as session:
            row = await session.get(Approval, approval_id)
            if row is not None and row.decision == Decision.pending:
                setattr(row, column, now)
                session.add(row)
                await session.commit()

    async def _withdraw(self, approval_id: str, now: datetime, hours: int) -> bool:
        async with self.sessions() as session:
            tenant_row = await session.get(Approval, approval_id)
            if tenant_row is None:
                return False
            tenant = Tenant(session, tenant_row.workspace_id)
            approval = await tenant.first(
                tenant.select(Approval).where(Approval.id == approval_id).with_for_update()
            )
            if approval is None or approval.decision != Decision.pending:
                return False
            approval.decision, approval.decided_at = Decision.rejected, now
            approval.reason = f"Withdrawn: nobody decided within {_hours(hours)}."
            version = await tenant.get(WorkflowVersion, approval.version_id)
            workflow = await tenant.get(Workflow, approval.workflow_id)
            if version is not None:
                version.state = VersionState.rejected
            if workflow is not None and workflow.active_version is None:
                workflow.status = WorkflowStatus.draft
            tenant.add(
                AuditLog(
                    workspace_id="",
                    actor="Levqor",
                    action="approval.withdrawn",
                    subject=approval.workflow_id,
                    detail={"approval_id": approval.id, "hours": hours},
                )
            )
            await session.commit()
            return True

    async def _tell(self, approval: Approval, step: str, to: str, subject: str, text: str) -> None:
        """The note in the card's Slack thread (when there is one) and by email."""
        if approval.slack_channel and approval.slack_ts:
            await self._send(approval, f"{step}-slack", "slack.post_message", {
                "channel": approval.slack_channel, "thread_ts": approval.slack_ts, "text": text,
            })  # fmt: skip
        await self._send(
            approval, f"{step}-email", "email.send", {"to": to, "subject": subject, "text": text}
        )

    async def _send(
        self, approval: Approval, step: str, action: str, inputs: dict[str, Any]
    ) -> None:
        ctx = ActionContext(
            settings=self.settings,
            sessions=self.sessions,
            http=self.http,
            workspace_id=approval.workspace_id,
            workflow_id=approval.workflow_id,
            run_id=f"approval-{approval.id}",
            step_id=step,
            idempotency_key=f"approval:{approval.id}:{step}",
        )
        try:
            await self.registry.get(action).run(ctx, inputs)
        except Exception:
            log.exception("could not send the %s note for approval %s", step, approval.id)
