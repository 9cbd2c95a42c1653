"""The drafting model: load the shipped weights once and predict trigger and integrations."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from agents.learned.features import FeatureConfig, featurize
from agents.learned.labels import INTEGRATIONS, TRIGGERS

MODEL_PATH = Path(__file__).with_name("drafter_model.npz")


class ModelFileError(ValueError):
    """The model file is missing, unreadable or not a drafting model."""


@dataclass(frozen=True)
class Prediction:
    """One request's guesses: trigger probabilities (summing to 1), integration probabilities."""

    trigger: dict[str, float]
    integrations: dict[str, float]
    thresholds: dict[str, float] = field(default_factory=dict)
    version: str = ""

    def best_trigger(self) -> str:
        """The most probable trigger."""
        return max(self.trigger, key=lambda name: self.trigger[name])

    def chosen_integrations(self) -> set[str]:
        """Integrations at or above their calibrated threshold (0.5 when none was calibrated)."""
        return {
            name for name, p in self.integrations.items() if p >= self.thresholds.get(name, 0.5)
        }


@dataclass
class DrafterModel:
    """Linear weights over hashed features: a softmax trigger head and one logistic head each."""

    weights: npt.NDArray[np.float32]
    bias: npt.NDArray[np.float32]
    config: FeatureConfig
    meta: dict[str, Any]

    @property
    def version(self) -> str:
        """The model's version string (from its metadata)."""
        return str(self.meta.get("version", ""))

    @property
    def thresholds(self) -> dict[str, float]:
        """Per-integration decision thresholds calibrated at training time."""
        return {str(k): float(v) for k, v in self.meta.get("thresholds", {}).items()}

    def logits(self, text: str) -> npt.NDArray[np.float32]:
        """Raw scores: the trigger columns first, then one per integration."""
        columns, values = featurize(text, self.config)
        out: npt.NDArray[np.float32] = values @ self.weights[columns] + self.bias
        return out

    def predict(self, text: str) -> Prediction:
        """Probabilities for one request text."""
        scores = self.logits(text).astype(np.float64)
        head = scores[: len(TRIGGERS)]
        exp = np.exp(head - head.max())
        trigger = exp / exp.sum()
        sigmoid = 1.0 / (1.0 + np.exp(-scores[len(TRIGGERS) :]))
        return Prediction(
            trigger={name: float(p) for name, p in zip(TRIGGERS, trigger, strict=True)},
            integrations={name: float(p) for name, p in zip(INTEGRATIONS, sigmoid, strict=True)},
            thresholds=self.thresholds,
            version=self.version,
        )

    def save(self, path: Path) -> None:
        """Write the model as a compressed .npz (weights stored as float16)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = dict(self.meta, features=self.config.as_dict())
        with path.open("wb") as handle:
            np.savez_compressed(
                handle,
                weights=self.weights.astype(np.float16),
                bias=self.bias.astype(np.float32),
                meta=np.array(json.dumps(meta, sort_keys=True)),
            )


def load_model(path: Path = MODEL_PATH) -> DrafterModel:
    """Read a model file written by `DrafterModel.save`."""
    try:
        with np.load(path, allow_pickle=False) as data:
            weights = data["weights"].astype(np.float32)
            bias = data["bias"].astype(np.float32)
            meta: dict[str, Any] = json.loads(str(data["meta"]))
    except (OSError, KeyError, ValueError) as error:
        raise ModelFileError(f"cannot read the drafting model at {path}: {error}") from error
    width = len(TRIGGERS) + len(INTEGRATIONS)
    config = FeatureConfig(**meta.get("features", {}))
    if weights.shape != (config.dim, width) or bias.shape != (width,):
        raise ModelFileError(f"{path} does not hold a drafting model of the expected shape")
    return DrafterModel(weights=weights, bias=bias, config=config, meta=meta)


_lock = threading.Lock()
_shipped: DrafterModel | None = None


def shipped_model() -> DrafterModel:
    """The model shipped in the package, loaded on first use and then kept."""
    global _shipped
    if _shipped is None:
        with _lock:
            if _shipped is None:
                _shipped = load_model(MODEL_PATH)
    return _shipped


def predict(text: str) -> Prediction:
    """Trigger and integration probabilities for a request, from the shipped model."""
    return shipped_model().predict(text)
