"""Help from the docs, offline: a search over `docs/*.md` that answers with the passages
themselves (quoted, with where they come from), best match first."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"
_WORD = re.compile(r"[a-z0-9]+")
STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "how",
        "i",
        "in",
        "is",
        "it",
        "my",
        "of",
        "on",
        "or",
        "the",
        "this",
        "to",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
    ]
)


@dataclass(frozen=True)
class Passage:
    """One paragraph of the docs, under its page and section."""

    page: str  # the file name, e.g. "data-lifecycle.md"
    section: str
    text: str

    @property
    def source(self) -> str:
        """Where it comes from, for citing."""
        return f"{self.page}, {self.section}" if self.section else self.page


def words(text: str) -> list[str]:
    """The searchable words of a text."""
    return [w for w in _WORD.findall(text.lower()) if w not in STOP]


def split_passages(page: str, markdown: str) -> list[Passage]:
    """A page's paragraphs (lists and code blocks kept whole), each under its heading."""
    passages: list[Passage] = []
    section = ""
    for block in re.split(r"\n\s*\n", markdown):
        block = block.strip()
        if not block:
            continue
        if block.startswith("#"):
            heading, _, rest = block.partition("\n")
            section = heading.lstrip("#").strip()
            block = rest.strip()
            if not block:
                continue
        passages.append(Passage(page, section, block))
    return passages


@lru_cache(maxsize=4)
def _index(folder: Path) -> tuple[list[Passage], list[Counter[str]], dict[str, int]]:
    passages = [
        p for f in sorted(folder.glob("*.md")) for p in split_passages(f.name, f.read_text())
    ]
    counts = [Counter(words(f"{p.section} {p.text}")) for p in passages]
    frequency: Counter[str] = Counter()
    for c in counts:
        frequency.update(c.keys())
    return passages, counts, dict(frequency)


def search(query: str, *, folder: Path = DOCS, limit: int = 3) -> list[Passage]:
    """The passages that best answer `query` (none when no word of it appears in the docs)."""
    passages, counts, frequency = _index(folder)
    asked = set(words(query))
    if not asked:
        return []
    total = len(passages)
    scored = []
    for n, c in enumerate(counts):
        score = sum(
            (1 + math.log(c[w])) * math.log(1 + total / frequency[w]) for w in asked if c[w]
        )
        if score:
            scored.append((score / math.sqrt(1 + sum(c.values()) / 40), -n))
    scored.sort(reverse=True)
    return [passages[-n] for _score, n in scored[:limit]]
