"""Turn n8n node types and catalogue apps into trigger and integration labels (node_map.json)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from agents.learned.labels import INTEGRATIONS


@dataclass(frozen=True)
class Labels:
    """What a template or catalogue entry is labelled: its trigger (or None) and integrations."""

    trigger: str | None
    integrations: tuple[str, ...]


@cache
def node_map() -> dict[str, Any]:
    """The mapping table shipped beside this module."""
    text = resources.files("agents.learned").joinpath("node_map.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def short_type(node_type: str) -> str:
    """`n8n-nodes-base.gmailTrigger` → `gmailTrigger`; the package prefix is dropped."""
    return node_type.rsplit(".", 1)[-1]


def _package(node_type: str) -> str:
    return node_type.rsplit(".", 1)[0] if "." in node_type else ""


def _is_trigger(name: str) -> bool:
    return name.endswith("Trigger") or name in node_map()["n8n"]["triggers"]


def n8n_trigger(node_types: Iterable[str]) -> str | None:
    """The trigger a workflow with these nodes has: a real trigger beats a weak or manual one."""
    table = node_map()
    n8n = table["n8n"]
    strong: set[str] = set()
    weak: set[str] = set()
    for node_type in node_types:
        name = short_type(node_type)
        if name in n8n["triggers"]:
            strong.add(n8n["triggers"][name])
        elif name in n8n["weak_triggers"]:
            weak.add(n8n["weak_triggers"][name])
        elif name.endswith("Trigger"):
            strong.add(n8n["other_triggers"])
    real = strong - {"manual"}
    for pool in (real, weak - {"manual"}, strong | weak):
        for kind in table["trigger_priority"]:
            if kind in pool:
                return str(kind)
    return None


def n8n_integrations(node_types: Iterable[str]) -> set[str]:
    """The integrations the nodes use; utility nodes count for nothing, other apps for `http`."""
    n8n = node_map()["n8n"]
    mapped: dict[str, list[str]] = n8n["integrations"]
    ignore = set(n8n["ignore"])
    found: set[str] = set()
    for node_type in node_types:
        name = short_type(node_type)
        if name in mapped:
            found.update(mapped[name])
        elif _package(node_type) in n8n["ai_packages"]:
            if name not in n8n["ai_package_exceptions"]:
                found.add("ai")
        elif name in ignore or _is_trigger(name):
            continue
        else:
            found.update(n8n["other_nodes"])
    return found


def _matches(rules: dict[str, list[str]], text: str) -> set[str]:
    lowered = " " + re.sub(r"[^a-z0-9]+", " ", text.lower()) + " "
    return {label for label, words in rules.items() if any(f" {w} " in lowered for w in words)}


def title_labels(title: str) -> set[str]:
    """Labels a title's own words imply: `interval` or `credentials` (title_rules)."""
    return _matches(node_map()["title_rules"], title)


def text_labels(text: str) -> set[str]:
    """Labels a template's title and overview imply: `report` (text_rules)."""
    return _matches(node_map()["text_rules"], text)


def labels_for_template(title: str, node_types: Iterable[str], text: str = "") -> Labels:
    """Labels of one n8n template from its title, node types and (title + overview) text."""
    types = list(node_types)
    trigger = n8n_trigger(types)
    integrations = n8n_integrations(types)
    implied = title_labels(title)
    if trigger == "schedule" and "interval" in implied:
        trigger = "interval"
    integrations |= (implied & {"credentials"}) | text_labels(text or title)
    return Labels(trigger, _ordered(integrations))


def labels_for_catalogue(app: str, kind: str, title: str) -> Labels:
    """Labels of one catalogue entry: an app's trigger (`kind` "trigger") or action."""
    cat = node_map()["catalogue"]
    app_labels: set[str] = set(cat["apps"].get(app, cat["other_apps"]))
    if kind == "trigger":
        trigger = str(cat["triggers"].get(app, cat["other_triggers"]))
        if trigger == "schedule" and "interval" in title_labels(title):
            trigger = "interval"
        integrations = app_labels - {"http"}
        return Labels(trigger, _ordered(integrations | text_labels(title)))
    implied = text_labels(title) | (title_labels(title) & {"credentials"})
    return Labels(None, _ordered(app_labels | implied))


def _ordered(found: set[str]) -> tuple[str, ...]:
    return tuple(label for label in INTEGRATIONS if label in found)
