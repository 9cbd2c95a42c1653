"""Column types shared by every table."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


# Random bytes for ids, read from the OS 4 KiB (256 ids) at a time: `uuid.uuid4()` reads 16 bytes
# per id, a system call that gives the GIL away and, under load, waits to get it back from the
# database threads. Same source (`os.urandom`), same ids; a forked child reads its own.
_ID_BYTES = 16
_RANDOM_BATCH = 256 * _ID_BYTES
_random = bytearray()
_random_lock = threading.Lock()
os.register_at_fork(after_in_child=_random.clear)
_VERSION_MASK = ~((0xF000 << 64) | (0xC000 << 48))
_VERSION_4 = (0x4000 << 64) | (0x8000 << 48)  # version 4, RFC 4122 variant: as `uuid.uuid4()`


def new_id() -> str:
    """A new opaque row id (32 hex characters: a random version-4 UUID's, as `uuid4().hex`)."""
    with _random_lock:
        if not _random:
            _random[:] = os.urandom(_RANDOM_BATCH)
        raw = bytes(_random[-_ID_BYTES:])
        del _random[-_ID_BYTES:]
    return f"{int.from_bytes(raw) & _VERSION_MASK | _VERSION_4:032x}"


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
