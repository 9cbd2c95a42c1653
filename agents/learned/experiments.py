"""Measure how the model transfers: corpus split, cross-source, and our own request sets.

`python -m agents.learned.experiments --corpus PATH [--fresh PATH] [--only NAME ...]` prints
one line per variant and set; docs/drafting-corpus.md records the figures.
"""

from __future__ import annotations

import argparse
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from agents.learned.augment import augment
from agents.learned.dataset import Labelled, read_labelled
from agents.learned.features import FeatureConfig
from agents.learned.measure import calibrate, evaluate
from agents.learned.model import DrafterModel
from agents.learned.recipe import corpus_for_training
from agents.learned.train import TrainConfig, fit

OWN = Path(__file__).resolve().parents[2] / "tests" / "agents"
Sets = Mapping[str, Sequence[Labelled]]


def split(examples: Sequence[Labelled], percent: int = 20) -> tuple[list[Labelled], list[Labelled]]:
    """(train, test) by a hash of each example's template id, so a template is on one side."""
    test = [e for e in examples if zlib.crc32(e.group.encode()) % 100 < percent]
    train = [e for e in examples if zlib.crc32(e.group.encode()) % 100 >= percent]
    return train, test


def report(
    name: str, model: DrafterModel, sets: Sets, thresholds: dict[str, float] | None = None
) -> None:
    """Print one variant's scores on every set."""
    for label, examples in sets.items():
        if examples:
            score = evaluate(model, examples, thresholds)
            print(f"{name:<30} {label:<13} {score.line()}", flush=True)


def main() -> None:
    """Run the variants named with --only (all by default)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--fresh", type=Path)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    corpus = read_labelled(args.corpus)
    n8n = [e for e in corpus if e.group.startswith("n8n")]
    catalogue = [e for e in corpus if not e.group.startswith("n8n")]
    train, held = split(n8n)
    dev = read_labelled(OWN / "dev_cases.jsonl")
    heldout = read_labelled(OWN / "heldout_like.jsonl")
    fresh = read_labelled(args.fresh) if args.fresh else []
    own: Sets = {"dev": dev, "heldout_like": heldout, "fresh_dev": fresh}
    first = TrainConfig(balance_triggers=0.5)
    final = TrainConfig()
    base = FeatureConfig()
    cleaned = corpus_for_training(train)

    def mixed(extra: list[Labelled], weight: float) -> DrafterModel:
        return fit(cleaned + [replace(e, weight=weight) for e in extra], base, final)

    variants: dict[str, Callable[[], None]] = {
        "first": lambda: report(
            "first (corpus only)",
            fit(train, base, first),
            {"corpus-split": held, "catalogue": catalogue, **own},
        ),
        "catalogue-only": lambda: report(
            "catalogue only", fit(catalogue, base, first), {"corpus-split": held, **own}
        ),
        "no-concepts": lambda: report(
            "first, no tool concepts", fit(train, replace(base, concepts=False), first), own
        ),
        "words-only": lambda: report(
            "first, no char n-grams", fit(train, replace(base, char_weight=0.0), first), own
        ),
        "augment": lambda: report(
            "first + request-like titles", fit(augment(train, 7), base, first), own
        ),
        "balanced": lambda: report(
            "balanced, manual unknown", fit(cleaned, base, final), {"corpus-split": held, **own}
        ),
        "thresholds": lambda: _thresholds(fit(cleaned, base, final), held, own),
        "mix-dev": lambda: report(
            "balanced + dev x3", mixed(dev, 3.0), {"heldout_like": heldout, "fresh_dev": fresh}
        ),
        "mix-dev-10": lambda: report(
            "balanced + dev x10", mixed(dev, 10.0), {"heldout_like": heldout, "fresh_dev": fresh}
        ),
        "mix-heldout": lambda: report(
            "balanced + heldout x3", mixed(heldout, 3.0), {"dev": dev, "fresh_dev": fresh}
        ),
        "shipped-recipe": lambda: report(
            "balanced + dev + heldout x3", mixed(dev + heldout, 3.0), {"fresh_dev": fresh}
        ),
    }
    for name, run in variants.items():
        if not args.only or name in args.only:
            run()


def _thresholds(model: DrafterModel, held: list[Labelled], own: Sets) -> None:
    limits = calibrate(model, held)
    report("balanced + thresholds@split", model, own, limits)
    print("thresholds calibrated on the corpus split:", limits, flush=True)


if __name__ == "__main__":
    main()
