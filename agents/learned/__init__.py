"""A small learned model that guesses a request's trigger and integrations.

`predict(text)` returns probabilities from the shipped weights (loaded once, then cached);
`agents.learned.corpus` and `agents.learned.train` rebuild those weights from public templates.
"""

from __future__ import annotations

from agents.learned.model import (
    DrafterModel,
    ModelFileError,
    Prediction,
    load_model,
    predict,
)

__all__ = ["DrafterModel", "ModelFileError", "Prediction", "load_model", "predict"]
