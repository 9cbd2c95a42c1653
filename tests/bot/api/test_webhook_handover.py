"""A webhook's run goes to this process's engine as the hub recorded it: no load, no claim.

The hub has the workflow, its workspace and the running version in hand; the engine gets them
with the run (`workflows.handover`) instead of reading them again, and the run is inserted
already claimed by this process (running, leased to it). Runs started any other way still load
and claim; a run inserted claimed by a process that stopped is taken over by recovery, once.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.config import Settings
from storage.models import (
    CrmContact,
    OutboxMessage,
    Role,
    Run,
    RunEvent,
    RunStatus,
    StepRun,
    StepStatus,
    Workflow,
)
from storage.scope import Tenant
from tests.bot.api.test_webhooks import lead_workflow, post_hook
from tests.bot.conftest import Live
from tests.conftest import make_settings
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401
from workflows.handover import Lease
from workflows.runs import start_run


@pytest.fixture
def settings(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> Settings:  # noqa: F811
    return make_settings(tmp_path, database_url, SLACK_BOT_TOKEN=TOKEN,
                         SLACK_API_URL=fake_slack.url)  # fmt: skip


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every SQL statement the engine's connections issue inside the block, flattened."""
    seen: list[str] = []

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()).lower())

    event.listen(engine.sync_engine, "before_cursor_execute", on_statement)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", on_statement)


def loads(seen: list[str]) -> list[str]:
    """The engine's load of a run (the run joined with its workflow and workspace)."""
    return [s for s in seen if s.startswith("select") and "from run join workflow" in s]


def claims(seen: list[str]) -> list[str]:
    """The lease claim's conditional UPDATE (`workflows.leases`)."""
    return [s for s in seen if s.startswith("update run") and "coalesce(run.started_at" in s]


async def test_a_webhook_run_is_executed_without_its_load_or_a_claim(
    live: Live,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    wf = await lead_workflow(live)
    lead = json.dumps({"email": "dana@example.com", "name": "Dana Lee"}).encode()
    with statements(live.runtime.db) as seen:
        answer = await post_hook(live, wf["webhook_url"], lead)
        assert answer.status_code == 202, answer.text
        await live.runtime.drain()
    assert loads(seen) == [] and claims(seen) == [], seen
    # each step row is inserted once, with its outcome (never inserted running, then updated)
    assert [s for s in seen if s.startswith("update step_run")] == [], seen
    run = await live.wait_for_run(answer.json()["run_id"])
    assert run["status"] == "succeeded", run
    async with live.runtime.sessions() as session:
        stored = await session.get(Run, run["id"])
        assert stored is not None
        assert stored.lease_owner is None and stored.recoveries == 0
        assert stored.started_at is not None and stored.finished_at is not None
        contacts = (await session.exec(select(CrmContact))).all()
        assert [c.email for c in contacts] == ["dana@example.com"]
    assert len(fake_slack.calls("chat.postMessage")) == 1

    # "Run now" from the API is not handed over: its engine loads and claims the run as before.
    with statements(live.runtime.db) as seen:
        payload = {"payload": {"email": "eli@example.com"}}
        manual = await live.as_(Role.admin).post(f"/api/workflows/{wf['id']}/run", json=payload)
        assert manual.status_code == 202, manual.text
        await live.runtime.drain()
    assert len(loads(seen)) == 1 and len(claims(seen)) == 1, seen
    assert (await live.wait_for_run(manual.json()["id"]))["status"] == "succeeded"


async def test_a_run_inserted_claimed_by_a_stopped_process_is_taken_over_once(
    live: Live,
    sessions: async_sessionmaker[AsyncSession],
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    wf = await lead_workflow(live)
    async with sessions() as session:
        workflow = await session.get(Workflow, wf["id"])
        assert workflow is not None
        tenant = Tenant(session, workflow.workspace_id)
        # Accepted by a process that stopped before executing it: its lease runs out at once.
        started = await start_run(tenant, workflow, trigger_type="webhook",
                                  payload={"email": "fay@example.com"},
                                  lease=Lease("elsewhere:0:1:dead", 0.0))  # fmt: skip
        assert started.claimed and started.run.status == RunStatus.running
        run_id = started.run.id
    assert await live.runtime.recover() == [run_id]
    await live.runtime.drain()
    assert await live.runtime.recover() == []
    run = await live.wait_for_run(run_id)
    assert run["status"] == "succeeded", run
    async with sessions() as session:
        stored = await session.get(Run, run_id)
        assert stored is not None and stored.recoveries == 1 and stored.lease_owner is None
        kinds = (await session.exec(select(RunEvent.kind).where(RunEvent.run_id == run_id))).all()
    assert list(kinds).count("run_recovered") == 1
    assert len(fake_slack.calls("chat.postMessage")) == 1


async def test_the_front_door_reads_the_workflow_and_its_workspace_once(
    live: Live,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    wf = await lead_workflow(live)
    lead = json.dumps({"email": "gus@example.com"}).encode()
    with statements(live.runtime.db) as seen:
        answer = await post_hook(live, wf["webhook_url"], lead)
        assert answer.status_code == 202, answer.text
        await live.runtime.drain()
    reads = [s for s in seen if s.startswith("select")]
    both = [s for s in reads if "from workflow join workspace" in s]
    alone = [s for s in reads if s not in both and ("from workspace" in s or "from workflow " in s)]
    assert len(both) == 1 and alone == [], "\n".join(r[:60] + " ... " + r[-90:] for r in reads)


async def test_a_steps_outcome_is_committed_with_the_next_steps_ledger_row_before_the_send(
    live: Live,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    wf = await lead_workflow(live)
    lead = json.dumps({"email": "hal@example.com", "name": "Hal"}).encode()
    fake_slack.hold_posts()
    try:
        answer = await post_hook(live, wf["webhook_url"], lead)
        run_id = answer.json()["run_id"]
        assert await asyncio.to_thread(fake_slack.post_held.wait, 10)
        # While Slack holds the post, another session sees the earlier steps' outcomes (written
        # in the ledger row's transaction, not one of their own) and the row "sending".
        async with live.runtime.sessions() as session:
            steps = (await session.exec(select(StepRun).where(StepRun.run_id == run_id))).all()
            ledger = (await session.exec(select(OutboxMessage))).all()
    finally:
        fake_slack.release_posts()
    await live.runtime.drain()
    by_action = {s.action: s.status for s in steps}  # the Slack step's row comes with its outcome
    assert by_action == {"crm.upsert_contact": StepStatus.succeeded}, steps
    assert [(m.idempotency_key, m.status) for m in ledger] == [(f"{run_id}:notify", "sending")]
    assert (await live.wait_for_run(run_id))["status"] == "succeeded"


@contextmanager
def inserts_by_transaction(
    engine: AsyncEngine, tables: tuple[str, ...]
) -> Iterator[list[list[str]]]:
    """The INSERTs into `tables` each transaction made (one list per committed transaction)."""
    committed: list[list[str]] = []
    open_ones: dict[int, list[str]] = {}

    def on_statement(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        words = " ".join(statement.split()).lower()
        if any(words.startswith(f"insert into {table} ") for table in tables):
            open_ones.setdefault(id(conn), []).append(words.split(" (")[0])

    def on_commit(conn: Any) -> None:
        committed.append(open_ones.pop(id(conn), []))

    event.listen(engine.sync_engine, "before_cursor_execute", on_statement)
    event.listen(engine.sync_engine, "commit", on_commit)
    try:
        yield committed
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", on_statement)
        event.remove(engine.sync_engine, "commit", on_commit)


async def test_runs_and_step_rows_of_one_shared_transaction_are_inserted_together(
    live: Live,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    """Deliveries of the same moment share transactions, and a shared transaction's runs, then
    its step rows, go in one INSERT per table (the group writer's `executemany`); every run
    still ends with its own steps."""
    wf = await lead_workflow(live)
    deliveries = 16
    tables = ("run", "step_run")
    with inserts_by_transaction(live.runtime.db, tables) as committed:
        answers = await asyncio.gather(
            *(
                post_hook(
                    live, wf["webhook_url"], json.dumps({"email": f"p{n}@example.com"}).encode()
                )
                for n in range(deliveries)
            )
        )
        assert [a.status_code for a in answers] == [202] * deliveries
        await live.runtime.drain()
    run_ids = {a.json()["run_id"] for a in answers}
    async with live.runtime.sessions() as session:
        runs = (await session.exec(select(Run).where(col(Run.id).in_(run_ids)))).all()
        rows = (await session.exec(select(StepRun).where(col(StepRun.run_id).in_(run_ids)))).all()
    assert sorted(r.status for r in runs) == [RunStatus.succeeded] * deliveries
    per_run = {run_id: sorted(r.position for r in rows if r.run_id == run_id) for run_id in run_ids}
    steps = len(per_run[next(iter(run_ids))])
    assert steps >= 2 and all(p == list(range(steps)) for p in per_run.values()), per_run
    for inserts in committed:  # one statement per table per transaction, however many rows
        assert all(inserts.count(f"insert into {table}") <= 1 for table in tables), inserts
    run_inserts = sum(inserts.count("insert into run") for inserts in committed)
    step_inserts = sum(inserts.count("insert into step_run") for inserts in committed)
    # Deliveries of the same moment shared transactions: fewer statements than rows. (How many
    # share one depends on timing: the inline writer commits as soon as the loop is free.)
    assert run_inserts < deliveries, run_inserts
    assert step_inserts < deliveries * steps, step_inserts
    assert len(fake_slack.calls("chat.postMessage")) == deliveries
