"""Suggestion latency: `suggest_from_templates` on vague requests, p50/p95 in microseconds."""

from __future__ import annotations

import statistics
import time

from agents.suggest import suggest_from_templates

REQUESTS = [
    "help me with my leads",
    "sort out our customer feedback",
    "automate my invoices",
    "I want to stop chasing late payments",
    "can you help with our support inbox",
    "keep an eye on our website",
    "we need better reporting",
    "remind the team about standups",
    "something for social media mentions",
    "track our sales numbers in a spreadsheet",
    "onboard new customers",
    "do something about failed card payments",
]


def main(repeats: int = 500) -> None:
    """Time each request `repeats` times after one warm-up call (which builds the index)."""
    start = time.perf_counter()
    suggest_from_templates("warm up")
    first = (time.perf_counter() - start) * 1000
    timings: list[float] = []
    for _ in range(repeats):
        for request in REQUESTS:
            start = time.perf_counter()
            suggest_from_templates(request)
            timings.append((time.perf_counter() - start) * 1_000_000)
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    print(f"first call (builds the index): {first:.1f} ms")
    print(f"suggestions: {len(timings)}  p50: {cuts[49]:.0f} µs  p95: {cuts[94]:.0f} µs")


if __name__ == "__main__":
    main()
