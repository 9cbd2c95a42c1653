"""Offline revision of the current draft: schedule and timezone, more recipients, thresholds."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from agents.planner.schedule import find_cron, find_schedule
from agents.planner.slots import read_slots
from agents.planner.text import normalise
from agents.planner.zones import find_timezone
from workflows.describe_people import host_words
from workflows.schedule_words import describe_schedule
from workflows.spec import WorkflowSpec
from workflows.stand_ins import is_stand_in

_CLOCK = (
    r"\b\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\b\d{1,2}:\d{2}\b|\bnoon\b|\bmidnight\b|"
    r"\bat\s+\d{1,2}\b"
)
_DAYS = (
    r"\b(?:every|each|on)\s+(?:mon|tue|wed|thu|fri|sat|sun)\w*|\bweekdays?\b|\bweekends?\b|"
    r"\bdaily\b|\bevery\s*day\b|\bmonthly\b|\b(?:mon|tues|wednes|thurs|fri|satur|sun)days\b|"
    r"\bevery\s+other\b|\bfortnightly\b|\b(?:business|working)\s+day\b|\blast\s+day\b|"
    r"\bend\s+of\s+(?:the|each|every)\s+month\b"
)
_EMAIL_ME = r"\b(?:e-?mail|mail|cc|send)\s+(?:it\s+to\s+)?(?:me|us|myself)\b|\bby\s+e-?mail\b"
_EMAIL_TO = r"\b(?:e-?mail|send\s+it\s+to|cc)\b"
_REPLACE = r"\binstead\b|\brather\b|\bnot\s+#|\bchange\b|\bmove\b|\bswitch\b|\bonly\s+(?:to|in)\s+#"
_DROP = r"\b(?:drop|remove|no|without|stop)\s+(?:the\s+)?(e-?mail|slack)"
_DELIVERY = ("slack.post_message", "email.send")
_SYMBOL = re.compile(r"([$£€])\s*\d")
_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
# What a message says an address is ("the url is git.acme.io/api", "the address is not-a-url"):
# the word after "address/url/endpoint is", when no https:// address is written.
_SAID_ADDRESS = re.compile(
    r"\b(?:address|url|endpoint)\s+(?:is|=|:|should\s+be|will\s+be)\s+[\"'“\u2018]?([^\s\"'”\u2019]+)",
    re.IGNORECASE,
)
# A web address written without its scheme: a host with a dot and a top-level name, then a path.
_BARE_HOST = re.compile(r"(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?(?:/\S*)?", re.IGNORECASE)


@dataclass
class Revision:
    """The revised spec and what changed, in plain words."""

    spec: dict[str, Any]
    changes: list[str] = field(default_factory=list)


def revise(current: dict[str, Any], text: str) -> Revision | None:
    """Apply the changes a message names to `current`; None when it names none we understand."""
    spec = copy.deepcopy(current)
    changes: list[str] = _fill_in(spec, text)
    t = _URL.sub(" ", normalise(text))  # an address's digits and words are not a time or a channel
    changes += _schedule(spec, t)
    slots = read_slots(t)
    changes += _drop(spec, t)
    changes += _channels(spec, t, [f"#{c}" for c in slots.channels])
    changes += _emails(spec, t, slots.addresses)
    conditional = re.search(r"\bonly\b|\bif\b|\bwhen\b", t)
    if slots.threshold is not None and not slots.percent and conditional:
        changes += _threshold(spec, slots.threshold, _currency(text))
    if not changes:
        return None
    try:
        WorkflowSpec.model_validate(spec)
    except ValidationError:
        return None
    return Revision(spec, changes)


def _fill_in(spec: dict[str, Any], text: str) -> list[str]:
    """A web address given for the steps still calling a stand-in ("the helpdesk address is
    https://helpdesk.acme.io/api/tickets"): the one stand-in, or the one whose tool the message
    names; with several and none named, nothing changes (the card still says which to fill)."""
    given = [u.rstrip(".,;:!?)'\"") for u in _URL.findall(text)]
    if not given and (bare := bare_address(text)):
        given = [f"https://{bare}"]
    if len(given) != 1:
        return []
    stand_ins = _stand_ins_by_host(spec)
    if not stand_ins:
        return []
    if len(stand_ins) > 1:
        words = re.sub(r"[^a-z0-9]+", "", normalise(_URL.sub(" ", text)))
        named = [b for b in stand_ins if _tool_of(b) and _tool_of(b) in words]
        if len(named) != 1:
            return []
        stand_ins = {named[0]: stand_ins[named[0]]}
    [(host, steps)] = stand_ins.items()
    address = given[0]
    for step in steps:
        step["inputs"]["url"] = _with_template(address, str(step["inputs"]["url"]))
    named = urlsplit(address).hostname or address
    for step in spec.get("steps") or []:  # "(from api.example.com)" in a message: the real host
        step["inputs"] = _renamed(step.get("inputs") or {}, host, named)
    if len(steps) == 1 and steps[0].get("name") and host.endswith(_SITE_STAND_INS):
        return [f"“{steps[0]['name']}” now uses {address}"]  # a site to check: its step's name
    tool = host_words(f"https://{host}")  # "Helpdesk", or "api.example.com" when none was named
    plural = len(steps) > 1
    return [f"the {tool} step{'s' if plural else ''} now call{'' if plural else 's'} {address}"]


# Stand-ins for a page or site the person names later ("www.example.com"), not for a tool's API.
_SITE_STAND_INS = ("www.example.com", "www.example.org", "www.example.net")


def said_address(text: str) -> str | None:
    """The word a message gives as an address when it writes no https:// one ("the address is
    not-a-url" → "not-a-url"); None when it gives none."""
    if _URL.search(text):
        return None
    found = _SAID_ADDRESS.search(text)
    return found.group(1).rstrip(".,;:!?)") if found else None


def bare_address(text: str) -> str | None:
    """A web address given without https:// ("the url is git.acme.io/api/v4"), else None."""
    said = said_address(text)
    return said if said and _BARE_HOST.fullmatch(said) else None


def _renamed(value: Any, host: str, named: str) -> Any:
    """`value` with the stand-in host written in its words replaced by the real one."""
    if isinstance(value, str):
        return re.sub(rf"(?<![\w.-]){re.escape(host)}(?![\w-])", named, value)
    if isinstance(value, dict):
        return {k: _renamed(v, host, named) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, host, named) for v in value]
    return value


def address_question(current: dict[str, Any], text: str) -> str | None:
    """What to say back about an address given for the stand-ins: that a word given as one is
    no web address; or which step it is for, when several still call stand-ins and the message
    names none of their tools. None otherwise."""
    said = said_address(text)
    if said is not None and bare_address(text) is None and _stand_ins_by_host(current):
        return (
            f"“{said}” isn't a web address. Say the whole address, starting with https://, "
            "for example “the address is https://tools.yourcompany.com/api”. Nothing changed."
        )
    if len(_URL.findall(text)) != 1:
        return None
    hosts = list(_stand_ins_by_host(current))
    if len(hosts) < 2:
        return None
    tools = [host_words(f"https://{h}") for h in hosts]
    named = ", ".join(tools[:-1]) + f" or {tools[-1]}"
    return (
        f"Which step is that address for: {named}? Say it with the tool's name, for example "
        f"“the {tools[0]} address is {_URL.findall(text)[0]}”."
    )


def _with_template(address: str, stand_in: str) -> str:
    """The given address, keeping the per-item part of the stand-in's path when it had one
    ("…/{{ item.id }}": each run calls it for its own record)."""
    if "{{" not in stand_in or "{{" in address:
        return address
    per_item = stand_in[stand_in.rindex("/", 0, stand_in.index("{{")) + 1 :]
    return address.rstrip("/") + "/" + per_item


def _stand_ins_by_host(spec: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The steps still calling a stand-in address, by its host (one tool's steps share one)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for step in spec.get("steps") or []:
        url = str((step.get("inputs") or {}).get("url") or "")
        if url and is_stand_in(url):
            found.setdefault(_base(url), []).append(step)
    return found


def _base(url: str) -> str:
    """A stand-in's host: the steps of one tool share it ("api.notion.example")."""
    return urlsplit(url).hostname or url


def _tool_of(host: str) -> str:
    """The tool a stand-in host names, letters only ("api.google-drive.example" → googledrive)."""
    label = host.removesuffix(".example").removeprefix("api.")
    return "" if "." in label else re.sub(r"[^a-z0-9]+", "", label)


def _schedule(spec: dict[str, Any], t: str) -> list[str]:
    clock, days, zone = re.search(_CLOCK, t), re.search(_DAYS, t), find_timezone(t)
    if not (clock or days or zone):
        return []
    trigger = spec["trigger"]
    changes: list[str] = []
    if clock or days:
        old = trigger.get("cron", "0 9 * * *") if trigger.get("type") == "schedule" else "0 9 * * *"
        minute, hour, dom, month, dow = old.split()
        if clock:
            minute, hour = (find_cron(f"every day {t}") or old).split()[:2]
        found = find_schedule(t) if days else None
        if found:
            dom, month, dow = found.cron.split()[2:]
        cron = f"{minute} {hour} {dom} {month} {dow}"
        if trigger.get("type") != "schedule":
            spec["trigger"] = trigger = {"type": "schedule", "cron": cron, "timezone": "UTC"}
        trigger["cron"] = cron
        if found:  # new days bring their own rule (or none): "every other monday" → 2 weeks
            for key in ("week_interval", "starts_on", "only_on"):
                trigger.pop(key, None)
            trigger.update({k: v for k, v in found.trigger_fields().items() if k != "cron"})
    if zone and trigger.get("type") == "schedule":
        trigger["timezone"] = zone
    if clock or days:
        changes.append(f"it now runs {describe_schedule(trigger)}")
    elif zone and trigger.get("type") == "schedule":
        changes.append(f"timezone is now {zone}")
    return changes


def _drop(spec: dict[str, Any], t: str) -> list[str]:
    match = re.search(_DROP, t)
    if not match:
        return []
    prefix = "slack." if match.group(1) == "slack" else "email."
    kept = [s for s in spec["steps"] if not str(s.get("action", "")).startswith(prefix)]
    if not kept or len(kept) == len(spec["steps"]):
        return []
    spec["steps"] = kept
    return [f"removed the {match.group(1)} step"]


def _channels(spec: dict[str, Any], t: str, channels: list[str]) -> list[str]:
    if not channels:
        return []
    posts = [s for s in spec["steps"] if s.get("action") == "slack.post_message"]
    if posts and re.search(_REPLACE, t):
        for post in posts:
            post["inputs"]["channel"] = channels[-1]
        return [f"posts go to {channels[-1]}"]
    added = []
    for channel in channels:
        if any(p["inputs"].get("channel") == channel for p in posts):
            continue
        _append(spec, "post_" + re.sub(r"\W", "_", channel[1:]), "slack.post_message",
                {"channel": channel, "text": _message(spec)})  # fmt: skip
        added.append(channel)
    return [f"also posts to {', '.join(added)}"] if added else []


def _emails(spec: dict[str, Any], t: str, addresses: list[str]) -> list[str]:
    if re.search(_EMAIL_ME, t):
        recipients: list[str] = ["member:me"]
    elif addresses and re.search(_EMAIL_TO, t):
        recipients = addresses
    else:
        return []
    inputs = {"to": recipients, "subject": spec.get("name", "Update"), "text": _message(spec)}
    _append(spec, "email_me" if recipients == ["member:me"] else "email", "email.send", inputs)
    who = "you" if recipients == ["member:me"] else ", ".join(recipients)
    return [f"also emails {who}"]


def _threshold(spec: dict[str, Any], amount: float, symbol: str) -> list[str]:
    reads = [s for s in spec["steps"] if s.get("action") == "crm.find_contacts"]
    if spec["trigger"].get("type") in ("schedule", "manual", "interval"):
        if not reads:
            return []
        source = f"steps.{reads[0]['id']}.contacts"
        condition = (
            f"{source} | map(attribute='fields.amount', default=0) | select('gt', {amount:g}) "
            "| list | length > 0"
        )
        targets = [s for s in spec["steps"] if s.get("action") in _DELIVERY]
    else:
        condition = f"(trigger.amount | default(0) | float) > {amount:g}"
        targets = [s for s in spec["steps"] if s.get("action")]
    if not targets:
        return []
    for step in targets:
        old = step.get("when")
        step["when"] = f"({old}) and ({condition})" if old and condition not in old else condition
    return [f"only when the amount is over {symbol}{amount:,.0f}"]


def _message(spec: dict[str, Any]) -> str:
    for step in spec["steps"]:
        if step.get("action") in _DELIVERY and isinstance(step["inputs"].get("text"), str):
            return str(step["inputs"]["text"])
    for step in spec["steps"]:
        if step.get("action") == "report.build":
            return "{{ steps." + str(step["id"]) + ".text }}"
    return "{{ trigger }}"


def _append(spec: dict[str, Any], base: str, action: str, inputs: dict[str, Any]) -> None:
    taken = {s["id"] for s in spec["steps"]}
    step_id, n = base[:60], 2
    while step_id in taken:
        step_id, n = f"{base[:57]}_{n}", n + 1
    spec["steps"].append({"id": step_id, "action": action, "inputs": inputs})


def _currency(text: str) -> str:
    match = _SYMBOL.search(text)
    return str(match.group(1)) if match else ""
