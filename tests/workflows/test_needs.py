"""Connections a workflow needs: named on drafts and templates, and a run without one fails with
the sentence that says which connection to add (not a stack trace, not retried)."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from agents.views import draft_card
from integrations.catalog import default_registry
from storage.config import Settings
from storage.models import RunStatus, StepRun, Workspace
from tests.workflows.helpers import activate, new_run
from workflows.engine import Engine
from workflows.needs import needed_connections, needs_sentence

URL = "https://levqor.example"
SPEC: dict[str, Any] = {
    "name": "Failed payments to the sheet",
    "trigger": {"type": "stripe", "events": ["invoice.payment_failed"]},
    "steps": [
        {"id": "post", "action": "slack.post_message", "inputs": {"channel": "#f", "text": "x"}},
        {
            "id": "log",
            "action": "sheets.append_row",
            "inputs": {"spreadsheet": "s", "sheet": "Failed", "values": ["{{ trigger.id }}"]},
        },
        {
            "id": "ping",
            "action": "http.request",
            "inputs": {"url": "https://x.example", "auth": "crm"},
        },
    ],
}


def test_the_connections_a_spec_needs_in_words() -> None:
    assert needed_connections(SPEC) == ["stripe", "google", "http"]
    assert needs_sentence(SPEC, URL) == (
        "It needs Stripe, Google Sheets and HTTP secrets connected: connect them on the "
        "Connections page (https://levqor.example/connections)."
    )
    only_sheet = {**SPEC, "trigger": {"type": "manual"}, "steps": SPEC["steps"][:2]}
    assert needs_sentence(only_sheet, URL) == (
        "It needs Google Sheets connected: connect it on the Connections page "
        "(https://levqor.example/connections#google)."
    )
    slack_only = {**only_sheet, "steps": SPEC["steps"][:1]}
    assert needs_sentence(slack_only, URL) is None


def test_the_chat_draft_card_says_what_to_connect() -> None:
    card = draft_card({**SPEC, "trigger": {"type": "manual"}}, "B", [], URL)
    assert "It needs Google Sheets and HTTP secrets connected: connect them" in card


async def test_a_run_without_its_connection_fails_with_the_sentence(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    registry = default_registry()
    spec = {
        "name": "Overdue invoices",
        "trigger": {"type": "manual"},
        "steps": [{"id": "list", "action": "stripe.list_invoices", "inputs": {}}],
    }
    workflow = await activate(sessions, workspace, spec, registry)
    async with httpx.AsyncClient() as http:
        engine = Engine(settings, sessions, registry, http)
        run = await engine.execute((await new_run(sessions, workflow)).run.id)
    sentence = (
        "Stripe is not connected for this workspace. Add the Stripe connection on the "
        "Connections page (http://127.0.0.1:8000/connections#stripe) and try again."
    )
    assert run.status == RunStatus.failed and run.error and sentence in run.error
    assert "Traceback" not in run.error
    async with sessions() as session:
        step = (await session.exec(select(StepRun).where(StepRun.run_id == run.id))).one()
    assert step.error == sentence and step.attempts == 1
