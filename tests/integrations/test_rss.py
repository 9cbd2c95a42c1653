"""rss.new_items against a loopback feed server (RSS and Atom), deduped per workflow."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from integrations.base import ActionContext, ActionError, Risk
from integrations.rss import ACTIONS
from storage.config import Settings
from storage.models import Workflow, Workspace
from tests.fakes.http_server import LoopbackServer, serve_app

NEW_ITEMS = ACTIONS[0]

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Acme blog</title>
<item><guid>post-1</guid><title>Pricing update</title><link>http://example.org/1</link>
<description>New prices for Widgets</description>
<pubDate>Mon, 06 Jan 2025 10:00:00 GMT</pubDate></item>
<item><guid>post-2</guid><title>Hiring</title><link>http://example.org/2</link>
<description>We are hiring engineers</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>Status</title><id>urn:status</id><updated>2025-01-06T10:00:00Z</updated>
<entry><id>urn:e1</id><title>Outage resolved</title><link href="http://example.org/e1"/>
<updated>2025-01-06T09:00:00Z</updated><summary>All systems normal</summary></entry>
</feed>"""

FEEDS = {"rss": RSS, "atom": ATOM, "broken": "<html>not a feed"}


async def _feed(request: Request) -> Response:
    name = request.path_params["name"]
    return Response(FEEDS[name], media_type="application/xml")


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with serve_app(Starlette(routes=[Route("/{name}", _feed)])) as running:
        yield running


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False) as http:
        yield http


async def _ctx(settings: Settings, sessions: async_sessionmaker[AsyncSession], ws: Workspace,
               http: httpx.AsyncClient, dry_run: bool = False) -> ActionContext:  # fmt: skip
    async with sessions() as session:
        wf = Workflow(workspace_id=ws.id, name="Feed watch", webhook_secret="s")
        session.add(wf)
        await session.commit()
    return ActionContext(
        settings=settings, sessions=sessions, http=http,
        workspace_id=ws.id, workflow_id=wf.id, run_id="r", step_id="poll",
        idempotency_key="r:poll", dry_run=dry_run,
    )  # fmt: skip


async def test_rss_items_are_returned_once(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace,
    server: LoopbackServer, client: httpx.AsyncClient,
) -> None:  # fmt: skip
    assert NEW_ITEMS.risk == Risk.read
    ctx = await _ctx(settings, sessions, workspace, client)
    first = await NEW_ITEMS.run(ctx, {"url": f"{server.url}/rss"})
    assert [(i.key, i.title, i.link) for i in first.items] == [
        ("post-1", "Pricing update", "http://example.org/1"),
        ("post-2", "Hiring", "http://example.org/2"),
    ]
    assert first.items[0].published == "2025-01-06T10:00:00+00:00"
    again = await NEW_ITEMS.run(ctx, {"url": f"{server.url}/rss"})
    assert again.count == 0 and again.items == []
    other = await _ctx(settings, sessions, workspace, client)  # another workflow has its own memory
    assert (await NEW_ITEMS.run(other, {"url": f"{server.url}/rss"})).count == 2


async def test_atom_with_keywords_and_dry_run(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace,
    server: LoopbackServer, client: httpx.AsyncClient,
) -> None:  # fmt: skip
    dry = await _ctx(settings, sessions, workspace, client, dry_run=True)
    preview = await NEW_ITEMS.run(dry, {"url": f"{server.url}/atom", "keywords": ["OUTAGE"]})
    assert [i.key for i in preview.items] == ["urn:e1"]
    assert (await NEW_ITEMS.run(dry, {"url": f"{server.url}/atom"})).count == 1  # not remembered
    ctx = await _ctx(settings, sessions, workspace, client)
    none = await NEW_ITEMS.run(ctx, {"url": f"{server.url}/rss", "keywords": ["refund"]})
    assert none.count == 0
    hiring = await NEW_ITEMS.run(ctx, {"url": f"{server.url}/rss", "keywords": ["x", "engineers"]})
    assert [i.key for i in hiring.items] == ["post-2"]
    assert (await NEW_ITEMS.run(ctx, {"url": f"{server.url}/atom"})).items[0].summary == (
        "All systems normal"
    )


async def test_guard_and_bad_feeds(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace,
    server: LoopbackServer, client: httpx.AsyncClient,
) -> None:  # fmt: skip
    ctx = await _ctx(settings, sessions, workspace, client)
    with pytest.raises(ActionError, match="not an RSS or Atom feed"):
        await NEW_ITEMS.run(ctx, {"url": f"{server.url}/broken"})
    ctx.settings = settings.model_copy(update={"http_allowed_hosts": []})
    with pytest.raises(ActionError, match="loopback address"):
        await NEW_ITEMS.run(ctx, {"url": f"{server.url}/rss"})
