"""Parse human durations such as "2 days", "90m" or "1h30m"."""

from __future__ import annotations

import re

_UNITS = {
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "week": 604800, "weeks": 604800,
    "month": 2592000, "months": 2592000,
    "y": 31536000, "yr": 31536000, "yrs": 31536000, "year": 31536000, "years": 31536000,
}  # fmt: skip
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)")
_MAX_SECONDS = 10 * 365 * 86400


def parse_duration(text: str) -> float:
    """Seconds in a duration like "2 days" or "1h 30m"; ValueError if it is not one."""
    cleaned = text.strip().lower().replace(",", " ").replace(" and ", " ")
    parts = _PART.findall(cleaned)
    if not parts or _PART.sub("", cleaned).strip():
        raise ValueError(f"not a duration: {text!r} (try '2 days', '3h' or '90 minutes')")
    total = 0.0
    for amount, unit in parts:
        if unit not in _UNITS:
            raise ValueError(f"unknown unit {unit!r} in duration {text!r}")
        total += float(amount) * _UNITS[unit]
    if not 0 < total <= _MAX_SECONDS:
        raise ValueError(f"duration {text!r} must be between 1 second and 10 years")
    return total
