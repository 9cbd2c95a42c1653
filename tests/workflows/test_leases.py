"""Execution leases and the send ledger: one executor per run, a half-done send never repeated."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.catalog import default_registry
from storage.config import Settings
from storage.models import OutboxMessage, Run, RunEvent, RunStatus, StepRun, StepStatus, Workspace
from storage.types import utcnow
from tests.conftest import make_settings
from tests.fakes.gate import Gate
from tests.fakes.http_server import LoopbackServer, serve_app
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401
from tests.fakes.smtp_inbox import Inbox, smtp_inbox
from tests.workflows.helpers import Recorder, activate, new_run
from workflows.handover import Lease
from workflows.leases import LeaseKeeper
from workflows.runtime import Runtime

UNKNOWN_WORDS = "We may or may not have sent this message: the process stopped while sending"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with smtp_inbox() as served:
        yield served


@pytest.fixture
def settings(
    tmp_path: Path,
    database_url: str,
    fake_slack: FakeSlack,  # noqa: F811
    inbox: tuple[Inbox, int],
) -> Settings:
    return make_settings(
        tmp_path, database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake_slack.url,
        SMTP_URL=f"smtp://127.0.0.1:{inbox[1]}", LEVQOR_LEASE_SECONDS=1,
    )  # fmt: skip


@pytest.fixture
def gate() -> Iterator[tuple[Gate, LoopbackServer]]:
    held = Gate()
    with serve_app(held.app) as server:
        yield held, server
        held.released.set()


def greet_then_look_up(url: str) -> dict[str, Any]:
    return {
        "name": "Greet then look up",
        "trigger": {"type": "manual"},
        "steps": [
            {"id": "greet", "action": "slack.post_message",
             "inputs": {"channel": "#ops", "text": "step one"}},
            {"id": "lookup", "action": "http.request",
             "inputs": {"method": "GET", "url": f"{url}/lookup"}},
        ],
    }  # fmt: skip


GREET = {
    "name": "Greet",
    "trigger": {"type": "manual"},
    "steps": [
        {"id": "greet", "action": "slack.post_message",
         "inputs": {"channel": "#ops", "text": "hello"}}
    ],
}  # fmt: skip
MAIL = {
    "name": "Mail Dana",
    "trigger": {"type": "manual"},
    "steps": [
        {"id": "mail", "action": "email.send",
         "inputs": {"to": "dana@example.com", "subject": "Hi", "text": "Hello Dana"}}
    ],
}  # fmt: skip


async def test_a_second_process_leaves_a_run_in_flight_alone(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
    gate: tuple[Gate, LoopbackServer],
) -> None:
    held, server = gate
    # Both runtimes share this test's event loop, so a slow start of the second (migrations,
    # recovery) also delays the first's heartbeat: a 3 s lease, renewed every second, is one a
    # loaded CI machine cannot let lapse by accident, and the sleep still outlasts it twice.
    settings = settings.model_copy(update={"lease_seconds": 3.0})
    first, second = Runtime(settings), Runtime(settings)
    workflow = await activate(sessions, workspace, greet_then_look_up(server.url), first.registry)
    run_id = (await new_run(sessions, workflow)).run.id
    try:
        await first.start(scheduler=False)
        first.submit(run_id)
        assert await asyncio.to_thread(held.reached.wait, 10)
        assert await second.start(scheduler=False) is second  # its recovery finds nothing to take
        assert (await second.engine.execute(run_id)).status == RunStatus.running  # not its run
        await asyncio.sleep(6.5)  # past the 3 s lease twice: the first's heartbeat renews it
        assert await second.recover() == []
        held.released.set()
        await first.drain()
        await second.drain()
    finally:
        await first.close()
        await second.close()
    async with sessions() as session:
        run = await session.get(Run, run_id)
    assert run is not None and run.status == RunStatus.succeeded, run and run.error
    assert run.lease_owner is None  # released with the run's end
    assert held.hits == 1
    assert len(fake_slack.calls("chat.postMessage")) == 1


async def orphan(
    sessions: async_sessionmaker[AsyncSession], run_id: str, *, owner: str, expired: bool
) -> None:
    """Make the run look like another process was executing it (lease expired or not)."""
    async with sessions() as session:
        await _orphan_in(session, run_id, owner=owner, expired=expired)
        await session.commit()


async def _orphan_in(session: AsyncSession, run_id: str, *, owner: str, expired: bool) -> None:
    run = await session.get(Run, run_id)
    assert run is not None
    run.status, run.started_at = RunStatus.running, utcnow() - timedelta(seconds=5)
    run.lease_owner = owner
    run.lease_expires_at = utcnow() + timedelta(seconds=-3 if expired else 60)


async def test_only_an_expired_lease_is_taken_over_and_it_counts(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    runtime = Runtime(settings)
    workflow = await activate(sessions, workspace, GREET, runtime.registry)
    live_id = (await new_run(sessions, workflow)).run.id
    gone_id = (await new_run(sessions, workflow)).run.id
    await orphan(sessions, live_id, owner="elsewhere:1:1:a1", expired=False)
    await orphan(sessions, gone_id, owner="elsewhere:1:1:b2", expired=True)
    try:
        assert await runtime.recover() == [gone_id]
        await runtime.drain()
    finally:
        await runtime.close()
    async with sessions() as session:
        alive = await session.get(Run, live_id)
        gone = await session.get(Run, gone_id)
        events = (await session.exec(select(RunEvent).where(RunEvent.run_id == gone_id))).all()
    assert alive is not None and alive.status == RunStatus.running
    assert alive.lease_owner == "elsewhere:1:1:a1"
    assert gone is not None and gone.status == RunStatus.succeeded and gone.recoveries == 1
    assert "run_recovered" in [e.kind for e in events]
    assert len(fake_slack.calls("chat.postMessage")) == 1


async def half_sent(
    sessions: async_sessionmaker[AsyncSession], workspace: Workspace, spec: dict[str, Any],
    step_id: str, key_suffix: str, channel: str,
) -> tuple[str, str]:  # fmt: skip
    """A run whose process died after writing "sending" for its step and before "sent"."""
    workflow = await activate(sessions, workspace, spec, default_registry())
    # Inserted leased to another process, then its lease expired in the same transaction as the
    # step row and the "sending" entry it left: a live runtime's recovery sweep never finds the
    # run claimable without them (it took a queued run, or an expired one with no step row).
    elsewhere = Lease("elsewhere:1:1:c3", 3600)
    run_id = (await new_run(sessions, workflow, lease=elsewhere)).run.id
    key = f"{run_id}:{step_id}{key_suffix}"
    async with sessions() as session:
        await _orphan_in(session, run_id, owner="elsewhere:1:1:c3", expired=True)
        session.add(StepRun(workspace_id=workspace.id, run_id=run_id, step_id=step_id,
                            position=0, action=spec["steps"][0]["action"], attempts=1,
                            idempotency_key=f"{run_id}:{step_id}"))  # fmt: skip
        target = "#ops" if channel == "slack" else "dana@example.com"
        session.add(OutboxMessage(workspace_id=workspace.id, channel=channel, target=target,
                                  body="", status="sending", idempotency_key=key,
                                  payload={"channel": target, "run_id": run_id},
                                  created_at=utcnow() - timedelta(seconds=2)))  # fmt: skip
        await session.commit()
    return run_id, key


async def outcome(sessions: async_sessionmaker[AsyncSession], run_id: str, key: str) -> Any:
    async with sessions() as session:
        run = await session.get(Run, run_id)
        step = (await session.exec(select(StepRun).where(StepRun.run_id == run_id))).one()
        ledger = (
            await session.exec(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))
        ).one()
    return run, step, ledger


async def recover_all(settings: Settings) -> None:
    runtime = Runtime(settings)
    try:
        await runtime.recover()
        await runtime.drain()
    finally:
        await runtime.close()


async def test_a_slack_post_that_went_out_before_the_crash_is_found_not_repeated(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    run_id, key = await half_sent(sessions, workspace, GREET, "greet", "", "slack")
    metadata = {"event_type": "levqor_step", "event_payload": {"idempotency_key": key}}
    async with httpx.AsyncClient() as client:  # what the dead process managed to post
        posted = await client.post(f"{fake_slack.url}chat.postMessage",
                                   json={"channel": "#ops", "text": "hello", "metadata": metadata},
                                   headers={"Authorization": f"Bearer {TOKEN}"})  # fmt: skip
        assert posted.json()["ok"]
    await recover_all(settings)
    run, step, ledger = await outcome(sessions, run_id, key)
    assert run.status == RunStatus.succeeded, run.error
    assert step.status == StepStatus.succeeded and step.output["ts"] == posted.json()["ts"]
    assert ledger.status == "sent"
    assert len(fake_slack.calls("chat.postMessage")) == 1
    assert len(fake_slack.messages("#ops")) == 1


async def test_a_slack_post_that_never_arrived_is_sent_once(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    run_id, key = await half_sent(sessions, workspace, GREET, "greet", "", "slack")
    await recover_all(settings)
    run, step, ledger = await outcome(sessions, run_id, key)
    assert run.status == RunStatus.succeeded, run.error
    assert ledger.status == "sent" and step.status == StepStatus.succeeded
    [message] = fake_slack.messages("#ops")
    assert message["metadata"]["event_payload"]["idempotency_key"] == key


async def test_a_slack_post_we_cannot_check_is_marked_unknown_not_resent(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    run_id, key = await half_sent(sessions, workspace, GREET, "greet", "", "slack")
    fake_slack.fail_history("missing_scope")
    await recover_all(settings)
    run, step, ledger = await outcome(sessions, run_id, key)
    assert step.status == StepStatus.unknown and step.error and UNKNOWN_WORDS in step.error
    assert run.status == RunStatus.failed and run.error and UNKNOWN_WORDS in run.error
    assert ledger.status == "unknown"
    assert fake_slack.messages("#ops") == []
    # The failure alert (to #alerts) says it in words too; nothing went to #ops.
    [alert] = fake_slack.calls("chat.postMessage")
    assert alert.args["channel"] == "#alerts" and UNKNOWN_WORDS in alert.args["text"]


async def test_an_email_caught_mid_send_is_marked_unknown_not_resent(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    inbox: tuple[Inbox, int],
) -> None:
    run_id, key = await half_sent(sessions, workspace, MAIL, "mail", ":dana@example.com", "email")
    await recover_all(settings)
    run, step, ledger = await outcome(sessions, run_id, key)
    assert step.status == StepStatus.unknown and step.error and UNKNOWN_WORDS in step.error
    assert run.status == RunStatus.failed
    assert ledger.status == "unknown"
    # Dana got nothing again; the owners were told the workflow failed (failure_email is on).
    [notice] = inbox[0].messages
    assert notice["To"] == "owner@example.com" and "failed" in str(notice["Subject"])


async def test_a_process_that_lost_its_lease_stops_before_its_next_step(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
) -> None:
    recorder = Recorder()
    registry = recorder.registry()
    spec = {"name": "Two notes", "trigger": {"type": "manual"}, "steps": [
        {"id": "slow", "action": "test.note", "inputs": {"text": "one", "sleep": 1.5}},
        {"id": "next", "action": "test.note", "inputs": {"text": "two"}},
    ]}  # fmt: skip
    workflow = await activate(sessions, workspace, spec, registry)
    run_id = (await new_run(sessions, workflow)).run.id
    runtime = Runtime(settings, registry)
    try:
        task = runtime.submit(run_id)
        assert task is not None
        await asyncio.sleep(0.5)  # step one is running: another process takes the run over
        async with sessions() as session:
            run = await session.get(Run, run_id)
            assert run is not None and run.lease_owner == runtime.engine.leases.owner
            run.lease_owner = "elsewhere:1:1:d4"
            await session.commit()
        await task
    finally:
        await runtime.close()
    assert recorder.texts == ["one"]  # it finished the step it was in, and went no further
    async with sessions() as session:
        run = await session.get(Run, run_id)
    assert run is not None and run.status == RunStatus.running
    assert run.lease_owner == "elsewhere:1:1:d4"  # nothing of the loser's was written


async def test_a_run_whose_last_write_released_its_lease_is_not_reported_lost(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    """A renewal racing a run's end (its write released the lease) must not call it lost."""
    spec = {"name": "Say", "trigger": {"type": "manual"},
            "steps": [{"id": "say", "action": "slack.post_message",
                       "inputs": {"channel": "#ops", "text": "hi"}}]}  # fmt: skip
    workflow = await activate(sessions, workspace, spec, default_registry())
    ending = (await new_run(sessions, workflow)).run.id
    taken = (await new_run(sessions, workflow)).run.id
    keeper = LeaseKeeper(sessions, "this-process", 30)
    try:  # neither row names this process as its holder any more
        keeper.hold(ending)
        keeper.hold(taken)
        keeper.ending(ending)
        await keeper.renew()
    finally:
        await keeper.stop()
    assert ending not in keeper.lost
    assert taken in keeper.lost  # not renewed, and not released by its own write: lost
