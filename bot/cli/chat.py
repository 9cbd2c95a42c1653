"""`levqor chat`: a terminal conversation with the assistant (draft cards, approval prompts)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

import typer
from rich.console import Console
from rich.panel import Panel
from rich.prompt import Prompt
from rich.table import Table

from agents.approval import ApprovalRequest, ApprovalResponse
from agents.assistant import Assistant, Reply
from storage.config import Settings
from storage.models import Member, Role
from workflows.runtime import Runtime

_QUIT = {"quit", "exit", "bye", ":q"}


def register(app: typer.Typer) -> None:
    """Add the `chat` command to `app`."""
    app.command("chat")(chat_command)


def chat_command(
    workspace: Annotated[str, typer.Option(help="Workspace slug.")] = "default",
    role: Annotated[str, typer.Option(help="Speak as the first member with this role.")] = "owner",
    email: Annotated[str | None, typer.Option(help="Speak as the member with this email.")] = None,
    thread: Annotated[str | None, typer.Option(help="Continue this conversation.")] = None,
) -> None:
    """Talk to Levqor: describe an automation, revise it, approve it, ask how things are going."""
    try:
        parsed = Role(role)
    except ValueError:
        raise typer.BadParameter("role must be owner, admin, operator or viewer") from None
    asyncio.run(_chat(Settings(), workspace, parsed, email, thread or f"cli-{uuid.uuid4().hex}"))


async def _chat(
    settings: Settings, slug: str, role: Role, email: str | None, thread_id: str
) -> None:
    from agents.checkpoint import open_checkpointer

    console = Console()
    from bot.billing_hooks import install_billing

    runtime = install_billing(Runtime(settings))
    # A conversation executes the runs it starts, not the ones other processes left behind:
    # those are for `levqor serve` (or a Slack process running the scheduler) to take over.
    await runtime.start(recover=False)
    try:
        speaker = await _speaker(runtime, slug, role, email)
        async with open_checkpointer(settings) as checkpointer:
            assistant = Assistant(
                runtime, checkpointer, workspace_id=speaker.workspace_id, member_id=speaker.id
            )
            console.print(f"[dim]{speaker.name} ({speaker.role.value}) · thread {thread_id}[/dim]")
            console.print('[dim]Say "help" for examples, "quit" to leave.[/dim]')
            await _loop(console, assistant, thread_id)
    finally:
        await runtime.close()


async def _loop(console: Console, assistant: Assistant, thread_id: str) -> None:
    while True:
        try:
            text = (await asyncio.to_thread(console.input, "[bold cyan]you>[/bold cyan] ")).strip()
        except (EOFError, KeyboardInterrupt):
            return
        if text.lower() in _QUIT:
            return
        if not text:
            continue
        reply = await assistant.send(thread_id, text)
        render(console, reply)
        while reply.approval is not None:
            response = await asyncio.to_thread(_ask_decision, console, reply.approval)
            if response is None:
                break
            reply = await assistant.resume(thread_id, response)
            render(console, reply)


def render(console: Console, reply: Reply) -> None:
    """Print a reply, its numbered choices, and the approval card when one waits."""
    console.print(Panel(reply.text, title="levqor", title_align="left", border_style="green"))
    if reply.suggestions:
        for number, choice in enumerate(reply.suggestions, 1):
            console.print(f"  {number}. {choice}", markup=False, highlight=False)
        console.print("[dim]Answer with a number or the words.[/dim]")
    if reply.approval is not None:
        console.print(approval_card(reply.approval))


def approval_card(card: ApprovalRequest) -> Table:
    """The approval card as a table: name, trigger, steps, class and reasons, who approves."""
    table = Table(title=f"Approval needed: {card.workflow_name}", show_header=False)
    table.add_row("runs", card.trigger)
    table.add_row("steps", "\n".join(f"{i}. {s}" for i, s in enumerate(card.steps, 1)))
    style = {"A": "green", "B": "yellow", "C": "bold red"}[card.approval_class]
    table.add_row("class", f"[{style}]{card.approval_class}[/{style}]: " + "; ".join(card.reasons))
    table.add_row("approver", card.who_can_approve)
    return table


def _ask_decision(console: Console, card: ApprovalRequest) -> ApprovalResponse | None:
    choice = Prompt.ask(
        "approve, reject or later", choices=["approve", "reject", "later"], default="later",
        console=console,
    )  # fmt: skip
    if choice == "later":
        return None
    confirm, name = False, None
    if choice == "approve" and card.approval_class == "C":
        question = f"Class C: type its name ({card.workflow_name}) to approve"
        name = Prompt.ask(question, console=console, default="").strip() or None
    elif choice == "approve" and card.needs_confirmation:
        question = f"Class {card.approval_class}: type CONFIRM to approve"
        typed = Prompt.ask(question, console=console, default="")
        confirm = typed.strip() == "CONFIRM"
    return ApprovalResponse(
        decision="approve" if choice == "approve" else "reject",
        approval_id=card.approval_id,
        confirm=confirm,
        typed_name=name,
    )


async def _speaker(runtime: Runtime, slug: str, role: Role, email: str | None) -> Member:
    from sqlmodel import select

    from accounts.workspaces import DEFAULT_SLUG, add_member, ensure_default, get_by_slug

    async with runtime.sessions() as session:
        ws = (
            await ensure_default(session)
            if slug == DEFAULT_SLUG
            else await get_by_slug(session, slug)
        )
        if ws is None:
            raise typer.BadParameter(f"no workspace {slug!r}")
        query = select(Member).where(Member.workspace_id == ws.id)
        query = (
            query.where(Member.email == email.lower())
            if email
            else query.where(Member.role == role)
        )
        found = (await session.exec(query)).first()
        if found is None and email:
            raise typer.BadParameter(f"no member {email!r} in {slug!r}")
        member = found or await add_member(session, ws, f"Local {role.value}", role)
        await session.commit()
        return member
