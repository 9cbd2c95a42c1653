"""Drafting-model speed: load time of the shipped model, then predict p50/p95 over the dev set."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from agents.evaluation import load_cases
from agents.learned.model import MODEL_PATH, load_model

DEV = Path(__file__).resolve().parents[1] / "tests" / "agents" / "dev_cases.jsonl"


def main(path: Path = DEV, repeats: int = 20) -> None:
    """Print the model file size, its load time, and predict p50/p95 in milliseconds."""
    start = time.perf_counter()
    model = load_model(MODEL_PATH)
    load_ms = (time.perf_counter() - start) * 1000
    requests = [case["request"] for case in load_cases(path)]
    model.predict(requests[0])  # warm caches once
    timings: list[float] = []
    for _ in range(repeats):
        for request in requests:
            start = time.perf_counter()
            model.predict(request)
            timings.append((time.perf_counter() - start) * 1000)
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    size_mb = MODEL_PATH.stat().st_size / 1e6
    print(f"model: {size_mb:.2f} MB  load: {load_ms:.1f} ms  ({model.version})")
    print(f"predicts: {len(timings)}  p50: {cuts[49]:.3f} ms  p95: {cuts[94]:.3f} ms")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEV)
