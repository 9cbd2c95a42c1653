"""A Slack Web API client at `SLACK_API_URL` (Slack, or a stand-in for it)."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from storage.config import Settings


def web_client(settings: Settings, token: str | None = None, timeout: int = 15) -> AsyncWebClient:
    """A Web API client at `SLACK_API_URL` that waits out 429s (honouring Retry-After)."""
    client = AsyncWebClient(token=token, base_url=settings.slack_api_url, timeout=timeout)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=3))
    return client
