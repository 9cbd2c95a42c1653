"""Drafting: turn a request (and optionally the current draft) into a `DraftResult`.

Two drafters share one protocol: the offline planner (the embedded default, and the fallback when
the model is down) and the LLM drafter (when `OPENAI_API_KEY` or `OPENAI_BASE_URL` is set).
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from agents.drafts import DraftResult
from agents.planner import draft as offline_draft
from integrations.registry import ActionRegistry
from storage.config import Settings

log = logging.getLogger(__name__)


class Drafter(Protocol):
    """Anything that drafts workflows from plain language."""

    async def draft(self, request: str, *, current: dict[str, Any] | None = None) -> DraftResult:
        """Draft `request`; with `current`, revise that draft spec instead of starting anew."""
        ...


class OfflineDrafter:
    """The deterministic planner: template retrieval plus slot extraction, no network."""

    def __init__(self, registry: ActionRegistry | None = None) -> None:
        self.registry = registry

    async def draft(self, request: str, *, current: dict[str, Any] | None = None) -> DraftResult:
        """Draft with the offline planner (revisions of `current` are handled by the assistant)."""
        return offline_draft(request, self.registry)


def build_drafter(settings: Settings, registry: ActionRegistry | None = None) -> Drafter:
    """The drafter the settings ask for: the LLM when configured, else the offline planner.

    The LLM drafter holds an HTTP client: its owner calls `await drafter.aclose()` at shutdown.
    """
    if settings.openai_api_key or settings.openai_base_url:
        from agents.llm_drafter import LLMDrafter

        return LLMDrafter(settings, registry)
    return OfflineDrafter(registry)


_WARM_REQUEST = "every monday at 9am email me the weekly leads report"


def warm_up() -> None:
    """Draft one request offline, loading what drafting reads (models, word lists, catalogue),
    so the first person to ask does not wait for it. A warm-up that fails is logged: the first
    draft then loads them."""
    try:
        offline_draft(_WARM_REQUEST)
    except Exception:
        log.warning("drafting warm-up failed; the first draft loads the models", exc_info=True)
