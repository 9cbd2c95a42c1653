"""Start a draft from a template, asking for any parameter it cannot default."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.context import Context
from agents.nodes.draft import present, workspace_zone
from agents.state import State
from agents.tools.templates import pick, required_params
from workflows.catalog import TemplateCatalog, TemplateParamsError


async def use_template(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Pick the template (or take the answer to its question) and show the draft."""
    waiting = state.get("awaiting_param")
    if waiting:
        template = TemplateCatalog.load().get(str(waiting["template_id"]))
        params = {**waiting["params"], waiting["param"]: state.get("text", "").strip()}
    else:
        query = str(state.get("args", {}).get("query", ""))
        found = pick(query)
        if found is None:
            return {"reply": f'I have no template like "{query}". Say "show me templates".'}
        template, params = found, {}
    missing = [name for name in required_params(template) if name not in params]
    if missing:
        param = template.parameters[missing[0]]
        ask = f"{template.name} needs one thing: {param.description.lower()}. What should it be?"
        awaiting = {"template_id": template.id, "param": missing[0], "params": params}
        return {"awaiting_param": awaiting, "reply": ask}
    params = template.in_zone(params, await workspace_zone(runtime.context))
    try:
        spec = template.instantiate(params).model_dump(mode="json", exclude_none=True)
    except TemplateParamsError as exc:
        return {"awaiting_param": None, "reply": f"That doesn't fit the template: {exc}."}
    update = present(spec, runtime, state, [f"started from the {template.name} template"])
    return {**update, "awaiting_param": None, "template_id": template.id}
