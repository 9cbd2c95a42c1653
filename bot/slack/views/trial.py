"""What "Try it" found, as Block Kit: each step's outcome and the messages it would send."""

from __future__ import annotations

from bot.slack.views.blocks import Block, context, fit, section
from bot.slack.views.draft_card import quote_block
from workflows.trial import Trial, TrialStep

_ICON = {
    "ok": ":white_check_mark:",
    "skipped": ":fast_forward:",
    "failed": ":x:",
    "waited": ":hourglass:",
}


def _step(step: TrialStep) -> str:
    lines = [f"{_ICON[step.outcome]} {step.number}. {step.text}", f"_{step.detail}_"]
    message = step.message
    if message is not None and step.outcome != "skipped":
        subject = f" _“{message.subject}”_" if message.subject else ""
        lines.append(f"*{message.headline(tried=True)}*{subject}\n{quote_block(message.body)}")
    return "\n".join(lines)


def trial_blocks(trial: Trial) -> list[Block]:
    """The try of a draft: what it used, each step, and that nothing was sent."""
    blocks: list[Block] = [
        section(f":test_tube: *Try-out of “{trial.name}”* on {trial.sample}."),
        *[section(_step(step)) for step in trial.steps],
        context(trial.verdict),
    ]
    problems = [f"{s.number}. {s.problem}" for s in trial.steps if s.problem]
    if problems:
        blocks.append(context("*Advanced:* " + " · ".join(f"`{p}`" for p in problems)))
    return fit(blocks)


def trial_text(trial: Trial) -> str:
    """The notification text of a try (where blocks cannot be shown)."""
    return f"Try-out of “{trial.name}”: {trial.verdict}"
