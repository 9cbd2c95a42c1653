"""rss.new_items: poll an RSS or Atom feed and return only the items this workflow has not seen."""

from __future__ import annotations

import calendar
import hashlib
from datetime import UTC, datetime
from typing import Any

import feedparser
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from integrations.base import (
    Action,
    ActionContext,
    ActionError,
    ActionInput,
    ActionOutput,
    RetryableError,
    Risk,
)
from integrations.http import fetch, raise_for_retryable
from storage.models import FeedItemSeen
from storage.scope import Tenant

MAX_SUMMARY = 1000


class NewItemsInput(ActionInput):
    """Inputs of rss.new_items."""

    url: str
    keywords: list[str] = []


class FeedItem(BaseModel):
    """One feed entry."""

    key: str
    title: str
    link: str | None
    summary: str
    published: str | None


class NewItemsOutput(ActionOutput):
    """The unseen (and matching) items, oldest first, and how many."""

    items: list[FeedItem]
    count: int


def item_key(entry: Any) -> str | None:
    """The entry's id (or link), hashed if it is too long for the ledger column."""
    key = entry.get("id") or entry.get("link")
    if not key:
        return None
    key = str(key)
    return key if len(key) <= 500 else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _published(entry: Any) -> str | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if parsed:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat()
    raw = entry.get("published") or entry.get("updated")
    return str(raw) if raw else None


def parse_items(content: bytes) -> list[FeedItem]:
    """Every keyed entry of an RSS/Atom document, in feed order."""
    feed = feedparser.parse(content)
    if feed.get("bozo") and not feed.get("entries"):
        raise ActionError(f"not an RSS or Atom feed: {feed.get('bozo_exception')}")
    items: list[FeedItem] = []
    for entry in feed.get("entries", []):
        key = item_key(entry)
        if key is None:
            continue
        summary = str(entry.get("summary") or "")
        items.append(FeedItem(
            key=key, title=str(entry.get("title") or ""), link=entry.get("link"),
            summary=summary[:MAX_SUMMARY], published=_published(entry),
        ))  # fmt: skip
    return items


def matches(item: FeedItem, keywords: list[str]) -> bool:
    """Whether any keyword occurs in the title or summary (case-insensitive); no keywords: all."""
    wanted = [k.strip().lower() for k in keywords if k.strip()]
    haystack = f"{item.title}\n{item.summary}".lower()
    return not wanted or any(k in haystack for k in wanted)


async def new_items(ctx: ActionContext, inp: NewItemsInput) -> NewItemsOutput:
    """Fetch the feed, keep matching items this workflow has not seen, and remember them."""
    fetched = await fetch(ctx, "GET", inp.url, headers={"Accept": "application/rss+xml, */*"})
    raise_for_retryable(fetched)
    if fetched.status >= 400:
        raise ActionError(f"feed {inp.url} answered {fetched.status}")
    items = list(
        {i.key: i for i in parse_items(fetched.content) if matches(i, inp.keywords)}.values()
    )
    async with ctx.sessions() as session:
        tenant = Tenant(session, ctx.workspace_id)
        query = tenant.select(FeedItemSeen).where(
            FeedItemSeen.workflow_id == ctx.workflow_id,
            col(FeedItemSeen.item_key).in_([i.key for i in items]),
        )
        seen = {row.item_key for row in await tenant.all(query)}
        fresh = [i for i in items if i.key not in seen]
        if fresh and not ctx.dry_run:
            for item in fresh:
                seen_row = FeedItemSeen(
                    workspace_id=ctx.workspace_id, workflow_id=ctx.workflow_id, item_key=item.key
                )
                tenant.add(seen_row)
            try:
                await session.commit()
            except IntegrityError as exc:
                raise RetryableError("another poll of this feed ran at the same time") from exc
    return NewItemsOutput(items=fresh, count=len(fresh))


ACTIONS: list[Action[Any, Any]] = [
    Action(
        name="rss.new_items",
        description="Poll an RSS/Atom feed for new items, optionally matching keywords.",
        risk=Risk.read,
        input_model=NewItemsInput,
        output_model=NewItemsOutput,
        handler=new_items,
    )
]
