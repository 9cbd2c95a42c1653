"""Rows a request read a moment ago alongside others, handed once to the code that asks next.

The webhook hub reads the workflow, its workspace and the workspace's own subscription in one
statement; the plan's admission, a few lines later in the same session, would query the
subscription again. `note` keeps what was read in the session's `info` and `take` hands it out
once (then it is gone), so only the very next lookup in that session uses it: a later one, after
anything the session may have changed, queries as before.
"""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

_KEY = "levqor_read_ahead"
MISSING = object()  # `take`: nothing noted under that key


def note(session: AsyncSession, key: tuple[str, str], value: Any) -> None:
    """Keep `value` (None too: "there is no such row") for the next `take` of `key`."""
    session.info.setdefault(_KEY, {})[key] = value


def take(session: AsyncSession, key: tuple[str, str]) -> Any:
    """What was noted under `key` (forgotten now), or `MISSING`."""
    noted: dict[tuple[str, str], Any] | None = session.info.get(_KEY)
    if not noted:
        return MISSING
    return noted.pop(key, MISSING)
