"""Export archives: a workspace's data (owners), or one contact's (subject access), as one zip
of JSON and CSV per table, built in the background with progress, downloaded from a link that
expires after `LINK_HOURS`.

Secrets never leave: password and key hashes, encrypted credentials, tokens and webhook
secrets are left out of the rows (`SECRET_COLUMNS`). Every query is scoped to the workspace.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import hmac
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Text, cast, func, or_
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from accounts.client_rights import require_own_workspace
from storage.config import Settings
from storage.models import (
    TENANT_TABLES,
    CrmContact,
    ExportJob,
    Member,
    OutboxMessage,
    Run,
    RunEvent,
    StepRun,
    Workspace,
)
from storage.types import utcnow

LINK_HOURS = 24
HEARTBEAT_SECONDS = 20.0  # a build says it is alive this often (see accounts.export_recovery)
SECRET_COLUMNS = frozenset(
    {"key_hash", "password_hash", "ciphertext", "token_hash", "csrf_token", "inbound_secret",
     "webhook_secret"}
)  # fmt: skip


class ExportError(Exception):
    """Why an export was refused, in plain words."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Table:
    """One file pair of the archive: its name and its rows as plain dicts."""

    name: str
    columns: list[str]
    rows: list[dict[str, Any]]

    @classmethod
    def of(cls, name: str, model: type[SQLModel], rows: Any) -> Table:
        """The rows of `model`, with its columns (secrets left out) even when there are none."""
        columns = [c for c in model.model_fields if c not in SECRET_COLUMNS]
        return cls(name, columns, [plain(r) for r in rows])


def archive_path(settings: Settings, job_id: str) -> Path:
    """Where a finished export's zip is kept."""
    return Path(settings.data_dir) / "exports" / f"{job_id}.zip"


def download_token(settings: Settings, job: ExportJob) -> str:
    """The token of a finished export's download link (signed: job id and expiry)."""
    assert job.expires_at is not None
    key = settings.resolved_secret_key.encode()
    payload = f"export:{job.id}:{int(job.expires_at.timestamp())}"
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def download_path(settings: Settings, job: ExportJob) -> str | None:
    """The download link's path while it works (None before it is ready)."""
    if job.status != "done" or job.expires_at is None:
        return None
    return f"/exports/{job.id}/{download_token(settings, job)}/levqor-export.zip"


def plain(row: SQLModel) -> dict[str, Any]:
    """A row as JSON-ready values, secrets left out."""
    data = row.model_dump(mode="json")
    return {k: v for k, v in data.items() if k not in SECRET_COLUMNS}


async def workspace_tables(session: AsyncSession, workspace_id: str) -> list[Table]:
    """Every table of the workspace (the workspace itself first)."""
    workspace = await session.get(Workspace, workspace_id)
    tables = [Table.of("workspace", Workspace, [workspace] if workspace else [])]
    for model in TENANT_TABLES:
        column: Any = model.workspace_id  # type: ignore[attr-defined]
        rows = (await session.exec(select(model).where(column == workspace_id))).all()
        tables.append(Table.of(str(model.__tablename__), model, rows))
    return tables


def _mentions(column: Any, needle: str) -> Any:
    return func.lower(cast(column, Text)).contains(needle, autoescape=True)


async def contact_tables(session: AsyncSession, workspace_id: str, email: str) -> list[Table]:
    """What the workspace holds about one contact: their CRM row, messages to or naming them,
    and the runs, steps and run events that mention their address."""
    needle = email.strip().lower()
    queries: list[tuple[str, Any]] = [
        ("crm_contact", select(CrmContact).where(func.lower(CrmContact.email) == needle)),
        (
            "outbox",
            select(OutboxMessage).where(
                or_(
                    func.lower(OutboxMessage.target) == needle,
                    _mentions(OutboxMessage.body, needle),
                    _mentions(OutboxMessage.payload, needle),
                )
            ),
        ),
        ("run", select(Run).where(_mentions(Run.trigger_payload, needle))),
        (
            "step_run",
            select(StepRun).where(
                or_(_mentions(StepRun.inputs, needle), _mentions(StepRun.output, needle))
            ),
        ),
        ("run_event", select(RunEvent).where(_mentions(RunEvent.message, needle))),
    ]
    tables = []
    for name, query in queries:
        model = query.column_descriptions[0]["entity"]
        rows = (await session.exec(query.where(model.workspace_id == workspace_id))).all()
        tables.append(Table.of(name, model, rows))
    return tables


def _csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=table.columns, extrasaction="ignore")
    writer.writeheader()
    for row in table.rows:
        writer.writerow(
            {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in row.items()}
        )
    return out.getvalue()


async def start_export(
    session: AsyncSession, workspace_id: str, member_id: str, *, contact: str | None = None
) -> ExportJob:
    """Record a queued export (the caller commits, then runs `build_export`). Exporting all of
    a client workspace's data is its own owner's decision, not its agency's staff's."""
    if contact is not None and "@" not in contact:
        raise ExportError("give the contact's email address")
    if contact is None:
        workspace = await session.get(Workspace, workspace_id)
        member = await session.get(Member, member_id)
        assert workspace is not None and member is not None
        require_own_workspace("export", workspace, member)
    job = ExportJob(
        workspace_id=workspace_id,
        requested_by=member_id,
        kind="contact" if contact else "workspace",
        contact_email=contact.strip().lower() if contact else None,
    )
    session.add(job)
    await session.flush()
    return job


async def _update(sessions: async_sessionmaker[AsyncSession], job_id: str, **values: Any) -> None:
    async with sessions() as session:
        job = await session.get(ExportJob, job_id)
        if job is None:
            return
        for key, value in values.items():
            setattr(job, key, value)
        session.add(job)
        await session.commit()


async def build_export(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    job_id: str,
    *,
    now: datetime | None = None,
) -> bool:
    """Build the archive, recording progress; False if there was nothing queued to build."""
    async with sessions() as session:
        job = await session.get(ExportJob, job_id)
        if job is None or job.status != "queued":
            return False
        workspace_id, email = job.workspace_id, job.contact_email
    await _update(sessions, job_id, status="running", progress=1, heartbeat_at=utcnow())
    beating = asyncio.create_task(_heartbeat(sessions, job_id))
    try:
        async with sessions() as session:
            if email:
                tables = await contact_tables(session, workspace_id, email)
            else:
                tables = await workspace_tables(session, workspace_id)
        path = archive_path(settings, job_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for n, table in enumerate(tables, 1):
                archive.writestr(f"{table.name}.json", json.dumps(table.rows, indent=2))
                archive.writestr(f"{table.name}.csv", _csv(table))
                if n % 5 == 0:
                    await _update(sessions, job_id, progress=max(1, 95 * n // len(tables)))
            archive.writestr("README.txt", _readme(email))
        partial.replace(path)
    except Exception as exc:  # the job says so; the person can ask again
        await _update(sessions, job_id, status="failed", error=f"the export failed: {exc}"[:500])
        raise
    finally:
        beating.cancel()
    finished = now or utcnow()
    await _update(
        sessions,
        job_id,
        status="done",
        progress=100,
        finished_at=finished,
        expires_at=finished + timedelta(hours=LINK_HOURS),
    )
    return True


async def _heartbeat(sessions: async_sessionmaker[AsyncSession], job_id: str) -> None:
    """Say "still building" every `HEARTBEAT_SECONDS` until cancelled."""
    while True:
        await asyncio.sleep(HEARTBEAT_SECONDS)
        await _update(sessions, job_id, heartbeat_at=utcnow())


def _readme(email: str | None) -> str:
    what = f"everything the workspace holds about {email}" if email else "the workspace's data"
    return (
        f"This archive holds {what}: each table as JSON and as CSV, one row per record.\n"
        "Passwords, API keys, connection secrets and tokens are never exported.\n"
    )


async def download(
    session: AsyncSession,
    settings: Settings,
    job_id: str,
    token: str,
    *,
    now: datetime | None = None,
) -> Path:
    """The archive a download link opens (ExportError 410 once expired or not valid)."""
    job = await session.get(ExportJob, job_id)
    gone = ExportError("this download link is not valid: start a new export", 410)
    if job is None or job.status != "done" or job.expires_at is None:
        raise gone
    if not hmac.compare_digest(token, download_token(settings, job)):
        raise gone
    if job.expires_at is None or (now or utcnow()) > job.expires_at:
        raise ExportError("this download link has expired: start a new export", 410)
    path = archive_path(settings, job.id)
    if not path.is_file():
        raise gone
    return path


def expired_exports(now: datetime) -> Any:
    """Exports whose link has expired (the purge deletes their archives and rows)."""
    return select(ExportJob).where(col(ExportJob.expires_at) < now)
