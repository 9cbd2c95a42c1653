"""The scale-out topology as processes on loopback, on PostgreSQL: web nodes enqueue runs,
`levqor worker` processes execute them, `levqor scheduler` processes elect one leader.

Docker is not needed: each service of compose.yaml is started here as the same command.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.catalog import default_registry
from storage.config import Settings
from storage.models import Run, RunEvent, RunStatus, StepRun, Workflow, Workspace
from storage.scope import Tenant
from tests.conftest import empty_run_queue, make_settings
from tests.fakes.gate import Gate
from tests.fakes.http_server import LoopbackServer
from tests.fakes.slack_api import TOKEN, FakeSlack
from tests.reliability.harness import Headless, Served, headless, held_lookup, serve, until
from tests.workflows.helpers import activate
from workflows.runs import start_run
from workflows.runtime import Runtime

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

BACKLOG = 200  # bench/queue_drain.py drains 10,000
SCALE = {
    "LEVQOR_RUN_QUEUE": "true",
    "LEVQOR_RATE_LIMITS": "false",
    "LEVQOR_LEADER_POLL_SECONDS": "0.5",
    "LEVQOR_SCHEDULE_REFRESH_SECONDS": "0.5",
    "LEVQOR_WORKER_CONCURRENCY": "4",
}
LEADS = "this process is now the active scheduler"
STANDS_BY = "another process is the active scheduler; standing by"
WORKS = "Starting worker on queues"  # procrastinate's line once a worker takes jobs
EVERY = 3  # seconds between scheduled fires in the scheduler test


@pytest.fixture
def backend() -> str:
    """Workers, the queue and the scheduler lock are PostgreSQL's: these tests run only there."""
    return "postgres"


@pytest.fixture
def settings(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> Settings:
    return empty_run_queue(
        make_settings(tmp_path, database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake_slack.url)
    )


async def runs_of(sessions: async_sessionmaker[AsyncSession], workflow_id: str) -> list[Run]:
    async with sessions() as session:
        query = select(Run).where(Run.workflow_id == workflow_id).order_by(col(Run.created_at))
        return list((await session.exec(query)).all())


async def enqueue_backlog(settings: Settings, workflow: Workflow, n: int) -> list[str]:
    """Record `n` runs the way a web node does (each run and its job in one transaction)."""
    queueing = make_settings(settings.data_dir / "q", settings.database_url, LEVQOR_RUN_QUEUE=True)
    runtime = Runtime(queueing)
    ids = []
    try:
        for n_ in range(n):
            async with runtime.sessions() as session:
                tenant = Tenant(session, workflow.workspace_id)
                fresh = await session.get(Workflow, workflow.id)
                assert fresh is not None
                started = await start_run(tenant, fresh, trigger_type="manual", payload={"n": n_})
                ids.append(started.run.id)
    finally:
        await runtime.close()
    return ids


def fire_time(run: Run) -> datetime:
    """The scheduled time a run was started for (its key is `fire:<time>`)."""
    key = run.idempotency_key or ""
    assert key.startswith("fire:"), key
    return datetime.fromisoformat(key.removeprefix("fire:"))


async def stop_all(processes: list[Served | Headless]) -> None:
    for process in processes:
        if process.process.returncode is None:
            await process.kill()


async def test_a_killed_workers_run_completes_once_and_a_backlog_drains_once(
    settings: Settings,
    tmp_path: Path,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,
    gates: list[tuple[Gate, LoopbackServer]],
    owner_api: Any,
) -> None:
    gate, server = gates[0]
    registry = default_registry()
    held = await activate(sessions, workspace, {
        "name": "Look up, then post", "trigger": {"type": "manual"},
        "steps": [held_lookup("look", server.url),
                  {"id": "say", "action": "slack.post_message",
                   "inputs": {"channel": "#vip", "text": "tier {{ steps.look.json.tier }}"}}],
    }, registry)  # fmt: skip
    posting = await activate(sessions, workspace, {
        "name": "Post", "trigger": {"type": "manual"},
        "steps": [{"id": "say", "action": "slack.post_message",
                   "inputs": {"channel": "#ops", "text": "run {{ trigger.n }}"}}],
    }, registry)  # fmt: skip
    processes: list[Served | Headless] = []
    try:
        web = await serve(settings, tmp_path, "web", LEVQOR_ROLE="web", **SCALE)
        processes.append(web)
        workers = [
            await headless(settings, tmp_path, f"worker{i}", "worker", **SCALE) for i in (1, 2)
        ]
        processes.extend(workers)
        for worker in workers:
            await worker.ready(WORKS)
        response = await owner_api(web.url, "POST", f"/api/workflows/{held.id}/run")
        assert response.status_code == 202, response.text
        run_id = str(response.json()["id"])
        assert await asyncio.to_thread(gate.reached.wait, 60), "no worker took the run"

        async def holder() -> str | None:
            async with sessions() as session:
                run = await session.get(Run, run_id)
            return run.lease_owner if run else None

        owner = await until(holder, 30, "the run's lease")
        victim = next(w for w in workers if f":{w.pid}:" in owner)
        await victim.kill()  # mid-run: its lease and its procrastinate job are left behind
        backlog = await enqueue_backlog(settings, posting, BACKLOG)
        gate.released.set()

        async def all_done() -> list[Run] | None:
            async with sessions() as session:
                ids = [run_id, *backlog]
                runs = list((await session.exec(select(Run).where(col(Run.id).in_(ids)))).all())
            ended = [r for r in runs if r.status in (RunStatus.succeeded, RunStatus.failed)]
            return runs if len(ended) == len(ids) else None

        runs = await until(all_done, 120, "the killed worker's run and the backlog to finish")
    finally:
        await stop_all(processes)
    failed = [(r.id == run_id, r.status, r.error) for r in runs if r.status != RunStatus.succeeded]
    assert not failed
    assert [m["text"] for m in fake_slack.messages("#vip")] == ["tier gold"]  # once
    texts = sorted(m["text"] for m in fake_slack.messages("#ops"))
    assert texts == sorted(f"run {n}" for n in range(BACKLOG))  # none lost, none doubled
    assert gate.hits == 2  # the lookup (a read) was made again by the surviving worker
    async with sessions() as session:
        kinds = (await session.exec(select(RunEvent.kind).where(RunEvent.run_id == run_id))).all()
        steps = (await session.exec(select(StepRun).where(col(StepRun.run_id).in_(backlog)))).all()
    assert "run_recovered" in kinds
    assert sorted(s.attempts for s in steps) == [1] * BACKLOG


async def test_two_schedulers_fire_each_time_once_and_the_standby_takes_over_on_time(
    settings: Settings,
    tmp_path: Path,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,
    owner_api: Any,
) -> None:
    registry = default_registry()
    ticking = await activate(sessions, workspace, {
        "name": "Tick", "trigger": {"type": "interval", "seconds": EVERY},
        "steps": [{"id": "say", "action": "slack.post_message",
                   "inputs": {"channel": "#ticks", "text": "tick {{ trigger.fired_at }}"}}],
    }, registry)  # fmt: skip
    manual = await activate(sessions, workspace, {
        "name": "Hello", "trigger": {"type": "manual"},
        "steps": [{"id": "say", "action": "slack.post_message",
                   "inputs": {"channel": "#hello", "text": "hello"}}],
    }, registry)  # fmt: skip
    processes: list[Served | Headless] = []
    try:
        webs = [
            await serve(settings, tmp_path, f"web{i}", LEVQOR_ROLE="web", **SCALE) for i in (1, 2)
        ]
        processes.extend(webs)
        workers = [
            await headless(settings, tmp_path, f"worker{i}", "worker", **SCALE) for i in (1, 2)
        ]
        schedulers = [
            await headless(settings, tmp_path, f"scheduler{i}", "scheduler", **SCALE)
            for i in (1, 2)
        ]
        processes.extend([*workers, *schedulers])
        for process in [*workers, *schedulers]:  # started (a loaded machine imports slowly)
            await process.ready(WORKS, LEADS, STANDS_BY)
        for web in webs:  # either web node's runs are executed by the workers
            response = await owner_api(web.url, "POST", f"/api/workflows/{manual.id}/run")
            assert response.status_code == 202, response.text

        async def done(workflow_id: str, n: int) -> list[Run] | None:
            runs = [
                r for r in await runs_of(sessions, workflow_id) if r.status == RunStatus.succeeded
            ]
            return runs if len(runs) >= n else None

        await until(lambda: done(manual.id, 2), 60, "both manual runs")
        await until(lambda: done(ticking.id, 3), 60, "three scheduled fires")
        leaders = [s for s in schedulers if s.said(LEADS)]
        assert len(leaders) == 1, "exactly one scheduler leads"
        leader, standby = leaders[0], next(s for s in schedulers if s is not leaders[0])
        await leader.kill()
        killed_at = time.time()
        fired_before = len(await runs_of(sessions, ticking.id))
        await until(lambda: done(ticking.id, fired_before + 3), 60, "three fires after the kill")
        assert standby.said(LEADS)
    finally:
        await stop_all(processes)
    runs = await runs_of(sessions, ticking.id)
    fired = {r.id: fire_time(r) for r in runs}
    times = sorted(fired.values())
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert gaps and all(gap == EVERY for gap in gaps), gaps  # each time once: none twice or skipped
    first = min(
        (r for r in runs if fired[r.id].timestamp() > killed_at), key=lambda r: r.created_at
    )
    lateness = (first.created_at - fired[first.id]).total_seconds()
    # On time: the standby took over (lock poll 0.5 s) before the next time was due.
    assert lateness < EVERY - 0.5, f"the standby fired the next time {lateness:.2f} s late"
    ticks = [m["text"] for m in fake_slack.messages("#ticks")]
    finished = [r for r in runs if r.status == RunStatus.succeeded]
    assert len(ticks) == len(set(ticks)) == len(finished)  # each fire's message once
    assert [m["text"] for m in fake_slack.messages("#hello")] == ["hello", "hello"]


async def test_serve_all_with_the_queue_executes_and_schedules_in_one_process(
    settings: Settings,
    tmp_path: Path,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,
    owner_api: Any,
) -> None:
    hello = await activate(sessions, workspace, {
        "name": "Hello", "trigger": {"type": "manual"},
        "steps": [{"id": "say", "action": "slack.post_message",
                   "inputs": {"channel": "#hello", "text": "hello"}}],
    }, default_registry())  # fmt: skip
    node = await serve(settings, tmp_path, "all", LEVQOR_SCHEDULER="true", **SCALE)
    try:
        response = await owner_api(node.url, "POST", f"/api/workflows/{hello.id}/run")
        assert response.status_code == 202, response.text
        run_id = str(response.json()["id"])

        async def finished() -> Run | None:
            async with sessions() as session:
                run = await session.get(Run, run_id)
            return run if run and run.status == RunStatus.succeeded else None

        await until(finished, 60, "the run, executed by the node's own worker")
        metrics = (await owner_api(node.url, "GET", "/metrics")).text
    finally:
        await node.stop()
    assert [m["text"] for m in fake_slack.messages("#hello")] == ["hello"]
    assert "levqor_runs_started_total 1.0" in metrics
    assert "levqor_scheduler_leader 1.0" in metrics
    assert "levqor_queue_depth 0.0" in metrics
