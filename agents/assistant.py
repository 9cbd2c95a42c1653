"""`Assistant`: the facade the fronts (CLI, Slack, web) use: send text, resume approvals."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Literal

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command
from pydantic import BaseModel

from agents.approval import ApprovalRequest, ApprovalResponse
from agents.context import Context
from agents.drafting import Drafter, build_drafter
from agents.graph import build_graph
from agents.intents import classify
from workflows.runtime import Runtime

CardAction = Literal["run", "pause", "resume", "reopen"]


class Reply(BaseModel):
    """What the front shows: the text, the approval card if one waits, and the current draft.

    `shown` is the approval whose card this turn shows (a new request, or a workflow shown);
    `suggestions` are options to offer as buttons or a numbered list (answering with one, or
    with its number, picks it).
    """

    text: str
    approval: ApprovalRequest | None = None
    draft: dict[str, Any] | None = None
    workflow_id: str | None = None
    run_id: str | None = None
    shown: str | None = None
    suggestions: list[str] | None = None


class Assistant:
    """One workspace's assistant; conversations are threads in the shared checkpointer."""

    def __init__(
        self,
        runtime: Runtime,
        checkpointer: BaseCheckpointSaver[Any],
        *,
        workspace_id: str,
        member_id: str,
        drafter: Drafter | None = None,
    ) -> None:
        self.runtime = runtime
        self.workspace_id = workspace_id
        self.member_id = member_id
        self.drafter = drafter or build_drafter(runtime.settings, runtime.registry)
        self.graph = _compiled().copy(update={"checkpointer": checkpointer})

    async def send(self, thread_id: str, text: str, *, member_id: str | None = None) -> Reply:
        """Handle one message; "approve"/"reject" answer a waiting approval card directly."""
        waiting = await self.waiting(thread_id)
        if waiting is not None:
            intent = classify(text)
            if intent.kind in ("approve", "reject") and "target" not in intent.args:
                response = ApprovalResponse(
                    decision=intent.kind,
                    approval_id=waiting.approval_id,
                    confirm=bool(intent.args.get("confirm")),
                )
                command: Command[Any] = Command(resume=response.model_dump())
                return await self._invoke(command, thread_id, member_id)
        return await self._invoke({"text": text}, thread_id, member_id)

    async def resume(
        self, thread_id: str, response: ApprovalResponse, *, member_id: str | None = None
    ) -> Reply:
        """Answer the approval card (from any process); a stale or double answer changes nothing."""
        payload = response.model_dump(mode="json")
        if await self.waiting(thread_id) is not None:
            return await self._invoke(Command(resume=payload), thread_id, member_id)
        return await self._invoke({"text": "", "response": payload}, thread_id, member_id)

    async def act(
        self,
        thread_id: str,
        action: CardAction,
        workflow_id: str,
        *,
        said: str,
        member_id: str | None = None,
    ) -> Reply:
        """A card's button: `action` on that card's workflow (`said` is what the person sees)."""
        command = {"intent": action, "workflow_id": workflow_id}
        return await self._invoke({"text": said, "command": command}, thread_id, member_id)

    async def waiting(self, thread_id: str) -> ApprovalRequest | None:
        """The approval card this thread is paused on, if any."""
        snapshot = await self.graph.aget_state(_config(thread_id))
        for pending in snapshot.interrupts:
            return ApprovalRequest.model_validate(pending.value)
        return None

    async def _invoke(self, payload: Any, thread_id: str, member_id: str | None) -> Reply:
        context = Context(
            drafter=self.drafter,
            runtime=self.runtime,
            workspace_id=self.workspace_id,
            member_id=member_id or self.member_id,
        )
        config = _config(thread_id)
        # The workspace goes into each checkpoint's metadata: the retention purge and account
        # deletion find a workspace's conversations by it.
        config["metadata"] = {"workspace_id": self.workspace_id}
        out = await self.graph.ainvoke(payload, config, context=context, version="v2")
        state: dict[str, Any] = out.value
        card = out.interrupts[0].value if out.interrupts else None
        return Reply(
            text=str(state.get("reply") or ""),
            approval=ApprovalRequest.model_validate(card) if card else None,
            draft=state.get("draft"),
            workflow_id=state.get("workflow_id"),
            run_id=state.get("run_id"),
            shown=state.get("shown"),
            suggestions=state.get("choices") or None,
        )


@lru_cache(maxsize=1)
def _compiled() -> CompiledStateGraph[Any, Any, Any, Any]:
    """The graph compiled once per process (tens of ms); each assistant binds its checkpointer."""
    return build_graph(None)


def _config(thread_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread_id}}
