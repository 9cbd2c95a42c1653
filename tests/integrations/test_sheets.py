"""sheets.*: Google Sheets v4 over ctx.http against a loopback fake; the token stored encrypted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations import sheets
from integrations.base import ActionContext, ActionError, RetryableError, Risk
from integrations.credentials import CredentialError, load_credential, store_credential
from storage.config import Settings
from storage.models import Credential, Workspace
from tests.fakes.sheets_api import FakeSheets

TOKEN = "ya29.test-token"
SHEET_ID = "1AbCdEfGhIjK"


@pytest.fixture
async def api() -> AsyncIterator[FakeSheets]:
    """A fake Sheets API with a 'Leads' sheet."""
    async with FakeSheets.running(TOKEN) as fake:
        fake.sheets[(SHEET_ID, "Leads")] = [
            ["email", "name", "stage"],
            ["ann@shop.co", "Ann", "lead"],
            ["bo@farm.co", "Bo"],
        ]
        yield fake


@pytest.fixture
async def ctx(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    api: FakeSheets,
) -> AsyncIterator[ActionContext]:
    """A context whose workspace has the Sheets token stored, pointed at the fake."""
    async with sessions() as session:
        await store_credential(session, workspace.id, "sheets", "token", TOKEN, settings=settings)
        await session.commit()
    # `sheets_api_base` is not a Settings field yet; the integration reads it with a default.
    pointed = settings.model_copy(update={"sheets_api_base": api.url})
    async with httpx.AsyncClient() as http:
        yield ActionContext(pointed, sessions, http, workspace.id, "wf", "run", "step", "run:step")


async def run(ctx: ActionContext, name: str, **inputs: Any) -> dict[str, Any]:
    """Run one sheets.* action and dump its output."""
    action = next(a for a in sheets.ACTIONS if a.name == name)
    return dict((await action.run(ctx, inputs)).model_dump())


def test_declared_risks_and_helpers() -> None:
    assert {a.name: a.risk for a in sheets.ACTIONS} == {
        "sheets.append_row": Risk.internal,
        "sheets.read_rows": Risk.read,
        "sheets.update_row": Risk.internal,
        "sheets.delete_rows": Risk.critical,
    }
    assert [sheets.column(i) for i in (0, 25, 26, 701)] == ["A", "Z", "AA", "ZZ"]
    url = f"https://docs.google.com/spreadsheets/d/{SHEET_ID}/edit#gid=0"
    assert sheets.spreadsheet_id(url) == SHEET_ID


async def test_credential_is_encrypted_and_scoped(
    ctx: ActionContext, sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with sessions() as session:
        row = (await session.exec(select(Credential))).one()
        assert TOKEN not in row.ciphertext
        assert (
            await load_credential(session, "other-ws", "sheets", "token", settings=settings) is None
        )
        await store_credential(
            session, ctx.workspace_id, "sheets", "token", "new", settings=settings
        )
        await session.commit()
        loaded = await load_credential(
            session, ctx.workspace_id, "sheets", "token", settings=settings
        )
        assert loaded == "new"
        assert len((await session.exec(select(Credential))).all()) == 1
        other_key = settings.model_copy(
            update={"secret_key": "another", "resolved_secret_key": "x"}
        )
        with pytest.raises(CredentialError, match="cannot be decrypted"):
            await load_credential(session, ctx.workspace_id, "sheets", "token", settings=other_key)


async def test_read_rows_keyed_by_header(ctx: ActionContext, api: FakeSheets) -> None:
    out = await run(ctx, "sheets.read_rows", spreadsheet=SHEET_ID, sheet="Leads")
    assert out == {
        "rows": [
            {"email": "ann@shop.co", "name": "Ann", "stage": "lead"},
            {"email": "bo@farm.co", "name": "Bo", "stage": ""},
        ],
        "count": 2,
    }
    limited = await run(ctx, "sheets.read_rows", spreadsheet=SHEET_ID, sheet="Leads", limit=1)
    assert limited["count"] == 1
    assert api.calls[0].range == "'Leads'"


async def test_append_dict_and_list_rows(ctx: ActionContext, api: FakeSheets) -> None:
    out = await run(ctx, "sheets.append_row", spreadsheet=SHEET_ID, sheet="Leads",
                    values={"name": "Cy", "email": "=HYPERLINK(\"x\")"})  # fmt: skip
    assert out == {"row": 4, "dry_run": False}
    assert api.sheets[(SHEET_ID, "Leads")][3] == ['=HYPERLINK("x")', "Cy", ""]
    assert api.calls[-1].params["valueInputOption"] == "RAW"  # text from emails is never a formula
    listed = await run(ctx, "sheets.append_row", spreadsheet=SHEET_ID, sheet="Leads",
                       values=["d@e.co", "Di", "customer"])  # fmt: skip
    assert listed == {"row": 5, "dry_run": False}
    with pytest.raises(ActionError, match="no column 'phone'"):
        await run(ctx, "sheets.append_row", spreadsheet=SHEET_ID, sheet="Leads",
                  values={"phone": "123"})  # fmt: skip


async def test_append_to_an_empty_sheet_writes_the_header(
    ctx: ActionContext, api: FakeSheets
) -> None:
    api.sheets[(SHEET_ID, "New Tab")] = []
    out = await run(ctx, "sheets.append_row", spreadsheet=SHEET_ID, sheet="New Tab",
                    values={"email": "a@b.co", "seats": 4})  # fmt: skip
    assert out == {"row": 2, "dry_run": False}
    assert api.sheets[(SHEET_ID, "New Tab")] == [["email", "seats"], ["a@b.co", 4]]


async def test_update_matching_rows(ctx: ActionContext, api: FakeSheets) -> None:
    out = await run(ctx, "sheets.update_row", spreadsheet=SHEET_ID, sheet="Leads",
                    match={"email": "bo@farm.co"}, values={"stage": "customer"})  # fmt: skip
    assert out == {"updated": 1, "dry_run": False}
    assert api.sheets[(SHEET_ID, "Leads")][2] == ["bo@farm.co", "Bo", "customer"]
    assert api.calls[-1].range == "'Leads'!A3:C3"
    none = await run(ctx, "sheets.update_row", spreadsheet=SHEET_ID, sheet="Leads",
                     match={"email": "nobody@x.co"}, values={"stage": "x"})  # fmt: skip
    assert none == {"updated": 0, "dry_run": False}


async def test_a_dry_run_checks_the_sheet_but_writes_nothing(
    ctx: ActionContext, api: FakeSheets
) -> None:
    ctx.dry_run = True
    before = [list(row) for row in api.sheets[(SHEET_ID, "Leads")]]
    api.sheets[(SHEET_ID, "Empty")] = []
    added = await run(ctx, "sheets.append_row", spreadsheet=SHEET_ID, sheet="Leads",
                      values={"name": "Cy", "email": "cy@x.co"})  # fmt: skip
    fresh = await run(ctx, "sheets.append_row", spreadsheet=SHEET_ID, sheet="Empty",
                      values={"email": "a@b.co"})  # fmt: skip
    changed = await run(ctx, "sheets.update_row", spreadsheet=SHEET_ID, sheet="Leads",
                        match={"email": "bo@farm.co"}, values={"stage": "customer"})  # fmt: skip
    assert added == fresh == {"row": None, "dry_run": True}
    assert changed == {"updated": 1, "dry_run": True}
    assert api.sheets[(SHEET_ID, "Leads")] == before and api.sheets[(SHEET_ID, "Empty")] == []
    assert {call.method for call in api.calls} == {"GET"}
    with pytest.raises(ActionError, match="no column 'phone'"):
        await run(ctx, "sheets.append_row", spreadsheet=SHEET_ID, sheet="Leads",
                  values={"phone": "123"})  # fmt: skip


async def test_missing_token_and_http_errors(
    ctx: ActionContext, api: FakeSheets, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session:
        for row in (await session.exec(select(Credential))).all():
            await session.delete(row)
        await session.commit()
    with pytest.raises(ActionError, match=r"^Google Sheets is not connected for this workspace"):
        await run(ctx, "sheets.read_rows", spreadsheet=SHEET_ID, sheet="Leads")
    async with sessions() as session:
        await store_credential(session, ctx.workspace_id, "sheets", "token", "expired",
                               settings=ctx.settings)  # fmt: skip
        await session.commit()
    with pytest.raises(ActionError, match="refused access to this spreadsheet"):
        await run(ctx, "sheets.read_rows", spreadsheet=SHEET_ID, sheet="Leads")
    api.token = "expired"
    api.fail_next(429, {"Retry-After": "5"})
    with pytest.raises(RetryableError) as raised:
        await run(ctx, "sheets.read_rows", spreadsheet=SHEET_ID, sheet="Leads")
    assert raised.value.retry_after == 5.0
    with pytest.raises(ActionError, match="no such spreadsheet"):
        await run(ctx, "sheets.read_rows", spreadsheet="missing", sheet="Leads")


async def test_delete_rows_matching_or_older_than_an_age(
    ctx: ActionContext, api: FakeSheets
) -> None:
    api.sheets[(SHEET_ID, "Orders")] = [
        ["order", "placed", "status"],
        ["A1", "2020-01-05", "done"],
        ["A2", "2999-01-01", "done"],
        ["A3", "2020-02-01", "open"],
        ["A4", "not a date", "done"],
    ]
    old = await run(ctx, "sheets.delete_rows", spreadsheet=SHEET_ID, sheet="Orders",
                    older_than="90 days", date_column="placed")  # fmt: skip
    assert (old["deleted"], old["kept"]) == (2, 2)
    assert api.sheets[(SHEET_ID, "Orders")] == [
        ["order", "placed", "status"],
        ["A2", "2999-01-01", "done"],
        ["A4", "not a date", "done"],
    ]
    done = await run(ctx, "sheets.delete_rows", spreadsheet=SHEET_ID, sheet="Orders",
                     match={"status": "done"})  # fmt: skip
    assert done["deleted"] == 2
    assert api.sheets[(SHEET_ID, "Orders")] == [["order", "placed", "status"]]


async def test_delete_rows_needs_a_condition_and_known_columns(
    ctx: ActionContext, api: FakeSheets
) -> None:
    with pytest.raises(ActionError, match="which rows"):
        await run(ctx, "sheets.delete_rows", spreadsheet=SHEET_ID, sheet="Leads")
    with pytest.raises(ActionError, match="no column 'placed'"):
        await run(ctx, "sheets.delete_rows", spreadsheet=SHEET_ID, sheet="Leads",
                  older_than="1 day", date_column="placed")  # fmt: skip
    assert api.sheets[(SHEET_ID, "Leads")][1] == ["ann@shop.co", "Ann", "lead"]


async def test_dry_runs_write_nothing(ctx: ActionContext, api: FakeSheets) -> None:
    before = [list(r) for r in api.sheets[(SHEET_ID, "Leads")]]
    dry = ActionContext(ctx.settings, ctx.sessions, ctx.http, ctx.workspace_id, "wf", "run",
                        "step", "run:step", dry_run=True)  # fmt: skip
    appended = await run(dry, "sheets.append_row", spreadsheet=SHEET_ID, sheet="Leads",
                         values=["c@d.co", "Cy"])  # fmt: skip
    updated = await run(dry, "sheets.update_row", spreadsheet=SHEET_ID, sheet="Leads",
                        match={"email": "bo@farm.co"}, values={"stage": "x"})  # fmt: skip
    deleted = await run(dry, "sheets.delete_rows", spreadsheet=SHEET_ID, sheet="Leads",
                        match={"name": "Ann"})  # fmt: skip
    assert (appended["dry_run"], updated["updated"], deleted["deleted"]) == (True, 1, 1)
    assert api.sheets[(SHEET_ID, "Leads")] == before
    assert all(call.method == "GET" for call in api.calls)
