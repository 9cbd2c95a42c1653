"""Sample data for a workflow, and each message it sends rendered on that sample.

A realistic trigger payload per trigger type (a form submission, an email, a Stripe event, a
Slack message, feed items, a schedule tick) comes from the data files in `sample_data/`. Each
message step's inputs are rendered with the real sandboxed renderer (`workflows.expressions`)
against that payload and the earlier steps' sample outputs (the offline AI skills where they
exist, `sample_data/step_outputs.json` otherwise), so a card can say "It will post in #sales:
“New lead: Jane Doe …”". Pure: nothing here touches the database or the network.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from integrations import ai_offline
from integrations.report import summary as report_summary
from integrations.stripe_reminders import fill_placeholders
from workflows.describe_people import channel_words, host_words, recipient_words
from workflows.describe_refs import Scene
from workflows.expressions import ExpressionError, evaluate, render_value, summary, value_of
from workflows.sample_triggers import load, page_check_sample, sample_trigger, wrap

BODY_LIMIT = 1500
SKIPPED = "With this sample its condition is not met, so this step would be skipped."
UNCHECKED = "Its condition cannot be checked on sample data."
UNFILLED = "Part of it could not be filled in from the sample data."
FIRST_OF = "It sends one for each of the {count} items in the sample list; this is the first."
NO_ITEMS = "The sample list is empty, so this step would send nothing."
MessageKind = Literal["slack", "email", "http"]


@dataclass(frozen=True)
class SampleMessage:
    """A message a step sends, as rendered on the sample data."""

    kind: MessageKind
    to: str
    body: str
    subject: str | None = None
    note: str | None = None

    def headline(self, *, tried: bool = False) -> str:
        """ "It will post in #sales:" (or "It would …" for a try)."""
        verb = "would" if tried else "will"
        if self.kind == "slack" and self.to.endswith("(direct message)"):
            return f"It {verb} send {self.to.removesuffix(' (direct message)')} a direct message:"
        if self.kind == "slack":
            return f"It {verb} post in {self.to}:"
        if self.kind == "email":
            return f"It {verb} email {self.to}:"
        return f"It {verb} send this to {self.to}:"


def sample_context(spec: Mapping[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """The template context of a sample run: the trigger payload, no step outputs yet."""
    now = now or datetime.now(UTC)
    trigger, _ = sample_trigger(spec.get("trigger"), now)
    return {
        "trigger": trigger,
        "steps": {},
        "workspace": {"id": "sample", "name": "Your workspace", "slug": "your-workspace"},
        "workflow": {"id": "sample", "name": str(spec.get("name") or "")},
        "run": {"id": "sample", "dry_run": True},
        "now": now.isoformat(),
    }


def render_inputs(step: Mapping[str, Any], context: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The step's inputs rendered key by key, and whether any could not be filled in."""
    inputs = step.get("inputs")
    rendered: dict[str, Any] = {}
    failed = False
    for key, value in (inputs if isinstance(inputs, Mapping) else {}).items():
        try:
            rendered[str(key)] = render_value(value, context)
        except ExpressionError:
            failed = True
    return rendered, failed


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else summary(value) if value is not None else ""
    return text if len(text) <= BODY_LIMIT else text[: BODY_LIMIT - 1] + "…"


def _addresses(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [str(v) for v in items if isinstance(v, str) and "@" in v and ":" not in v]


def message_of(
    step: Mapping[str, Any], inputs: Mapping[str, Any], scene: Scene
) -> SampleMessage | None:
    """The message a step sends with these rendered inputs (None for steps that send none)."""
    action = str(step.get("action") or "")
    raw = step.get("inputs") if isinstance(step.get("inputs"), Mapping) else {}
    assert isinstance(raw, Mapping)
    if action == "slack.post_message":
        to = channel_words(raw.get("channel"), scene)
        return SampleMessage("slack", to, _text(inputs.get("text")))
    if action == "email.send":
        to = recipient_words(raw.get("to"), scene)
        shown = _addresses(inputs.get("to"))
        if shown and "{" in json.dumps(raw.get("to")):
            to = f"{to} ({', '.join(shown)})"
        subject = _text(inputs.get("subject"))
        return SampleMessage("email", to, _text(inputs.get("text")), subject)
    if action == "email.send_bulk":
        body, subject = _text(inputs.get("text")), _text(inputs.get("subject"))
        return SampleMessage("email", "every contact it selects in your CRM", body, subject)
    if action == "stripe.invoice_reminders":
        row = load("step_outputs")["stripe.list_invoices"]["invoices"][0]
        subject = fill_placeholders(str(inputs.get("subject") or ""), row)
        text = fill_placeholders(str(inputs.get("text") or ""), row)
        return SampleMessage("email", "each customer with an overdue invoice", text, subject)
    if action == "http.request" and str(inputs.get("method", "GET")).upper() not in ("GET", "HEAD"):
        body = inputs.get("json_body", inputs.get("json", inputs.get("body")))
        if body is None:
            return None  # a DELETE with nothing in it sends no message to show
        text = json.dumps(body, indent=1, default=str) if not isinstance(body, str) else body
        return SampleMessage("http", host_words(raw.get("url")), _text(text))
    return None


# The day the sample invoices are listed on (the sample overdue invoice, due 29 November, is 8
# days overdue on it).
_SAMPLE_DAY = date(2026, 12, 7)


def sample_output(action: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """What a step gives later steps on sample data (offline AI skills, else the data file)."""
    try:
        if action == "ai.categorize":
            found = ai_offline.categorize(
                str(inputs["text"]), [str(x) for x in inputs["labels"]], inputs.get("fallback")
            )
            return {"label": found.label, "confidence": found.confidence, "source": "offline"}
        if action == "ai.summarize":
            text = ai_offline.summarize(str(inputs["text"]), int(inputs.get("max_sentences", 3)))
            return {"summary": text, "source": "offline"}
        if action == "ai.extract":
            fields = [str(f) for f in inputs["fields"]]
            return {"fields": ai_offline.extract(str(inputs["text"]), fields), "source": "offline"}
        if action == "ai.draft_reply":
            templates = inputs.get("templates") or {}
            reply = ai_offline.draft_reply(
                str(inputs["message"]), inputs.get("label"), dict(templates), inputs.get("tone")
            )
            return {"reply": reply, "source": "offline"}
    except (KeyError, TypeError, ValueError, IndexError):
        pass
    if action == "http.check_pages" and isinstance(inputs.get("pages"), list):
        return page_check_sample(inputs)  # the page asked about, a drop when drops are watched
    base = dict(load("step_outputs").get(action, {}))
    if action == "slack.post_message":
        base.update(channel=str(inputs.get("channel") or ""), text=inputs.get("text"))
    if action == "email.send":
        base["recipients"] = _addresses(inputs.get("to")) or base.get("recipients", [])
    ahead = inputs.get("due_in_days")
    if action == "stripe.list_invoices" and isinstance(ahead, list) and ahead:
        # invoices falling due soon, as the step asks for: due in its first lead, not overdue
        days = int(ahead[-1])
        due = (_SAMPLE_DAY + timedelta(days=days)).isoformat() + "T00:00:00+00:00"
        base["invoices"] = [
            row | {"due_in_days": days, "overdue_days": 0, "due_date": due}
            for row in base.get("invoices", [])
        ]
    include = inputs.get("include")
    if action == "report.build" and isinstance(include, list) and include:
        # A report of chosen sections ("deals closed") says those, as the real report would.
        figures = {"runs_per_workflow": {}, "top_failing": [], **base["figures"]}
        title = str(inputs.get("title") or base.get("title") or "Report")
        base["text"] = report_summary(title, figures, [str(x) for x in include])
    return base


def preview(spec: Mapping[str, Any], *, now: datetime | None = None) -> dict[str, SampleMessage]:
    """Each message step's message on the sample data, by step id."""
    scene = Scene.of(spec)
    context = sample_context(spec, now)
    messages: dict[str, SampleMessage] = {}
    for step in scene.steps:
        action = step.get("action")
        if step.get("wait") or not isinstance(action, str):
            continue
        note = condition_note(step.get("when"), context)
        items, each_note = each_sample(step.get("for_each"), context)
        # A step repeated for each item is shown for the first (a blank one when there is none).
        first = {"item": items[0] if items else wrap({}), "item_index": 0}
        inputs, failed = render_inputs(
            step, {**context, **first} if step.get("for_each") else context
        )
        message = message_of(step, inputs, scene)
        if message is not None:
            notes = (note or (UNFILLED if failed else None), each_note)
            note = " ".join(dict.fromkeys(n for n in notes if n))
            messages[str(step.get("id"))] = replace(message, note=note) if note else message
        output = sample_output(action, inputs)
        if step.get("for_each"):  # as the engine gives it: each item's output, and how many
            output = {"items": [output] * len(items), "count": len(items)}
        if step.get("continue_on_error"):
            output = {**output, **failure_sample(action, inputs)}
        context["steps"][str(step.get("id"))] = wrap(output)
    return messages


def each_sample(source: Any, context: dict[str, Any]) -> tuple[list[Any], str | None]:
    """The sample list a `for_each` step repeats over, and a note saying how its message is
    shown: rendered for the first item (no list, no note)."""
    if not isinstance(source, str) or not source.strip():
        return [], None
    try:
        value = value_of(source, context)
    except ExpressionError:
        return [], UNFILLED
    if value is None or (isinstance(value, list | tuple) and not value):
        return [], NO_ITEMS
    if not isinstance(value, list | tuple):
        return [], UNFILLED
    return list(value), FIRST_OF.format(count=len(value)) if len(value) > 1 else None


def failure_sample(action: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """A step allowed to fail is shown failing, in the words a real failure has: the steps after
    it (an alert, a fallback) are usually there for that case."""
    if action == "http.request":
        error = f"{inputs.get('url') or 'the address'} answered 503"
    else:
        error = "it could not be done"
    return {"failed": True, "error": error}


def condition_note(when: Any, context: dict[str, Any]) -> str | None:
    """Why a step would not run on the sample (None when it would, or has no condition)."""
    if not isinstance(when, str) or not when.strip():
        return None
    try:
        return None if evaluate(when, context) else SKIPPED
    except ExpressionError:
        return UNCHECKED
