"""Retention purge throughput: N old runs (2 steps, 3 events each) and N messages, purged in
batches of 500; prints rows deleted per second and the time per batch.

python -m bench.purge [--runs 20000] [--postgres URL]  (URL: a database of its own; it is migrated)
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import timedelta

from sqlalchemy import insert

from accounts.purge import Purger
from bench.common import temp_settings
from storage.db import create_engine, session_factory
from storage.models import (
    OutboxMessage,
    Run,
    RunEvent,
    RunStatus,
    StepRun,
    StepStatus,
    Workflow,
    WorkflowVersion,
    Workspace,
)
from storage.types import new_id, utcnow


async def main(runs: int, database_url: str | None) -> None:
    settings = temp_settings(database_url)
    engine = create_engine(settings)
    sessions = session_factory(engine)
    old = utcnow() - timedelta(days=60)
    async with sessions() as session:
        ws = Workspace(slug=f"bench-{new_id()[:6]}", name="Bench")
        session.add(ws)
        await session.flush()
        wf = Workflow(workspace_id=ws.id, name="Bench", webhook_secret="s")
        session.add(wf)
        await session.flush()
        version = WorkflowVersion(
            workspace_id=ws.id, workflow_id=wf.id, version=1, spec={}, approval_class="A"
        )
        session.add(version)
        await session.flush()
        run_rows, step_rows, event_rows, messages = [], [], [], []
        for _ in range(runs):
            run_id = new_id()
            run_rows.append(
                {"id": run_id, "workspace_id": ws.id, "workflow_id": wf.id,
                 "version_id": version.id, "status": RunStatus.succeeded, "trigger_type": "manual",
                 "trigger_payload": {}, "created_at": old, "dry_run": False, "recoveries": 0,
                 "active_seconds": 0.0}
            )  # fmt: skip
            for n in range(2):
                step_rows.append(
                    {"id": new_id(), "workspace_id": ws.id, "run_id": run_id, "step_id": f"s{n}",
                     "position": n, "action": "slack.post_message",
                     "status": StepStatus.succeeded, "attempts": 1, "inputs": {"n": n},
                     "output": {"ok": True}, "idempotency_key": f"{run_id}:s{n}",
                     "started_at": old}
                )  # fmt: skip
            for kind in ("started", "step", "finished"):
                event_rows.append(
                    {"workspace_id": ws.id, "run_id": run_id, "kind": kind, "message": "",
                     "at": old}
                )  # fmt: skip
            messages.append(
                {"id": new_id(), "workspace_id": ws.id, "channel": "email", "target": "a@b.c",
                 "body": "hi", "payload": {}, "status": "sent", "created_at": old}
            )  # fmt: skip
        for model, rows in (
            (Run, run_rows), (StepRun, step_rows), (RunEvent, event_rows), (OutboxMessage, messages)
        ):  # fmt: skip
            for start in range(0, len(rows), 2000):
                await session.exec(insert(model).values(rows[start : start + 2000]))
        await session.commit()
    batches = 0

    async def count(_kind: str) -> None:
        nonlocal batches
        batches += 1

    purger = Purger(settings, sessions, on_batch=count)
    started = time.perf_counter()
    [result] = [r for r in await purger.purge() if r.workspace_id == ws.id]
    elapsed = time.perf_counter() - started
    total = result.counts.total
    print(f"backend: {'postgres' if database_url else 'sqlite'}; runs: {runs}")
    print(f"deleted {total} rows in {elapsed:.2f} s: {total / elapsed:,.0f} rows/s")
    print(f"{batches} batches of up to 500: {1000 * elapsed / max(batches, 1):.1f} ms per batch")
    await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.postgres))
