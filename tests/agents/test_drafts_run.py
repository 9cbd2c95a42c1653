"""Drafted workflows run: rendered inputs fit the actions (a dry run through the real engine)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from agents.planner import draft
from storage.config import Settings
from storage.models import RunStatus, Workspace
from tests.workflows.helpers import activate, new_run
from workflows.expressions import summary
from workflows.runtime import Runtime

PAYLOAD: dict[str, Any] = {
    "email": "lee@example.com",
    "name": "Lee Park",
    "company": "Park Bakery",
    "amount": 1250,
    "from": "lee@example.com",
    "subject": "Question about my order",
    "text": "Hi, where is my order #1234? It was due yesterday.",
    "message_id": "<q1@example.com>",
}
REQUESTS = [
    "when someone fills in our contact form, add them to the CRM and tell #sales",
    "any order over $500 -> post in #wins with the order total",
    "summarise every email to help@ with AI and post it to #support",
    "every monday at 9am send #team a report of last week's runs",
    "email me whenever a new lead comes in from the website form",
]


def test_summary_filter_reads_like_text() -> None:
    assert summary({"name": "Lee", "amount": 12, "tags": ["a"]}) == "name: Lee\namount: 12"
    assert summary([{"title": "Post", "link": "http://x"}]) == "• Post <http://x>"


@pytest.mark.parametrize("request_text", REQUESTS)
async def test_drafts_dry_run_cleanly(
    request_text: str,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
) -> None:
    result = draft(request_text)
    assert result.status == "draft" and result.workflow, result
    runtime = Runtime(settings)
    try:
        workflow = await activate(sessions, workspace, result.workflow, runtime.registry)
        started = await new_run(sessions, workflow, PAYLOAD, dry_run=True)
        run = await runtime.engine.execute(started.run.id)
    finally:
        await runtime.close()
    assert run.status == RunStatus.succeeded, run.error
