"""A request's dependencies run on the event loop: none is sent to a worker thread.

FastAPI runs a plain `def` dependency in its thread pool: a thread hop, and a wait for the GIL
back, on every request that uses it. The webhook hub, the API and the web app's JSON routes use
the runtime, a session and the tenant on every request, so those dependencies are `async`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import fastapi.dependencies.utils as dependency_utils
import pytest

from storage.config import Settings
from tests.bot.api.test_webhooks import lead_workflow, post_hook
from tests.bot.conftest import Live
from tests.conftest import make_settings
from tests.fakes.slack_api import TOKEN, FakeSlack, fake_slack  # noqa: F401
from tests.web.conftest import serve_web, sign_up_client


@pytest.fixture
def settings(tmp_path: Path, database_url: str, fake_slack: FakeSlack) -> Settings:  # noqa: F811
    return make_settings(tmp_path, database_url, SLACK_BOT_TOKEN=TOKEN,
                         SLACK_API_URL=fake_slack.url)  # fmt: skip


@pytest.fixture
def threaded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The name of every dependency FastAPI sends to its thread pool."""
    sent: list[str] = []
    real = dependency_utils.run_in_threadpool  # type: ignore[attr-defined]

    async def recording(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        sent.append(getattr(func, "__name__", repr(func)))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(dependency_utils, "run_in_threadpool", recording)
    yield sent


async def test_a_delivery_and_api_calls_hop_to_no_thread(live: Live, threaded: list[str]) -> None:
    wf = await lead_workflow(live)
    threaded.clear()  # only the requests below count
    lead = json.dumps({"email": "ada@example.com", "name": "Ada"}).encode()
    delivered = await post_hook(live, wf["webhook_url"], lead)
    assert delivered.status_code == 202, delivered.text
    run = await live.wait_for_run(delivered.json()["run_id"])
    assert run["status"] == "succeeded"
    listed = await live.as_().get("/api/workflows")
    assert listed.status_code == 200 and [w["id"] for w in listed.json()] == [wf["id"]]
    assert threaded == []


async def test_the_web_apps_json_routes_hop_to_no_thread(
    settings: Settings, threaded: list[str]
) -> None:
    async with serve_web(settings) as web:
        client = await sign_up_client(web)
        try:
            threaded.clear()
            figures = await client.get("/health/figures")
            cards = await client.get("/chat/cards")
        finally:
            await client.aclose()
    assert figures.status_code == 200 and cards.status_code == 200, (figures.text, cards.text)
    assert threaded == []
