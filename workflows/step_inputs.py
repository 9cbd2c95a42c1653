"""Step inputs against their action: names the action does not take, and required ones missing.

What a given input holds is checked when the step runs, after its templates are rendered; a
name that is wrong or missing is wrong on every run, so it is refused when the workflow is saved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from integrations.registry import ActionRegistry
    from workflows.spec import WorkflowSpec


def input_problems(spec: WorkflowSpec, registry: ActionRegistry) -> list[dict[str, str]]:
    """One {location, message} per input a step's action does not take or lacks, by step."""
    problems: list[dict[str, str]] = []
    for index, step in enumerate(spec.steps):
        if step.action is None or step.action not in registry:
            continue
        schema = registry.get(step.action).input_model.model_json_schema(by_alias=True)
        known = set(schema.get("properties", {}))
        where = f"steps[{index}] ({step.id}).inputs"
        for name in sorted(set(step.inputs) - known):
            problems.append(
                {
                    "location": f"{where}.{name}",
                    "message": f"{step.action} has no input {name!r} "
                    f"(it takes {', '.join(sorted(known))})",
                }
            )
        for name in sorted(set(schema.get("required", [])) - set(step.inputs)):
            problems.append(
                {"location": f"{where}.{name}", "message": f"required by {step.action}"}
            )
    return problems
