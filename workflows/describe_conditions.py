"""A step's `when` condition in words, when it is simple ("AI sorted it as “billing”").

Conditions are read through their syntax tree; anything this module does not recognise gives
None, and the describer says "(only when a condition holds)" instead of guessing.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from jinja2 import nodes

from workflows.describe_refs import (
    Path,
    Scene,
    _chain,
    collection_words,
    field_words,
    thing_words,
)
from workflows.expressions import ExpressionError, parse_condition

_OPS = {
    "eq": "is",
    "ne": "is not",
    "gt": "is over",
    "gteq": "is at least",
    "lt": "is under",
    "lteq": "is at most",
    "in": "is",
    "notin": "is not",
}
_FLIP = {"gt": "lt", "lt": "gt", "gteq": "lteq", "lteq": "gteq", "eq": "eq", "ne": "ne"}
_SOFT_FILTERS = ("default", "d", "float", "int", "string", "trim", "lower", "upper")
_TRUTHY: dict[tuple[str, str], tuple[str, str]] = {
    ("alert.crossed", "crossed"): ("the value crossed the limit", "the value did not cross it"),
    ("alert.crossed", "recovered"): ("the value came back within the limit", "it did not"),
    ("alert.crossed:down", "crossed"): ("it has just gone down", "it has not just gone down"),
    ("alert.crossed:down", "recovered"): ("it is back up", "it is not back up"),
    ("http.check_pages", "changed"): ("a page changed", "no page changed"),
    ("crm.get_contact", "found"): ("the contact is in your CRM", "the contact is not in your CRM"),
    ("crm.get_contact", "unsubscribed"): ("they unsubscribed", "they did not unsubscribe"),
    ("crm.upsert_contact", "created"): ("the contact is new", "the contact was already there"),
}


def condition_words(source: Any, scene: Scene) -> str | None:
    """A `when` condition in words, or None when it is not simple enough to say."""
    if not isinstance(source, str):
        return None
    expr = _parsed(source)
    return None if expr is None else _words(expr, scene, negate=False)


@lru_cache(maxsize=1024)
def _parsed(source: str) -> nodes.Expr | None:
    """The condition's syntax tree (read only here), or None when it does not parse."""
    try:
        return parse_condition(source)
    except ExpressionError:
        return None


def _words(expr: nodes.Node, scene: Scene, *, negate: bool) -> str | None:
    if isinstance(expr, nodes.Not):
        return _words(expr.node, scene, negate=not negate)
    if isinstance(expr, nodes.And | nodes.Or) and not negate:
        left, right = (
            _words(expr.left, scene, negate=False),
            _words(expr.right, scene, negate=False),
        )
        glue = " and " if isinstance(expr, nodes.And) else " or "
        return f"{left}{glue}{right}" if left and right else None
    if isinstance(expr, nodes.Compare) and len(expr.ops) == 1:
        return _compare(expr.expr, expr.ops[0].op, expr.ops[0].expr, scene, negate)
    if isinstance(expr, nodes.Test):
        return _test(expr, scene, negate)
    path = _value_path(expr)
    return _truthy(path, scene, negate) if path else None


def _value_path(expr: nodes.Node) -> Path | None:
    """The value a (softly filtered) expression reads: `trigger.total | default(0) | float`."""
    while isinstance(expr, nodes.Filter) and expr.node is not None:
        if expr.name not in _SOFT_FILTERS:
            return None
        expr = expr.node
    return _chain(expr)


def _counted(expr: nodes.Node, scene: Scene) -> str | None:
    """`x | length` or `steps.s.count`: the collection counted, without article."""
    if isinstance(expr, nodes.Filter) and expr.name in ("length", "count") and expr.node:
        path = _chain(expr.node)
    else:
        path = _chain(expr)
        if path is None or path[-1] != "count":
            return None
        path = (*path[:-1], _list_field(path, scene))
    return collection_words(path, scene) if path else None


def _list_field(path: Path, scene: Scene) -> str:
    """The list a step's `count` counts (contacts, items, invoices …)."""
    found = scene.step(path[1]) if len(path) > 2 and path[0] == "steps" else None
    action = str(found[1].get("action")) if found else ""
    return {
        "crm.find_contacts": "contacts",
        "hubspot.list_contacts": "contacts",
        "rss.new_items": "items",
        "social.mentions": "mentions",
        "stripe.list_invoices": "invoices",
        "sheets.read_rows": "rows",
    }.get(action, "")


def _compare(
    left: nodes.Node, op: str, right: nodes.Node, scene: Scene, negate: bool
) -> str | None:
    if isinstance(left, nodes.Const) and op in _FLIP:  # `500 < trigger.total`
        left, right, op = right, left, _FLIP[op]
    counted = _counted(left, scene)
    value = _constant(right)
    if counted is not None and isinstance(value, int | float) and not isinstance(value, bool):
        some = (op == "gt" and value == 0) or (op == "gteq" and value == 1)
        none = (op == "eq" and value == 0) or (op == "lt" and value == 1)
        if not (some or none):
            return None
        present = some != negate
        return f"there are {'' if present else 'no '}{counted}"
    path = _value_path(left)
    if path is None or value is _MISSING:
        return None
    if op in ("in", "notin") and not isinstance(value, list):
        return None
    negative = (op in ("ne", "notin")) != negate
    if _is_label(path, scene) and op in ("eq", "ne", "in", "notin"):
        labels = " or ".join(f"“{v}”" for v in (value if isinstance(value, list) else [value]))
        return f"AI {'did not sort' if negative else 'sorted'} it as {labels}"
    if isinstance(value, bool) and op in ("eq", "ne"):
        return _truthy(path, scene, value == negative)
    shown = _shown(value)
    words = _OPS[op] if not negate else _NEGATED[op]
    return f"{thing_words(path, scene)} {words} {shown}"


_NEGATED = {
    "eq": "is not",
    "ne": "is",
    "gt": "is not over",
    "gteq": "is under",
    "lt": "is not under",
    "lteq": "is over",
    "in": "is not",
    "notin": "is",
}
_MISSING = object()


def _constant(node: nodes.Node) -> Any:
    if isinstance(node, nodes.Const):
        return node.value
    if isinstance(node, nodes.List | nodes.Tuple):
        values = [_constant(item) for item in node.items]
        return _MISSING if _MISSING in values else values
    return _MISSING


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "one of " + ", ".join(_shown(v) for v in value) if value else "in an empty list"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, int | float):
        return f"{value:,}" if float(value).is_integer() else f"{value:,.2f}"
    if value is None:
        return "empty"
    return f"“{value}”"


def _is_label(path: Path, scene: Scene) -> bool:
    found = scene.step(path[1]) if len(path) == 3 and path[0] == "steps" else None
    return bool(found and found[1].get("action") == "ai.categorize" and path[2] == "label")


def _test(expr: nodes.Test, scene: Scene, negate: bool) -> str | None:
    path = _chain(expr.node) if expr.node is not None else None
    if path is None or expr.name not in ("defined", "undefined", "none"):
        return None
    filled = (expr.name == "defined") != negate
    if path[-1] == "bot_id":
        return f"it was {'' if filled else 'not '}posted by a bot"
    return f"{thing_words(path, scene)} is {'filled in' if filled else 'not filled in'}"


def _truthy(path: Path, scene: Scene, negate: bool) -> str | None:
    if path[0] == "steps" and len(path) == 3 and (found := scene.step(path[1])):
        action = str(found[1].get("action"))
        inputs = found[1].get("inputs")
        if (
            action == "alert.crossed"
            and isinstance(inputs, Mapping)
            and inputs.get("key") == "down"
        ):
            action = "alert.crossed:down"  # an uptime check's state: down / back up
        known = _TRUTHY.get((action, path[2]))
        if known:
            return known[1] if negate else known[0]
    if path[0] == "trigger" and len(path) >= 2:
        field = field_words(path[-1])
        if field.endswith("ed"):
            return f"{scene.subject} was {'not ' if negate else ''}{field}"
    thing = thing_words(path, scene)
    return f"{thing} is {'empty' if negate else 'set'}"
