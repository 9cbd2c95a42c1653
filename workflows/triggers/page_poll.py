"""Poll trigger on web pages: one run per page that changed since the workflow's last look.

Each page is fetched through the same guarded outbound path as `http.request` (address guard,
timeouts, body cap), its visible text extracted, and compared with its snapshot: the text for
`watch: text`, the prices for `watch: prices` (moves of at least `min_change_percent`). The first
look at a page only records it. A page that cannot be read now (a network error, a 5xx) waits
for the next poll; one that cannot be read for a reason waiting will not fix (refused address,
404) starts one run that fails at once saying which pages and why, like a sheet that cannot be
read. Either way the page's snapshot is kept.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import TYPE_CHECKING, Any

from integrations import page_snapshots
from integrations.base import ActionError, RetryableError
from integrations.page_changes import trigger_data
from integrations.page_checks import PAGES_AT_ONCE, changes_since, look_at
from integrations.page_snapshots import PageLook, stored_prices
from storage.models import PageSnapshot, Workflow
from storage.scope import Tenant
from storage.types import utcnow
from workflows.poll_problems import page_problem
from workflows.runs import StartedRun, start_run
from workflows.triggers.poll import poll_context

if TYPE_CHECKING:
    from workflows.runtime import Runtime
    from workflows.spec import PollTrigger

log = logging.getLogger(__name__)


def changes_of(old: PageSnapshot, new: PageLook, trigger: PollTrigger) -> list[dict[str, Any]]:
    """What moved on the page since its snapshot (empty: nothing that starts a run)."""
    return changes_since(old, new, trigger.watch, trigger.min_change_percent)


def _key(url: str, old: PageSnapshot, new: PageLook) -> str:
    """One run per change of one page, however often the same poll is retried."""
    seen = f"{url}\n{old.digest}\n{old.updated_at.isoformat()}\n{new.digest}"
    return "page:" + hashlib.sha256(seen.encode()).hexdigest()[:40]


async def poll_pages(
    runtime: Runtime, tenant: Tenant, workflow: Workflow, trigger: PollTrigger, key: str | None
) -> list[StartedRun]:
    """Look at every watched page; start one run per changed page (and one that reports pages
    that cannot be read); then record what was seen."""
    assert trigger.pages is not None
    ctx = poll_context(runtime, workflow, remember=True)
    gate = asyncio.Semaphore(PAGES_AT_ONCE)

    async def gated(url: str) -> PageLook:
        async with gate:
            return await look_at(ctx, url)

    looks = await asyncio.gather(*(gated(u) for u in trigger.pages), return_exceptions=True)
    known = await page_snapshots.load(tenant, workflow.id)
    runs: list[StartedRun] = []
    record: list[PageLook] = []
    failures: list[tuple[str, str]] = []
    for url, look in zip(trigger.pages, looks, strict=True):
        if isinstance(look, RetryableError):
            log.warning("page %s of workflow %s: next poll tries again: %s", url, workflow.id, look)
            continue
        if isinstance(look, ActionError):
            log.warning("page %s of workflow %s cannot be read: %s", url, workflow.id, look)
            failures.append((url, str(look)))
            continue
        if isinstance(look, BaseException):
            raise look
        old = known.get(url)
        if old is None:
            record.append(look)  # the first look: the baseline
            continue
        changes = changes_of(old, look, trigger)
        if changes:
            payload = trigger_data(url, trigger.watch, changes)
            runs.append(
                await start_run(
                    tenant,
                    workflow,
                    trigger_type="poll",
                    payload={"fired_at": utcnow().isoformat(), **payload},
                    idempotency_key=_key(url, old, look),
                )
            )
            record.append(look)
        elif old.digest != look.digest and stored_prices(old) == look.prices:
            record.append(look)  # other words moved, the watched prices did not
    if failures:
        runs.append(
            await start_run(
                tenant,
                workflow,
                trigger_type="poll",
                payload={"fired_at": utcnow().isoformat()},
                idempotency_key=key,
                poll_problem=page_problem(failures, len(trigger.pages)),
            )
        )
    await page_snapshots.save(ctx, record)
    return runs
