"""How the shipped model is trained: corpus + request-like titles + our sets, then thresholds."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from agents.learned.augment import augment
from agents.learned.dataset import read_all, refuse_unseen
from agents.learned.features import FeatureConfig
from agents.learned.model import DrafterModel
from agents.learned.train import TrainConfig, fit

DEFAULT_CORPUS = Path(".levqor/corpus/drafting.jsonl")


@dataclass(frozen=True)
class Recipe:
    """Inputs of one training run."""

    corpus: tuple[Path, ...] = (DEFAULT_CORPUS,)
    labelled: tuple[Path, ...] = ()
    labelled_weight: float = 3.0
    seed: int = 7
    augment: bool = True


def train_shipped(recipe: Recipe, features: FeatureConfig | None = None) -> DrafterModel:
    """Train a model the way the shipped one is trained; refuses the unseen set anywhere."""
    for path in (*recipe.corpus, *recipe.labelled):
        refuse_unseen(path)
    corpus = read_all(recipe.corpus)
    examples = augment(corpus, recipe.seed) if recipe.augment else corpus
    examples += read_all(recipe.labelled, recipe.labelled_weight)
    model = fit(examples, features or FeatureConfig(), replace(TrainConfig(), seed=recipe.seed))
    model.meta["corpus"] = [p.name for p in recipe.corpus]
    model.meta["labelled"] = [p.name for p in recipe.labelled]
    model.meta["labelled_weight"] = recipe.labelled_weight
    return model
