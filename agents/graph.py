"""The assistant's graph: wiring only. Nodes live in `agents.nodes`, one per module."""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agents.context import Context
from agents.nodes import guarded
from agents.nodes.analytics import analytics
from agents.nodes.await_approval import await_approval
from agents.nodes.billing import billing
from agents.nodes.change_status import change_status
from agents.nodes.decide import decide
from agents.nodes.delete import delete
from agents.nodes.discard import discard
from agents.nodes.draft import draft
from agents.nodes.help import help_reply
from agents.nodes.list_workflows import list_workflows
from agents.nodes.refuse import refuse
from agents.nodes.reopen import after_reopen, reopen
from agents.nodes.revise import revise
from agents.nodes.run_now import run_now
from agents.nodes.say import say
from agents.nodes.show import show
from agents.nodes.submit import submit
from agents.nodes.templates import templates
from agents.nodes.understand import understand
from agents.nodes.use_template import use_template
from agents.state import State

NODES = {
    "refuse": refuse, "help": help_reply, "draft": draft, "revise": revise, "discard": discard,
    "submit": submit, "await_approval": await_approval, "decide": decide,
    "list_workflows": list_workflows, "run_now": run_now, "change_status": change_status,
    "delete": delete, "templates": templates, "use_template": use_template,
    "analytics": analytics, "say": say, "reopen": reopen, "show": show, "billing": billing,
}  # fmt: skip
ROUTES = {
    "refuse": "refuse", "help": "help", "draft": "draft", "revise": "revise",
    "discard": "discard", "submit": "submit", "decide": "decide", "list": "list_workflows",
    "run": "run_now", "pause": "change_status", "resume": "change_status",
    "archive": "change_status", "delete": "delete", "confirm": "delete", "cancel": "delete",
    "templates": "templates", "use_template": "use_template", "health": "analytics",
    "failures": "analytics", "leads": "analytics", "last_run": "analytics", "say": "say",
    "reopen": "reopen", "show": "show", "billing": "billing",
}  # fmt: skip


def route_intent(state: State) -> str:
    """The node that handles this turn's intent."""
    return ROUTES.get(str(state.get("intent")), "help")


def after_submit(state: State) -> str:
    """Wait for approval once something is pending; otherwise the turn is over."""
    return "await_approval" if state.get("pending") else END


def after_decide(state: State) -> str:
    """A denied approver leaves the card waiting for someone who may decide."""
    return "await_approval" if state.get("denied") and state.get("pending") else END


def build_graph(
    checkpointer: BaseCheckpointSaver[Any] | None,
) -> CompiledStateGraph[Any, Any, Any, Any]:
    """Compile the graph; invoke with `context=Context(...)` and a `thread_id` per conversation."""
    builder = StateGraph(State, context_schema=Context)
    builder.add_node("understand", understand)
    for name, node in NODES.items():
        builder.add_node(name, node if name == "await_approval" else guarded(node))
    builder.add_edge(START, "understand")
    builder.add_conditional_edges("understand", route_intent, sorted(set(ROUTES.values())))
    builder.add_conditional_edges("submit", after_submit, ["await_approval", END])
    builder.add_conditional_edges("reopen", after_reopen, ["submit", END])
    builder.add_edge("await_approval", "decide")
    builder.add_conditional_edges("decide", after_decide, ["await_approval", END])
    for name in NODES:
        if name not in ("submit", "await_approval", "decide", "reopen"):
            builder.add_edge(name, END)
    return builder.compile(checkpointer=checkpointer)
