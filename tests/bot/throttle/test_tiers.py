"""The load tier follows measured load, with hysteresis so it does not flap."""

from __future__ import annotations

from bot.throttle.tiers import PER_MINUTE, Load, Thresholds, TierGauge, limit_for

THRESHOLDS = Thresholds(lag_ms=(100, 300, 1000), queue=(50, 200, 1000), cpu_percent=(70, 85, 95))


def quiet() -> Load:
    return Load(lag_ms=5, queue=0, cpu_percent=10)


def test_the_product_table() -> None:
    assert [limit_for(t, "global") for t in PER_MINUTE] == [200, 100, 70, 50]
    assert [limit_for(t, "chat") for t in PER_MINUTE] == [50, 30, 20, 10]
    assert [limit_for(t, "billing") for t in PER_MINUTE] == [30, 20, 15, 10]


def test_any_measure_raises_the_tier_after_two_samples() -> None:
    gauge = TierGauge(THRESHOLDS, hold_seconds=10)
    assert gauge.observe(Load(lag_ms=400, queue=0, cpu_percent=0), 0.0) == "low"  # one spike
    assert gauge.observe(quiet(), 0.5) == "low"
    assert gauge.observe(Load(lag_ms=0, queue=250, cpu_percent=0), 1.0) == "low"
    assert gauge.observe(Load(lag_ms=0, queue=250, cpu_percent=0), 1.5) == "high"
    assert gauge.observe(Load(lag_ms=0, queue=0, cpu_percent=99), 2.0) == "high"
    assert gauge.observe(Load(lag_ms=0, queue=0, cpu_percent=99), 2.5) == "critical"


def test_the_tier_steps_down_one_at_a_time_after_calm_and_does_not_flap() -> None:
    gauge = TierGauge(THRESHOLDS, hold_seconds=10, level=3)
    near = Load(lag_ms=0, queue=900, cpu_percent=0)  # just under critical, above 70% of it
    for second in range(0, 60, 1):
        assert gauge.observe(near, float(second)) == "critical"
    assert gauge.observe(quiet(), 100.0) == "critical"
    assert gauge.observe(quiet(), 109.0) == "critical"
    assert gauge.observe(quiet(), 110.0) == "high"
    assert gauge.observe(quiet(), 115.0) == "high"
    assert gauge.observe(quiet(), 120.0) == "medium"
    assert gauge.observe(quiet(), 130.0) == "low"
    assert gauge.observe(quiet(), 500.0) == "low"
