"""Reply texts: short, concrete, with numbers. Pure functions of data (tested without a graph)."""

from __future__ import annotations

from typing import Any

from agents.unsupported import spec_text, texting_note, translation_note
from workflows.describe import describe
from workflows.needs import needs_sentence
from workflows.samples import SampleMessage

_CLASS_WHO = {
    "A": "any member except viewers",
    "B": "an admin or owner (their own request only with a confirmation, in a one-owner "
    "workspace or one that allows self-approval)",
    "C": "an owner who types its name (an owner's own request: a second owner or admin, who "
    "types its name too; a lone owner types its name and confirms by email)",
}
HELP = (
    "Tell me what to automate in your own words, e.g. \"every Monday 9am post last week's new "
    'leads to #sales". Then: revise it ("make it 8am London time", "also email me"), say '
    '"looks good" to send it for approval, "list my workflows", "run it now", "pause the '
    'weekly report", "show me reporting templates", "how are my workflows doing?", "what '
    'failed this week and why?", "how many leads came in last week?".'
)


def sample_line(message: SampleMessage, limit: int = 120) -> str:
    """A step's sample message on one line: 'It will post in #sales: “New lead: …”'."""
    body = " ".join(message.body.split())
    body = body if len(body) <= limit else body[: limit - 1] + "…"
    subject = f"“{message.subject}” — " if message.subject else ""
    return f"{message.headline()} {subject}“{body}”"


def draft_card(
    spec: dict[str, Any],
    approval_class: str | None,
    changes: list[str],
    public_url: str | None = None,
) -> str:
    """The draft as a short card in plain words, ending with what to say next.

    With `public_url`, it also says which connections the workflow needs and where to add them.
    """
    described = describe(spec)
    lines = [f"Draft: {described.name}", f"Runs {described.trigger}."]
    if described.next_runs:
        lines.append("Next runs: " + " · ".join(described.next_runs) + ".")
    for step in described.steps:
        lines.append(f"{step.number}. {step.text}")
        if step.message is not None and step.message.note is None:
            lines.append(f"   {sample_line(step.message)}")
    if changes:
        lines.insert(0, "Changed: " + "; ".join(changes) + ".")
    if approval_class:
        lines.append(f"Approval class {approval_class}: {_CLASS_WHO[approval_class]} approves.")
    if approval_class == "C":
        lines.append("Class C is flagged: it deletes, bills, handles credentials or bulk-sends.")
    texting = texting_note(spec)
    if texting:
        lines.append(texting)
    translating = translation_note(spec_text(spec))
    if translating:
        lines.append(translating)
    needs = needs_sentence(spec, public_url) if public_url else None
    if needs:
        lines.append(needs)
    lines.append('Say "looks good" to send it for approval, or tell me what to change.')
    return "\n".join(lines)


def workflow_summary(spec: dict[str, Any], status: str) -> str:
    """A stored workflow in a few lines: name and status, what starts it, its steps."""
    described = describe(spec)
    lines = [f"{described.name} ({status.replace('_', ' ')})", f"Runs {described.trigger}."]
    lines += [f"{step.number}. {step.text}" for step in described.steps]
    return "\n".join(lines)


def who_approves(approval_class: str) -> str:
    """Who may approve a class, in words."""
    return _CLASS_WHO[approval_class]


def duration_text(ms: float | None) -> str:
    """A duration in ms or s."""
    if ms is None:
        return "unknown time"
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"
