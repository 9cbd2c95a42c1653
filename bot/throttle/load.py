"""Measure this process's load (event-loop lag, runs in flight, CPU) and keep the tier current."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

from bot.throttle.tiers import TIERS, Load, Tier, TierGauge


class LoadMonitor:
    """Samples load every `interval` seconds in the background and feeds the tier gauge."""

    def __init__(
        self,
        gauge: TierGauge,
        queue_depth: Callable[[], int],
        *,
        interval: float = 0.5,
        fixed: Tier | None = None,
    ) -> None:
        self.gauge = gauge
        self.queue_depth = queue_depth
        self.interval = interval
        self.fixed = fixed
        self.last = Load(0.0, 0, 0.0)
        self._task: asyncio.Task[None] | None = None

    @property
    def tier(self) -> Tier:
        """The tier in force (the fixed one when `LEVQOR_LOAD_TIER` is set)."""
        return self.fixed or self.gauge.tier

    def start(self) -> None:
        """Begin sampling in this event loop (nothing to do with a fixed tier)."""
        if self.fixed is None and self._task is None:
            self._task = asyncio.create_task(self._run(), name="levqor-load-monitor")

    async def stop(self) -> None:
        """Stop sampling."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        cpu_before, wall_before = time.process_time(), loop.time()
        while True:
            planned = loop.time() + self.interval
            await asyncio.sleep(self.interval)
            now = loop.time()
            lag_ms = max(0.0, (now - planned) * 1000)
            cpu_now = time.process_time()
            cpu = 100 * (cpu_now - cpu_before) / max(now - wall_before, 1e-6)
            cpu_before, wall_before = cpu_now, now
            self.last = Load(lag_ms, self.queue_depth(), cpu)
            self.gauge.observe(self.last, now)

    def snapshot(self) -> dict[str, object]:
        """The tier and the last measurement, for the health figures."""
        return {
            "tier": self.tier,
            "level": TIERS.index(self.tier),
            "lag_ms": round(self.last.lag_ms, 1),
            "queue": self.last.queue,
            "cpu_percent": round(self.last.cpu_percent, 1),
        }
