"""Runs page response time with 10,000 runs stored for the workspace (target: p95 <= 300 ms).

Levqor runs as `levqor serve` in its own process (SQLite by default, `--postgres URL` for
PostgreSQL); this process signs a web login in directly in the database, bulk-inserts the runs
(a few workflows, mixed statuses, steps for one run in ten) and times `GET /runs`,
`GET /runs?status=failed`, page 2 and one workflow's runs over loopback. The figures are full
request times seen by the client, so they bound the server time from above.

python -m bench.runs_page [--runs 10000] [--requests 30] [--postgres URL]
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # `python bench/<name>.py`, as documented: find the repo
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import asyncio
import html
import os
import re
import statistics
import sys
import time
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import insert, text

from accounts.web_auth import open_session, sign_up
from bench.common import percentile, served_levqor, temp_settings
from integrations.catalog import default_registry
from storage.config import Settings
from storage.db import create_engine, session_factory
from storage.models import Member, Run, RunStatus, StepRun, StepStatus
from storage.scope import Tenant
from storage.types import new_id, utcnow
from tests.fakes.http_server import free_port
from workflows import service

WORKFLOWS = ("Lead fan-out", "Weekly report", "Invoice reminders", "Support triage")
# "waiting" (resuming tomorrow) rather than "running": the served node would recover running runs.
STATUSES = [RunStatus.succeeded] * 7 + [RunStatus.failed] * 2 + [RunStatus.waiting]
TRIGGERS = ("webhook", "schedule", "manual", "email")
TARGET_MS = 300.0


def spec(name: str) -> dict[str, Any]:
    post = {"channel": "#ops", "text": "{{ trigger.name }}"}
    return {
        "name": name,
        "trigger": {"type": "manual"},
        "steps": [
            {"id": "announce", "action": "slack.post_message", "inputs": post},
            {"id": "summarize", "action": "ai.summarize", "inputs": {"text": "{{ trigger }}"}},
        ],
    }


async def seed(settings: Settings, runs: int, database_url: str | None) -> tuple[str, str]:
    """A workspace with a web login, workflows and `runs` runs: (session token, a workflow id)."""
    engine = create_engine(settings)
    sessions = session_factory(engine)
    registry = default_registry()
    async with sessions() as session:
        login = await sign_up(
            session,
            workspace_name="Bench Ops",
            name="Olivia",
            email="olivia@bench.example",
            password="bench password 123",
        )
        token = await open_session(session, login)
        owner = await session.get(Member, login.member_id)
        assert owner is not None
        tenant = Tenant(session, login.workspace_id)
        versions: list[tuple[str, str]] = []
        for name in WORKFLOWS:
            proposal = await service.create_workflow(
                tenant, service.parse_spec(spec(name), registry), registry, owner
            )
            await service.decide(tenant, proposal.approval.id, owner, approve=True, confirm=True)
            versions.append((proposal.workflow.id, proposal.version.id))
        await session.commit()
    now = utcnow()
    run_rows: list[dict[str, Any]] = []
    step_rows: list[dict[str, Any]] = []
    for n in range(runs):
        workflow_id, version_id = versions[n % len(versions)]
        status = STATUSES[(n * 7) % len(STATUSES)]
        created = now - timedelta(seconds=30 * n)
        run_id = new_id()
        finished = status in (RunStatus.succeeded, RunStatus.failed)
        run_rows.append(
            {
                "id": run_id,
                "workspace_id": login.workspace_id,
                "workflow_id": workflow_id,
                "version_id": version_id,
                "status": status,
                "trigger_type": TRIGGERS[n % len(TRIGGERS)],
                "trigger_payload": {"name": f"Lead {n}", "email": f"lead{n}@example.com"},
                "dry_run": False,
                "error": "step summarize failed: model unavailable" if status == "failed" else None,
                "created_at": created,
                "started_at": created + timedelta(milliseconds=5),
                "finished_at": created + timedelta(milliseconds=40 + n % 900) if finished else None,
                "resume_at": None if finished else now + timedelta(days=1),
            }
        )
        if n % 10 == 0:
            for position, step_id in enumerate(("announce", "summarize")):
                step_rows.append(
                    {
                        "id": new_id(),
                        "workspace_id": login.workspace_id,
                        "run_id": run_id,
                        "step_id": step_id,
                        "position": position,
                        "action": "slack.post_message" if position == 0 else "ai.summarize",
                        "status": StepStatus.succeeded,
                        "attempts": 1,
                        "inputs": {"text": f"Lead {n}"},
                        "output": {"ok": True},
                        "idempotency_key": f"{run_id}:{step_id}",
                        "started_at": created,
                        "finished_at": created + timedelta(milliseconds=20),
                        "duration_ms": 20.0,
                    }
                )
    async with sessions() as session:
        for start in range(0, len(run_rows), 1000):
            await session.exec(insert(Run).values(run_rows[start : start + 1000]))
        for start in range(0, len(step_rows), 1000):
            await session.exec(insert(StepRun).values(step_rows[start : start + 1000]))
        await session.commit()
    if database_url:  # what autovacuum does after a bulk load; without it the planner guesses
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("ANALYZE run, step_run, workflow"))
    await engine.dispose()
    return token, versions[1][0]


async def timed(client: httpx.AsyncClient, url: str, n: int) -> list[float]:
    """Milliseconds for `n` sequential GETs of `url` (each must be a 200 page)."""
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = await client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text[:300]
    return times


async def main(runs: int, requests: int, database_url: str | None) -> int:
    settings = temp_settings(database_url)
    seeded = time.perf_counter()
    token, workflow_id = await seed(settings, runs, database_url)
    seeded = time.perf_counter() - seeded
    port = free_port()
    env = {
        **os.environ,
        "LEVQOR_DATA_DIR": str(settings.data_dir),
        "LEVQOR_SECRET_KEY": "bench-secret",
        "LEVQOR_RATE_LIMITS": "false",  # this measures speed; bench/load_tiers.py the limits
        "LEVQOR_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    backend = "PostgreSQL" if database_url else "SQLite"
    print(f"runs page on {backend}: {runs} runs seeded in {seeded:.1f}s, {requests} requests each")
    worst = 0.0
    async with (
        served_levqor(env, port) as base,
        httpx.AsyncClient(base_url=base, cookies={"levqor_session": token}, timeout=30) as client,
    ):
        first = (await client.get("/runs")).text
        assert len(re.findall(r'href="/runs/[0-9a-f]{32}"', first)) == 50, "expected 50 runs"
        found = re.search(r'<a class="btn" href="([^"]+)" rel="next">', first)
        assert found, "no next page link"
        pages = {
            "GET /runs": "/runs",
            "GET /runs?status=failed": "/runs?status=failed",
            "GET /runs page 2": html.unescape(found.group(1)),
            "GET /runs?workflow=<id>": f"/runs?workflow={workflow_id}",
        }
        for label, url in pages.items():
            await timed(client, url, 3)  # warm up
            times = await timed(client, url, requests)
            p50, p95 = statistics.median(times), percentile(times, 95)
            worst = max(worst, p95)
            print(f"  {label:<26} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  max {max(times):7.1f} ms")
    verdict = "OK" if worst <= TARGET_MS else "OVER TARGET"
    print(f"RUNS_PAGE_P95_MS={worst:.1f} (target <= {TARGET_MS:.0f} ms: {verdict})")
    return 0 if worst <= TARGET_MS else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.runs, args.requests, args.postgres)))
