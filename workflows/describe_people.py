"""Who a step reaches and where it posts, in words: "you", "the sender", "#sales", a site."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from workflows.describe_nouns import read_noun
from workflows.describe_refs import Path, Scene, Shape, join_words, shape_of, thing_words

_PERSON_FIELDS = ("email", "from", "customer_email", "reply_to", "sender")


def recipient_words(value: Any, scene: Scene) -> str:
    """Who an address (or a list of them) reaches: "you", "the sender", "ops@acme.com"."""
    items = value if isinstance(value, list | tuple) else [value]
    return join_words([_recipient(item, scene) for item in items]) or "nobody yet"


def _recipient(value: Any, scene: Scene) -> str:
    if not isinstance(value, str) or not value.strip():
        return ""
    text = value.strip()
    if text.lower().startswith("member:"):
        who = text.split(":", 1)[1].strip().lower()
        groups = {
            "me": "you",
            "owners": "the workspace owners",
            "admins": "the workspace admins",
            "team": "everyone in your workspace",
        }
        return groups.get(who, who)
    if "{" not in text:
        return text
    return person_of(shape_of(text), scene) or "an address filled in when it runs"


def person_of(shape: Shape, scene: Scene) -> str | None:
    """Whom a templated address names, when all of its values name the same person."""
    if shape.lone is not None:
        return person_words(shape.lone, scene)
    people = {person_words(path, scene) for path in shape.paths}
    return people.pop() if len(people) == 1 and shape.paths else None


def person_words(path: Path, scene: Scene) -> str:
    """Who an address path names: the trigger's person, a contact an earlier step found, …."""
    if path[0] == "item":  # the element a `for_each` step is on
        last = path[-1] if len(path) > 1 else ""
        if last == "customer_email":  # a listed invoice's (or order's) customer
            return "its customer"
        if any(last == f or last.endswith("_email") for f in _PERSON_FIELDS):
            return "each one's email address"
        return thing_words(path, scene)
    if path[0] == "trigger":
        last = path[-1] if len(path) > 1 else ""
        if any(last == f or last.endswith("_email") for f in _PERSON_FIELDS):
            return scene.person()
        return thing_words(path, scene)
    if path[0] == "steps" and len(path) > 1 and (found := scene.step(path[1])):
        action = str(found[1].get("action"))
        if action in ("crm.find_contacts", "hubspot.list_contacts"):
            return "the contact it finds"
        if action in ("stripe.get_customer", "stripe.list_invoices"):
            return "the customer"
        if action == "crm.get_contact":
            return "the contact"
        if action == "ai.extract":
            return "the address AI finds in the text"
        return f"the address from step {found[0]}"
    return "an address filled in when it runs"


_EACH_NOUNS = {
    ("sheets.read_rows", "rows"): "row of the sheet",
    ("crm.find_contacts", "contacts"): "contact found",
    ("hubspot.list_contacts", "contacts"): "contact found",
    ("stripe.list_invoices", "invoices"): "invoice found",
    ("http.request", "json"): "item fetched",
}


def each_words(source: Any, scene: Scene) -> str:
    """What a `for_each` step repeats over ("row of the sheet", "contact found")."""
    path = shape_of("{{ " + source + " }}").lone if isinstance(source, str) else None
    if path and path[0] == "steps" and len(path) > 2 and (found := scene.step(path[1])):
        noun = _EACH_NOUNS.get((str(found[1].get("action")), path[2]))
        read = read_noun(found[1])
        if read and path[2] == "json":
            return f"one of {read}"  # "for each one of the volunteers"
        if noun:
            return noun
        return f"item from step {found[0]}"
    if path and path[0] == "trigger":
        return f"item of {thing_words(path, scene)}"
    return "item of the list"


def channel_words(channel: Any, scene: Scene) -> str:
    """Where a Slack post goes: "#sales", "Maria (direct message)", "the same Slack channel"."""
    if not isinstance(channel, str) or not channel.strip():
        return "a Slack channel"
    text = channel.strip()
    if "{" in text:
        shape = shape_of(text)
        if shape.lone and shape.lone[-1] == "channel" and shape.lone[0] == "trigger":
            return "the same Slack channel"
        return "the channel filled in when it runs"
    if text.lower() in ("@me", "@myself"):
        return "you (direct message)"  # the person who asked for the workflow
    if text.startswith("@"):
        return f"{text[1:].replace('.', ' ').title()} (direct message)"
    if text.startswith("#"):
        return text
    return "a Slack channel" if text[:1] in ("C", "G", "U", "D") and text.isupper() else f"#{text}"


# Tool names said in capitals on a card: "FTP", not "Ftp".
_ACRONYMS = frozenset({"ftp", "sftp", "crm", "erp", "api", "sms", "hr", "it", "pos", "aws", "ga4"})


def host_words(url: Any) -> str:
    """A URL as the site it points at ("api.example.com")."""
    if not isinstance(url, str) or not url.strip():
        return "a web address"
    if "{" in url:  # the site is still known when only the path is filled in when it runs
        head = url.strip().split("{", 1)[0]
        if not re.match(r"https?://[^/]+/", head):
            return "a web address filled in when it runs"
        url = head
    host = urlsplit(url.strip()).hostname or "a web address"
    if host.endswith(".example"):  # a drafted stand-in named after its tool: "Google Drive"
        label = host.removesuffix(".example").removeprefix("api.")
        words = (w for w in re.split(r"[-.]", label) if w)
        return " ".join(w.upper() if w in _ACRONYMS else w.capitalize() for w in words)
    return host
