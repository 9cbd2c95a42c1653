"""The risk model: how likely a request asks for something only an owner should let run.

The rules (`agents.planner.dangerous`) draft the risky step they recognise (a delete, a payment,
a bulk send, data sent out) and the policy makes that draft class C. People word those acts in
more ways than rules list, so this model, trained on our labelled request sets (a request is risky
when it is labelled class C or refused), says when a request reads as risky although the steps
drafted for it look harmless; the drafter then puts the draft before an owner
(`agents.risk_check`). It never lowers a class and never drafts a step.

It is one logistic head over the drafting model's hashed features, trained with plain SGD
(deterministic with a seed). Its decision threshold is chosen by leaving one request set out at a
time: the threshold at which at most `false_alarms` of the ordinary requests of the left-out sets
would be flagged, so the threshold is set on requests the model had not read.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from agents.learned.dataset import DatasetError, refuse_unseen
from agents.learned.features import FeatureConfig, SparseRow, featurize
from agents.learned.model import ModelFileError

RISK_PATH = Path(__file__).with_name("risk_model.npz")
# The same kind of model, reading whether a request is too vague to draft (labelled `clarify`).
VAGUE_PATH = Path(__file__).with_name("vague_model.npz")
VERSION_PREFIX = "risk-1"

# Our request sets the shipped risk model is trained on (tests/agents/). Scoring-only sets are
# refused by `refuse_unseen`; a set joins this list only after its first score was recorded.
RISK_SETS = (
    "dev_cases",
    "heldout_like",
    "fresh_dev",
    "dangerous_probe",
    "batch_forums",
    "batch_templates",
    "batch4",
    "batch5",
    "batch6",
    "batch7",
    "batch8",
    "batch10",
    "batch12",
    "batch13",
    "batch14",
    "batch16",
    "batch17",
    "batch18",
    "batch19",
    "batch20",
    "batch21",
    "batch23",
    "batch26",
)
# The vagueness model's sets: batch26 is left out. Trained with it, its stricter line moved up
# (0.549 → 0.593) and no longer asked what "export every customer record regularly" should do,
# while the scoring-only sets' vague requests were asked about exactly as before.
VAGUE_SETS = tuple(name for name in RISK_SETS if name != "batch26")


@dataclass(frozen=True)
class RiskExample:
    """One labelled request: its words, whether it is risky, and the set it came from."""

    text: str
    risky: bool
    group: str


@dataclass(frozen=True)
class RiskTrain:
    """Training settings; the defaults are the shipped model's."""

    # 150 passes with stronger decay: with each set left out this catches 77% of risky requests
    # at 1% false alarms (30 passes at 1e-4: 71%), and 89% of vague ones (87%)
    epochs: int = 150
    learning_rate: float = 0.05
    l2: float = 1e-3
    positive_weight: float = 2.0  # a missed risky request costs twice a false alarm
    false_alarms: float = 0.01  # share of ordinary left-out requests flagged at the threshold
    seed: int = 7


# The share of ordinary requests each reading may flag, with its set left out. A risky request
# missed runs unchecked; an ordinary one flagged costs an owner's look at a harmless draft, so the
# risk check may flag 2 in 100 (it then catches 85% of left-out risky requests, at 1%: 77%). A
# clear request taken for vague gets a question instead of a draft, so that reading stays at 1%.
FALSE_ALARMS = {"risky": 0.03, "vague": 0.01}


def read_risk_examples(paths: Iterable[Path], reading: str = "risky") -> list[RiskExample]:
    """Requests of our labelled sets with their label: `risky` (class C or refused) or, for
    `reading="vague"`, asked about (`clarify`). Scoring-only sets are refused."""
    if reading not in ("risky", "vague"):
        raise DatasetError(f"no such reading: {reading!r} (risky or vague)")
    examples: list[RiskExample] = []
    for path in paths:
        refuse_unseen(path)
        if not path.exists():
            raise DatasetError(f"{path} does not exist")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                text = str(item.get("request") or "")
                if reading == "vague":
                    risky = item.get("expect") == "clarify"
                else:
                    risky = item.get("approval_class") == "C" or item.get("expect") == "refuse"
            except (ValueError, AttributeError) as error:
                raise DatasetError(f"{path}:{number} is not a JSON object") from error
            if text:
                examples.append(RiskExample(text, risky, path.stem))
    return examples


@dataclass
class RiskModel:
    """One column of weights over hashed features, a bias, and the decision threshold."""

    weights: npt.NDArray[np.float32]
    bias: float
    config: FeatureConfig
    meta: dict[str, Any]

    @property
    def threshold(self) -> float:
        """At or above this probability a request reads as risky."""
        return float(self.meta.get("threshold", 0.5))

    @property
    def strict_threshold(self) -> float:
        """The stricter line (a quarter of the false alarms), the threshold when not calibrated."""
        return float(self.meta.get("strict_threshold", self.threshold))

    @property
    def version(self) -> str:
        """The model's version string."""
        return str(self.meta.get("version", ""))

    def probability(self, text: str) -> float:
        """How likely the request asks for something an owner should confirm (0 to 1)."""
        columns, values = featurize(text, self.config)
        score = float(values @ self.weights[columns]) + self.bias
        return float(1.0 / (1.0 + np.exp(-score)))

    def save(self, path: Path) -> None:
        """Write the model as .npz: int8 weights with one scale, the bias, JSON metadata."""
        path.parent.mkdir(parents=True, exist_ok=True)
        peak = float(np.abs(self.weights).max()) or 1.0
        scale = peak / 127.0
        codes = np.clip(np.rint(self.weights / scale), -127, 127).astype(np.int8)
        meta = dict(self.meta, features=self.config.as_dict())
        with path.open("wb") as handle:
            np.savez(
                handle,
                weights=codes,
                scale=np.array([scale], dtype=np.float32),
                bias=np.array([self.bias], dtype=np.float32),
                meta=np.array(json.dumps(meta, sort_keys=True)),
            )


def load_risk(path: Path = RISK_PATH) -> RiskModel:
    """Read a model written by `RiskModel.save`."""
    try:
        with np.load(path, allow_pickle=False) as data:
            codes = data["weights"]
            scale = float(data["scale"][0])
            bias = float(data["bias"][0])
            meta: dict[str, Any] = json.loads(str(data["meta"]))
    except (OSError, EOFError, KeyError, ValueError, IndexError) as error:
        raise ModelFileError(f"cannot read the model at {path}: {error}") from error
    config = FeatureConfig(**meta.get("features", {}))
    if codes.shape != (config.dim,) or codes.dtype != np.int8:
        raise ModelFileError(f"{path} does not hold a risk model of the expected shape")
    weights = (codes.astype(np.float32) * np.float32(scale)).astype(np.float32)
    return RiskModel(weights=weights, bias=bias, config=config, meta=meta)


def _sgd(
    rows: Sequence[SparseRow], labels: npt.NDArray[np.bool_], dim: int, train: RiskTrain
) -> tuple[npt.NDArray[np.float32], float]:
    """Logistic regression by SGD, one example at a time in a seeded order."""
    weights = np.zeros(dim, dtype=np.float32)
    bias = 0.0
    rng = np.random.default_rng(train.seed)
    rate = np.float32(train.learning_rate)
    for _ in range(train.epochs):
        for i in rng.permutation(len(rows)):
            columns, values = rows[i]
            score = float(values @ weights[columns]) + bias
            error = 1.0 / (1.0 + np.exp(-score)) - float(labels[i])
            if labels[i]:
                error *= train.positive_weight
            step = np.float32(error) * values + np.float32(train.l2) * weights[columns]
            np.subtract.at(weights, columns, rate * step)
            bias -= train.learning_rate * error
    return weights, bias


def _probabilities(
    weights: npt.NDArray[np.float32], bias: float, rows: Sequence[SparseRow]
) -> npt.NDArray[np.float64]:
    scores = np.array([float(v @ weights[c]) + bias for c, v in rows], dtype=np.float64)
    out: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-scores))
    return out


def calibrate(
    examples: Sequence[RiskExample], config: FeatureConfig, train: RiskTrain
) -> dict[str, float]:
    """Leave each set out in turn, train on the rest, score it: the threshold that flags at most
    `train.false_alarms` of the left-out ordinary requests, and the share of left-out risky ones
    it catches."""
    rows = [featurize(e.text, config) for e in examples]
    labels = np.array([e.risky for e in examples], dtype=np.bool_)
    groups = np.array([e.group for e in examples])
    held = np.zeros(len(examples), dtype=np.float64)
    for group in sorted(set(groups)):
        out = groups == group
        if labels[~out].all() or not labels[~out].any():
            raise DatasetError(
                f"without the set {group!r} the rest holds only one kind of request: the risk "
                "model needs both risky and ordinary requests to calibrate"
            )
        kept = [row for row, left_out in zip(rows, out, strict=True) if not left_out]
        weights, bias = _sgd(kept, labels[~out], config.dim, train)
        left = [row for row, left_out in zip(rows, out, strict=True) if left_out]
        held[out] = _probabilities(weights, bias, left)
    ordinary = np.sort(held[~labels])[::-1]
    if not len(ordinary) or not labels.any() or len(set(groups)) < 2:
        raise DatasetError(
            "the risk model needs both risky and ordinary requests, in at least two sets, "
            "to calibrate"
        )
    cut = min(int(train.false_alarms * len(ordinary)), len(ordinary) - 1)
    threshold = float(ordinary[cut])
    caught = float((held[labels] > threshold).mean())
    flagged = float((held[~labels] > threshold).mean())
    # A stricter line, where a quarter as many ordinary requests are flagged: the planner uses it
    # where its rules could read a start or a place but the words may still be too vague.
    strict = float(ordinary[min(int(train.false_alarms / 4 * len(ordinary)), len(ordinary) - 1)])
    return {
        "threshold": round(threshold, 4),
        "held_out_recall": round(caught, 4),
        "held_out_false_alarms": round(flagged, 4),
        "strict_threshold": round(strict, 4),
        "strict_recall": round(float((held[labels] > strict).mean()), 4),
        "strict_false_alarms": round(float((held[~labels] > strict).mean()), 4),
    }


def fit_risk(
    examples: Sequence[RiskExample],
    config: FeatureConfig | None = None,
    train: RiskTrain | None = None,
    *,
    calibrated: bool = True,
    reading: str = "risky",
) -> RiskModel:
    """Train on every example; with `calibrated`, choose the threshold by leaving sets out."""
    config = config or FeatureConfig()
    train = train or RiskTrain()
    rows = [featurize(e.text, config) for e in examples]
    labels = np.array([e.risky for e in examples], dtype=np.bool_)
    weights, bias = _sgd(rows, labels, config.dim, train)
    meta: dict[str, Any] = {
        "version": _version(examples, config, train, reading),
        "reading": reading,
        "examples": len(examples),
        "risky": int(labels.sum()),
        "sets": sorted({e.group for e in examples}),
        "train": train.__dict__,
        "threshold": 0.5,
    }
    if calibrated:
        meta.update(calibrate(examples, config, train))
    return RiskModel(weights=weights, bias=bias, config=config, meta=meta)


def _version(
    examples: Sequence[RiskExample], config: FeatureConfig, train: RiskTrain, reading: str
) -> str:
    digest = hashlib.sha256()
    for e in examples:
        digest.update(f"{e.text}\t{e.risky}\t{e.group}\n".encode())
    digest.update(repr((config, train)).encode())
    prefix = VERSION_PREFIX if reading == "risky" else f"{reading}-1"
    return f"{prefix}-{digest.hexdigest()[:12]}"


@functools.cache
def _loaded(path: Path) -> RiskModel:
    """A model file read once per path, then kept (a failed read is not kept: it raises)."""
    return load_risk(path)


def shipped_risk() -> RiskModel:
    """The risk model shipped in the package, loaded on first use and then kept."""
    return _loaded(RISK_PATH)


def shipped_vague() -> RiskModel:
    """The vagueness model shipped in the package (same form), loaded on first use."""
    return _loaded(VAGUE_PATH)
