"""The shipped drafting model: small, loads, and reads plain requests sensibly."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.learned import predict
from agents.learned.labels import INTEGRATIONS, TRIGGERS
from agents.learned.model import MODEL_PATH, ModelFileError, load_model, shipped_model


def test_the_shipped_model_is_small_and_carries_its_metadata() -> None:
    assert MODEL_PATH.stat().st_size < 5_000_000
    model = load_model()
    assert model.version.startswith("drafter-1-")
    assert set(model.thresholds) == set(INTEGRATIONS)
    assert all(0.0 < t < 1.0 for t in model.thresholds.values())
    assert model.meta["examples"] > 5000
    assert "unseen.jsonl" not in model.meta["labelled"]


def test_predictions_are_probabilities_over_the_label_space() -> None:
    result = predict("send me a summary of new leads every friday")
    assert set(result.trigger) == set(TRIGGERS)
    assert abs(sum(result.trigger.values()) - 1.0) < 1e-9
    assert set(result.integrations) == set(INTEGRATIONS)
    assert all(0.0 <= p <= 1.0 for p in result.integrations.values())
    assert result.version == shipped_model().version


def test_a_weekly_slack_report() -> None:
    result = predict("every monday at 9 post the sales numbers in #general")
    assert result.best_trigger() == "schedule"
    assert "slack" in result.chosen_integrations()
    assert not {"stripe", "email", "crm"} & result.chosen_integrations()
    # "numbers" alone is a weak report cue for this model (see docs/drafting-corpus.md);
    # a request that names the report is read as one.
    named = predict("every monday at 9 post the weekly sales report in #general")
    assert named.best_trigger() == "schedule"
    assert {"slack", "report"} <= named.chosen_integrations()


def test_a_failed_stripe_payment_emails_the_customer() -> None:
    result = predict("when a stripe payment fails email the customer")
    assert result.best_trigger() == "stripe"
    assert {"stripe", "email"} <= result.chosen_integrations()
    assert "slack" not in result.chosen_integrations()


def test_a_form_into_the_crm() -> None:
    result = predict("when someone fills in the contact form add them to hubspot")
    assert result.best_trigger() == "webhook"
    assert "crm" in result.chosen_integrations()


def test_support_mail_answered_with_ai() -> None:
    result = predict("when a mail arrives at support@ have AI draft a reply and send it back")
    assert result.best_trigger() == "email"
    assert {"email", "ai"} <= result.chosen_integrations()


def test_a_broken_model_file_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "model.npz"
    broken.write_bytes(b"not a model")
    with pytest.raises(ModelFileError, match="cannot read the drafting model"):
        load_model(broken)
    with pytest.raises(ModelFileError):
        load_model(tmp_path / "missing.npz")
