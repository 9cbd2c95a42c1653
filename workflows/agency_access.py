"""A run an agency member asked for in a client workspace runs only while the agency is linked.

Unlinking cancels such runs at once (`accounts.agencies.unlink`); `withdrawn` is the engine's own
check (through `workflows.cancellation.why_cancel`) for a run whose job was already on its way to
a worker when the link ended.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Member, Run, Workspace


async def withdrawn(session: AsyncSession, run: Run) -> bool:
    """Whether the run was asked for by a member of an agency no longer linked to its workspace."""
    if run.requested_by is None:
        return False
    member = await session.get(Member, run.requested_by)
    if member is None or member.workspace_id == run.workspace_id:
        return False
    workspace = await session.get(Workspace, run.workspace_id)
    return workspace is None or workspace.parent_id != member.workspace_id
