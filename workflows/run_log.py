"""One log line per finished run, for operators: which run, how it ended, how long it took."""

from __future__ import annotations

import logging

from storage.models import Run, RunStatus

runs_log = logging.getLogger("levqor.runs")


def outcome(run: Run) -> None:
    """One log line per finished run: which, how it ended, how long it took (and why it failed)."""
    seconds = (
        (run.finished_at - run.started_at).total_seconds()
        if run.finished_at and run.started_at
        else None
    )
    fields = {
        "run_id": run.id,
        "workflow_id": run.workflow_id,
        "workspace_id": run.workspace_id,
        "trigger": run.trigger_type,
        "outcome": run.status.value,
        "duration_ms": round(seconds * 1000, 1) if seconds is not None else None,
        "dry_run": run.dry_run,
    }
    if run.status == RunStatus.failed:
        runs_log.warning(
            "run %s of workflow %s failed: %s", run.id, run.workflow_id, run.error, extra=fields
        )
    else:
        runs_log.info(
            "run %s of workflow %s %s", run.id, run.workflow_id, run.status.value, extra=fields
        )
