"""The export limit over REST: an owner on a plan without exports gets 402 with the machine-readable
reason (the plan is the obstacle, not the role); a non-owner still gets 403; Growth exports."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Role, Workspace
from tests.bot.api.test_billing_limits import on_plan
from tests.bot.conftest import Live


@pytest.mark.parametrize(
    ("plan", "role", "status", "code"),
    [
        ("launch", Role.owner, 402, "plan_excludes_exports"),
        ("launch", Role.admin, 403, "error"),
        ("growth", Role.admin, 403, "error"),
        ("growth", Role.owner, 202, None),
    ],
)
async def test_workspace_export_answers_402_for_the_plan_and_403_for_the_role(
    live: Live,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    plan: str,
    role: Role,
    status: int,
    code: str | None,
) -> None:
    await on_plan(sessions, workspace, plan)
    answer = await live.as_(role).post("/api/export")
    assert answer.status_code == status, answer.text
    if code == "plan_excludes_exports":
        error = answer.json()["error"]
        assert error["code"] == code and error["details"]["reason"] == code
        assert error["details"]["upgrade_url"] == "/billing"
        assert "Growth plan and up" in error["message"]
    elif code is not None:
        assert answer.json()["error"]["code"] == code
