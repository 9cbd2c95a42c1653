"""Which workflows a person means by a phrase: one set of rules for Slack and the assistant.

In order, the first rule that matches anything wins:
1. the exact id;
2. the exact name (any case);
3. an id prefix of 4 or more characters (what `/levqor list` shows);
4. the phrase inside a name ("weekly" → "Weekly report");
5. the names sharing the most words with the phrase ("pause the lead report" → "Lead report to
   Slack"; the words "the", "it", "workflow" and the like do not count).
Archived workflows are left out unless nothing else matches.
"""

from __future__ import annotations

import re

from storage.models import Workflow, WorkflowStatus
from storage.scope import Tenant
from workflows import service

QUOTES = "`\"'\u201c\u201d\u2018\u2019"
_FILLER = frozenset(
    {"a", "an", "the", "my", "our", "it", "that", "this", "them", "workflow", "workflows", "one"}
)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower())) - _FILLER


def _live(workflows: list[Workflow]) -> list[Workflow]:
    return [w for w in workflows if w.status != WorkflowStatus.archived] or workflows


async def match_workflows(tenant: Tenant, phrase: str) -> list[Workflow]:
    """The workflows `phrase` names (empty when none; several when it is ambiguous)."""
    ref = phrase.strip().strip(QUOTES)
    if not ref:
        return []
    exact = await tenant.get(Workflow, ref)
    if exact is not None:
        return [exact]
    workflows = await service.list_workflows(tenant)
    wanted = ref.lower()
    rules = (
        lambda w: w.name.lower() == wanted,
        lambda w: len(wanted) >= 4 and w.id.startswith(wanted),
        lambda w: wanted in w.name.lower(),
    )
    for rule in rules:
        found = [w for w in workflows if rule(w)]
        if found:
            return _live(found)
    words = _words(ref)
    if not words:
        return []
    scored = [(len(words & _words(w.name)), w) for w in workflows]
    best = max((score for score, _ in scored), default=0)
    return _live([w for score, w in scored if score == best and best > 0])
