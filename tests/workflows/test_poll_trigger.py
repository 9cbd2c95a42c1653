"""The RSS/Atom poll trigger: a run per batch of news, nothing when the feed has nothing new."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from storage.config import Settings
from storage.models import OutboxMessage, Run, RunStatus, Workspace
from tests.fakes.http_server import serve_app
from tests.workflows.helpers import activate
from workflows.runtime import Runtime


def feed(items: list[tuple[str, str]]) -> str:
    entries = "".join(
        f"<item><guid>{key}</guid><title>{title}</title><link>http://example.org/{key}</link></item>"
        for key, title in items
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
    return f"{head}{entries}</channel></rss>"


async def runs_of(sessions: async_sessionmaker[AsyncSession], workflow_id: str) -> list[Run]:
    async with sessions() as session:
        return list((await session.exec(select(Run).where(Run.workflow_id == workflow_id))).all())


async def test_poll_starts_runs_only_for_new_items(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    items = [("a1", "BrewBuddy review"), ("a2", "Other news")]

    async def serve_feed(request: Request) -> Response:
        return Response(feed(items), media_type="application/rss+xml")

    with serve_app(Starlette(routes=[Route("/feed", serve_feed)])) as server:
        runtime = Runtime(settings)
        spec: dict[str, Any] = {
            "name": "Mentions digest",
            "trigger": {"type": "poll", "url": f"{server.url}/feed", "interval_seconds": 300},
            "steps": [
                {
                    "id": "digest",
                    "action": "slack.post_message",
                    "inputs": {
                        "channel": "#mentions",
                        "text": "{{ trigger.count }} new: "
                        "{{ trigger['items'] | map(attribute='title') | join(', ') }}",
                    },
                }
            ],
        }
        try:
            workflow = await activate(sessions, workspace, spec, runtime.registry)
            await runtime.fire(workflow.id)
            first = await runs_of(sessions, workflow.id)
            assert [r.status for r in first] == [RunStatus.succeeded]
            assert first[0].trigger_payload["count"] == 2
            await runtime.fire(workflow.id)  # nothing new: no run
            assert len(await runs_of(sessions, workflow.id)) == 1
            items.append(("a3", "BrewBuddy on HN"))
            await runtime.fire(workflow.id)
            runs = await runs_of(sessions, workflow.id)
            assert len(runs) == 2
        finally:
            await runtime.close()
    async with sessions() as session:
        bodies = sorted(m.body for m in (await session.exec(select(OutboxMessage))).all())
    assert bodies == ["1 new: BrewBuddy on HN", "2 new: BrewBuddy review, Other news"]
