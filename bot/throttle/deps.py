"""Where the fronts meet the limiter: the request's source address and the kind of request."""

from __future__ import annotations

from fastapi import Request

from bot.throttle.limiter import RateLimiter
from bot.throttle.tiers import Kind


def limiter_of(request: Request) -> RateLimiter:
    """The app's rate limiter."""
    limiter: RateLimiter = request.app.state.limiter
    return limiter


def source_of(request: Request) -> str:
    """The address a request came from (the proxy's view when uvicorn trusts its headers)."""
    return request.client.host if request.client else "unknown"


def kinds_of(path: str) -> tuple[Kind, ...]:
    """Which per-minute limits a request counts against: always global, plus chat or billing."""
    if path.startswith(("/chat", "/api/chat")):
        return ("global", "chat")
    if path.startswith(("/billing", "/api/billing")):
        return ("global", "billing")
    return ("global",)


async def count_request(request: Request, workspace_id: str, user_id: str) -> None:
    """Count an authenticated request for its workspace and user (429 past the tier's limit)."""
    limiter = limiter_of(request)
    for kind in kinds_of(request.url.path):
        await limiter.tiered(kind, workspace_id, user_id)
