"""What templated inputs refer to, in words: "the new lead's name and message", "you", "#sales".

Pure functions of a spec dict. A template is read through its Jinja syntax tree (never rendered
here): the values it uses become nouns ("the AI summary", "the email's subject") so that a
customer never reads `{{ steps.summary.summary }}`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from jinja2 import nodes

from workflows.expressions import ExpressionError, parse_template

Path = tuple[str, ...]
ROOTS = ("trigger", "steps", "now", "workflow", "workspace", "run")

# What a step's output is called, by action: (the whole output, {field: noun}).
# A field noun without an article ("matching contacts") is a collection: conditions say
# "there are matching contacts" when it is not empty.
OUTPUT_NOUNS: dict[str, tuple[str, dict[str, str]]] = {
    "ai.categorize": ("the AI's label", {"label": "the AI's label"}),
    "ai.summarize": ("the AI summary", {"summary": "the AI summary"}),
    "ai.draft_reply": ("the AI-drafted reply", {"reply": "the AI-drafted reply"}),
    "ai.extract": ("the details AI pulled out", {}),
    "alert.crossed": ("the checked value", {"value": "the checked value"}),
    "credentials.rotate": ("the rotation result", {"preview": "the new secret's masked preview"}),
    "crm.delete_contacts": ("how many contacts were deleted", {}),
    "crm.find_contacts": ("the contacts found", {"contacts": "matching contacts"}),
    "crm.get_contact": ("the contact's details", {"milestones": "the contact's milestones"}),
    "crm.sync_hubspot": ("the sync results", {"conflicts": "sync conflicts"}),
    "crm.update_contact": ("the CRM update", {}),
    "crm.upsert_contact": ("the CRM contact", {}),
    "email.send": ("the email sent", {"recipients": "the email's recipients"}),
    "email.send_bulk": ("the bulk email results", {}),
    "http.request": ("the web response", {"status": "the response status"}),
    "hubspot.list_contacts": ("the HubSpot contacts", {"contacts": "HubSpot contacts"}),
    "hubspot.upsert_contact": ("the HubSpot contact", {}),
    "report.build": (
        "the report",
        {"text": "the report", "html": "the report", "title": "the report's title"},
    ),
    "rss.new_items": ("the new feed items", {"items": "new feed items"}),
    "sheets.append_row": ("the new row", {}),
    "sheets.read_rows": ("the sheet's rows", {"rows": "rows in the sheet"}),
    "sheets.update_row": ("the updated rows", {}),
    "slack.post_message": ("the Slack post", {}),
    "stripe.get_customer": ("the customer's details", {}),
    "stripe.invoice_reminders": ("the reminders sent", {"escalate": "invoices to escalate"}),
    "stripe.list_invoices": ("the invoices found", {"invoices": "matching invoices"}),
    "stripe.mark_invoice_paid": ("the paid invoice", {}),
    "stripe.summarize_payments": ("the payments summary", {"text": "the payments summary"}),
    "stripe.update_customer": ("the Stripe update", {}),
    "stripe.update_subscription": ("the subscription change", {}),
}
_FIELDS = {
    "from": "sender",
    "from_name": "sender's name",
    "email": "email address",
    "customer_email": "email address",
    "html": "text",
    "phone": "phone number",
    "hosted_invoice_url": "invoice link",
    "amount_due": "amount due",
    "amount_paid": "amount paid",
    "user": "author",
    "fired_at": "start time",
    "url": "link",
    "link": "link",
    "count": "number of items",
}
_PERSON_FIELDS = ("email", "from", "customer_email", "reply_to", "sender")
_STRIPE_SUBJECTS = (
    ("invoice.", "the invoice"),
    ("charge.", "the payment"),
    ("payment_intent.", "the payment"),
    ("checkout.session.", "the checkout"),
    ("customer.subscription.", "the subscription"),
    ("customer.", "the customer"),
)


@dataclass(frozen=True)
class Scene:
    """What the words for one spec depend on: its trigger, its steps and who it is about."""

    trigger: Mapping[str, Any]
    steps: Sequence[Mapping[str, Any]]
    subject: str

    @classmethod
    def of(cls, spec: Mapping[str, Any]) -> Scene:
        """The scene of a spec dict (tolerates half-edited specs)."""
        trigger = spec.get("trigger")
        trigger = trigger if isinstance(trigger, Mapping) else {}
        steps = [s for s in _list(spec.get("steps")) if isinstance(s, Mapping)]
        return cls(trigger, steps, _subject(spec, trigger))

    @property
    def kind(self) -> str:
        """The trigger's type ("schedule", "webhook", …)."""
        return str(self.trigger.get("type") or "manual")

    def step(self, step_id: str) -> tuple[int, Mapping[str, Any]] | None:
        """The step with this id and its number (counting from 1)."""
        for number, step in enumerate(self.steps, 1):
            if step.get("id") == step_id:
                return number, step
        return None

    def person(self) -> str:
        """Who a trigger's email address belongs to ("the sender", "the customer")."""
        return {
            "webhook": "the person who filled in the form",
            "email": "the sender",
            "stripe": "the customer",
            "slack": "the person who wrote in Slack",
        }.get(self.kind, "the person in the incoming data")

    def whole(self) -> str:
        """The trigger's data as a whole ("the form answers", "the email")."""
        if self.kind == "webhook":
            return "the form answers" if self.trigger.get("form") else "the submitted details"
        return {
            "email": "the email",
            "stripe": f"{self.subject}'s details",
            "slack": "the Slack message",
            "poll": "the new items",
        }.get(self.kind, "the run's details")


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _subject(spec: Mapping[str, Any], trigger: Mapping[str, Any]) -> str:
    kind = trigger.get("type")
    if kind == "webhook":
        about = f"{spec.get('name', '')} {spec.get('description', '')}".lower()
        if spec.get("category") == "lead_capture" or "lead" in about:
            return "the new lead"
        return "the person" if trigger.get("form") else "the submission"
    if kind == "stripe":
        events = [str(e) for e in _list(trigger.get("events"))]
        for prefix, noun in _STRIPE_SUBJECTS:
            if events and all(e.startswith(prefix) for e in events):
                return noun
        return "the Stripe event"
    return {"email": "the email", "slack": "the Slack message", "poll": "the new item"}.get(
        str(kind), "the run"
    )


@dataclass(frozen=True)
class Shape:
    """What a template is made of: the values it uses and its fixed text."""

    paths: tuple[Path, ...]
    lone: Path | None
    literal: str
    readable: bool = True


def shape_of(value: Any) -> Shape:
    """The shape of an input value (a string template, or the strings inside a list/dict)."""
    if isinstance(value, str):
        return _shape_of_text(value)
    if isinstance(value, Mapping | list | tuple):
        parts = [shape_of(v) for v in (value.values() if isinstance(value, Mapping) else value)]
        paths = tuple(dict.fromkeys(p for part in parts for p in part.paths))
        literal = " ".join(p.literal for p in parts if p.literal)
        return Shape(paths, None, literal, all(p.readable for p in parts))
    return Shape((), None, "" if value is None else str(value))


@lru_cache(maxsize=4096)
def _shape_of_text(text: str) -> Shape:
    if "{" not in text:
        return Shape((), None, " ".join(text.split()))
    try:
        tree = parse_template(text)
    except ExpressionError:
        return Shape((), None, "", readable=False)
    paths = tuple(dict.fromkeys(p for p in _paths(tree) if p[0] in ROOTS))
    literal = " ".join("".join(n.data for n in tree.find_all(nodes.TemplateData)).split())
    lone = None
    if len(tree.body) == 1 and isinstance(tree.body[0], nodes.Output):
        parts = [n for n in tree.body[0].nodes if not _blank(n)]
        if len(parts) == 1:
            lone = _chain(_unfiltered(parts[0]))
    return Shape(paths, lone if lone and lone[0] in ROOTS else None, literal)


def _blank(node: nodes.Node) -> bool:
    return isinstance(node, nodes.TemplateData) and not node.data.strip()


def _unfiltered(node: nodes.Node) -> nodes.Node:
    while isinstance(node, nodes.Filter) and node.node is not None:
        node = node.node
    return node


def _chain(node: nodes.Node) -> Path | None:
    """`trigger.data.object.amount` as ("trigger", "data", "object", "amount"), else None."""
    parts: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif isinstance(node, nodes.Getitem):
            if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                parts.append(node.arg.value)
            node = node.node
        elif isinstance(node, nodes.Name):
            return (node.name, *reversed(parts))
        else:
            return None


def _paths(node: nodes.Node) -> Iterator[Path]:
    """The outermost value paths a node uses, in order."""
    if isinstance(node, nodes.Call) and (called := _chain(node.node)) and len(called) > 1:
        yield called[:-1]  # `trigger.subject.lower()` uses trigger.subject
        for argument in node.args:
            yield from _paths(argument)
        return
    chain = _chain(node)
    if chain is not None and not isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem):
        chain = None
    if chain is not None:
        yield chain
        return
    for child in node.iter_child_nodes():
        yield from _paths(child)


def field_words(field: str) -> str:
    """A data field's name as words ("from" → "sender", "amount_due" → "amount due")."""
    return _FIELDS.get(field, field.replace("_", " ").strip() or "value")


def thing_words(path: Path, scene: Scene) -> str:
    """What a value path refers to, as a noun phrase."""
    root, rest = path[0], [p for p in path[1:] if not p.isdigit()]
    if root == "trigger":
        rest = rest[2:] if rest[:2] == ["data", "object"] else rest
        if not rest:
            return scene.whole()
        if scene.kind == "slack" and scene.trigger.get("command") and rest == ["text"]:
            return f"what was typed after {scene.trigger['command']}"
        if scene.kind in ("email", "slack") and rest in (["text"], ["html"]):
            return scene.whole()  # "the email", "the Slack message"
        return f"{scene.subject}'s {field_words(rest[-1])}"
    if root == "steps" and rest:
        return step_output_words(rest[0], rest[1:], scene)
    return {
        "now": "the current time",
        "workflow": "this workflow's name",
        "workspace": "your workspace's name",
    }.get(root, "a value filled in when it runs")


def step_output_words(step_id: str, fields: list[str], scene: Scene) -> str:
    """What an earlier step's output (or one of its fields) is called."""
    found = scene.step(step_id)
    if found is None:
        return "a value from an earlier step"
    number, step = found
    whole, named = OUTPUT_NOUNS.get(str(step.get("action")), ("", {}))
    if fields and fields[0] in named:
        noun = named[fields[0]]
        return noun if noun.startswith("the ") else f"the {noun}"
    if fields and step.get("action") == "ai.extract" and fields[0] == "fields" and fields[1:]:
        return f"the {field_words(fields[-1])} AI found"
    if fields and whole.endswith("'s details"):
        return f"{whole.removesuffix(' details')} {field_words(fields[-1])}"
    if fields and whole:
        return f"the {field_words(fields[-1])} from {whole}"
    return whole or f"the result of step {number}"


def collection_words(path: Path, scene: Scene) -> str | None:
    """A step output that is a list, without article ("matching contacts"), if it is one."""
    if len(path) < 3 or path[0] != "steps" or (found := scene.step(path[1])) is None:
        return None
    noun = OUTPUT_NOUNS.get(str(found[1].get("action")), ("", {}))[1].get(path[2])
    return noun if noun and not noun.startswith("the ") else None


def join_words(items: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    items = [i for i in dict.fromkeys(items) if i]
    if len(items) <= 1:
        return items[0] if items else ""
    head = ", ".join(items[:-1])
    glue = ", and " if " and " in items[-2] else " and "
    return f"{head}{glue}{items[-1]}"


def content_words(value: Any, scene: Scene, *, quote_limit: int = 60) -> str:
    """What a message carries: "the report", "the new lead's name and message", “Hello!”."""
    shape = shape_of(value)
    if shape.lone is not None:
        return thing_words(shape.lone, scene)
    if not shape.paths:
        text = shape.literal
        if not shape.readable:
            return "a message"
        return f"“{text}”" if text and len(text) <= quote_limit else "a message"
    own: list[str] = []
    others: list[str] = []
    per_step: dict[str, int] = {}
    for path in shape.paths:
        if path[0] == "steps" and len(path) > 1:
            per_step[path[1]] = per_step.get(path[1], 0) + 1
    for path in shape.paths:
        if path[0] == "steps" and per_step.get(path[1] if len(path) > 1 else "", 0) > 1:
            path = path[:2]  # several values of one step: name the step's output once
        rest = [p for p in path[1:] if not p.isdigit()]
        rest = rest[2:] if rest[:2] == ["data", "object"] else rest
        if path[0] == "trigger" and rest:
            own.append(field_words(rest[-1]))
        elif path[0] == "steps" and rest:
            others.append(_step_content(rest[0], rest[1:], scene))
        else:
            others.append(thing_words(path, scene))
    parts: list[str] = []
    own = list(dict.fromkeys(own))
    if own:
        shown = own if len(own) <= 4 else [*own[:3], f"{len(own) - 3} more details"]
        parts.append(f"{scene.subject}'s {join_words(shown)}")
    parts += others
    return join_words(parts)


def _step_content(step_id: str, fields: list[str], scene: Scene) -> str:
    """An earlier step's output inside a message: its named field, else the whole output."""
    found = scene.step(step_id)
    whole, named = OUTPUT_NOUNS.get(str(found[1].get("action")) if found else "", ("", {}))
    if not found or not whole:
        return step_output_words(step_id, fields, scene)
    noun = named.get(fields[0], whole) if fields else whole
    return noun if noun.startswith("the ") else f"the {noun}"


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
        groups = {"me": "you", "owners": "the workspace owners", "admins": "the workspace admins"}
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
    if text.startswith("@"):
        return f"{text[1:].replace('.', ' ').title()} (direct message)"
    if text.startswith("#"):
        return text
    return "a Slack channel" if text[:1] in ("C", "G", "U", "D") and text.isupper() else f"#{text}"


def host_words(url: Any) -> str:
    """A URL as the site it points at ("api.example.com")."""
    if not isinstance(url, str) or not url.strip():
        return "a web address"
    if "{" in url:
        return "a web address filled in when it runs"
    return urlsplit(url.strip()).hostname or "a web address"


def quoted(value: Any, limit: int = 60) -> str | None:
    """A literal text input in quotes ("“Leads”"), or None when it is templated or empty."""
    if not isinstance(value, str) or not value.strip() or "{" in value:
        return None
    text = " ".join(value.split())
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"
