"""Training is deterministic, learns an obvious mapping, and never touches the unseen set."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import typer
from typer.testing import CliRunner

from agents.learned.dataset import Labelled
from agents.learned.features import FeatureConfig
from agents.learned.model import load_model
from agents.learned.train import TrainConfig, fit
from bot.cli.drafter import register

SMALL = FeatureConfig(dim=1 << 12)
QUICK = TrainConfig(epochs=30, batch=8, learning_rate=0.05, seed=3)


def _synthetic() -> list[Labelled]:
    rows: list[Labelled] = []
    for n in range(12):
        rows.append(
            Labelled(f"every morning at {n} send the numbers", "schedule", frozenset({"report"}))
        )
        rows.append(
            Labelled(f"when invoice {n} fails tell the team", "stripe", frozenset({"stripe"}))
        )
        rows.append(
            Labelled(
                f"new form entry {n} goes into the spreadsheet", "webhook", frozenset({"sheets"})
            )
        )
    return rows


def test_the_same_seed_gives_identical_weights() -> None:
    first = fit(_synthetic(), SMALL, QUICK)
    second = fit(_synthetic(), SMALL, QUICK)
    assert np.array_equal(first.weights, second.weights)
    assert np.array_equal(first.bias, second.bias)
    assert first.version == second.version
    other = fit(_synthetic(), SMALL, TrainConfig(epochs=30, batch=8, learning_rate=0.05, seed=4))
    assert not np.array_equal(first.weights, other.weights)


def test_training_learns_an_obvious_mapping() -> None:
    model = fit(_synthetic(), SMALL, QUICK)
    invoice = model.predict("when an invoice fails")
    assert invoice.best_trigger() == "stripe"
    assert invoice.integrations["stripe"] > 0.8 > invoice.integrations["sheets"]
    morning = model.predict("every morning send numbers")
    assert morning.best_trigger() == "schedule" and morning.integrations["report"] > 0.8
    sheet = model.predict("form entry into the spreadsheet")
    assert sheet.best_trigger() == "webhook" and sheet.chosen_integrations() == {"sheets"}
    assert abs(sum(sheet.trigger.values()) - 1.0) < 1e-9


def test_a_saved_model_loads_back_with_the_same_predictions(tmp_path: Path) -> None:
    model = fit(_synthetic(), SMALL, QUICK)
    model.save(tmp_path / "m.npz")
    again = load_model(tmp_path / "m.npz")
    a, b = model.predict("invoice fails"), again.predict("invoice fails")
    assert a.best_trigger() == b.best_trigger()
    assert all(abs(a.integrations[k] - b.integrations[k]) < 1e-2 for k in a.integrations)
    assert again.version == model.version and again.config == SMALL


def _cli() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_train_drafter_refuses_the_unseen_set_wherever_it_is_passed(tmp_path: Path) -> None:
    unseen = tmp_path / "unseen.jsonl"
    unseen.write_text(json.dumps({"request": "x", "trigger": "manual", "integrations": []}) + "\n")
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(json.dumps({"text": "x", "trigger": "manual", "integrations": []}) + "\n")
    out = tmp_path / "model.npz"
    for args in (
        ["--corpus", str(corpus), "--labelled", str(unseen)],
        ["--corpus", str(unseen)],
        ["--corpus", str(corpus), "--labelled", "tests/agents/unseen.jsonl"],
        ["--corpus", str(corpus), "--labelled", "tests/agents/batch_templates2.jsonl"],
        ["--corpus", str(corpus), "--labelled", "tests/agents/batch9.jsonl"],
    ):
        result = CliRunner().invoke(_cli(), ["train-drafter", *args, "--out", str(out)])
        assert result.exit_code == 1, result.output
        assert "scoring-only evaluation set" in result.output
        assert not out.exists()


def test_train_drafter_writes_a_model_from_a_corpus_and_a_request_set(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        "".join(
            json.dumps({"source": "t", "source_id": str(i), "text": e.text,
                        "trigger": e.trigger, "integrations": sorted(e.integrations)}) + "\n"
            for i, e in enumerate(_synthetic())
        )
    )  # fmt: skip
    requests = tmp_path / "mine.jsonl"
    requests.write_text(
        json.dumps({"id": "m1", "request": "ping me when stripe says a charge failed",
                    "trigger": "stripe", "integrations": ["stripe"]}) + "\n"
    )  # fmt: skip
    out = tmp_path / "model.npz"
    args = ["train-drafter", "--corpus", str(corpus), "--labelled", str(requests)]
    result = CliRunner().invoke(_cli(), [*args, "--seed", "5", "--out", str(out)])
    assert result.exit_code == 0, result.output
    model = load_model(out)
    assert model.meta["examples"] == len(_synthetic()) + 1
    assert model.meta["labelled"] == ["mine.jsonl"]
    assert model.predict("invoice fails").best_trigger() == "stripe"
