"""An ordered list of step dicts with unique ids, and lookups of what is already in it."""

from __future__ import annotations

from typing import Any

# How the name of a read from a system no word names ends ("Read the shifts from the system that
# keeps them"): a tool the request does name may turn out to be that system.
KEPT_BY = "from the system that keeps them"


def writes_over_http(step: dict[str, Any]) -> bool:
    """Whether a drafted step is an `http.request` other than a GET: a write to another tool."""
    return step.get("action") == "http.request" and step.get("inputs", {}).get("method") != "GET"


class StepList:
    """Steps being drafted; ids stay unique (`notify_slack`, `notify_slack_2`, …)."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(
        self,
        step_id: str,
        action: str,
        inputs: dict[str, Any],
        when: str | None = None,
        *,
        name: str | None = None,
    ) -> str:
        """Append an action step and return the id it got (`name`: what it does, in words)."""
        unique = self._unique(step_id)
        step: dict[str, Any] = {"id": unique, "action": action, "inputs": inputs}
        if name:
            step["name"] = name
        if when:
            step["when"] = when
        self.items.append(step)
        return unique

    def wait(self, days: int) -> None:
        """Append a persisted wait of `days` days."""
        self.items.append({"id": self._unique(f"wait_{days}d"), "wait": f"{days} days"})

    def first(self, action: str) -> str | None:
        """The id of the first step running `action`, or None."""
        return next((s["id"] for s in self.items if s.get("action") == action), None)

    def has_integration(self, integration: str) -> bool:
        """Whether any step uses an action of this integration."""
        return any(s.get("action", "").startswith(integration + ".") for s in self.items)

    def _unique(self, base: str) -> str:
        taken = {s["id"] for s in self.items}
        if base not in taken:
            return base
        n = 2
        while f"{base}_{n}" in taken:
            n += 1
        return f"{base}_{n}"
