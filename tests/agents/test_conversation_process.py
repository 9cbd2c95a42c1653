"""The approval resume arrives in another process (a Slack click on another worker)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.config import Settings
from storage.models import Approval, AuditLog, Decision, Role, Workflow, WorkflowStatus, Workspace
from tests.agents.conversation_worker import open_assistant
from tests.agents.test_conversation import REQUEST, member

ROOT = Path(__file__).resolve().parents[2]


async def resume_elsewhere(
    settings: Settings, thread: str, member_id: str, workspace_id: str, approval_id: str
) -> dict[str, Any]:
    """Run the worker process against the same database and data dir; its reply as JSON."""
    env = {
        **os.environ,
        "DATABASE_URL": settings.resolved_database_url,
        "LEVQOR_DATA_DIR": str(settings.data_dir),
        "LEVQOR_SECRET_KEY": "test-secret-key-not-for-production",
        "LEVQOR_SCHEDULER": "false",
    }
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.agents.conversation_worker", "resume", thread, member_id,
        workspace_id, "approve", approval_id, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(worker.communicate(), 60)
    assert worker.returncode == 0, err.decode()
    reply: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return reply


@pytest.mark.slow
async def test_resume_in_a_second_process_activates_once(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    owner = await member(sessions, workspace, Role.owner)
    thread = uuid.uuid4().hex
    async with open_assistant(settings, workspace.id, owner.id) as assistant:
        await assistant.send(thread, REQUEST)
        card = (await assistant.send(thread, "looks good")).approval
        assert card is not None
    first = await resume_elsewhere(settings, thread, owner.id, workspace.id, card.approval_id)
    assert f"Approved: {card.workflow_name} is active" in first["text"]
    assert first["approval"] is None
    again = await resume_elsewhere(settings, thread, owner.id, workspace.id, card.approval_id)
    assert "already approved by Olivia Owner" in again["text"]
    async with sessions() as session:
        stored = await session.get(Workflow, card.workflow_id)
        approval = await session.get(Approval, card.approval_id)
        approvals = (
            await session.exec(select(AuditLog).where(AuditLog.action == "approval.approved"))
        ).all()
    assert stored is not None and stored.status == WorkflowStatus.active
    assert stored.active_version == 1
    assert approval is not None and approval.decision == Decision.approved
    assert len(approvals) == 1
    async with open_assistant(settings, workspace.id, owner.id) as assistant:
        assert await assistant.waiting(thread) is None
        reply = await assistant.send(thread, "list my workflows")
        assert f"{card.workflow_name}: active" in reply.text
