"""What admitting a run costs once plans are metered: `accounts.limits.check(..., "run")` (the
call the scheduler and the webhook hub make before each run) for an unmetered workspace and for
a metered one with many runs this period, in process on the embedded SQLite file (or PostgreSQL).

python -m bench.billing_admission [--runs 20000] [--checks 300] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from sqlalchemy import insert

from accounts import limits, subscriptions
from bench.common import summary, temp_settings
from storage.db import create_engine, session_factory
from storage.models import Run, RunStatus, Workflow, WorkflowVersion, Workspace
from storage.types import new_id, utcnow


async def main(runs: int, checks: int, database_url: str | None) -> None:
    settings = temp_settings(database_url)
    engine = create_engine(settings)
    sessions = session_factory(engine)
    async with sessions() as session:
        free = Workspace(slug="unmetered", name="Unmetered")
        paid = Workspace(slug="metered", name="Metered")
        session.add_all([free, paid])
        await session.flush()
        subscriptions.start_trial(session, paid).plan = "agency"  # 100,000 runs: never refused
        flow = Workflow(workspace_id=paid.id, name="F", webhook_secret="s")
        session.add(flow)
        await session.flush()
        version = WorkflowVersion(
            workspace_id=paid.id, workflow_id=flow.id, version=1, approval_class="A"
        )
        session.add(version)
        await session.flush()
        rows = [
            {
                "id": new_id(),
                "workspace_id": paid.id,
                "workflow_id": flow.id,
                "version_id": version.id,
                "status": RunStatus.succeeded,
                "trigger_type": "webhook",
                "trigger_payload": {},
                "dry_run": False,
                "created_at": utcnow(),
                "recoveries": 0,
                "active_seconds": 0.0,
            }
            for _ in range(runs)
        ]
        await session.execute(insert(Run), rows)
        await session.commit()
        ids = {"unmetered": free.id, f"metered, {runs:,} runs this period": paid.id}
    print(f"database: {'PostgreSQL' if database_url else 'SQLite'}")
    for label, workspace_id in ids.items():
        times: list[float] = []
        async with sessions() as session:
            for _ in range(checks):
                start = time.perf_counter()
                refusal = await limits.check(session, workspace_id, "run")
                times.append((time.perf_counter() - start) * 1000)
                assert refusal is None
        print(f"check(run), {label}: ms {summary(times)}")
    await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--checks", type=int, default=300)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.checks, args.postgres))
