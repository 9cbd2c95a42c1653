"""Where stored customer data goes: a step that reads it, and a later step that sends it outside.

A step's inputs reach earlier outputs through `steps.<id>…` in their templates. Data read from the
CRM, Stripe, a sheet or the run history (an action's `reads`) flows into every step whose inputs
name that step (directly, or through a step that did: a summary of contacts is still contacts).
A step sends outside the workspace when it calls any web address, emails anyone but members, or
posts to a Slack channel chosen at run time; the workspace's own Slack channels (named in the
workflow) and its own connected systems (CRM, HubSpot, sheets) are inside.

Counting (`steps.leads.count`, `.total`) is not customer data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import Environment, TemplateError, nodes

from integrations.base import CustomerData
from integrations.email import is_member_reference
from integrations.registry import ActionRegistry
from workflows.spec import Step, WorkflowSpec

ALL = "*"  # a template that reaches every earlier step (`{{ steps }}`, `steps[some_value]`)
_AGGREGATES = {"count", "total"}
# The inputs that carry content out of a sending step (the others pick its destination: mailing a
# contact at their own address is not their data leaving). Unlisted actions: every input.
_CARRIERS = {
    "email.send": ("subject", "text", "html"),
    "slack.post_message": ("text", "blocks"),
}
_READS = {
    "crm": "contacts from your CRM",
    "hubspot": "contacts from HubSpot",
    "sheets": "rows of a Google Sheet",
    "stripe": "customers and payments from Stripe",
    "report": "your runs and new contacts",
}


@dataclass(frozen=True)
class Leak:
    """One step sending customer data outside: from which step, how much, and where to."""

    sink: str
    source: str
    what: str
    where: str
    amount: CustomerData

    @property
    def reason(self) -> str:
        """The reason, in words, as the approval card shows it."""
        if self.amount >= CustomerData.many:
            return (
                f"Step “{self.sink}” sends customer records in bulk ({self.what}, read by step "
                f"“{self.source}”) to {self.where}."
            )
        return (
            f"Step “{self.sink}” sends customer data ({self.what}, read by step "
            f"“{self.source}”) to {self.where}."
        )


def leaks(spec: WorkflowSpec, registry: ActionRegistry) -> list[Leak]:
    """Every step that sends stored customer data outside the workspace's own destinations."""
    carried: dict[str, tuple[CustomerData, str, str]] = {}  # step id -> (amount, source, what)
    found: list[Leak] = []
    for step in spec.steps:
        if step.action is None or step.action not in registry:
            continue
        action = registry.get(step.action)
        inflow = _inflow(step, carried)
        if inflow is not None:
            where = outside(step)
            if where is not None:
                amount, source, what = inflow
                found.append(Leak(step.id, source, what, where, amount))
        own = (action.reads, step.id, _READS.get(action.integration, "customer data"))
        best = max([x for x in (inflow, own) if x is not None], key=lambda x: x[0])
        if best[0] > CustomerData.none:
            carried[step.id] = best
    return found


def _inflow(
    step: Step, carried: dict[str, tuple[CustomerData, str, str]]
) -> tuple[CustomerData, str, str] | None:
    """The most customer data the step's inputs take from earlier steps, if any."""
    named: set[str] = set()
    carriers = _CARRIERS.get(step.action or "")
    inputs = {k: v for k, v in step.inputs.items() if carriers is None or k in carriers}
    for text in _strings(inputs):
        named |= referenced_steps(text)
    reached = list(carried) if ALL in named else [s for s in named if s in carried]
    if not reached:
        return None
    return max((carried[s] for s in reached), key=lambda x: x[0])


def outside(step: Step) -> str | None:
    """Where the step sends what it is given, in words, when that is outside the workspace."""
    inputs = step.inputs
    if step.action == "http.request":
        return "a web address outside Levqor"
    if step.action == "email.send":
        to, cc = inputs.get("to"), inputs.get("cc") or []
        everyone = [*(to if isinstance(to, list) else [to]), *(cc if isinstance(cc, list) else [])]
        if all(isinstance(a, str) and is_member_reference(a) for a in everyone):
            return None
        return "email addresses outside your team"
    if step.action == "slack.post_message":
        channel = inputs.get("channel")
        if isinstance(channel, str) and "{" not in channel:
            return None  # a channel of the workspace's own Slack, named in the workflow
        return "a Slack channel chosen while the workflow runs"
    return None


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        if "{" in value:
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@lru_cache(maxsize=1024)
def referenced_steps(template: str) -> frozenset[str]:
    """The step ids a template reads outputs of (`ALL` for every step), counts aside."""
    try:
        tree = _parser().parse(template)
    except TemplateError:
        return frozenset({ALL})  # cannot tell: assume the worst
    found: set[str] = set()
    _visit(tree, found)
    return frozenset(found)


@lru_cache(maxsize=1)
def _parser() -> Environment:
    return Environment(autoescape=False)


def _visit(node: nodes.Node, found: set[str]) -> None:
    path = _path(node)
    if path is not None:
        if not path or path[0] == ALL:
            found.add(ALL)
        elif not (len(path) > 1 and path[1] in _AGGREGATES):
            found.add(path[0])
        for inner in _index_expressions(node):
            _visit(inner, found)
        return
    for child in node.iter_child_nodes():
        _visit(child, found)


def _path(node: nodes.Node) -> list[str] | None:
    """`steps.a.b` / `steps['a']` as ["a", "b"]; None when the node is not rooted at `steps`."""
    if isinstance(node, nodes.Name):
        return [] if node.name == "steps" else None
    if isinstance(node, nodes.Getattr):
        inner = _path(node.node)
        return None if inner is None else [*inner, node.attr]
    if isinstance(node, nodes.Getitem):
        inner = _path(node.node)
        if inner is None:
            return None
        key = node.arg.value if isinstance(node.arg, nodes.Const) else ALL
        return [*inner, str(key)]
    return None


def _index_expressions(node: nodes.Node) -> Iterator[nodes.Node]:
    """The subscripts inside a `steps[...]` chain (they may read steps themselves)."""
    while isinstance(node, nodes.Getattr | nodes.Getitem):
        if isinstance(node, nodes.Getitem) and not isinstance(node.arg, nodes.Const):
            yield node.arg
        node = node.node
