"""`GET /charts/{chart_id}.png`: report charts, so Slack image blocks and emails can show them.

No API key: Slack fetches the image itself. The id is an HMAC of the step's key with the secret
key (32 hex characters), so charts cannot be guessed or listed.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from bot.api.deps import RuntimeDep
from bot.api.responses import errors
from integrations.charts import load_chart
from workflows.errors import NotFound

router = APIRouter(tags=["reports"], responses=errors(404, 422))


@router.get("/charts/{chart_id}.png", response_class=Response)
async def chart(chart_id: str, runtime: RuntimeDep) -> Response:
    """The chart's PNG, or 404."""
    png = load_chart(runtime.settings, chart_id)
    if png is None:
        raise NotFound("no such chart")
    headers = {"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"}
    return Response(png, media_type="image/png", headers=headers)
