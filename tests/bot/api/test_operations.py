"""`/metrics`, `/api/health/live` and `/api/health/ready`, as Prometheus and an orchestrator
read them, on the embedded default and on PostgreSQL with the run queue."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import psycopg
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app import create_app
from bot.throttle.tiers import TIERS
from integrations.catalog import default_registry
from storage.models import Run, Workflow, Workspace
from storage.scope import Tenant
from tests.bot.api.test_webhooks import lead_workflow, post_hook
from tests.bot.conftest import Live, serve
from tests.conftest import make_settings
from tests.fakes.http_server import free_port
from tests.workflows.helpers import activate
from workflows.queue import enqueue_run, ensure_schema
from workflows.runs import start_run
from workflows.runtime import Runtime
from workflows.service import active_version


def samples(text: str) -> dict[str, float]:
    """`name{label="v"}` → value, for every sample of a Prometheus text page."""
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            found[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return found


async def test_metrics_count_a_delivered_webhook_run_and_its_steps(live: Live) -> None:
    wf = await lead_workflow(live)
    lead = json.dumps({"email": "dana@example.com", "name": "Dana Lee"}).encode()
    accepted = await post_hook(live, wf["webhook_url"], lead)
    assert accepted.status_code == 202, accepted.text
    run = await live.wait_for_run(accepted.json()["run_id"])
    assert run["status"] == "succeeded", run
    page = await live.as_().get("/metrics")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/plain")
    figures = samples(page.text)
    assert figures["levqor_runs_started_total"] == 1
    assert figures['levqor_runs_finished_total{outcome="succeeded"}'] == 1
    assert figures.get('levqor_runs_finished_total{outcome="failed"}', 0) == 0
    assert figures["levqor_step_seconds_count"] == len(run["steps"]) >= 2
    assert figures["levqor_webhook_accept_seconds_count"] == 1
    assert figures["levqor_queue_depth"] == 0
    assert figures["levqor_outbox_backlog"] == 1  # Slack is not connected: the post waits there
    health = (await live.as_().get("/api/health")).json()
    # The tier this process measured (CPU, loop lag, queue), as the health answer names it.
    assert figures["levqor_load_tier"] == TIERS.index(health["load_tier"])
    assert figures["levqor_scheduler_leader"] == 0  # this test's runtime has no scheduler
    assert all(
        family.name.startswith("levqor_") for family in text_string_to_metric_families(page.text)
    )


async def test_health_live_and_ready_on_a_working_node(live: Live) -> None:
    assert (await live.as_().get("/api/health/live")).json() == {"status": "ok"}
    ready = await live.as_().get("/api/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"database": "ok"}}


async def test_ready_is_503_while_the_database_is_unreachable(tmp_path: Path) -> None:
    nowhere = f"postgresql://postgres@127.0.0.1:{free_port()}/levqor"
    settings = make_settings(tmp_path, nowhere, LEVQOR_RUN_QUEUE=True)
    runtime = Runtime(settings)  # not started: nothing to start against
    server, task, url = await serve(create_app(settings, runtime))
    try:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            assert (await client.get("/api/health/live")).status_code == 200
            ready = await client.get("/api/health/ready")
            metrics = await client.get("/metrics")
    finally:
        server.should_exit = True
        await task
        await runtime.close()
    assert ready.status_code == 503
    assert ready.json() == {
        "status": "not ready",
        "checks": {"database": "unreachable", "queue": "unreachable"},
    }
    assert metrics.status_code == 200  # the process's own figures are still served
    assert "levqor_runs_started_total 0.0" in metrics.text


async def test_metrics_need_the_token_when_one_is_set(tmp_path: Path, database_url: str) -> None:
    settings = make_settings(tmp_path, database_url, LEVQOR_METRICS_TOKEN="scrape-me")
    runtime = Runtime(settings)
    server, task, url = await serve(create_app(settings, runtime))
    try:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            refused = await client.get("/metrics")
            wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
            allowed = await client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    finally:
        server.should_exit = True
        await task
        await runtime.close()
    assert (refused.status_code, wrong.status_code, allowed.status_code) == (401, 401, 200)
    assert "scrape-me" not in refused.text


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
async def test_a_run_and_its_job_are_committed_together_or_not_at_all(
    tmp_path: Path,
    database_url: str,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
) -> None:
    workflow = await activate(sessions, workspace, {
        "name": "Hello", "trigger": {"type": "manual"},
        "steps": [{"id": "say", "action": "slack.post_message",
                   "inputs": {"channel": "#hello", "text": "hello"}}],
    }, default_registry())  # fmt: skip
    settings = make_settings(tmp_path, database_url, LEVQOR_RUN_QUEUE=True)
    ensure_schema(settings)
    with psycopg.connect(settings.libpq_url, autocommit=True) as conn:
        conn.execute("TRUNCATE procrastinate_jobs CASCADE")
    runtime = Runtime(settings)
    try:
        async with runtime.sessions() as session:  # rolled back: neither the run nor its job
            tenant = Tenant(session, workspace.id)
            version = await active_version(tenant, workflow)
            run = tenant.add(
                Run(workspace_id="", workflow_id=workflow.id, version_id=version.id,
                    trigger_type="manual")
            )  # fmt: skip
            await session.flush()
            await enqueue_run(session, run.id)
            await session.rollback()
        async with runtime.sessions() as session:
            fresh = await session.get(Workflow, workflow.id)
            assert fresh is not None
            kept = [
                (
                    await start_run(Tenant(session, workspace.id), fresh, trigger_type="manual")
                ).run.id
                for _ in range(3)
            ]
        server, task, url = await serve(create_app(settings, runtime))
        try:
            async with httpx.AsyncClient(base_url=url, timeout=30) as client:
                ready = await client.get("/api/health/ready")
                figures = samples((await client.get("/metrics")).text)
        finally:
            server.should_exit = True
            await task
    finally:
        await runtime.close()
    with psycopg.connect(settings.libpq_url, autocommit=True) as conn:
        jobs = conn.execute(
            "SELECT args->>'run_id', queueing_lock FROM procrastinate_jobs"
        ).fetchall()
    assert sorted(jobs) == sorted((run_id, run_id) for run_id in kept)
    assert ready.json() == {"status": "ready", "checks": {"database": "ok", "queue": "ok"}}
    assert figures["levqor_queue_depth"] == 3
    assert figures["levqor_queue_oldest_age_seconds"] >= 0
