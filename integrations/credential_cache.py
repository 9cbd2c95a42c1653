"""Decrypted credentials kept in this process for a few seconds, forgotten when one changes.

A step that needs a workspace's secret on every run (the Slack bot token of `slack.post_message`)
would otherwise open a session and read the `credential` row per run. The cache holds the opened
value (or its absence) per database, workspace, integration and name.

Forgotten at once when this process changes it: a session whose flush inserts, updates or deletes
`Credential` rows forgets their keys after its commit (and after a rollback); a lookup that began
before such a change does not store what it read. Changes made by another process (a second
serving process, a web node beside a worker on PostgreSQL) or by bulk statements (a workspace's
erasure) are seen once the entry is `TTL_SECONDS` old.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from storage.models import Credential

TTL_SECONDS = 5.0
Key = tuple[str, str, str, str]  # database, workspace, integration, name
_CHANGED = "levqor.credentials_changed"


class CredentialCache:
    """Opened secrets by key, each for at most `ttl` seconds (see the module docstring)."""

    def __init__(self, ttl: float = TTL_SECONDS) -> None:
        self.ttl = ttl
        self._values: dict[Key, tuple[str | None, float]] = {}
        self._generation = 0  # moves on every change seen: a lookup begun before it stores nothing

    async def get(self, key: Key, load: Callable[[], Awaitable[str | None]]) -> str | None:
        """The cached value, or `load()`'s (kept unless a change was seen meanwhile)."""
        found = self._values.get(key)
        now = time.monotonic()
        if found is not None and found[1] > now:
            return found[0]
        generation = self._generation
        value = await load()
        if generation == self._generation:
            self._values[key] = (value, now + self.ttl)
        return value

    def changing(self) -> None:
        """A change is under way (flushed, not committed): lookups in flight store nothing."""
        self._generation += 1

    def forget(self, keys: set[tuple[str, str, str]]) -> None:
        """Drop the entries of (workspace, integration, name) `keys`, in every database."""
        self._generation += 1
        for key in [k for k in self._values if k[1:] in keys]:
            del self._values[key]

    def clear(self) -> None:
        self._generation += 1
        self._values.clear()


CREDENTIALS = CredentialCache()
_installed = False


def cached_credentials() -> CredentialCache:
    """The process's cache, with its invalidation hooked into every ORM session (once)."""
    global _installed
    if not _installed:
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_commit", _after_end)
        event.listen(Session, "after_soft_rollback", _after_rollback)
        _installed = True
    return CREDENTIALS


def _after_flush(session: Session, _context: Any) -> None:
    touched = {
        (row.workspace_id, row.integration, row.name)
        for row in (*session.new, *session.dirty, *session.deleted)
        if isinstance(row, Credential)
    }
    if touched:
        CREDENTIALS.changing()
        session.info.setdefault(_CHANGED, set()).update(touched)


def _after_end(session: Session) -> None:
    touched = session.info.pop(_CHANGED, None)
    if touched:
        CREDENTIALS.forget(touched)


def _after_rollback(session: Session, _previous: Any) -> None:
    _after_end(session)
