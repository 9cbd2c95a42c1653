"""Reply texts: short, concrete, with numbers. Pure functions of data (tested without a graph)."""

from __future__ import annotations

from typing import Any

_DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
_CLASS_WHO = {
    "A": "any member except viewers",
    "B": "an admin or owner (their own request only with a confirmation, in a one-owner "
    "workspace or one that allows self-approval)",
    "C": "an owner, with a second explicit confirmation (an owner's own request: a second owner "
    "or admin; a lone owner types its name and confirms by email)",
}
HELP = (
    "Tell me what to automate in your own words, e.g. \"every Monday 9am post last week's new "
    'leads to #sales". Then: revise it ("make it 8am London time", "also email me"), say '
    '"looks good" to send it for approval, "list my workflows", "run it now", "pause the '
    'weekly report", "show me reporting templates", "how are my workflows doing?", "what '
    'failed this week and why?", "how many leads came in last week?".'
)


def trigger_in_words(trigger: dict[str, Any]) -> str:
    """What starts a workflow, in plain English."""
    kind = trigger.get("type")
    if kind == "schedule":
        return f"{cron_in_words(str(trigger.get('cron', '')))} ({trigger.get('timezone', 'UTC')})"
    if kind == "interval":
        return f"every {trigger.get('seconds')} seconds"
    if kind == "webhook":
        return "when its webhook receives a request"
    if kind == "email":
        address = trigger.get("address")
        return f"when an email arrives{' at ' + address if address else ''}"
    if kind == "stripe":
        return f"on Stripe events: {', '.join(trigger.get('events', []))}"
    if kind == "slack":
        where = f" in {trigger['channel']}" if trigger.get("channel") else ""
        if trigger.get("command"):
            return f"on the Slack command {trigger['command']}{where}"
        if trigger.get("keyword"):
            return f"on a Slack message{where} containing “{trigger['keyword']}”"
        return f"on a Slack message{where}"
    if kind == "poll":
        return f"when new items appear at {trigger.get('url')}"
    return "only when you run it"


def cron_in_words(cron: str) -> str:
    """A 5-field crontab in words for the common shapes, else the crontab itself."""
    parts = cron.split()
    if len(parts) != 5 or not (parts[0].isdigit() and parts[1].isdigit()):
        return f"on schedule `{cron}`"
    minute, hour, dom, month, dow = parts
    at = f"{int(hour):02d}:{int(minute):02d}"
    if dom == "*" and month == "*":
        if dow == "*":
            return f"every day at {at}"
        if dow == "1-5":
            return f"every weekday at {at}"
        if all(d.isdigit() for d in dow.split(",")):
            names = [_DAY_NAMES[int(d) % 7] for d in dow.split(",")]
            return f"every {' and '.join(names)} at {at}"
    if month == "*" and dow == "*" and dom.replace(",", "").isdigit():
        return f"on day {dom} of every month at {at}"
    return f"on schedule `{cron}` (at {at})"


def step_in_words(step: dict[str, Any]) -> str:
    """One step as a short line."""
    if step.get("wait"):
        return f"wait {step['wait']}"
    inputs = step.get("inputs", {})
    action = str(step.get("action"))
    target = inputs.get("channel") or inputs.get("to") or inputs.get("url") or ""
    if isinstance(target, list):
        target = ", ".join(map(str, target))
    line = f"{action}{' → ' + str(target) if target else ''}"
    return f"{line} (only if {step['when']})" if step.get("when") else line


def draft_card(spec: dict[str, Any], approval_class: str | None, changes: list[str]) -> str:
    """The draft as a short card, ending with what to say next."""
    lines = [f"Draft: {spec.get('name')}", f"Runs {trigger_in_words(spec['trigger'])}."]
    steps = spec.get("steps", [])
    lines += [f"{i}. {step_in_words(s)}" for i, s in enumerate(steps, 1)]
    if changes:
        lines.insert(0, "Changed: " + "; ".join(changes) + ".")
    if approval_class:
        lines.append(f"Approval class {approval_class}: {_CLASS_WHO[approval_class]} approves.")
    if approval_class == "C":
        lines.append("Class C is flagged: it deletes, bills, handles credentials or bulk-sends.")
    lines.append('Say "looks good" to send it for approval, or tell me what to change.')
    return "\n".join(lines)


def who_approves(approval_class: str) -> str:
    """Who may approve a class, in words."""
    return _CLASS_WHO[approval_class]


def duration_text(ms: float | None) -> str:
    """A duration in ms or s."""
    if ms is None:
        return "unknown time"
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"
