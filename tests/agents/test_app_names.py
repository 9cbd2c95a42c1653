"""App names learned from templates: which node types are apps, the words people type for them,
and the planner reaching a corpus-named app (no hand-written rule for it) over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from agents.learned.app_names import apps_pattern, count_apps, shipped_app_names, spoken
from agents.planner import draft
from bot.cli.drafter import register


def _snapshot(root: Path, templates: dict[str, list[str]]) -> Path:
    folder = root / "src" / "data" / "workflows"
    folder.mkdir(parents=True)
    for template_id, types in templates.items():
        nodes = [{"name": t, "type": t} for t in types]
        data = {"id": int(template_id), "title": f"T{template_id}", "nodeDetails": nodes}
        (folder / f"{template_id}.json").write_text(json.dumps(data), encoding="utf-8")
    return root


def test_type_names_become_the_words_people_type() -> None:
    assert spoken("googleDrive") == "google drive"
    assert spoken("whatsApp") == "whatsapp"
    assert spoken("facebookGraphApi") == "facebook"
    assert spoken("awsS3") == "aws s3"


def test_only_outside_products_count_and_each_template_once(tmp_path: Path) -> None:
    root = _snapshot(
        tmp_path,
        {
            "1": ["n8n-nodes-base.telegramTrigger", "n8n-nodes-base.telegram",
                  "n8n-nodes-base.slack", "n8n-nodes-base.code"],
            "2": ["n8n-nodes-base.googleDrive", "n8n-nodes-base.gmail",
                  "n8n-nodes-base.stickyNote", "n8n-nodes-base.scheduleTrigger"],
            "3": ["n8n-nodes-base.telegram", "@n8n/n8n-nodes-langchain.agent",
                  "n8n-nodes-base.linear"],
        },
    )  # fmt: skip
    counts = count_apps([root])
    assert counts == {"telegram": 2, "google drive": 1}


def test_the_command_writes_apps_used_by_three_templates(tmp_path: Path) -> None:
    root = _snapshot(
        tmp_path / "snap",
        {str(i): ["n8n-nodes-base.airtable"] + (["n8n-nodes-base.todoist"] if i < 2 else [])
         for i in range(1, 4)},
    )  # fmt: skip
    out = tmp_path / "apps.json"
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, ["corpus", "apps", "--from", str(root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert [a["name"] for a in json.loads(out.read_text())["apps"]] == ["airtable"]


def test_the_pattern_matches_with_or_without_the_space() -> None:
    import re

    pattern = apps_pattern(["google drive", "click up"])
    assert re.search(pattern, "save it to googledrive")
    assert re.search(pattern, "a task in clickup")
    assert not re.search(pattern, "click the button")


def test_the_shipped_table_names_the_apps_real_workflows_use() -> None:
    names = set(shipped_app_names())
    assert {"telegram", "google drive", "postgres", "airtable", "notion"} <= names
    assert not {"linear", "close", "code", "reddit"} & names


def test_a_corpus_named_app_is_read_over_http() -> None:
    result = draft(
        "every night at 2am copy yesterday's orders from our postgres into the Orders sheet"
    )
    assert result.workflow is not None
    steps = result.workflow["steps"]
    reads = [s for s in steps if s["action"] == "http.request"]
    assert reads and reads[0]["inputs"]["method"] == "GET"
    assert "postgres" in reads[0]["inputs"]["url"]


def test_every_app_of_the_node_catalogue_is_listed_even_without_templates(tmp_path: Path) -> None:
    package = tmp_path / "package.json"
    nodes = [
        "dist/nodes/SentryIo/SentryIo.node.js",
        "dist/nodes/Wufoo/WufooTrigger.node.js",
        "dist/nodes/Mautic/Mautic.node.js",
        "dist/nodes/Set/Set.node.js",
        "dist/nodes/Slack/Slack.node.js",
        "dist/nodes/Segment/Segment.node.js",
    ]
    package.write_text(json.dumps({"name": "n8n-nodes-base", "n8n": {"nodes": nodes}}))
    out = tmp_path / "apps.json"
    app = typer.Typer()
    register(app)
    root = _snapshot(tmp_path / "snap", {str(i): ["n8n-nodes-base.airtable"] for i in range(1, 4)})
    args = ["corpus", "apps", "--from", str(root), "--nodes", str(package), "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    apps = json.loads(out.read_text())["apps"]
    assert apps[0] == {"name": "airtable", "templates": 3}
    names = [a["name"] for a in apps]
    # The shipped template counts are kept; the catalogue adds its apps (utilities, nodes mapped
    # to our own integrations such as Mautic → crm, and everyday words like "segment" are not).
    assert names == ["airtable", "sentry", "wufoo"]
    assert not {"set", "slack", "segment", "mautic"} & set(names)


def test_a_package_json_without_nodes_is_a_clear_error(tmp_path: Path) -> None:
    package = tmp_path / "package.json"
    package.write_text('{"name": "left-pad"}')
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(
        app, ["corpus", "apps", "--nodes", str(package), "--out", str(tmp_path / "a.json")]
    )
    assert result.exit_code == 1
    assert "is not a node package's package.json" in result.output
    assert not (tmp_path / "a.json").exists()


def test_a_catalogue_app_no_template_used_is_read_over_http() -> None:
    result = draft("every week post the number of new issues from sentry in #eng")
    assert result.workflow is not None
    reads = [s for s in result.workflow["steps"] if s["action"] == "http.request"]
    assert reads and "sentry" in reads[0]["inputs"]["url"]


def _selfhosted(root: Path, entries: list[dict[str, object]]) -> Path:
    folder = root / "software"
    folder.mkdir(parents=True)
    for number, entry in enumerate(entries):
        lines = [f"name: {entry['name']}", f"stargazers_count: {entry.get('stars', 1000)}"]
        lines += [f"archived: {str(entry.get('archived', False)).lower()}", "tags:"]
        lines += [f"  - {tag}" for tag in entry.get("tags", ["Time Tracking"])]  # type: ignore[attr-defined]
        (folder / f"app{number}.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def test_self_hosted_business_apps_are_added_leaving_everyday_words_out(tmp_path: Path) -> None:
    snapshot = _selfhosted(
        tmp_path / "selfhosted",
        [
            {"name": "Kimai"},
            {"name": "Zammad", "tags": ["Ticketing"]},
            {"name": "Odoo Community Edition", "tags": ["Resource Planning"]},
            {"name": "Tasker", "tags": ["Task Management & To-do Lists"]},  # an everyday word
            {"name": "Plane", "tags": ["Software Development - Project Management"]},  # listed
            {"name": "Tinytool", "stars": 12},  # too few stars
            {"name": "Oldtool", "archived": True},
            {"name": "Photoapp", "tags": ["Photo Galleries"]},  # not a business tag
        ],
    )
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        "".join(
            json.dumps({"text": text}) + "\n"
            for text in ("Send the tasker report", "a tasker can log hours", "Kimai to Slack")
        )
    )
    out = tmp_path / "apps.json"
    app = typer.Typer()
    register(app)
    args = ["corpus", "apps", "--selfhosted", str(snapshot), "--corpus", str(corpus)]
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    names = {a["name"] for a in json.loads(out.read_text())["apps"]}
    assert {"kimai", "zammad", "odoo"} <= names
    assert not {"tasker", "plane", "tinytool", "oldtool", "photoapp"} & names
    assert set(shipped_app_names()) <= names  # the shipped table is kept, names only added
    without_corpus = CliRunner().invoke(app, ["corpus", "apps", "--selfhosted", str(snapshot)])
    assert without_corpus.exit_code == 1
    assert "--corpus" in without_corpus.output


def test_a_self_hosted_app_is_read_over_http() -> None:
    result = draft("every monday email me last week's hours per person, it's all in kimai")
    assert result.workflow is not None
    reads = [s for s in result.workflow["steps"] if s["action"] == "http.request"]
    assert reads and "kimai" in reads[0]["inputs"]["url"]
