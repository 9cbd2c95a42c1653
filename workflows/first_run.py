"""The first-run checklist on the chat page: connect a channel, create, try, approve."""

from __future__ import annotations

from dataclasses import dataclass

from storage.config import Settings
from storage.models import Approval, AuditLog, Decision, Run, Workflow
from storage.scope import Tenant
from workflows.messages import connected_channels

TRIED = "workflow.tried"  # the audit action a "Try it" records


@dataclass(frozen=True)
class ChecklistStep:
    """One thing to do, whether it is done, and where to do it."""

    key: str
    title: str
    hint: str
    done: bool
    link: str | None = None
    link_text: str | None = None


async def checklist(tenant: Tenant, settings: Settings) -> list[ChecklistStep]:
    """The four first steps, each marked done from what the workspace has actually done."""
    connected = await connected_channels(tenant.session, settings, tenant.workspace_id)
    created = await tenant.first(tenant.select(Workflow)) is not None
    tried = (
        await tenant.first(tenant.select(AuditLog).where(AuditLog.action == TRIED)) is not None
        or await tenant.first(tenant.select(Run)) is not None
    )
    approved = (
        await tenant.first(tenant.select(Approval).where(Approval.decision == Decision.approved))
        is not None
    )
    return [
        ChecklistStep(
            "connect",
            "Connect a channel",
            "Connect Slack or email sending, so messages go out instead of waiting in Messages.",
            connected["slack"] or connected["email"],
            "/connections",
            "Open Connections",
        ),
        ChecklistStep(
            "create",
            "Create your first automation",
            "Describe it below in your own words, or start from a template.",
            created,
            "/templates",
            "Browse templates",
        ),
        ChecklistStep(
            "try",
            "Try it",
            "Press “Try it” on the draft card: it runs once on sample data and sends nothing.",
            tried,
        ),
        ChecklistStep(
            "approve",
            "Approve it",
            "Approve the draft and it starts running on its schedule or trigger.",
            approved,
            "/approvals",
            "Open Approvals",
        ),
    ]
