"""Property-based API tests (schemathesis): for generated valid and invalid requests, from two
workspaces with auth on, the API never answers 5xx and only answers statuses it documents.

Bounded: a few examples per operation and mode, so the whole run stays well under a minute.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import status_code_conformance

from accounts.keys import create_key
from bot.app import create_app
from storage.config import Settings
from storage.db import create_engine, session_factory
from storage.models import Role, Workspace
from tests.conftest import make_settings

EXAMPLES = 10


async def _keys(app_settings: Settings) -> list[str]:
    engine = create_engine(app_settings)
    keys = []
    async with session_factory(engine)() as session:
        for slug in ("acme", "globex"):
            workspace = Workspace(slug=slug, name=slug.title())
            session.add(workspace)
            await session.flush()
            key, _ = await create_key(session, workspace, Role.owner)
            keys.append(key)
        await session.commit()
    await engine.dispose()
    return keys


@pytest.fixture
def served(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[str, list[str]]]:
    """Levqor (its own runtime, lifespan on) on a loopback port in a thread; two owners' keys."""
    shutil.copy(sqlite_template, tmp_path / "levqor.db")
    app_settings = make_settings(tmp_path)
    keys = asyncio.run(_keys(app_settings))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(app_settings), log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}", keys
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def test_no_server_errors_and_only_documented_statuses(served: tuple[str, list[str]]) -> None:
    url, keys = served
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    checks = [not_a_server_error, status_code_conformance]
    failures: list[str] = []
    calls = 0
    statuses: list[int] = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result.err()
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Any) -> None:
                nonlocal calls
                calls += 1
                auth = {"Authorization": f"Bearer {keys[calls % 2]}"}
                response = case.call(base_url=url, headers=auth, timeout=30)
                statuses.append(response.status_code)
                try:
                    case.validate_response(response, checks=checks, headers=auth)
                except AssertionError as exc:  # collect every operation's failures, then fail
                    failures.append(f"{case.method} {case.path}: {exc}"[:600])

            try:
                run()
            except Unsatisfiable:  # nothing invalid to send (e.g. no parameters at all)
                continue
    assert calls > 50 and len(set(statuses)) > 3, sorted(set(statuses))
    assert not failures, "\n\n".join(failures)
