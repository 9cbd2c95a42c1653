"""Web pages: live events — the workspace's run and approval changes as a server-sent stream.

`GET /live/events` first sends an `event: snapshot` with the current counts, then every live
event of the workspace as `event: <kind>`, and a comment every 15 s so proxies keep it open.
The stream ends when the browser goes away or the server cancels it on shutdown.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from bot.web.auth import ApiContext
from workflows import analytics
from workflows.runtime import Runtime

router = APIRouter(include_in_schema=False)
HEARTBEAT_SECONDS = 15.0
RETRY_MS = 3000


def frame(kind: str, data: dict[str, Any]) -> str:
    """One server-sent event: its type and a one-line JSON body."""
    return f"event: {kind}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


async def snapshot(runtime: Runtime, workspace_id: str) -> dict[str, Any]:
    """The workspace's counts right now, read in a short session of its own."""
    async with runtime.sessions() as session:
        return await analytics.live_counts(session, workspace_id)


async def stream(
    request: Request,
    runtime: Runtime,
    workspace_id: str,
    heartbeat: float | None = None,
) -> AsyncIterator[str]:
    """Snapshot, then the workspace's events, until the client disconnects or we are cancelled."""
    async with runtime.live.subscribe(workspace_id) as queue:  # before the snapshot: none lost
        yield f"retry: {RETRY_MS}\n" + frame("snapshot", await snapshot(runtime, workspace_id))
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), heartbeat or HEARTBEAT_SECONDS)
            except TimeoutError:
                if await request.is_disconnected():
                    return
                yield ": keep-alive\n\n"
                continue
            yield frame(event.kind, event.to_json())


@router.get("/live/events")
async def live_events(request: Request, ctx: ApiContext) -> StreamingResponse:
    """The signed-in workspace's live events as `text/event-stream`."""
    await ctx.tenant.session.close()  # the stream may stay open for hours: free the connection
    return StreamingResponse(
        stream(request, ctx.runtime, ctx.tenant.workspace_id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
