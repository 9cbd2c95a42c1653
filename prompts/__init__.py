"""Prompt texts as files (`prompts/<name>.md`) and their loader; imports nothing of ours.

Placeholders are `$name` (string.Template); `$$` is a literal dollar sign. Every placeholder must be
given and every given variable must be used, so a renamed placeholder fails loudly in tests.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from string import Template

__all__ = ["PromptError", "load_prompt", "prompt_names"]

_DIR = Path(__file__).resolve().parent
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class PromptError(LookupError):
    """An unknown prompt, or variables that do not match its placeholders."""


def prompt_names() -> list[str]:
    """Every prompt shipped in this package, sorted."""
    return sorted(path.stem for path in _DIR.glob("*.md"))


def load_prompt(name: str, **variables: str) -> str:
    """The prompt `name` with its `$placeholders` filled from `variables`."""
    template = _template(name)
    wanted = placeholders(name)
    missing, unused = wanted - variables.keys(), variables.keys() - wanted
    if missing or unused:
        raise PromptError(
            f"prompt {name!r}: missing {sorted(missing)}, unused {sorted(unused)}"
            f" (placeholders: {sorted(wanted)})"
        )
    return template.substitute(variables)


def placeholders(name: str) -> set[str]:
    """The placeholder names the prompt `name` uses."""
    return set(_template(name).get_identifiers())


@cache
def _template(name: str) -> Template:
    if not _NAME.match(name):
        raise PromptError(f"bad prompt name {name!r} (lower case letters, digits, underscores)")
    path = _DIR / f"{name}.md"
    if not path.is_file():
        raise PromptError(f"no prompt {name!r}; known prompts: {', '.join(prompt_names())}")
    template = Template(path.read_text(encoding="utf-8"))
    if not template.is_valid():
        raise PromptError(f"prompt {name!r} has a malformed placeholder (write $$ for a dollar)")
    return template
