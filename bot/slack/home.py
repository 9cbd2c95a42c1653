"""Build and publish a user's App Home from the workspace's figures."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from accounts.deletion import restorable_until
from bot.slack.deps import Actor, SlackDeps, workspace_for_team
from bot.slack.views.deleted_home import deleted_home_view
from bot.slack.views.home import Failure, HomeModel, WorkflowLine, home_view
from storage.models import RunStatus, WorkflowStatus
from workflows import runs, service
from workflows.health import figures


async def home_model(actor: Actor, deps: SlackDeps) -> HomeModel:
    """Figures, the latest failures and the active workflows of the actor's workspace."""
    workflows = await service.list_workflows(actor.tenant)
    names = {w.id: w.name for w in workflows}
    failed = await runs.list_runs(actor.tenant, status=RunStatus.failed.value, limit=5)
    return HomeModel(
        figures=await figures(actor.session, actor.workspace.id),
        link=deps.link(""),
        failures=[
            Failure(r.id, names.get(r.workflow_id, "?"), r.error, r.created_at) for r in failed
        ],
        workflows=[
            WorkflowLine(w.id, w.name) for w in workflows if w.status == WorkflowStatus.active
        ][:10],
    )


async def publish_deleted_home(
    deps: SlackDeps, client: AsyncWebClient, team_id: str | None, user_id: str
) -> bool:
    """If the team's workspace is deleted, say so on the home tab (and when it is erased, and
    where an owner restores it); False when it is not deleted."""
    async with deps.runtime.sessions() as session:
        workspace = await workspace_for_team(session, deps.settings, team_id)
    purge_on = restorable_until(workspace)
    if purge_on is None:
        return False
    view = deleted_home_view(workspace.name, purge_on, deps.link("/workspace/deleted"))
    await client.views_publish(user_id=user_id, view=view)
    return True


async def publish_home(actor: Actor, deps: SlackDeps, client: AsyncWebClient) -> None:
    """Publish the home tab for the acting user."""
    model = await home_model(actor, deps)
    await client.views_publish(user_id=actor.slack_user_id, view=home_view(model))
