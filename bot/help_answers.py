"""One Help answer for every front (web Help page, `/levqor support`): the docs passages the
offline search finds, and, when a model is configured, an answer grounded in them that cites
them (None when there is no model or it did not answer sensibly: the passages are quoted)."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.help_search import Passage, search
from agents.help_answer import GroundedAnswer, Source, grounded_answer
from storage.config import Settings


@dataclass(frozen=True)
class HelpAnswer:
    """What a person asked, the passages found, and the model's cited answer if there is one."""

    question: str
    passages: list[Passage]
    grounded: GroundedAnswer | None


async def answer(settings: Settings, question: str) -> HelpAnswer:
    """Search the docs for `question`, then ask the model (if any) to answer from them."""
    question = question.strip()[:300]
    passages = search(question) if question else []
    sources = [Source(p.source, p.text) for p in passages]
    grounded = await grounded_answer(settings, question, sources) if question else None
    return HelpAnswer(question, passages, grounded)
