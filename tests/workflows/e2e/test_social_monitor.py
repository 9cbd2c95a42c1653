"""Social monitor: RSS and Atom feeds, Reddit, Hacker News, Mastodon and Bluesky → keyword matches
→ deduped across sources → one Slack digest per poll."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from agents.planner import draft
from integrations.catalog import default_registry
from storage.config import Settings
from storage.models import Role
from tests.bot.conftest import Live, live  # noqa: F401
from tests.conftest import make_settings
from tests.fakes.http_server import LoopbackServer, serve_app
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401
from tests.fakes.social_apis import (
    SocialApis,
    hn_story,
    reddit_post,
    serve_social_apis,
    skeet,
    toot,
)
from workflows.spec import WorkflowSpec


@dataclass
class Feeds:
    """Items per feed, served live: (id, title, link, summary)."""

    server: LoopbackServer | None = None
    items: dict[str, list[tuple[str, str, str, str]]] = field(default_factory=dict)

    def url(self, name: str) -> str:
        assert self.server is not None
        return f"{self.server.url}/{name}"


def rss(title: str, items: list[tuple[str, str, str, str]]) -> str:
    entries = "".join(
        f"<item><guid>{i}</guid><title>{t}</title><link>{link}</link>"
        f"<description>{s}</description></item>"
        for i, t, link, s in items
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel>'
    return f"{head}<title>{title}</title>{entries}</channel></rss>"


def atom(title: str, items: list[tuple[str, str, str, str]]) -> str:
    entries = "".join(
        f'<entry><id>{i}</id><title>{t}</title><link href="{link}"/>'
        f"<updated>2025-06-02T09:00:00Z</updated><summary>{s}</summary></entry>"
        for i, t, link, s in items
    )
    head = '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
    meta = f"<title>{title}</title><id>urn:{title}</id><updated>2025-06-02T09:00:00Z</updated>"
    return f"{head}{meta}{entries}</feed>"


@pytest.fixture
def feeds() -> Iterator[Feeds]:
    state = Feeds()
    state.items = {
        "mastodon": [
            ("tag:social.example,2025:1", "Loving my new Acme kettle", "https://social.example/@ann/1",
             "Boils in a minute"),
            ("tag:social.example,2025:2", "Lunch photos", "https://social.example/@ann/2", "Soup"),
        ],
        "reddit": [
            ("t3_aaa", "Acme vs the rest?", "https://reddit.example/r/kitchen/aaa", "Thoughts?"),
            ("t3_bbb", "Crosspost: kettle love", "https://social.example/@ann/1", "Acme kettle"),
        ],
        "blog": [("post-9", "Weekly roundup", "https://blog.example/9", "ACME launches v2 today")],
    }  # fmt: skip

    async def feed(request: Request) -> Response:
        name = request.path_params["name"]
        if name == "mastodon":
            return Response(
                atom("Mastodon @ann", state.items[name]), media_type="application/atom+xml"
            )
        title = {"reddit": "r/kitchen", "blog": "Kitchen Blog"}[name]
        return Response(rss(title, state.items[name]), media_type="application/rss+xml")

    with serve_app(Starlette(routes=[Route("/{name}", feed)])) as server:
        state.server = server
        yield state


@pytest.fixture
def social() -> Iterator[SocialApis]:
    yield from serve_social_apis()


@pytest.fixture
def settings(
    tmp_path: Path,
    database_url: str,
    fake_slack: FakeSlack,  # noqa: F811
    social: SocialApis,
) -> Settings:
    return make_settings(
        tmp_path, database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake_slack.url, **social.env()
    )


async def approved(app: Live, body: dict[str, Any]) -> Any:
    """Create a workflow as an admin and approve it as the owner."""
    created = await app.as_(Role.admin).post("/api/workflows", json=body)
    assert created.status_code == 201, created.text
    approval = created.json()["approval"]["id"]
    result = await app.as_(Role.owner).post(f"/api/approvals/{approval}/approve")
    assert result.status_code == 200 and result.json()["status"] == "active", result.text
    return result.json()


def digests(fake: FakeSlack) -> list[str]:
    return [c.args["text"] for c in fake.calls("chat.postMessage") if c.args["channel"] == "#brand"]


async def test_several_feeds_one_digest_per_poll_deduped(
    live: Live,  # noqa: F811
    fake_slack: FakeSlack,  # noqa: F811
    feeds: Feeds,
) -> None:
    # A digest fed by one rss.new_items step watching three feeds.
    digest = {
        "id": "digest",
        "action": "slack.post_message",
        "when": "steps['items'].count > 0",
        "inputs": {
            "channel": "#brand",
            "text": "{{ steps['items'].count }} new mention(s):\n{% for item in steps['items']"
            "['items'] %}• <{{ item.link }}|{{ item.title }}> ({{ item.source | default('feed', "
            "true) }})\n{% endfor %}",
        },
    }
    spec = {
        "name": "Brand mentions",
        "trigger": {"type": "interval", "seconds": 900},
        "steps": [
            {"id": "items", "action": "rss.new_items", "inputs": {
                "urls": [feeds.url("mastodon"), feeds.url("reddit"), feeds.url("blog")],
                "keywords": ["acme"]}},
            digest,
        ],
    }  # fmt: skip
    workflow = await approved(live, {"spec": spec})
    await live.runtime.fire(workflow["id"])
    assert digests(fake_slack) == [
        "3 new mention(s):\n"
        "• <https://social.example/@ann/1|Loving my new Acme kettle> (Mastodon @ann)\n"
        "• <https://reddit.example/r/kitchen/aaa|Acme vs the rest?> (r/kitchen)\n"
        "• <https://blog.example/9|Weekly roundup> (Kitchen Blog)\n"
    ]
    fake_slack.reset()
    await live.runtime.fire(workflow["id"])  # nothing new: the run posts nothing
    assert digests(fake_slack) == []

    # New posts: one matching, one matching but already seen by link, one not matching.
    feeds.items["reddit"].append(
        ("t3_ccc", "Acme kettle review", "https://reddit.example/r/kitchen/ccc", "5 stars")
    )
    feeds.items["blog"].append(
        ("post-10", "Acme repost", "https://reddit.example/r/kitchen/aaa", "")
    )
    feeds.items["mastodon"].append(
        ("tag:social.example,2025:3", "Rain", "https://social.example/3", "")
    )
    await live.runtime.fire(workflow["id"])
    assert digests(fake_slack) == [
        "1 new mention(s):\n"
        "• <https://reddit.example/r/kitchen/ccc|Acme kettle review> (r/kitchen)\n"
    ]
    runs = (await live.as_().get("/api/runs", params={"workflow_id": workflow["id"]})).json()
    assert [r["status"] for r in runs] == ["succeeded"] * 3


async def test_template_watches_the_feed_and_social_sites_and_posts_only_news(
    live: Live,  # noqa: F811
    fake_slack: FakeSlack,  # noqa: F811
    feeds: Feeds,
    social: SocialApis,
) -> None:
    social.hackernews.append(
        hn_story("4200001", "Acme kettles are back", url="https://social.example/@ann/1",
                 when="2026-12-03T10:00:00")
    )  # fmt: skip
    social.bluesky.append(
        skeet("3k1", "Just bought an Acme kettle and it is lovely", when="2026-12-03T09:00:00")
    )
    social.mastodon.append(toot("77", "<p>Kettle day #acme</p>", tags=["acme"],
                                when="2026-12-03T08:00:00"))  # fmt: skip
    social.broken["reddit"] = "429"
    params = {"feed_url": feeds.url("reddit"), "keywords": ["acme", "kettle"], "channel": "#brand"}
    workflow = await approved(live, {"template_id": "social-media-monitor", "params": params})
    await live.runtime.fire(workflow["id"])  # the poll sees news and starts a run
    # The feed's crosspost links the same page as the Hacker News story: reported once.
    assert digests(fake_slack) == [
        "4 new mention(s):\n"
        "• <https://news.ycombinator.com/item?id=4200001|Acme kettles are back> "
        "(Hacker News, pg_fan)\n"
        "• <https://bsky.app/profile/bob.bsky.social/post/3k1|Just bought an Acme kettle and it "
        "is lovely> (Bluesky, bob.bsky.social)\n"
        "• <https://social.example/@ann/77|Kettle day #acme> (Mastodon, ann@social.example)\n"
        "• <https://reddit.example/r/kitchen/aaa|Acme vs the rest?> (r/kitchen)\n"
        "Not checked this time: Reddit is limiting requests (too many requests)."
    ]
    await live.runtime.fire(workflow["id"])  # nothing new anywhere: no run at all
    runs = (await live.as_().get("/api/runs", params={"workflow_id": workflow["id"]})).json()
    assert len(runs) == 1 and runs[0]["status"] == "succeeded" and len(digests(fake_slack)) == 1

    # Only a social site has news (the feed has none): the poll still starts a run.
    social.broken.clear()
    social.reddit.append(reddit_post("k9", "Acme kettle review", author="tea_fan",
                                     when="2026-12-03T11:00:00"))  # fmt: skip
    fake_slack.reset()
    await live.runtime.fire(workflow["id"])
    assert digests(fake_slack) == [
        "1 new mention(s):\n"
        "• <https://www.reddit.com/r/smallbusiness/comments/k9/acme_kettle_review/|Acme kettle "
        "review> (Reddit, tea_fan)\n"
    ]
    assert social.requests[-1][3].startswith("Levqor/")


def test_social_monitor_is_draftable() -> None:
    spec = WorkflowSpec.model_validate(
        draft(
            "watch https://www.reddit.com/r/smallbusiness/.rss for posts mentioning acme "
            "and post a digest to #marketing"
        ).workflow
    )
    assert spec.trigger.type == "poll" and "rss.new_items" in spec.actions()
    assert set(spec.integrations()) == {"rss", "slack"}
    assert all(action in default_registry() for action in spec.actions())


async def test_drafted_reddit_and_hacker_news_watch_runs_only_on_news(
    live: Live,  # noqa: F811
    fake_slack: FakeSlack,  # noqa: F811
    social: SocialApis,
) -> None:
    raw = draft("tell #brand when someone mentions acme on reddit or hacker news").workflow
    social.reddit.append(reddit_post("p1", "Acme fixed our sink", author="sam",
                                     when="2026-12-03T10:00:00"))  # fmt: skip
    social.hackernews.append(hn_story("5", "Acme raises a seed round", author="dang",
                                      when="2026-12-03T09:00:00"))  # fmt: skip
    social.bluesky.append(skeet("z", "Acme on Bluesky is not asked for"))
    workflow = await approved(live, {"spec": raw})
    await live.runtime.fire(workflow["id"])  # the interval trigger looks first: news, a run
    assert digests(fake_slack) == [
        "2 new mention(s):\n"
        "• <https://www.reddit.com/r/smallbusiness/comments/p1/acme_fixed_our_sink/|Acme fixed our "
        "sink> (Reddit)\n"
        "• <https://news.ycombinator.com/item?id=5|Acme raises a seed round> (Hacker News)\n"
    ]
    assert social.asked("bluesky") == [] and social.asked("mastodon") == []
    await live.runtime.fire(workflow["id"])  # nothing new: no run, so no plan quota used
    runs = (await live.as_().get("/api/runs", params={"workflow_id": workflow["id"]})).json()
    assert [r["status"] for r in runs] == ["succeeded"]


async def test_a_watch_nothing_can_read_fails_in_words_and_a_passing_outage_waits(
    live: Live,  # noqa: F811
    fake_slack: FakeSlack,  # noqa: F811
    social: SocialApis,
) -> None:
    raw = draft("tell #brand when someone mentions acme on bluesky").workflow
    assert raw is not None and raw["trigger"] == {"type": "poll", "interval_seconds": 900}
    workflow = await approved(live, {"spec": raw})
    social.bluesky.append(skeet("q", "Acme again"))
    social.broken["bluesky"] = "503"  # a passing outage: no run, the next poll tries again
    await live.runtime.fire(workflow["id"])
    runs = (await live.as_().get("/api/runs", params={"workflow_id": workflow["id"]})).json()
    assert runs == [] and len(social.asked("bluesky")) == 1

    social.broken["bluesky"] = "403"  # refused for good: a run fails and says why
    await live.runtime.fire(workflow["id"])
    runs = (await live.as_().get("/api/runs", params={"workflow_id": workflow["id"]})).json()
    assert [r["status"] for r in runs] == ["failed"]
    run = (await live.as_().get(f"/api/runs/{runs[0]['id']}")).json()
    errors = [s.get("error") for s in run["steps"] if s.get("error")]
    assert errors and "Bluesky refused the search (it answered 403)" in errors[0]
    assert digests(fake_slack) == []
