"""Reading the audit log: who did what, when, in plain words, newest first; and as CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col

from storage.models import AuditLog
from storage.scope import Tenant

PAGE = 100
WORDS: dict[str, str] = {
    "workflow.created": "created a workflow",
    "workflow.version_proposed": "proposed a new version of a workflow",
    "workflow.paused": "paused a workflow",
    "workflow.resumed": "resumed a workflow",
    "workflow.deleted": "deleted a workflow",
    "workflow.run": "ran a workflow by hand",
    "run.retried": "retried a failed run",
    "approval.approved": "approved a workflow",
    "approval.rejected": "rejected a workflow",
    "approval.link_emailed": "was emailed a link to confirm an approval",
    "invite.created": "invited someone",
    "invite.revoked": "revoked an invitation",
    "invite.accepted": "accepted an invitation",
    "workspace.deletion_requested": "asked to delete the workspace",
    "workspace.deleted": "deleted the workspace",
    "workspace.restored": "restored the workspace",
    "contact.erased": "erased a contact",
    "data.purged": "deleted data past its retention",
    "seo.proposed": "proposed search-engine texts for a public page",
    "seo.accepted": "accepted search-engine texts for a public page",
    "seo.rejected": "rejected search-engine texts for a public page",
}


@dataclass(frozen=True)
class Entry:
    """One audit record as people read it."""

    id: int
    at: datetime
    actor: str
    action: str
    what: str
    subject: str | None
    detail: dict[str, Any]


def what(action: str) -> str:
    """The plain words for an action code (a readable fallback for codes not listed)."""
    return WORDS.get(action) or action.replace(".", " ").replace("_", " ")


def entry(row: AuditLog) -> Entry:
    """A row as an entry."""
    assert row.id is not None
    return Entry(
        id=row.id,
        at=row.at,
        actor=row.actor or "Levqor",
        action=row.action,
        what=what(row.action),
        subject=row.subject,
        detail=dict(row.detail or {}),
    )


async def entries(
    tenant: Tenant, *, before: int | None = None, action: str | None = None, limit: int = PAGE
) -> list[Entry]:
    """The workspace's audit entries, newest first; `before` an id to page back from."""
    query = tenant.select(AuditLog).order_by(col(AuditLog.id).desc()).limit(limit)
    if before is not None:
        query = query.where(col(AuditLog.id) < before)
    if action:
        query = query.where(AuditLog.action == action)
    return [entry(row) for row in await tenant.all(query)]


def as_csv(rows: Sequence[Entry]) -> str:
    """Entries as CSV (detail as JSON)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["when (UTC)", "who", "did", "action", "subject", "detail"])
    for e in rows:
        writer.writerow(
            [e.at.isoformat(), e.actor, e.what, e.action, e.subject or "", json.dumps(e.detail)]
        )
    return out.getvalue()
