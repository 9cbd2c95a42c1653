"""The last look at each watched page of a workflow (`page_snapshot`): read before a poll
compares, written after its runs were started."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field

from sqlalchemy.exc import IntegrityError

from integrations.base import ActionContext, RetryableError
from integrations.page_text import MAX_TEXT_CHARS, Price
from storage.models import PageSnapshot
from storage.scope import Tenant
from storage.types import utcnow


@dataclass(frozen=True)
class PageLook:
    """What one page shows now: its visible text and its prices."""

    url: str
    text: str
    prices: list[Price] = field(default_factory=list)

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


def stored_prices(snapshot: PageSnapshot) -> list[Price]:
    """The prices a snapshot recorded."""
    return [
        Price(str(p.get("text", "")), str(p.get("currency", "")), float(p.get("amount", 0)))
        for p in snapshot.prices
    ]


async def load(tenant: Tenant, workflow_id: str) -> dict[str, PageSnapshot]:
    """The workflow's snapshots by page address."""
    query = tenant.select(PageSnapshot).where(PageSnapshot.workflow_id == workflow_id)
    return {row.url: row for row in await tenant.all(query)}


async def save(ctx: ActionContext, looks: list[PageLook]) -> None:
    """Record these looks as the pages' snapshots (new or replacing the earlier ones); commits.
    RetryableError when another poll of the same workflow recorded a page first."""
    if not looks:
        return
    async with ctx.sessions() as session:
        tenant = Tenant(session, ctx.workspace_id)
        known = await load(tenant, ctx.workflow_id)
        for look in looks:
            row = known.get(look.url) or PageSnapshot(
                workspace_id=ctx.workspace_id, workflow_id=ctx.workflow_id, url=look.url, digest=""
            )
            row.digest = look.digest
            row.text = look.text[:MAX_TEXT_CHARS]
            row.prices = [asdict(p) for p in look.prices]
            row.updated_at = utcnow()
            tenant.add(row)
        try:
            await session.commit()
        except IntegrityError as exc:
            raise RetryableError("another look at these pages ran at the same time") from exc
