"""`sheets.*` actions: Google Sheets REST v4 values over ctx.http, rows keyed by the header row."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import Field

from integrations.base import (
    Action,
    ActionContext,
    ActionError,
    ActionInput,
    ActionOutput,
    CustomerData,
    RetryableError,
    Risk,
)
from integrations.durations import parse_duration
from integrations.google_access import access_token

DEFAULT_API_BASE = "https://sheets.googleapis.com"
_ID_IN_URL = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")
_ID = re.compile(r"[A-Za-z0-9_-]{10,}")
_ROW_IN_RANGE = re.compile(r"![A-Z]+(\d+)")


class AppendRowInput(ActionInput):
    spreadsheet: str
    sheet: str
    values: list[Any] | dict[str, Any]


class AppendRowOutput(ActionOutput):
    row: int | None
    dry_run: bool = False


class ReadRowsInput(ActionInput):
    spreadsheet: str
    sheet: str
    limit: int = Field(default=500, ge=1, le=10_000)


class ReadRowsOutput(ActionOutput):
    rows: list[dict[str, Any]]
    count: int


class UpdateRowInput(ActionInput):
    spreadsheet: str
    sheet: str
    match: dict[str, Any] = Field(min_length=1)
    values: dict[str, Any] = Field(min_length=1)


class UpdateRowOutput(ActionOutput):
    updated: int
    dry_run: bool = False


class DeleteRowsInput(ActionInput):
    spreadsheet: str
    sheet: str
    match: dict[str, Any] = Field(default_factory=dict)
    older_than: str | None = None  # a duration ("90 days") compared with `date_column`
    date_column: str | None = None


class DeleteRowsOutput(ActionOutput):
    deleted: int
    kept: int
    dry_run: bool = False


def spreadsheet_id(value: str) -> str:
    """The spreadsheet id, from an id or a docs.google.com URL."""
    found = _ID_IN_URL.search(value)
    return found.group(1) if found else value.strip()


def named_only(value: str) -> bool:
    """Whether the value is a spreadsheet's name ("Orders") rather than its URL or id: Google
    Sheets finds a spreadsheet only by its id."""
    return _ID_IN_URL.search(value) is None and _ID.fullmatch(value.strip()) is None


def is_url(value: str) -> bool:
    """Whether the value is a docs.google.com spreadsheet URL."""
    return _ID_IN_URL.search(value) is not None


class NoSuchSpreadsheet(ActionError):
    """Google Sheets has no spreadsheet by the id (or URL) given."""


def column(index: int) -> str:
    """The column letter(s) for a zero-based index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _a1(sheet: str, cells: str = "") -> str:
    name = "'" + sheet.replace("'", "''") + "'"
    return f"{name}!{cells}" if cells else name


def sheet_range(sheet: str) -> str:
    """The A1 range of a whole tab (its name quoted)."""
    return _a1(sheet)


class SheetsApi:
    """The three values endpoints, authorised with the workspace's stored token."""

    def __init__(self, ctx: ActionContext, token: str, spreadsheet: str) -> None:
        self.http = ctx.http
        base = ctx.settings.sheets_api_base or DEFAULT_API_BASE
        self.url = f"{base.rstrip('/')}/v4/spreadsheets/{quote(spreadsheet_id(spreadsheet))}"
        self.headers = {"Authorization": f"Bearer {token}"}

    @classmethod
    async def connect(cls, ctx: ActionContext, spreadsheet: str) -> SheetsApi:
        """The API for this workspace; MissingConnection when Google Sheets is not connected."""
        async with ctx.sessions() as session:
            token = await access_token(session, ctx.workspace_id, ctx.settings, ctx.http)
            await session.commit()
        return cls(ctx, token, spreadsheet)

    async def _call(self, method: str, a1: str, suffix: str = "", **kwargs: Any) -> Any:
        url = f"{self.url}/values/{quote(a1, safe='')}{suffix}"
        try:
            response = await self.http.request(method, url, headers=self.headers, **kwargs)
        except httpx.TransportError as exc:
            raise RetryableError(f"cannot reach Google Sheets: {exc!r}") from exc
        status = response.status_code
        if status == 429 or status >= 500:
            after = response.headers.get("retry-after", "")
            delay = float(after) if after.isdigit() else None
            raise RetryableError(f"Google Sheets answered {status}", retry_after=delay)
        if status in (401, 403):
            raise ActionError(
                "Google Sheets refused access to this spreadsheet: share it with the Google "
                "account you connected, or connect Google Sheets again on the Connections page"
            )
        if status == 404:
            raise NoSuchSpreadsheet("Google Sheets has no such spreadsheet (check its id or URL)")
        if status == 400 and "Unable to parse range" in response.text:
            raise ActionError(
                "the spreadsheet has no tab by that name (check the sheet's name at the bottom "
                "of the spreadsheet)"
            )
        if status >= 400:
            raise ActionError(
                f"Google Sheets refused the request ({status}): {response.text[:300]}"
            )
        return response.json()

    async def get(self, a1: str) -> list[list[Any]]:
        """The values in a range (rows of cells)."""
        return list((await self._call("GET", a1)).get("values", []))

    async def append(self, a1: str, row: list[Any]) -> dict[str, Any]:
        """Append one row after the table in `a1` (values taken as typed, never as formulas)."""
        params = {"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"}
        return dict(await self._call("POST", a1, ":append", params=params, json={"values": [row]}))

    async def put(self, a1: str, row: list[Any]) -> None:
        """Overwrite one row."""
        await self.put_rows(a1, [row])

    async def put_rows(self, a1: str, rows: list[list[Any]]) -> None:
        """Overwrite a block of rows (values taken as typed)."""
        body = {"range": a1, "majorDimension": "ROWS", "values": rows}
        await self._call("PUT", a1, params={"valueInputOption": "RAW"}, json=body)


def _unknown(keys: list[str], header: list[str], sheet: str) -> ActionError:
    return ActionError(
        f"sheet {sheet!r} has no column {', '.join(map(repr, keys))}; columns: {', '.join(header)}"
    )


async def append_row(ctx: ActionContext, inputs: AppendRowInput) -> AppendRowOutput:
    """Append a row (a list in column order, or a dict keyed by header); a dry run only checks."""
    api = await SheetsApi.connect(ctx, inputs.spreadsheet)
    row = inputs.values
    if isinstance(row, dict):
        header = [str(h) for h in ((await api.get(_a1(inputs.sheet, "1:1"))) or [[]])[0]]
        if not header:
            header = list(row)
            if not ctx.dry_run:
                await api.append(_a1(inputs.sheet), header)
        if missing := [k for k in row if k not in header]:
            raise _unknown(missing, header, inputs.sheet)
        row = [row.get(h, "") for h in header]
    if ctx.dry_run:
        return AppendRowOutput(row=None, dry_run=True)
    updates = (await api.append(_a1(inputs.sheet), row)).get("updates", {})
    found = _ROW_IN_RANGE.search(str(updates.get("updatedRange", "")))
    return AppendRowOutput(row=int(found.group(1)) if found else None)


async def _table(api: SheetsApi, sheet: str) -> tuple[list[str], list[list[Any]]]:
    values = await api.get(_a1(sheet))
    if not values:
        return [], []
    return [str(h) for h in values[0]], values[1:]


async def read_rows(ctx: ActionContext, inputs: ReadRowsInput) -> ReadRowsOutput:
    """Data rows as dicts keyed by the header row (missing trailing cells are "")."""
    api = await SheetsApi.connect(ctx, inputs.spreadsheet)
    header, rows = await _table(api, inputs.sheet)
    out = [
        {h: (row[i] if i < len(row) else "") for i, h in enumerate(header)}
        for row in rows[: inputs.limit]
    ]
    return ReadRowsOutput(rows=out, count=len(out))


async def update_row(ctx: ActionContext, inputs: UpdateRowInput) -> UpdateRowOutput:
    """Set `values` on every row whose cells equal `match` (a dry run only counts them)."""
    api = await SheetsApi.connect(ctx, inputs.spreadsheet)
    header, rows = await _table(api, inputs.sheet)
    if missing := [k for k in [*inputs.match, *inputs.values] if k not in header]:
        raise _unknown(sorted(set(missing)), header, inputs.sheet)
    updated = 0
    for number, row in enumerate(rows, start=2):
        cells = [*row, *[""] * (len(header) - len(row))]
        if all(str(cells[header.index(k)]) == str(v) for k, v in inputs.match.items()):
            for key, value in inputs.values.items():
                cells[header.index(key)] = value
            if not ctx.dry_run:
                a1 = _a1(inputs.sheet, f"A{number}:{column(len(cells) - 1)}{number}")
                await api.put(a1, cells)
            updated += 1
    return UpdateRowOutput(updated=updated, dry_run=ctx.dry_run)


async def delete_rows(ctx: ActionContext, inputs: DeleteRowsInput) -> DeleteRowsOutput:
    """Delete the data rows matching `match` and/or older than `older_than` (rows move up)."""
    if not inputs.match and not inputs.older_than:
        raise ActionError("say which rows to delete: a match on columns or an age")
    if inputs.older_than and not inputs.date_column:
        raise ActionError("say which column holds the date the age is measured from")
    api = await SheetsApi.connect(ctx, inputs.spreadsheet)
    header, rows = await _table(api, inputs.sheet)
    wanted = [*inputs.match, *([inputs.date_column] if inputs.date_column else [])]
    if missing := [k for k in wanted if k not in header]:
        raise _unknown(sorted(set(missing)), header, inputs.sheet)
    cutoff = None
    if inputs.older_than:
        cutoff = datetime.now(UTC) - timedelta(seconds=parse_duration(inputs.older_than))
    kept: list[list[Any]] = []
    for row in rows:
        cells = [*row, *[""] * (len(header) - len(row))]
        matches = all(str(cells[header.index(k)]) == str(v) for k, v in inputs.match.items())
        if cutoff is not None and inputs.date_column:
            when = _date(cells[header.index(inputs.date_column)])
            matches = matches and when is not None and when < cutoff
        if not matches:
            kept.append(cells)
    deleted = len(rows) - len(kept)
    if deleted and not ctx.dry_run:
        width = max([len(header), *(len(r) for r in rows)])
        blank = [[""] * width for _ in range(deleted)]
        block = [[*r, *[""] * (width - len(r))] for r in kept] + blank
        await api.put_rows(_a1(inputs.sheet, f"A2:{column(width - 1)}{len(rows) + 1}"), block)
    return DeleteRowsOutput(deleted=deleted, kept=len(kept), dry_run=ctx.dry_run)


def _date(value: Any) -> datetime | None:
    """A cell as an aware datetime (ISO dates and times; anything else is no date)."""
    try:
        parsed = datetime.fromisoformat(str(value).strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


ACTIONS: list[Action[Any, Any]] = [
    Action("sheets.append_row", "Append a row to a Google Sheet.",
           Risk.internal, AppendRowInput, AppendRowOutput, append_row),
    Action("sheets.read_rows", "Read a Google Sheet's rows, keyed by its header row.",
           Risk.read, ReadRowsInput, ReadRowsOutput, read_rows, reads=CustomerData.many),
    Action("sheets.update_row", "Update the Google Sheet rows matching some column values.",
           Risk.internal, UpdateRowInput, UpdateRowOutput, update_row),
    Action("sheets.delete_rows",
           "Delete the Google Sheet rows matching column values and/or older than an age.",
           Risk.critical, DeleteRowsInput, DeleteRowsOutput, delete_rows),
]  # fmt: skip
