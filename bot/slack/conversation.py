"""Conversations for mentions and DMs.

`AssistantConversation` (the default in `create_bolt_app`) hands the thread to the assistant graph;
`DraftingConversation` only describes a draft, for setups without the assistant's checkpointer.
"""

from __future__ import annotations

from agents.assistant import Assistant
from agents.checkpoint import open_checkpointer
from agents.drafting import Drafter
from bot.slack.deps import Said
from storage.models import Member
from workflows.describe import describe
from workflows.runtime import Runtime

PROMPT = "Tell me what to automate, e.g. “every Monday 9am post new leads to #sales”."


class DraftingConversation:
    """Answers with a description of the draft, the question to clarify, or the refusal."""

    def __init__(self, drafter: Drafter) -> None:
        self.drafter = drafter

    async def handle(self, thread_key: str, text: str, member: Member) -> Said:
        """Draft `text` and describe the result in a few lines."""
        if not text.strip():
            return Said(PROMPT)
        result = await self.drafter.draft(text)
        if result.status == "clarify":
            return Said(f":thinking_face: {result.question}", result.suggestions or [])
        if result.status == "refuse" or not result.workflow:
            return Said(f":no_entry: I can't set that up: {result.reason or 'not possible'}")
        described = describe(result.workflow)
        steps = "\n".join(f"{step.number}. {step.text}" for step in described.steps)
        return Said(
            f"Here is what I would set up: *{described.name}*, {described.trigger}.\n{steps}\n"
            f"Class {result.approval_class}. To get it approved, say `/levqor {text}`."
        )


class AssistantConversation:
    """Mentions and DMs talk to the assistant graph: one LangGraph thread per Slack thread."""

    def __init__(self, runtime: Runtime, drafter: Drafter) -> None:
        self.runtime = runtime
        self.drafter = drafter

    async def handle(self, thread_key: str, text: str, member: Member) -> Said:
        """Send `text` to the assistant as `member` and return its reply for the thread."""
        if not text.strip():
            return Said(PROMPT)
        async with open_checkpointer(self.runtime.settings) as checkpointer:
            assistant = Assistant(
                self.runtime,
                checkpointer,
                workspace_id=member.workspace_id,
                member_id=member.id,
                drafter=self.drafter,
            )
            reply = await assistant.send(thread_key, text, member_id=member.id)
        choices = reply.suggestions or []
        if reply.approval is None:
            return Said(reply.text, choices)
        return Said(
            f"{reply.text}\n_Reply *approve* or *reject* in this thread, "
            "or use `/levqor approvals`._",
            choices,
        )
