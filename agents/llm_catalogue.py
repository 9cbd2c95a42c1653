"""What the model is told: the action and trigger catalogues, the answer tool, input checks."""

from __future__ import annotations

import json
from typing import Any

from integrations.registry import ActionRegistry
from prompts import load_prompt
from workflows import spec as spec_models
from workflows.spec import WorkflowSpec
from workflows.step_inputs import input_problems

TOOL_NAME = "submit_draft"
_TRIGGERS = spec_models.TRIGGER_MODELS


def input_errors(spec: WorkflowSpec, registry: ActionRegistry) -> list[str]:
    """Inputs a step's action does not take, and required inputs it lacks, by step and field."""
    return [f"{p['location']}: {p['message']}" for p in input_problems(spec, registry)]


def action_catalogue(registry: ActionRegistry) -> str:
    """One line per action: name, risk, description and typed inputs (* = required)."""
    lines = []
    for action in registry.actions():
        schema = action.input_model.model_json_schema()
        required = set(schema.get("required", []))
        inputs = ", ".join(
            f"{name}{'*' if name in required else ''}: {_type_name(prop)}"
            for name, prop in schema.get("properties", {}).items()
        )
        risk = action.risk.name + (", depends on inputs" if action.risk_for else "")
        lines.append(f"- {action.name} ({risk}) - {action.description} Inputs: {inputs or 'none'}")
    return "\n".join(lines)


def trigger_catalogue() -> str:
    """One line per trigger type with its fields, from the spec models themselves."""
    lines = []
    for model in _TRIGGERS:
        schema = model.model_json_schema()
        required = set(schema.get("required", []))
        fields = [
            f"{name}{'*' if name in required else ''}: {_type_name(prop)}"
            for name, prop in schema.get("properties", {}).items()
            if name != "type"
        ]
        kind = schema["properties"]["type"].get("const") or schema["properties"]["type"].get(
            "default"
        )
        doc = " ".join((model.__doc__ or "").split())
        lines.append(f"- {kind}: {doc} Fields: {', '.join(fields) or 'none'}")
    return "\n".join(lines)


def submit_draft_tool() -> dict[str, Any]:
    """The function the model calls with its answer (the spec's full JSON Schema inside)."""
    nullable_text = {"type": ["string", "null"]}
    workflow = WorkflowSpec.model_json_schema()
    defs = workflow.pop("$defs", {})  # refs are "#/$defs/...": they resolve from the root
    parameters = {
        "type": "object",
        "properties": {
            "status": {"type": "string", "enum": ["draft", "clarify", "refuse"]},
            "question": nullable_text,
            "suggestions": {"type": ["array", "null"], "items": {"type": "string"}},
            "reason": nullable_text,
            "timezone": nullable_text,
            "workflow": workflow,
        },
        "required": ["status", "workflow"],
        "$defs": defs,
    }
    description = load_prompt("submit_draft_tool").strip()
    return {
        "type": "function",
        "function": {"name": TOOL_NAME, "description": description, "parameters": parameters},
    }


def _type_name(prop: dict[str, Any]) -> str:
    if "enum" in prop:
        return "|".join(json.dumps(v) for v in prop["enum"])
    if "const" in prop:
        return json.dumps(prop["const"])
    if "anyOf" in prop:
        names = [_type_name(p) for p in prop["anyOf"] if p.get("type") != "null"]
        return " | ".join(dict.fromkeys(names)) + (
            " | null" if len(names) < len(prop["anyOf"]) else ""
        )
    if "$ref" in prop:
        return "object"
    kind = prop.get("type")
    if kind == "array":
        return f"list[{_type_name(prop['items'])}]" if prop.get("items") else "list"
    return {
        "string": "str",
        "integer": "int",
        "number": "float",
        "boolean": "bool",
        "object": "dict",
    }.get(str(kind), "any")
