"""Which workflows a person means by a phrase: one set of rules for Slack and the assistant.

In order, the first rule that matches anything wins:
1. the exact id;
2. the exact name (any case);
3. an id prefix of 4 or more characters (what `/levqor list` shows);
4. the phrase inside a name ("weekly" → "Weekly report");
5. the names sharing the most words with the phrase, compared by light stems ("pause the lead
   reports" → "Lead report to Slack"; the words "the", "it", "workflow" and the like do not count);
6. failing that, the same count over the words of the request each was drafted from (`about`,
   where the item carries it): "the monday one" → "Weekly report", asked "every Monday at 9 …".
Archived workflows are left out unless nothing else matches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from storage.models import Workflow, WorkflowStatus
from storage.scope import Tenant
from workflows import service
from workflows.words import stems

QUOTES = "`\"'\u201c\u201d\u2018\u2019"
FILLER = frozenset(
    {"a", "an", "the", "my", "our", "it", "that", "this", "them", "workflow", "workflows", "one"}
)


class Named(Protocol):
    """Anything with an id, a name and a status (a stored workflow, or a draft in a chat)."""

    @property
    def id(self) -> str:
        """Its id."""
        ...

    @property
    def name(self) -> str:
        """Its name."""
        ...

    @property
    def status(self) -> WorkflowStatus:
        """Where it is in its life."""
        ...


NamedT = TypeVar("NamedT", bound=Named)


def _words(text: str) -> set[str]:
    return stems(text, FILLER)


def _live(found: list[NamedT]) -> list[NamedT]:
    return [w for w in found if w.status != WorkflowStatus.archived] or found


def rank_matches(items: Sequence[NamedT], phrase: str) -> list[NamedT]:
    """The items `phrase` names by the rules above (empty when none; several when ambiguous)."""
    ref = phrase.strip().strip(QUOTES)
    if not ref:
        return []
    wanted = ref.lower()
    rules: tuple[Callable[[NamedT], bool], ...] = (
        lambda w: w.id == ref,
        lambda w: w.name.lower() == wanted,
        lambda w: len(wanted) >= 4 and w.id.startswith(wanted),
        lambda w: wanted in w.name.lower(),
    )
    for rule in rules:
        found = [w for w in items if rule(w)]
        if found:
            return _live(found)
    words = _words(ref)
    if not words:
        return []
    for text in (lambda w: w.name, lambda w: str(getattr(w, "about", "") or "")):
        scored = [(len(words & _words(text(w))), w) for w in items]
        best = max((score for score, _ in scored), default=0)
        if best > 0:
            return _live([w for score, w in scored if score == best])
    return []


async def match_workflows(tenant: Tenant, phrase: str) -> list[Workflow]:
    """The workflows `phrase` names (empty when none; several when it is ambiguous)."""
    ref = phrase.strip().strip(QUOTES)
    if not ref:
        return []
    exact = await tenant.get(Workflow, ref)
    if exact is not None:
        return [exact]
    return rank_matches(await service.list_workflows(tenant), ref)
