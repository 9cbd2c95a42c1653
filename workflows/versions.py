"""Parsed specs of stored versions; a version never changes, so each is parsed once per process."""

from __future__ import annotations

from storage.models import WorkflowVersion
from workflows.spec import WorkflowSpec

_CACHE: dict[str, WorkflowSpec] = {}
_LIMIT = 4096


def spec_of(version: WorkflowVersion) -> WorkflowSpec:
    """The version's spec as a model (cached by version id)."""
    spec = _CACHE.get(version.id)
    if spec is None:
        if len(_CACHE) >= _LIMIT:
            _CACHE.clear()
        spec = _CACHE[version.id] = WorkflowSpec.model_validate(version.spec)
    return spec


def cached(version_id: str) -> WorkflowSpec | None:
    """The parsed spec if this process has already seen the version."""
    return _CACHE.get(version_id)
