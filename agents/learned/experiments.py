"""Measure how the model transfers: corpus split, cross-source, and our own request sets.

`python -m agents.learned.experiments --corpus PATH [--fresh PATH]` prints one line per variant;
docs/drafting-corpus.md records the figures.
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
from agents.learned.train import TrainConfig, fit

OWN = Path(__file__).resolve().parents[2] / "tests" / "agents"


def split(examples: Sequence[Labelled], percent: int = 20) -> tuple[list[Labelled], list[Labelled]]:
    """(train, test) by a hash of each example's template id, so a template is on one side."""
    test = [e for e in examples if zlib.crc32(e.group.encode()) % 100 < percent]
    train = [e for e in examples if zlib.crc32(e.group.encode()) % 100 >= percent]
    return train, test


def report(name: str, model: DrafterModel, sets: Mapping[str, Sequence[Labelled]]) -> None:
    """Print one variant's scores on every set."""
    for label, examples in sets.items():
        if examples:
            print(f"{name:<34} {label:<12} {evaluate(model, examples).line()}", flush=True)


def main() -> None:
    """Run the variants named on the command line (all by default)."""
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
    own = {"dev": dev, "heldout_like": heldout, "fresh_dev": fresh}
    base, tc = FeatureConfig(), TrainConfig()
    variants: dict[str, Callable[[], None]] = {
        "baseline": lambda: report(
            "baseline", fit(train, base, tc), {"corpus-split": held, "catalogue": catalogue, **own}
        ),
        "no-concepts": lambda: report(
            "no-concepts", fit(train, replace(base, concepts=False), tc), own
        ),
        "words-only": lambda: report(
            "words-only", fit(train, replace(base, char_weight=0.0), tc), own
        ),
        "balance-0": lambda: report(
            "balance-0", fit(train, base, replace(tc, balance_triggers=0)), own
        ),
        "balance-1": lambda: report(
            "balance-1", fit(train, base, replace(tc, balance_triggers=1)), own
        ),
        "augment": lambda: report(
            "augment", fit(augment(train, tc.seed), base, tc), {"corpus-split": held, **own}
        ),
        "catalogue-only": lambda: report(
            "catalogue-only", fit(catalogue, base, tc), {"corpus-split": held, **own}
        ),
        "n8n+catalogue": lambda: report("n8n+catalogue", fit(train + catalogue, base, tc), own),
        "calibrated": lambda: _calibrated(train, held, base, tc, own),
        "mixed": lambda: _mixed(train, base, tc, dev, heldout, fresh),
    }
    for name, run in variants.items():
        if not args.only or name in args.only:
            run()


def _calibrated(
    train: list[Labelled],
    held: list[Labelled],
    base: FeatureConfig,
    tc: TrainConfig,
    own: dict[str, list[Labelled]],
) -> None:
    model = fit(augment(train, tc.seed), base, tc)
    for source, examples in (("corpus-split", held), ("dev", own["dev"])):
        limits = calibrate(model, examples)
        for label, test in own.items():
            if test and label != source:
                print(
                    f"{'augment+thresholds@' + source:<34} {label:<12} "
                    f"{evaluate(model, test, limits).line()}",
                    flush=True,
                )


def _mixed(
    train: list[Labelled],
    base: FeatureConfig,
    tc: TrainConfig,
    dev: list[Labelled],
    heldout: list[Labelled],
    fresh: list[Labelled],
) -> None:
    augmented = augment(train, tc.seed)
    for weight in (3.0, 10.0):
        for name, own, tests in (
            ("dev", dev, {"heldout_like": heldout, "fresh_dev": fresh}),
            ("heldout_like", heldout, {"dev": dev, "fresh_dev": fresh}),
        ):
            mixed = augmented + [replace(e, weight=weight) for e in own]
            report(f"augment+{name}x{weight:g}", fit(mixed, base, tc), tests)


if __name__ == "__main__":
    main()
