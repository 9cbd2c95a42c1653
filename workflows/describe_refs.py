"""What templated inputs refer to, in words: "the new lead's name and message", "you", "#sales".

Pure functions of a spec dict. A template is read through its Jinja syntax tree (never rendered
here): the values it uses become nouns ("the AI summary", "the email's subject") so that a
customer never reads `{{ steps.summary.summary }}`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import nodes

from workflows.describe_nouns import FIELD_WORDS, OUTPUT_NOUNS, STRIPE_SUBJECTS, read_noun
from workflows.expressions import ExpressionError, parse_template

Path = tuple[str, ...]
ROOTS = ("trigger", "steps", "now", "workflow", "workspace", "run", "item", "item_index")


@dataclass(frozen=True)
class Scene:
    """What the words for one spec depend on: its trigger, its steps and who it is about."""

    trigger: Mapping[str, Any]
    steps: Sequence[Mapping[str, Any]]
    subject: str
    event: str = ""  # what happens, in the trigger's words ("a new ticket gets created")

    @classmethod
    def of(cls, spec: Mapping[str, Any]) -> Scene:
        """The scene of a spec dict (tolerates half-edited specs)."""
        trigger = spec.get("trigger")
        trigger = trigger if isinstance(trigger, Mapping) else {}
        steps = [s for s in _list(spec.get("steps")) if isinstance(s, Mapping)]
        event = f"{trigger.get('event') or ''} {spec.get('name') or ''}".lower()
        return cls(trigger, steps, _subject(spec, trigger), event)

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
        if self.kind == "webhook" and self.subject == "the booking":
            return "the person who booked"
        if self.kind == "webhook" and not self.trigger.get("form"):
            for pattern, who in _EVENT_PEOPLE:  # an app's event: who it is about, no form
                if re.search(pattern, self.event):
                    return who
        return {
            "webhook": "the person who filled in the form",
            "email": "the sender",
            "stripe": "the customer",
            "slack": "the person who wrote in Slack",
            "sheet": "the person in the new row",
        }.get(self._kind(), "the person in the incoming data")

    @property
    def watches_pages(self) -> bool:
        """Whether the trigger is a poll of web pages."""
        return self.kind == "poll" and bool(self.trigger.get("pages"))

    def _kind(self) -> str:
        if self.watches_pages:
            return "page"
        return "sheet" if self.kind == "poll" and self.trigger.get("sheet") else self.kind

    def whole(self) -> str:
        """The trigger's data as a whole ("the form answers", "the email")."""
        if self.kind == "webhook":
            return "the form answers" if self.trigger.get("form") else "the submitted details"
        return {
            "email": "the email",
            "stripe": f"{self.subject}'s details",
            "slack": "the Slack message",
            "poll": "the new items",
            "sheet": "the new row",
            "page": "what changed on the page",
        }.get(self._kind(), "the run's details")


# The person an app's event is about, by what happened ("a new ticket gets created").
_EVENT_PEOPLE = (
    (r"\btickets?\b", "the person who opened the ticket"),
    (r"\border(?:s|ed)?\b|\bcheck(?:s|ed)?\s*out\b|\bpurchase", "the customer who ordered"),
    (r"\bsign(?:s|ed)?[\s-]?ups?\b|\bregist(?:ers|ered|ration)", "the person who signed up"),
)


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _subject(spec: Mapping[str, Any], trigger: Mapping[str, Any]) -> str:
    kind = trigger.get("type")
    if kind == "webhook":
        about = f"{spec.get('name', '')} {spec.get('description', '')}".lower()
        if spec.get("category") == "lead_capture" or "lead" in about:
            return "the new lead"
        if re.search(r"\b(?:appointments?|bookings?|booked|reservations?)\b", about):
            return "the booking"
        return "the person" if trigger.get("form") else "the submission"
    if kind == "stripe":
        events = [str(e) for e in _list(trigger.get("events"))]
        for prefix, noun in STRIPE_SUBJECTS:
            if events and all(e.startswith(prefix) for e in events):
                return noun
        return "the Stripe event"
    if kind == "poll" and trigger.get("sheet"):
        return "the new row"
    if kind == "poll" and trigger.get("pages"):
        return "the changed page"
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


# A watched page's run data (`integrations.page_changes.trigger_data`) in words.
PAGE_FIELD_WORDS = {
    "before": "what the page said before",
    "after": "what it says now",
    "summary": "what changed on the page",
    "changes": "the changes on the page",
    "url": "the page's address",
    "page": "the page's address",
}


def page_change_words(fields: Sequence[str]) -> str:
    """A message made of a watched page's run data: "what changed on the page (before and
    after) with a link to it"."""
    said = "what changed on the page"
    if {"before", "after", "changes"} & set(fields):
        said += " (before and after)"
    if {"url", "page"} & set(fields):
        said += " with a link to it" if len(set(fields) - {"url", "page"}) else ""
        said = said if said != "what changed on the page" else "the page's address"
    return said


def field_words(field: str) -> str:
    """A data field's name as words ("from" → "sender", "amount_due" → "amount due")."""
    return FIELD_WORDS.get(field, field.replace("_", " ").strip() or "value")


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
        if scene.watches_pages and rest[-1] in PAGE_FIELD_WORDS:
            return PAGE_FIELD_WORDS[rest[-1]]
        return f"{scene.subject}'s {field_words(rest[-1])}"
    if root == "steps" and rest:
        return step_output_words(rest[0], rest[1:], scene)
    if root == "item":  # the element a `for_each` step is on
        return f"each one's {field_words(rest[-1])}" if rest else "each one"
    return {
        "item_index": "its place in the list",
        "now": "the current time",
        "workflow": "this workflow's name",
        "workspace": "your workspace's name",
    }.get(root, "a value filled in when it runs")


def _output_nouns(step: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    whole, named = OUTPUT_NOUNS.get(str(step.get("action")), ("", {}))
    return read_noun(step) or whole, named


def step_output_words(step_id: str, fields: list[str], scene: Scene) -> str:
    """What an earlier step's output (or one of its fields) is called."""
    found = scene.step(step_id)
    if found is None:
        return "a value from an earlier step"
    number, step = found
    whole, named = _output_nouns(step)
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
    each: list[str] = []
    others: list[str] = []
    page: list[str] = []
    per_step: dict[str, int] = {}
    for path in shape.paths:
        if path[0] == "steps" and len(path) > 1:
            per_step[path[1]] = per_step.get(path[1], 0) + 1
    for path in shape.paths:
        if path[0] == "steps" and per_step.get(path[1] if len(path) > 1 else "", 0) > 1:
            path = path[:2]  # several values of one step: name the step's output once
        rest = [p for p in path[1:] if not p.isdigit()]
        rest = rest[2:] if rest[:2] == ["data", "object"] else rest
        if path[0] == "trigger" and rest and scene.watches_pages and rest[-1] in PAGE_FIELD_WORDS:
            page.append(rest[-1])
        elif path[0] == "trigger" and rest:
            own.append(field_words(rest[-1]))
        elif path[0] == "item" and rest:
            each.append(field_words(rest[-1]))
        elif path[0] == "steps" and rest:
            others.append(_step_content(rest[0], rest[1:], scene))
        else:
            others.append(thing_words(path, scene))
    parts: list[str] = [page_change_words(page)] if page else []
    own = list(dict.fromkeys(own))
    if own:
        shown = own if len(own) <= 4 else [*own[:3], f"{len(own) - 3} more details"]
        parts.append(f"{scene.subject}'s {join_words(shown)}")
    each = list(dict.fromkeys(each))
    if each:
        parts.append(f"each one's {join_words(each)}")
    parts += others
    return join_words(parts)


def _step_content(step_id: str, fields: list[str], scene: Scene) -> str:
    """An earlier step's output inside a message: its named field, else the whole output."""
    found = scene.step(step_id)
    if found and fields[:1] == ["error"] and found[1].get("continue_on_error"):
        return "why the check failed"  # a step that may fail: its reason, in the message
    whole, named = _output_nouns(found[1]) if found else ("", {})
    if not found or not whole:
        return step_output_words(step_id, fields, scene)
    noun = named.get(fields[0], whole) if fields else whole
    return noun if noun.startswith("the ") else f"the {noun}"


def quoted(value: Any, limit: int = 60) -> str | None:
    """A literal text input in quotes ("“Leads”"), or None when it is templated or empty."""
    if not isinstance(value, str) or not value.strip() or "{" in value:
        return None
    text = " ".join(value.split())
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"
