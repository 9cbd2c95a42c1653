"""Which rows of a Google Sheet are new to a workflow (the "new rows in a sheet" poll trigger).

A data row is known by its cells (a repeated identical row by which repeat it is), remembered in
the same per-workflow ledger feeds use (`feed_item_seen`, keys `sheet-row:<sheet>:<hash>`). A row
is new when its cells were never seen and it comes after the last row that was: a row edited or
moved further up, or rows deleted, are not new rows. The sheet's last row is remembered too
(`sheet-last:`): when that row changed in place, the row now in its spot is an edit, not an
addition. The first look at a sheet only records what is there (`sheet-start:`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import col

from integrations import seen_items
from integrations.base import ActionContext
from integrations.sheets import SheetsApi, sheet_range, spreadsheet_id
from storage.models import FeedItemSeen
from storage.scope import Tenant

MAX_RUNS_PER_POLL = 50  # rows past this start runs at the next poll


@dataclass(frozen=True)
class SheetRow:
    """One data row: its row number in the sheet, its ledger key, its cells by header."""

    number: int
    key: str
    values: dict[str, Any]


@dataclass
class NewRows:
    """What one look found: the new rows (oldest first) and the keys to remember afterwards."""

    rows: list[SheetRow] = field(default_factory=list)
    first_look: bool = False
    remember: list[str] = field(default_factory=list)
    last: str | None = None  # the key of the sheet's last row now


def sheet_scope(spreadsheet: str, sheet: str) -> str:
    """A short stable name of one tab of one spreadsheet, for ledger keys."""
    ident = f"{spreadsheet_id(spreadsheet)}\n{sheet}".encode()
    return hashlib.sha256(ident).hexdigest()[:16]


def keyed_rows(scope: str, header: list[str], rows: list[list[Any]]) -> list[SheetRow]:
    """The non-blank data rows with their keys (row 1 is the header, so data starts at 2)."""
    repeats: dict[str, int] = {}
    keyed: list[SheetRow] = []
    for number, cells in enumerate(rows, start=2):
        texts = [str(c) for c in cells]
        while texts and not texts[-1].strip():
            texts.pop()
        if not texts:
            continue
        content = json.dumps(texts, ensure_ascii=False)
        repeats[content] = repeats.get(content, 0) + 1
        digest = hashlib.sha256(f"{content}#{repeats[content]}".encode()).hexdigest()[:40]
        values = row_values(header, cells)
        keyed.append(SheetRow(number, f"sheet-row:{scope}:{digest}", values))
    return keyed


def row_values(header: list[str], cells: list[Any]) -> dict[str, Any]:
    """The cells keyed by their header, plus a snake_case name for headers people write with
    capitals or spaces ("Email Address" is also `email_address`), unless a header has that name."""
    values = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}
    for name, value in list(values.items()):
        snake = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
        if snake and snake not in values:
            values[snake] = value
    return values


def pick_new(rows: list[SheetRow], seen: set[str], last: str | None) -> list[SheetRow]:
    """The rows added since the ledger was written (see the module's rule)."""
    known = [i for i, row in enumerate(rows) if row.key in seen]
    after = known[-1] + 1 if known else 0
    fresh = [row for row in rows[after:] if row.key not in seen]
    if fresh and last is not None and last not in {row.key for row in rows}:
        fresh = fresh[1:]  # the old last row is gone and a row stands in its place: an edit
    return fresh


async def look(ctx: ActionContext, spreadsheet: str, sheet: str) -> NewRows:
    """Read the sheet and compare it with the ledger (nothing is written: see `remember`).

    MissingConnection / ActionError when the sheet cannot be read, RetryableError for a passing
    problem (Google unreachable, rate limited)."""
    api = await SheetsApi.connect(ctx, spreadsheet)
    values = await api.get(sheet_range(sheet))
    header = [str(h).strip() for h in values[0]] if values else []
    scope = sheet_scope(spreadsheet, sheet)
    rows = keyed_rows(scope, header, values[1:])
    async with ctx.sessions() as session:
        tenant = Tenant(session, ctx.workspace_id)
        query = tenant.select(FeedItemSeen).where(
            FeedItemSeen.workflow_id == ctx.workflow_id,
            col(FeedItemSeen.item_key).startswith("sheet-"),
        )
        keys = [row.item_key for row in await tenant.all(query)]
    ledger = {k for k in keys if k.split(":")[1:2] == [scope]}
    last_now = f"sheet-last:{scope}:{rows[-1].key.rsplit(':', 1)[1]}" if rows else None
    found = NewRows(last=last_now)
    if f"sheet-start:{scope}" not in ledger:
        found.first_look = True
        found.remember = [f"sheet-start:{scope}", *(r.key for r in rows)]
        return found
    seen = {k for k in ledger if k.startswith("sheet-row:")}
    last = next((k for k in ledger if k.startswith("sheet-last:")), None)
    last_row = f"sheet-row:{scope}:{last.rsplit(':', 1)[1]}" if last else None
    fresh = pick_new(rows, seen, last_row)
    found.rows = fresh[:MAX_RUNS_PER_POLL]
    held = {r.key for r in fresh[MAX_RUNS_PER_POLL:]}
    found.remember = [r.key for r in rows if r.key not in seen and r.key not in held]
    if held:
        found.last = f"sheet-last:{scope}:{found.rows[-1].key.rsplit(':', 1)[1]}"
    return found


async def remember(ctx: ActionContext, found: NewRows) -> None:
    """Write what a look found into the ledger (after its runs were started)."""
    async with ctx.sessions() as session:
        tenant = Tenant(session, ctx.workspace_id)
        keys = list(dict.fromkeys(found.remember))
        if found.last is not None:
            prefix = found.last.rsplit(":", 1)[0] + ":"
            query = tenant.select(FeedItemSeen).where(
                FeedItemSeen.workflow_id == ctx.workflow_id,
                col(FeedItemSeen.item_key).startswith(prefix),
            )
            old = await tenant.all(query)
            for row in old:
                if row.item_key != found.last:
                    await session.delete(row)
            if found.last not in {row.item_key for row in old}:
                keys.append(found.last)
        await seen_items.remember(
            tenant, ctx, keys, "another look at this sheet ran at the same time"
        )
