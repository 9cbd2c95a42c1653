"""Drafting-model speed: load time of the shipped models (drafting and risk), then predict
p50/p95 over the dev set."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from agents.evaluation import load_cases
from agents.learned.model import MODEL_PATH, load_model
from agents.learned.risk import RISK_PATH, load_risk

DEV = Path(__file__).resolve().parents[1] / "tests" / "agents" / "dev_cases.jsonl"


def main(path: Path = DEV, repeats: int = 20) -> None:
    """Print the model file size, its load time, and predict p50/p95 in milliseconds."""
    start = time.perf_counter()
    model = load_model(MODEL_PATH)
    load_ms = (time.perf_counter() - start) * 1000
    requests = [case["request"] for case in load_cases(path)]
    model.predict(requests[0])  # warm caches once
    wall: list[float] = []
    cpu: list[float] = []  # this thread's CPU time: what a busy shared machine does not inflate
    for _ in range(repeats):
        for request in requests:
            start, start_cpu = time.perf_counter(), time.thread_time()
            model.predict(request)
            cpu.append((time.thread_time() - start_cpu) * 1000)
            wall.append((time.perf_counter() - start) * 1000)
    size_mb = MODEL_PATH.stat().st_size / 1e6
    print(f"model: {size_mb:.2f} MB  load: {load_ms:.1f} ms  ({model.version})")
    for name, timings in (("wall", wall), ("cpu", cpu)):
        cuts = statistics.quantiles(timings, n=100, method="inclusive")
        print(f"predicts: {len(timings)}  {name} p50: {cuts[49]:.3f} ms  p95: {cuts[94]:.3f} ms")
    start = time.perf_counter()
    risk = load_risk(RISK_PATH)
    load_ms = (time.perf_counter() - start) * 1000
    risk_cpu: list[float] = []
    for _ in range(repeats):
        for request in requests:
            start_cpu = time.thread_time()
            risk.probability(request)
            risk_cpu.append((time.thread_time() - start_cpu) * 1000)
    size_kb = RISK_PATH.stat().st_size / 1e3
    cuts = statistics.quantiles(risk_cpu, n=100, method="inclusive")
    print(f"risk model: {size_kb:.0f} KB  load: {load_ms:.1f} ms  ({risk.version})")
    print(f"risk reads: {len(risk_cpu)}  cpu p50: {cuts[49]:.3f} ms  p95: {cuts[94]:.3f} ms")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEV)
