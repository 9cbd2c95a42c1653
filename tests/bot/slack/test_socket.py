"""`levqor slack` (Socket Mode) is a CLI command that refuses to start without its tokens."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from bot.slack import socket


def cli() -> typer.Typer:
    app = typer.Typer()
    socket.register(app)

    @app.command()
    def other() -> None:  # a second command keeps `slack` a named subcommand
        """Nothing."""

    return app


@pytest.mark.parametrize(
    ("env", "missing"),
    [({}, "SLACK_APP_TOKEN"), ({"SLACK_APP_TOKEN": "xapp-1"}, "SLACK_BOT_TOKEN")],
)
def test_slack_command_needs_its_tokens(
    env: dict[str, str], missing: str, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    for name in ("SLACK_APP_TOKEN", "SLACK_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(str(tmp_path))  # no stray .env
    result = CliRunner().invoke(cli(), ["slack"], env=env)
    assert result.exit_code != 0
    assert missing in result.output
