"""social.mentions against local fakes of Reddit, Hacker News, Mastodon and Bluesky (and a feed)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from integrations.base import ActionContext, ActionError, RetryableError, Risk
from integrations.catalog import default_registry
from integrations.social import MentionsOutput
from integrations.social_sources import USER_AGENT
from storage.config import Settings
from storage.models import Workflow, Workspace
from tests.conftest import make_settings
from tests.fakes.http_server import LoopbackServer, free_port, serve_app
from tests.fakes.social_apis import (
    SocialApis,
    hn_comment,
    hn_story,
    reddit_post,
    serve_social_apis,
    skeet,
    toot,
)
from workflows.catalog import TemplateCatalog
from workflows.describe import describe

MENTIONS = default_registry().get("social.mentions")

BLOG = """<?xml version="1.0"?><rss version="2.0"><channel><title>Acme news</title>
<item><guid>n-1</guid><title>Acme opens in Leeds</title>
<link>https://blog.acme.example/leeds?utm_source=rss</link>
<description>&lt;p&gt;Acme's new shop&lt;/p&gt;</description>
<pubDate>Thu, 03 Dec 2026 08:00:00 GMT</pubDate></item>
<item><guid>n-2</guid><title>Weather</title><link>https://blog.acme.example/w</link>
<description>Rain</description></item>
</channel></rss>"""


@pytest.fixture
def apis() -> Iterator[SocialApis]:
    yield from serve_social_apis()


@pytest.fixture(scope="module")
def blog() -> Iterator[LoopbackServer]:
    async def feed(request: Request) -> Response:
        return Response(BLOG, media_type="application/rss+xml")

    async def gone(request: Request) -> Response:
        return Response("<html>not a feed", media_type="text/html")

    routes = [Route("/feed.xml", feed), Route("/gone.xml", gone)]
    with serve_app(Starlette(routes=routes)) as running:
        yield running


@pytest.fixture
def settings(tmp_path: Path, database_url: str, apis: SocialApis) -> Settings:
    return make_settings(tmp_path, database_url, **apis.env())


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False) as http:
        yield http


async def _ctx(settings: Settings, sessions: async_sessionmaker[AsyncSession], ws: Workspace,
               http: httpx.AsyncClient, dry_run: bool = False) -> ActionContext:  # fmt: skip
    async with sessions() as session:
        wf = Workflow(workspace_id=ws.id, name="Brand watch", webhook_secret="s")
        session.add(wf)
        await session.commit()
    return ActionContext(
        settings=settings, sessions=sessions, http=http,
        workspace_id=ws.id, workflow_id=wf.id, run_id="r", step_id="mentions",
        idempotency_key="r:mentions", dry_run=dry_run,
    )  # fmt: skip


def _seen(out: MentionsOutput) -> list[tuple[str, str | None, str, str]]:
    return [(m.source, m.author, m.url, m.title) for m in out.items]


async def test_each_source_is_read_and_parsed(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace,
    apis: SocialApis, client: httpx.AsyncClient,
) -> None:  # fmt: skip
    assert MENTIONS.risk == Risk.read
    apis.reddit += [
        reddit_post("abc1", "Anyone used Acme plumbing?", author="leaky_tap",
                    selftext="Thinking of calling Acme", when="2026-12-03T10:00:00"),
        reddit_post("abc2", "Best kettles 2026", selftext="no brands named"),
    ]  # fmt: skip
    apis.hackernews += [
        hn_story("4200001", "Show HN: Acme, plumbing scheduling", url="https://acme.example/hn",
                 when="2026-12-03T09:30:00"),
        hn_comment("4200002", "<p>We switched to <i>Acme</i> &amp; never looked back</p>",
                   story_title="Ask HN: Plumbing software?", when="2026-12-03T09:20:00"),
    ]  # fmt: skip
    apis.mastodon += [
        toot("111", '<p>Fixed in a day by <a href="https://mastodon.social/tags/acme">#<span>acme'
             "</span></a></p>", acct="ann@social.example", tags=["acme"],
             when="2026-12-03T09:10:00"),
        toot("112", "<p>Soup</p>", tags=["lunch"]),
    ]  # fmt: skip
    apis.bluesky += [
        skeet("3kabc", "Acme sent a plumber in 20 minutes, wow", handle="bob.bsky.social",
              when="2026-12-03T09:00:00"),
    ]  # fmt: skip
    ctx = await _ctx(settings, sessions, workspace, client)
    out = await MENTIONS.run(ctx, {"keywords": ["acme"]})
    assert out.failed_sources == []
    assert _seen(out) == [  # newest first, every source
        ("reddit", "leaky_tap",
         "https://www.reddit.com/r/smallbusiness/comments/abc1/anyone_used_acme_plumbing_/",
         "Anyone used Acme plumbing?"),
        ("hackernews", "pg_fan", "https://news.ycombinator.com/item?id=4200001",
         "Show HN: Acme, plumbing scheduling"),
        ("hackernews", "commenter", "https://news.ycombinator.com/item?id=4200002",
         "Comment on “Ask HN: Plumbing software?”"),
        ("mastodon", "ann@social.example", "https://social.example/@ann/111",
         "Fixed in a day by #acme"),
        ("bluesky", "bob.bsky.social", "https://bsky.app/profile/bob.bsky.social/post/3kabc",
         "Acme sent a plumber in 20 minutes, wow"),
    ]  # fmt: skip
    by_url = {m.url: m for m in out.items}
    comment = by_url["https://news.ycombinator.com/item?id=4200002"]
    assert comment.text == "We switched to Acme & never looked back"
    assert by_url["https://news.ycombinator.com/item?id=4200001"].link == "https://acme.example/hn"
    assert out.items[0].time == "2026-12-03T10:00:00+00:00" and out.items[0].link is None
    assert out.items[0].source_name == "Reddit" and out.count == 5

    # The requests the real APIs expect: Reddit wants a User-Agent and takes OR; HN's tags in
    # parentheses mean story OR comment; Mastodon reads the keyword's hashtag.
    [reddit] = [r for r in apis.requests if r[0] == "reddit"]
    assert reddit[1] == "/search.json" and reddit[3] == USER_AGENT
    assert reddit[2]["q"] == '"acme"' and reddit[2]["sort"] == "new"
    assert apis.asked("hackernews")[0]["tags"] == "(story,comment)"
    assert apis.asked("bluesky")[0] == {"q": "acme", "sort": "latest", "limit": "25"}
    assert [r[1] for r in apis.requests if r[0] == "mastodon"] == ["/api/v1/timelines/tag/acme"]


async def test_options_subreddit_hashtags_and_sources(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace,
    apis: SocialApis, client: httpx.AsyncClient,
) -> None:  # fmt: skip
    apis.reddit += [
        reddit_post("r1", "Acme in Leeds", subreddit="leeds"),
        reddit_post("r2", "Acme elsewhere", subreddit="plumbing"),
    ]
    apis.mastodon += [
        toot("1", "<p>New plumber in town: Acme</p>", tags=["plumbing"]),
        toot("2", "<p>Leaking again</p>", tags=["plumbing"]),
    ]
    ctx = await _ctx(settings, sessions, workspace, client)
    out = await MENTIONS.run(ctx, {
        "keywords": ["acme", "acme plumbing"], "sources": ["reddit", "mastodon"],
        "subreddit": "leeds", "hashtags": ["#plumbing"],
    })  # fmt: skip
    assert [m.title for m in out.items] == ["Acme in Leeds", "New plumber in town: Acme"]
    assert apis.asked("reddit")[0]["q"] == '"acme" OR "acme plumbing"'
    assert apis.asked("reddit")[0]["restrict_sr"] == "1"
    assert apis.asked("hackernews") == [] and apis.asked("bluesky") == []
    with pytest.raises(ValueError, match="keyword"):
        await MENTIONS.run(ctx, {"keywords": [" "]})
    with pytest.raises(ValueError, match="feeds"):
        await MENTIONS.run(ctx, {"keywords": ["acme"], "sources": ["rss"]})


async def test_the_same_story_on_several_sources_is_reported_once(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace,
    apis: SocialApis, client: httpx.AsyncClient, blog: LoopbackServer,
) -> None:  # fmt: skip
    # One article shared on Reddit, Hacker News and the blog's own feed (different tracking
    # parameters, www and a trailing slash); one text cross-posted to Mastodon and Bluesky.
    apis.reddit.append(reddit_post("x1", "Acme opens in Leeds!",
                                   url="https://www.blog.acme.example/leeds/"))  # fmt: skip
    shared = "https://blog.acme.example/leeds?utm_campaign=hn"
    apis.hackernews.append(hn_story("4300001", "Acme opens a shop in Leeds", url=shared))
    cross = "Big news: Acme is now in Leeds, come and say hello https://acme.example/x"
    apis.mastodon.append(toot("9", f"<p>{cross}</p>", tags=["acme"]))
    apis.bluesky.append(skeet("3kx", cross.replace("https://acme.example/x", "acme.example/x")))
    ctx = await _ctx(settings, sessions, workspace, client)
    out = await MENTIONS.run(ctx, {"keywords": ["acme"], "feeds": [f"{blog.url}/feed.xml"]})
    assert out.count == 2 and out.failed_sources == []
    # The first source named wins: Reddit before Hacker News and the feed, Mastodon before Bluesky.
    assert {m.source for m in out.items} == {"reddit", "mastodon"}

    # The feed's own item comes back when the other sources no longer carry the article, but it
    # was remembered with them: nothing is new.
    apis.reddit.clear()
    apis.hackernews.clear()
    again = await MENTIONS.run(ctx, {"keywords": ["acme"], "feeds": [f"{blog.url}/feed.xml"]})
    assert again.count == 0


async def test_only_new_mentions_since_the_last_run(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace,
    apis: SocialApis, client: httpx.AsyncClient, blog: LoopbackServer,
) -> None:  # fmt: skip
    apis.hackernews.append(hn_story("1", "Acme raises prices"))
    apis.bluesky.append(skeet("a1", "Acme was great today, thanks to the whole team"))
    inputs = {"keywords": ["acme"], "sources": ["hackernews", "bluesky", "rss"],
              "feeds": [f"{blog.url}/feed.xml"]}  # fmt: skip
    dry = await _ctx(settings, sessions, workspace, client, dry_run=True)
    assert (await MENTIONS.run(dry, inputs)).count == 3  # a dry run remembers nothing
    assert (await MENTIONS.run(dry, inputs)).count == 3
    ctx = await _ctx(settings, sessions, workspace, client)
    first = await MENTIONS.run(ctx, inputs)
    assert sorted(m.title for m in first.items) == [
        "Acme opens in Leeds",
        "Acme raises prices",
        "Acme was great today, thanks to the whole team",
    ]
    feed_item = next(m for m in first.items if m.source == "rss")
    assert feed_item.source_name == "Acme news" and feed_item.text == "Acme's new shop"
    assert (await MENTIONS.run(ctx, inputs)).count == 0
    apis.bluesky.append(skeet("a2", "Acme again, still great", when="2026-12-03T11:00:00"))
    later = await MENTIONS.run(ctx, inputs)
    assert [m.url for m in later.items] == ["https://bsky.app/profile/bob.bsky.social/post/a2"]
    other = await _ctx(settings, sessions, workspace, client)  # another workflow: its own memory
    assert (await MENTIONS.run(other, inputs)).count == 4


async def test_one_source_down_keeps_the_others_and_says_which(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace,
    apis: SocialApis, client: httpx.AsyncClient,
) -> None:  # fmt: skip
    apis.mastodon.append(toot("5", "<p>Acme rocks</p>", tags=["acme"]))
    apis.reddit.append(reddit_post("z", "Acme on Reddit"))
    apis.hackernews.append(hn_story("7", "Acme on HN"))
    apis.bluesky.append(skeet("b", "Acme on Bluesky"))
    apis.broken.update(reddit="429", hackernews="json", bluesky="403")
    ctx = await _ctx(settings, sessions, workspace, client)
    out = await MENTIONS.run(ctx, {"keywords": ["acme"]})
    assert [m.title for m in out.items] == ["Acme rocks"]
    assert out.failed_sources == [
        "Reddit is limiting requests (too many requests)",
        "Hacker News sent an answer that is not the search results Levqor expects",
        "Bluesky refused the search (it answered 403); it may not allow searching without an "
        "account from this server",
    ]
    # The ones that failed are read again next time: nothing of theirs was remembered.
    apis.broken.clear()
    again = await MENTIONS.run(ctx, {"keywords": ["acme"]})
    titles = sorted(m.title for m in again.items)
    assert titles == ["Acme on Bluesky", "Acme on HN", "Acme on Reddit"]

    # Nothing could be checked: the step fails (a retry may help), in words.
    apis.broken.update(reddit="500", hackernews="500", bluesky="500")
    down = make_settings(settings.data_dir, settings.database_url, **{
        **apis.env(), "LEVQOR_MASTODON_API_BASE": f"http://127.0.0.1:{free_port()}"})  # fmt: skip
    ctx.settings = down
    with pytest.raises(RetryableError) as failed:
        await MENTIONS.run(ctx, {"keywords": ["acme"]})
    assert str(failed.value) == (
        "No source could be checked: Reddit had a problem on its side (500); Hacker News had a "
        "problem on its side (500); Mastodon could not be reached; Bluesky had a problem on its "
        "side (500)"
    )
    apis.broken.update(reddit="403", hackernews="404", bluesky="401")
    with pytest.raises(ActionError, match=r"^No source could be checked: Reddit refused"):
        await MENTIONS.run(ctx, {"keywords": ["acme"], "sources": ["reddit", "bluesky"]})


def test_the_step_and_the_template_in_plain_words() -> None:
    template = TemplateCatalog.load().instantiate(
        "social-media-monitor",
        {"feed_url": "https://news.example.com/rss", "keywords": ["acme", "acme plumbing"]},
    )
    spec = template.model_dump(mode="json", exclude_none=True)
    described = describe(spec)
    assert described.steps[0].text == (
        "Look for new mentions of “acme” or “acme plumbing” on Reddit, Hacker News, Mastodon, "
        "Bluesky and news.example.com"
    )
    inputs = {"keywords": ["acme"], "sources": ["reddit"], "subreddit": "leeds"}
    one = {"name": "x", "trigger": {"type": "manual"},
           "steps": [{"id": "m", "action": "social.mentions", "inputs": inputs}]}  # fmt: skip
    assert describe(one).steps[0].text == "Look for new mentions of “acme” on Reddit (r/leeds)"
    # Its sample (for cards and "Try it") fills the digest the template posts.
    [message] = [s.message for s in described.steps if s.message is not None]
    assert message.body.startswith("2 new mention(s):\n• <https://www.reddit.com/r/")
    assert "(Hacker News, pg_fan)" in message.body and "{{" not in message.body


async def test_a_feed_that_cannot_be_read_is_named_and_the_rest_arrive(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace,
    apis: SocialApis, client: httpx.AsyncClient, blog: LoopbackServer,
) -> None:  # fmt: skip
    ctx = await _ctx(settings, sessions, workspace, client)
    feeds = [f"{blog.url}/feed.xml", f"{blog.url}/gone.xml", f"{blog.url}/missing.xml"]
    out = await MENTIONS.run(ctx, {"keywords": ["acme"], "sources": ["rss"], "feeds": feeds})
    assert [m.title for m in out.items] == ["Acme opens in Leeds"]
    assert out.failed_sources == [
        "The feed at 127.0.0.1 could not be read (it is not an RSS or Atom feed)",
        "The feed at 127.0.0.1 could not be read (it answered 404)",
    ]
