"""A failing scheduled workflow tells its people once per failure streak, and again on recovery.

Through the real paths: an SMTP server (aiosmtpd) receives the owners' email, the fake Slack Web
API the alert channel's posts; the monitored site is a loopback server that can be broken.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.config import Settings
from storage.models import Run, RunStatus, Workspace
from storage.types import utcnow
from tests.conftest import make_settings
from tests.fakes.http_server import LoopbackServer, serve_app
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401
from tests.fakes.smtp_inbox import Inbox, smtp_inbox
from tests.workflows.helpers import activate
from workflows.failure_notices import previous_outcome
from workflows.runtime import Runtime


class Site:
    """An ASGI site answering 200, or 503 while `broken`."""

    def __init__(self) -> None:
        self.broken = True

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        status = 503 if self.broken else 200
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with smtp_inbox() as served:
        yield served


@pytest.fixture
def site() -> Iterator[tuple[Site, LoopbackServer]]:
    served = Site()
    with serve_app(served) as server:
        yield served, server


@pytest.fixture
def settings(
    tmp_path: Path,
    database_url: str,
    fake_slack: FakeSlack,  # noqa: F811
    inbox: tuple[Inbox, int],
) -> Settings:
    return make_settings(
        tmp_path, database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake_slack.url,
        SMTP_URL=f"smtp://127.0.0.1:{inbox[1]}", LEVQOR_PUBLIC_URL="http://levqor.test:8765",
    )  # fmt: skip


def monitor(url: str) -> dict[str, Any]:
    return {
        "name": "Site monitor",
        "trigger": {"type": "schedule", "cron": "*/5 * * * *", "timezone": "UTC"},
        "steps": [{"id": "ping", "action": "http.request", "inputs": {"url": url}}],
    }


async def test_one_alert_per_failure_streak_and_one_on_recovery(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
    inbox: tuple[Inbox, int],
    site: tuple[Site, LoopbackServer],
) -> None:
    runtime = await Runtime(settings).start()
    try:
        workflow = await activate(sessions, workspace, monitor(site[1].url), runtime.registry)
        for _ in range(3):  # every five minutes, the site still down
            await runtime.fire(workflow.id)
        alerts = fake_slack.messages("#alerts")
        assert len(alerts) == 1 and "Site monitor" in alerts[0]["text"]
        [mail] = inbox[0].messages
        assert mail["To"] == "owner@example.com" and mail["Subject"] == "“Site monitor” failed"
        body = mail.get_content()
        assert "http://levqor.test:8765/runs/" in body and "/api/" not in body
        assert "We tell you once while it keeps failing" in body

        site[0].broken = False
        await runtime.fire(workflow.id)
        await runtime.fire(workflow.id)  # still fine: nothing more to say
        texts = [m["text"] for m in fake_slack.messages("#alerts")]
        assert len(texts) == 2 and "Site monitor* works again" in texts[1]
        subjects = [m["Subject"] for m in inbox[0].messages]
        assert subjects == ["“Site monitor” failed", "“Site monitor” works again"]

        site[0].broken = True  # a new streak is told again
        await runtime.fire(workflow.id)
        assert len(fake_slack.messages("#alerts")) == 3
        assert len(inbox[0].messages) == 3
    finally:
        await runtime.drain()
        await runtime.close()


async def test_owners_can_turn_the_email_off_and_the_channel_is_optional(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
    inbox: tuple[Inbox, int],
    site: tuple[Site, LoopbackServer],
) -> None:
    async with sessions() as session:
        row = await session.get(Workspace, workspace.id)
        assert row is not None
        row.failure_email, row.alert_channel = False, None
        await session.commit()
    runtime = await Runtime(settings).start()
    try:
        workflow = await activate(sessions, workspace, monitor(site[1].url), runtime.registry)
        await runtime.fire(workflow.id)
        assert inbox[0].messages == [] and fake_slack.messages("#alerts") == []
    finally:
        await runtime.drain()
        await runtime.close()


async def test_a_failure_recorded_by_another_process_is_followed_by_works_again(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
    inbox: tuple[Inbox, int],
    site: tuple[Site, LoopbackServer],
) -> None:
    site[0].broken = False
    runtime = await Runtime(settings).start()
    try:
        workflow = await activate(sessions, workspace, monitor(site[1].url), runtime.registry)
        await runtime.fire(workflow.id)  # works: nothing to say
        assert fake_slack.messages("#alerts") == []
        async with sessions() as session:  # another process ran it meanwhile, and it failed
            last = (await session.exec(select(Run).where(Run.workflow_id == workflow.id))).one()
            session.add(
                Run(
                    workspace_id=workspace.id,
                    workflow_id=workflow.id,
                    version_id=last.version_id,
                    status=RunStatus.failed,
                    trigger_type="schedule",
                    error="down",
                    finished_at=utcnow(),
                )
            )
            await session.commit()
            later = Run(  # a run ending now, its previous outcome read on its own too
                workspace_id=workspace.id, workflow_id=workflow.id, version_id=last.version_id,
                trigger_type="schedule", finished_at=utcnow(),
            )  # fmt: skip
            assert await previous_outcome(session, later) == RunStatus.failed
            later.finished_at = None
            assert await previous_outcome(session, later) == RunStatus.failed
        await runtime.fire(workflow.id)  # this process's next run works: the streak ends
        texts = [m["text"] for m in fake_slack.messages("#alerts")]
        assert len(texts) == 1 and "Site monitor* works again" in texts[0]
        assert [m["Subject"] for m in inbox[0].messages] == ["“Site monitor” works again"]
    finally:
        await runtime.drain()
        await runtime.close()


async def test_a_success_after_a_success_reads_nothing_more_for_its_notice(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    fake_slack: FakeSlack,  # noqa: F811
    site: tuple[Site, LoopbackServer],
) -> None:
    """How the previous run ended comes back with the run's ending `UPDATE`: no `SELECT` (and
    no session) of its own per successful run."""
    site[0].broken = False
    runtime = await Runtime(settings).start()
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(" ".join(statement.split()))

    try:
        workflow = await activate(sessions, workspace, monitor(site[1].url), runtime.registry)
        await runtime.fire(workflow.id)
        event.listen(runtime.db.sync_engine, "before_cursor_execute", seen)
        try:
            await runtime.fire(workflow.id)
        finally:
            event.remove(runtime.db.sync_engine, "before_cursor_execute", seen)
        asked = [s for s in statements if "ORDER BY" in s and "finished_at DESC" in s]
        assert len(asked) == 1 and asked[0].startswith("UPDATE run "), asked
        assert fake_slack.messages("#alerts") == []
    finally:
        await runtime.drain()
        await runtime.close()
