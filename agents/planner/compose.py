"""What drafted messages say: written for their purpose, or presenting what a step fetched.

The step rules leave a message they have nothing better for as `{{ trigger | summary }}` (a
dump of the trigger: "fired_at: …", "type: invoice.paid id: evt_…") with a stand-in subject
("Update", "Hello from us"). Once the draft is assembled this module writes those messages:
after a step that reads something (invoices, contacts, rows, a web address) the message shows
what it read, with a sentence naming it; otherwise it is written for the request's purpose (a
reminder, a thank-you, a welcome, a new-submission alert) with the trigger's useful fields.
"""

from __future__ import annotations

import re
from typing import Any

from agents.planner.intents import without_start
from agents.planner.purpose import Purpose, asked_for, purpose_of
from agents.planner.wording import event_line, greeting, read_heading, read_lines, stripe_fields
from agents.unsupported import texting_note, translation_note

__all__ = ["GENERIC_SUBJECTS", "compose_messages", "note_unsupported"]

GENERIC_BODY = "{{ trigger | summary }}"
GENERIC_SUBJECTS = frozenset({"Update", "Update from Levqor", "Hello from us", "News from us"})
_MESSAGES = ("slack.post_message", "email.send", "email.send_bulk")
_READS = (
    "stripe.list_invoices",
    "crm.find_contacts",
    "hubspot.list_contacts",
    "sheets.read_rows",
    "rss.new_items",
    "social.mentions",
)


def compose_messages(raw: dict[str, Any], request: str) -> None:
    """Write every message step still carrying the trigger dump or a stand-in subject."""
    text = re.sub(r"\s+", " ", request.lower()).strip()
    purpose = purpose_of(text)
    trigger = raw.get("trigger") or {}
    steps: list[dict[str, Any]] = raw.get("steps") or []
    name = str(raw.get("name") or "")
    asked = _in_their_case(asked_for(text), request)
    named = _named_subject(request)
    said = quoted_message(request)
    told = None if said is not None else told_message(request)
    for index, step in enumerate(steps):
        inputs = step.get("inputs")
        if not isinstance(inputs, dict) or not _is_message(step):
            continue
        if trigger.get("type") == "stripe" and inputs.get("to") == "{{ trigger.email }}":
            inputs["to"] = "{{ " + stripe_fields(trigger)["email"] + " }}"
        # A person named by the data gets a written message, never the data read for the team.
        # A text or chat message through another service answers the event, not the data read.
        personal = "{{" in str(inputs.get("to", "")) or (
            step.get("action") == "http.request" and not _to_our_team(text)
        )
        read = None if personal else _last_read(steps[:index])
        body = _body_of(inputs)
        if body == GENERIC_BODY and said is not None:
            _set_body(inputs, said)  # the message the request wrote out, in its words
        elif body == GENERIC_BODY and told is not None:
            # "email the customer that the money is on its way": that, said to them
            letter = step.get("action") in ("email.send", "email.send_bulk") and personal
            _set_body(
                inputs,
                f"{greeting(trigger)}{told[:1].lower()}{told[1:]}."
                "\n\nBest regards,\n{{ workspace.name }}"
                if letter
                else f"{told}.",
            )
        elif body == GENERIC_BODY:
            personal = personal or step.get("action") == "email.send_bulk"
            meant = purpose if personal else _for_the_team(purpose)
            _set_body(inputs, _written(read, meant, trigger, text, name, asked, personal))
        if step.get("action") in ("email.send", "email.send_bulk") and (
            inputs.get("subject") in GENERIC_SUBJECTS or not inputs.get("subject")
        ):
            inputs["subject"] = _subject(purpose, trigger, name, text)
            if said is not None and purpose.kind == "alert":  # the message's own first words
                inputs["subject"] = _first_clause(said)
            elif told is not None and inputs["subject"] in (name, "Your update", "Reminder"):
                inputs["subject"] = _first_clause(told)  # not the workflow's name
        if step.get("action") in ("email.send", "email.send_bulk") and named is not None:
            inputs["subject"] = named.group("subject").strip()
            if isinstance(inputs.get("text"), str):  # the subject asked for is not the message
                inputs["text"] = (
                    inputs["text"].replace(named.group(0).strip(), "").replace(" .", ".")
                )


# A subject the request gives its email: "with subject Weekly wrap", "subject: Weekly wrap",
# "titled 'Your receipt'" ("email the subject teachers" names none).
_QUOTES = "'\"\u201c\u201d\u2018\u2019"
_NAMED_SUBJECTS = (
    re.compile(
        r"(?:\bwith\s+(?:the\s+|a\s+)?)?\b(?:subject(?:\s+line)?|titled)\s*(?:of\s+|:\s*|as\s+)?"
        rf"[{_QUOTES}](?P<subject>[^{_QUOTES}]{{1,80}})[{_QUOTES}]",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?:\bwith\s+(?:the\s+|a\s+)?subject(?:\s+line)?|\bsubject\s+line|\bsubject\s*:|\btitled)"
        r"\s*(?:of\s+|as\s+)?(?P<subject>[^\s.,;!?][^.,;!?\n]{0,59}?)"
        r"(?=\s*(?:[.,;!?\n]|$|\s(?:to|every|each|on|at|and|then|when|if)\b))",
        re.IGNORECASE,
    ),
)


# A message the request writes out: "an email like 'your ticket #XXXX is in'", "saying "we got
# it, thanks"", "with the message 'Back at 9'".
_QUOTED_MESSAGE = re.compile(
    r"\b(?:like|saying|says|reading|along\s+the\s+lines\s+of|with\s+(?:the\s+)?(?:message|"
    r"text|words?))\s*:?\s*"
    rf"(?P<q>[{_QUOTES}])(?P<message>[^{_QUOTES}]{{8,500}})[{_QUOTES}]",
    re.IGNORECASE,
)


def quoted_message(request: str) -> str | None:
    """The message a request writes out for its email or post, as written, or None."""
    found = _QUOTED_MESSAGE.search(request)
    if not found or len(found.group("message").split()) < 3:
        return None  # "like 'urgent'" names a label, not a message
    return found.group("message").strip()


# What a message is to say, told in the request: "email the customer that the money is on its
# way", "let them know their order shipped", "text me saying the backup failed". What follows
# "that" opens like a sentence ("the money is …", "it's …"), not a verb ("… that signed up").
_TOLD = re.compile(
    r"\b(?:e-?mail|text|sms|message|tell|notify|inform|let|dm|ping|whatsapp)\s+"
    r"(?:(?:the|each|every|all|our|my|a)\s+)?(?:[\w@.#'-]+\s+){0,4}?(?:know\s+)?"
    r"(?:that|saying|to\s+say)\s+"
    r"(?P<message>(?:the|their|your|our|it|it's|its|they|they're|we|we're|there|there's|this|"
    r"his|her|a|an|he|she|you|you're)\b[^.;!?()]{6,200})",
    re.IGNORECASE,
)
# The person told is spoken to: "their order" → "your order".
_SECOND_PERSON = (
    (r"\bthey're\b", "you're"),
    (r"\bthey've\b", "you've"),
    (r"\bthey'll\b", "you'll"),
    (r"\bthey\s+are\b", "you are"),
    (r"\bthey\s+have\b", "you have"),
    (r"\bthey\s+were\b", "you were"),
    (r"\bthey\b", "you"),
    (r"\btheir\b", "your"),
    (r"\bthemselves\b", "yourself"),
    (r"\bthem\b", "you"),
)


# Why each reader is written to, said to them: "email the volunteers whose shift is tomorrow"
# → "Your shift is tomorrow"; "3 days before their lease ends" → "Your lease ends in 3 days".
_WHOSE = re.compile(
    r"\b(?:e-?mail|text|sms|remind|message|notify|tell|ping|warn|whatsapp)\s+(?:the\s+|each\s+|"
    r"every\s+|all\s+|any\s+|our\s+)?(?:[\w'-]+\s+){0,3}?whose\s+(?P<what>[a-z][\w' -]{3,80}?)"
    r"(?=\s+(?:a|an)\s+(?:[\w-]+\s+)?(?:reminder|heads[- ]up|note|e-?mail|message|warning)\b|"
    r"\s*[,.;!?]|\s*$|\s+(?:and|then|to|with|about|that|so|saying)\b)",
    re.IGNORECASE,
)
_LEAD_BEFORE = re.compile(
    r"\b(?P<n>\d{1,3}|one|two|three|four|five|six|seven|ten|fourteen|thirty|a|the)\s+"
    r"(?P<unit>days?|weeks?|months?)\s+before\s+(?:their|his|her|each|the)\s+"
    r"(?P<thing>[a-z][\w'-]*(?:\s+(?!(?:is|ends|expires|renews|starts|begins|runs|comes)\b)"
    r"[a-z][\w'-]*)?)(?:\s+(?P<verb>ends|expires|renews|starts|begins|runs\s+out|is\s+due|"
    r"comes\s+up\s+for\s+renewal)\b|"
    # "2 days before their appointment": the day of a thing they have, said with no verb
    r"(?=\s*(?:[,.;!?]|$|\b(?:and|then|with|by|via|at|so|to)\b)))",
    re.IGNORECASE,
)


# "on the morning of their pickup day", "on the day of each booking": their day is today.
_ON_THE_DAY = re.compile(
    r"\bon\s+the\s+(?:morning|day|evening|afternoon)\s+of\s+(?:their|each|his|her|its)\s+"
    r"(?P<thing>[a-z][\w'-]*(?:\s+(?!at\b|and\b|with\b)[a-z][\w'-]*)?)"
    r"(?=\s*(?:[,.;!?]|$|\b(?:at|and|then|with|by|via|to|e-?mail|send|text|remind)\b))",
    re.IGNORECASE,
)


def _why_them(request: str) -> str | None:
    """The reason each reader is written to, as a sentence to them, or None."""
    whose = _WHOSE.search(request)
    if whose and len(whose.group("what").split()) >= 2:
        return f"Your {_to_the_reader(whose.group('what').strip())}"
    today = _ON_THE_DAY.search(request)
    if today:
        return f"Your {today.group('thing').lower()} is today"
    lead = _LEAD_BEFORE.search(request)
    if lead is None:
        return None
    count, unit = lead.group("n").lower(), lead.group("unit").lower()
    if count in ("1", "one", "a", "the"):
        when = "tomorrow" if unit.startswith("day") else f"in a {unit.rstrip('s')}"
    else:
        when = f"in {count} {unit}"
    verb = (lead.group("verb") or "is").lower()
    return f"Your {lead.group('thing').lower()} {verb} {when}"


def _to_the_reader(text: str) -> str:
    """The words said to the person told ("their order" → "your order")."""
    for pattern, words in _SECOND_PERSON:
        text = re.sub(pattern, words, text, flags=re.IGNORECASE)
    return text


def told_message(request: str) -> str | None:
    """What the request says a message should tell its reader, as a sentence to them (the
    person told is "you"), or None."""
    found = _TOLD.search(request)
    if not found:
        return _why_them(request)
    message = re.split(
        r"\s+(?:and|then)\s+(?:e-?mail|text|post|send|notify|add|create|update|"
        r"mark|log|move|tag|ping|slack)\b",
        found.group("message"),
        maxsplit=1,
    )[0]
    message = _to_the_reader(message.strip(" ,"))
    if len(message.split()) < 3:
        return None
    return message[:1].upper() + message[1:]


def _first_clause(message: str) -> str:
    """ "Your ticket #XXXX is in" from "your ticket #XXXX is in, an agent will get to it"."""
    clause = re.split(r"[,;:!?]|\.(?:\s|$)", message, maxsplit=1)[0].strip()
    words = clause.split()
    clause = " ".join(words[:10]) + ("…" if len(words) > 10 else "")
    return clause[:1].upper() + clause[1:]


def _named_subject(request: str) -> re.Match[str] | None:
    """Where the request gives its email a subject, or None."""
    return next((m for m in (p.search(request) for p in _NAMED_SUBJECTS) if m), None)


def note_unsupported(raw: dict[str, Any], request: str = "") -> None:
    """Say in the description what Levqor cannot do itself (texts go through Twilio; nothing
    translates)."""
    for note in (texting_note(raw), translation_note(request)):
        if note:
            raw["description"] = f"{raw.get('description', '')} ({note})"[:2000]


# A text or chat message sent to us ("ping our discord", "tell our telegram group", "text me",
# "whatsapp the duty manager") says what happened, like a Slack post; one sent to the event's
# person ("text the patient a reminder", "whatsapp the customer the tracking no.") is written
# to them.
_OUR_CHAT = (
    r"\b(?:our|my)\s+(?:[\w-]+\s+){0,2}(?:discord|telegram|teams|whatsapp|signal)\b|"
    r"\b(?:discord|telegram|teams|whatsapp|signal)\s+(?:channel|group|server|chat)\b|"
    r"\b(?:text|sms|whatsapp|telegram|message|ping|signal)\s+(?:me|us|the\s+team|our\s+\w+|"
    r"the\s+(?:duty|on-?call|shift|store|office|site)\s+\w+)\b|"
    r"\b(?:texts?|sms|messages?)\s+(?:to\s+)?(?:me|us|my\s+phone)\b|\bto\s+my\s+phone\b"
)
_THEIR_CHAT = (
    r"\b(?:text|sms|whatsapp|telegram|message)\s+(?:the\s+|each\s+|every\s+|our\s+)?"
    r"(?:customer|client|patient|guest|buyer|member|user|lead|candidate|person|attendee|driver|"
    r"tenant|student|parent|volunteer|subscriber|shopper)s?\b|"
    r"\b(?:text|sms|whatsapp|telegram|message)\s+(?:them|him|her)\b"
)


def _to_our_team(text: str) -> bool:
    """Whether a text or chat message goes to us, not to the person of the event (read in what
    the workflow does: "when someone messages us on whatsapp, reply …" answers them)."""
    acts = without_start(text)
    if re.search(_THEIR_CHAT + r"|\b(?:reply|replies|respond|answer)\b", acts):
        return False
    return bool(re.search(_OUR_CHAT, acts))


def _is_message(step: dict[str, Any]) -> bool:
    action = step.get("action")
    if action in _MESSAGES:
        return True
    inputs = step.get("inputs") or {}
    sends = action == "http.request" and str(inputs.get("method", "GET")).upper() == "POST"
    return sends and isinstance(inputs.get("json"), dict) and "text" in inputs["json"]


def _body_of(inputs: dict[str, Any]) -> Any:
    payload = inputs.get("json")
    return payload.get("text") if isinstance(payload, dict) else inputs.get("text")


def _set_body(inputs: dict[str, Any], body: str) -> None:
    payload = inputs.get("json")
    if isinstance(payload, dict):
        payload["text"] = body
    else:
        inputs["text"] = body


def _last_read(steps: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The latest earlier step that fetched something a message can present."""
    for step in reversed(steps):
        action = step.get("action")
        inputs = step.get("inputs") or {}
        gets = action == "http.request" and str(inputs.get("method", "GET")).upper() == "GET"
        if action in _READS or gets:
            return dict(step)
    return None


def _for_the_team(purpose: Purpose) -> Purpose:
    """A post to a channel or the team alerts them; the thank-you or welcome is for the person."""
    return purpose if purpose.kind in ("reminder", "summary", "alert") else Purpose("alert")


def _written(
    read: dict[str, Any] | None,
    purpose: Purpose,
    trigger: dict[str, Any],
    text: str,
    name: str,
    asked: str | None,
    personal: bool = False,
) -> str:
    kind = trigger.get("type")
    if read is not None:
        return read_heading(read, asked) + "\n" + read_lines(read)
    if purpose.kind == "reminder":
        return purpose.reminder_text()
    hello = greeting(trigger)
    if purpose.kind == "thanks":
        return hello + _thanks(trigger) + "\n\nBest regards,\n{{ workspace.name }}"
    if purpose.kind == "welcome":
        return (
            hello + "welcome to {{ workspace.name }}! We're glad to have you, and we're here "
            "if you have any questions.\n\nBest regards,\n{{ workspace.name }}"
        )
    if purpose.kind == "confirmation" and kind not in ("schedule", "manual"):
        return (
            hello
            + "thank you, this is to confirm that we have received your "
            + ("order" if "order" in text else "request")
            + ". We'll be in touch if we need anything else.\n\nBest regards,\n{{ workspace.name }}"
        )
    if purpose.kind == "review":
        return (
            hello + "thank you for choosing {{ workspace.name }}. If you were happy with us, would "
            "you leave us a review? It takes a minute, and it helps other people find us."
            "\n\nBest regards,\n{{ workspace.name }}"
        )
    if purpose.kind == "feedback":
        return (
            hello + "thank you for choosing {{ workspace.name }}. Could you spare a minute to "
            "tell us how it went? Just reply to this email: we read every answer."
            "\n\nBest regards,\n{{ workspace.name }}"
        )
    if purpose.kind == "follow_up" or (personal and kind not in ("schedule", "manual")):
        # A message to the person an event is about never echoes the event back to them
        return (
            hello + "just following up to see whether there is anything we can help with."
            "\n\nBest regards,\n{{ workspace.name }}"
        )
    line = event_line(trigger, text)
    if line:
        return line
    return f"{name}: {asked}." if asked else f"{name or 'Your scheduled update'}."


def _in_their_case(asked: str | None, request: str) -> str | None:
    """The asked-for words as the person wrote them ("Zendesk", not "zendesk")."""
    if not asked:
        return None
    words = r"\s+".join(re.escape(w) for w in asked.split())
    found = re.search(words, request, re.IGNORECASE)
    return found.group(0) if found else asked


def _thanks(trigger: dict[str, Any]) -> str:
    if trigger.get("type") in ("schedule", "manual", "interval"):
        return "thank you for being with {{ workspace.name }}. We really appreciate it."
    if trigger.get("type") != "stripe":
        return "thank you for getting in touch. We have your details and will be in touch soon."
    fields = stripe_fields(trigger)
    if fields["object"] not in ("invoice", "payment"):
        return "thank you for choosing {{ workspace.name }}. We're glad to have you."
    if fields["object"] == "invoice":
        return (
            "thank you for paying invoice {{ "
            + fields["number"]
            + " }} ({{ ("
            + fields["amount"]
            + " / 100) | money }} {{ "
            + fields["currency"]
            + " | upper }}). "
            "We really appreciate your business."
        )
    return (
        "thank you for your payment of {{ ("
        + fields["amount"]
        + " / 100) | money }} {{ "
        + fields["currency"]
        + " | upper }}. We really appreciate your business."
    )


def _subject(purpose: Purpose, trigger: dict[str, Any], name: str, text: str) -> str:
    kind = trigger.get("type")
    if purpose.kind == "reminder":
        return purpose.reminder_subject()
    if purpose.kind == "thanks":
        paid = kind == "stripe" and stripe_fields(trigger)["object"] in ("invoice", "payment")
        return "Thank you for your payment" if paid else "Thank you"
    if purpose.kind == "welcome":
        return "Welcome to {{ workspace.name }}"
    if purpose.kind == "feedback":
        return "How did we do?"
    if purpose.kind == "review":
        return "Would you leave us a review?"
    if purpose.kind == "follow_up":
        return "Following up"
    if purpose.kind == "confirmation":
        return "Your order is confirmed" if "order" in text else "We have your request"
    return name or "Your update"
