"""Replies to `/levqor` subcommands: lists and figures as short mrkdwn messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.slack.views.blocks import Block, context, cut, fit, section, slack_date
from integrations.connections import ConnectionView
from storage.models import Run, RunStatus
from workflows.cancellation import outcome_text

_CONNECTION_ICONS = {"connected": ":white_check_mark:", "broken": ":warning:",
                     "unverified": ":hourglass_flowing_sand:"}  # fmt: skip
_RUN_ICONS = {"succeeded": ":white_check_mark:", "failed": ":x:", "waiting": ":zzz:",
              "cancelled": ":no_entry_sign:"}  # fmt: skip

USAGE = (
    "Usage: `/levqor <what you want, in plain words>` or "
    "`/levqor list | status | runs [workflow] | run <workflow> | pause <workflow> | "
    "resume <workflow> | templates [category] | approvals | connections | support <question> | "
    "help`"
)

HELP = """*Levqor* turns plain words into automations, approved right here.
• `/levqor every Monday 9am post last week's new leads to #sales` — draft a workflow
• `/levqor list` — your workflows and their state
• `/levqor status` — health: active workflows, runs, success rate, approvals
• `/levqor runs [workflow]` — the latest runs
• `/levqor run <workflow>` — run one now
• `/levqor pause <workflow>` / `/levqor resume <workflow>`
• `/levqor templates [category]` — ready-made workflows
• `/levqor approvals` — what waits for a decision
• `/levqor connections` — which accounts (Slack, email, Stripe, …) are connected
• `/levqor support <question>` — an answer from the docs, or ask a person
• `/levqor workspace [client]` — agencies: which client workspace you act in, or switch
A workflow is named by its id (or the first characters of it) or by its name."""


@dataclass(frozen=True)
class Reply:
    """A reply: notification text plus blocks."""

    text: str
    blocks: list[Block]

    def as_kwargs(self) -> dict[str, Any]:
        """Arguments for `respond()` / `chat.postMessage`."""
        return {"text": self.text, "blocks": self.blocks}


def text_reply(text: str, link: str | None = None) -> Reply:
    """A one-section reply."""
    return Reply(cut(text, 3000), [section(text, link=link)])


def listing(title: str, lines: list[str], empty: str, link: str | None = None) -> Reply:
    """A title and one line per item (cut to the Block Kit limits, with a link for the rest)."""
    if not lines:
        return text_reply(f"*{title}*\n{empty}")
    blocks = [section(f"*{title}*")]
    chunk: list[str] = []
    for line in lines:
        if sum(len(x) + 1 for x in chunk) + len(line) > 2900:
            blocks.append(section("\n".join(chunk), link=link))
            chunk = []
        chunk.append(line)
    blocks.append(section("\n".join(chunk), link=link))
    return Reply(f"{title}: {len(lines)}", fit(blocks, link))


def run_line(run: Run, workflow_name: str, kept: str | None = None) -> str:
    """One run: outcome, workflow, short id, when, the error if it failed, and `kept` (what it
    did not send: "1 message was not sent: kept until …")."""
    icon = _RUN_ICONS.get(run.status.value, ":hourglass_flowing_sand:")
    error = f" — {cut(run.error, 200)}" if run.error else ""
    state = run.status.value
    if run.status == RunStatus.cancelled:  # "Cancelled — the workspace was deleted"
        state, error = cut(outcome_text(run.status, run.error), 200), ""
    note = f" — :outbox_tray: {kept}" if kept else ""
    when = slack_date(run.created_at)
    return f"{icon} *{workflow_name}* `{run.id[:8]}` {state} · {when}{error}{note}"


def status_reply(figures: dict[str, Any]) -> Reply:
    """Health figures of the workspace."""
    rate = figures.get("success_rate_24h")
    lines = [
        f"Active workflows: *{figures.get('active_workflows', 0)}*",
        f"Runs in the last 24 h: *{figures.get('runs_24h', 0)}* "
        f"({figures.get('succeeded_24h', 0)} succeeded, {figures.get('failed_24h', 0)} failed)",
        f"Success rate: *{'—' if rate is None else f'{rate} %'}*",
        f"Waiting runs: *{figures.get('waiting_runs', 0)}*",
        f"Pending approvals: *{figures.get('pending_approvals', 0)}*",
    ]
    return Reply("Levqor status", [section("*Levqor status*\n" + "\n".join(lines))])


def connections_reply(views: list[ConnectionView], page: str) -> Reply:
    """Each integration: connected or not, in words, with a link to the Connections page."""
    lines = []
    for view in views:
        icon = _CONNECTION_ICONS.get(view.status, ":white_circle:")
        summary = f" — {cut(view.summary, 200)}" if view.summary else ""
        lines.append(f"{icon} *{view.label}*: {view.status_text}{summary}")
    lines.append(f"<{page}|Connect, test or disconnect on the Connections page>")
    return Reply("Connections", [section("*Connections*\n" + "\n".join(lines))])


def drafting_failed(status: str, message: str) -> Reply:
    """What to say when a request was not drafted (a question to answer, or a refusal)."""
    if status == "clarify":
        return text_reply(f":thinking_face: {message}\nTry again with `/levqor …` and the answer.")
    return text_reply(f":no_entry: I can't set that up: {message}")


def note(text: str) -> Reply:
    """A small grey line."""
    return Reply(text, [context(text)])
