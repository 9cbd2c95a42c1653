"""The deploy kit: compose.yaml's topology and commands, and the roles' clear refusals.

Docker is not available where the suite runs; the same topology runs as processes in
tests/reliability/test_scale_out.py. Here: every command compose.yaml starts is one the CLI has.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from bot.cli import build

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def test_compose_runs_two_webs_two_workers_two_schedulers_on_postgres() -> None:
    services = compose()["services"]
    assert {"postgres", "redis", "mailcatcher", "migrate"} <= set(services)
    commands = {name: service.get("command") for name, service in services.items()}
    webs = [name for name, cmd in commands.items() if cmd == ["levqor", "serve", "--role", "web"]]
    assert len(webs) == 2
    assert commands["worker"][:2] == ["levqor", "worker"]
    assert commands["scheduler"] == ["levqor", "scheduler"]
    assert services["worker"]["deploy"]["replicas"] == 2
    assert services["scheduler"]["deploy"]["replicas"] == 2
    for name in [*webs, "worker", "scheduler", "migrate"]:
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgresql://")
        assert env["LEVQOR_RUN_QUEUE"] == "true"
        assert env["REDIS_URL"].startswith("redis://")


@pytest.mark.parametrize("service", ["web-1", "worker", "scheduler", "migrate"])
def test_each_compose_command_is_a_levqor_command(service: str) -> None:
    command = compose()["services"][service]["command"]
    assert command[0] == "levqor"
    result = CliRunner().invoke(build(), [*command[1:], "--help"])
    assert result.exit_code == 0, result.output


def test_dockerfile_runs_as_a_non_root_user_on_a_slim_image() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in text
    assert "\nUSER levqor\n" in text


@pytest.mark.parametrize("command", [["worker"], ["scheduler"], ["serve", "--role", "web"]])
def test_roles_that_need_postgresql_say_so_on_sqlite(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("LEVQOR_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(build(), command)
    assert result.exit_code != 0
    assert "needs PostgreSQL" in result.output
    assert "Traceback" not in result.output


def test_serve_refuses_an_unknown_role(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(build(), ["serve", "--role", "everything"])
    assert result.exit_code != 0
    assert "role must be all, web or worker" in result.output
