"""A workflow in plain words, for web, Slack and chat alike: one describer.

`describe(spec)` says what starts it (with the next run times of a schedule), each step as a
sentence about what it does to whom ("Email you the report"), a one-paragraph summary, a sample
of each message it sends (`workflows.samples`), and the technical lines a front may show only
under an "Advanced" disclosure. Pure functions of a spec dict: half-edited specs are described
as far as they make sense, never raised on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from workflows.describe_conditions import condition_words
from workflows.describe_people import each_words
from workflows.describe_refs import Scene, content_words
from workflows.describe_steps import action_words, duration_words
from workflows.describe_triggers import next_run_words, trigger_summary, trigger_words
from workflows.samples import SampleMessage, preview

__all__ = [
    "Description",
    "StepWords",
    "describe",
    "reasons_in_words",
    "step_sentences",
    "summary",
    "trigger_words",
]
CONDITION_HOLDS = "(only when a condition holds)"
_REASON = re.compile(r"^([a-z][a-z0-9_]*): [a-z][a-z0-9_]*\.[a-z][a-z0-9_]* is (\w+)$")
_RISK_WORDS = {
    "read": "only reads data",
    "internal": "only tells your own people",
    "external": "reaches people outside your team or changes another system's records",
    "critical": "deletes data, moves money, handles credentials or sends in bulk",
}
# What a write marked with an `impact` does (http.request), said instead of the general words.
_IMPACT_WORDS = {
    "prices": "changes what your customers pay",
    "access": "cancels, closes or takes away what people have",
    "bulk": "messages everyone on a list at once",
    "delete": "deletes data",
    "money": "moves money",
    "data": "sends your customers' data outside",
    "records": "overwrites a field on many records at once",
}
SUMMARY_STEPS = 6


@dataclass(frozen=True)
class StepWords:
    """One step in words, with its sample message when it sends one."""

    number: int
    id: str
    text: str
    condition: str | None = None
    message: SampleMessage | None = None


@dataclass(frozen=True)
class Description:
    """Everything a card shows about a workflow, in words (plus the Advanced lines)."""

    name: str
    trigger: str
    next_runs: list[str]
    runs_zone: str | None
    steps: list[StepWords]
    summary: str
    advanced: list[str] = field(default_factory=list)


def _lower_first(text: str) -> str:
    """ "Post x" → "post x", but "AI …" and "HubSpot …" stay."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _steps(spec: Mapping[str, Any]) -> list[Any]:
    steps = spec.get("steps")
    return list(steps) if isinstance(steps, list) else []


def wait_words(wait: Any, scene: Scene) -> str:
    """ "Wait 2 days", "Wait until 24 hours before the booking's start time"."""
    from workflows.timed_waits import timed_wait

    try:
        timed = timed_wait(str(wait))
    except ValueError:
        timed = None
    if timed is None:
        return f"Wait {duration_words(wait)}"
    at = content_words(timed.at, scene)
    return (
        f"Wait until {duration_words(timed.lead)} before {at}" if timed.lead else f"Wait until {at}"
    )


def step_words(step: Any, scene: Scene, number: int) -> StepWords:
    """One step as a sentence: its action (or wait), with its condition in front."""
    if not isinstance(step, Mapping):
        return StepWords(number, "", "(a step that could not be read)")
    step_id = str(step.get("id") or f"step{number}")
    wait = step.get("wait")
    text = wait_words(wait, scene) if wait else action_words(step, scene)
    if step.get("for_each") and not wait:
        text = f"For each {each_words(step['for_each'], scene)}, {_lower_first(text)}"
    when = step.get("when")
    if not when:
        return StepWords(number, step_id, text)
    said = condition_words(when, scene)
    if said is None:
        return StepWords(number, step_id, f"{text} {CONDITION_HOLDS}", CONDITION_HOLDS)
    return StepWords(number, step_id, f"Only if {said}: {_lower_first(text)}", said)


def step_sentences(spec: Mapping[str, Any]) -> list[str]:
    """Each step of a spec as one sentence."""
    scene = Scene.of(spec)
    return [step_words(s, scene, n).text for n, s in enumerate(_steps(spec), 1)]


def summary(spec: Mapping[str, Any]) -> str:
    """The workflow in one paragraph ("Every Monday at 09:00 (UTC), Levqor will …")."""
    scene = Scene.of(spec)
    parts: list[str] = []
    for number, step in enumerate(_steps(spec), 1):
        words = step_words(step, scene, number)
        text = words.text
        if words.condition and words.condition != CONDITION_HOLDS:
            action = text.removeprefix(f"Only if {words.condition}: ")
            text = f"only if {words.condition}, {action}"
        parts.append(_lower_first(text))
    if not parts:
        return (
            f"{trigger_summary(spec.get('trigger'))}, Levqor will do nothing yet: it has no steps."
        )
    if len(parts) > SUMMARY_STEPS:
        more = len(parts) - SUMMARY_STEPS + 1
        parts = [*parts[: SUMMARY_STEPS - 1], f"{more} more steps"]
    body = parts[0] + "".join(f", then {p}" for p in parts[1:])
    return f"{trigger_summary(spec.get('trigger'))}, Levqor will {body}.{first_look(spec)}"


def first_look(spec: Mapping[str, Any]) -> str:
    """What the first check of a watched sheet does, for the summary ("" for other triggers)."""
    trigger = spec.get("trigger")
    if isinstance(trigger, Mapping) and trigger.get("type") == "poll" and trigger.get("pages"):
        shows = "the page shows" if len(trigger["pages"]) == 1 else "each page shows"
        return (
            f" The first check after approval only notes what {shows} now: each change after "
            "that starts its own run."
        )
    if not (
        isinstance(trigger, Mapping) and trigger.get("type") == "poll" and trigger.get("sheet")
    ):
        return ""
    return (
        " The first check after approval only notes the rows already in the sheet: each row "
        "added after that gets its own run."
    )


def advanced_lines(spec: Mapping[str, Any]) -> list[str]:
    """The technical view (trigger fields, action ids, inputs, conditions) for "Advanced"."""
    trigger = spec.get("trigger") if isinstance(spec.get("trigger"), Mapping) else {}
    lines = ["Trigger: " + json.dumps(trigger, ensure_ascii=False, default=str)]
    for number, step in enumerate(_steps(spec), 1):
        if not isinstance(step, Mapping):
            continue
        what = f"wait {step['wait']}" if step.get("wait") else str(step.get("action"))
        inputs = json.dumps(step.get("inputs") or {}, ensure_ascii=False, default=str)
        line = f"{number}. {step.get('id')}: {what} {inputs if not step.get('wait') else ''}"
        if step.get("for_each"):
            line += f" for each of {step['for_each']}"
        if step.get("when"):
            line += f" when {step['when']}"
        lines.append(line.rstrip())
    return lines


def describe(
    spec: Mapping[str, Any],
    *,
    timezone: str | None = None,
    now: datetime | None = None,
    samples: bool = True,
) -> Description:
    """The whole description; next runs shown in `timezone` (else the schedule's own zone)."""
    scene = Scene.of(spec)
    messages = preview(spec, now=now) if samples else {}
    steps = []
    for number, step in enumerate(_steps(spec), 1):
        words = step_words(step, scene, number)
        steps.append(
            StepWords(words.number, words.id, words.text, words.condition, messages.get(words.id))
        )
    runs, zone = next_run_words(spec.get("trigger"), timezone=timezone, now=now)
    return Description(
        name=str(spec.get("name") or "Untitled workflow"),
        trigger=trigger_words(spec.get("trigger")),
        next_runs=runs,
        runs_zone=zone,
        steps=steps,
        summary=summary(spec),
        advanced=advanced_lines(spec),
    )


def reasons_in_words(spec: Mapping[str, Any], reasons: list[str]) -> list[str]:
    """The policy's reasons for a class ("send: email.send is external") in plain words."""
    scene = Scene.of(spec)
    said = []
    for reason in reasons:
        found = _REASON.match(reason)
        step = scene.step(found.group(1)) if found else None
        if found is None or step is None or found.group(2) not in _RISK_WORDS:
            said.append(reason)
            continue
        number, text = step[0], step_words(step[1], scene, step[0]).text
        inputs = step[1].get("inputs") if isinstance(step[1], Mapping) else None
        impact = inputs.get("impact") if isinstance(inputs, Mapping) else None
        words = _IMPACT_WORDS.get(str(impact)) or _RISK_WORDS[found.group(2)]
        said.append(f"Step {number} {words}: {_lower_first(text)}.")
    return said
