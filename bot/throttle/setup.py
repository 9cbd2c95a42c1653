"""Build the load monitor and rate limiter from settings (one of each per app)."""

from __future__ import annotations

from collections.abc import Callable

from bot.throttle.limiter import RateLimiter
from bot.throttle.load import LoadMonitor
from bot.throttle.tiers import Thresholds, TierGauge
from storage.config import Settings, three_numbers


def build_limiter(settings: Settings, queue_depth: Callable[[], int]) -> RateLimiter:
    """A limiter whose tier follows this process's measured load (or `LEVQOR_LOAD_TIER`)."""
    thresholds = Thresholds(
        lag_ms=three_numbers(settings.tier_lag_ms),
        queue=three_numbers(settings.tier_queue),
        cpu_percent=three_numbers(settings.tier_cpu_percent),
    )
    gauge = TierGauge(thresholds, hold_seconds=settings.tier_hold_seconds)
    monitor = LoadMonitor(
        gauge, queue_depth, interval=settings.load_sample_seconds, fixed=settings.load_tier
    )
    return RateLimiter(
        monitor,
        settings.redis_url,
        enabled=settings.rate_limits,
        limits={"hook_delivery": f"{settings.hook_deliveries_per_minute}/minute"},
    )
