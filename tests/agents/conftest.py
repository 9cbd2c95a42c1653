"""Fixtures the drafting tests share."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.openai_server import ScriptedOpenAI


@pytest.fixture
async def server() -> AsyncIterator[ScriptedOpenAI]:
    """The scripted OpenAI-compatible server on a loopback port."""
    async with ScriptedOpenAI.running() as scripted:
        yield scripted
