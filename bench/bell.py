"""The bell's cost: `notices_for` (computed on every signed-in page) with many workflows and runs.

Seeds one workspace with W workflows (one in five failing last, one in ten pending approval) and
R finished runs spread over them, then times `notices_for` for the owner (milliseconds, in this
process, on SQLite unless `--postgres URL`).

python -m bench.bell [--workflows 200] [--runs 20000] [--repeat 30] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import insert

from bench.common import summary, temp_settings
from integrations.catalog import default_registry
from storage.db import create_engine, session_factory
from storage.models import Member, Role, Run, RunStatus, Workspace
from storage.scope import Tenant
from storage.types import new_id, utcnow
from workflows import service
from workflows.notifications import notices_for

POST = {"id": "post", "action": "slack.post_message", "inputs": {"channel": "#o", "text": "x"}}
SPEC = {"name": "Bench", "trigger": {"type": "manual"}, "steps": [POST]}


async def main(workflows: int, runs: int, repeat: int, database_url: str | None) -> None:
    settings = temp_settings(database_url)
    engine = create_engine(settings)
    sessions = session_factory(engine)
    registry = default_registry()
    async with sessions() as session:
        workspace = Workspace(slug="bench", name="Bench")
        session.add(workspace)
        await session.flush()
        owner = Member(workspace_id=workspace.id, name="Owner", role=Role.owner)
        session.add(owner)
        await session.flush()
        tenant = Tenant(session, workspace.id)
        made: list[tuple[str, str]] = []
        for n in range(workflows):
            spec = service.parse_spec({**SPEC, "name": f"Bench {n}"}, registry)
            proposal = await service.create_workflow(tenant, spec, registry, None)
            if n % 10:
                await service.decide(tenant, proposal.approval.id, owner, approve=True)
            made.append((proposal.workflow.id, proposal.version.id))
        now = utcnow()
        rows: list[dict[str, Any]] = []
        for i in range(runs):
            workflow_id, version_id = made[i % workflows]
            failing = (i % workflows) % 5 == 0 and i >= runs - workflows
            finished = now - timedelta(minutes=runs - i)
            rows.append(
                {"id": new_id(), "workspace_id": workspace.id, "workflow_id": workflow_id,
                 "version_id": version_id, "trigger_type": "manual", "trigger_payload": {},
                 "status": RunStatus.failed if failing else RunStatus.succeeded,
                 "error": "step post (slack.post_message) failed: boom" if failing else None,
                 "created_at": finished, "finished_at": finished}
            )  # fmt: skip
        for start in range(0, len(rows), 2000):
            await session.execute(insert(Run), rows[start : start + 2000])
        await session.commit()
    timings: list[float] = []
    count = 0
    for _ in range(repeat):
        async with sessions() as session:
            started = time.perf_counter()
            notices = await notices_for(Tenant(session, workspace.id), owner)
            timings.append((time.perf_counter() - started) * 1000)
            count = len(notices)
    await engine.dispose()
    backend = "postgres" if database_url else "sqlite"
    print(f"bell: {workflows} workflows, {runs} runs, {count} notices ({backend})")
    print(f"  notices_for ms: {summary(timings)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workflows", type=int, default=200)
    parser.add_argument("--runs", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    asyncio.run(main(args.workflows, args.runs, args.repeat, args.postgres))
