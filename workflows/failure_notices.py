"""Telling people a workflow broke, once per failure streak, and again when it works again.

A run that fails after a run that did not (or as the workflow's first) starts a streak: the
owners are emailed (unless the workspace turned that off) and the workspace's Slack channel, if
it set one, gets the alert with a Retry button. Further failures say nothing more; the bell keeps
showing the failure. The first success after a failure ends the streak with a "works again" note
on the same paths. Dry runs never count.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.base import ActionContext
from integrations.registry import ActionRegistry
from storage.config import Settings
from storage.models import Run, RunStatus, Workflow, Workspace
from workflows.run_writes import UNKNOWN, previous_outcome_of

log = logging.getLogger(__name__)
_MAX_REASON = 2500


async def previous_outcome(session: AsyncSession, run: Run) -> RunStatus | None:
    """How the workflow's last finished real run before `run` ended (None: there was none)."""
    subquery, params = previous_outcome_of(run)
    found = (await session.execute(select(subquery), params)).scalar()
    return RunStatus(found) if found is not None else None


def run_link(settings: Settings, run: Run) -> str:
    """The web page of a run (a browser opens it; the JSON API would answer 401)."""
    return f"{settings.public_url.rstrip('/')}/runs/{run.id}"


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_REASON else text[: _MAX_REASON - 1] + "…"


@dataclass
class FailureNotices:
    """Sends the streak's first failure and its recovery to the workspace's people."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    registry: ActionRegistry
    http: httpx.AsyncClient

    async def failed(
        self, run: Run, message: str, previous: RunStatus | str | None = UNKNOWN
    ) -> None:
        """After a real run failed: tell people if this starts a failure streak.

        `previous`: how the workflow's previous finished run ended, when the commit that ended
        `run` read it already (in its own transaction); else (UNKNOWN) it is read here."""
        if previous == RunStatus.failed:
            return  # the streak was told already
        async with self.sessions() as session:
            if previous == UNKNOWN and await previous_outcome(session, run) == RunStatus.failed:
                return
            workspace = await session.get(Workspace, run.workspace_id)
            workflow = await session.get(Workflow, run.workflow_id)
        if workspace is None or workflow is None:
            return
        details = run_link(self.settings, run)
        if workspace.alert_channel:
            await self._slack(run, workspace, _failure_blocks(workflow.name, run, message, details))
        if workspace.failure_email:
            await self._email(
                run,
                f"“{workflow.name}” failed",
                f"Your workflow “{workflow.name}” failed:\n\n{_clip(message)}\n\n"
                f"See what happened and retry it: {details}\n\n"
                "We tell you once while it keeps failing, and again when it works.\n",
            )

    async def succeeded(self, run: Run, previous: RunStatus | str | None = UNKNOWN) -> None:
        """After a real run succeeded: tell people if it ends a failure streak.

        `previous` as for `failed`: known from the ending commit, nothing is read for a run
        after a success (the common case)."""
        if previous != UNKNOWN and previous != RunStatus.failed:
            return
        async with self.sessions() as session:
            if previous == UNKNOWN and await previous_outcome(session, run) != RunStatus.failed:
                return
            workspace = await session.get(Workspace, run.workspace_id)
            workflow = await session.get(Workflow, run.workflow_id)
        if workspace is None or workflow is None:
            return
        details = run_link(self.settings, run)
        text = f":white_check_mark: Workflow *{workflow.name}* works again.\nDetails: {details}"
        if workspace.alert_channel:
            await self._slack(run, workspace, {"text": text})
        if workspace.failure_email:
            await self._email(
                run,
                f"“{workflow.name}” works again",
                f"Your workflow “{workflow.name}” ran successfully after failing.\n\n"
                f"The run: {details}\n",
            )

    def _ctx(self, run: Run, step: str) -> ActionContext:
        return ActionContext(
            settings=self.settings,
            sessions=self.sessions,
            http=self.http,
            workspace_id=run.workspace_id,
            workflow_id=run.workflow_id,
            run_id=run.id,
            step_id=step,
            idempotency_key=f"{run.id}:{step}",
        )

    async def _slack(self, run: Run, workspace: Workspace, message: dict[str, Any]) -> None:
        try:
            await self.registry.get("slack.post_message").run(
                self._ctx(run, "alert"), {"channel": workspace.alert_channel, **message}
            )
        except Exception:
            log.exception("could not post the failure notice for run %s", run.id)

    async def _email(self, run: Run, subject: str, text: str) -> None:
        try:
            await self.registry.get("email.send").run(
                self._ctx(run, "alert-email"),
                {"to": "member:owners", "subject": subject, "text": text},
            )
        except Exception:
            log.exception("could not email the failure notice for run %s", run.id)


def _failure_blocks(name: str, run: Run, message: str, details: str) -> dict[str, Any]:
    head = f":rotating_light: Workflow *{name}* failed (run `{run.id[:8]}`)."
    text = (
        f":rotating_light: Workflow *{name}* failed (run {run.id[:8]}).\n{message}\n"
        f"Details: {details}"
    )
    blocks = [  # the Retry button's action_id is handled by bot/slack (ids.RETRY_RUN)
        {"type": "section", "text": {"type": "mrkdwn", "text": f"{head}\n{_clip(message)}"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"<{details}|Details>"}]},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Retry"},
                    "action_id": "run_retry",
                    "value": run.id,
                }
            ],
        },
    ]
    return {"text": text, "blocks": blocks}
