"""Request-like variants of template titles: short, lower-case, phrased as someone asking."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from agents.learned.dataset import Labelled

_OPENERS = (
    "",
    "can you ",
    "i want to ",
    "please ",
    "we need to ",
    "set up something to ",
    "could you ",
    "help me ",
    "i'd like to ",
    "pls ",
)
_LEADING = re.compile(r"^(automate[sd]?|automatic(ally)?|auto-?|build|create) ", re.IGNORECASE)


def request_like(title: str, rng: random.Random) -> str:
    """One request-like phrasing of a template title."""
    text = title.split(". ", 1)[0]
    text = re.sub(r"[|:]+", " ", text).strip()
    text = _LEADING.sub("", text) if rng.random() < 0.5 else text
    text = text.lower() if rng.random() < 0.7 else text
    return (rng.choice(_OPENERS) + text).strip()


def augment(examples: Sequence[Labelled], seed: int, weight: float = 1.0) -> list[Labelled]:
    """The examples plus one request-like title variant of each corpus example."""
    rng = random.Random(seed)
    extra = [
        Labelled(request_like(e.text, rng), e.trigger, e.integrations, e.group, weight * e.weight)
        for e in examples
    ]
    return [*examples, *extra]
