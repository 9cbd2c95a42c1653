"""Benchmarks start as their docstrings say: `python bench/<name>.py` from any directory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "script", ["webhook_throughput.py", "engine_overhead.py", "webhook_workers.py"]
)
def test_a_benchmark_runs_as_a_file_path(script: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--help"],
        cwd=tmp_path,  # not the repo: the script must find it on its own
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout
