"""Prometheus figures of one process (`GET /metrics`), every name prefixed `levqor_`.

Run and step figures come from the engine's live events (`observe`), so the engine itself
knows nothing of Prometheus. Gauges that describe shared state (queue depth and age, outbox
backlog) are read from the database at scrape time by `bot.api.metrics`.
"""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from workflows.live import LiveEvent

STEP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
ACCEPT_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
LATENESS_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300)
TIERS = ("low", "medium", "high", "critical")


class Metrics:
    """The collectors of one process, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.runs_started = Counter(
            "levqor_runs_started", "Executions of runs begun in this process", registry=r
        )
        self.runs_finished = Counter(
            "levqor_runs_finished",
            "Runs ended in this process, by outcome (succeeded, failed, waiting)",
            ["outcome"],
            registry=r,
        )
        self.step_seconds = Histogram(
            "levqor_step_seconds", "Time from a step's start to its end", buckets=STEP_BUCKETS,
            registry=r,
        )  # fmt: skip
        self.webhook_accept_seconds = Histogram(
            "levqor_webhook_accept_seconds",
            "Time to answer a webhook delivery",
            buckets=ACCEPT_BUCKETS,
            registry=r,
        )
        self.scheduler_lateness_seconds = Histogram(
            "levqor_scheduler_lateness_seconds",
            "How long after its scheduled time a scheduled fire started",
            buckets=LATENESS_BUCKETS,
            registry=r,
        )
        self.scheduler_leader = Gauge(
            "levqor_scheduler_leader", "1 while this process is the active scheduler", registry=r
        )
        self.queue_depth = Gauge("levqor_queue_depth", "Runs waiting to be executed", registry=r)
        self.queue_age_seconds = Gauge(
            "levqor_queue_oldest_age_seconds", "Age of the oldest run waiting", registry=r
        )
        self.outbox_backlog = Gauge(
            "levqor_outbox_backlog", "Outbox messages not yet delivered", registry=r
        )
        self.load_tier = Gauge(
            "levqor_load_tier",
            "The rate-limit load tier in force (0 low, 1 medium, 2 high, 3 critical)",
            registry=r,
        )
        self._steps: dict[str, dict[str | None, float]] = {}

    def observe(self, event: LiveEvent) -> None:
        """Count what a live event says about a run (call for every event the engine sends)."""
        kind, run_id = event.kind, event.run_id or ""
        if kind == "run.started":
            self.runs_started.inc()
        elif kind == "step.started":
            self._steps.setdefault(run_id, {})[event.step_id] = time.perf_counter()
        elif kind == "step.finished":
            began = self._steps.get(run_id, {}).pop(event.step_id, None)
            if began is not None:
                self.step_seconds.observe(time.perf_counter() - began)
        elif kind in ("run.succeeded", "run.failed", "run.waiting"):
            self.runs_finished.labels(kind.removeprefix("run.")).inc()
            self._steps.pop(run_id, None)

    def set_tier(self, tier: str) -> None:
        """Record the load tier by name."""
        self.load_tier.set(TIERS.index(tier) if tier in TIERS else 0)
