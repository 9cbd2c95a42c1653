"""The served process leaves its startup objects out of garbage collection."""

from __future__ import annotations

import gc

from bot.cli import heap


def test_settle_freezes_what_exists_and_sets_the_thresholds() -> None:
    before = gc.get_threshold()
    try:
        heap.settle()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == heap.THRESHOLDS
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
