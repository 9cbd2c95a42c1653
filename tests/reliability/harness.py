"""Real Levqor processes on loopback for the reliability suite: `levqor serve`, killed at will.

Each process gets the test's database and data dir through its environment, its own free port,
and a short lease (`LEVQOR_LEASE_SECONDS`) so that take-overs happen within the test's time.
Its output goes to a file in the test's tmp dir (shown when a process fails to start).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from storage.config import Settings
from tests.fakes.http_server import free_port

ROOT = Path(__file__).resolve().parents[2]
LEVQOR = str(Path(sys.executable).parent / "levqor")
LEASE_SECONDS = 2


def process_env(settings: Settings, **extra: object) -> dict[str, str]:
    """The environment of a Levqor process on the test's database and data dir."""
    env = {
        **os.environ,
        "DATABASE_URL": settings.resolved_database_url,
        "LEVQOR_DATA_DIR": str(settings.data_dir),
        "LEVQOR_SECRET_KEY": "test-secret-key-not-for-production",
        "LEVQOR_HTTP_ALLOWED_HOSTS": '["127.0.0.1"]',
        "LEVQOR_SCHEDULER": "false",
        "LEVQOR_LEASE_SECONDS": str(LEASE_SECONDS),
        "LEVQOR_RETRY_BASE_SECONDS": "0.01",
        "LEVQOR_HOST": "127.0.0.1",
    }
    if settings.slack_bot_token:
        env |= {
            "SLACK_BOT_TOKEN": settings.slack_bot_token,
            "SLACK_API_URL": settings.slack_api_url,
        }
    if settings.smtp_url:
        env["SMTP_URL"] = settings.smtp_url
    env.update({k: str(v) for k, v in extra.items()})
    return env


@dataclass
class Served:
    """One `levqor serve` process."""

    process: asyncio.subprocess.Process
    url: str
    log: Path

    async def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup, leases left held."""
        self.process.send_signal(signal.SIGKILL)
        await asyncio.wait_for(self.process.wait(), 10)

    async def stop(self) -> None:
        """SIGTERM: a normal shutdown."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(self.process.wait(), 30)


async def serve(settings: Settings, tmp_path: Path, name: str, **extra: object) -> Served:
    """Start `levqor serve` and return once it answers `/api/health`."""
    port = free_port()
    log = tmp_path / f"{name}.log"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            LEVQOR, "serve", cwd=tmp_path, stdout=out, stderr=out,
            env=process_env(settings, LEVQOR_PORT=port, **extra),
        )  # fmt: skip
    served = Served(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 90
    async with httpx.AsyncClient(timeout=2) as client:
        while True:
            if process.returncode is not None:
                raise AssertionError(f"{name} exited: {log.read_text()[-3000:]}")
            try:
                if (await client.get(f"{served.url}/api/health")).status_code == 200:
                    return served
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                await served.kill()
                raise AssertionError(f"{name} did not start: {log.read_text()[-3000:]}")
            await asyncio.sleep(0.1)


def held_lookup(step_id: str, url: str) -> dict[str, Any]:
    """A GET of a held gate, patient enough for a loaded machine: one attempt, two minutes."""
    return {
        "id": step_id, "action": "http.request", "timeout_seconds": 120,
        "retry": {"max_attempts": 1},
        "inputs": {"method": "GET", "url": f"{url}/lookup", "timeout_seconds": 120},
    }  # fmt: skip


async def worker(settings: Settings, module: str, *args: str, **extra: object) -> int:
    """Run `python -m module args` (from the repository root) to its end; its exit code."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, *args, cwd=ROOT, env=process_env(settings, **extra),
    )  # fmt: skip
    return await asyncio.wait_for(process.wait(), 90)


async def until(check: Callable[[], Awaitable[Any]], within: float = 60, what: str = "") -> Any:
    """Poll `check` until it returns something truthy; fail after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        found = await check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        await asyncio.sleep(0.05)


@dataclass
class Headless:
    """A `levqor worker` or `levqor scheduler` process (no HTTP): its output goes to `log`."""

    process: asyncio.subprocess.Process
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def said(self, text: str) -> bool:
        """Whether the process has logged `text`."""
        return text in self.log.read_text(errors="replace")

    async def ready(self, *texts: str, within: float = 180) -> None:
        """Wait until the process has logged one of `texts` (it started); fail if it exits."""
        deadline = time.monotonic() + within
        while not any(self.said(text) for text in texts):
            if self.process.returncode is not None:
                raise AssertionError(f"exited: {self.log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"did not start: {self.log.read_text()[-3000:]}")
            await asyncio.sleep(0.1)

    async def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup, leases and locks left to the database to free."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await asyncio.wait_for(self.process.wait(), 10)


async def headless(
    settings: Settings, tmp_path: Path, name: str, *args: str, **extra: object
) -> Headless:
    """Start `levqor ARGS` (worker, scheduler) on the test's database."""
    log = tmp_path / f"{name}.log"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            LEVQOR, *args, cwd=tmp_path, stdout=out, stderr=out,
            env=process_env(settings, **extra),
        )  # fmt: skip
    return Headless(process, log)
