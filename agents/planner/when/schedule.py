"""`Schedule`: what the time grammar reads from a request (a cron and what cron cannot say)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Schedule:
    """Five cron fields, plus every-N-weeks and only-on rules for a `ScheduleTrigger`."""

    minute: str
    hour: str
    dom: str
    month: str
    dow: str
    week_interval: int = 1
    only_on: str | None = None
    clocked: bool = False  # a time of day or a step was written ("at 3pm", "every 10 minutes")
    asked_minutes: int | None = None  # "every 90 minutes": cron runs the nearest whole hours

    @property
    def cron(self) -> str:
        """The standard 5-field crontab (Sunday = 0)."""
        return f"{self.minute} {self.hour} {self.dom} {self.month} {self.dow}"

    @property
    def approximate(self) -> bool:
        """Whether cron alone would mislead (a step in the days of the month, or a rule)."""
        return self.week_interval > 1 or self.only_on is not None or "/" in self.dom

    def trigger_fields(self) -> dict[str, Any]:
        """The ScheduleTrigger fields (without the timezone)."""
        fields: dict[str, Any] = {"type": "schedule", "cron": self.cron}
        if self.week_interval > 1:
            fields["week_interval"] = self.week_interval
        if self.only_on:
            fields["only_on"] = self.only_on
        return fields
