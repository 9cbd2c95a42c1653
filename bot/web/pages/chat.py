"""Web pages: the chat quickstart at `/`, its streamed replies and its approval buttons.

One LangGraph thread per web conversation (`web:{member_id}:{conversation}`); the conversation id
lives in a cookie so a reload shows the same thread, and "New chat" starts another. Replies are
server-sent events: `status` at once, then `token` chunks of the reply, a `card` when an approval
waits, and `done` (or `error`). The web sends a fresh draft for approval straight away, so the
card the person sees is the stored version with its policy class and Approve / Reject / Edit.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import weakref
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse
from langchain_core.runnables import RunnableConfig
from pydantic import BaseModel, Field, ValidationError

from agents.approval import ApprovalRequest, ApprovalResponse
from agents.assistant import Assistant, Reply
from agents.checkpoint import open_checkpointer
from agents.drafting import Drafter, build_drafter
from agents.intents import classify
from bot.web.auth import ApiContext, CsrfChecked, PageContext, WebContext, is_secure
from bot.web.render import render, templates
from workflows.catalog import TemplateCatalog
from workflows.errors import DomainError
from workflows.runtime import Runtime

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)

COOKIE = "levqor_chat"
COOKIE_DAYS = 30
MAX_TEXT = 4000
AUTO_SUBMIT = "send it for approval"
HINT = 'Say "looks good"'
HISTORY_CHECKPOINTS = 150
_CONVERSATION = r"^[a-f0-9]{16,32}$"
_CHUNK = re.compile(r"\s*\S+\s*")
Frames = AsyncIterator[str]
ModelT = TypeVar("ModelT", bound=BaseModel)
_drafters: weakref.WeakKeyDictionary[Runtime, Drafter] = weakref.WeakKeyDictionary()


class MessageIn(BaseModel):
    """A message typed in the chat."""

    conversation: str = Field(pattern=_CONVERSATION)
    text: str = Field(max_length=MAX_TEXT)


class DecisionIn(BaseModel):
    """A click on a card's Approve or Reject."""

    conversation: str = Field(pattern=_CONVERSATION)
    approval_id: str = Field(min_length=1, max_length=64)
    decision: Literal["approve", "reject"]
    confirm: bool = False
    reason: str | None = Field(default=None, max_length=2000)


def thread_id(member_id: str, conversation: str) -> str:
    """The LangGraph thread of one member's web conversation."""
    return f"web:{member_id}:{conversation}"


def frame(event: str, data: dict[str, Any]) -> str:
    """One server-sent event frame."""
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


def suggestions(limit: int = 6) -> list[dict[str, str]]:
    """Chips: one ready-to-use template per category, phrased as a request the assistant reads."""
    chosen: list[dict[str, str]] = []
    seen: set[str] = set()
    for template in TemplateCatalog.load().list():
        if template.category in seen or any(p.required for p in template.parameters.values()):
            continue
        ask = f"Use the {template.name} template"
        if classify(ask).kind != "use_template":
            continue
        seen.add(template.category)
        chosen.append({"label": template.name, "ask": ask, "description": template.description})
    return chosen[:limit]


def card_html(card: ApprovalRequest) -> str:
    """The approval card partial."""
    return templates.get_template("partials/draft_card.html").render(card=card)


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


async def _answer(assistant: Assistant, thread: str, text: str) -> Frames:
    """Send the message; a fresh draft is sent for approval so its card can be decided here."""
    before = await _revision(assistant, thread)
    reply = await assistant.send(thread, text)
    if reply.approval is None and reply.draft and await _revision(assistant, thread) > before:
        async for chunk in tokens(without_hint(reply.text)):
            yield chunk
        reply = await assistant.send(thread, AUTO_SUBMIT)
        reply = reply.model_copy(update={"text": "\n\n" + reply.text})
    async for chunk in _finish(reply):
        yield chunk


async def _finish(reply: Reply) -> Frames:
    async for chunk in tokens(reply.text):
        yield chunk
    if reply.approval is not None:
        card = reply.approval
        yield frame("card", {"html": card_html(card), **card.model_dump(mode="json")})


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


def _stream(ctx: WebContext, act: Callable[[Assistant], Frames]) -> StreamingResponse:
    """Open the conversation's assistant and stream what `act` yields, bracketed by status/done."""
    runtime, user = ctx.runtime, ctx.user

    async def frames() -> Frames:
        yield ": open\n\n" + frame("status", {"state": "thinking"})
        try:
            async with open_checkpointer(runtime.settings) as checkpointer:
                assistant = assistant_for(runtime, checkpointer, user.workspace.id, user.member.id)
                async for chunk in act(assistant):
                    yield chunk
        except DomainError as exc:
            yield frame("error", {"message": f"I couldn't do that: {exc}."})
        except Exception:
            log.exception("web chat: the assistant failed")
            message = "The assistant could not answer just now. Your message is kept: try again."
            yield frame("error", {"message": message})
        yield frame("done", {})

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(frames(), media_type="text/event-stream", headers=headers)


def _error_stream(message: str) -> StreamingResponse:
    async def frames() -> Frames:
        yield frame("error", {"message": message}) + frame("done", {})

    return StreamingResponse(frames(), status_code=422, media_type="text/event-stream")


async def _read(request: Request, model: type[ModelT]) -> ModelT | str:
    """The JSON body as `model`, or what is wrong with it in words."""
    try:
        return model.model_validate_json(await request.body())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        return f"That request could not be read ({where}: {first['msg']})."


@router.post("/chat/messages", dependencies=[CsrfChecked])
async def post_message(request: Request, ctx: ApiContext) -> StreamingResponse:
    """Stream the assistant's reply to one message (server-sent events)."""
    message = await _read(request, MessageIn)
    if isinstance(message, str):
        return _error_stream(message)
    text = message.text.strip()
    if not text:
        return _error_stream("Type what you would like to automate first.")
    await ctx.tenant.session.commit()  # end the request's transaction before the stream starts
    thread = thread_id(ctx.user.member.id, message.conversation)
    return _stream(ctx, lambda assistant: _answer(assistant, thread, text))


@router.post("/chat/approvals", dependencies=[CsrfChecked])
async def post_decision(request: Request, ctx: ApiContext) -> StreamingResponse:
    """Approve or reject the card in this conversation; stream the assistant's answer."""
    decision = await _read(request, DecisionIn)
    if isinstance(decision, str):
        return _error_stream(decision)
    response = ApprovalResponse(
        decision=decision.decision,
        approval_id=decision.approval_id,
        confirm=decision.confirm,
        reason=(decision.reason or "").strip() or None,
    )
    await ctx.tenant.session.commit()
    thread = thread_id(ctx.user.member.id, decision.conversation)
    member_id = ctx.user.member.id

    async def act(assistant: Assistant) -> Frames:
        reply = await assistant.resume(thread, response, member_id=member_id)
        async for chunk in _finish(reply):
            yield chunk

    return _stream(ctx, act)


@router.post("/chat/new", dependencies=[CsrfChecked])
async def new_chat(request: Request, ctx: PageContext) -> RedirectResponse:
    """Start another conversation (the earlier one stays in the checkpointer)."""
    response = RedirectResponse("/", status_code=303)
    _remember(response, secrets.token_hex(16), secure=is_secure(request, ctx.runtime))
    return response


@router.get("/")
async def chat_page(request: Request, ctx: PageContext, ask: str = "") -> HTMLResponse:
    """The chat: this conversation's earlier messages and waiting card, chips, the composer.

    `?ask=` opens a new conversation with the text in the box, sent at once when the link came
    from Levqor itself (a link from another site only fills the box: the person presses Enter).
    """
    ask = ask.strip()[:MAX_TEXT]
    conversation = request.cookies.get(COOKIE, "")
    fresh = bool(ask) or re.match(_CONVERSATION, conversation) is None
    conversation = secrets.token_hex(16) if fresh else conversation
    messages: list[dict[str, str]] = []
    card: ApprovalRequest | None = None
    if not fresh:
        messages, card = await _load(ctx, thread_id(ctx.user.member.id, conversation))
    response = render(
        request,
        "chat.html",
        ctx.user,
        title="Chat",
        conversation=conversation,
        messages=messages,
        card=card,
        chips=suggestions(),
        ask=ask,
        send_ask=request.headers.get("sec-fetch-site", "none") in ("same-origin", "none"),
        first_name=(ctx.user.member.name or "").split(" ")[0],
    )
    if fresh:
        _remember(response, conversation, secure=is_secure(request, ctx.runtime))
    return response


def _remember(
    response: HTMLResponse | RedirectResponse, conversation: str, *, secure: bool
) -> None:
    response.set_cookie(
        COOKIE, conversation, max_age=COOKIE_DAYS * 86400, httponly=True, samesite="lax",
        secure=secure,
    )  # fmt: skip


async def _load(
    ctx: WebContext, thread: str
) -> tuple[list[dict[str, str]], ApprovalRequest | None]:
    async with open_checkpointer(ctx.runtime.settings) as checkpointer:
        assistant = assistant_for(ctx.runtime, checkpointer, ctx.user.workspace.id, "-")
        snapshots = assistant.graph.aget_state_history(_config(thread), limit=HISTORY_CHECKPOINTS)
        history = [snapshot async for snapshot in snapshots]
        return transcript(history[::-1]), await assistant.waiting(thread)


def transcript(snapshots: list[Any]) -> list[dict[str, str]]:
    """The conversation's messages from its checkpoints (oldest first), one pair per turn."""
    messages: list[dict[str, str]] = []
    typed, decision = False, ""
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
        if typed and text == AUTO_SUBMIT and messages:
            messages[-1]["text"] = without_hint(messages[-1]["text"]) + "\n\n" + reply
        else:
            said = (
                text if typed and text else {"approve": "Approve", "reject": "Reject"}.get(decision)
            )
            if said:
                messages.append({"role": "user", "text": said})
            messages.append({"role": "assistant", "text": reply})
        typed, decision = False, ""
    return messages
