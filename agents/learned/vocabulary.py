"""The everyday words of English and of automation, to tell a tool nobody listed from a word.

A request names tools no list can hold ("the depot geofence in traccar", "when zoneminder picks
up motion"). A word in a tool's place that is neither an everyday English word nor a word the
template corpus writes in lower case is read as the name of a tool (agents/planner/unknown_apps).

The shipped list (`common_words.txt.gz`, one word per line) is built by `levqor corpus words`
from a ranked English word list (wordfreq's, CC BY-SA 4.0: docs/drafting-corpus.md) and the
template corpus; it is read once, on first use.
"""

from __future__ import annotations

import gzip
import re
import threading
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from agents.learned.app_names import everyday_words

WORDS_PATH = Path(__file__).with_name("common_words.txt.gz")

# How many of the ranked list's words are everyday words, and how often the template corpus
# must write a word in lower case for it to count as one.
RANKED_LIMIT = 92_000
CORPUS_MIN = 2

_WORD = re.compile(r"[a-z][a-z'-]+")


def build_words(ranked: Iterable[str], corpus_texts: Iterable[str]) -> list[str]:
    """The everyday words: the first RANKED_LIMIT words of a list ranked most common first,
    plus every word the corpus writes in lower case at least CORPUS_MIN times; sorted."""
    words: set[str] = set()
    for rank, word in enumerate(ranked):
        if rank >= RANKED_LIMIT:
            break
        word = word.strip().lower()
        if len(word) >= 3 and _WORD.fullmatch(word):
            words.add(word)
    counts: Counter[str] = Counter()  # the app-name table's count, end punctuation let go
    for word, n in everyday_words(corpus_texts).items():
        counts[word.rstrip(".!*-")] += n
    words.update(
        w for w, n in counts.items() if n >= CORPUS_MIN and len(w) >= 3 and _WORD.fullmatch(w)
    )
    return sorted(words)


def write_words(words: Iterable[str], path: Path = WORDS_PATH) -> int:
    """Write the list gzipped, one word per line, with a fixed timestamp (same words, same
    bytes); returns how many were written."""
    listed = list(words)
    data = ("\n".join(listed) + "\n").encode("utf-8")
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write(data)
    return len(listed)


_lock = threading.Lock()
_words: frozenset[str] | None = None


def common_words() -> frozenset[str]:
    """The shipped everyday words, read on first use; empty when the file cannot be read
    (a tool nobody listed is then simply not recognised)."""
    global _words
    if _words is None:
        with _lock:
            if _words is None:
                try:
                    text = gzip.decompress(WORDS_PATH.read_bytes()).decode("utf-8")
                except (OSError, EOFError, UnicodeDecodeError):
                    text = ""
                _words = frozenset(text.split())
    return _words


def is_everyday_word(word: str) -> bool:
    """Whether a lower-case word is an everyday word (its plural or possessive too)."""
    words = common_words()
    if word in words:
        return True
    for ending in ("'s", "s", "es"):
        if word.endswith(ending) and word[: -len(ending)] in words:
            return True
    return False
