"""Tools nobody listed are recognised by where they stand and by not being everyday words."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from agents.learned.vocabulary import build_words, is_everyday_word
from agents.planner import draft
from agents.planner.text import normalise
from agents.planner.unknown_apps import unknown_apps
from bot.cli.drafter import register

app = typer.Typer()
register(app)


def _steps(result: Any) -> list[dict[str, Any]]:
    return list((result.workflow or {}).get("steps", []))


@pytest.mark.parametrize(
    ("request_text", "name"),
    [
        ("every friday at 5 email me the open tickets in helpzy", "helpzy"),
        ("when someone is moved to done on our plonkit board, tell #team", "plonkit"),
        ("when camwatchr detects motion at the back door, email me", "camwatchr"),
        ("push each new signup into our own fleetzy instance", "fleetzy"),
    ],
)
def test_a_product_name_in_a_tools_place_is_read_as_a_tool(request_text: str, name: str) -> None:
    assert unknown_apps(normalise(request_text), []) == [name]


@pytest.mark.parametrize(
    "request_text",
    [
        "every friday email me the new orders in our shop",  # an everyday word
        "when a member books the cargo bike, email them the pickup time",
        "log each new row in the deliveries sheet on the rota board",
        "every monday post the open issues in jira to #dev",  # a tool already listed
        "when a deal closes in hubspot, post it in #sales",  # an integration of our own
        "jeden Montag schicke die offenen Rechnungen aus lexware an buchhaltung",  # not English
    ],
)
def test_everyday_words_listed_tools_and_other_languages_are_no_new_tool(
    request_text: str,
) -> None:
    text = normalise(request_text)
    assert unknown_apps(text, []) == []


def test_the_shipped_word_list_knows_everyday_words_and_not_product_names() -> None:
    for word in ("invoice", "bike", "depot", "volunteers", "onboarding", "customer's"):
        assert is_everyday_word(word), word
    for word in ("traccar", "zoneminder", "teslamate", "helpzy"):
        assert not is_everyday_word(word), word


def test_a_tool_nobody_listed_is_read_and_written_over_http_with_an_address_to_fill_in() -> None:
    read = draft("every friday at 5 email me the open tickets in helpzy")
    fetch = [s for s in _steps(read) if s["action"] == "http.request"]
    assert fetch and fetch[0]["inputs"] == {"method": "GET", "url": "https://api.helpzy.example/v1"}
    made = draft("/ticket in slack should open a new ticket in helpzy with the message")
    sent = [s for s in _steps(made) if s["action"] == "http.request"]
    assert sent and sent[0]["inputs"]["method"] == "POST"
    assert made.approval_class == "B"  # a record written in another tool


def test_one_of_our_things_doing_something_is_the_event_that_starts_it() -> None:
    """ "when one of our vans leaves the depot geofence in traccar" was started by hand: "one"
    was taken for a pronoun ("when one arrives")."""
    result = draft("when one of our trucks leaves the yard in fleetzy, email dispatch@acme.com")
    assert (result.workflow or {})["trigger"]["type"] == "webhook"
    pronoun = draft("when one arrives, forward it to me")
    assert (pronoun.workflow or {})["trigger"]["type"] != "webhook"


def test_corpus_words_builds_the_list_from_a_ranked_list_and_the_corpus(tmp_path: Path) -> None:
    ranked = tmp_path / "ranked.txt"
    ranked.write_text("the\nbike\nx\ninvoice\n", encoding="utf-8")
    corpus = tmp_path / "corpus.jsonl"
    lines = [{"text": "Send the webhook to Slack"}, {"text": "a webhook and an onboarding flow"}]
    corpus.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    out = tmp_path / "words.txt.gz"
    runner = CliRunner()
    args = ["corpus", "words", "--ranked", str(ranked), "--corpus", str(corpus), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    words = gzip.decompress(out.read_bytes()).decode().split()
    # ranked words of three letters or more, and corpus words written in lower case twice
    assert words == ["bike", "invoice", "the", "webhook"]
    first = out.read_bytes()
    assert runner.invoke(app, args).exit_code == 0
    assert out.read_bytes() == first  # same words, same bytes
    missing = runner.invoke(app, [*args[:3], str(tmp_path / "none.txt"), *args[4:]])
    assert missing.exit_code == 1 and "cannot be read" in missing.output


def test_build_words_keeps_only_the_ranked_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from agents.learned import vocabulary

    monkeypatch.setattr(vocabulary, "RANKED_LIMIT", 2)
    # the third-ranked word is past the limit; the corpus still adds words it writes twice
    assert build_words(["gamma", "alpha", "beta"], ["beta beta"]) == ["alpha", "beta", "gamma"]
    assert build_words(["gamma", "alpha", "beta"], ["beta"]) == ["alpha", "gamma"]
