"""Local fakes of the public search APIs social.mentions reads, each on its own loopback port.

Reddit `/search.json` and `/r/{sub}/search.json` (a Listing of `t3` things), Hacker News Algolia
`/api/v1/search_by_date` (`hits`), Mastodon `/api/v1/timelines/tag/{tag}` (a list of Statuses) and
Bluesky `/xrpc/app.bsky.feed.searchPosts` (`posts` of PostViews), in the shapes the real services
answer with. Each filters its posts by the query the way the real one does (roughly), records the
requests it got, and can be broken on purpose (`broken[api] = "429" | "500" | "403" | "json"`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.http_server import LoopbackServer, serve_app

APIS = ("reddit", "hackernews", "mastodon", "bluesky")
ENV = {
    "reddit": "LEVQOR_REDDIT_API_BASE",
    "hackernews": "LEVQOR_HACKERNEWS_API_BASE",
    "mastodon": "LEVQOR_MASTODON_API_BASE",
    "bluesky": "LEVQOR_BLUESKY_API_BASE",
}


def _epoch(when: str) -> float:
    return datetime.fromisoformat(when).replace(tzinfo=UTC).timestamp()


def reddit_post(
    post_id: str, title: str, *, author: str = "someone", selftext: str = "",
    url: str | None = None, subreddit: str = "smallbusiness", when: str = "2026-12-03T09:00:00",
) -> dict[str, Any]:  # fmt: skip
    """A Reddit link (`url`) or self post, as `data` of a `t3` thing."""
    slug = re.sub(r"\W+", "_", title.lower())[:40]
    permalink = f"/r/{subreddit}/comments/{post_id}/{slug}/"
    return {
        "id": post_id, "name": f"t3_{post_id}", "title": title, "selftext": selftext,
        "author": author, "subreddit": subreddit, "permalink": permalink,
        "url": url or f"https://www.reddit.com{permalink}", "is_self": url is None,
        "created_utc": _epoch(when), "score": 3, "num_comments": 1,
    }  # fmt: skip


def hn_story(
    object_id: str, title: str, *, url: str | None = None, author: str = "pg_fan",
    text: str | None = None, when: str = "2026-12-03T09:00:00",
) -> dict[str, Any]:  # fmt: skip
    """A Hacker News story hit."""
    return {
        "objectID": object_id, "title": title, "url": url, "author": author,
        "story_text": text, "comment_text": None, "story_id": int(object_id),
        "story_title": None, "story_url": None, "parent_id": None, "points": 5,
        "num_comments": 0, "created_at": when + ".000Z", "created_at_i": int(_epoch(when)),
        "_tags": ["story", f"author_{author}", f"story_{object_id}"],
    }  # fmt: skip


def hn_comment(
    object_id: str, html: str, *, story_title: str, story_id: str = "4100000",
    author: str = "commenter", when: str = "2026-12-03T09:00:00",
) -> dict[str, Any]:  # fmt: skip
    """A Hacker News comment hit (its text is HTML)."""
    return {
        "objectID": object_id, "title": None, "url": None, "author": author,
        "story_text": None, "comment_text": html, "story_id": int(story_id),
        "story_title": story_title, "story_url": None, "parent_id": int(story_id),
        "points": None, "num_comments": None, "created_at": when + ".000Z",
        "created_at_i": int(_epoch(when)),
        "_tags": ["comment", f"author_{author}", f"story_{story_id}"],
    }  # fmt: skip


def toot(
    status_id: str, html: str, *, acct: str = "ann@social.example", tags: list[str],
    when: str = "2026-12-03T09:00:00", card_url: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """A Mastodon Status with its hashtags."""
    user, _, host = acct.partition("@")
    host = host or "mastodon.social"
    return {
        "id": status_id, "created_at": when + ".000Z", "visibility": "public",
        "uri": f"https://{host}/users/{user}/statuses/{status_id}",
        "url": f"https://{host}/@{user}/{status_id}", "content": html, "spoiler_text": "",
        "reblog": None, "language": "en",
        "account": {"id": "1", "username": user, "acct": acct, "display_name": user.title(),
                    "url": f"https://{host}/@{user}"},
        "tags": [{"name": t, "url": f"https://{host}/tags/{t}"} for t in tags],
        "card": {"url": card_url, "title": "A page"} if card_url else None,
    }  # fmt: skip


def skeet(
    rkey: str, text: str, *, handle: str = "bob.bsky.social", when: str = "2026-12-03T09:00:00",
    external: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """A Bluesky PostView (app.bsky.feed.defs#postView) with its record."""
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post", "text": text, "createdAt": when + ".000Z", "langs": ["en"],
    }  # fmt: skip
    if external:
        record["embed"] = {
            "$type": "app.bsky.embed.external",
            "external": {"uri": external, "title": "A page", "description": ""},
        }
    return {
        "uri": f"at://did:plc:{handle.split('.')[0]}123/app.bsky.feed.post/{rkey}",
        "cid": f"bafyrei{rkey}", "indexedAt": when + ".000Z", "record": record,
        "author": {"did": f"did:plc:{handle.split('.')[0]}123", "handle": handle,
                   "displayName": handle.split(".")[0].title()},
        "replyCount": 0, "repostCount": 0, "likeCount": 1,
    }  # fmt: skip


@dataclass
class SocialApis:
    """The four fakes' posts, breakages and the requests they got."""

    reddit: list[dict[str, Any]] = field(default_factory=list)
    hackernews: list[dict[str, Any]] = field(default_factory=list)
    mastodon: list[dict[str, Any]] = field(default_factory=list)
    bluesky: list[dict[str, Any]] = field(default_factory=list)
    broken: dict[str, str] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str], str]] = field(default_factory=list)
    servers: dict[str, LoopbackServer] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        """The settings that point social.mentions at these fakes."""
        return {ENV[api]: server.url for api, server in self.servers.items()}

    def asked(self, api: str) -> list[dict[str, str]]:
        """The query parameters of each request one fake got."""
        return [query for name, _, query, _ in self.requests if name == api]

    def _broken(self, api: str) -> Response | None:
        how = self.broken.get(api)
        if how == "json":
            return Response("<html>Service temporarily unavailable</html>", 200,
                            media_type="application/json")  # fmt: skip
        if how:
            return JSONResponse({"error": "nope", "message": "refused"}, int(how))
        return None

    def _record(self, api: str, request: Request) -> None:
        ua = request.headers.get("user-agent", "")
        self.requests.append((api, request.url.path, dict(request.query_params), ua))

    async def reddit_search(self, request: Request) -> Response:
        self._record("reddit", request)
        if (broken := self._broken("reddit")) is not None:
            return broken
        terms = [t.lower() for t in re.findall(r'"([^"]+)"', request.query_params.get("q", ""))]
        sub = request.path_params.get("sub")
        posts = [
            p for p in self.reddit
            if any(t in f"{p['title']} {p['selftext']}".lower() for t in terms)
            and (sub is None or p["subreddit"] == sub)
        ]  # fmt: skip
        posts.sort(key=lambda p: -p["created_utc"])
        children = [{"kind": "t3", "data": p} for p in posts]
        listing = {"after": None, "before": None, "dist": len(children), "children": children}
        return JSONResponse({"kind": "Listing", "data": listing})

    async def hn_search(self, request: Request) -> Response:
        self._record("hackernews", request)
        if (broken := self._broken("hackernews")) is not None:
            return broken
        query = request.query_params.get("query", "").lower()
        tags = request.query_params.get("tags", "").strip("()").split(",")
        hits = [
            h for h in self.hackernews
            if query in " ".join(str(h.get(k) or "") for k in
                                 ("title", "story_text", "comment_text")).lower()
            and set(tags) & set(h["_tags"])
        ]  # fmt: skip
        hits.sort(key=lambda h: -h["created_at_i"])
        return JSONResponse({"hits": hits, "nbHits": len(hits), "page": 0, "nbPages": 1,
                             "hitsPerPage": 20, "query": query})  # fmt: skip

    async def mastodon_tag(self, request: Request) -> Response:
        self._record("mastodon", request)
        if (broken := self._broken("mastodon")) is not None:
            return broken
        tag = request.path_params["tag"].lower()
        statuses = [s for s in self.mastodon if tag in {t["name"].lower() for t in s["tags"]}]
        return JSONResponse(sorted(statuses, key=lambda s: s["created_at"], reverse=True))

    async def bluesky_search(self, request: Request) -> Response:
        self._record("bluesky", request)
        if (broken := self._broken("bluesky")) is not None:
            return broken
        q = request.query_params.get("q", "").lower()
        if not q:
            return JSONResponse({"error": "InvalidRequest", "message": "q is required"}, 400)
        posts = [p for p in self.bluesky if q in p["record"]["text"].lower()]
        posts.sort(key=lambda p: p["indexedAt"], reverse=True)
        return JSONResponse({"posts": posts, "hitsTotal": len(posts)})

    def apps(self) -> dict[str, Starlette]:
        """One ASGI app per API."""
        return {
            "reddit": Starlette(routes=[
                Route("/search.json", self.reddit_search),
                Route("/r/{sub}/search.json", self.reddit_search),
            ]),
            "hackernews": Starlette(routes=[Route("/api/v1/search_by_date", self.hn_search)]),
            "mastodon": Starlette(routes=[
                Route("/api/v1/timelines/tag/{tag}", self.mastodon_tag)
            ]),
            "bluesky": Starlette(routes=[
                Route("/xrpc/app.bsky.feed.searchPosts", self.bluesky_search)
            ]),
        }  # fmt: skip


def serve_social_apis() -> Iterator[SocialApis]:
    """Start the four fakes (a generator for a pytest fixture)."""
    state = SocialApis()
    with ExitStack() as stack:
        for api, app in state.apps().items():
            state.servers[api] = stack.enter_context(serve_app(app))
        yield state
