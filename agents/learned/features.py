"""Request text → hashed sparse features: words, word pairs, character n-grams, tool concepts."""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
import zlib
from collections import Counter
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources

import numpy as np
import numpy.typing as npt

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_CLOCK = re.compile(r"\b\d{1,2}(?::\d{2})?\s?(?:am|pm)\b|\b\d{1,2}:\d{2}\b|\bat \d{1,2}\b")
_CHANNEL = re.compile(r"(?:^|\s)#[a-z0-9][\w-]*")
_ADDRESS = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")


@dataclass(frozen=True)
class FeatureConfig:
    """How text becomes features; saved with the model so training and prediction agree."""

    dim: int = 1 << 16
    char_min: int = 3
    char_max: int = 5
    char_weight: float = 0.5
    concepts: bool = True

    def as_dict(self) -> dict[str, object]:
        """Plain values for the model file."""
        return asdict(self)


SparseRow = tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]


@cache
def _concept_words() -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    text = resources.files("agents.learned").joinpath("tool_names.json").read_text("utf-8")
    concepts: dict[str, list[str]] = json.loads(text)["concepts"]
    single = {w: c for c, words in concepts.items() for w in words if " " not in w}
    phrases = tuple((w, c) for c, words in concepts.items() for w in words if " " in w)
    return single, phrases


def normalise(text: str) -> str:
    """Lower case, compatibility-folded, with curly quotes and dashes made plain."""
    text = unicodedata.normalize("NFKC", text).lower()
    return text.replace("\u2019", "'").replace("\u2014", " ").replace("\u2013", " ")


def tokens(text: str, config: FeatureConfig) -> dict[str, float]:
    """Namespaced feature strings with their weights for one text."""
    clean = normalise(text)
    words = _WORD.findall(clean)
    counts: dict[str, float] = {}
    for word in words:
        counts["w:" + word] = 1.0
    for left, right in itertools.pairwise(words):
        counts[f"b:{left} {right}"] = 1.0
    for word in words:
        padded = f" {word} "
        for size in range(config.char_min, config.char_max + 1):
            for start in range(len(padded) - size + 1):
                gram = "c:" + padded[start : start + size]
                counts[gram] = counts.get(gram, 0.0) + config.char_weight
    if config.concepts:
        counts.update(_concepts(clean, words))
    counts["n:len" + str(min(len(words) // 8, 6))] = 1.0
    return counts


def _concepts(clean: str, words: list[str]) -> Counter[str]:
    single, phrases = _concept_words()
    found: Counter[str] = Counter()
    for word in words:
        if word in single:
            found["k:" + single[word]] = 1
    padded = " " + " ".join(words) + " "
    for phrase, concept in phrases:
        if f" {phrase} " in padded:
            found["k:" + concept] = 1
    if _CLOCK.search(clean):
        found["k:clock"] = 1
    if _CHANNEL.search(clean):
        found["k:slack"] = 1
    if _ADDRESS.search(clean):
        found["k:mail"] = 1
    return found


def bucket(feature: str, dim: int) -> int:
    """The hashed column of one feature string (CRC-32, the same in every process)."""
    return zlib.crc32(feature.encode("utf-8")) % dim


def featurize(text: str, config: FeatureConfig) -> SparseRow:
    """Column indices and L2-normalised values for one text (columns may repeat)."""
    counts = tokens(text, config)
    columns = np.fromiter(
        (bucket(f, config.dim) for f in counts), dtype=np.int32, count=len(counts)
    )
    values = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
    norm = float(np.sqrt(np.dot(values, values))) or 1.0
    return columns, values / np.float32(norm)
