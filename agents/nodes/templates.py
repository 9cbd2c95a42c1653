"""Browse the template library ("show me reporting templates")."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agents.context import Context
from agents.state import State
from agents.tools.templates import browse

_SHOWN = 8


async def templates(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """List matching templates with their ids; say how to use one."""
    category, found = browse(str(state.get("args", {}).get("query", "")))
    label = f"{category.replace('_', ' ')} templates" if category else "templates"
    rows = [f"• {t.name} ({t.id}): {t.description.split('.')[0]}." for t in found[:_SHOWN]]
    more = f"\n…and {len(found) - _SHOWN} more." if len(found) > _SHOWN else ""
    return {
        "reply": f"{len(found)} {label}:\n"
        + "\n".join(rows)
        + more
        + '\nSay "use the <name>" to start from one.'
    }
