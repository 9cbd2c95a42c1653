"""The public search APIs social.mentions reads, each parsed into `Mention`s.

Reddit (`/search.json`), Hacker News (Algolia's `search_by_date`), Mastodon (an instance's hashtag
timeline, which needs no account) and Bluesky (`app.bsky.feed.searchPosts`). Each base address is
a setting (LEVQOR_REDDIT_API_BASE …) so tests read local fakes. A source that cannot be read
raises `SourceProblem`, whose message is a sentence a customer can read.
"""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from pydantic import BaseModel

from integrations.base import ActionContext, ActionError, RetryableError
from integrations.http import fetch

USER_AGENT = "Levqor/1.0 (social mentions monitor)"
MAX_TEXT = 1000
SOURCE_NAMES = {
    "reddit": "Reddit",
    "hackernews": "Hacker News",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "rss": "your feeds",
}


class Mention(BaseModel):
    """One post or comment that mentions a keyword, wherever it was found."""

    source: str  # reddit, hackernews, mastodon, bluesky or rss
    source_name: str  # "Reddit", "Hacker News", … or the feed's title
    author: str | None
    url: str  # where the mention is (the post, the comment, the feed item)
    link: str | None = None  # the page it links to, when it links to one
    title: str
    text: str
    time: str | None


class SourceProblem(Exception):
    """A source could not be read; the message says so in words. `retryable`: may pass later."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


def plain_text(markup: str) -> str:
    """Text of an HTML fragment: tags dropped, entities decoded, whitespace collapsed."""
    spaced = re.sub(r"(?i)<\s*(?:br|/p|/div|/li)\s*/?>", " ", markup)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]*>", "", spaced))).strip()


def title_of(text: str, limit: int = 90) -> str:
    """A one-line title from the start of a post's text."""
    line = text.strip()
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _iso(value: Any) -> str | None:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC).isoformat()
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).isoformat()
        except ValueError:
            return value
    return None


def _status_words(name: str, status: int) -> str:
    if status in (401, 403):
        return (
            f"{name} refused the search (it answered {status}); it may not allow searching "
            "without an account from this server"
        )
    if status == 404:
        return f"{name} did not find what was asked for (it answered 404)"
    return f"{name} answered {status}"


async def get_json(ctx: ActionContext, source: str, url: str) -> Any:
    """GET a JSON document from a source, every failure turned into a `SourceProblem`."""
    name = SOURCE_NAMES[source]
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    try:
        fetched = await fetch(ctx, "GET", url, headers=headers, timeout_seconds=10.0)
    except RetryableError as exc:
        timed_out = "timed out" in str(exc)
        why = "did not answer in time" if timed_out else "could not be reached"
        raise SourceProblem(f"{name} {why}", retryable=True) from exc
    except ActionError as exc:
        raise SourceProblem(f"{name} could not be read: {exc}", retryable=False) from exc
    if fetched.status == 429:
        raise SourceProblem(f"{name} is limiting requests (too many requests)", retryable=True)
    if fetched.status >= 500:
        raise SourceProblem(f"{name} had a problem on its side ({fetched.status})", retryable=True)
    if fetched.status >= 400:
        raise SourceProblem(_status_words(name, fetched.status), retryable=False)
    try:
        return json.loads(fetched.content)
    except ValueError as exc:
        raise SourceProblem(
            f"{name} sent an answer that is not the search results Levqor expects", retryable=True
        ) from exc


def _clip(text: str) -> str:
    return text[:MAX_TEXT]


def reddit_mentions(payload: Any) -> list[Mention]:
    """Posts of a Reddit search listing (`data.children[].data`)."""
    children = payload.get("data", {}).get("children", []) if isinstance(payload, dict) else []
    found: list[Mention] = []
    for child in children:
        post = child.get("data") if isinstance(child, dict) else None
        if not isinstance(post, dict) or not post.get("permalink"):
            continue
        url = "https://www.reddit.com" + str(post["permalink"])
        external = post.get("url")
        link = None if post.get("is_self") or not external or "reddit.com" in external else external
        text = _clip(str(post.get("selftext") or ""))
        title = str(post.get("title") or "") or title_of(text)
        found.append(Mention(
            source="reddit", source_name="Reddit", author=post.get("author"), url=url, link=link,
            title=title, text=text, time=_iso(post.get("created_utc")),
        ))  # fmt: skip
    return found


def hackernews_mentions(payload: Any) -> list[Mention]:
    """Stories and comments of an Algolia HN search (`hits[]`)."""
    hits = payload.get("hits", []) if isinstance(payload, dict) else []
    found: list[Mention] = []
    for hit in hits:
        if not isinstance(hit, dict) or not hit.get("objectID"):
            continue
        url = f"https://news.ycombinator.com/item?id={hit['objectID']}"
        body = plain_text(str(hit.get("comment_text") or hit.get("story_text") or ""))
        if hit.get("title"):
            title = str(hit["title"])
        elif hit.get("story_title"):
            title = f"Comment on “{hit['story_title']}”"
        else:
            title = title_of(body)
        found.append(Mention(
            source="hackernews", source_name="Hacker News", author=hit.get("author"), url=url,
            link=hit.get("url") or None, title=title, text=_clip(body),
            time=_iso(hit.get("created_at") or hit.get("created_at_i")),
        ))  # fmt: skip
    return found


def mastodon_mentions(payload: Any) -> list[Mention]:
    """Statuses of a Mastodon timeline (a JSON list)."""
    found: list[Mention] = []
    for status in payload if isinstance(payload, list) else []:
        if not isinstance(status, dict):
            continue
        status = status.get("reblog") or status
        url = status.get("url") or status.get("uri")
        if not url:
            continue
        text = plain_text(str(status.get("content") or ""))
        account = status.get("account") or {}
        card = status.get("card") or {}
        found.append(Mention(
            source="mastodon", source_name="Mastodon", author=account.get("acct"), url=str(url),
            link=card.get("url") or None, title=title_of(text), text=_clip(text),
            time=_iso(status.get("created_at")),
        ))  # fmt: skip
    return found


def bluesky_mentions(payload: Any) -> list[Mention]:
    """Posts of `app.bsky.feed.searchPosts` (`posts[]`, each with its `record`)."""
    posts = payload.get("posts", []) if isinstance(payload, dict) else []
    found: list[Mention] = []
    for post in posts:
        if not isinstance(post, dict):
            continue
        uri, author = str(post.get("uri") or ""), post.get("author") or {}
        handle, rkey = author.get("handle"), uri.rsplit("/", 1)[-1]
        if not handle or "/app.bsky.feed.post/" not in uri:
            continue
        record = post.get("record") or {}
        text = str(record.get("text") or "")
        external = ((record.get("embed") or {}).get("external") or {}).get("uri")
        found.append(Mention(
            source="bluesky", source_name="Bluesky", author=handle,
            url=f"https://bsky.app/profile/{handle}/post/{rkey}", link=external or None,
            title=title_of(text), text=_clip(text),
            time=_iso(record.get("createdAt") or post.get("indexedAt")),
        ))  # fmt: skip
    return found


def reddit_url(base: str, keywords: list[str], subreddit: str | None, limit: int) -> str:
    """One Reddit search for every keyword (quoted, joined with OR), newest first."""
    query = " OR ".join('"' + k.replace('"', "") + '"' for k in keywords)
    params = {"q": query, "sort": "new", "limit": str(limit), "raw_json": "1"}
    if subreddit:
        params["restrict_sr"] = "1"
        return f"{base.rstrip('/')}/r/{quote(subreddit)}/search.json?{urlencode(params)}"
    return f"{base.rstrip('/')}/search.json?{urlencode(params)}"


def hackernews_url(base: str, keyword: str, limit: int) -> str:
    """Stories or comments mentioning one keyword, newest first (`(story,comment)` is OR)."""
    params = {"query": keyword, "tags": "(story,comment)", "hitsPerPage": str(limit)}
    return f"{base.rstrip('/')}/api/v1/search_by_date?{urlencode(params)}"


def mastodon_url(base: str, tag: str, limit: int) -> str:
    """An instance's public timeline of one hashtag."""
    return f"{base.rstrip('/')}/api/v1/timelines/tag/{quote(tag)}?limit={min(limit, 40)}"


def bluesky_url(base: str, keyword: str, limit: int) -> str:
    """Posts mentioning one keyword, newest first."""
    params = {"q": keyword, "sort": "latest", "limit": str(limit)}
    return f"{base.rstrip('/')}/xrpc/app.bsky.feed.searchPosts?{urlencode(params)}"
