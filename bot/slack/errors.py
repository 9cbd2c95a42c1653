"""One place turning errors into what a Slack user is told; the rest is logged with its trace."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from accounts.limits import OverLimit
from workflows.errors import DomainError

log = logging.getLogger("levqor.slack")

SORRY = ":warning: Something went wrong on our side; it has been logged."


def explain(exc: BaseException) -> str:
    """A message safe to show: a domain error's own words, else a generic apology (logged)."""
    if isinstance(exc, OverLimit):
        return f":warning: {exc}"
    if isinstance(exc, DomainError):
        return f":warning: {exc}"
    if isinstance(exc, SlackApiError):
        error = exc.response.get("error") if exc.response is not None else None
        log.warning("Slack refused a call: %s", error)
        return f":warning: Slack refused the request ({error})."
    log.error("Slack listener failed", exc_info=exc)
    return SORRY


async def on_unhandled(error: Exception, body: dict[str, Any]) -> None:
    """Bolt's global error handler: log with the trace (listeners already told the user)."""
    log.error("unhandled error in a Slack listener (type=%s)", body.get("type"), exc_info=error)
