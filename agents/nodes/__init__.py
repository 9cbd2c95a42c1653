"""Graph nodes, one per module; `guarded` turns domain errors into a friendly reply."""

from __future__ import annotations

import functools
from collections.abc import Awaitable
from typing import Any, Protocol

from langgraph.runtime import Runtime

from agents.context import Context
from agents.state import State
from workflows.errors import DomainError


class Node(Protocol):
    """A graph node: the state in, a state update out, dependencies from the runtime context."""

    def __call__(self, state: State, *, runtime: Runtime[Context]) -> Awaitable[dict[str, Any]]:
        """Handle one step of the turn."""
        ...


def guarded(node: Node) -> Node:
    """Wrap a node so a DomainError (safe to show) becomes the turn's reply."""

    @functools.wraps(node)
    async def run(state: State, *, runtime: Runtime[Context]) -> dict[str, Any]:
        try:
            return await node(state, runtime=runtime)
        except DomainError as exc:
            return {"reply": f"I couldn't do that: {exc}."}

    return run
