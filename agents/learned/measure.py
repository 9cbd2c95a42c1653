"""Score a drafting model: trigger accuracy, integration micro-F1, per-integration thresholds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from agents.learned.dataset import Labelled
from agents.learned.labels import INTEGRATIONS
from agents.learned.model import DrafterModel, Prediction

GRID = tuple(round(0.05 * i, 2) for i in range(1, 20))


@dataclass(frozen=True)
class Score:
    """How a model did on one set."""

    cases: int
    trigger_accuracy: float
    integration_f1: float
    integration_precision: float
    integration_recall: float

    def line(self) -> str:
        """A one-line summary."""
        return (
            f"n={self.cases:<5} trigger {self.trigger_accuracy:6.1%}  "
            f"integrations F1 {self.integration_f1:.3f} "
            f"(P {self.integration_precision:.3f} R {self.integration_recall:.3f})"
        )


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision, recall


def score_predictions(
    examples: Sequence[Labelled],
    predictions: Sequence[Prediction],
    thresholds: dict[str, float] | None = None,
) -> Score:
    """Score already-made predictions against their labels."""
    right = total = tp = fp = fn = 0
    for example, prediction in zip(examples, predictions, strict=True):
        if example.trigger is not None:
            total += 1
            right += prediction.best_trigger() == example.trigger
        limits = thresholds if thresholds is not None else prediction.thresholds
        chosen = {n for n, p in prediction.integrations.items() if p >= limits.get(n, 0.5)}
        tp += len(chosen & example.integrations)
        fp += len(chosen - example.integrations)
        fn += len(example.integrations - chosen)
    f1, precision, recall = _f1(tp, fp, fn)
    return Score(len(examples), right / total if total else 0.0, f1, precision, recall)


def evaluate(
    model: DrafterModel, examples: Sequence[Labelled], thresholds: dict[str, float] | None = None
) -> Score:
    """Predict every example and score the predictions."""
    return score_predictions(examples, [model.predict(e.text) for e in examples], thresholds)


def calibrate(
    model: DrafterModel, examples: Sequence[Labelled], min_positives: int = 5
) -> dict[str, float]:
    """Per-integration thresholds that maximise that integration's F1 on `examples`."""
    predictions = [model.predict(e.text).integrations for e in examples]
    thresholds: dict[str, float] = {}
    for name in INTEGRATIONS:
        truth = np.array([name in e.integrations for e in examples])
        probs = np.array([p[name] for p in predictions])
        if truth.sum() < min_positives:
            thresholds[name] = 0.5
            continue
        best = max(GRID, key=lambda t: _f1(*_counts(truth, probs >= t))[0])
        thresholds[name] = float(best)
    return thresholds


def _counts(truth: np.ndarray, chosen: np.ndarray) -> tuple[int, int, int]:
    tp = int((truth & chosen).sum())
    return tp, int((~truth & chosen).sum()), int((truth & ~chosen).sum())


def calibrate_global(model: DrafterModel, examples: Sequence[Labelled]) -> float:
    """One threshold for every integration that maximises micro-F1 on `examples`."""
    predictions = [model.predict(e.text) for e in examples]

    def f1_at(limit: float) -> float:
        limits = dict.fromkeys(INTEGRATIONS, limit)
        return score_predictions(examples, predictions, limits).integration_f1

    return max(GRID, key=f1_at)
