"""Engine overhead per step: a run's wall time minus the actions' own time, divided by steps.

python bench/engine_overhead.py [--steps 10] [--runs 100] [--postgres URL]
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # `python bench/<name>.py`, as documented: find the repo
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import asyncio
import statistics
import time

from bench.common import summary, temp_settings
from integrations.base import Action, ActionContext, ActionInput, ActionOutput, Risk
from integrations.registry import ActionRegistry
from storage.models import Member, Role
from storage.scope import Tenant
from workflows import service
from workflows.runs import start_run
from workflows.runtime import Runtime


class In(ActionInput):
    text: str = ""


class Out(ActionOutput):
    text: str


ACTION_TIME: list[float] = []


async def noop(ctx: ActionContext, inp: In) -> Out:
    started = time.perf_counter()
    result = Out(text=inp.text)
    ACTION_TIME.append(time.perf_counter() - started)
    return result


async def main(steps: int, runs: int, database_url: str | None) -> None:
    settings = temp_settings(database_url)
    registry = ActionRegistry([Action("bench.noop", "no-op", Risk.internal, In, Out, noop)])
    runtime = Runtime(settings, registry)
    spec = {
        "name": "Overhead",
        "trigger": {"type": "manual"},
        "steps": [
            {"id": f"s{i}", "action": "bench.noop", "inputs": {"text": "{{ trigger.n }}-" + str(i)}}
            for i in range(steps)
        ],
    }
    async with runtime.sessions() as session:
        from accounts.workspaces import create_workspace

        ws = await create_workspace(session, "bench")
        owner = Member(workspace_id=ws.id, name="Owner", role=Role.owner)
        session.add(owner)
        tenant = Tenant(session, ws.id)
        proposal = await service.create_workflow(
            tenant, service.parse_spec(spec, registry), registry, None
        )
        await service.decide(tenant, proposal.approval.id, owner, approve=True)
        await session.commit()
        workflow = proposal.workflow
    per_step_ms: list[float] = []
    for n in range(runs + 5):
        async with runtime.sessions() as session:
            started_run = await start_run(
                Tenant(session, ws.id), workflow, trigger_type="manual", payload={"n": n}
            )
        ACTION_TIME.clear()
        started = time.perf_counter()
        run = await runtime.engine.execute(started_run.run.id)
        elapsed = time.perf_counter() - started
        assert run.status.value == "succeeded", run.error
        if n >= 5:  # warm-up
            per_step_ms.append((elapsed - sum(ACTION_TIME)) / steps * 1000)
    await runtime.close()
    backend = "PostgreSQL" if database_url else "SQLite"
    print(
        f"engine overhead per step on {backend} ({steps} steps/run, {runs} runs), ms: "
        f"{summary(per_step_ms)}"
    )
    print(f"ENGINE_OVERHEAD_MS_MEDIAN={statistics.median(per_step_ms):.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    asyncio.run(main(args.steps, args.runs, args.postgres))
