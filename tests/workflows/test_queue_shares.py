"""Runs enqueued together are split into jobs of several as evenly as `RUNS_PER_JOB` allows: no
job of several names a single run, none names more than `RUNS_PER_JOB`, and each run is named
once, in order."""

from __future__ import annotations

import pytest

from workflows.queue import RUNS_PER_JOB, shares


@pytest.mark.parametrize("count", range(2, 4 * RUNS_PER_JOB + 2))
def test_every_share_holds_several_runs_and_no_more_than_a_job_takes(count: int) -> None:
    run_ids = [f"run{i}" for i in range(count)]
    split = shares(run_ids)
    assert [r for chunk in split for r in chunk] == run_ids
    assert all(1 < len(chunk) <= RUNS_PER_JOB for chunk in split)
    assert len(split) == -(-count // RUNS_PER_JOB)  # as few jobs as the limit allows
    assert max(map(len, split)) - min(map(len, split)) <= 1


def test_one_run_over_the_limit_splits_in_two_halves() -> None:
    nine = RUNS_PER_JOB + 1  # 8 + 1 with the shipped limit
    assert [len(c) for c in shares([str(i) for i in range(nine)])] == [(nine + 1) // 2, nine // 2]
    assert shares([]) == []
