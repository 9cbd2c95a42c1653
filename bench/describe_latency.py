"""Describer latency: `describe(spec)` (words, next runs and sample messages) per workflow.

Every template (filled with its defaults and examples) and every dev-set draft is described
`repeats` times; p50/p95 in milliseconds, with and without rendering the sample messages.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from agents.evaluation import load_cases
from agents.planner import draft
from workflows.catalog import TemplateCatalog
from workflows.describe import describe

DEV = Path(__file__).resolve().parents[1] / "tests" / "agents" / "dev_cases.jsonl"


def specs() -> list[dict[str, Any]]:
    """The templates filled in, and the offline planner's drafts of the dev set."""
    found = []
    for template in TemplateCatalog.load().list():
        values = {
            name: p.default if not p.required else (p.example if p.example is not None else name)
            for name, p in template.parameters.items()
        }
        found.append(template.instantiate(values).model_dump(mode="json", exclude_none=True))
    for case in load_cases(DEV):
        result = draft(case["request"])
        if result.workflow is not None:
            found.append(result.workflow)
    return found


def main(repeats: int = 5) -> None:
    """Describe every spec `repeats` times and print p50/p95 in milliseconds."""
    workflows = specs()
    describe(workflows[0])  # warm imports and caches once
    for samples in (False, True):
        timings: list[float] = []
        for _ in range(repeats):
            for spec in workflows:
                start = time.perf_counter()
                describe(spec, samples=samples)
                timings.append((time.perf_counter() - start) * 1000)
        cuts = statistics.quantiles(timings, n=100, method="inclusive")
        label = "with sample messages" if samples else "words only          "
        print(
            f"describe {label}: {len(timings)} calls  "
            f"p50: {cuts[49]:.2f} ms  p95: {cuts[94]:.2f} ms"
        )


if __name__ == "__main__":
    main()
