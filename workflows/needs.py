"""Which connections a workflow needs (Stripe, Google Sheets, …), said in words with a link."""

from __future__ import annotations

from typing import Any

from integrations.connections import LABELS, NEEDED_BY


def needed_connections(spec: dict[str, Any]) -> list[str]:
    """The connections (`stripe`, `google`, …) a spec's trigger and steps use, in order.

    Slack and email are left out: without them messages wait in the outbox, nothing fails.
    """
    needed: list[str] = []
    trigger = spec.get("trigger")
    if isinstance(trigger, dict) and trigger.get("type") == "stripe":
        needed.append("stripe")
    if isinstance(trigger, dict) and trigger.get("type") == "poll" and trigger.get("sheet"):
        needed.append("google")  # a poll of a Google Sheet reads it with the Google connection
    for step in spec.get("steps") or []:
        if not isinstance(step, dict):
            continue
        integration = str(step.get("action") or "").split(".", 1)[0]
        inputs = step.get("inputs")
        if integration == "http" and isinstance(inputs, dict) and inputs.get("auth"):
            needed.append("http")
        elif NEEDED_BY.get(integration) not in (None, "slack"):
            needed.append(NEEDED_BY[integration])
    return list(dict.fromkeys(needed))


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def needs_sentence(spec: dict[str, Any], public_url: str) -> str | None:
    """ "It needs Stripe and Google Sheets connected: connect them at <url>." (None: nothing)."""
    needed = needed_connections(spec)
    if not needed:
        return None
    them = "it" if len(needed) == 1 else "them"
    url = public_url.rstrip("/") + "/connections" + (f"#{needed[0]}" if len(needed) == 1 else "")
    return (
        f"It needs {_and([LABELS[n] for n in needed])} connected: connect {them} on the "
        f"Connections page ({url})."
    )
