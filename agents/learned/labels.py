"""The label space the drafting model predicts (see docs/eval-labels.md)."""

from __future__ import annotations

TRIGGERS: tuple[str, ...] = (
    "schedule",
    "interval",
    "webhook",
    "email",
    "stripe",
    "slack",
    "poll",
    "manual",
)
INTEGRATIONS: tuple[str, ...] = (
    "slack",
    "email",
    "crm",
    "sheets",
    "stripe",
    "http",
    "ai",
    "report",
    "rss",
    "credentials",
)
