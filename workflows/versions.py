"""Parsed specs of stored versions; a version never changes, so each is parsed once per process."""

from __future__ import annotations

from storage.models import WorkflowVersion
from workflows.spec import WorkflowSpec

_CACHE: dict[str, WorkflowSpec] = {}
_IDS: dict[tuple[str, int], str] = {}  # (workflow id, version number) → version id
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


def remember_id(version: WorkflowVersion) -> None:
    """Note which version row is number N of its workflow (a stored version never changes)."""
    if len(_IDS) >= _LIMIT:
        _IDS.clear()
    _IDS[(version.workflow_id, version.version)] = version.id


def known(workflow_id: str, number: int) -> tuple[str, WorkflowSpec] | None:
    """The id and parsed spec of the workflow's version `number`, if this process has them."""
    version_id = _IDS.get((workflow_id, number))
    spec = _CACHE.get(version_id) if version_id else None
    return (version_id, spec) if version_id and spec else None
