"""Many queued runs drained by `levqor worker` processes on PostgreSQL: none lost, none doubled.

    python -m bench.queue_drain                         # 10,000 runs, 2 workers x 8
    python -m bench.queue_drain --runs 2000 --workers 1 --concurrency 8
    python -m bench.queue_drain --postgres postgresql://postgres@127.0.0.1:5432/test

A throwaway database gets an approved workflow (a Slack post: with no Slack token it is kept in
the outbox, one row per send, keyed on run + step), then `--runs` runs are recorded the way a web
node records them (each run and its queue job in one transaction; the enqueue rate is printed).
Then `--workers` worker processes start and drain the queue.

Printed: enqueue rate; drain time and completed runs/s overall and per worker; whether every run
succeeded once (each run succeeded, each step made one attempt, one outbox message per run).
The per-worker figure is the capacity used in docs/scaling.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import time
import uuid

import psycopg

from bench.common import ROOT, levqor_processes, temp_settings
from storage.config import Settings
from storage.models import Member, Role, Workflow
from storage.scope import Tenant
from workflows import service
from workflows.queue import ensure_schema
from workflows.runs import start_run
from workflows.runtime import Runtime

SPEC = {
    "name": "Note the order",
    "trigger": {"type": "webhook"},
    "steps": [{"id": "say", "action": "slack.post_message",
               "inputs": {"channel": "#orders", "text": "order {{ trigger.n }}"}}],
}  # fmt: skip


async def enqueue(settings: Settings, runs: int) -> float:
    """An approved workflow and `runs` runs, each recorded and enqueued in one transaction."""
    runtime = Runtime(settings)
    try:
        async with runtime.sessions() as session:
            from accounts.workspaces import create_workspace

            ws = await create_workspace(session, "drain-bench")
            owner = Member(workspace_id=ws.id, name="Owner", role=Role.owner)
            session.add(owner)
            tenant = Tenant(session, ws.id)
            parsed = service.parse_spec(SPEC, runtime.registry)
            proposal = await service.create_workflow(tenant, parsed, runtime.registry, None)
            await service.decide(tenant, proposal.approval.id, owner, approve=True, confirm=True)
            await session.commit()
            workflow: Workflow = proposal.workflow
        began = time.perf_counter()

        async def one_client(numbers: range) -> None:
            for n in numbers:
                async with runtime.sessions() as session:
                    fresh = await session.get(Workflow, workflow.id)
                    assert fresh is not None
                    tenant = Tenant(session, fresh.workspace_id)
                    await start_run(tenant, fresh, trigger_type="webhook", payload={"n": n})

        clients = 8
        await asyncio.gather(*(one_client(range(i, runs, clients)) for i in range(clients)))
        return time.perf_counter() - began
    finally:
        await runtime.close()


def counts(url: str) -> tuple[int, int, int, int]:
    """(runs succeeded, runs not ended, steps with more than one attempt, outbox messages)."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM run WHERE status = 'succeeded'),"
            " (SELECT count(*) FROM run WHERE status NOT IN ('succeeded', 'failed')),"
            " (SELECT count(*) FROM step_run WHERE attempts <> 1),"
            " (SELECT count(*) FROM outbox)"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


async def drain(settings: Settings, runs: int, workers: int, concurrency: int) -> None:
    """Start the workers, wait until every run ended, print the figures."""
    levqor, env = levqor_processes(settings, concurrency)
    began = time.perf_counter()
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    processes = [
        await asyncio.create_subprocess_exec(
            levqor,
            "worker",
            env=env,
            cwd=ROOT,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    try:
        while True:
            await asyncio.sleep(0.5)
            succeeded, open_runs, _, _ = await asyncio.to_thread(counts, settings.libpq_url)
            if open_runs == 0 or any(p.returncode is not None for p in processes):
                break
    finally:
        took = time.perf_counter() - began
        for process in processes:
            if process.returncode is None:
                process.terminate()
        await asyncio.gather(*(p.wait() for p in processes))
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    succeeded, open_runs, repeated, messages = counts(settings.libpq_url)
    rate = succeeded / took
    if succeeded:
        per_run = cpu * 1000 / succeeded
        print(
            f"worker CPU: {per_run:.1f} ms per run (start-up included), so one worker "
            f"process on one free core completes about {1000 / per_run:.0f} runs/s"
        )
    print(f"drained {succeeded}/{runs} runs in {took:.1f} s (workers' start-up included): "
          f"{rate:.0f} runs/s, {rate / workers:.0f} runs/s per worker "
          f"({workers} x concurrency {concurrency}, {os.cpu_count()} cores)")  # fmt: skip
    once = succeeded == runs == messages and repeated == 0 and open_runs == 0
    print(f"every run once (succeeded {succeeded}, unfinished {open_runs}, steps retried "
          f"{repeated}, messages {messages}): {'PASS' if once else 'FAIL'}")  # fmt: skip


def main() -> None:
    """Parse flags, make a throwaway database, run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    name = f"levqor_drain_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(args.postgres, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = args.postgres.rsplit("/", 1)[0] + f"/{name}"
        settings = temp_settings(url, LEVQOR_ROLE="web")
        ensure_schema(settings)
        took = asyncio.run(enqueue(settings, args.runs))
        print(f"enqueued {args.runs} runs (run + job per transaction, 8 clients) in {took:.1f} s:"
              f" {args.runs / took:.0f} runs/s")  # fmt: skip
        asyncio.run(drain(settings, args.runs, args.workers, args.concurrency))
    finally:
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
