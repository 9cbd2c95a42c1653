"""What every node may use, passed per invocation as LangGraph's `context`."""

from __future__ import annotations

from dataclasses import dataclass

from agents.drafting import Drafter
from workflows.runtime import Runtime


@dataclass(frozen=True)
class Context:
    """The drafter, the running system (sessions, registry, engine, scheduler) and who speaks."""

    drafter: Drafter
    runtime: Runtime
    workspace_id: str
    member_id: str
