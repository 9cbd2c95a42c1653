"""Operator logs: secrets in URLs masked, JSON lines with the record's fields, one line per run."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.logs import JsonFormatter, configure_logging, mask_url
from storage.config import Settings, address_url, listening_at
from storage.models import Workspace
from tests.workflows.helpers import Recorder, activate, new_run
from workflows.runtime import Runtime


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/hooks/wf_1/abcdef123", "/hooks/wf_1/[masked]"),
        ("/hooks/stripe/acme", "/hooks/stripe/acme"),
        ("/inbound/email/acme/topsecret", "/inbound/email/acme/[masked]"),
        ("/invite/tok123", "/invite/[masked]"),
        ("/approvals/confirm/tok123", "/approvals/confirm/[masked]"),
        ("/password/reset/tok123", "/password/reset/[masked]"),
        ("/u/tok123", "/u/[masked]"),
        ("/slack/oauth_redirect?code=a&state=x", "/slack/oauth_redirect?code=[masked]&state=[masked]"),  # noqa: E501
        ("/runs?status=failed", "/runs?status=failed"),
    ],
)  # fmt: skip
def test_secrets_in_urls_are_masked(path: str, shown: str) -> None:
    assert mask_url(path) == shown


def test_json_lines_carry_the_fields() -> None:
    record = logging.makeLogRecord(
        {"name": "levqor.access", "levelno": 20, "levelname": "INFO", "msg": "GET / 200"}
    )
    record.status = 200
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "info" and line["logger"] == "levqor.access"
    assert line["message"] == "GET / 200" and line["status"] == 200 and "time" in line


def test_links_follow_the_listening_address_unless_public_url_is_set() -> None:
    assert address_url("0.0.0.0", 8765) == "http://127.0.0.1:8765"
    plain = Settings(_env_file=None)
    assert listening_at(plain, "127.0.0.1", 8765).public_url == "http://127.0.0.1:8765"
    assert Settings(_env_file=None, LEVQOR_PORT=9001).public_url == "http://127.0.0.1:9001"
    fixed = Settings(_env_file=None, LEVQOR_PUBLIC_URL="https://ops.example")
    assert listening_at(fixed, "0.0.0.0", 8765).public_url == "https://ops.example"


async def test_each_finished_run_is_one_log_line(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = Recorder()
    runtime = await Runtime(settings, recorder.registry()).start(scheduler=False)
    try:
        spec = {
            "name": "Note",
            "trigger": {"type": "manual"},
            "steps": [{"id": "a", "action": "test.note", "inputs": {"text": "hi"}}],
        }
        broken = {
            "name": "Broken",
            "trigger": {"type": "manual"},
            "steps": [
                {
                    "id": "b",
                    "action": "test.broken",
                    "inputs": {"text": "no"},
                    "retry": {"max_attempts": 1},
                }
            ],
        }
        good = await activate(sessions, workspace, spec, runtime.registry)
        bad = await activate(sessions, workspace, broken, runtime.registry)
        with caplog.at_level(logging.INFO, logger="levqor.runs"):
            for workflow in (good, bad):
                started = await new_run(sessions, workflow)
                task = runtime.submit(started.run.id)
                assert task is not None  # executed in this process (no run queue)
                await task
        lines = [r for r in caplog.records if r.name == "levqor.runs"]
        assert [(r.outcome, r.workflow_id) for r in lines] == [  # type: ignore[attr-defined]
            ("succeeded", good.id),
            ("failed", bad.id),
        ]
        assert "refused: no" in lines[1].getMessage() and lines[1].levelname == "WARNING"
    finally:
        await runtime.close()


def test_outbound_requests_are_not_logged_with_their_urls(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """httpx's line per request (its whole URL, secrets in it too) is left out; ours stay."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    quiet = logging.getLogger("httpx")
    quiet_level = quiet.level
    try:
        configure_logging(Settings(_env_file=None, LEVQOR_LOG_LEVEL="INFO"))
        transport = httpx.MockTransport(lambda _request: httpx.Response(200))
        with httpx.Client(transport=transport) as client:
            client.post("https://hooks.example/services/T0/B0/s3cr3t?key=abc")
        logging.getLogger("levqor.runs").info("run r1 of workflow w1 succeeded")
        logging.getLogger("httpx").warning("a warning still shows")
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)
        quiet.setLevel(quiet_level)
    err = capsys.readouterr().err
    assert "s3cr3t" not in err and "HTTP Request" not in err, err
    assert "run r1 of workflow w1 succeeded" in err and "a warning still shows" in err
