"""A poll that could not look for news (a sheet it cannot read) starts a run carrying the reason
(`Run.poll_problem`, apart from the trigger payload); the engine fails that run at once with it,
so it reaches the bell and the failure notices."""

from __future__ import annotations

from storage.models import Run


def sheet_problem(sheet: str, reason: str) -> str:
    """Why the sheet could not be watched, for people."""
    reason = reason.strip().rstrip(".")
    return f"Could not read the “{sheet}” sheet to look for new rows: {reason}."


def poll_problem(run: Run) -> str | None:
    """The reason a poll could not look for news, when the run was started to report one."""
    return run.poll_problem if run.trigger_type == "poll" and run.poll_problem else None
