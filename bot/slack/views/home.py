"""App Home: health tiles, latest failures with Retry, active workflows with Run now."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.slack import ids
from bot.slack.views.blocks import (
    Block,
    actions,
    button,
    context,
    divider,
    fit,
    header,
    section,
    slack_date,
)


@dataclass(frozen=True)
class Failure:
    """A failed run shown on the home tab."""

    run_id: str
    workflow_name: str
    error: str | None
    at: datetime


@dataclass(frozen=True)
class WorkflowLine:
    """An active workflow shown on the home tab."""

    workflow_id: str
    name: str


@dataclass(frozen=True)
class HomeModel:
    """The figures and lists the home tab shows."""

    figures: dict[str, Any]
    link: str
    failures: list[Failure] = field(default_factory=list)
    workflows: list[WorkflowLine] = field(default_factory=list)


def _tile(label: str, value: object) -> dict[str, str]:
    return {"type": "mrkdwn", "text": f"*{label}*\n{value}"}


def home_view(model: HomeModel) -> dict[str, Any]:
    """The published home tab."""
    f = model.figures
    rate = "—" if f.get("success_rate_24h") is None else f"{f['success_rate_24h']} %"
    tiles: Block = {
        "type": "section",
        "fields": [
            _tile("Active workflows", f.get("active_workflows", 0)),
            _tile("Runs today (24 h)", f.get("runs_24h", 0)),
            _tile("Success rate (24 h)", rate),
            _tile("Pending approvals", f.get("pending_approvals", 0)),
        ],
    }
    blocks: list[Block] = [header("Levqor"), tiles]
    blocks.append(actions(button("Refresh", ids.HOME_REFRESH, "refresh")))
    blocks += [divider(), section("*Latest failures*")]
    if not model.failures:
        blocks.append(context("No failed runs. :tada:"))
    for failure in model.failures:
        stamp = slack_date(failure.at)
        text = f"*{failure.workflow_name}* · {stamp}\n{failure.error or 'failed'}"
        retry = button("Retry", ids.RETRY_RUN, failure.run_id)
        blocks.append(
            section(text, link=f"{model.link}/api/runs/{failure.run_id}", accessory=retry)
        )
    blocks += [divider(), section("*Active workflows*")]
    if not model.workflows:
        blocks.append(context("None yet. Try `/levqor every Monday 9am post new leads to #sales`."))
    for wf in model.workflows:
        run = button("Run now", ids.RUN_WORKFLOW, wf.workflow_id)
        blocks.append(section(f"{wf.name}  `{wf.workflow_id[:8]}`", accessory=run))
    return {"type": "home", "blocks": fit(blocks, model.link)}
