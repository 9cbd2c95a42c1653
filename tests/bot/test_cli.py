"""The `levqor` command line on the embedded default: migrate, keys, templates, schema, run."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accounts.keys import authenticate
from accounts.password_reset import login_for_token
from accounts.web_auth import sign_up
from bot.cli import build
from storage.config import Settings
from storage.db import create_engine, session_factory
from storage.models import Member, Role
from storage.scope import Tenant
from workflows import service
from workflows.runtime import Runtime

SPEC = {
    "name": "Hello team",
    "trigger": {"type": "manual"},
    "steps": [
        {"id": "hi", "action": "slack.post_message", "inputs": {"channel": "#t", "text": "hi"}}
    ],
}


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no stray .env, and the default data dir lands here
    for name in ("DATABASE_URL", "SLACK_BOT_TOKEN", "SMTP_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LEVQOR_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def levqor(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(build(), list(args))
    return result.exit_code, result.output


async def _approved_workflow(key: str) -> str:
    runtime = Runtime(Settings())
    try:
        async with runtime.sessions() as session:
            principal = await authenticate(session, key)
            assert principal is not None and principal.member.role == Role.owner
            tenant = Tenant(session, principal.workspace.id)
            spec = service.parse_spec(SPEC, runtime.registry)
            proposal = await service.create_workflow(tenant, spec, runtime.registry, None)
            owner: Member = principal.member
            await service.decide(tenant, proposal.approval.id, owner, approve=True)
            await session.commit()
            return proposal.workflow.id
    finally:
        await runtime.close()


def test_the_command_line_end_to_end(env: Path) -> None:
    code, out = levqor("db", "upgrade")
    assert code == 0 and re.search(
        r"Created the database at \S+levqor\.db and applied \d+ migr", out
    )
    assert "Created the default workspace." in out
    assert (env / "levqor.db").exists()
    code, out = levqor("db", "upgrade")
    assert code == 0 and "is up to date (00" in out and "nothing to apply" in out
    assert "Created the default workspace." not in out
    code, out = levqor("db", "check")
    assert code == 0 and "match" in out

    code, key = levqor("keys", "create", "--role", "owner")
    assert code == 0 and key.strip().startswith("lq_")
    code, out = levqor("keys", "create", "--role", "emperor")
    assert code != 0 and "owner, admin, operator or viewer" in out

    code, out = levqor("templates", "--category", "reporting")
    assert code == 0 and "weekly-analytics-report" in out

    code, out = levqor("schema")
    schema = json.loads(out)
    assert code == 0 and {"name", "trigger", "steps"} <= set(schema["properties"])

    workflow_id = asyncio.run(_approved_workflow(key.strip()))
    code, out = levqor("run", workflow_id)
    assert code == 0, out
    result = json.loads(out)
    assert result["status"] == "succeeded" and result["steps"] == [
        {"id": "hi", "status": "succeeded", "error": None}
    ]
    code, out = levqor("run", "no-such-workflow")
    assert code != 0 and "no workflow" in out


def test_the_default_workspace_exists_after_upgrade(env: Path) -> None:
    assert levqor("db", "upgrade")[0] == 0

    async def slugs() -> list[str]:
        engine = create_engine(Settings())
        async with session_factory(engine)() as session:
            from sqlmodel import select

            from storage.models import Workspace

            rows = (await session.exec(select(Workspace.slug))).all()
        await engine.dispose()
        return list(rows)

    assert asyncio.run(slugs()) == ["default"]


def test_password_link_prints_a_working_one_time_link(env: Path) -> None:
    assert levqor("db", "upgrade")[0] == 0

    async def sign_up_ada() -> None:
        engine = create_engine(Settings())
        async with session_factory(engine)() as session:
            await sign_up(
                session, workspace_name="Acme", name="Ada", email="ada@example.com",
                password="a long password",
            )  # fmt: skip
            await session.commit()
        await engine.dispose()

    async def login_of(token: str) -> str:
        engine = create_engine(Settings())
        async with session_factory(engine)() as session:
            login = await login_for_token(session, Settings(), token)
        await engine.dispose()
        return login.email

    asyncio.run(sign_up_ada())
    code, out = levqor("password-link", "ADA@example.com ")
    link = out.strip()
    assert code == 0 and link.startswith(f"{Settings().public_url}/password/reset/")
    assert asyncio.run(login_of(link.rsplit("/", 1)[1])) == "ada@example.com"
    code, out = levqor("password-link", "nobody@example.com")
    assert code != 0 and "no web sign-in uses" in out


async def _two_weekly_reports() -> list[str]:
    """Two active weekly reports in the default workspace (approved by its owner)."""
    from accounts.workspaces import add_member, ensure_default

    runtime = Runtime(Settings())
    try:
        async with runtime.sessions() as session:
            workspace = await ensure_default(session)
            owner = await add_member(session, workspace, "Local owner", Role.owner)
            tenant = Tenant(session, workspace.id)
            for team in ("sales", "ops"):
                spec = service.parse_spec(
                    {**SPEC, "name": f"Weekly report: {team}"}, runtime.registry
                )
                proposal = await service.create_workflow(tenant, spec, runtime.registry, None)
                await service.decide(tenant, proposal.approval.id, owner, approve=True)
            await session.commit()
        return ["Weekly report: sales", "Weekly report: ops"]
    finally:
        await runtime.close()


def test_chat_offers_numbered_choices_and_takes_the_number(env: Path) -> None:
    assert levqor("db", "upgrade")[0] == 0
    asyncio.run(_two_weekly_reports())
    said = "pause the weekly report\n2\nresume it\nquit\n"
    result = CliRunner().invoke(build(), ["chat"], input=said)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Which one do you mean?" in out and "Answer with a number or the words." in out
    first, second = (out.split(f"  {n}. ", 1)[1].splitlines()[0] for n in (1, 2))
    assert {first, second} == {"Weekly report: sales", "Weekly report: ops"}
    assert f"{second} is now paused." in out and f"{second} is now active." in out
    assert f"{first} is now" not in out
