"""A run handed from the process that created it to its engine, with what that process read.

The webhook hub has the workflow, its workspace and the running version's spec in hand when it
records a run; handing them to the engine spares the engine its load `SELECT`. With `claim`, the
run was inserted already claimed by this process's engine (running, leased to it): the engine
writes no claim of its own. Runs recovered at start, continued after a wait or executed by a
worker have no hand-over: the engine loads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from storage.models import RunStatus
from storage.types import utcnow
from workflows.spec import WorkflowSpec


@dataclass(frozen=True)
class Lease:
    """The lease a new run is inserted with when the accepting process executes it itself."""

    owner: str
    seconds: float

    def claimed(self, values: dict[str, Any]) -> None:
        """Make a new run's columns those of a run this lease's owner has claimed (running)."""
        now = utcnow()
        values.update(
            status=RunStatus.running,
            started_at=now,
            running_since=now,
            lease_owner=self.owner,
            lease_expires_at=now + timedelta(seconds=self.seconds),
        )


@dataclass
class Answer:
    """What the engine leaves of a handed run once it has ended: each step's output (None for a
    step that left none), in step order — what a "when done" webhook answers with, without
    reading the steps back. None until the run ends here (then the answer is read instead)."""

    outputs: list[tuple[str, dict[str, Any] | None]] | None = None


@dataclass(frozen=True)
class Handed:
    """A new run's stored columns and what its execution reads besides the run."""

    values: dict[str, Any]  # every column of the run as inserted
    spec: WorkflowSpec
    workflow: dict[str, Any]  # {"id", "name"}
    created_by: str | None  # the workflow's creator (`requested_by` of its actions)
    workspace: dict[str, Any]  # {"id", "name", "slug"}
    workspace_deleted: bool
    claimed: bool  # inserted claimed by this process's engine (see `Lease`)
    answer: Answer = field(default_factory=Answer, compare=False)  # set by the engine

    @property
    def run_id(self) -> str:
        return str(self.values["id"])

    @property
    def claimed_at(self) -> datetime | None:
        return self.values.get("running_since") if self.claimed else None
