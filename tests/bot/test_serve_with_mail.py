"""`LEVQOR_MAIL_PORT`: the SMTP gateway runs inside the app, next to the scheduler."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiosmtplib
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.config import Settings
from storage.models import Run, Workspace
from tests.bot.conftest import Live
from tests.conftest import make_settings
from tests.fakes.http_server import free_port
from tests.workflows.helpers import activate
from tests.workflows.test_email_trigger import TRIAGE

MAIL_PORT = free_port()
MESSAGE = b"""From: Dana <dana@example.com>
To: support@acme.levqor.localhost
Subject: Where is my order?
Message-ID: <order-1@example.com>

Hi, my parcel has not arrived yet. Tracking says nothing.
"""


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url, LEVQOR_MAIL_PORT=MAIL_PORT)


async def test_mail_to_the_served_app_starts_the_workflow(
    live: Live, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    await activate(sessions, workspace, TRIAGE, live.runtime.registry)
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=MAIL_PORT) as smtp:
        await smtp.sendmail("dana@example.com", ["support@acme.levqor.localhost"], MESSAGE)
    for _ in range(100):
        async with sessions() as session:
            runs = (await session.exec(select(Run))).all()
        if runs:
            break
        await asyncio.sleep(0.05)
    assert [r.trigger_type for r in runs] == ["email"]
    assert runs[0].trigger_payload["subject"] == "Where is my order?"
