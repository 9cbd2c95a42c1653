"""Planner latency over the dev set: p50/p95 per draft, repeated a few times."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from agents.evaluation import load_cases
from agents.planner import draft

DEV = Path(__file__).resolve().parents[1] / "tests" / "agents" / "dev_cases.jsonl"


def main(path: Path = DEV, repeats: int = 5) -> None:
    """Draft every dev request `repeats` times and print p50/p95 in milliseconds."""
    requests = [case["request"] for case in load_cases(path)]
    draft(requests[0])  # warm imports and caches once
    timings: list[float] = []
    for _ in range(repeats):
        for request in requests:
            start = time.perf_counter()
            draft(request)
            timings.append((time.perf_counter() - start) * 1000)
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    print(f"drafts: {len(timings)}  p50: {cuts[49]:.2f} ms  p95: {cuts[94]:.2f} ms")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEV)
