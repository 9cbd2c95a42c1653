"""lead-capture-crm: "put a contact form on our site" drafts the hosted form and its steps.

The hosted form, the CRM upsert (one contact per email address) and the sales notification are
taken from the template itself (workflows/templates/lead-capture-crm.yaml); the form's fields are
the ones the request names ("name, email, company and message"), or name, email and message.
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from typing import Any

from agents.planner.intents import TriggerReading
from agents.planner.slots import Slots
from workflows.catalog import TemplateCatalog, substitute
from workflows.spec import FORM_FIELD_PATTERN, RESERVED_FORM_FIELDS

TEMPLATE = "lead-capture-crm"
DEFAULT_FIELDS = ("name", "email", "message")
_ARTICLE = r"(?:(?:a|an|one|our|the|my|your|some|own|simple|quick|new|little|short|small|basic)\s+)"
_KIND = r"(?:'[^']{2,60}'\s+|\"[^\"]{2,60}\"\s+|[a-z-]+\s+){0,2}"
# Asking us to make the form ("put a contact form on our site"), not naming one they already have.
_HOSTED = re.compile(
    r"\bhosted\s+(?:[a-z-]+\s+){0,2}forms?\b|\bhost\s+" + _ARTICLE + r"*" + _KIND + r"forms?\b|"
    r"\bforms?\s+(?:that\s+)?(?:you|levqor)\s+hosts?\b|"
    r"\b(?:put|add|create|build|make|set\s+up|setup|give\s+(?:me|us)|get\s+(?:me|us)|need|want|"
    r"embed|publish|spin\s+up|design|draft)\s+(?:up\s+)?" + _ARTICLE + r"*" + _KIND + r"forms?\b"
)
# A form tool of their own: its webhook starts the workflow, no hosted form is needed.
_OWN_FORM_TOOL = re.compile(
    r"\b(?:typeform|jotform|google\s+forms?|tally|gravity\s+forms?|formstack|formspree|wufoo|"
    r"cognito\s+forms?|hubspot\s+forms?|facebook\s+lead|lead\s+ads?)\b"
)
_CRM_STEPS = ("crm.upsert_contact", "crm.update_contact", "crm.find_contacts")
_VERBS = frozenset(
    re.findall(
        r"\w+",
        "add put send post ping tell notify save create store email drop let alert log then and "
        "share push sync",
    )
)
_SEP = r"\s*(?:,\s*(?:and\s+|or\s+|&\s*)?|\band\b|\bor\b|&|/|\+)\s*"
_DETERMINER = re.compile(r"^(?:(?:their|the|a|an|your|his|her|its|optional|required)\s+)+")
# Field words → (field name, label, input type, required, max length): as the template writes them.
_KNOWN: tuple[tuple[str, tuple[str, str, str, bool, int]], ...] = (
    (r"full\s+name|name", ("name", "Your name", "text", True, 200)),
    (r"first\s+name", ("first_name", "First name", "text", True, 100)),
    (r"last\s+name|surname", ("last_name", "Last name", "text", False, 100)),
    (r"e[-_]?mail(?:\s+address)?", ("email", "Email address", "email", True, 320)),
    (r"company(?:\s+name)?|business(?:\s+name)?|organi[sz]ation", ("company", "Company", "text",
                                                                   False, 200)),
    (r"(?:phone|telephone|mobile|cell)(?:\s+number)?", ("phone", "Phone number", "tel", False,
                                                         64)),
    (r"(?:short\s+)?message|question|enquiry|inquiry|comments?|notes?|details",
     ("message", "How can we help?", "textarea", False, 2000)),
    (r"website|web\s+site|url|site", ("website", "Website", "url", False, 500)),
    (r"job\s+title|title|role", ("job_title", "Job title", "text", False, 200)),
    (r"budget", ("budget", "Budget", "text", False, 100)),
    (r"event\s+date", ("event_date", "Event date", "text", False, 100)),
    (r"date|preferred\s+date", ("date", "Date", "text", False, 100)),
    (r"headcount|number\s+of\s+(?:guests|people)|guests|party\s+size",
     ("guests", "Number of guests", "number", False, 10)),
    (r"address", ("address", "Address", "textarea", False, 500)),
    (r"subject", ("subject", "Subject", "text", False, 200)),
    (r"service", ("service", "Service", "text", False, 200)),
    (r"country", ("country", "Country", "text", False, 100)),
    (r"city|town", ("city", "City", "text", False, 100)),
)  # fmt: skip
_FIELD = r"(?:" + "|".join(pattern for pattern, _ in _KNOWN) + r")"
_ITEM = r"(?:(?:their|the|a|an|your)\s+)?" + _FIELD + r"s?\b"
# Two or more known field words in a row: "name, email, company and message".
_KNOWN_LIST = re.compile(r"\b" + _ITEM + r"(?:" + _SEP + _ITEM + r")+")
# A cue then a list that may hold fields of the request's own: "fields: name, email and budget".
_CUED_LIST = re.compile(
    r"\b(?:fields?|asks?\s+(?:\w+\s+)?for|asking\s+(?:\w+\s+)?for|collects?|collecting|captures?|"
    r"capturing|takes?|taking)\s*:?\s+(?:like\s+|such\s+as\s+)?"
    r"([a-z_ ,&/+-]+?)(?=\s*(?:[.;:!?()]|\bthen\b|\band\s+(?:then\s+)?(?:add|put|send|post|ping|"
    r"tell|notify|save|create|store|e-?mail|drop|let|alert|log)\b|\bto\s+(?:the|our)\b|"
    r"\b(?:on|into|in)\s+(?:the|our|my)\b|\bnew\s+leads?\b|$))"
)


def lead_form(raw: dict[str, Any], trigger: TriggerReading, slots: Slots) -> bool:
    """Give a hosted-form lead capture the template's form, CRM upsert and sales notification."""
    t = slots.text
    if trigger.kind not in ("webhook", "manual") or not _HOSTED.search(t):
        return False
    if _OWN_FORM_TOOL.search(t):
        return False
    steps: list[dict[str, Any]] = raw["steps"]
    # "leads go to the CRM": the one CRM step, which the template makes an upsert by email.
    upserts = [s for s in steps if str(s.get("action", "")).startswith("crm.")]
    if len(upserts) != 1 or upserts[0]["action"] not in _CRM_STEPS:
        return False
    shaped = _template()
    form = copy.deepcopy(shaped["trigger"]["form"])
    form["fields"] = form_fields(t, shaped["trigger"]["form"]["fields"])
    title = _title(t)
    if title:
        form["title"] = title
    raw["trigger"] = {"type": "webhook", "form": form}
    contact, notify = (copy.deepcopy(s) for s in shaped["steps"])
    renamed = {upserts[0]["id"]: contact["id"]}
    slacks = [i for i, s in enumerate(steps) if s.get("action") == "slack.post_message"]
    # The contact is written where the CRM step was, and before anyone hears of it.
    at = min([steps.index(upserts[0]), *slacks[:1]])
    reshaped = [s for s in steps if s is not upserts[0]]
    reshaped.insert(at, contact)
    if slacks:
        first = next(i for i, s in enumerate(reshaped) if s.get("action") == "slack.post_message")
        notify["inputs"]["channel"] = reshaped[first]["inputs"].get("channel", "#sales")
        renamed[reshaped[first]["id"]] = notify["id"]
        reshaped[first] = notify
    raw["steps"] = [_renamed(step, renamed) for step in reshaped]
    raw["category"] = "lead_capture"
    return True


def form_fields(t: str, template_fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The form's fields: those the request lists (email always), else name, email and message."""
    names = _named_fields(t) or list(DEFAULT_FIELDS)
    if "email" not in names:
        names.insert(1 if names[:1] in (["name"], ["first_name"]) else 0, "email")
    if "last_name" in names and "first_name" not in names and "name" not in names:
        names.insert(0, "first_name")
    shaped = {f["name"]: f for f in template_fields}
    fields: list[dict[str, Any]] = []
    for name in dict.fromkeys(names):
        if name in RESERVED_FORM_FIELDS or not re.match(FORM_FIELD_PATTERN, name):
            continue
        if name in shaped:
            fields.append(copy.deepcopy(shaped[name]))
            continue
        known = next((spec for _, spec in _KNOWN if spec[0] == name), None)
        if known is None:
            fields.append({"name": name, "label": name.replace("_", " ").capitalize(),
                           "max_length": 1000})  # fmt: skip
            continue
        field: dict[str, Any] = {"name": known[0], "label": known[1]}
        if known[2] != "text":
            field["type"] = known[2]
        if known[3]:
            field["required"] = True
        field["max_length"] = known[4]
        fields.append(field)
    return fields[:30]


def _named_fields(t: str) -> list[str]:
    """Field names the request lists, in its order; words of its own only after a cue."""
    t = re.sub(r"#ch\d+", " ", t)
    cued = _CUED_LIST.search(t)
    if cued:
        names = _items(cued.group(1), own_words=True)
        if names:
            return names
    listed = _KNOWN_LIST.search(t)
    return _items(listed.group(0), own_words=False) if listed else []


def _items(phrase: str, own_words: bool) -> list[str]:
    names: list[str] = []
    for part in re.split(_SEP, phrase.strip()):
        words = _DETERMINER.sub("", part.strip(" -"))
        if not words:
            continue
        if words.split()[0] in _VERBS:
            break
        known = next(
            (spec[0] for pattern, spec in _KNOWN if re.fullmatch(f"(?:{pattern})s?", words)), None
        )
        if known:
            names.append(known)
        elif own_words and re.fullmatch(r"[a-z][a-z ]{0,30}", words) and len(words.split()) <= 3:
            names.append(re.sub(r"\s+", "_", words)[:40])
        else:
            break
    return names


def _title(t: str) -> str | None:
    """A quoted name of the form ("a 'Book a free consultation' form") is its heading."""
    found = re.search(r"['\"]([^'\"#@]{2,60})['\"]\s+(?:[a-z-]+\s+)?form\b", t)
    return None if found is None else found.group(1)[:1].upper() + found.group(1)[1:]


def _renamed(step: dict[str, Any], renamed: dict[str, str]) -> dict[str, Any]:
    """A kept step whose references to a replaced step's id follow the new id."""
    text = repr(step)
    if not any(old in text for old in renamed):
        return step
    shaped: Any = step
    for old, new in renamed.items():
        shaped = _replace(shaped, f"steps.{old}", f"steps.{new}")
        shaped = _replace(shaped, f"steps['{old}']", f"steps['{new}']")
    return dict(shaped)


def _replace(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, dict):
        return {k: _replace(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, old, new) for v in value]
    return value


@lru_cache(maxsize=1)
def _shaped_template() -> dict[str, Any]:
    template = TemplateCatalog.load().get(TEMPLATE)
    spec: dict[str, Any] = substitute(template.spec, template.resolve({}))
    return spec


def _template() -> dict[str, Any]:
    """The template's spec with its default parameters (a fresh copy)."""
    return copy.deepcopy(_shaped_template())
