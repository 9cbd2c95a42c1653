"""Poll trigger on a Google Sheet: one run per row added since the last look.

The row is the run's trigger data, its cells keyed by the header row (`{{ trigger.email }}`).
The first look after approval only records the rows already there. A sheet that cannot be read
for a reason waiting will not fix (Google Sheets not connected or access revoked, no such
spreadsheet or tab) starts a run that fails at once with that reason in words, so the failure
reaches the bell and the failure notices like any other; a passing problem waits for the next poll.
A spreadsheet known only by its name (the request named it, nobody pasted its link yet) fails the
same way, saying what to paste where; the link or id pasted later is what the next check uses.
"""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING

from integrations import sheet_rows
from integrations.base import ActionError, RetryableError
from integrations.sheets import NoSuchSpreadsheet, is_url, named_only
from storage.models import Workflow
from storage.scope import Tenant
from storage.types import utcnow
from workflows.poll_problems import sheet_problem, unlinked_sheet
from workflows.runs import StartedRun, start_run
from workflows.triggers.poll import poll_context

if TYPE_CHECKING:
    from workflows.runtime import Runtime
    from workflows.spec import PollTrigger

log = logging.getLogger(__name__)


async def poll_sheet(
    runtime: Runtime, tenant: Tenant, workflow: Workflow, trigger: PollTrigger, key: str | None
) -> list[StartedRun]:
    """Look at the sheet; start one run per new row (or one that reports why it cannot)."""
    assert trigger.spreadsheet is not None and trigger.sheet is not None
    ctx = poll_context(runtime, workflow, remember=True)
    edit_url = f"{runtime.settings.public_url.rstrip('/')}/workflows/{workflow.id}/edit"
    problem = unlinked_sheet(trigger.spreadsheet, edit_url)
    try:
        if named_only(trigger.spreadsheet):
            raise NoSuchSpreadsheet(problem)  # no link or id to ask Google Sheets with
        found = await sheet_rows.look(ctx, trigger.spreadsheet, trigger.sheet)
    except RetryableError as exc:
        log.warning("sheet poll of workflow %s waits for the next poll: %s", workflow.id, exc)
        return []
    except ActionError as exc:
        if not isinstance(exc, NoSuchSpreadsheet) or is_url(trigger.spreadsheet):
            problem = sheet_problem(trigger.sheet, str(exc))
        started = await start_run(
            tenant,
            workflow,
            trigger_type="poll",
            payload={"fired_at": utcnow().isoformat()},
            idempotency_key=key,
            poll_problem=problem,
        )
        return [started]
    runs: list[StartedRun] = []
    for row in found.rows:
        digest = hashlib.sha256(row.key.encode()).hexdigest()[:40]
        runs.append(
            await start_run(
                tenant,
                workflow,
                trigger_type="poll",
                payload=dict(row.values),
                idempotency_key=f"sheet-row:{digest}",
            )
        )
    await sheet_rows.remember(ctx, found)
    return runs
