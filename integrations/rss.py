"""rss.new_items: poll RSS or Atom feeds and return only the items this workflow has not seen.

An item is known by its id and by its link: the same post in two feeds (or re-published with a new
id) is reported once.
"""

from __future__ import annotations

import asyncio
import calendar
import hashlib
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser
from pydantic import BaseModel, Field, model_validator

from integrations import seen_items
from integrations.base import (
    Action,
    ActionContext,
    ActionError,
    ActionInput,
    ActionOutput,
    Risk,
)
from integrations.http import fetch, raise_for_retryable

MAX_SUMMARY = 1000
MAX_FEEDS = 20


class NewItemsInput(ActionInput):
    """Inputs of rss.new_items: one feed (`url`), several (`urls`), or both."""

    url: str | None = None
    urls: list[str] = Field(default=[], max_length=MAX_FEEDS)
    keywords: list[str] = []

    @model_validator(mode="after")
    def _some_feed(self) -> NewItemsInput:
        if not self.feeds():
            raise ValueError("rss.new_items needs a feed: `url` or `urls`")
        return self

    def feeds(self) -> list[str]:
        """Every feed address, without repeats, `url` first."""
        return list(dict.fromkeys(u for u in [self.url, *self.urls] if u))


class FeedItem(BaseModel):
    """One feed entry."""

    key: str
    title: str
    link: str | None
    summary: str
    published: str | None
    source: str | None = None
    feed_url: str | None = None


class NewItemsOutput(ActionOutput):
    """The unseen (and matching) items in feed order, how many, and feeds that could not be read."""

    items: list[FeedItem]
    count: int
    failed_feeds: list[str] = []


def _ledger_key(key: str) -> str:
    return key if len(key) <= 500 else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def item_key(entry: Any) -> str | None:
    """The entry's id (or link), hashed if it is too long for the ledger column."""
    key = entry.get("id") or entry.get("link")
    return _ledger_key(str(key)) if key else None


def item_keys(item: FeedItem) -> set[str]:
    """Every ledger key that identifies the item: its id and its link."""
    return {item.key, _ledger_key(item.link)} if item.link else {item.key}


def _published(entry: Any) -> str | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if parsed:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat()
    raw = entry.get("published") or entry.get("updated")
    return str(raw) if raw else None


def parse_items(content: bytes, feed_url: str | None = None) -> list[FeedItem]:
    """Every keyed entry of an RSS/Atom document, in feed order, named by the feed's title."""
    feed = feedparser.parse(content)
    if feed.get("bozo") and not feed.get("entries"):
        raise ActionError(f"not an RSS or Atom feed: {feed.get('bozo_exception')}")
    title = str(feed.get("feed", {}).get("title") or "").strip()
    source = title or (urlsplit(feed_url).hostname if feed_url else None)
    items: list[FeedItem] = []
    for entry in feed.get("entries", []):
        key = item_key(entry)
        if key is None:
            continue
        summary = str(entry.get("summary") or "")
        items.append(FeedItem(
            key=key, title=str(entry.get("title") or ""), link=entry.get("link"),
            summary=summary[:MAX_SUMMARY], published=_published(entry), source=source,
            feed_url=feed_url,
        ))  # fmt: skip
    return items


def matches(item: FeedItem, keywords: list[str]) -> bool:
    """Whether any keyword occurs in the title or summary (case-insensitive); no keywords: all."""
    wanted = [k.strip().lower() for k in keywords if k.strip()]
    haystack = f"{item.title}\n{item.summary}".lower()
    return not wanted or any(k in haystack for k in wanted)


async def feed_items(ctx: ActionContext, url: str) -> list[FeedItem]:
    """Fetch and parse one feed (RetryableError for 5xx/429/network, ActionError for 4xx)."""
    fetched = await fetch(ctx, "GET", url, headers={"Accept": "application/rss+xml, */*"})
    raise_for_retryable(fetched)
    if fetched.status >= 400:
        raise ActionError(f"feed {url} answered {fetched.status}")
    return parse_items(fetched.content, url)


async def new_items(ctx: ActionContext, inp: NewItemsInput) -> NewItemsOutput:
    """Fetch the feeds, keep matching items this workflow has not seen, and remember them."""
    feeds = inp.feeds()
    results = await asyncio.gather(*(feed_items(ctx, u) for u in feeds), return_exceptions=True)
    problems = [r for r in results if isinstance(r, BaseException)]
    if len(problems) == len(feeds):
        raise problems[0]  # nothing could be read: fail (or retry) the step
    fetched = [i for r in results if not isinstance(r, BaseException) for i in r]
    items = [i for i in fetched if matches(i, inp.keywords)]
    failed = [
        f"{u}: {r}" for u, r in zip(feeds, results, strict=True) if isinstance(r, BaseException)
    ]
    fresh = await seen_items.unseen(
        ctx, items, item_keys, "another poll of this feed ran at the same time"
    )
    return NewItemsOutput(items=fresh, count=len(fresh), failed_feeds=failed)


ACTIONS: list[Action[Any, Any]] = [
    Action(
        name="rss.new_items",
        description="Poll RSS/Atom feeds (url or urls) for new items, optionally by keywords.",
        risk=Risk.read,
        input_model=NewItemsInput,
        output_model=NewItemsOutput,
        handler=new_items,
    )
]
