"""Social monitor: RSS and Atom feeds → keyword matches → deduped → one Slack digest per poll."""

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
from workflows.catalog import TemplateCatalog
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
def settings(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> Settings:  # noqa: F811
    return make_settings(
        tmp_path, database_url, SLACK_BOT_TOKEN=TOKEN, SLACK_API_URL=fake_slack.url
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
    # The template's digest step, fed by one rss.new_items step watching three feeds.
    template = TemplateCatalog.load().instantiate(
        "social-media-monitor", {"feed_url": feeds.url("blog"), "channel": "#brand"}
    )
    digest = next(s for s in template.steps if s.id == "digest").model_dump(exclude_none=True)
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


async def test_template_polls_one_feed_and_posts_only_news(
    live: Live,  # noqa: F811
    fake_slack: FakeSlack,  # noqa: F811
    feeds: Feeds,
) -> None:
    params = {"feed_url": feeds.url("reddit"), "keywords": ["acme", "kettle"], "channel": "#brand"}
    workflow = await approved(live, {"template_id": "social-media-monitor", "params": params})
    await live.runtime.fire(workflow["id"])  # the poll trigger sees news and starts a run
    assert digests(fake_slack) == [
        "2 new mention(s):\n"
        "• <https://reddit.example/r/kitchen/aaa|Acme vs the rest?> (r/kitchen)\n"
        "• <https://social.example/@ann/1|Crosspost: kettle love> (r/kitchen)\n"
    ]
    await live.runtime.fire(workflow["id"])  # nothing new: no run at all
    runs = (await live.as_().get("/api/runs", params={"workflow_id": workflow["id"]})).json()
    assert len(runs) == 1 and runs[0]["status"] == "succeeded" and len(digests(fake_slack)) == 1


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
