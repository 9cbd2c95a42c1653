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
    """Linear weights over hashed features: a softmax trigger head and one logistic head each.

    `weights` are float32 after training, or int8 codes after loading; either way a column's
    real weights are `weights[:, k] * scale[k]`.
    """

    weights: npt.NDArray[np.float32] | npt.NDArray[np.int8]
    bias: npt.NDArray[np.float32]
    config: FeatureConfig
    meta: dict[str, Any]
    scale: npt.NDArray[np.float32] = field(
        default_factory=lambda: np.ones(len(TRIGGERS) + len(INTEGRATIONS), dtype=np.float32)
    )

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
        rows = self.weights[columns].astype(np.float32)
        out: npt.NDArray[np.float32] = (values @ rows) * self.scale + self.bias
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

    def quantised(self) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.float32]]:
        """The weights as int8 codes and one float scale per output column."""
        if self.weights.dtype == np.int8:
            return self.weights.astype(np.int8), self.scale
        real = self.weights.astype(np.float32) * self.scale
        scale = (np.abs(real).max(axis=0) / 127.0).astype(np.float32)
        scale[scale == 0] = 1.0
        codes = np.clip(np.rint(real / scale), -127, 127).astype(np.int8)
        return codes, scale

    def save(self, path: Path) -> None:
        """Write the model as an uncompressed .npz: int8 weights, scales, bias, JSON metadata."""
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = dict(self.meta, features=self.config.as_dict())
        codes, scale = self.quantised()
        with path.open("wb") as handle:
            np.savez(
                handle,
                weights=codes,
                scale=scale,
                bias=self.bias.astype(np.float32),
                meta=np.array(json.dumps(meta, sort_keys=True)),
            )


def load_model(path: Path = MODEL_PATH) -> DrafterModel:
    """Read a model file written by `DrafterModel.save`."""
    try:
        with np.load(path, allow_pickle=False) as data:
            weights = data["weights"]
            scale = data["scale"].astype(np.float32)
            bias = data["bias"].astype(np.float32)
            meta: dict[str, Any] = json.loads(str(data["meta"]))
    except (OSError, EOFError, KeyError, ValueError) as error:
        raise ModelFileError(f"cannot read the drafting model at {path}: {error}") from error
    width = len(TRIGGERS) + len(INTEGRATIONS)
    config = FeatureConfig(**meta.get("features", {}))
    shapes = (weights.shape, scale.shape, bias.shape)
    if shapes != ((config.dim, width), (width,), (width,)) or weights.dtype != np.int8:
        raise ModelFileError(f"{path} does not hold a drafting model of the expected shape")
    return DrafterModel(weights=weights, bias=bias, config=config, meta=meta, scale=scale)


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
