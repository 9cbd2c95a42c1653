"""Customer onboarding end to end: webhook → welcome → waits of 2, 3, 9 days that survive
restarts → drip emails skipped or moved on by milestones posted to /api/milestones.

Time passes by moving each wait step's stored start back (as tests/workflows/test_engine.py
does); every resume is done by a freshly started Runtime's scheduler, as after a restart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from agents.planner import draft
from storage.config import Settings
from storage.models import Role, Run, RunStatus, StepRun
from storage.types import utcnow
from tests.bot.conftest import Live, live  # noqa: F401
from tests.conftest import make_settings
from tests.fakes.http_server import free_port
from workflows.runtime import Runtime

WAITS = {"wait_2d": 2, "wait_3d": 3, "wait_9d": 9}


class Inbox:
    """aiosmtpd handler keeping every message it accepts, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted"

    def subjects(self, to: str) -> list[str]:
        return [str(m["Subject"]) for m in self.messages if m["To"] == to]


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def settings(tmp_path: Path, database_url: str, inbox: tuple[Inbox, int]) -> Settings:
    return make_settings(
        tmp_path, database_url, SMTP_URL=f"smtp://127.0.0.1:{inbox[1]}",
        LEVQOR_EMAIL_FROM="hello@acme.test",
    )  # fmt: skip


async def days_pass(app: Live, run_ids: list[str], wait_step: str) -> None:
    """Pretend the wait's days are over: its stored start moves back, its resume time to now."""
    async with app.runtime.sessions() as session:
        for run_id in run_ids:
            query = select(StepRun).where(StepRun.run_id == run_id, StepRun.step_id == wait_step)
            row = (await session.exec(query)).one()
            row.started_at -= timedelta(days=WAITS[wait_step], seconds=1)
            run = await session.get(Run, run_id)
            assert run is not None and run.status == RunStatus.waiting
            run.resume_at = utcnow()
            session.add_all([row, run])
        await session.commit()


async def restart_until(app: Live, settings: Settings, run_ids: list[str], step: str) -> None:
    """A new process starts: its scheduler resumes the due runs; stop once all reach `step`."""
    scheduled = settings.model_copy(update={"run_scheduler": True})
    runtime = await Runtime(scheduled).start(recover=False)  # only the scheduler resumes
    try:
        for _ in range(300):
            if all([await position(app, r) == step for r in run_ids]):
                return
            await asyncio.sleep(0.05)
        raise AssertionError(
            f"runs did not reach {step}: {[await position(app, r) for r in run_ids]}"
        )
    finally:
        await runtime.close()


async def position(app: Live, run_id: str) -> str:
    """`done`, or the wait step the run is waiting on."""
    async with app.runtime.sessions() as session:
        run = await session.get(Run, run_id)
        assert run is not None
        if run.status == RunStatus.succeeded:
            return "done"
        query = select(StepRun).where(StepRun.run_id == run_id, StepRun.status == "waiting")
        waiting = (await session.exec(query)).first()
        return waiting.step_id if waiting and run.status == RunStatus.waiting else run.status


async def test_drip_with_milestones_and_restarts(
    live: Live,  # noqa: F811
    settings: Settings,
    inbox: tuple[Inbox, int],
) -> None:
    mail = inbox[0]
    params = {"business_name": "Acme Studio", "help_url": "https://acme.example/help",
              "setup_milestone": "created_first_workflow"}  # fmt: skip
    created = await live.as_(Role.admin).post(
        "/api/workflows", json={"template_id": "customer-onboarding", "params": params}
    )
    decided = await live.as_(Role.owner).post(
        f"/api/approvals/{created.json()['approval']['id']}/approve"
    )
    hook = "/" + decided.json()["webhook_url"].split("/", 3)[3]
    people = ["dana@example.com", "eli@example.com", "fay@example.com"]
    run_ids = []
    for email in people:
        accepted = await live.as_().post(hook, json={"email": email, "name": email[:3].title()})
        run = await live.wait_for_run(accepted.json()["run_id"])
        assert run["status"] == "waiting", run
        run_ids.append(run["id"])
    assert [m["To"] for m in mail.messages] == people
    welcome = mail.messages[0]
    assert welcome["Subject"] == "Welcome to Acme Studio!" and welcome["List-Unsubscribe"]
    assert "Hi Dan, welcome" in welcome.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    # Dana creates her first workflow before day 2; Fay invites her team before day 5.
    milestone = {"email": "Dana@Example.com", "milestone": "created_first_workflow"}
    recorded = await live.as_(Role.operator).post("/api/milestones", json=milestone)
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["milestones"] == ["created_first_workflow"]
    repeat = (await live.as_().post("/api/milestones", json=milestone)).json()
    assert repeat["first_time"] is False and repeat["reached_at"] == recorded.json()["reached_at"]
    bad = await live.as_().post("/api/milestones", json={"email": "a@b.co", "milestone": "Nope!"})
    assert bad.status_code == 400
    viewer = await live.as_(Role.viewer).post("/api/milestones", json=milestone)
    assert viewer.status_code == 403

    await days_pass(live, run_ids, "wait_2d")
    await restart_until(live, settings, run_ids, "wait_3d")
    assert mail.subjects("dana@example.com") == ["Welcome to Acme Studio!"]  # nudge skipped
    assert mail.subjects("eli@example.com")[1:] == ["Getting started with Acme Studio"]
    assert mail.subjects("fay@example.com")[1:] == ["Getting started with Acme Studio"]

    fay = {"email": "fay@example.com", "milestone": "invited_team"}
    assert (await live.as_().post("/api/milestones", json=fay)).json()["new_contact"] is True
    await days_pass(live, run_ids, "wait_3d")
    await restart_until(live, settings, run_ids, "wait_9d")
    assert mail.subjects("dana@example.com")[1:] == ["Your next steps with Acme Studio"]
    assert mail.subjects("eli@example.com")[2:] == ["Need a hand getting set up?"]
    assert mail.subjects("fay@example.com")[2:] == []  # up and running: check-in skipped

    await days_pass(live, run_ids, "wait_9d")
    await restart_until(live, settings, run_ids, "done")
    for email in people:
        assert mail.subjects(email)[-1] == "Two weeks with Acme Studio"
    assert len(mail.messages) == 10 and all(m["List-Unsubscribe"] for m in mail.messages)


def test_drafted_from_plain_language() -> None:
    result = draft(
        "When a new customer signs up (our app sends a webhook), send them a welcome email, then "
        "follow-up emails on day 2, day 5 and day 14."
    )
    assert result.status == "draft" and result.workflow is not None
    assert result.workflow["trigger"]["type"] == "webhook"
    steps = result.workflow["steps"]
    assert [s["wait"] for s in steps if s.get("wait")] == ["2 days", "3 days", "9 days"]
    assert {s["action"] for s in steps if s.get("action")} == {"email.send"}
