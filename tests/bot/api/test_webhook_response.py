"""Webhook answer modes: "accept" (202 at once) and "when done" (the run's output, or 202 late)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from storage.models import Role
from tests.bot.api.test_webhook_handover import statements
from tests.bot.conftest import Live
from tests.fakes.http_server import LoopbackServer, serve_app


class Partner:
    """A partner API on loopback that answers `/score`; with `hold`, only once released."""

    def __init__(self) -> None:
        self.hold = False
        self.released = threading.Event()
        self.bodies: list[dict[str, Any]] = []

    async def score(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.bodies.append(body)
        if self.hold:
            await asyncio.to_thread(self.released.wait, 30)
        return JSONResponse({"score": len(body["email"]), "tier": "gold"})


@pytest.fixture
def partner() -> Iterator[tuple[Partner, LoopbackServer]]:
    fake = Partner()
    app = Starlette(routes=[Route("/score", fake.score, methods=["POST"])])
    with serve_app(app) as server:
        yield fake, server


def scoring_spec(url: str, **trigger: Any) -> dict[str, Any]:
    return {
        "name": "Score a lead",
        "trigger": {"type": "webhook", **trigger},
        "steps": [
            {
                "id": "score",
                "action": "http.request",
                "inputs": {"method": "POST", "url": url, "json": {"email": "{{ trigger.email }}"}},
            },
            {
                "id": "hot",
                "action": "http.request",
                "when": "trigger.hot == true",
                "inputs": {"method": "POST", "url": url, "json": {"email": "hot"}},
            },
        ],
    }


async def hook_of(live: Live, spec: dict[str, Any]) -> str:
    created = await live.as_(Role.admin).post("/api/workflows", json={"spec": spec})
    assert created.status_code == 201, created.text
    approval = created.json()["approval"]["id"]
    approved = await live.as_(Role.owner).post(f"/api/approvals/{approval}/approve")
    assert approved.json()["status"] == "active", approved.text
    url: str = approved.json()["webhook_url"]
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


async def deliver(live: Live, path: str, payload: dict[str, Any], **headers: str) -> Any:
    return await live.as_().post(
        path,
        content=json.dumps(payload).encode(),
        headers={"content-type": "application/json", **headers},
    )


async def test_when_done_answers_with_the_last_step_output(
    live: Live, partner: tuple[Partner, LoopbackServer]
) -> None:
    fake, server = partner
    path = await hook_of(live, scoring_spec(f"{server.url}/score", webhook_response="when_done"))
    answer = await deliver(live, path, {"email": "dana@example.com", "hot": False})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "succeeded" and body["duplicate"] is False
    # "hot" was skipped (no output): the answer is the last step that ran, "score"
    assert body["output"]["json"] == {"score": 16, "tier": "gold"}
    assert body["output"]["status"] == 200
    run = (await live.as_().get(f"/api/runs/{body['run_id']}")).json()
    assert run["status"] == "succeeded"
    again = await deliver(
        live, path, {"email": "dana@example.com", "hot": False}, **{"Idempotency-Key": "k1"}
    )
    repeat = await deliver(
        live, path, {"email": "dana@example.com", "hot": False}, **{"Idempotency-Key": "k1"}
    )
    assert again.status_code == 200 and repeat.status_code == 200
    assert repeat.json()["duplicate"] is True
    assert repeat.json()["run_id"] == again.json()["run_id"]
    assert repeat.json()["output"] == again.json()["output"]
    assert len(fake.bodies) == 2  # the repeated key ran nothing


async def test_when_done_answers_from_the_engine_without_reading_the_steps_back(
    live: Live, partner: tuple[Partner, LoopbackServer]
) -> None:
    _, server = partner
    path = await hook_of(live, scoring_spec(f"{server.url}/score", webhook_response="when_done"))
    with statements(live.runtime.db) as seen:
        answer = await deliver(live, path, {"email": "dana@example.com", "hot": False})
    assert answer.status_code == 200, answer.text
    assert answer.json()["output"]["json"] == {"score": 16, "tier": "gold"}
    assert [s for s in seen if s.startswith("select") and "from step_run" in s] == [], seen
    # the same answer as the one read back (a repeated key's)
    first = await deliver(live, path, {"email": "dana@example.com"}, **{"Idempotency-Key": "a"})
    again = await deliver(live, path, {"email": "dana@example.com"}, **{"Idempotency-Key": "a"})
    assert again.json()["duplicate"] is True
    assert again.json()["output"] == first.json()["output"]  # read back exactly as answered
    # the same shape as the engine's own answer; the partner's Date header is the second each
    # request reached it, which differs when the two straddle a second on a busy machine
    assert _without_date(first.json()["output"]) == _without_date(answer.json()["output"])


def _without_date(output: dict[str, Any]) -> dict[str, Any]:
    headers = {k: v for k, v in output.get("headers", {}).items() if k.lower() != "date"}
    return {**output, "headers": headers}


async def test_when_done_can_answer_with_a_chosen_step(
    live: Live, partner: tuple[Partner, LoopbackServer]
) -> None:
    _, server = partner
    spec = scoring_spec(
        f"{server.url}/score", webhook_response="when_done", webhook_response_step="score"
    )
    path = await hook_of(live, spec)
    answer = await deliver(live, path, {"email": "a@b.co", "hot": True})
    assert answer.status_code == 200, answer.text
    assert answer.json()["output"]["json"] == {"score": 6, "tier": "gold"}


async def test_when_done_falls_back_to_202_after_the_timeout(
    live: Live, partner: tuple[Partner, LoopbackServer]
) -> None:
    fake, server = partner
    fake.hold = True  # the partner answers only when the test lets it
    spec = scoring_spec(
        f"{server.url}/score", webhook_response="when_done", webhook_timeout_seconds=0.3
    )
    path = await hook_of(live, spec)
    started = time.perf_counter()
    answer = await deliver(live, path, {"email": "slow@example.com", "hot": False})
    assert time.perf_counter() - started >= 0.3  # it waited for the run first
    assert answer.status_code == 202, answer.text
    assert set(answer.json()) == {"run_id", "duplicate"}
    assert not fake.released.is_set()  # answered while the step was still running
    fake.released.set()
    run = await live.wait_for_run(answer.json()["run_id"])
    assert run["status"] == "succeeded"  # the run goes on after the sender was answered


async def test_when_done_tells_a_failed_run_in_words(live: Live) -> None:
    spec = scoring_spec("http://127.0.0.1:9/score", webhook_response="when_done")
    spec["steps"][0]["retry"] = {"max_attempts": 1}
    path = await hook_of(live, spec)
    answer = await deliver(live, path, {"email": "x@example.com", "hot": False})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "failed" and body["output"] is None
    assert body["error"].startswith("step score (http.request) failed")


async def test_accept_is_the_default_and_answers_at_once(
    live: Live, partner: tuple[Partner, LoopbackServer]
) -> None:
    fake, server = partner
    fake.hold = True
    path = await hook_of(live, scoring_spec(f"{server.url}/score"))
    answer = await deliver(live, path, {"email": "q@example.com", "hot": False})
    assert answer.status_code == 202  # while the partner has not answered the first step
    assert set(answer.json()) == {"run_id", "duplicate"}
    fake.released.set()
    run = await live.wait_for_run(answer.json()["run_id"])
    assert run["status"] == "succeeded"


async def test_an_answer_step_that_does_not_exist_is_refused(live: Live) -> None:
    spec = scoring_spec(
        "http://127.0.0.1:9/score", webhook_response="when_done", webhook_response_step="nope"
    )
    created = await live.as_(Role.admin).post("/api/workflows", json={"spec": spec})
    assert created.status_code == 422
    assert "there is no step 'nope'" in created.text
