"""A run's running time: its limit (`LEVQOR_RUN_MAX_SECONDS`), waits not counted.

`run.running_since` is set by the claim that starts (or continues) the run and kept across
take-overs; going to wait adds the time run so far to `run.active_seconds` and clears it.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from storage.models import Run, RunStatus
from storage.types import utcnow
from workflows.leases import Claim
from workflows.step_errors import seconds_in_words


def deadline(claim: Claim, limit_seconds: float) -> float:
    """The event loop's time at which the claimed run is over its limit."""
    used = claim.active_seconds + (utcnow() - claim.running_since).total_seconds()
    return asyncio.get_running_loop().time() + limit_seconds - used


def past(at: float) -> bool:
    """Whether the event loop's clock has reached `at`."""
    return asyncio.get_running_loop().time() >= at


def over_time(limit_seconds: float, step_id: str | None) -> str:
    """Why a run was stopped for its time, in words."""
    where = f" during step “{step_id}”" if step_id else ""
    return (
        f"This run took longer than the {seconds_in_words(limit_seconds)} a run may take (time "
        f"spent waiting is not counted), so Levqor stopped it{where}."
    )


def pause(run: Run, due: datetime) -> None:
    """The run waits until `due`: its lease goes, its running time so far is kept."""
    now = utcnow()
    if run.running_since is not None:
        run.active_seconds += (now - run.running_since).total_seconds()
    run.status, run.resume_at, run.running_since, run.lease_owner = (
        RunStatus.waiting, due, None, None,
    )  # fmt: skip
