"""Health and analytics questions answered with the figures of runs and contacts we create."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.config import Settings
from storage.models import CrmContact, Role, Workspace
from storage.types import utcnow
from tests.agents.conversation_worker import open_assistant
from tests.agents.test_conversation import member
from tests.workflows.helpers import activate, new_run

POST = {
    "name": "Ops ping",
    "trigger": {"type": "manual"},
    "steps": [
        {"id": "post", "action": "slack.post_message", "inputs": {"channel": "#ops", "text": "hi"}}
    ],
}
BROKEN = {
    "name": "Client update",
    "trigger": {"type": "manual"},
    "steps": [
        {"id": "post", "action": "slack.post_message", "inputs": {"channel": "#ops", "text": "x"}},
        {"id": "mail", "action": "email.send",
         "inputs": {"to": "member:nobody@example.com", "subject": "s", "text": "t"}},
    ],
}  # fmt: skip


async def test_health_failures_and_leads_are_real_figures(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    owner = await member(sessions, workspace, Role.owner)
    async with sessions() as session:
        for i, (source, age) in enumerate(
            [("website", 1), ("website", 3), ("referral", 5), ("ads", 20)]
        ):
            created = utcnow() - timedelta(days=age)
            session.add(
                CrmContact(
                    workspace_id=workspace.id,
                    email=f"lead{i}@example.com",
                    source=source,
                    created_at=created,
                )
            )
        await session.commit()
    thread = uuid.uuid4().hex
    async with open_assistant(settings, workspace.id, owner.id) as assistant:
        runtime = assistant.runtime
        good = await activate(sessions, workspace, POST, runtime.registry)
        bad = await activate(sessions, workspace, BROKEN, runtime.registry)
        for workflow in (good, good, bad):
            await runtime.engine.execute((await new_run(sessions, workflow)).run.id)

        reply = await assistant.send(thread, "how are my workflows doing?")
        assert reply.text.startswith(
            "3 runs in the last 7 days: 2 succeeded, 1 failed (66.7% success)."
        )
        assert "2 active workflows, 0 waiting for approval" in reply.text
        assert "Busiest: Ops ping (2), Client update (1)" in reply.text

        reply = await assistant.send(thread, "what failed this week and why?")
        assert reply.text.startswith("1 failed run in the last 7 days:")
        assert "Client update: 1 failed run; last error at mail:" in reply.text
        assert "member:nobody@example.com is not a member of this workspace" in reply.text

        reply = await assistant.send(thread, "how many leads came in last week?")
        assert reply.text == "3 new leads in the last 7 days (2 from website, 1 from referral)."
        reply = await assistant.send(thread, "how many leads came in this month?")
        assert reply.text.startswith("4 new leads in the last 30 days")
