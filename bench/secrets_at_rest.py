"""Secrets at rest: sealing and opening one secret, and `rotate-encryption` over many rows.

Seal/open are timed per call (microseconds); rotation re-encrypts `rows` stored secrets spread
over 100 workspaces in one transaction (SQLite, or PostgreSQL with `BENCH_DATABASE_URL`).
"""

from __future__ import annotations

import asyncio
import os
import time

from bench.common import summary, temp_settings
from integrations.credentials import bound_to, key_ring, reencrypt_all
from storage.db import create_engine, session_factory
from storage.models import Credential, Workspace


def seal_and_open(repeats: int = 2000) -> None:
    """Per-call latency of sealing and opening a 40-character secret."""
    settings = temp_settings(LEVQOR_ENCRYPTION_KEYS="bench-new,bench-old")
    ring, place = key_ring(settings), bound_to("w" * 32, "stripe", "api_key")
    secret = "rk_live_" + "x" * 32
    seals, opens = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        sealed = ring.seal(secret, place)
        seals.append((time.perf_counter() - start) * 1e6)
        start = time.perf_counter()
        ring.open(sealed, place)
        opens.append((time.perf_counter() - start) * 1e6)
    print(f"seal one secret (µs): {summary(seals)}")
    print(f"open one secret (µs): {summary(opens)}")


async def rotation(rows: int = 2000) -> None:
    """Wall time of re-encrypting `rows` secrets sealed with the old key."""
    url = os.environ.get("BENCH_DATABASE_URL")
    old = temp_settings(url, LEVQOR_ENCRYPTION_KEYS="bench-old")
    new = old.model_copy(update={"encryption_keys": ["bench-new", "bench-old"]})
    engine = create_engine(old)
    sessions = session_factory(engine)
    ring = key_ring(old)
    async with sessions() as session:
        workspaces = [Workspace(slug=f"bench-{i}", name=f"Bench {i}") for i in range(100)]
        session.add_all(workspaces)
        await session.flush()
        for i in range(rows):
            ws = workspaces[i % len(workspaces)].id
            name = f"secret_{i}"
            sealed = ring.seal(f"value-{i}", bound_to(ws, "http", name))
            session.add(
                Credential(workspace_id=ws, integration="http", name=name, ciphertext=sealed)
            )
        await session.commit()
    start = time.perf_counter()
    async with sessions() as session:
        total, older = await reencrypt_all(session, new)
        await session.commit()
    seconds = time.perf_counter() - start
    await engine.dispose()
    print(
        f"rotate-encryption: {total} rows ({older} on the old key) in {seconds:.2f} s "
        f"= {total / seconds:.0f} rows/s"
    )


def main() -> None:
    """Print the figures."""
    seal_and_open()
    asyncio.run(rotation())


if __name__ == "__main__":
    main()
