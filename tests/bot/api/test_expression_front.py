"""A workflow whose condition would take the server minutes to work out is refused at once."""

from __future__ import annotations

import asyncio
import time

from storage.models import Role
from tests.bot.conftest import Live


async def test_a_huge_condition_is_refused_with_422_and_others_are_served(live: Live) -> None:
    spec = {
        "name": "Freeze",
        "trigger": {"type": "manual"},
        "steps": [
            {
                "id": "boom",
                "action": "slack.post_message",
                "when": "9**(9**8) > 1",
                "inputs": {"channel": "#a", "text": "hi"},
            }
        ],
    }
    started = time.monotonic()
    create = asyncio.create_task(live.as_(Role.admin).post("/api/workflows", json={"spec": spec}))
    await asyncio.sleep(0.05)
    other = await asyncio.wait_for(live.as_().get("/api/runs"), timeout=5)
    response = await asyncio.wait_for(create, timeout=5)
    assert other.status_code == 200
    assert time.monotonic() - started < 5
    assert response.status_code == 422, response.text
    message = response.json()["error"]["message"]
    assert "step 'boom'" in message and "number larger" in message
