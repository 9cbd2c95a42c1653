"""Levqor's billing plugged into the runtime: the run quota before scheduled and webhook runs,
and the plan-and-usage sentence the assistant answers with (workflows and agents stay unaware
of `accounts`)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from accounts import limits
from accounts.billing import summary
from workflows.runtime import Runtime


async def billing_words(session: AsyncSession, workspace_id: str) -> str:
    """The workspace's plan, status and usage in plain sentences."""
    return (await summary(session, workspace_id)).sentence()


def install_billing(runtime: Runtime) -> Runtime:
    """Set the runtime's billing hooks (unless a test set its own)."""

    async def admit(workspace_id: str, action: str) -> str | None:
        async with runtime.sessions() as session:
            if action == "ai_draft":
                refused = await limits.admit_draft(session, workspace_id)
                await session.commit()
                return refused
            refusal = await limits.check(session, workspace_id, "workflow")
        return None if refusal is None else f"{refusal.message} {limits.UPGRADE_WORDS}"

    runtime.run_gate = runtime.run_gate or limits.run_gate
    runtime.billing_words = runtime.billing_words or billing_words
    runtime.admit = runtime.admit or admit
    return runtime
