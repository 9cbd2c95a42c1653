"""Writes to systems of record the business owns: CRM contacts and spreadsheet rows."""

from __future__ import annotations

import re
from typing import Any

from agents.planner.intents import CRM_NAMES, TriggerReading, without_event_clause
from agents.planner.slots import Slots
from agents.planner.steps import StepList
from agents.planner.text import has, title_words
from agents.planner.tools import display_name, first_named_tool, records_place, stand_in_api

_DELETE = r"\b(?:wipe|delete|remove|purge|erase|get\s+rid\s+of|clean\s+out)\b"

# Taking a tag, label or field off a record changes it; the record stays ("remove the 'lead'
# tag from contacts who replied" deletes no contact).
_REMOVES_ATTRIBUTE = (
    r"\b(?:remove|removes|removing|delete|deletes|deleting|clear|clears|clearing|drop|drops|strip)\s+"
    r"(?:the\s+|a\s+|an\s+|their\s+|its\s+|any\s+|all\s+)?(?:['\"][^'\"]{1,40}['\"]\s+|[\w-]+\s+)?"
    r"(?:tags?|labels?|flags?|fields?|status|roles?|assignees?|stars?|badges?|propert(?:y|ies)|"
    r"watermarks?|formatting|duplicates?\s+tags?)\b"
)


# Taking someone out of a channel, list or sequence changes who is in it; nobody is deleted
# ("remove them from the vip slack channel"). Out of a workspace or an account is access.
REMOVES_MEMBERSHIP = (
    r"\b(?:remove|removes|removing|take|takes|kick|kicks|drop|drops)\s+(?:them|him|her|it|the\s+\w+|"
    r"that\s+\w+|each\s+\w+|every\s+\w+|all\s+\w+)\s+(?:out\s+)?(?:of|from)\s+(?:the\s+|our\s+|my\s+|"
    r"that\s+|this\s+)?(?:[\w'#-]+\s+){0,3}(?:channels?|lists?|groups?|audiences?|sequences?|"
    r"campaigns?|segments?|newsletters?|drips?|cadences?|queues?|boards?|rotas?)\b"
)


def attributes_masked(text: str) -> str:
    """The text with removals of a tag, label or field, or from a channel or list, blanked
    (they delete no record)."""
    text = re.sub(_REMOVES_ATTRIBUTE, lambda m: " " * len(m.group(0)), text)
    return re.sub(REMOVES_MEMBERSHIP, lambda m: " " * len(m.group(0)), text)


_CRM_UPSERT = (
    r"\badd(?:s|ed|ing)?\s+(?!(?:an?\s+)?(?:notes?|tasks?|tags?|comments?|to-?dos?|rows?)\b)"
    r"(?:[^.]{0,40}?\s)?(?:to|into|in)\s+(?:[^.]{0,20}?\s)?" + CRM_NAMES + r"|"
    r"\bcreate[sd]?\s+(?:a\s+|an\s+|the\s+)?(?:new\s+)?(?:deal|contact|lead|record|person)|"
    r"(?:->|→|\binto)\s+(?:our\s+|the\s+)?" + CRM_NAMES + r"|"
    r"\b(?:put|save|store|log|record|go|goes|land|enter|capture|become|becomes)\b[^.]{0,40}"
    r"\bin\s+(?:our\s+|the\s+)?" + CRM_NAMES + r"|\bnew\s+contact\b|"
    r"\bpull\b[^.]{0,60}\binto\b[^.]{0,20}" + CRM_NAMES + r"|\bsync\w*|\btwo[- ]way|\bboth\s+ways|"
    # "push it to hubspot right away", "send the lead over to salesforce"
    r"\b(?:push|pushes|send|sends|pass|passes|hand|hands|forward|forwards|copy|copies)\s+"
    r"(?:it|them|the\s+(?:lead|contact|person|deal|record)s?|each\s+one)\s+(?:over\s+|along\s+|on\s+)?"
    r"(?:to|into)\s+(?:our\s+|the\s+)?" + CRM_NAMES + r"\b"
)
_SHEET_APPEND = (
    r"(?:\b(?:add|append|log|put|insert|record|save)\w*|\bgo(?:es)?)\b[^.]{0,40}"
    r"\b(?:row|sheet|spreadsheet)|\brow\s+to\b|\bgo\s+in\s+our\b|"
    r"\b(?:mirror|copy|push|export|send|dump)\w*\b[^.]{0,40}\b(?:into|to|in)\s+(?:our\s+|the\s+|a\s+)?"
    r"(?:[\w'\"-]+\s+){0,3}(?:sheet|spreadsheet)"
)
_SHEET_UPDATE = (
    r"\btick\b|\bupdate\b[^.]{0,30}\bsheet|\bupdate\w*\s+(?:the\s+)?(?:\w+\s+){0,2}rows?\b|"
    r"\bgo\s+to\s+the\s+sheet|\bsync|\btwo[- ]way|\bboth\s+ways|\bmilestone"
)
_SHEET_TARGET = r"\b(?:sheet|spreadsheet|rows?|tab)\b"
_CRM_RECORD = CRM_NAMES + r"|\brecords?\b|\bcontacts?\b"
_CRM_UPDATE = (
    r"\b(?:mark|marks|flag|tag|tick|move|moves|set|update|log|note|to-?do|stage|vip|"
    r"milestones?|edits?|copy|task)\b"
)


def sheet_writes(steps: StepList, w: str) -> None:
    """Append a row or update the matching row when the request writes to a sheet."""
    name, tab = sheet_name(w), tab_of(w)
    if has(w, _SHEET_APPEND):
        steps.add(
            "append_row",
            "sheets.append_row",
            {"spreadsheet": name, "sheet": tab, "values": "{{ trigger }}"},
        )
    if has(w, _SHEET_UPDATE):
        match = {"email": "{{ trigger.email }}"}
        row = {
            "spreadsheet": name,
            "sheet": tab,
            "match": match,
            "values": {"updated": "{{ now }}"},
        }
        steps.add("update_row", "sheets.update_row", row)


# Contacts picked by what crm.delete_contacts cannot say ("who bounced", "with no email").
_PICKED = (
    r"\b(?:contacts?|leads?|customers?|records?|people|subscribers?|ones)"
    r"(?:\s+(?:in|on|from|of)\s+(?:our\s+|the\s+|my\s+)?[\w-]+)?"  # "contacts in our crm that …"
    r"\s+(?:who|that|which|whose|with|without|where|whom)\b"
)
_OLD = r"\b(?:old|stale|inactive|dormant|unused|untouched|abandoned)\b"


def contacts_to_delete(text: str) -> dict[str, object]:
    """crm.delete_contacts inputs for a request: the age it names ("not touched in 2 years"; a
    year for "old" ones) and the stage ("tagged spam"); none, so every contact, when it names
    neither (never a narrower or wider set than asked: see `picks_unsaid_contacts`)."""
    inputs: dict[str, object] = {}
    span = re.search(r"\b(\d{1,2}|an?|one)\+?\s*(year|month|week|day)s?\b", text)
    if span is not None:
        days = {"year": 365, "month": 30, "week": 7, "day": 1}
        count = int(span.group(1)) if span.group(1).isdigit() else 1
        inputs["inactive_for"] = f"{count * days[span.group(2)]} days"
    elif has(text, _OLD):
        inputs["inactive_for"] = "365 days"
    stage = re.search(r"\b(?:tagged|labell?ed|at\s+stage|in\s+stage)\s+['\"]?([\w-]+)", text)
    if stage:
        inputs["stage"] = stage.group(1)
    return inputs


def picks_unsaid_contacts(text: str, inputs: dict[str, Any]) -> bool:
    """Whether a delete of contacts picks them by something its `inputs` do not say ("contacts
    who bounced"): drafted as is it would delete every contact, so which ones is asked."""
    return not inputs and has(text, _PICKED)


def crm_writes(steps: StepList, t: str, slots: Slots) -> None:
    """Delete, save or update CRM contacts as the request asks."""
    # "when a user deletes their account" is what happens, not a delete to do
    if (
        has(without_event_clause(attributes_masked(t)), _DELETE)
        and has(t, r"\b(?:contacts?|customers?|leads?|records?|crm)\b")
        and not (records_place(t) and not has(t, r"\bcrm\b|" + CRM_NAMES))
    ):  # "customer accounts in the shop" are the shop's: deleted there (dangerous.py)
        steps.add("delete_contacts", "crm.delete_contacts", contacts_to_delete(t))
        return
    if "crm" not in slots.tools:
        return
    if has(t, _CRM_UPSERT):
        steps.add(
            "save_contact",
            "crm.upsert_contact",
            {"email": "{{ trigger.email }}", "name": "{{ trigger.name }}", "source": "workflow"},
        )
    clauses = [
        c
        for c in re.split(r"[.;!?,]|\bthen\b|\band\b|->|→", t)
        if not has(c, r"#[a-z]") and not (has(c, _SHEET_TARGET) and not has(c, _CRM_RECORD))
    ]
    if any(has(c, _CRM_UPDATE) for c in clauses) and not has(t, r"\bdon't\s+(?:update|touch)"):
        stage = re.search(
            r"\b(?:as|to\s+the|mark\s+it|stage)\s+['\"]?([a-z-]+)['\"]?(?:\s+stage)?", t
        )
        inputs: dict[str, object] = {"email": "{{ trigger.email }}"}
        if stage and stage.group(1) not in ("a", "an", "the", "it", "to"):
            inputs["stage"] = stage.group(1)
        if has(t, r"\bnote|\bto-?do|\blog\b|\bmilestone|\btask\b"):
            inputs["note"] = "Logged by Levqor workflow"
        steps.add("update_contact", "crm.update_contact", inputs)


def sheet_name(t: str) -> str:
    """The spreadsheet the request names ("our 'Clients' google sheet" → Clients)."""
    quoted = re.search(r"['\"]([^'\"]{2,40})['\"]\s+(?:google\s+)?(?:spread)?sheet", t)
    if quoted:
        return title_words(quoted.group(1).strip())
    match = re.search(
        r"\b(?:our|the|my)\s+((?:[a-z]+\s+){0,2}?)(?:google\s+)?(?:sheet|spreadsheet)\b", t
    )
    name = (match.group(1).strip() if match else "") or "Levqor"
    return title_words(name)


def tab_of(t: str) -> str:
    """The tab the request names ("the Bookings tab"), or Sheet1."""
    match = re.search(r"\bthe\s+([a-z]+)\s+tab\b", t)
    return title_words(match.group(1)) if match else "Sheet1"


def removes_from(text: str) -> bool:
    """Whether the request takes someone out of a channel, list or sequence."""
    return has(text, REMOVES_MEMBERSHIP)


def add_removal(steps: StepList, t: str, trigger: TriggerReading, slots: Slots) -> None:
    """Take the person out of the channel or list named: Slack's kick, or the tool's API."""
    found = re.search(REMOVES_MEMBERSHIP, t)
    if found is None:
        return
    clause = t[found.start() :]
    who = "{{ item.email }}" if trigger.kind in ("schedule", "manual") else "{{ trigger.email }}"
    channel = re.search(r"#ch\d+", clause)
    if channel or has(clause, r"\bslack\b"):
        where = slots.real_channel(channel.group(0)) if channel else "the Slack channel"
        inputs: dict[str, Any] = {
            "method": "POST",
            "url": "https://slack.com/api/conversations.kick",
            "json": {"channel": where, "user": who},
        }
    else:
        tool = first_named_tool(clause) or first_named_tool(t)
        where = f"the list in {display_name(tool)}" if tool else "the list"
        inputs = {
            "method": "PATCH",
            "url": stand_in_api(tool or "service", f"/v1/members/{who}"),
            "json": {"status": "removed"},
        }
    steps.add("remove_from", "http.request", inputs, name=f"Remove them from {where}")
