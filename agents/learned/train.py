"""Fit the drafting model with numpy: Adam on softmax + logistic losses over hashed features."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from agents.learned.dataset import Labelled
from agents.learned.features import FeatureConfig, SparseRow, featurize
from agents.learned.labels import INTEGRATIONS, TRIGGERS
from agents.learned.model import DrafterModel

FloatArray = npt.NDArray[np.float32]
VERSION_PREFIX = "drafter-1"


@dataclass(frozen=True)
class TrainConfig:
    """Training settings; the defaults are the ones the shipped model was trained with."""

    epochs: int = 12
    batch: int = 64
    learning_rate: float = 0.01
    l2: float = 1e-6
    balance_triggers: float = 1.0
    balance_integrations: float = 0.0
    seed: int = 7


@dataclass(frozen=True)
class _Encoded:
    rows: list[SparseRow]
    trigger: npt.NDArray[np.int64]
    integrations: FloatArray
    weight: FloatArray
    positive_weight: FloatArray


def encode(examples: Sequence[Labelled], config: FeatureConfig) -> _Encoded:
    """Featurise texts and turn labels into arrays (trigger -1 where unknown)."""
    rows = [featurize(e.text, config) for e in examples]
    trigger = np.array(
        [TRIGGERS.index(e.trigger) if e.trigger else -1 for e in examples], dtype=np.int64
    )
    integrations = np.array(
        [[name in e.integrations for name in INTEGRATIONS] for e in examples], dtype=np.float32
    ).reshape(len(examples), len(INTEGRATIONS))
    weight = np.array([e.weight for e in examples], dtype=np.float32)
    return _Encoded(rows, trigger, integrations, weight, np.ones(len(INTEGRATIONS), np.float32))


def _positive_weights(integrations: FloatArray, power: float) -> FloatArray:
    """Weight of a positive label per integration: (negatives / positives)^power, at least 1."""
    positives = integrations.sum(axis=0)
    ratio = (len(integrations) - positives) / np.maximum(positives, 1.0)
    out: FloatArray = (np.maximum(ratio, 1.0) ** power).astype(np.float32)
    return out


def _trigger_weights(trigger: npt.NDArray[np.int64], power: float) -> FloatArray:
    """Per-example trigger-loss weights: rare triggers count more (inverse frequency^power)."""
    counts = np.bincount(trigger[trigger >= 0], minlength=len(TRIGGERS)).astype(np.float64)
    scale = np.where(counts > 0, (counts.sum() / np.maximum(counts, 1) / len(TRIGGERS)), 0.0)
    scale = scale**power
    out = np.where(trigger >= 0, scale[np.maximum(trigger, 0)], 0.0)
    return out.astype(np.float32)


def _batch(
    rows: list[SparseRow], picks: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int32], FloatArray, npt.NDArray[np.int64]]:
    columns = np.concatenate([rows[i][0] for i in picks])
    values = np.concatenate([rows[i][1] for i in picks])
    starts = np.cumsum([0] + [len(rows[i][0]) for i in picks[:-1]]).astype(np.int64)
    return columns, values, starts


def fit(
    examples: Sequence[Labelled],
    features: FeatureConfig | None = None,
    train: TrainConfig | None = None,
) -> DrafterModel:
    """Train a model on `examples`; the same examples and seed give the same weights."""
    features = features or FeatureConfig()
    train = train or TrainConfig()
    data = encode(examples, features)
    if train.balance_integrations:
        positive = _positive_weights(data.integrations, train.balance_integrations)
        data = replace(data, positive_weight=positive)
    width = len(TRIGGERS) + len(INTEGRATIONS)
    weights = np.zeros((features.dim, width), dtype=np.float32)
    bias = np.zeros(width, dtype=np.float32)
    moments = [np.zeros_like(weights), np.zeros_like(weights)]
    bias_moments = [np.zeros_like(bias), np.zeros_like(bias)]
    trigger_weight = _trigger_weights(data.trigger, train.balance_triggers) * data.weight
    rng = np.random.default_rng(train.seed)
    step = 0
    for _ in range(train.epochs):
        order = rng.permutation(len(examples))
        for start in range(0, len(order), train.batch):
            picks = order[start : start + train.batch]
            columns, values, starts = _batch(data.rows, picks)
            scores = np.add.reduceat(weights[columns] * values[:, None], starts, axis=0) + bias
            grad = _output_gradient(scores, data, picks, trigger_weight)
            rows_of = np.repeat(np.arange(len(picks)), np.diff(np.append(starts, len(columns))))
            contrib = values[:, None] * grad[rows_of]
            grad_w = np.stack(
                [np.bincount(columns, contrib[:, k], features.dim) for k in range(width)], axis=1
            ).astype(np.float32)
            grad_w += train.l2 * weights
            step += 1
            _adam(weights, grad_w, moments, step, train.learning_rate)
            _adam(bias, grad.sum(axis=0), bias_moments, step, train.learning_rate)
    meta = {
        "version": _version(examples, features, train),
        "examples": len(examples),
        "train": train.__dict__,
        "thresholds": {},
    }
    return DrafterModel(weights=weights, bias=bias, config=features, meta=meta)


def _output_gradient(
    scores: FloatArray, data: _Encoded, picks: npt.NDArray[np.int64], trigger_weight: FloatArray
) -> FloatArray:
    """d(loss)/d(scores) for a batch: softmax cross-entropy + per-integration log-loss."""
    head = len(TRIGGERS)
    grad = np.zeros_like(scores)
    logits = scores[:, :head] - scores[:, :head].max(axis=1, keepdims=True)
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    target = data.trigger[picks]
    known = target >= 0
    onehot = np.zeros_like(probs)
    onehot[np.nonzero(known)[0], target[known]] = 1.0
    grad[:, :head] = (probs - onehot) * trigger_weight[picks][:, None]
    sigmoid = 1.0 / (1.0 + np.exp(-scores[:, head:]))
    truth = data.integrations[picks]
    # weighted log-loss: positives count `positive_weight` times, negatives once
    scale = 1.0 + truth * (data.positive_weight - 1.0)
    grad[:, head:] = (sigmoid - truth) * scale * data.weight[picks][:, None]
    return (grad / len(picks)).astype(np.float32)


def _adam(
    param: FloatArray, grad: FloatArray, moments: list[FloatArray], step: int, rate: float
) -> None:
    first, second = moments
    first *= 0.9
    first += 0.1 * grad
    second *= 0.999
    second += 0.001 * grad * grad
    corrected = rate * np.sqrt(1 - 0.999**step) / (1 - 0.9**step)
    param -= corrected * first / (np.sqrt(second) + 1e-8)


def _version(examples: Sequence[Labelled], features: FeatureConfig, train: TrainConfig) -> str:
    digest = hashlib.sha256()
    for e in examples:
        digest.update(f"{e.text}\t{e.trigger}\t{sorted(e.integrations)}\t{e.weight}\n".encode())
    digest.update(repr((features, train)).encode())
    return f"{VERSION_PREFIX}-{digest.hexdigest()[:12]}"
