"""A clarify with options: the reply offers them, and "2" (or the words) picks one."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from agents.assistant import Assistant
from agents.checkpoint import open_checkpointer
from agents.llm_drafter import LLMDrafter
from storage.models import Role, Workspace
from tests.agents.test_conversation import member
from tests.conftest import make_settings
from tests.fakes.openai_server import ScriptedOpenAI, openai_server
from tests.web.test_chat_choices import OPTIONS, script
from workflows.runtime import Runtime

__all__ = ["openai_server"]


async def test_offered_options_are_picked_by_number(
    tmp_path: Path,
    database_url: str,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    openai_server: ScriptedOpenAI,
) -> None:
    settings = make_settings(
        tmp_path, database_url, OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=openai_server.base_url
    )
    owner = await member(sessions, workspace, Role.owner)
    script(openai_server)
    runtime = await Runtime(settings).start(recover=False)
    drafter = LLMDrafter(settings, runtime.registry)
    try:
        async with open_checkpointer(settings) as checkpointer:
            assistant = Assistant(
                runtime, checkpointer, workspace_id=workspace.id, member_id=owner.id,
                drafter=drafter,
            )  # fmt: skip
            thread = uuid.uuid4().hex
            reply = await assistant.send(thread, "help me with my leads")
            assert reply.text == "Which of these should I set up?" and reply.draft is None
            assert reply.suggestions == OPTIONS
            reply = await assistant.send(thread, "2")
            assert reply.draft is not None and reply.draft["name"] == "New leads to #sales"
            assert reply.suggestions is None
    finally:
        await drafter.aclose()
        await runtime.close()
    asked = openai_server.requests[1].messages[-1]["content"]
    assert OPTIONS[1] in asked and OPTIONS[0] not in asked
