"""SIGKILL a serving process before, during and after a send; another takes over; a restart
after that changes nothing. Each run ends once; each message goes at most once, or says it may
have gone ("unknown") when the provider cannot tell (email).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.catalog import default_registry
from integrations.outbox import UNKNOWN
from storage.config import Settings
from storage.models import Run, RunEvent, RunStatus, StepRun, StepStatus, Workspace
from tests.conftest import make_settings
from tests.fakes.gate import Gate
from tests.fakes.http_server import LoopbackServer
from tests.fakes.slack_api import TOKEN, FakeSlack
from tests.reliability.conftest import HeldInbox
from tests.reliability.harness import LEASE_SECONDS, Served, held_lookup, serve, until
from tests.workflows.helpers import activate

FINAL = (RunStatus.succeeded, RunStatus.failed)


@pytest.fixture
def backend() -> str:
    return "sqlite"  # the take-over path is the same on PostgreSQL (see test_two_processes)


@pytest.fixture
def settings(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack, inbox: tuple[HeldInbox, int]
) -> Settings:
    return make_settings(
        tmp_path, database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake_slack.url,
        SMTP_URL=f"smtp://127.0.0.1:{inbox[1]}",
    )  # fmt: skip


def post(step_id: str, text: str) -> dict[str, Any]:
    return {"id": step_id, "action": "slack.post_message",
            "inputs": {"channel": "#ops", "text": text}}  # fmt: skip


def flow(name: str, *steps: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "trigger": {"type": "manual"}, "steps": list(steps)}


async def snapshot(sessions: async_sessionmaker[AsyncSession], run_ids: list[str]) -> Any:
    """Every run, timeline event and step row of these runs, as plain comparable values."""
    async with sessions() as session:
        runs = (await session.exec(select(Run).where(col(Run.id).in_(run_ids)))).all()
        events = await session.exec(select(RunEvent).where(col(RunEvent.run_id).in_(run_ids)))
        steps = await session.exec(select(StepRun).where(col(StepRun.run_id).in_(run_ids)))
        return (
            {r.id: (r.status, r.error, r.finished_at, r.lease_owner) for r in runs},
            sorted((e.run_id, e.kind, e.id or 0) for e in events.all()),
            {(s.run_id, s.step_id): (s.status, s.attempts, s.output) for s in steps.all()},
        )


@pytest.mark.slow
async def test_kill_before_during_and_after_sends(
    settings: Settings,
    tmp_path: Path,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,
    inbox: tuple[HeldInbox, int],
    gates: list[tuple[Gate, LoopbackServer]],
    owner_api: Any,
) -> None:
    (gate_before, before_server), (gate_after, after_server) = gates
    mailbox = inbox[0]
    registry = default_registry()
    specs = {
        "before": flow("Look up, then post", held_lookup("look", before_server.url),
                       post("say", "before")),
        "after": flow("Post, then look up", post("say", "after"),
                      held_lookup("look", after_server.url)),
        "during": flow("Post", post("say", "during")),
        "mail": flow("Mail Dana", {"id": "mail", "action": "email.send", "inputs": {
            "to": "dana@example.com", "subject": "Hi", "text": "Hello Dana"}}),
    }  # fmt: skip
    workflows = {k: await activate(sessions, workspace, s, registry) for k, s in specs.items()}
    processes: list[Served] = []
    try:
        first = await serve(settings, tmp_path, "first")
        processes.append(first)

        async def start(kind: str) -> str:
            path = f"/api/workflows/{workflows[kind].id}/run"
            response = await owner_api(first.url, "POST", path)
            assert response.status_code == 202, response.text
            return str(response.json()["id"])

        runs = {"before": await start("before"), "after": await start("after")}
        assert await asyncio.to_thread(gate_before.reached.wait, 30)  # killed before its send
        assert await asyncio.to_thread(gate_after.reached.wait, 30)  # killed after its send
        fake_slack.hold_posts()
        runs["during"] = await start("during")
        assert await asyncio.to_thread(fake_slack.post_held.wait, 30)  # in Slack, not recorded
        mailbox.hold.set()
        runs["mail"] = await start("mail")
        assert await asyncio.to_thread(mailbox.reached.wait, 30)  # delivered, not recorded
        await first.kill()

        fake_slack.release_posts()
        gate_before.released.set()
        gate_after.released.set()
        mailbox.released.set()
        second = await serve(settings, tmp_path, "second")  # takes the runs over at start
        processes.append(second)

        async def ended() -> bool:
            found, _, _ = await snapshot(sessions, list(runs.values()))
            return all(status in FINAL for status, *_ in found.values())

        await until(ended, 60, "the runs to end after the take-over")

        async def alerted() -> bool:
            return len(fake_slack.messages("#alerts")) == 1

        await until(alerted, 10, "the failure alert")
        after_takeover = await snapshot(sessions, list(runs.values()))
        stored, events, steps = after_takeover

        # Each run was taken over once and ended once.
        for kind, run_id in runs.items():
            assert [k for r, k, _ in events if r == run_id].count("run_recovered") == 1, kind
        for kind in ("before", "after", "during"):
            status, error, _, owner = stored[runs[kind]]
            assert status == RunStatus.succeeded and owner is None, error
            assert _posts(fake_slack, runs[kind]) == 1, kind  # every message exactly once
        assert gate_before.hits == gate_after.hits == 2  # cut-off lookups run again (no ledger)
        [held] = [m for m in fake_slack.messages("#ops") if m["text"] == "during"]
        _, _, output = steps[(runs["during"], "say")]
        assert output["ts"] == held["ts"]  # found in the channel's history, not posted again
        # The mail went out, but the dead process never heard so: not re-sent, said in words.
        status, error, _, _ = stored[runs["mail"]]
        assert status == RunStatus.failed and error and UNKNOWN in error
        assert steps[(runs["mail"], "mail")][0] == StepStatus.unknown
        assert len(to_dana(mailbox)) == 1

        async def owners_told() -> bool:  # the failure also emails the owners, once
            return len(mailbox.messages) - len(to_dana(mailbox)) == 1

        await until(owners_told, 10, "the owners' failure notice")

        # A restart after all that re-runs nothing, even after a sweep.
        await second.stop()
        third = await serve(settings, tmp_path, "third")
        processes.append(third)
        await asyncio.sleep(LEASE_SECONDS * 1.5)
        assert await snapshot(sessions, list(runs.values())) == after_takeover
        assert len(fake_slack.messages("#ops")) == 3 and len(to_dana(mailbox)) == 1
        assert len(mailbox.messages) == 2  # and the owners' notice was not sent again
        assert await alerted() and gate_before.hits == gate_after.hits == 2
    finally:
        for process in processes:
            if process.process.returncode is None:
                await process.kill()


def _posts(fake: FakeSlack, run_id: str) -> int:
    keys = [
        (m.get("metadata") or {}).get("event_payload", {}).get("idempotency_key", "")
        for m in fake.messages("#ops")
    ]
    return sum(1 for key in keys if key.startswith(run_id))


def to_dana(mailbox: HeldInbox) -> list[Any]:
    """The messages the "Mail Dana" workflow sent (not the owners' failure notice)."""
    return [m for m in mailbox.messages if "dana@example.com" in str(m["To"])]
