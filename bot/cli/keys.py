"""`levqor keys list` and `levqor keys revoke ID`: the instance operator's view of API keys."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console

from storage.config import Settings

console = Console()
CLI_ACTOR = "levqor command line"


def register(keys: typer.Typer) -> None:
    """Add `list` and `revoke` to the `keys` command group."""

    @keys.command("list")
    def keys_list(
        workspace: Annotated[str, typer.Option(help="Workspace slug.")] = "default",
    ) -> None:
        """List a workspace's API keys: name, role, created, last used, state (never the key)."""
        rows = asyncio.run(_list(Settings(), workspace))
        if not rows:
            typer.echo("No API keys yet: create one with `levqor keys create`.")
            return
        typer.echo(
            "\t".join(("id", "name", "starts with", "role", "created", "last used", "state"))
        )
        for row in rows:  # tab-separated: readable, and easy for scripts to cut
            typer.echo("\t".join(row))

    @keys.command("revoke")
    def keys_revoke(
        key_id: Annotated[str, typer.Argument(metavar="ID", help="The key's id (keys list).")],
        workspace: Annotated[str, typer.Option(help="Workspace slug.")] = "default",
    ) -> None:
        """Revoke an API key: it stops working at once."""
        name = asyncio.run(_revoke(Settings(), workspace, key_id))
        console.print(f"Revoked the key “{name}”: it no longer works.")


def _when(moment: object) -> str:
    from datetime import datetime

    return moment.strftime("%Y-%m-%d %H:%M UTC") if isinstance(moment, datetime) else "never"


async def _list(settings: Settings, slug: str) -> list[tuple[str, ...]]:
    from accounts.key_admin import list_keys
    from accounts.workspaces import get_by_slug
    from storage.db import create_engine, session_factory
    from storage.scope import Tenant

    engine = create_engine(settings)
    try:
        async with session_factory(engine)() as session:
            workspace = await get_by_slug(session, slug)
            if workspace is None:
                raise typer.BadParameter(f"there is no workspace {slug!r}")
            keys = await list_keys(Tenant(session, workspace.id))
            return [
                (
                    k.id,
                    k.name,
                    f"{k.prefix}…",
                    k.role.value,
                    _when(k.created_at),
                    _when(k.last_used_at),
                    "active" if k.active else f"revoked {_when(k.revoked_at)}",
                )
                for k in keys
            ]
    finally:
        await engine.dispose()


async def _revoke(settings: Settings, slug: str, key_id: str) -> str:
    from accounts.key_admin import KeyNotFound, revoke_key
    from accounts.workspaces import get_by_slug
    from storage.db import create_engine, session_factory
    from storage.models import Member, Role
    from storage.scope import Tenant

    engine = create_engine(settings)
    try:
        async with session_factory(engine)() as session:
            workspace = await get_by_slug(session, slug)
            if workspace is None:
                raise typer.BadParameter(f"there is no workspace {slug!r}")
            operator = Member(workspace_id=workspace.id, name=CLI_ACTOR, role=Role.owner)
            try:
                key = await revoke_key(Tenant(session, workspace.id), operator, key_id)
            except KeyNotFound as exc:
                raise typer.BadParameter(f"{exc} (see `levqor keys list`)") from None
            await session.commit()
            return key.name
    finally:
        await engine.dispose()
