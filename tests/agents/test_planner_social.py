"""The offline planner drafts social.mentions for Reddit, Hacker News, Mastodon and Bluesky."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from agents.planner import draft
from workflows.describe import Description, describe
from workflows.spec import WorkflowSpec


def words_of(spec: WorkflowSpec) -> Description:
    return describe(spec.model_dump(mode="json", exclude_none=True))


def test_mentions_on_reddit_or_hacker_news_use_social_mentions() -> None:
    raw = draft("tell #marketing when someone mentions acme on reddit or hacker news").workflow
    spec = WorkflowSpec.model_validate(raw)
    assert spec.actions() == ["social.mentions", "slack.post_message"]
    mentions, post = spec.steps
    assert mentions.inputs == {"keywords": ["acme"], "sources": ["reddit", "hackernews"]}
    # No feed to read: the poll only asks the step whether there are new mentions.
    assert spec.trigger.model_dump() == {"type": "poll", "url": None, "interval_seconds": 900}
    assert words_of(spec).trigger == "when new mentions turn up (checked every 15 minutes)"
    assert post.inputs["channel"] == "#marketing"
    assert post.when == f"steps['{mentions.id}'].count > 0"
    assert "item.url" in post.inputs["text"] and "item.source_name" in post.inputs["text"]
    said = words_of(spec).steps[0].text
    assert said == "Look for new mentions of “acme” on Reddit and Hacker News"


def test_feeds_named_beside_social_sites_are_read_by_the_same_step() -> None:
    raw = draft(
        'post new mentions of "acme" on mastodon, bluesky and our blog '
        "https://acme.example/feed.xml to #brand"
    ).workflow
    spec = WorkflowSpec.model_validate(raw)
    assert spec.steps[0].action == "social.mentions"
    assert spec.steps[0].inputs == {
        "keywords": ["acme"],
        "sources": ["mastodon", "bluesky"],
        "feeds": ["https://acme.example/feed.xml"],
    }
    assert spec.trigger.model_dump() == {
        "type": "poll",
        "url": "https://acme.example/feed.xml",
        "interval_seconds": 900,
    }


def test_a_feed_address_alone_stays_an_rss_watch() -> None:
    raw = draft("watch https://blog.example.com/feed.xml for posts mentioning acme, post to #ops")
    spec = WorkflowSpec.model_validate(raw.workflow)
    assert "rss.new_items" in spec.actions() and "social.mentions" not in spec.actions()


def test_a_poll_needs_a_feed_or_a_mentions_step() -> None:
    with pytest.raises(ValidationError, match="a poll needs a feed address or a mentions step"):
        WorkflowSpec.model_validate({
            "name": "x", "trigger": {"type": "poll"},
            "steps": [{"id": "a", "action": "slack.post_message",
                       "inputs": {"channel": "#a", "text": "hi"}}],
        })  # fmt: skip
