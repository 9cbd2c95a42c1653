"""`levqor corpus build` on snapshot-shaped fixtures: labels, overview text, dedupe, exclusions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from bot.cli.drafter import register

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "learned"


def _cli() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def _build(tmp_path: Path, *args: str) -> tuple[int, str, list[dict[str, Any]]]:
    out = tmp_path / "corpus.jsonl"
    result = CliRunner().invoke(_cli(), ["corpus", "build", *args, "--out", str(out)])
    lines = out.read_text(encoding="utf-8").splitlines() if out.exists() else []
    return result.exit_code, result.output, [json.loads(line) for line in lines]


def test_build_labels_both_mirror_layouts_and_the_catalogue(tmp_path: Path) -> None:
    code, output, rows = _build(
        tmp_path,
        "--from", str(FIXTURES / "mirror_a"),
        "--from", str(FIXTURES / "mirror_b"),
        "--from", str(FIXTURES / "catalogue"),
    )  # fmt: skip
    assert code == 0, output
    by_id = {(r["source"], r["source_id"]): r for r in rows}
    assert set(by_id) == {
        ("n8n-gallery", "101"),
        ("n8n-gallery", "202"),
        ("n8n-gallery", "303"),
        ("automatisch", "slack/actions/send-message"),
        ("automatisch", "gmail/triggers/new-email"),
    }
    mail = by_id[("n8n-gallery", "101")]
    assert mail["text"].startswith(
        "Reply to support mail with AI. Every new message in the support"
    )
    assert "Setup" not in mail["text"] and "banner" not in mail["text"]
    assert (mail["trigger"], mail["integrations"]) == ("email", ["email", "ai"])
    weekly = by_id[("n8n-gallery", "202")]
    assert weekly["text"].startswith("Post weekly revenue to Slack. Each Monday morning")
    assert (weekly["trigger"], weekly["integrations"]) == (
        "schedule",
        ["slack", "stripe", "report"],
    )
    refunds = by_id[("n8n-gallery", "303")]  # a manual trigger loses to the real one
    assert (refunds["trigger"], refunds["integrations"]) == ("stripe", ["sheets", "stripe"])
    action = by_id[("automatisch", "slack/actions/send-message")]
    assert (action["trigger"], action["integrations"]) == (None, ["slack"])
    assert action["text"] == "Send a message to channel. Posts a message in the channel you pick."
    inbound = by_id[("automatisch", "gmail/triggers/new-email")]
    assert (inbound["trigger"], inbound["integrations"]) == ("email", ["email"])
    assert "wrote 5 examples" in output


def test_a_template_in_two_mirrors_appears_once(tmp_path: Path) -> None:
    code, _, rows = _build(
        tmp_path, "--from", str(FIXTURES / "mirror_b"), "--from", str(FIXTURES / "mirror_a")
    )
    assert code == 0
    ids = [r["source_id"] for r in rows]
    assert sorted(ids) == ["101", "202", "303"]


def test_exclusions_leave_out_the_templates_named_in_source(tmp_path: Path) -> None:
    code, output, rows = _build(
        tmp_path,
        "--from", str(FIXTURES / "mirror_a"),
        "--from", str(FIXTURES / "mirror_b"),
        "--exclude-source-ids", str(FIXTURES / "exclusions.jsonl"),
    )  # fmt: skip
    assert code == 0, output
    assert sorted(r["source_id"] for r in rows) == ["101", "303"]
    assert "1 excluded" in output


def test_a_missing_exclusion_file_is_an_error_not_a_silent_leak(tmp_path: Path) -> None:
    code, output, rows = _build(
        tmp_path,
        "--from", str(FIXTURES / "mirror_a"),
        "--exclude-source-ids", str(tmp_path / "nope.jsonl"),
    )  # fmt: skip
    assert code != 0 and rows == []
    assert "does not exist" in output


def test_numbered_workflow_collections_are_refused(tmp_path: Path) -> None:
    code, output, rows = _build(tmp_path, "--from", str(FIXTURES / "numbered"))
    assert code != 0 and rows == []
    assert "numbered workflow files" in output
