"""Account deletion and export steps shared by the REST API and the web pages."""

from __future__ import annotations

import asyncio

from fastapi import HTTPException

from accounts import deletion, export
from accounts.deletion_mail import email_deletion_link
from storage.models import Member, Workflow, Workspace
from workflows.runtime import Runtime


async def ask_to_delete(
    runtime: Runtime, session_workspace: Workspace, member: Member, typed_name: str
) -> str:
    """Start the deletion and email its link; what to tell the owner (HTTPException if refused)."""
    async with runtime.sessions() as session:
        workspace = await session.get(Workspace, session_workspace.id)
        fresh = await session.get(Member, member.id)
        assert workspace is not None and fresh is not None
        try:
            request = await deletion.request_deletion(
                session, runtime.settings, workspace, fresh, typed_name
            )
        except deletion.DeletionError as exc:
            raise HTTPException(exc.status, str(exc)) from None
        await session.commit()
    sent = await email_deletion_link(
        runtime.settings, runtime.sessions, runtime.http, workspace, request
    )
    if sent.delivered != "email":
        raise HTTPException(
            503, f"we could not email the confirmation link ({sent.problem or 'not sent'})"
        )
    return (
        f"We emailed {request.to} a link to finish deleting “{workspace.name}”. "
        f"It works once, for {request.minutes} minutes."
    )


async def reschedule(runtime: Runtime, workflows: list[Workflow]) -> None:
    """After a committed deletion or restore: stop or start the workspace's schedules."""
    for workflow in workflows:
        await runtime.sync_workflow(workflow)


_exports: set[asyncio.Task[bool]] = set()


def build_in_background(runtime: Runtime, job_id: str) -> asyncio.Task[bool]:
    """Build a committed export job's archive in the background of this process."""
    task = asyncio.create_task(export.build_export(runtime.settings, runtime.sessions, job_id))
    _exports.add(task)
    task.add_done_callback(_exports.discard)
    return task
