"""A scheduled (or manual) email to "each client" is sent once per record read, not to nobody.

The step rules draft a message to a person as `to: {{ trigger.email }}`. When a schedule, an
interval or a button starts the workflow there is no person in the trigger's data, so such a
message would go to nobody. When an earlier step reads a list (sheet rows, contacts, invoices,
a fetched JSON list), the message is sent for each of its records instead: `for_each` names
the list and its inputs read `item` (the record) where they read `trigger`.
"""

from __future__ import annotations

import re
from typing import Any

from agents.planner.compose import quoted_message
from agents.planner.recipients import PEOPLE
from agents.planner.selected_records import selected_records
from agents.planner.steps import KEPT_BY
from agents.planner.when.lexicon import COUNT_WORDS
from workflows.spec import strings_in

__all__ = ["each_item", "each_record", "read_quiet_contacts", "read_the_people"]

_NO_PERSON = ("schedule", "interval", "manual")
_STAFF_NOUNS = (
    r"(?:volunteers?|employees?|staff|members?|moderators?|mentors?|drivers?|agents?|devs?|"
    r"developers?|engineers?|managers?|owners?|teachers?|tutors?|coaches?|players?)"
)
# The list each reading step returns, and the record fields that name its person.
_LISTS: dict[str, tuple[str, dict[str, str]]] = {
    "sheets.read_rows": ("rows", {}),
    "crm.find_contacts": ("contacts", {}),
    "hubspot.list_contacts": ("contacts", {}),
    "stripe.list_invoices": (
        "invoices",
        {"email": "customer_email", "name": "customer_name", "customer_email": "customer_email"},
    ),
    "http.request": ("json", {}),
}
# The email to each customer whose Stripe invoice falls due soon: which invoice, how much, when,
# and the link to pay it.
_DUE_WHEN = (
    "{{ 'today' if item.due_in_days == 0 else 'tomorrow' if item.due_in_days == 1 "
    "else 'in ' ~ item.due_in_days ~ ' days' }}"
)
_INVOICE_DUE = {
    "subject": "Invoice {{ item.number or item.id }} is due " + _DUE_WHEN,
    "text": (
        "Hi {{ item.customer_name or 'there' }},\n\nThis is a friendly reminder that invoice "
        "{{ item.number or item.id }} for {{ item.amount_remaining | money }} "
        "{{ item.currency | upper }} is due " + _DUE_WHEN + " ({{ (item.due_date or '')[:10] }}). "
        "You can pay it here: {{ item.hosted_invoice_url }}\n\nIf you have already paid, please "
        "ignore this email.\n\nBest regards,\n{{ workspace.name }}"
    ),
}
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_TRIGGER = re.compile(r"\btrigger\b(\.(?:data\.object\.)?([A-Za-z_]\w*))?")


# "each client WITH AN UNPAID invoice", "customers who haven't ordered", "overdue": only some of
# the records. Sheet rows and a fetched list come unfiltered, so every row would get the email
# (a reminder to the clients who paid): not looped until the draft can filter them.
_SOME_OF_THEM = re.compile(
    r"\b(?:clients?|customers?|people|members?|users?|contacts?|parents?|students?|employees?|"
    r"staff|volunteers?|tenants?|patients?|donors?|guests?|subscribers?|leads?|anyone|everyone)\s+"
    r"(?:with|who|whose|that|where|which)\b|"
    r"\b(?:unpaid|overdue|past[- ]due|outstanding|inactive|late|expired|expiring|unanswered|"
    r"pending|stuck|missing)\b"
)
_UNFILTERED = ("sheets.read_rows", "http.request")
# Where the records are read by another step the rules draft (Stripe's invoices, a sheet's rows,
# the CRM's contacts), or a mailbox's mail: not read here.
_READ_ELSEWHERE = re.compile(
    r"\bstripe\b|\bsheets?\b|\bspreadsheet\b|\bcrm\b|\bhubspot\b|\bpipedrive\b|\bsalesforce\b|"
    r"\binbox\b|\bgmail\b"
)


def each_record(raw: dict[str, Any], request: str = "") -> None:
    """Send each email addressed to the trigger's person once per record of the list read
    before it, on workflows whose start carries no person (schedule, interval, manual); not
    when the request picks only some of the records and the list read is not filtered."""
    trigger = raw.get("trigger")
    if not isinstance(trigger, dict) or trigger.get("type") not in _NO_PERSON:
        return
    steps = raw.get("steps")
    if not isinstance(steps, list):
        return
    for index, step in enumerate(steps):
        if not isinstance(step, dict) or step.get("action") != "email.send" or step.get("wait"):
            continue
        inputs = step.get("inputs")
        if step.get("for_each") or not isinstance(inputs, dict) or not _uses_trigger(inputs):
            continue
        source = _list_before(steps[:index])
        if source is None:
            continue
        step_id, field, names = source
        reader = next(s for s in steps if isinstance(s, dict) and s.get("id") == step_id)
        if reader.get("action") in _UNFILTERED and _SOME_OF_THEM.search(request.lower()):
            continue
        step["for_each"] = f"steps.{step_id}.{field}"
        step["inputs"] = _to_item(inputs, names)
        if reader.get("inputs", {}).get("due_in_days") and quoted_message(request) is None:
            step["inputs"].update(_INVOICE_DUE)  # each customer told which invoice, when, how much


def _list_before(steps: list[Any]) -> tuple[str, str, dict[str, str]] | None:
    """The last earlier step that reads a list: its id, its list field, its person fields."""
    for step in reversed(steps):
        if not isinstance(step, dict) or not isinstance(step.get("id"), str):
            continue
        found = _LISTS.get(str(step.get("action")))
        if found is None:
            continue
        inputs = step.get("inputs") if isinstance(step.get("inputs"), dict) else {}
        method = str((inputs or {}).get("method") or "GET").upper()
        if step.get("action") == "http.request" and method != "GET":
            continue
        return step["id"], found[0], found[1]
    return None


_ITEM = re.compile(r"\bitem\b(?!_)")


def each_item(raw: dict[str, Any]) -> None:
    """A step whose inputs name `item` (a record: "DELETE …/{{ item.id }}") repeats for each
    record of the list read before it; without `for_each`, `item` is undefined when it runs.
    With no list read before it, the step is left as drafted: the event's own record is not
    always the one meant ("delete the duplicate" of a new customer is another customer)."""
    steps = raw.get("steps")
    if not isinstance(steps, list):
        return
    for index, step in enumerate(steps):
        inputs = step.get("inputs") if isinstance(step, dict) else None
        if not isinstance(inputs, dict) or step.get("for_each") or not _uses_item(inputs):
            continue
        source = _list_before(steps[:index])
        if source is not None:
            step["for_each"] = f"steps.{source[0]}.{source[1]}"


# A template's own loop over its `item`s ("{% for item in … %}") defines it: not the record.
_OWN_LOOP = re.compile(r"\{%-?\s*for\s+item\b")


def _uses_item(inputs: dict[str, Any]) -> bool:
    texts = [text for _, text in strings_in(inputs)]
    if any(_OWN_LOOP.search(text) for text in texts):
        return False
    return any(_ITEM.search(tag) for text in texts for tag in _TAG.findall(text))


def _uses_trigger(inputs: dict[str, Any]) -> bool:
    return any(_TRIGGER.search(tag) for _, text in strings_in(inputs) for tag in _TAG.findall(text))


def _to_item(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return _TAG.sub(lambda tag: _TRIGGER.sub(lambda m: _item(m, names), tag.group(0)), value)
    if isinstance(value, dict):
        return {key: _to_item(v, names) for key, v in value.items()}
    if isinstance(value, list):
        return [_to_item(v, names) for v in value]
    return value


def _item(match: re.Match[str], names: dict[str, str]) -> str:
    field = match.group(2)
    if field is None:
        return "item"
    return f"item.{names.get(field, field)}"


def read_the_people(raw: dict[str, Any], text: str) -> None:
    """On a workflow a clock or a button starts, an email addressed to the record's person
    ("email the volunteers whose shift is tomorrow", "email them a warning" of accounts nobody
    has logged into for a year) reads those records first and is sent for each one.

    The start carries no person, so without a read such a message would go to nobody. The read
    is a call to the system that keeps them, at a stand-in address the person fills in (the card
    says so; no version holding it is approved); its name says which records, in the request's
    words, so the address given is the one that returns just those.
    """
    trigger = raw.get("trigger")
    steps = raw.get("steps")
    if not isinstance(trigger, dict) or trigger.get("type") not in _NO_PERSON:
        return
    if not isinstance(steps, list):
        return
    addressed = [i for i, step in enumerate(steps) if _to_the_start_person(step)]
    if not addressed:
        return  # addressed to us, a channel or an address; or each_record loops it already
    records = _records_of(text.lower())
    earlier = _list_before(steps[: addressed[0]])
    fetched = earlier is not None and any(
        isinstance(s, dict) and s.get("id") == earlier[0] and s.get("action") == "http.request"
        for s in steps
    )
    if earlier is None and _READ_ELSEWHERE.search(text.lower()):
        return  # read by another step the rules draft (Stripe's invoices, a sheet's rows)
    if earlier is not None and not fetched:
        return  # sheet rows or contacts, unfiltered: each_record decides
    if earlier is not None:
        # a fetched list each_record left alone because only some of its records are meant
        # ("anyone who has tasks past their due date"): sent for each record it returns, and the
        # read says which records, so the address given is the one that returns just those
        read_id, field, names = earlier
        for index in addressed:
            steps[index]["for_each"] = f"steps.{read_id}.{field}"
            steps[index]["inputs"] = _to_item(steps[index]["inputs"], names)
        reader = next(s for s in steps if isinstance(s, dict) and s.get("id") == read_id)
        generic = not reader.get("name") and records != "records"
        if reader.get("action") == "http.request" and generic:
            tool = read_id.removeprefix("fetch_").replace("_", " ").strip()
            where = f"from {tool.title()}" if tool and tool not in records else KEPT_BY
            reader["name"] = f"Read the {records} {where}"
        return
    if records == "records" and not _PER_RECORD.search(text.lower()):
        return  # "email our investors the revenue numbers": a group whose addresses are known
    read_id = "fetch_" + re.sub(r"\W+", "_", records)
    for index in addressed:
        steps[index]["for_each"] = f"steps.{read_id}.json"
        steps[index]["inputs"] = _to_item(steps[index]["inputs"], {})
    read = {"method": "GET", "url": f"https://api.example.com/{records}"}
    steps.insert(
        0,
        {"id": read_id, "name": f"Read the {records} {KEPT_BY}", "action": "http.request",
         "inputs": read},
    )  # fmt: skip


def _to_the_start_person(step: Any) -> bool:
    """Whether a step is an email, sent once, addressed to the person the start brings."""
    if not isinstance(step, dict) or step.get("action") != "email.send" or step.get("wait"):
        return False
    inputs = step.get("inputs")
    if step.get("for_each") or not isinstance(inputs, dict):
        return False
    return bool(_TRIGGER.search(" ".join(_TAG.findall(str(inputs.get("to") or "")))))


# Words that make the people emailed records, each with their own date or state: "each tenant
# whose rent is due", "anyone who hasn't booked", "3 days before their due date".
_PER_RECORD = re.compile(
    r"\b(?:each|every)\s+(?!(?:other\s+|second\s+|\d+\s+)?(?:day|week|month|quarter|year|morning|"
    r"evening|night|hour|minute|weekday|weekend|time|mon|tue|wed|thu|fri|sat|sun)\w*\b)|"
    r"\b(?:whose|who|whom|anyone|anybody|whoever)\b|"
    r"\b(?:before|after|on|by)\s+(?:their|his|her|its|the)\s+(?:[\w-]+\s+)?(?:date|day|deadline|"
    r"birthday|anniversary|appointment|renewal|expiry|trial|shift|booking|due)\b|"
    r"\b(?:days?|weeks?|months?|hours?)\s+(?:before|after|ahead|prior)\b|"
    r"\b(?:is|are)\s+(?:due|about\s+to|expiring)|\bexpir(?:e|es|ing)\s+in\b"
)
_PERSON_NOUN = re.compile(
    r"\b(?:e-?mail|remind|warn|notify|message|tell|thank|invite|chase|(?:reminders?|e-?mails?|"
    r"messages?|notes?)\s+to)\s+(?:all\s+|each\s+|every\s+|"
    r"any\s+|the\s+|our\s+)*(?:of\s+)?(?:our\s+|the\s+)?(?:[a-z-]+\s+)?"
    r"(" + PEOPLE + r"|" + _STAFF_NOUNS + r")\b"
)


def _records_of(text: str) -> str:
    """What the records are called: what the message picks out ("accounts", "tickets"), else
    the people it is addressed to ("volunteers", "customers"), else "records"."""
    picked = selected_records(text)
    if picked:
        return picked
    found = _PERSON_NOUN.search(text) or _PEOPLE_AFTER.search(text)
    if found:
        noun = found.group(1)
        return noun if noun.endswith("s") else noun + ("es" if noun.endswith(("sh", "ch")) else "s")
    if _ANYONE_WHO.search(text):
        return "people"  # "email anyone who has tasks past their due date"
    return "records"


# The people a message goes to, a few words after its verb ("email all our meals on wheels
# volunteers"), and people picked out by what they did or have ("anyone who …").
_PEOPLE_AFTER = re.compile(
    r"\b(?:e-?mail|remind|warn|notify|message|tell|thank|invite|chase|send)\w*\s+"
    r"(?:[a-z'-]+\s+){0,5}?(" + PEOPLE + r")\b"
)
_ANYONE_WHO = re.compile(
    r"\b(?:anyone|anybody|everyone|everybody|whoever|people|those)\s+(?:who|whose|with)\b"
)


# "leads that haven't replied in 2 weeks", "contacts with no activity for 30 days", "inactive
# for 3 months": the contacts meant are the ones nobody has touched for that long.
_QUIET_FOR = re.compile(
    r"\b(?:haven'?t|hasn'?t|have\s+not|has\s+not|no|not|never|inactive|idle|quiet|untouched|"
    r"stale|silent|dormant)\b[^.;]{0,40}?\b(?:in|for|over|after|within)\s+"
    r"(?:the\s+(?:last|past)\s+|over\s+)?(?P<n>\d{1,3}|a|an|one|two|three|four|six)\s+"
    r"(?P<unit>day|week|month|year)s?\b"
)
_MARKED_AS = re.compile(
    r"\b(?:mark|tag|flag|set|move|label)\w*\b[^.;]{0,80}?\b(?:as|to)\s+['\"]?([a-z][a-z-]{1,30})['\"]?"
    r"(?=\s*(?:[,.;!?]|$|\b(?:in|on|and|then|every|each|stage)\b))"
)


def read_quiet_contacts(raw: dict[str, Any], text: str) -> None:
    """On a workflow a clock or a button starts, a CRM update of "the leads that haven't replied
    in 2 weeks" finds those contacts first (untouched for that long) and updates each one;
    drafted alone it would update the person the start brings, who is nobody."""
    trigger = raw.get("trigger")
    steps = raw.get("steps")
    if not isinstance(trigger, dict) or trigger.get("type") not in _NO_PERSON:
        return
    quiet = _QUIET_FOR.search(text.lower())
    if quiet is None or not isinstance(steps, list):
        return
    updates = [
        i
        for i, step in enumerate(steps)
        if isinstance(step, dict)
        and step.get("action") in ("crm.update_contact", "crm.upsert_contact")
        and not step.get("for_each")
        and isinstance(step.get("inputs"), dict)
        and _uses_trigger(step["inputs"])
        and _list_before(steps[:i]) is None
    ]
    if not updates:
        return
    for index in updates:
        if steps[index]["action"] == "crm.upsert_contact":
            # "mark contacts with no activity for 3 months as dormant": the contacts found are
            # changed, nobody is added
            stage = _MARKED_AS.search(text.lower())
            inputs = {"email": "{{ trigger.email }}"}
            if stage:
                inputs["stage"] = stage.group(1)
            steps[index] = {
                "id": "update_contact",
                "action": "crm.update_contact",
                "inputs": inputs,
            }
    word = quiet.group("n")
    count = int(word) if word.isdigit() else COUNT_WORDS[word]
    span = f"{count} {quiet.group('unit')}{'' if count == 1 else 's'}"
    find = {"id": "quiet_contacts", "name": f"Find the contacts untouched for {span}",
            "action": "crm.find_contacts", "inputs": {"inactive_for": span}}  # fmt: skip
    for index in updates:
        steps[index]["for_each"] = "steps.quiet_contacts.contacts"
        steps[index]["inputs"] = _to_item(steps[index]["inputs"], {})
    steps.insert(updates[0], find)
