"""Shared set-up for benchmarks: a migrated temp database, a workspace and an owner."""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx

from storage import migrate
from storage.config import Settings


def temp_settings(database_url: str | None = None, **extra: Any) -> Settings:
    """Settings on a fresh, migrated database in a temp dir (SQLite unless a URL is given)."""
    data_dir = Path(tempfile.mkdtemp(prefix="levqor-bench-"))
    values: dict[str, Any] = {
        "LEVQOR_DATA_DIR": data_dir,
        "LEVQOR_SECRET_KEY": "bench-secret",
        "LEVQOR_HTTP_ALLOWED_HOSTS": ["127.0.0.1"],
        "LEVQOR_SCHEDULER": False,
        **extra,
    }
    if database_url:
        values["DATABASE_URL"] = database_url
    settings = Settings.model_validate(values)
    migrate.upgrade(settings)
    return settings


def levqor_processes(settings: Settings, concurrency: int) -> tuple[str, dict[str, str]]:
    """The `levqor` command of this environment and the environment its `worker` and
    `scheduler` processes run with on the benchmark's database."""
    env = {
        **os.environ,
        "DATABASE_URL": settings.libpq_url,
        "LEVQOR_DATA_DIR": str(settings.data_dir),
        "LEVQOR_SECRET_KEY": "bench-secret",
        "LEVQOR_WORKER_CONCURRENCY": str(concurrency),
    }
    return str(Path(sys.executable).parent / "levqor"), env


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile (nearest rank) of values."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def summary(values: list[float]) -> str:
    """Median, p95 and max, in the unit given."""
    return (
        f"median {statistics.median(values):.2f}  p95 {percentile(values, 95):.2f}  "
        f"max {max(values):.2f}  (n={len(values)})"
    )


async def create_api_key(role: str, env: dict[str, str]) -> str:
    """A new API key from `levqor keys create` run with `env` (the served instance's settings)."""
    levqor = str(ROOT / ".venv" / "bin" / "levqor")
    process = await asyncio.create_subprocess_exec(
        levqor, "keys", "create", "--role", role, env=env, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    assert process.returncode == 0, "levqor keys create failed"
    return out.decode().strip()


@asynccontextmanager
async def served_levqor(env: dict[str, str], port: int) -> AsyncIterator[str]:
    """`levqor serve` in its own process with `env`; yields its base URL once it answers."""
    levqor = str(ROOT / ".venv" / "bin" / "levqor")
    server = await asyncio.create_subprocess_exec(
        levqor, "serve", "--port", str(port), env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=5) as probe:
            for _ in range(300):
                try:
                    if (await probe.get("/api/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError("levqor serve did not answer /api/health within 30 s")
        yield base
    finally:
        server.terminate()
        await server.wait()
