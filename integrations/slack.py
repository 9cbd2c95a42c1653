"""slack.post_message: post to a channel through the Web API, or park it in the outbox."""

from __future__ import annotations

import copy
from typing import Any

import aiohttp
from pydantic import Field
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations import outbox, slack_http
from integrations.base import (
    Action,
    ActionContext,
    ActionError,
    ActionInput,
    ActionOutput,
    RetryableError,
    Risk,
    retry_after_seconds,
)
from integrations.credential_cache import cached_credentials
from integrations.credentials import load_credential
from storage.config import Settings
from storage.models import Member, OutboxMessage
from storage.scope import Tenant

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_MESSAGE_TEXT = 40000
EVENT_TYPE = "levqor_step"
LOOK_BACK_SECONDS = 120  # how far before the attempt's record the history is read (clock skew)


class PostMessageInput(ActionInput):
    """Inputs of slack.post_message."""

    channel: str = Field(min_length=1)
    text: str
    blocks: list[dict[str, Any]] | None = None
    thread_ts: str | None = Field(default=None, description="reply in this message's thread")


class PostMessageOutput(ActionOutput):
    """Where the message went: the channel, its ts (when posted live), and how it was delivered."""

    channel: str
    ts: str | None = None
    delivered: str
    text: str | None = None
    blocks: list[dict[str, Any]] | None = None


def truncate(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, ending in "…" when it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fit_blocks(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Blocks trimmed to Block Kit's limits (50 blocks, 3000 chars per section text...)."""
    fitted = [_fit_block(copy.deepcopy(b)) for b in blocks[:MAX_BLOCKS]]
    if len(blocks) > MAX_BLOCKS:
        omitted = len(blocks) - MAX_BLOCKS + 1
        notice = {"type": "mrkdwn", "text": f"… {omitted} more blocks not shown"}
        fitted[-1] = {"type": "context", "elements": [notice]}
    return fitted


def _fit_block(block: dict[str, Any]) -> dict[str, Any]:
    limit = MAX_HEADER_TEXT if block.get("type") == "header" else MAX_SECTION_TEXT
    text = block.get("text")
    if isinstance(text, dict) and isinstance(text.get("text"), str):
        text["text"] = truncate(text["text"], limit)
    fields = block.get("fields")
    if isinstance(fields, list):
        block["fields"] = fields[:10]
        for item in block["fields"]:
            if isinstance(item, dict) and isinstance(item.get("text"), str):
                item["text"] = truncate(item["text"], MAX_FIELD_TEXT)
    return block


async def bot_token(ctx: ActionContext) -> str | None:
    """The workspace's own bot token (multi-workspace install), else `SLACK_BOT_TOKEN`.

    Kept for a few seconds per workspace (`integrations.credential_cache`): a run per second
    reads the credential row once, not once per run."""

    async def load() -> str | None:
        async with ctx.sessions() as session:
            return await stored_bot_token(session, ctx.workspace_id, ctx.settings)

    key = (ctx.settings.resolved_database_url, ctx.workspace_id, "slack", "bot_token")
    stored = await cached_credentials().get(key, load)
    return stored or ctx.settings.slack_bot_token


async def stored_bot_token(
    session: AsyncSession, workspace_id: str, settings: Settings
) -> str | None:
    """The bot token the workspace's own Slack install stored (None with one instance token:
    the caller falls back to `SLACK_BOT_TOKEN`, as `bot_token` does)."""
    return await load_credential(session, workspace_id, "slack", "bot_token", settings=settings)


_TO_ME = frozenset({"@me", "@myself"})


async def to_whom(ctx: ActionContext, channel: str, sending: bool) -> str:
    """The channel to post to: `@me` (a direct message to the person who asked for the workflow)
    is their linked Slack user; as given otherwise. With nothing linked, a live send fails with
    what to do; the outbox keeps `@me` as written."""
    if channel.strip().lower() not in _TO_ME:
        return channel
    member_id = ctx.extras.get("requested_by")
    member = None
    if isinstance(member_id, str) and member_id:
        async with ctx.sessions() as session:
            member = await Tenant(session, ctx.workspace_id).get(Member, member_id)
    if member is not None and member.slack_user_id:
        return member.slack_user_id
    if not sending:
        return channel
    who = member.name if member is not None else "the person who asked for this workflow"
    raise ActionError(
        f"“@me” is a direct message to {who}, whose Slack account is not linked to Levqor: "
        "they are linked when they connect Slack on the Connections page, or change the step to "
        "a channel"
    )


async def post_message(ctx: ActionContext, inp: PostMessageInput) -> PostMessageOutput:
    """Post a message (text plus optional blocks) to a channel, exactly once per step."""
    text = truncate(inp.text, MAX_MESSAGE_TEXT)
    blocks = fit_blocks(inp.blocks) if inp.blocks else None
    token = await bot_token(ctx)
    if inp.channel.strip().lower() in _TO_ME:
        sending = bool(token) and not ctx.dry_run  # "Try it" sends nothing: no link needed
        inp = inp.model_copy(update={"channel": await to_whom(ctx, inp.channel, sending)})
    message = outbox.Message(
        channel="slack",
        key=ctx.idempotency_key,
        target=inp.channel,
        body=text,
        payload={
            "channel": inp.channel,
            "text": text,
            "blocks": blocks,
            "thread_ts": inp.thread_ts,
        },
    )

    async def send() -> dict[str, Any]:
        assert token is not None
        return await _send(ctx, token, inp.channel, text, blocks, inp.thread_ts)

    async def check(row: OutboxMessage) -> outbox.Lookup:
        assert token is not None
        return await find_posted(ctx, token, row)

    delivery = await outbox.deliver(
        ctx, message, send if token else None, "slack not configured", check
    )
    preview = delivery.delivered == "dry_run"
    return PostMessageOutput(
        channel=str(delivery.result.get("channel") or inp.channel),
        ts=delivery.result.get("ts"),
        delivered=delivery.delivered,
        text=text if preview else None,
        blocks=blocks if preview else None,
    )


async def post_parked(ctx: ActionContext, token: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Post a message the outbox kept (its channel, text and blocks), carrying its key."""
    channel, text = str(payload.get("channel", "")), str(payload.get("text", ""))
    blocks = payload.get("blocks") if isinstance(payload.get("blocks"), list) else None
    return await _send(ctx, token, channel, text, blocks)


def _client(ctx: ActionContext, token: str) -> AsyncWebClient:
    """A Web API client on the shared session: its connections are kept between calls."""
    timeout = int(ctx.settings.step_timeout_seconds)
    return AsyncWebClient(
        token=token,
        base_url=ctx.settings.slack_api_url,
        timeout=timeout,
        retry_handlers=[],
        session=slack_http.session(timeout),
    )


async def _send(
    ctx: ActionContext,
    token: str,
    channel: str,
    text: str,
    blocks: list[dict[str, Any]] | None,
    thread_ts: str | None = None,
) -> dict[str, Any]:
    client = _client(ctx, token)
    # The step's key travels with the message, so a cut-off attempt can be found again.
    metadata = {"event_type": EVENT_TYPE, "event_payload": {"idempotency_key": ctx.idempotency_key}}
    try:
        response = await client.chat_postMessage(  # a workflow's text may carry outside data
            channel=channel,
            text=text,
            blocks=blocks,
            thread_ts=thread_ts,
            metadata=metadata,
            unfurl_links=False,
            unfurl_media=False,
        )
    except SlackApiError as exc:
        raise _classify(exc, channel) from exc
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise RetryableError(f"Slack unreachable: {exc or type(exc).__name__}") from exc
    return {"channel": response.get("channel", channel), "ts": response.get("ts")}


async def find_posted(ctx: ActionContext, token: str, row: OutboxMessage) -> outbox.Lookup:
    """After a cut-off attempt: the message if the channel's history has it (by its key), else
    "absent"; "unknown" when the history cannot be read (no `channels:history` scope, a channel
    given by name that was never posted to before, Slack unreachable).
    """
    channel = await _channel_id(ctx, str(row.payload.get("channel") or row.target))
    client = _client(ctx, token)
    oldest = row.created_at.timestamp() - LOOK_BACK_SECONDS
    try:
        page = await client.conversations_history(
            channel=channel, oldest=f"{oldest:.6f}", include_all_metadata=True, limit=200
        )
    except (SlackApiError, aiohttp.ClientError, TimeoutError):
        return "unknown"
    messages = page.get("messages") or []
    for found in messages:
        payload = (found.get("metadata") or {}).get("event_payload") or {}
        if payload.get("idempotency_key") == row.idempotency_key:
            return {"channel": channel, "ts": found.get("ts")}
    return "unknown" if page.get("has_more") else "absent"


async def _channel_id(ctx: ActionContext, channel: str) -> str:
    """The channel's id: as given, or the one Slack answered for an earlier post to this name."""
    if not channel.startswith("#"):
        return channel
    async with ctx.sessions() as session:
        tenant = Tenant(session, ctx.workspace_id)
        query = tenant.select(OutboxMessage).where(
            OutboxMessage.channel == "slack",
            OutboxMessage.target == channel,
            OutboxMessage.status == "sent",
        )
        for earlier in await tenant.all(query.limit(20)):
            answered = earlier.payload.get("result", {}).get("channel")
            if isinstance(answered, str) and answered:
                return answered
    return channel


def _classify(exc: SlackApiError, channel: str) -> Exception:
    status = exc.response.status_code
    if status == 429:
        delay = retry_after_seconds({k.lower(): v for k, v in exc.response.headers.items()})
        return RetryableError("Slack rate limit reached", retry_after=delay)
    if status >= 500:
        return RetryableError(f"Slack answered {status}")
    data = exc.response.data
    error = data.get("error", "unknown_error") if isinstance(data, dict) else "unknown_error"
    hints = {
        "channel_not_found": f"channel {channel} was not found (check the name, or invite the bot)",
        "not_in_channel": f"the bot is not in {channel}; invite it with /invite",
        "is_archived": f"channel {channel} is archived",
        "invalid_auth": "the Slack bot token is invalid",
        "not_authed": "no Slack bot token was sent",
        "token_revoked": "the Slack bot token was revoked",
        "account_inactive": "the Slack bot token belongs to an inactive account",
        "msg_too_long": "the message is too long for Slack",
        "invalid_blocks": "Slack refused the message blocks as invalid",
    }
    if error == "ratelimited":
        return RetryableError("Slack rate limit reached")
    return ActionError(f"Slack refused the message: {hints.get(error, error)}")


ACTIONS: list[Action[Any, Any]] = [
    Action(
        name="slack.post_message",
        description="Post a message to a Slack channel (kept in the outbox if Slack is off).",
        risk=Risk.internal,
        input_model=PostMessageInput,
        output_model=PostMessageOutput,
        handler=post_message,
        writes_first=True,  # the ledger's row (or the parked message) before Slack is called
    )
]
