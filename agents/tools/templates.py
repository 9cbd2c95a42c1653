"""Template tools: browse by category or words, and pick one to start a draft from."""

from __future__ import annotations

import re

from workflows.catalog import Template, TemplateCatalog
from workflows.spec import CATEGORIES

_CATEGORY_WORDS = {
    "reporting": "reporting", "reports": "reporting", "report": "reporting",
    "lead": "lead_capture", "leads": "lead_capture", "support": "customer_support",
    "sync": "data_sync", "notifications": "notifications", "alerts": "notifications",
    "sales": "sales_automation",
}  # fmt: skip
_FILLER = {"the", "a", "an", "one", "template", "templates", "workflow", "please", "me", "my"}


def browse(query: str) -> tuple[str | None, list[Template]]:
    """Templates matching a phrase: a category word narrows, other words must match."""
    catalog = TemplateCatalog.load()
    words = [w for w in re.findall(r"[a-z0-9_-]+", query.lower()) if w not in _FILLER]
    category = next((_CATEGORY_WORDS[w] for w in words if w in _CATEGORY_WORDS), None)
    category = category or next((w for w in words if w in CATEGORIES), None)
    rest = [w for w in words if w not in _CATEGORY_WORDS and w not in CATEGORIES]
    found = catalog.list(category=category, query=" ".join(rest)) if rest else []
    if not found:
        found = catalog.list(category=category)
    return category, found


def pick(query: str) -> Template | None:
    """The template a phrase names best ("the invoice follow-up"), or None."""
    catalog = TemplateCatalog.load()
    words = {w for w in re.findall(r"[a-z0-9]+", query.lower()) if w not in _FILLER}
    if not words:
        return None
    best: tuple[int, Template] | None = None
    for template in catalog.list():
        name = set(re.findall(r"[a-z0-9]+", f"{template.id} {template.name}".lower()))
        score = len(words & name) * 2 + len(words & {t.lower() for t in template.tags})
        if score and (best is None or score > best[0]):
            best = (score, template)
    return best[1] if best else None


def required_params(template: Template) -> list[str]:
    """The parameters a template cannot fill from defaults."""
    return [name for name, param in template.parameters.items() if param.required]
