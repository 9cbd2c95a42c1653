"""The load tiers and their per-minute request limits, and the gauge that picks the tier.

The table is the product's: requests per minute for each workspace and each user, by kind.
The gauge steps up as soon as load crosses a tier's threshold on two samples in a row, and
steps down one tier only after load has stayed well below the current tier's thresholds
(`down_ratio` of them) for `hold_seconds`, so the tier does not flap around a threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Tier = Literal["low", "medium", "high", "critical"]
Kind = Literal["global", "chat", "billing"]
TIERS: tuple[Tier, ...] = ("low", "medium", "high", "critical")

PER_MINUTE: dict[Tier, dict[Kind, int]] = {
    "low": {"global": 200, "chat": 50, "billing": 30},
    "medium": {"global": 100, "chat": 30, "billing": 20},
    "high": {"global": 70, "chat": 20, "billing": 15},
    "critical": {"global": 50, "chat": 10, "billing": 10},
}


@dataclass(frozen=True)
class Load:
    """One measurement: event-loop lag, runs queued or executing, CPU of this process."""

    lag_ms: float
    queue: int
    cpu_percent: float


@dataclass(frozen=True)
class Thresholds:
    """Where medium, high and critical start, for each measure (three rising numbers each)."""

    lag_ms: tuple[float, float, float] = (100.0, 300.0, 1000.0)
    queue: tuple[float, float, float] = (50.0, 200.0, 1000.0)
    cpu_percent: tuple[float, float, float] = (70.0, 85.0, 95.0)

    def level(self, load: Load, scale: float = 1.0) -> int:
        """The highest tier index (0-3) any measure reaches, thresholds multiplied by `scale`."""
        level = 0
        for value, marks in (
            (load.lag_ms, self.lag_ms),
            (load.queue, self.queue),
            (load.cpu_percent, self.cpu_percent),
        ):
            level = max(level, sum(1 for mark in marks if value >= mark * scale))
        return level


@dataclass
class TierGauge:
    """The current tier, moved by measurements with hysteresis."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    hold_seconds: float = 30.0
    down_ratio: float = 0.7
    up_samples: int = 2
    level: int = 0
    _rising: int = 0
    _calm_since: float | None = None

    @property
    def tier(self) -> Tier:
        """The tier now in force."""
        return TIERS[self.level]

    def observe(self, load: Load, now: float) -> Tier:
        """Feed one measurement taken at `now` (monotonic seconds); returns the tier."""
        raw = self.thresholds.level(load)
        if raw > self.level:
            self._rising += 1
            self._calm_since = None
            if self._rising >= self.up_samples:
                self.level, self._rising = raw, 0
            return self.tier
        self._rising = 0
        calm = self.thresholds.level(load, self.down_ratio) < self.level
        if not calm:
            self._calm_since = None
        elif self._calm_since is None:
            self._calm_since = now
        elif now - self._calm_since >= self.hold_seconds:
            self.level -= 1
            self._calm_since = now
        return self.tier


def limit_for(tier: Tier, kind: Kind) -> int:
    """Requests per minute for a kind of request at a tier."""
    return PER_MINUTE[tier][kind]
