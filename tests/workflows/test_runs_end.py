"""Every run ends: a bad template, an action blowing up, a run over its time, a poison run."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.base import Action, ActionContext, Risk
from integrations.catalog import default_registry
from integrations.registry import ActionRegistry
from storage.config import Settings
from storage.models import Run, RunEvent, RunStatus, StepRun, StepStatus, WorkflowVersion, Workspace
from tests.bot.conftest import Live, live  # noqa: F401
from tests.conftest import make_settings
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401
from tests.workflows.e2e.test_slack_alerts import approved, stripe_signed
from tests.workflows.helpers import Note, Noted, Recorder, activate, new_run
from workflows.engine import Engine
from workflows.runtime import Runtime

STRIPE_SECRET = "whsec_test_alerts"


@pytest.fixture
def settings(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> Settings:  # noqa: F811
    return make_settings(
        tmp_path, database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake_slack.url,
        STRIPE_WEBHOOK_SECRET=STRIPE_SECRET, LEVQOR_RUN_MAX_SECONDS=60,
    )  # fmt: skip


def flow(*steps: dict[str, Any]) -> dict[str, Any]:
    return {"name": "Sums", "trigger": {"type": "manual"}, "steps": list(steps)}


def note(step_id: str, text: str, **inputs: Any) -> dict[str, Any]:
    return {"id": step_id, "action": "test.note", "inputs": {"text": text, **inputs}}


async def _steps(sessions: async_sessionmaker[AsyncSession], run_id: str) -> dict[str, StepRun]:
    async with sessions() as session:
        rows = (await session.exec(select(StepRun).where(StepRun.run_id == run_id))).all()
    return {r.step_id: r for r in rows}


@pytest.mark.parametrize(
    ("template", "words"),
    [
        ("{{ 1 / trigger.none }}", "divided by zero"),  # a constant 1/0 is refused when stored
        ("{{ trigger.amount / 100 }}", "cannot be combined"),
        ("total: {{ trigger.amount + 1 }}", "cannot be combined"),
    ],
)
async def test_a_template_that_blows_up_fails_the_step_in_words(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    template: str,
    words: str,
) -> None:
    recorder = Recorder()
    registry = recorder.registry()
    async with httpx.AsyncClient() as http:
        engine = Engine(settings, sessions, registry, http)
        workflow = await activate(
            sessions, workspace, flow(note("first", "ok"), note("sum", template)), registry
        )
        run_id = (await new_run(sessions, workflow, {"amount": "12.00", "none": 0})).run.id
        run = await engine.execute(run_id)
    assert run.status == RunStatus.failed
    assert run.error and words in run.error and "“text”" in run.error, run.error
    steps = await _steps(sessions, run_id)
    assert steps["first"].status == StepStatus.succeeded
    assert steps["sum"].status == StepStatus.failed
    assert steps["sum"].error and words in steps["sum"].error
    assert "Traceback" not in run.error and "TypeError" not in run.error
    assert recorder.texts == ["ok"]  # the failing step's action never ran


async def test_stripe_event_with_a_null_amount_fails_the_alert_run_instead_of_hanging(
    live: Live,  # noqa: F811
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    body = {"template_id": "failed-payment-alert",
            "params": {"channel": "#finance", "email_owners": False}}  # fmt: skip
    await approved(live, body)
    for n, amount in enumerate((None, "12.00")):
        invoice = {"id": f"in_{n}", "object": "invoice", "amount_due": amount, "currency": "usd",
                   "customer_email": "dana@example.com", "number": f"ACME-{n}"}  # fmt: skip
        event = {"id": f"evt_null_{n}", "object": "event", "type": "invoice.payment_failed",
                 "created": int(time.time()), "data": {"object": invoice}}  # fmt: skip
        raw = json.dumps(event).encode()
        async with httpx.AsyncClient(base_url=live.url) as stripe_client:
            response = await stripe_client.post(
                "/hooks/stripe/acme", content=raw, headers={"Stripe-Signature": stripe_signed(raw)}
            )
        assert response.status_code == 202, response.text
        run = await live.wait_for_run(response.json()["run_ids"][0], within=10)
        assert run["status"] == "failed", run
        assert "could not fill in" in run["error"].lower() and "“text”" in run["error"], run
        alert = run["steps"][0]
        assert alert["status"] == "failed" and "cannot be combined" in alert["error"]
    # The workspace hears of the failure streak once on its alert channel; #finance got nothing.
    for _ in range(100):  # the alert follows the run's end
        posted = [c.args["channel"] for c in fake_slack.calls("chat.postMessage")]
        if posted:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)  # a second alert would have arrived by now
    posted = [c.args["channel"] for c in fake_slack.calls("chat.postMessage")]
    assert posted == ["#alerts"]


async def test_an_action_that_raises_anything_fails_the_step(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    async def explode(_ctx: ActionContext, _inp: Note) -> Noted:
        found: dict[str, Noted] = {}
        return found["missing"]  # a KeyError, as a bug would raise

    registry = ActionRegistry([Action("test.explode", "bug", Risk.internal, Note, Noted, explode)])
    spec = flow({"id": "boom", "action": "test.explode", "inputs": {}})
    async with httpx.AsyncClient() as http:
        engine = Engine(settings, sessions, registry, http)
        workflow = await activate(sessions, workspace, spec, registry)
        run = await engine.execute((await new_run(sessions, workflow)).run.id)
    assert run.status == RunStatus.failed and run.error
    assert "boom" in run.error and "missing" in run.error


async def test_a_run_over_its_time_limit_is_failed_but_waiting_does_not_count(
    tmp_path: Path, database_url: str, sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
) -> None:  # fmt: skip
    limited = make_settings(tmp_path, database_url, LEVQOR_RUN_MAX_SECONDS=1)
    recorder = Recorder()
    registry = recorder.registry()
    async with httpx.AsyncClient() as http:
        engine = Engine(limited, sessions, registry, http)
        slow = await activate(sessions, workspace, flow(note("slow", "zz", sleep=5)), registry)
        run = await engine.execute((await new_run(sessions, slow)).run.id)
        assert run.status == RunStatus.failed, run.error
        assert run.error and "longer than the 1 second a run may take" in run.error
        # Cut off, not waited for: the 5-second step started but never got to finish.
        assert sum(recorder.calls.values()) == 1 and "zz" not in recorder.texts
        # A wait longer than the limit is not running time: this run succeeds.
        waits = {**flow({"id": "pause", "wait": "2 seconds"}, note("after", "done")), "name": "W"}
        patient = await activate(sessions, workspace, waits, registry)
        run_id = (await new_run(sessions, patient)).run.id
        assert (await engine.execute(run_id)).status == RunStatus.waiting
        await asyncio.sleep(2.1)
        assert (await engine.execute(run_id)).status == RunStatus.succeeded


async def test_a_run_that_keeps_crashing_its_executor_is_failed_and_alerted(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    registry = default_registry()
    spec = flow({"id": "hi", "action": "slack.post_message",
                 "inputs": {"channel": "#ops", "text": "hi"}})  # fmt: skip
    workflow = await activate(sessions, workspace, spec, registry)
    async with sessions() as session:  # a version this process has never parsed, and cannot
        broken = WorkflowVersion(
            workspace_id=workspace.id, workflow_id=workflow.id, version=99,
            spec={"name": "broken", "steps": "not a list"}, approval_class="A",
        )  # fmt: skip
        session.add(broken)
        await session.flush()
        run = Run(workspace_id=workspace.id, workflow_id=workflow.id, version_id=broken.id,
                  trigger_type="manual")  # fmt: skip
        session.add(run)
        await session.commit()
        run_id = run.id
    runtime = Runtime(settings, registry)
    try:
        for _ in range(5):  # each start (or sweep) tries it; the third crash is the last
            await runtime.recover()
            await runtime.drain()
    finally:
        await runtime.close()
    async with sessions() as session:
        stored = await session.get(Run, run_id)
        events = (await session.exec(select(RunEvent).where(RunEvent.run_id == run_id))).all()
    assert stored is not None and stored.status == RunStatus.failed
    assert stored.error and "stopped trying" in stored.error and "3 times" in stored.error
    assert stored.finished_at is not None
    alerts = [c.args for c in fake_slack.calls("chat.postMessage")]
    assert [a["channel"] for a in alerts] == ["#alerts"]
    assert "stopped trying" in alerts[0]["text"]
    assert [e.kind for e in events].count("run_crashed") == 3
