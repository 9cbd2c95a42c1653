"""What a phrase refers to, read without the database: a pronoun, a name, and revival cues.

"it", "that one", "this", "the draft", "the last one" are pronouns: the conversation's most recent
workflow. "the weekly report", "the invoice one" are names. "the rejected weekly report" (or a
verb like "bring back") asks for a rejected or discarded draft explicitly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_POINTING = frozenset(
    {"it", "that", "this", "them", "those", "these", "draft", "same", "last", "latest", "current",
     "one", "the", "my", "our", "workflow", "automation", "just", "you", "made", "shown"}
)  # fmt: skip
_REVIVAL = frozenset({"rejected", "discarded", "declined", "dropped", "cancelled", "canceled"})
# Words that name a part of a workflow, not a workflow ("change the channel to #ops").
_PARTS = frozenset(
    {"channel", "time", "schedule", "timezone", "zone", "day", "days", "email", "emails",
     "recipient", "recipients", "message", "text", "step", "steps", "threshold", "amount",
     "trigger", "subject", "name", "hour", "minute", "frequency"}
)  # fmt: skip


@dataclass(frozen=True)
class Reference:
    """A phrase pointing at a workflow: its naming words ("" for a pronoun) and revival cue."""

    phrase: str
    revive: bool = False

    @property
    def pronoun(self) -> bool:
        """Whether it names nothing ("it", "that one"): the most recent workflow is meant."""
        return not self.phrase


def read_reference(target: str, *, revive: bool = False) -> Reference | None:
    """The reference in a cleaned target phrase; None when it only names a part of a workflow."""
    words = re.findall(r"[\w#@'-]+", target.lower())
    revive = revive or any(w in _REVIVAL for w in words)
    naming = [w for w in words if w not in _POINTING and w not in _REVIVAL]
    if naming and all(w in _PARTS for w in naming):
        return None
    return Reference(" ".join(naming), revive)


def is_exact(phrase: str, name: str, workflow_id: str) -> bool:
    """Whether the phrase is the workflow's exact name or id (an explicit naming)."""
    return phrase.strip().lower() in (name.strip().lower(), workflow_id)
