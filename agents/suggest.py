"""Options for a vague request ("help me with my leads"): the closest templates, in plain words.

Each template is indexed once per process by the light stems of its name, tags, `ask`, category
and description (a word counts with the weight of the strongest place it appears), weighted by how
rare the word is across templates. A request scores each template by its own words, plus a few
close words at half weight ("invoices" also looks for "payment"). Deterministic, offline, and well
under a millisecond per request.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from workflows.catalog import Template, TemplateCatalog
from workflows.words import stem, stems

_STOP = frozenset(
    {
        "a", "about", "all", "an", "and", "any", "are", "as", "at", "automate", "automatic",
        "automatically", "be", "better", "by", "can", "could", "deal", "do", "doing", "easier",
        "for",
        "from", "get", "getting", "handle", "help", "how", "i", "in", "into", "is", "it", "its",
        "just", "keep", "let", "manage", "me", "more", "my", "need", "of", "on", "or", "our", "out",
        "please", "set", "so", "some", "something", "sort", "stuff", "that", "the", "their", "them",
        "these", "things", "this", "to", "up", "us", "want", "way", "we", "what", "with", "work",
        "you", "your",
    }
)  # fmt: skip
_CLOSE = {
    "invoice": ("payment", "stripe", "overdue"),
    "billing": ("invoice", "payment", "stripe"),
    "payment": ("stripe", "invoice"),
    "money": ("payment", "revenue"),
    "revenue": ("payment", "report"),
    "lead": ("form", "crm"),
    "prospect": ("lead", "crm"),
    "enquiry": ("lead", "form"),
    "inquiry": ("lead", "email"),
    "client": ("customer",),
    "customer": ("client",),
    "feedback": ("survey", "review", "sentiment"),
    "review": ("feedback",),
    "complaint": ("feedback", "support"),
    "support": ("ticket", "help"),
    "ticket": ("support",),
    "report": ("summary", "digest"),
    "summary": ("report",),
    "number": ("metric", "report"),
    "sales": ("deal", "lead", "payment"),
    "signup": ("onboarding", "lead"),
    "onboard": ("onboarding", "welcome"),
    "website": ("form", "uptime"),
    "eye": ("monitor", "uptime", "watch"),
    "watch": ("monitor", "alert"),
    "down": ("uptime", "alert"),
    "late": ("overdue", "reminder"),
    "chasing": ("overdue", "reminder", "invoice"),
    "chase": ("overdue", "reminder", "invoice"),
    "spreadsheet": ("sheet",),
    "meeting": ("reminder", "standup"),
    "social": ("rss", "monitor"),
}
_CLOSE_STEMS = {stem(word): close for word, close in _CLOSE.items()}
_FIELDS = (("name", 3.0), ("tags", 2.0), ("ask", 2.0), ("category", 1.5), ("description", 1.0))


@dataclass(frozen=True)
class _Entry:
    """One template's words, each with the weight of the strongest field it appears in."""

    template_id: str
    option: str
    weights: dict[str, float]


def _fields(template: Template) -> dict[str, str]:
    return {
        "name": template.name,
        "tags": " ".join(template.tags),
        "ask": template.ask or "",
        "category": template.category.replace("_", " "),
        "description": template.description,
    }


def option_text(template: Template) -> str:
    """A template as one short option: its `ask`, else its description's first sentence."""
    return template.ask or template.description.split(". ")[0].rstrip(".")


@lru_cache(maxsize=1)
def _index() -> tuple[tuple[_Entry, ...], dict[str, float]]:
    """Entries for every template and each word's rarity (idf), built once."""
    entries = []
    for template in TemplateCatalog.load().list():
        texts, weights = _fields(template), dict[str, float]()
        for field, weight in _FIELDS:
            for word in stems(texts[field], _STOP):
                weights[word] = max(weights.get(word, 0.0), weight)
        entries.append(_Entry(template.id, option_text(template), weights))
    count = len(entries)
    seen: dict[str, int] = {}
    for entry in entries:
        for word in entry.weights:
            seen[word] = seen.get(word, 0) + 1
    rarity = {word: math.log(1 + count / n) for word, n in seen.items()}
    return tuple(entries), rarity


def _request_words(text: str) -> dict[str, float]:
    """The request's stems (weight 1) and their close words (weight 0.5)."""
    own = stems(text, _STOP)
    words = dict.fromkeys(own, 1.0)
    for word in own:
        for close in _CLOSE_STEMS.get(word, ()):
            words.setdefault(stem(close), 0.5)
    return words


def suggest_from_templates(text: str, limit: int = 3) -> list[str]:
    """Up to `limit` options for `text`, best first: short requests drawn from the templates."""
    entries, rarity = _index()
    words = _request_words(text)
    scored = []
    for entry in entries:
        score = sum(
            factor * entry.weights[word] * rarity[word]
            for word, factor in words.items()
            if word in entry.weights
        )
        if score > 0:
            scored.append((-score, entry.template_id, entry.option))
    return [option for _, _, option in sorted(scored)[:limit]]
