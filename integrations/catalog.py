"""Assemble the registry from every integration module's `ACTIONS`."""

from __future__ import annotations

from functools import lru_cache

from integrations import (
    ai,
    alerts,
    crm,
    crm_sync,
    email,
    http,
    hubspot,
    page_checks,
    report,
    rss,
    sheets,
    slack,
    social,
    stripe,
)
from integrations import credential_actions as credentials
from integrations import stripe_reminders as invoice_reminders
from integrations.registry import ActionRegistry


@lru_cache(maxsize=1)
def default_registry() -> ActionRegistry:
    """Every built-in action (the registry is immutable data, so one copy serves all)."""
    modules = (
        slack,
        email,
        http,
        page_checks,
        crm,
        report,
        rss,
        social,
        ai,
        stripe,
        sheets,
        credentials,
        hubspot,
        crm_sync,
        invoice_reminders,
        alerts,
    )
    return ActionRegistry(action for module in modules for action in module.ACTIONS)
