"""Web pages: the chat quickstart at `/`, its streamed replies and its approval buttons.

One LangGraph thread per web conversation (`web:{member_id}:{conversation}`); the conversation id
lives in a cookie so a reload shows the same thread, and "New chat" starts another. Replies are
server-sent events: `status` at once, then `token` chunks of the reply, a `card` when an approval
waits or a reply shows one, `choices` when it offers options, and `done` (or `error`). The web
sends a fresh draft for approval straight away, so the card the person sees is the stored version
with its policy class and Approve / Reject / Edit. Every card in the transcript is rendered from
current data (pending, approved, rejected, replaced by a newer version…) with the buttons its
state keeps; `GET /chat/cards` re-renders the cards on the page after each turn.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, StreamingResponse
from pydantic import BaseModel, Field, ValidationError

from agents.approval import ApprovalRequest, ApprovalResponse
from agents.assistant import Assistant, CardAction
from agents.checkpoint import open_checkpointer
from agents.intents import classify
from agents.tools.cards import card_states
from bot.web.auth import ApiContext, CsrfChecked, PageContext, WebContext, is_secure
from bot.web.chat_session import (
    Frames,
    act_on_card,
    answer,
    assistant_for,
    cards_html,
    finish,
    frame,
    load_history,
    thread_id,
)
from bot.web.render import render
from workflows import first_run
from workflows.catalog import TemplateCatalog
from workflows.errors import DomainError

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)

COOKIE = "levqor_chat"
COOKIE_DAYS = 30
MAX_TEXT = 4000
_CONVERSATION = r"^[a-f0-9]{16,32}$"
ModelT = TypeVar("ModelT", bound=BaseModel)


class MessageIn(BaseModel):
    """A message typed in the chat, or a card's button (`action` on that card's workflow)."""

    conversation: str = Field(pattern=_CONVERSATION)
    text: str = Field(max_length=MAX_TEXT)
    action: CardAction | None = None
    workflow_id: str | None = Field(default=None, min_length=1, max_length=64)


class DecisionIn(BaseModel):
    """A click on a card's Approve or Reject."""

    conversation: str = Field(pattern=_CONVERSATION)
    approval_id: str = Field(min_length=1, max_length=64)
    decision: Literal["approve", "reject"]
    confirm: bool = False
    reason: str | None = Field(default=None, max_length=2000)
    typed_name: str | None = Field(default=None, max_length=200)


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


def _stream(ctx: WebContext, act: Callable[[Assistant], Frames]) -> StreamingResponse:
    """Open the conversation's assistant and stream what `act` yields, bracketed by status/done."""
    runtime, user = ctx.runtime, ctx.user

    async def frames() -> Frames:
        yield ": open\n\n" + frame("status", {"state": "thinking"})
        try:
            await ctx.tenant.session.commit()  # no open transaction during checkpointer setup
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
    action, workflow_id = message.action, message.workflow_id
    if action and workflow_id:
        return _stream(ctx, lambda a: act_on_card(a, thread, action, workflow_id, text))
    return _stream(ctx, lambda assistant: answer(assistant, thread, text))


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
        typed_name=(decision.typed_name or "").strip() or None,
    )
    await ctx.tenant.session.commit()
    thread = thread_id(ctx.user.member.id, decision.conversation)
    member_id = ctx.user.member.id

    async def act(assistant: Assistant) -> Frames:
        reply = await assistant.resume(thread, response, member_id=member_id)
        async for chunk in finish(reply, assistant):
            yield chunk

    return _stream(ctx, act)


@router.get("/chat/cards")
async def current_cards(
    ctx: ApiContext, approval: Annotated[list[str] | None, Query(max_length=200)] = None
) -> JSONResponse:
    """The cards shown on the chat page, as they stand now: {"cards": {approval id: html}}."""
    ids = [a for a in approval or [] if re.fullmatch(r"[A-Za-z0-9_-]{1,64}", a)]
    html = await cards_html(ctx.runtime, ctx.user.workspace.id, ids)
    return JSONResponse({"cards": html}, headers={"Cache-Control": "no-store"})


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
    messages: list[dict[str, Any]] = []
    waiting: ApprovalRequest | None = None
    if not fresh:
        messages, waiting = await load_history(ctx, thread_id(ctx.user.member.id, conversation))
    shown = [m["card"] for m in messages if m.get("card")]
    lost = waiting and waiting.approval_id not in shown  # cut off by the history limit
    trailing = [{"card": waiting.approval_id}] if waiting and lost else []
    ids = shown + [t["card"] for t in trailing]
    cards = await card_states(ctx.runtime, ctx.user.workspace.id, ids)
    response = render(
        request,
        "chat.html",
        ctx.user,
        title="Chat",
        conversation=conversation,
        messages=messages,
        trailing=trailing,
        cards=cards,
        chips=suggestions(),
        ask=ask,
        send_ask=request.headers.get("sec-fetch-site", "none") in ("same-origin", "none"),
        first_name=(ctx.user.member.name or "").split(" ")[0],
        checklist=await first_run.checklist(ctx.tenant, ctx.runtime.settings),
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
