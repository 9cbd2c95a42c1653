"""Support: docs answers quoted offline, tickets with the plan's due time, the operator's queue
ordered by due time with alerts near and past due, through the API and the CLI."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from accounts import support
from accounts.help_search import search
from accounts.workspaces import ensure_default
from storage.config import Settings
from storage.db import create_engine, session_factory
from storage.models import Member, Role, SupportTicket, Workspace
from tests.accounts.seed import Sessions
from tests.bot.conftest import Live, live
from tests.bot.test_cli import env, levqor

__all__ = ["env", "live"]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("plan", "hours"),
    [("Launch", None), ("growth", 24), ("Scale", 8), ("agency", 4), (None, None), ("odd", None)],
)
def test_a_ticket_is_due_by_the_plans_response_time(plan: str | None, hours: int | None) -> None:
    workspace = cast(Workspace, SimpleNamespace(plan=plan))
    expected = None if hours is None else T0 + timedelta(hours=hours)
    assert support.due_at(workspace, T0) == expected


def test_docs_search_quotes_the_passage_and_where_it_is() -> None:
    [best, *_] = search("how do I restore a deleted workspace?")
    assert best.page == "data-lifecycle.md"
    assert "restore" in best.text.lower() and best.source.startswith("data-lifecycle.md, ")
    assert search("zzzz qqqq") == [] and search("the and of") == []


async def test_queue_is_ordered_by_due_time_and_alerts_near_and_past_due(
    sessions: Sessions, workspace: Workspace
) -> None:
    async with sessions() as session:
        member = Member(workspace_id=workspace.id, name="M", email="m@acme.io")
        session.add(member)
        plans = {"scale": T0, "growth": T0, "agency": T0 + timedelta(hours=1)}
        for plan, opened in [*plans.items(), ("launch", T0)]:
            ws: Any = SimpleNamespace(id=workspace.id, plan=plan)
            await support.open_ticket(session, ws, member, f"{plan} question", "help", now=opened)
        await session.commit()
    queue = await support.queue(sessions)
    assert [t.subject for t in queue] == [
        "agency question",  # due 14:00
        "scale question",  # due 17:00
        "growth question",  # due tomorrow 09:00
        "launch question",  # best effort: last
    ]
    assert queue[0].conversation[0]["asked"] == "agency question"
    at = {t.subject: t for t in queue}
    agency = at["agency question"]  # due at 14:00
    assert support.needs_alert(agency, T0 + timedelta(hours=2, minutes=59)) is None
    assert support.needs_alert(agency, T0 + timedelta(hours=3)) == "due soon"  # 2 hours left
    assert support.needs_alert(agency, T0 + timedelta(hours=5)) == "overdue"
    assert support.needs_alert(at["launch question"], T0 + timedelta(days=30)) is None


async def test_tickets_through_the_api(live: Live, sessions: Sessions) -> None:
    opened = await live.as_(Role.operator).post(
        "/api/support/tickets",
        json={"subject": "How do I export my data?", "message": "I need a copy for our lawyer."},
    )
    assert opened.status_code == 201, opened.text
    body = opened.json()
    assert body["due_at"] is None and "best-effort" in body["promise"]  # no plan: best effort
    listed = (await live.as_(Role.viewer).get("/api/support/tickets")).json()
    assert [t["id"] for t in listed] == [body["id"]]
    async with sessions() as session:
        ticket = await session.get(SupportTicket, body["id"])
    assert ticket is not None and ticket.email == "operator@example.com"
    shown = ticket.conversation[0]["shown"]
    assert shown and any("export" in p["text"].lower() for p in shown)  # the docs they saw
    empty = await live.as_().post("/api/support/tickets", json={"subject": " ", "message": "x"})
    assert empty.status_code == 422


async def _ticket(subject: str) -> None:
    engine = create_engine(Settings())
    try:
        async with session_factory(engine)() as session:
            ws = await ensure_default(session)
            member = Member(workspace_id=ws.id, name="Kim", role=Role.owner, email="kim@x.io")
            session.add(member)
            await support.open_ticket(session, ws, member, subject, "please")
            await session.commit()
    finally:
        await engine.dispose()


def test_support_list_command(env: Path) -> None:
    assert levqor("db", "upgrade")[0] == 0
    assert levqor("support", "list")[1].strip() == "No open tickets."
    asyncio.run(_ticket("Cannot connect Slack"))
    code, out = levqor("support", "list")
    assert code == 0 and "best effort" in out and "Cannot connect Slack" in out
    assert "kim@x.io" in out


async def test_a_ticket_takes_its_due_time_from_the_workspaces_subscription(
    sessions: Sessions, workspace: Workspace
) -> None:
    from storage.models import Subscription

    async with sessions() as session:
        member = Member(workspace_id=workspace.id, name="M", email="m@acme.io")
        session.add_all([member, Subscription(workspace_id=workspace.id, plan="scale")])
        await session.flush()
        ticket = await support.open_ticket(session, workspace, member, "Q", "help", now=T0)
        await session.commit()
    assert ticket.plan == "scale" and ticket.due_at == T0 + timedelta(hours=8)
