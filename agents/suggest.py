"""Concrete automations to offer when a request is vague, drawn from the workflow templates."""

from __future__ import annotations

import re
from functools import lru_cache

from workflows.catalog import Template, TemplateCatalog

_WORD = re.compile(r"[a-z]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "our",
        "my",
        "your",
        "to",
        "of",
        "for",
        "in",
        "on",
        "with",
        "me",
        "us",
        "it",
        "is",
        "are",
        "be",
    ]
)


def suggest_from_templates(text: str, limit: int = 3) -> list[str]:
    """Up to `limit` short options ("Weekly new leads digest: …") best matching `text`."""
    words = {_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP}
    scored = sorted(
        ((-_overlap(words, template), template.id, template) for template in _templates()),
        key=lambda row: row[:2],
    )
    return [_option(t) for score, _, t in scored[:limit] if score < 0]


@lru_cache(maxsize=1)
def _templates() -> tuple[Template, ...]:
    catalog = TemplateCatalog.load()
    return tuple(catalog.get(i) for i in catalog.ids())


def _overlap(words: set[str], template: Template) -> int:
    tags = {_stem(w) for tag in template.tags for w in _WORD.findall(tag.lower())}
    name = {_stem(w) for w in _WORD.findall(template.name.lower())}
    about = {_stem(w) for w in _WORD.findall(template.description.lower())}
    return 3 * len(words & tags) + 2 * len(words & name) + len(words & about)


def _stem(word: str) -> str:
    for ending in ("ing", "es", "s"):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            return word[: -len(ending)]
    return word


def _option(template: Template) -> str:
    return template.name
