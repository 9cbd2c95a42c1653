"""Row ids: random version-4 UUIDs as before, read from the OS 256 at a time, never repeated
across a fork."""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest

from storage import types
from storage.types import new_id


def test_ids_are_version_4_uuids_read_from_the_os_256_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reads: list[int] = []
    original: Any = os.urandom

    def counted(size: int) -> bytes:
        reads.append(size)
        return bytes(original(size))

    monkeypatch.setattr(os, "urandom", counted)
    types._random.clear()
    ids = [new_id() for _ in range(1024)]
    assert reads == [4096] * 4  # `uuid.uuid4()`: one read of 16 bytes per id, 1,024 reads
    assert len(set(ids)) == 1024
    for value in ids:
        parsed = uuid.UUID(hex=value)
        assert len(value) == 32 and parsed.hex == value
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_does_not_reuse_the_parents_random_bytes() -> None:
    types._random.clear()
    new_id()  # the parent has 255 ids' bytes in hand
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child
        os.write(write, new_id().encode())
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    childs = os.read(read, 64).decode()
    os.close(read)
    assert len(childs) == 32 and childs != new_id()
