"""The offline planner: a deterministic drafting engine from plain language to a WorkflowSpec."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import ValidationError

from agents.drafts import DraftResult
from agents.planner import dangerous, vague
from agents.planner.builder import build_spec, complete_spec
from agents.planner.compose import compose_messages, note_unsupported
from agents.planner.each import each_item, each_record, read_quiet_contacts, read_the_people
from agents.planner.guard import (
    LOOK_ONLY,
    NO_ACTIONS,
    choices_for,
    clarification,
    credential_steps,
    handles_secrets,
    mentions_secrets,
    placeholder_steps,
    reader_without_address,
    refusal,
)
from agents.planner.intents import (
    TriggerReading,
    detect_trigger,
    event_clause,
    event_words,
    mask_inbound,
)
from agents.planner.learned import RULE_WEIGHT, choose_trigger, prediction_for
from agents.planner.notify import tell_the_asker, without_conditions
from agents.planner.recipes import apply_recipes
from agents.planner.recipes_pages import page_reading, shape_page_check, shape_page_watch
from agents.planner.recipes_sheets import (
    DRIVE_CHOICES,
    drive_folder_draft,
    drive_folder_question,
    keep_sheet_poll,
)
from agents.planner.recipients import reminder_points_masked
from agents.planner.schedule import minutes_note, once_note, schedule_note
from agents.planner.slots import read_slots
from agents.planner.text import active_voice, normalise
from agents.planner.the_act import act_step, ftp_note
from agents.planner.tools import event_source
from agents.planner.when.foreign import looks_foreign
from agents.planner.zones import find_timezone
from agents.risk_check import reads_as_risky, reads_as_vague, with_owner_check
from workflows.errors import plain_message
from workflows.policy import assess
from workflows.schedule_words import describe_schedule, zone_words
from workflows.spec import WorkflowSpec

if TYPE_CHECKING:
    from integrations.registry import ActionRegistry

__all__ = ["draft"]


def draft(request: str, registry: ActionRegistry | None = None) -> DraftResult:
    """Draft, clarify or refuse one plain-language request (no network, no model)."""
    text = active_voice(normalise(request))  # "deals … should be moved to lost": move them
    slots = read_slots(text)
    masked = reminder_points_masked(text)  # what a reminder asks of us is not what it does
    prediction = prediction_for(request if masked == text else masked)
    if masked != text:  # "remind #ops to export the figures to the sheet": no sheet is used
        slots.tools = read_slots(masked).tools
    reading = detect_trigger(slots.text, slots.quoted, slots.tools)
    trigger = choose_trigger(reading, prediction, slots.text, slots.quoted)
    trigger = page_reading(slots.text, request, trigger) or trigger  # a web page's changes
    channel = trigger.spec.get("channel")
    if isinstance(channel, str):  # the rules read "#ch0" placeholders: name the real channel
        trigger.spec["channel"] = slots.real_channel(channel)
    if trigger.kind == "webhook" and not trigger.spec.get("form"):
        source = event_source(event_clause(slots.text) or re.split(r"[,.;:>→]", slots.text)[0])
        if source:
            trigger.spec["source"] = source
        happens = event_words(text, request)
        if happens:
            trigger.spec["event"] = happens
    unclear = vague.is_vague(text)
    # a few words naming no start, place or value: asked about unless a sharper question is
    short = trigger.kind == "manual" and trigger.rule in ("default", "model")
    short = short or (reading.rule == "default" and trigger.rule == "model")  # the model's guess
    short = short and not unclear and vague.too_short_to_build(text)
    short = short and dangerous.risky_act(text) is None  # "delete contacts who replied" is clear
    if unclear and trigger.kind != "schedule" and trigger.rule in ("default", "model"):
        trigger = TriggerReading("manual", {"type": "manual"}, "vague")  # nothing names a start
    timezone = find_timezone(text)
    if trigger.kind == "schedule":
        trigger.spec["timezone"] = timezone or "UTC"
    raw = build_spec(request, trigger, slots)
    settled = apply_recipes(raw, trigger, slots)
    complete_spec(raw, trigger, slots, prediction)
    keep_sheet_poll(raw)
    tell_the_asker(raw, slots.text)  # "tell me when …", no channel named: an email to them
    compose_messages(raw, request)  # messages say what they are for, never the trigger dump
    shape_page_watch(raw)  # a watched page: the messages say what changed, before and after
    shape_page_check(raw, slots.text, request)  # pages looked at on a schedule: the same
    each_record(raw, request)  # on a schedule, "email each client" is sent for each record read
    each_item(raw)  # a step on "the record" (`item`) repeats over the list read before it
    note_unsupported(raw, request)  # no SMS of its own, no translation: the description says so
    note = None
    if raw["trigger"]["type"] == "schedule":
        note = minutes_note(slots.text) or schedule_note(raw["trigger"]) or once_note(slots.text)
    if note:
        raw["description"] = f"{raw['description']} ({note})"[:2000]
    if timezone and raw["trigger"]["type"] != "schedule":
        raw["description"] = f"{raw['description']} (times in {zone_words(timezone)})"[:2000]
    if handles_secrets(text) and not any(
        s.get("action") == "credentials.rotate" for s in raw["steps"]
    ):
        # Credential handling, whatever else it does (class C): rotating is drafted, revealing
        # is refused.
        raw["steps"][:0] = credential_steps(text)
    refused = refusal(text) or dangerous.refusal(text)
    if not unclear and not refused and _drafted_class(raw, registry) not in (None, "C"):
        # a risky act asked for that no drafted step does: draft it for an owner to confirm
        dangerous.draft_the_act(raw["steps"], slots.text, text)
    if not raw["steps"] and not unclear and not refused:
        # an act said plainly in a tool with no integration: a call to that tool, named in the
        # request's words, at a stand-in address the person fills in (agents/planner/the_act.py)
        act = act_step(slots.text)
        if act is not None:
            raw["steps"].append(act)
            note = ftp_note(raw["steps"], slots.text)
            if note:
                raw["description"] = f"{raw.get('description', '')} ({note})"[:2000]
    asked = without_conditions(mask_inbound(slots.text))  # "opened an email" asks no send
    question = clarification(asked, raw, slots.tools | settled)
    suggestions = choices_for(question)
    if drive_folder_question(slots.text):  # nothing can watch a Drive folder yet: say so
        drive_folder_draft(raw)
        question, suggestions = drive_folder_question(slots.text), list(DRIVE_CHOICES)
    if question == NO_ACTIONS and looks_foreign(text):
        question = _in_english_please(raw["trigger"])  # the time was read; the rest was not
    elif question == NO_ACTIONS:
        suggestions = _template_suggestions(text)  # what others start with, to pick from
        if suggestions:
            question = (
                "What should it do? Tell me in a sentence what starts it and what should "
                "happen, or pick one of these."
            )
    if not question and not unclear:
        question = reader_without_address(request, raw)  # "email me and Dana": Dana's address
        suggestions = ["Just email me"] if question else suggestions
    # The vagueness model never decides where the words name a channel, an address, a web
    # address, two tools or a risky act ("remove old contacts from the crm" is clear). Where they
    # name nothing to build on (no start the rules read: a clock, a mailbox, an event; no tool)
    # it decides at its usual line; where they name a start or one tool ("connect fareharbor to
    # our stuff"), only at its stricter line, where a quarter as many clear requests are taken
    # for vague.
    placed = bool(slots.channels or slots.addresses) or len(slots.tools) > 1  # "typeform to slack"
    placed = placed or bool(re.search(r"https?://|\b[\w-]+\.(?:com|co|io|org|net|uk|dev)\b", text))
    placed = placed or dangerous.risky_act(text) is not None
    loose = RULE_WEIGHT.get(trigger.rule, 0.0) < 0.5 and trigger.rule not in ("event", "webhook")
    loose = loose and trigger.kind != "poll" and not slots.tools and not placed
    named = False  # asked about although the words name a start or a tool
    vague_words = not question and not unclear and not refused and not placed
    if vague_words and reads_as_vague(request, strict=not loose):
        # worded too loosely to draft, as the vagueness model reads it; where the words name a
        # start, a place or a tool, only at its stricter line ("connect fareharbor to our stuff")
        unclear, named = True, not loose
    if unclear or (short and not question):
        question, suggestions = vague.question(text), _template_suggestions(text)
        unclear = True
    reason = refused
    if question:
        raw["steps"].extend(placeholder_steps(raw, without_conditions(slots.text)))
    elif not refused:
        read_the_people(raw, slots.text)  # a clock starts it: the people emailed are read first
        read_quiet_contacts(raw, slots.text)  # "leads that haven't replied in 2 weeks": found
    try:
        spec = WorkflowSpec.model_validate(raw)
    except ValidationError as exc:
        detail = plain_message(exc.errors()[0]["msg"])
        return DraftResult(
            status="clarify", question=f"Could you rephrase that? ({detail})", timezone=timezone
        )
    approval = assess(spec, registry or _registry()).approval_class
    drafted = approval  # the class of the steps drafted, before what was asked is reported
    if not reason and not (question and unclear):
        # worded as risky in a way no rule recognised: an owner checks it (agents/risk_check.py)
        spec = with_owner_check(request, spec, approval)
        approval = assess(spec, registry or _registry()).approval_class
    if dangerous.refusal(text) or (reason and dangerous.risky_act(text)):
        approval = "C"  # what was asked (scraped lists, data sent out, money moved) is class C
    elif question and (
        dangerous.risky_act(text)
        or mentions_secrets(text)
        or ((named or not unclear) and reads_as_risky(request))  # a draft short of details
    ):
        approval = "C"  # asked about, but what it would do (delete, move money…) is class C
    reason = reason or (None if question and unclear else dangerous.unchecked(text, drafted))
    workflow = spec.model_dump(mode="json", exclude_none=True)
    if reason:
        return DraftResult(
            status="refuse",
            reason=reason,
            approval_class=approval,
            timezone=timezone,
            workflow=workflow,
        )
    if question:
        if [s["id"] for s in workflow["steps"]] == [LOOK_ONLY]:
            workflow["steps"] = []  # nothing asked of any step yet: only the start was read
        return DraftResult(
            status="clarify",
            question=question,
            suggestions=suggestions or None,
            approval_class=approval,
            timezone=timezone,
            workflow=workflow,
        )
    return DraftResult(
        status="draft", approval_class=approval, timezone=timezone, workflow=workflow
    )


def _drafted_class(raw: dict[str, object], registry: ActionRegistry | None) -> str | None:
    """The approval class of the steps drafted so far (A for none yet), or None when they are
    not a valid spec."""
    if not raw.get("steps"):
        return "A"
    try:
        spec = WorkflowSpec.model_validate(raw)
    except ValidationError:
        return None
    return assess(spec, registry or _registry()).approval_class


def _in_english_please(trigger: dict[str, object]) -> str:
    """The question for a request in another language: what was read, and what to say."""
    when = describe_schedule(trigger) if trigger.get("type") == "schedule" else None
    read = f"I read when it runs: {when}. " if when else ""
    return (
        f"{read}I understand what to do best in English: what should it do each time, and who "
        "should get it (for example: email the weekly report to boss@company.com)?"
    )


def _template_suggestions(text: str) -> list[str]:
    """Two or three template asks close to the request (padded from its topic when few match)."""
    from agents.suggest import suggest_from_templates

    options = suggest_from_templates(text)
    for fallback in (vague.topic(text) or "", "new leads weekly report failed payments"):
        if len(options) >= 2:
            break
        options += [o for o in suggest_from_templates(fallback) if o not in options]
    return options[:3]


def _registry() -> ActionRegistry:
    from integrations.catalog import default_registry

    return default_registry()
