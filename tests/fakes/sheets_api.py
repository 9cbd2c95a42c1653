"""A fake Google Sheets v4 values API on loopback, over in-memory sheets.

async with FakeSheets.running(token="ya29.test") as api:
    api.sheets[("sheet-id", "Leads")] = [["email", "name"], ["a@b.co", "Ann"]]
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.openai_server import serve_loopback

_RANGE = re.compile(r"^(?:'((?:[^']|'')+)'|([^!]+))(?:!([A-Z]*)(\d*)(?::([A-Z]*)(\d*))?)?$")


def _col(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


@dataclass
class Call:
    """One request the fake received."""

    method: str
    spreadsheet: str
    range: str
    params: dict[str, str]
    body: Any


class FakeSheets:
    """In-memory spreadsheets keyed by (spreadsheet id, sheet name) → rows of cells."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.url = ""
        self.sheets: dict[tuple[str, str], list[list[Any]]] = {}
        self.calls: list[Call] = []
        self.failures: list[tuple[int, dict[str, str]]] = []

    @classmethod
    @asynccontextmanager
    async def running(cls, token: str = "ya29.fake") -> AsyncIterator[FakeSheets]:
        """Serve the fake on a free loopback port for the duration of the block."""
        fake = cls(token)
        async with serve_loopback(fake.app()) as url:
            fake.url = url
            yield fake

    def fail_next(self, status: int, headers: dict[str, str] | None = None) -> None:
        """Answer the next request with this status."""
        self.failures.append((status, dict(headers or {})))

    def app(self) -> Starlette:
        """The ASGI app."""
        path = "/v4/spreadsheets/{sid}/values/{rng:path}"
        return Starlette(routes=[Route(path, self._values, methods=["GET", "POST", "PUT"])])

    async def _values(self, request: Request) -> JSONResponse:
        sid, rng = request.path_params["sid"], request.path_params["rng"]
        appending = request.method == "POST" and rng.endswith(":append")
        rng = rng.removesuffix(":append")
        body: Any = await request.json() if request.method != "GET" else {}
        self.calls.append(Call(request.method, sid, rng, dict(request.query_params), body))
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return _error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
        if self.failures:
            status, headers = self.failures.pop(0)
            return _error(status, "UNAVAILABLE", "scripted failure", headers)
        parsed = _RANGE.match(rng)
        if not parsed or not any(s == sid for s, _ in self.sheets):
            return _error(404, "NOT_FOUND", "Requested entity was not found.")
        name = (parsed.group(1) or "").replace("''", "'") or parsed.group(2)
        if (sid, name) not in self.sheets:
            return _error(400, "INVALID_ARGUMENT", f"Unable to parse range: {rng}")
        rows = self.sheets[(sid, name)]
        if request.method == "GET":
            return JSONResponse(_read(rows, parsed, rng))
        if appending:
            rows.extend([list(r) for r in body["values"]])
            first, last = len(rows) - len(body["values"]) + 1, len(rows)
            width = max(len(r) for r in body["values"])
            updated = f"'{name}'!A{first}:{chr(64 + width)}{last}"
            return JSONResponse({"spreadsheetId": sid, "updates": {"updatedRange": updated,
                                 "updatedRows": len(body["values"])}})  # fmt: skip
        start = int(parsed.group(4)) - 1
        for offset, values in enumerate(body["values"]):
            while len(rows) <= start + offset:
                rows.append([])
            rows[start + offset] = list(values)
        while rows and not any(str(c) for c in rows[-1]):
            rows.pop()  # blanked rows at the end are no rows (as Sheets reads them back)
        count = len(body["values"])
        return JSONResponse({"spreadsheetId": sid, "updatedRange": rng, "updatedRows": count})


def _read(rows: list[list[Any]], parsed: re.Match[str], rng: str) -> dict[str, Any]:
    first = int(parsed.group(4) or 1) - 1
    last = int(parsed.group(6) or (parsed.group(4) if parsed.group(3) is not None else 0) or 0)
    picked = rows[first : last or None]
    start_col = _col(parsed.group(3)) if parsed.group(3) else 0
    values = [[c if isinstance(c, str) else str(c) for c in r[start_col:]] for r in picked]
    while values and not values[-1]:
        values.pop()
    body: dict[str, Any] = {"range": rng, "majorDimension": "ROWS"}
    return body | ({"values": values} if values else {})


def _error(
    status: int, kind: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"error": {"code": status, "message": message, "status": kind}}
    return JSONResponse(body, status_code=status, headers=headers)
