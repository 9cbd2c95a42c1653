"""The per-workflow ledger of items already reported (`feed_item_seen`): feed items, social
mentions and sheet rows are each remembered by one or more keys, so a later poll skips them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from integrations.base import ActionContext, RetryableError
from storage.models import FeedItemSeen
from storage.scope import Tenant

T = TypeVar("T")


def first_of_each(items: list[T], keys_of: Callable[[T], set[str]]) -> list[T]:
    """Items without repeats: a later item sharing any key with an earlier one is dropped."""
    kept: list[T] = []
    seen: set[str] = set()
    for item in items:
        keys = keys_of(item)
        if not keys & seen:
            kept.append(item)
        seen |= keys
    return kept


async def known(tenant: Tenant, workflow_id: str, keys: Iterable[str]) -> set[str]:
    """Which of the keys the workflow's ledger holds."""
    wanted = sorted(set(keys))
    if not wanted:
        return set()
    query = tenant.select(FeedItemSeen).where(
        FeedItemSeen.workflow_id == workflow_id, col(FeedItemSeen.item_key).in_(wanted)
    )
    return {row.item_key for row in await tenant.all(query)}


async def remember(tenant: Tenant, ctx: ActionContext, keys: Iterable[str], clash: str) -> None:
    """Add the keys to the workflow's ledger and commit; RetryableError(clash) when another
    poll of the same workflow wrote one of them first."""
    for key in dict.fromkeys(keys):
        tenant.add(
            FeedItemSeen(workspace_id=ctx.workspace_id, workflow_id=ctx.workflow_id, item_key=key)
        )
    try:
        await tenant.session.commit()
    except IntegrityError as exc:
        raise RetryableError(clash) from exc


async def unseen(
    ctx: ActionContext, items: list[T], keys_of: Callable[[T], set[str]], clash: str
) -> list[T]:
    """The items none of whose keys the workflow has seen, without repeats among them (the first
    of each kept), remembered now (not on a dry run)."""
    items = first_of_each(items, keys_of)
    async with ctx.sessions() as session:
        tenant = Tenant(session, ctx.workspace_id)
        seen = await known(tenant, ctx.workflow_id, (k for i in items for k in keys_of(i)))
        fresh = [i for i in items if not keys_of(i) & seen]
        if fresh and not ctx.dry_run:
            await remember(tenant, ctx, sorted({k for i in fresh for k in keys_of(i)}), clash)
    return fresh
