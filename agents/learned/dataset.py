"""Labelled examples for training and measuring: corpus JSONL and our own request sets."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from agents.learned.labels import INTEGRATIONS, TRIGGERS

# Sets that are only ever scored: training on them would make their score say nothing.
FORBIDDEN = frozenset(
    {
        "unseen.jsonl",
        "batch_templates2.jsonl",
        "batch9.jsonl",
        "batch11.jsonl",
        "batch15.jsonl",
        "batch22.jsonl",
        "batch24.jsonl",
        "batch25.jsonl",
        "batch27.jsonl",
        "batch29.jsonl",
        "batch31.jsonl",
        "batch33.jsonl",
    }
)


class DatasetError(ValueError):
    """A labelled file that cannot be used for training; the message says why."""


@dataclass(frozen=True)
class Labelled:
    """One training or test example."""

    text: str
    trigger: str | None
    integrations: frozenset[str]
    group: str = ""
    weight: float = 1.0


def refuse_unseen(path: Path) -> None:
    """Stop if `path` is a scoring-only evaluation set, which must never be trained on."""
    if path.name in FORBIDDEN:
        raise DatasetError(
            f"{path} is a scoring-only evaluation set; it is only ever scored, never trained on"
        )


def read_labelled(path: Path, weight: float = 1.0) -> list[Labelled]:
    """Read a corpus file (`text`) or one of our request sets (`request`)."""
    refuse_unseen(path)
    if not path.exists():
        raise DatasetError(f"{path} does not exist")
    rows: list[Labelled] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text = str(item.get("text") or item.get("request") or "")
        except (ValueError, AttributeError) as error:
            raise DatasetError(f"{path}:{number} is not a JSON object") from error
        trigger = item.get("trigger")
        if not text or (trigger is not None and trigger not in TRIGGERS):
            continue
        found = frozenset(str(i) for i in item.get("integrations") or [] if i in INTEGRATIONS)
        group = f"{item.get('source', path.stem)}:{item.get('source_id', item.get('id', number))}"
        rows.append(Labelled(text, trigger, found, group, weight))
    return rows


def read_all(paths: Iterable[Path], weight: float = 1.0) -> list[Labelled]:
    """Examples from several files, in order."""
    return [row for path in paths for row in read_labelled(path, weight)]
