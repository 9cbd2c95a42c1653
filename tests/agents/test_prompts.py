"""The prompt loader: files in prompts/, placeholders checked both ways, no imports of ours."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import prompts
from prompts import PromptError, load_prompt, placeholders, prompt_names

OURS = ("agents", "bot", "workflows", "integrations", "storage", "accounts", "prompts")


def test_the_drafting_prompts_are_shipped_as_files() -> None:
    names = set(prompt_names())
    expected = {"draft_system", "draft_request", "revise_request", "repair", "submit_draft_tool"}
    assert expected <= names
    assert placeholders("draft_request") == {"request"}
    assert placeholders("revise_request") == {"current", "request"}
    assert placeholders("repair") == {"errors"}
    assert placeholders("draft_system") == {"categories", "triggers", "actions"}


def test_placeholders_are_filled_and_values_are_not_templates() -> None:
    text = load_prompt("draft_request", request="only leads over $1k, costs ${price}")
    assert "only leads over $1k, costs ${price}" in text
    assert "$request" not in text


def test_a_missing_or_unused_variable_is_an_error() -> None:
    with pytest.raises(PromptError, match=r"missing \['request'\]"):
        load_prompt("draft_request")
    with pytest.raises(PromptError, match=r"unused \['extra'\]"):
        load_prompt("draft_request", request="x", extra="y")


@pytest.mark.parametrize("name", ["no_such_prompt", "../README", "Draft_System", ""])
def test_unknown_or_malformed_names_are_refused(name: str) -> None:
    with pytest.raises(PromptError):
        load_prompt(name)


@pytest.mark.parametrize("name", prompt_names())
def test_every_prompt_loads_with_its_own_placeholders(name: str) -> None:
    text = load_prompt(name, **{key: f"<{key}>" for key in placeholders(name)})
    assert text.strip() and all(f"<{key}>" in text for key in placeholders(name))


def test_the_prompts_package_imports_nothing_of_ours() -> None:
    source = Path(prompts.__file__).read_text(encoding="utf-8")
    imported: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            imported.append(node.module or "")
    assert imported and not [m for m in imported if m.split(".")[0] in OURS]
