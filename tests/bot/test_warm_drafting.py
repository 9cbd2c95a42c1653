"""The drafting models load when the app starts, in a thread, so the first person who asks for
a workflow does not wait for them; a warm-up that fails is logged and leaves them to load on
first use."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from agents import drafting
from agents.learned import model
from bot.app import create_app
from storage.config import Settings
from workflows.runtime import Runtime


async def test_the_drafting_model_is_loaded_when_the_app_starts(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(model, "_shipped", None)  # as in a process that has drafted nothing
    runtime = Runtime(settings)
    try:
        app = create_app(settings, runtime)
        async with app.router.lifespan_context(app):
            async with asyncio.timeout(30):
                while True:
                    if model._shipped is not None:
                        break
                    await asyncio.sleep(0.02)
    finally:
        await runtime.close()
    assert model._shipped is not None


async def test_a_failed_warm_up_is_logged_not_raised(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_request: str) -> Any:
        raise RuntimeError("model file unreadable")

    monkeypatch.setattr(drafting, "offline_draft", broken)
    drafting.warm_up()
    assert "drafting warm-up failed" in caplog.text
