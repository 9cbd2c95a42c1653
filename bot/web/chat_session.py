"""The web chat's conversation plumbing: the assistant per message, SSE frames, the transcript.

`pages/chat.py` has the routes; this module turns the assistant's replies into server-sent event
frames (`token` chunks, a `card` when a reply shows one, `choices` when it offers options) and
rebuilds a conversation's messages from its LangGraph checkpoints. Each message remembers the card
it showed by approval id only: cards are rendered from current data whenever they are shown.
"""

from __future__ import annotations

import asyncio
import json
import re
import weakref
from collections.abc import AsyncIterator
from typing import Any

from langchain_core.runnables import RunnableConfig

from agents.approval import ApprovalRequest
from agents.assistant import Assistant, CardAction, Reply
from agents.checkpoint import open_checkpointer
from agents.drafting import Drafter, build_drafter
from agents.tools.cards import CardState, card_states
from bot.web.auth import WebContext
from bot.web.render import templates
from workflows.runtime import Runtime

AUTO_SUBMIT = "send it for approval"
HINT = 'Say "looks good"'
HISTORY_CHECKPOINTS = 150
_CHUNK = re.compile(r"\s*\S+\s*")
Frames = AsyncIterator[str]
_drafters: weakref.WeakKeyDictionary[Runtime, Drafter] = weakref.WeakKeyDictionary()


def thread_id(member_id: str, conversation: str) -> str:
    """The LangGraph thread of one member's web conversation."""
    return f"web:{member_id}:{conversation}"


def frame(event: str, data: dict[str, Any]) -> str:
    """One server-sent event frame."""
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


def card_html(state: CardState) -> str:
    """A card as it stands now (the deleted stub once its workflow is gone)."""
    if state.card is None:
        return templates.get_template("partials/card_gone.html").render(state=state)
    return templates.get_template("partials/draft_card.html").render(card=state.card, state=state)


async def cards_html(
    runtime: Runtime, workspace_id: str, approval_ids: list[str]
) -> dict[str, str]:
    """Each card's current HTML, by approval id."""
    states = await card_states(runtime, workspace_id, approval_ids)
    return {approval_id: card_html(state) for approval_id, state in states.items()}


def without_hint(text: str) -> str:
    """A draft's text without the 'say looks good' line (the web sends it for approval itself)."""
    lines = text.rstrip().splitlines()
    return "\n".join(lines[:-1] if lines and lines[-1].startswith(HINT) else lines)


async def tokens(text: str) -> Frames:
    """The text as word-sized `token` frames: the first at once, the rest briskly paced."""
    chunks = _CHUNK.findall(text)
    pace = min(0.01, 0.3 / max(len(chunks), 1))
    for index, chunk in enumerate(chunks):
        if index:
            await asyncio.sleep(pace)
        yield frame("token", {"text": chunk})


def _config(thread: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread}}


async def _revision(assistant: Assistant, thread: str) -> int:
    state = await assistant.graph.aget_state(_config(thread))
    return int(state.values.get("revision") or 0)


async def answer(assistant: Assistant, thread: str, text: str) -> Frames:
    """Send the message; a fresh draft is sent for approval so its card can be decided here."""
    before = await _revision(assistant, thread)
    reply = await assistant.send(thread, text)
    if reply.approval is None and reply.draft and await _revision(assistant, thread) > before:
        async for chunk in tokens(without_hint(reply.text)):
            yield chunk
        reply = await assistant.send(thread, AUTO_SUBMIT)
        reply = reply.model_copy(update={"text": "\n\n" + reply.text})
    async for chunk in finish(reply, assistant):
        yield chunk


async def finish(reply: Reply, assistant: Assistant) -> Frames:
    """The reply's tokens, then the card it shows (as it stands now), then its choices."""
    async for chunk in tokens(reply.text):
        yield chunk
    shown = reply.approval.approval_id if reply.approval else reply.shown
    if shown:
        states = await card_states(assistant.runtime, assistant.workspace_id, [shown])
        state = states[shown]
        data = state.card.model_dump(mode="json") if state.card else {"approval_id": shown}
        yield frame("card", {"html": card_html(state), "state": state.kind, **data})
    if reply.suggestions:
        yield frame("choices", {"options": reply.suggestions})


async def act_on_card(
    assistant: Assistant, thread: str, action: CardAction, workflow_id: str, said: str
) -> Frames:
    """A card's button (Run now, Pause, Resume, Reopen) on that card's own workflow."""
    before = await _revision(assistant, thread)
    reply = await assistant.act(thread, action, workflow_id, said=said)
    if reply.approval is None and reply.draft and await _revision(assistant, thread) > before:
        async for chunk in tokens(without_hint(reply.text)):  # reopened: send it for approval
            yield chunk
        reply = await assistant.send(thread, AUTO_SUBMIT)
        reply = reply.model_copy(update={"text": "\n\n" + reply.text})
    async for chunk in finish(reply, assistant):
        yield chunk


def assistant_for(
    runtime: Runtime, checkpointer: Any, workspace_id: str, member_id: str
) -> Assistant:
    """The assistant on this checkpointer, sharing one drafter per runtime (an LLM client)."""
    drafter = _drafters.get(runtime)
    if drafter is None:
        drafter = _drafters[runtime] = build_drafter(runtime.settings, runtime.registry)
    return Assistant(
        runtime, checkpointer, workspace_id=workspace_id, member_id=member_id, drafter=drafter
    )


async def load_history(
    ctx: WebContext, thread: str
) -> tuple[list[dict[str, Any]], ApprovalRequest | None]:
    # End the request's read transaction first: on PostgreSQL the checkpointer's first setup runs
    # CREATE INDEX CONCURRENTLY, which waits for every open transaction, this one included.
    await ctx.tenant.session.commit()
    async with open_checkpointer(ctx.runtime.settings) as checkpointer:
        assistant = assistant_for(ctx.runtime, checkpointer, ctx.user.workspace.id, "-")
        snapshots = assistant.graph.aget_state_history(_config(thread), limit=HISTORY_CHECKPOINTS)
        history = [snapshot async for snapshot in snapshots]
        return transcript(history[::-1]), await assistant.waiting(thread)


def transcript(snapshots: list[Any]) -> list[dict[str, Any]]:
    """The conversation's messages from its checkpoints (oldest first), one pair per turn.

    An assistant message carries `card` (the approval id of the card it showed, once: a card shown
    again moves to where it was last shown); the last one also its `choices` (options offered).
    """
    messages: list[dict[str, Any]] = []
    typed, decision, pending = False, "", ""
    for snapshot in snapshots:
        values: dict[str, Any] = snapshot.values
        if (snapshot.metadata or {}).get("source") == "input":
            typed, decision = True, ""
            continue
        if not messages and not typed:
            continue  # the oldest turn was cut off by the limit
        decision = str((values.get("response") or {}).get("decision") or decision)
        if snapshot.next and not snapshot.interrupts:
            continue
        text, reply = str(values.get("text") or ""), str(values.get("reply") or "")
        card, pending = _card_of(values, pending)
        if typed and text == AUTO_SUBMIT and messages:
            messages[-1]["text"] = without_hint(messages[-1]["text"]) + "\n\n" + reply
        else:
            said = (
                text if typed and text else {"approve": "Approve", "reject": "Reject"}.get(decision)
            )
            if said:
                messages.append({"role": "user", "text": said})
            messages.append({"role": "assistant", "text": reply})
        if card:
            for earlier in messages:
                if earlier.get("card") == card:
                    del earlier["card"]
            messages[-1]["card"] = card
        messages[-1]["choices"] = list(values.get("choices") or [])
        typed, decision = False, ""
    for earlier in messages[:-1]:
        earlier.pop("choices", None)  # only the last reply's offer is still open
    return messages


def _card_of(values: dict[str, Any], pending: str) -> tuple[str | None, str]:
    """The card a turn showed: `shown`, or (older threads) a newly pending approval."""
    now = str((values.get("pending") or {}).get("approval_id") or "")
    if "shown" in values:
        return values.get("shown"), now
    return (now if now and now != pending else None), now
