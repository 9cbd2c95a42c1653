"""Export archives through the API: every table of the workspace, none of another's, no secrets;
progress, an expiring download link, and a contact's subject-access export."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import select

from accounts import export
from storage.config import Settings
from storage.models import TENANT_TABLES, ExportJob, Role, Workspace
from storage.types import utcnow
from tests.accounts.seed import Sessions, seed_every_table
from tests.bot.conftest import Live, live

__all__ = ["live"]


async def _finished(live: Live, started: dict[str, Any]) -> dict[str, Any]:
    for _ in range(500):
        body: dict[str, Any] = (await live.as_().get(f"/api/export/{started['id']}")).json()
        if body["status"] in ("done", "failed"):
            return body
        await asyncio.sleep(0.02)
    raise AssertionError("the export never finished")


async def _archive(live: Live, settings: Settings, url: str) -> zipfile.ZipFile:
    local = url.replace(settings.public_url.rstrip("/"), live.url)
    async with httpx.AsyncClient() as anyone:  # the link is the credential: no API key
        response = await anyone.get(local)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.content))


def _key(table: str) -> str:
    """The column that tells a table's rows apart in the archive (web sessions' key is secret)."""
    return {"web_session": "login_id", "referral_link": "code"}.get(table, "id")


async def _ids(sessions: Sessions, workspace_id: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    async with sessions() as session:
        for model in TENANT_TABLES:
            column: Any = model.workspace_id  # type: ignore[attr-defined]
            rows = (await session.exec(select(model).where(column == workspace_id))).all()
            key = _key(str(model.__tablename__))
            found[str(model.__tablename__)] = {str(getattr(r, key)) for r in rows}
    return found


async def test_workspace_export_round_trip(
    live: Live, settings: Settings, sessions: Sessions
) -> None:
    other = Workspace(slug="other", name="Other")
    async with sessions() as session:
        session.add(other)
        await session.commit()
    await seed_every_table(settings, sessions, live.workspace)
    await seed_every_table(settings, sessions, other)

    refused = await live.as_(Role.admin).post("/api/export")
    assert refused.status_code == 403 and "only an owner" in refused.json()["error"]["message"]
    started = await live.as_().post("/api/export")
    assert started.status_code == 202, started.text
    assert started.json()["status"] in ("queued", "running", "done")
    done = await _finished(live, started.json())
    assert done["status"] == "done" and done["progress"] == 100 and done["download_url"]
    assert done["expires_at"] is not None

    archive = await _archive(live, settings, done["download_url"])
    names = set(archive.namelist())
    mine, theirs = await _ids(sessions, live.workspace.id), await _ids(sessions, other.id)
    for table, ids in mine.items():
        assert {f"{table}.json", f"{table}.csv"} <= names, table
        rows = json.loads(archive.read(f"{table}.json"))
        key = _key(table)
        assert {str(r[key]) for r in rows} == ids, table
        assert all(r["workspace_id"] == live.workspace.id for r in rows), table
        with archive.open(f"{table}.csv") as raw:
            assert len(list(csv.DictReader(io.TextIOWrapper(raw, "utf-8")))) == len(ids)
    assert all(mine.values()), "every table had a row to export"
    everything = b"".join(archive.read(n) for n in names).decode()
    assert not any(i in everything for ids in theirs.values() for i in ids if len(i) > 8)
    for secret in ("ciphertext", "password_hash", "key_hash", "token_hash", "webhook_secret"):
        assert secret not in everything
    assert json.loads(archive.read("workspace.json"))[0]["name"] == "Acme"

    token = done["download_url"].split("/")[-2]
    local = done["download_url"].replace(settings.public_url.rstrip("/"), live.url)
    async with httpx.AsyncClient() as anyone:
        wrong = await anyone.get(local.replace(token, "0" * len(token)))
    assert wrong.status_code == 410
    async with sessions() as session:
        with pytest.raises(export.ExportError, match="expired"):
            later = utcnow() + timedelta(hours=25)
            await export.download(session, settings, done["id"], token, now=later)


async def test_contact_subject_access_export(
    live: Live, settings: Settings, sessions: Sessions
) -> None:
    await seed_every_table(settings, sessions, live.workspace)
    started = await live.as_(Role.admin).post("/api/export", json={"contact": "LEAD@acme.io"})
    assert started.status_code == 202, started.text
    done = await _finished(live, started.json())
    assert done["kind"] == "contact" and done["status"] == "done"
    archive = await _archive(live, settings, done["download_url"])
    contacts = json.loads(archive.read("crm_contact.json"))
    assert [c["email"] for c in contacts] == ["lead@acme.io"]
    assert "member.json" not in archive.namelist()  # only what is about them
    async with sessions() as session:
        jobs = (await session.exec(select(ExportJob))).all()
    assert [j.contact_email for j in jobs if j.kind == "contact"] == ["lead@acme.io"]
