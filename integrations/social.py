"""social.mentions: new mentions of keywords on Reddit, Hacker News, Mastodon, Bluesky and feeds.

Every source is read at once; one that fails is named in `failed_sources` (in words) and the
others' mentions still arrive. A mention is known by its address, the page it links to and its
normalised text, so the same story found on two sources (or posted twice) is reported once, and
each workflow remembers what it has reported (the feed ledger, keys prefixed `social:`).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Awaitable
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

from pydantic import Field, model_validator

from integrations import rss, seen_items
from integrations import social_sources as src
from integrations.base import (
    Action,
    ActionContext,
    ActionError,
    ActionInput,
    ActionOutput,
    RetryableError,
    Risk,
)
from integrations.social_sources import Mention, SourceProblem

Source = Literal["reddit", "hackernews", "mastodon", "bluesky", "rss"]
SOCIAL_SOURCES: list[Source] = ["reddit", "hackernews", "mastodon", "bluesky"]
MIN_TEXT_KEY = 20  # shorter texts ("Great!") are too common to call two posts the same


class MentionsInput(ActionInput):
    """Inputs of social.mentions."""

    keywords: list[str] = Field(min_length=1, max_length=5)
    sources: list[Source] = Field(default_factory=lambda: list(SOCIAL_SOURCES), min_length=1)
    subreddit: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_]{2,21}$")
    hashtags: list[str] = Field(default=[], max_length=5)
    instance: str = Field(default="mastodon.social", pattern=r"^[a-z0-9-]+(?:\.[a-z0-9-]+)+$")
    feeds: list[str] = Field(default=[], max_length=rss.MAX_FEEDS)
    limit: int = Field(default=25, ge=1, le=100)

    @model_validator(mode="after")
    def _check(self) -> MentionsInput:
        self.keywords = [k.strip() for k in self.keywords if k.strip()]
        if not self.keywords:
            raise ValueError("social.mentions needs at least one keyword")
        self.hashtags = [t.strip().lstrip("#") for t in self.hashtags if t.strip().lstrip("#")]
        if "rss" in self.sources and not self.feeds:
            raise ValueError("the rss source needs `feeds`: the addresses of the feeds to read")
        return self

    def active(self) -> list[Source]:
        """The sources to read, without repeats; feeds given means rss is read too."""
        wanted = [*self.sources, *(["rss"] if self.feeds else [])]
        return list(dict.fromkeys(wanted))  # type: ignore[arg-type]

    def tags(self) -> list[str]:
        """The Mastodon hashtags: the ones given, or one per keyword (letters and digits only)."""
        if self.hashtags:
            return self.hashtags
        made = (re.sub(r"[^0-9A-Za-z_]", "", k) for k in self.keywords)
        return list(dict.fromkeys(t for t in made if t))


class MentionsOutput(ActionOutput):
    """The new mentions (newest first), how many, and the sources that could not be read."""

    items: list[Mention]
    count: int
    failed_sources: list[str] = []


def _matches(mention: Mention, keywords: list[str]) -> bool:
    haystack = f"{mention.title}\n{mention.text}".lower()
    return any(k.lower() in haystack for k in keywords)


async def _reddit(ctx: ActionContext, inp: MentionsInput) -> list[Mention]:
    url = src.reddit_url(ctx.settings.reddit_api_base, inp.keywords, inp.subreddit, inp.limit)
    return src.reddit_mentions(await src.get_json(ctx, "reddit", url))


async def _each_keyword(ctx: ActionContext, inp: MentionsInput, source: str) -> list[Mention]:
    found: list[Mention] = []
    for keyword in inp.keywords:
        if source == "hackernews":
            base = ctx.settings.hackernews_api_base
            payload = await src.get_json(ctx, source, src.hackernews_url(base, keyword, inp.limit))
            found += src.hackernews_mentions(payload)
        else:
            base = ctx.settings.bluesky_api_base
            payload = await src.get_json(ctx, source, src.bluesky_url(base, keyword, inp.limit))
            found += src.bluesky_mentions(payload)
    return found


async def _mastodon(ctx: ActionContext, inp: MentionsInput) -> list[Mention]:
    base = ctx.settings.mastodon_api_base or f"https://{inp.instance}"
    found: list[Mention] = []
    for tag in inp.tags():
        payload = await src.get_json(ctx, "mastodon", src.mastodon_url(base, tag, inp.limit))
        found += src.mastodon_mentions(payload)
    # Posts under a tag the step named itself must also mention a keyword.
    return [m for m in found if _matches(m, inp.keywords)] if inp.hashtags else found


async def _feed(ctx: ActionContext, inp: MentionsInput, url: str) -> list[Mention]:
    """The items of one feed that mention a keyword (each feed is read, and fails, alone)."""
    host = urlsplit(url).hostname or url
    try:
        items = await rss.feed_items(ctx, url)
    except RetryableError as exc:
        raise SourceProblem(f"The feed at {host} could not be reached", retryable=True) from exc
    except ActionError as exc:
        status = re.search(r"answered (\d{3})", str(exc))
        why = f" (it answered {status.group(1)})" if status else ""
        why = " (it is not an RSS or Atom feed)" if "not an RSS" in str(exc) else why
        raise SourceProblem(f"The feed at {host} could not be read{why}", retryable=False) from exc
    found: list[Mention] = []
    for item in items:
        text = src.plain_text(item.summary)
        found.append(Mention(
            source="rss", source_name=item.source or "a feed", author=None,
            url=item.link or item.key, title=item.title or src.title_of(text), text=text,
            time=item.published,
        ))  # fmt: skip
    return [m for m in found if _matches(m, inp.keywords)]


def read_source(ctx: ActionContext, inp: MentionsInput, source: Source) -> Awaitable[list[Mention]]:
    """The read of one social site."""
    if source == "reddit":
        return _reddit(ctx, inp)
    if source == "mastodon":
        return _mastodon(ctx, inp)
    return _each_keyword(ctx, inp, source)


_LINK = re.compile(r"(?:https?://)?[\w-]+(?:\.[\w-]+)+/\S*|https?://\S+")
_TRACKING = re.compile(r"^(?:utm_\w+|ref|ref_src|fbclid|gclid)$")


def normal_url(url: str) -> str:
    """An address without scheme, `www.`, tracking parameters, fragment or trailing slash."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k)])
    path = parts.path.rstrip("/")
    return f"{host}{path}" + (f"?{query}" if query else "")


def normal_text(text: str) -> str:
    """Lower-case words of a text, links dropped, so a cross-post compares equal."""
    words = _LINK.sub(" ", text.lower())
    return " ".join(re.findall(r"[^\W_]+", words))


def mention_keys(mention: Mention) -> set[str]:
    """Every key that identifies a mention: its address, its link, its normalised text."""
    keys = {"social:url:" + normal_url(mention.url)}
    if mention.link:
        keys.add("social:url:" + normal_url(mention.link))
    words = normal_text(mention.text or mention.title)
    if len(words) >= MIN_TEXT_KEY:
        keys.add("social:text:" + hashlib.sha256(words.encode()).hexdigest())
    return {k if len(k) <= 500 else "social:sha256:" + hashlib.sha256(k.encode()).hexdigest()
            for k in keys}  # fmt: skip


async def mentions(ctx: ActionContext, inp: MentionsInput) -> MentionsOutput:
    """Read every source, drop repeats across sources and what was reported before."""
    reads = [read_source(ctx, inp, s) for s in inp.active() if s != "rss"]
    reads += [_feed(ctx, inp, url) for url in inp.feeds]
    results = await asyncio.gather(*reads, return_exceptions=True)
    problems: list[str] = []
    found: list[Mention] = []
    for result in results:
        if isinstance(result, SourceProblem):
            problems.append(str(result))
        elif isinstance(result, BaseException):
            raise result
        else:
            found += result
    if len(problems) == len(reads):
        words = "; ".join(problems)
        if any(isinstance(r, SourceProblem) and r.retryable for r in results):
            raise RetryableError(f"No source could be checked: {words}")
        raise ActionError(f"No source could be checked: {words}")
    fresh = await seen_items.unseen(
        ctx,
        found,
        mention_keys,
        "another check of these mentions ran at once",
    )
    fresh.sort(key=lambda m: m.time or "", reverse=True)
    return MentionsOutput(items=fresh, count=len(fresh), failed_sources=problems)


ACTIONS: list[Action[Any, Any]] = [
    Action(
        name="social.mentions",
        description=(
            "New mentions of keywords on Reddit, Hacker News, Mastodon, Bluesky and RSS feeds "
            "(sources, keywords, subreddit, hashtags, instance, feeds), each reported once."
        ),
        risk=Risk.read,
        input_model=MentionsInput,
        output_model=MentionsOutput,
        handler=mentions,
    )
]
