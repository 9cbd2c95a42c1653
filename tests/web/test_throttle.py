"""Sign-in throttling per source and per account, and Redis-backed counters that fail safely.

The Redis test starts its own redis-server on a free port and kills that one: the machine's
shared Redis is never touched.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.web.pages.health import TIER_WORDS
from storage.config import Settings
from tests.conftest import make_settings
from tests.web.conftest import PASSWORD, Web, csrf_of, sign_up_client


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def redis_server() -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """A private redis-server on a free loopback port, killed at the end."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.05)
    try:
        yield process, f"redis://127.0.0.1:{port}/0"
    finally:
        process.kill()
        process.wait()


@pytest.fixture
def settings(tmp_path: Path, database_url: str, request: pytest.FixtureRequest) -> Settings:
    extra: dict[str, object] = {"LEVQOR_RATE_LIMITS": True}
    if "redis_server" in request.fixturenames:
        extra["REDIS_URL"] = request.getfixturevalue("redis_server")[1]
    return make_settings(tmp_path, database_url, **extra)


async def _sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    token = csrf_of((await client.get("/signin")).text)
    return await client.post(
        "/signin", data={"csrf_token": token, "email": email, "password": password}
    )


async def test_wrong_passwords_are_throttled_per_account(web: Web) -> None:
    owner = await sign_up_client(web)
    await owner.aclose()
    async with web.client() as client:
        codes = [
            (await _sign_in(client, "olivia@acme.example", f"wrong {i}")).status_code
            for i in range(8)
        ]
        assert codes[:5] == [401] * 5  # the form again, with its one message
        assert set(codes[5:]) == {429}
        blocked = await _sign_in(client, "olivia@acme.example", PASSWORD)
        assert blocked.status_code == 429 and "Retry-After" in blocked.headers
        assert "Too many sign-in attempts" in blocked.text


async def test_without_redis_sign_in_fails_closed_and_the_rest_counts_in_memory(
    web: Web, redis_server: tuple[subprocess.Popen[bytes], str]
) -> None:
    process, _ = redis_server
    owner = await sign_up_client(web)
    assert (await owner.get("/workflows")).status_code == 200
    process.kill()
    process.wait()
    pages = [(await owner.get("/workflows")).status_code for _ in range(5)]
    assert pages == [200] * 5
    async with web.client() as client:
        refused = await _sign_in(client, "olivia@acme.example", PASSWORD)
    assert refused.status_code == 503
    assert "try again in a minute" in refused.text
    await owner.aclose()


async def test_the_health_page_shows_the_load_tier(web: Web) -> None:
    owner = await sign_up_client(web)
    page = await owner.get("/health")
    assert page.status_code == 200
    assert "Server load" in page.text
    shown = re.search(r'data-tier="([a-z]+)"', page.text)
    assert shown is not None and shown.group(1) in TIER_WORDS  # measured: low unless busy
    figures = (await owner.get("/health/figures")).json()
    assert figures["load_words"] == TIER_WORDS[figures["load_tier"]]
    await owner.aclose()
