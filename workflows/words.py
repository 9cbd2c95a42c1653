"""Words of a phrase for matching: lower-case tokens and light stems ("invoices" → "invoice")."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[a-z0-9]+")
_KEEP = frozenset(
    {"sales", "analytics", "news", "status", "business", "process", "address", "always"}
)


def stem(word: str) -> str:
    """A light stem: plural and -ing/-ed endings off ("replies" → "reply", "posting" → "post")."""
    if len(word) <= 3 or word in _KEEP or word.endswith("ss"):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if word.endswith("ing") and len(word) > 5:
        return _undouble(word[:-3])
    if word.endswith("ed") and len(word) > 4:
        return _undouble(word[:-2])
    if word.endswith("s") and not word.endswith(("us", "is")):
        return word[:-1]
    return word


def _undouble(word: str) -> str:
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "ls":
        return word[:-1]
    return word


def stems(text: str, ignore: frozenset[str] = frozenset()) -> set[str]:
    """The stems of the words in `text`, leaving out the `ignore` words (compared unstemmed)."""
    return {stem(w) for w in _TOKEN.findall(text.lower()) if w not in ignore}
