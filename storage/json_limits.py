"""How deep a JSON value may nest: checked on the way in, clipped on the way out."""

from __future__ import annotations

import json
from typing import Any

MAX_JSON_DEPTH = 32
CLIPPED = "…(nested too deep to show)"


class TooDeep(ValueError):
    """A JSON document nests deeper than the limit."""


def depth(value: Any, stop_after: int = MAX_JSON_DEPTH) -> int:
    """How many objects/arrays deep `value` nests (counted without recursion; stops early)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > stop_after:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


def check_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> Any:
    """Return `value`, or raise TooDeep when it nests deeper than `limit`."""
    if depth(value, limit) > limit:
        raise TooDeep(f"the JSON nests deeper than {limit} levels")
    return value


def loads_checked(text: str | bytes, limit: int = MAX_JSON_DEPTH) -> Any:
    """`json.loads` that raises TooDeep (never RecursionError) for over-deep documents."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise TooDeep(f"the JSON nests deeper than {limit} levels") from None
    return check_depth(value, limit)


def clip_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> Any:
    """A copy of `value` with anything deeper than `limit` replaced by a short note."""
    if depth(value, limit) <= limit:
        return value
    return _clip(value, limit)


def _clip(value: Any, remaining: int) -> Any:
    if not isinstance(value, dict | list | tuple):
        return value
    if remaining <= 0:
        return CLIPPED
    if isinstance(value, dict):
        return {k: _clip(v, remaining - 1) for k, v in value.items()}
    return [_clip(v, remaining - 1) for v in value]
