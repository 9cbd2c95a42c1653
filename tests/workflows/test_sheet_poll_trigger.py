"""The "new rows in a Google Sheet" poll trigger, against a fake Sheets API on loopback: the first
look records the rows already there, then one run per row added, with the row as trigger data;
edited and deleted rows start nothing; a sheet that cannot be read fails a run in plain words."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.credentials import store_credential
from storage.config import Settings
from storage.models import OutboxMessage, Run, RunStatus, Workflow, Workspace
from storage.scope import Tenant
from tests.fakes.sheets_api import FakeSheets
from tests.workflows.helpers import activate, owner_of
from workflows import service
from workflows.runtime import Runtime

TOKEN = "ya29.sheet-poll"
SHEET_ID = "1OrdersSheetId"
HEADER = ["order", "name", "email", "total"]


def order_spec(sheet: str = "Orders", spreadsheet: str = SHEET_ID) -> dict[str, Any]:
    return {
        "name": "Order confirmations",
        "trigger": {"type": "poll", "spreadsheet": spreadsheet, "sheet": sheet},
        "steps": [
            {
                "id": "confirm",
                "action": "email.send",
                "inputs": {
                    "to": "{{ trigger.email }}",
                    "subject": "Your order {{ trigger.order }}",
                    "text": "Hi {{ trigger.name }}, thanks for order {{ trigger.order }} "
                    "({{ trigger.total }}).",
                },
            }
        ],
    }


@pytest.fixture
async def api() -> AsyncIterator[FakeSheets]:
    async with FakeSheets.running(TOKEN) as fake:
        fake.sheets[(SHEET_ID, "Orders")] = [
            HEADER,
            ["1001", "Ann Lee", "ann@shop.co", "42.00"],
            ["1002", "Bo Chen", "bo@farm.co", "17.50"],
        ]
        yield fake


@pytest.fixture
async def runtime(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    api: FakeSheets,
) -> AsyncIterator[Runtime]:
    async with sessions() as session:
        await store_credential(session, workspace.id, "sheets", "token", TOKEN, settings=settings)
        await session.commit()
    runtime = Runtime(settings.model_copy(update={"sheets_api_base": api.url}))
    try:
        yield runtime
    finally:
        await runtime.close()


async def runs_of(sessions: async_sessionmaker[AsyncSession], workflow_id: str) -> list[Run]:
    async with sessions() as session:
        query = select(Run).where(Run.workflow_id == workflow_id).order_by(col(Run.created_at))
        return list((await session.exec(query)).all())


async def poll(
    runtime: Runtime, sessions: async_sessionmaker[AsyncSession], workflow_id: str
) -> list[Run]:
    """One look at the sheet (as the scheduler's poll does), then every run of the workflow."""
    await runtime.fire(workflow_id)
    return await runs_of(sessions, workflow_id)


async def watching(
    runtime: Runtime,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    spec: dict[str, Any],
) -> Workflow:
    """An approved workflow after its first look, which only records the rows already there."""
    workflow = await activate(sessions, workspace, spec, runtime.registry)
    assert await poll(runtime, sessions, workflow.id) == []
    return workflow


async def emails(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with sessions() as session:
        query = select(OutboxMessage).where(OutboxMessage.channel == "email")
        return list((await session.exec(query)).all())


async def test_one_run_per_added_row_after_a_first_look_that_only_records(
    runtime: Runtime,
    api: FakeSheets,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
) -> None:
    workflow = await watching(runtime, sessions, workspace, order_spec())
    assert await poll(runtime, sessions, workflow.id) == []

    api.sheets[(SHEET_ID, "Orders")].append(["1003", "Cy Diaz", "cy@bakery.co", "9.99"])
    runs = await poll(runtime, sessions, workflow.id)
    assert [r.status for r in runs] == [RunStatus.succeeded]
    assert runs[0].trigger_payload == {
        "order": "1003",
        "name": "Cy Diaz",
        "email": "cy@bakery.co",
        "total": "9.99",
    }
    sent = await emails(sessions)
    assert [(m.target, m.subject) for m in sent] == [("cy@bakery.co", "Your order 1003")]
    assert sent[0].body.strip() == "Hi Cy Diaz, thanks for order 1003 (9.99)."

    assert len(await poll(runtime, sessions, workflow.id)) == 1  # nothing new since


async def test_several_rows_added_start_one_run_each_in_sheet_order(
    runtime: Runtime,
    api: FakeSheets,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
) -> None:
    workflow = await watching(runtime, sessions, workspace, order_spec())
    rows = api.sheets[(SHEET_ID, "Orders")]
    rows.append(["1003", "Cy Diaz", "cy@bakery.co", "9.99"])
    rows.append(["1004", "Di Eze", "di@cafe.co", "5.00"])
    rows.append(["1003", "Cy Diaz", "cy@bakery.co", "9.99"])  # the same order entered twice
    runs = await poll(runtime, sessions, workflow.id)
    assert sorted(r.trigger_payload["email"] for r in runs) == [
        "cy@bakery.co",
        "cy@bakery.co",
        "di@cafe.co",
    ]
    assert all(r.status == RunStatus.succeeded for r in runs)


async def test_edited_and_deleted_rows_are_not_new_rows(
    runtime: Runtime,
    api: FakeSheets,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
) -> None:
    workflow = await activate(sessions, workspace, order_spec(), runtime.registry)
    rows = api.sheets[(SHEET_ID, "Orders")]
    rows.append(["1003", "Cy Diaz", "cy@bakery.co", "9.99"])
    await runtime.fire(workflow.id)
    rows[1][3] = "45.00"  # an earlier order corrected
    rows[3].append("shipped")  # the last order's status filled in
    await runtime.fire(workflow.id)
    del rows[2]  # an order removed
    assert await poll(runtime, sessions, workflow.id) == []

    rows.append(["1004", "Di Eze", "di@cafe.co", "5.00"])  # a row added after a deletion
    runs = await poll(runtime, sessions, workflow.id)
    assert [r.trigger_payload["order"] for r in runs] == ["1004"]


async def test_an_unreadable_sheet_fails_a_run_in_plain_words(
    runtime: Runtime,
    api: FakeSheets,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
) -> None:
    workflow = await activate(sessions, workspace, order_spec("Order"), runtime.registry)
    runs = await poll(runtime, sessions, workflow.id)
    assert [r.status for r in runs] == [RunStatus.failed]
    error = runs[0].error or ""
    assert error.startswith("Could not read the “Order” sheet to look for new rows:")
    assert "no tab by that name" in error
    assert "{" not in error and "400" not in error and "Traceback" not in error
    async with sessions() as session:
        alerts = (await session.exec(select(OutboxMessage))).all()
    assert any("no tab by that name" in str(m.body) for m in alerts)  # the failure notice

    api.fail_next(500)  # a passing problem: no run, the next poll tries again
    assert len(await poll(runtime, sessions, workflow.id)) == 1


async def test_a_workspace_without_google_sheets_is_told_to_connect_it(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    api: FakeSheets,
) -> None:
    runtime = Runtime(settings.model_copy(update={"sheets_api_base": api.url}))
    try:
        workflow = await activate(sessions, workspace, order_spec(), runtime.registry)
        await runtime.fire(workflow.id)
    finally:
        await runtime.close()
    runs = await runs_of(sessions, workflow.id)
    assert [r.status for r in runs] == [RunStatus.failed]
    assert "Google Sheets is not connected for this workspace" in (runs[0].error or "")
    assert api.calls == []


async def test_access_google_no_longer_gives_is_reported_with_what_to_do(
    runtime: Runtime,
    api: FakeSheets,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
) -> None:
    workflow = await watching(runtime, sessions, workspace, order_spec())
    api.token = "ya29.some-other-token"  # the stored token no longer works (access revoked)
    runs = await poll(runtime, sessions, workflow.id)
    assert [r.status for r in runs] == [RunStatus.failed]
    assert runs[0].error == (
        "Could not read the “Orders” sheet to look for new rows: Google Sheets refused access to "
        "this spreadsheet: share it with the Google account you connected, or connect Google "
        "Sheets again on the Connections page."
    )


async def test_a_big_paste_starts_at_most_fifty_runs_per_check_and_the_rest_next_time(
    runtime: Runtime,
    api: FakeSheets,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
) -> None:
    workflow = await watching(runtime, sessions, workspace, order_spec())
    rows = api.sheets[(SHEET_ID, "Orders")]
    rows.extend([str(2000 + n), f"Buyer {n}", f"b{n}@shop.co", "1.00"] for n in range(53))
    assert len(await poll(runtime, sessions, workflow.id)) == 50
    runs = await poll(runtime, sessions, workflow.id)
    assert sorted(int(r.trigger_payload["order"]) for r in runs) == list(range(2000, 2053))
    assert len(await poll(runtime, sessions, workflow.id)) == 53


async def test_a_sheet_column_named_poll_problem_is_row_data_like_any_other(
    runtime: Runtime,
    api: FakeSheets,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
) -> None:
    rows = [[*HEADER, "poll_problem"], ["1001", "Ann Lee", "ann@shop.co", "42.00", "none"]]
    api.sheets[(SHEET_ID, "Complaints")] = rows
    workflow = await watching(runtime, sessions, workspace, order_spec("Complaints"))
    rows.append(["1002", "Bo Chen", "bo@farm.co", "17.50", "parcel arrived damaged"])
    runs = await poll(runtime, sessions, workflow.id)
    assert [(r.status, r.error) for r in runs] == [(RunStatus.succeeded, None)]
    assert runs[0].trigger_payload["poll_problem"] == "parcel arrived damaged"
    sent = await emails(sessions)
    assert [(m.target, m.subject) for m in sent] == [("bo@farm.co", "Your order 1002")]


async def paste_into_trigger(
    runtime: Runtime,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    workflow_id: str,
    spreadsheet: str,
) -> None:
    """What the workflow page's Save does with the pasted link, then the owner's approval."""
    async with sessions() as session:
        tenant = Tenant(session, workspace.id)
        owner = await owner_of(session, workspace)
        edited = service.parse_spec(order_spec(spreadsheet=spreadsheet), runtime.registry)
        proposal = await service.propose_version(
            tenant, workflow_id, edited, runtime.registry, None
        )
        await service.decide(tenant, proposal.approval.id, owner, approve=True, confirm=True)
        await session.commit()


@pytest.mark.parametrize(
    "pasted",
    [f"https://docs.google.com/spreadsheets/d/{SHEET_ID}/edit#gid=0", SHEET_ID],
    ids=["link", "id"],
)
async def test_a_sheet_known_by_name_says_what_to_paste_and_where_and_uses_it_once_pasted(
    runtime: Runtime,
    api: FakeSheets,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
    pasted: str,
) -> None:
    named = order_spec(spreadsheet="Orders")
    workflow = await activate(sessions, workspace, named, runtime.registry)
    runs = await poll(runtime, sessions, workflow.id)
    assert [r.status for r in runs] == [RunStatus.failed]
    error = runs[0].error or ""
    assert "this workflow only has “Orders” for it" in error
    assert "paste it into the Spreadsheet field of this workflow's trigger" in error
    edit_page = f"{runtime.settings.public_url.rstrip('/')}/workflows/{workflow.id}/edit"
    assert f"on the workflow page ({edit_page})" in error
    assert "Settings → Connections" in error
    words = error.replace(edit_page, "")  # a random workflow id may itself hold "404"
    assert "{" not in words and not re.search(r"\b404\b", words) and "Traceback" not in words
    assert api.calls == []  # a name is nothing Google Sheets could look up

    await paste_into_trigger(runtime, sessions, workspace, workflow.id, pasted)
    assert len(await poll(runtime, sessions, workflow.id)) == 1  # the first look only records
    assert {c.spreadsheet for c in api.calls} == {SHEET_ID}
    api.sheets[(SHEET_ID, "Orders")].append(["1003", "Cy Diaz", "cy@bakery.co", "9.99"])
    runs = await poll(runtime, sessions, workflow.id)
    assert [r.status for r in runs] == [RunStatus.failed, RunStatus.succeeded]
    assert runs[1].trigger_payload["email"] == "cy@bakery.co"


async def test_a_one_word_name_google_does_not_know_gets_the_same_advice(
    runtime: Runtime,
    api: FakeSheets,
    sessions: async_sessionmaker[AsyncSession],
    workspace: Workspace,
) -> None:
    spec = order_spec(spreadsheet="Subscriptions")  # shaped like an id: Google is asked
    workflow = await activate(sessions, workspace, spec, runtime.registry)
    runs = await poll(runtime, sessions, workflow.id)
    assert [r.status for r in runs] == [RunStatus.failed]
    assert "this workflow only has “Subscriptions” for it" in (runs[0].error or "")
    assert [c.spreadsheet for c in api.calls] == ["Subscriptions"]
