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

import hashlib
import logging
from typing import TYPE_CHECKING

from integrations import page_snapshots
from integrations.page_changes import trigger_data
from integrations.page_checks import compare_pages
from integrations.page_snapshots import PageLook
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
    found = await compare_pages(
        ctx, trigger.pages, trigger.watch, trigger.min_change_percent, trigger.price_moves
    )
    for url, reason in found.waiting:
        log.warning("page %s of workflow %s: next poll tries again: %s", url, workflow.id, reason)
    for url, reason in found.unreadable:
        log.warning("page %s of workflow %s cannot be read: %s", url, workflow.id, reason)
    runs: list[StartedRun] = []
    for change in found.changed:
        payload = trigger_data(change.url, trigger.watch, change.changes)
        runs.append(
            await start_run(
                tenant,
                workflow,
                trigger_type="poll",
                payload={"fired_at": utcnow().isoformat(), **payload},
                idempotency_key=_key(change.url, change.old, change.new),
            )
        )
    failures = found.unreadable
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
    await page_snapshots.save(ctx, found.record)
    return runs
