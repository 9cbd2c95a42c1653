"""`levqor serve --port P` as an operator runs it: it says where it runs, every link it writes
uses that address (unless LEVQOR_PUBLIC_URL), a fresh install opens on sign-up, and its log has
one JSON line per request with webhook secrets masked."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fakes.http_server import free_port
from tests.web.conftest import PASSWORD, csrf_of

LEVQOR = Path(sys.executable).with_name("levqor")


class Served:
    """A `levqor serve` process: its address and what it printed."""

    def __init__(self, process: subprocess.Popen[str], url: str, err: Path) -> None:
        self.process, self.url, self._err = process, url, err

    def log(self) -> str:
        return self._err.read_text()


@pytest.fixture
def serve_at(tmp_path: Path) -> Iterator[object]:
    started: list[subprocess.Popen[str]] = []

    def start(port: int, **env: str) -> Served:
        err = tmp_path / f"serve-{port}.log"
        environment = {
            k: v for k, v in os.environ.items() if not k.startswith(("LEVQOR_", "SLACK_"))
        }
        environment.pop("DATABASE_URL", None)
        environment |= {"LEVQOR_DATA_DIR": str(tmp_path / f"data-{port}"), **env}
        process = subprocess.Popen(
            [str(LEVQOR), "serve", "--port", str(port)],
            cwd=tmp_path,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=err.open("w"),
            text=True,
        )
        started.append(process)
        assert process.stdout is not None
        line = process.stdout.readline()  # blocks until it is ready (or it died)
        assert line.startswith("Levqor is running at "), (line, err.read_text()[-2000:])
        return Served(process, line.removeprefix("Levqor is running at ").strip(), err)

    yield start
    for process in started:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


def sign_up_and_invite(url: str) -> str:
    """Sign up on a fresh install (it opens on sign-up), invite someone; the invite link."""
    with httpx.Client(base_url=url, timeout=30) as client:
        opened = client.get("/")
        assert opened.status_code == 303 and opened.headers["location"] == "/signup"
        form = client.get("/signup")
        assert "Create your workspace" in form.text
        client.post(
            "/signup",
            data={
                "csrf_token": csrf_of(form.text),
                "workspace": "Acme Ops",
                "name": "Olivia",
                "email": "olivia@acme.example",
                "password": PASSWORD,
            },
        )
        team = client.get("/team")
        invited = client.post(
            "/team/invites",
            data={"csrf_token": csrf_of(team.text), "email": "sam@acme.example", "role": "admin"},
            follow_redirects=True,
        )
        found = re.search(r'id="invite-link" type="text" value="([^"]+)"', invited.text)
        assert found, invited.text[-3000:]
        return found.group(1)


def test_serve_says_where_it_runs_and_links_use_that_port(serve_at: object) -> None:
    port = free_port()
    served = serve_at(port, LEVQOR_LOG_FORMAT="json")  # type: ignore[operator]
    assert served.url == f"http://127.0.0.1:{port}"
    assert sign_up_and_invite(served.url).startswith(f"http://127.0.0.1:{port}/invite/")

    secret = "s3cr3t-hook-value"
    hook = httpx.post(f"{served.url}/hooks/wf_unknown/{secret}", json={}, timeout=30)
    assert hook.status_code == 404
    deadline = time.monotonic() + 10
    while "/hooks/wf_unknown/" not in served.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    log = served.log()
    assert secret not in log
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "levqor.access"]
    [hook_line] = [line for line in access if line["path"].startswith("/hooks/")]
    assert hook_line["path"] == "/hooks/wf_unknown/[masked]" and hook_line["status"] == 404
    assert hook_line["method"] == "POST" and hook_line["level"] == "info"
    assert {"/", "/signup", "/team", "/team/invites"} <= {line["path"] for line in access}
    assert all(isinstance(line["duration_ms"], float) for line in access)


def test_public_url_wins_when_it_is_set(serve_at: object) -> None:
    port = free_port()
    served = serve_at(port, LEVQOR_PUBLIC_URL="http://ops.acme.example")  # type: ignore[operator]
    assert served.url == f"http://127.0.0.1:{port}"
    assert sign_up_and_invite(served.url).startswith("http://ops.acme.example/invite/")
    assert re.search(r"INFO levqor\.access: GET /signup 200 ", served.log())  # text by default
