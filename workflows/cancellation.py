"""Cancelled runs: a run ended on purpose before it finished, with the reason in plain words.

A cancelled run is neither a success nor a failure: analytics, health, the bell and failure
notices leave it out. The reason is kept in `Run.error` as a short phrase ("the workspace was
deleted") and shown as "Cancelled — the workspace was deleted" (`outcome_text`).
Queued and waiting runs are cancelled in bulk when their workspace is deleted or when the agency
that asked for them is unlinked; the engine checks again when it claims a run (`why_cancel`), for
a run whose job was already on its way to a worker.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.cancelled_runs import AGENCY_ENDED, WORKSPACE_DELETED
from storage.models import Run, RunStatus
from storage.types import utcnow
from workflows import agency_access


def outcome_text(status: RunStatus | str, error: str | None) -> str:
    """A run's outcome in words: "Succeeded", "Failed — …", "Cancelled — the workspace was…"."""
    value = RunStatus(status)
    words = value.value.capitalize()
    if value in (RunStatus.failed, RunStatus.cancelled) and error:
        return f"{words} — {error}"
    return words


async def why_cancel(session: AsyncSession, run: Run, workspace_deleted: bool) -> str | None:
    """Why a run about to be executed must not be: its workspace deleted (as read with the run,
    no query of its own), or the agency that asked for it no longer linked."""
    if workspace_deleted:
        return WORKSPACE_DELETED
    if run.requested_by is not None and await agency_access.withdrawn(session, run):
        return AGENCY_ENDED
    return None


async def cancel(session: AsyncSession, run: Run, reason: str) -> Run:
    """End the run where it is, saying why (committed here: the engine's boundary)."""
    run.status, run.error, run.finished_at = RunStatus.cancelled, reason, utcnow()
    run.lease_owner, run.lease_expires_at = None, None
    session.add(run)
    await session.commit()
    return run
