"""The default conversation for mentions and DMs: draft what was asked and say what it would do.

The assistant graph replaces this later through the same `ConversationHandler` protocol.
"""

from __future__ import annotations

from agents.drafting import Drafter
from bot.slack.views.draft_card import describe_step
from bot.slack.views.triggers import describe_trigger
from storage.models import Member


class DraftingConversation:
    """Answers with a description of the draft, the question to clarify, or the refusal."""

    def __init__(self, drafter: Drafter) -> None:
        self.drafter = drafter

    async def handle(self, thread_key: str, text: str, member: Member) -> str:
        """Draft `text` and describe the result in a few lines."""
        if not text.strip():
            return "Tell me what to automate, e.g. “every Monday 9am post new leads to #sales”."
        result = await self.drafter.draft(text)
        if result.status == "clarify":
            return f":thinking_face: {result.question}"
        if result.status == "refuse" or not result.workflow:
            return f":no_entry: I can't set that up: {result.reason or 'not possible'}"
        spec = result.workflow
        steps = "\n".join(f"{i}. {describe_step(s)}" for i, s in enumerate(spec["steps"], 1))
        return (
            f"Here is what I would set up: *{spec['name']}*, "
            f"{describe_trigger(spec['trigger'])}.\n{steps}\n"
            f"Class {result.approval_class}. To get it approved, say `/levqor {text}`."
        )
