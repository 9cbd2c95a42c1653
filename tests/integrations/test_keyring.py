"""Secrets at rest: sealed with the key ring, bound to their workspace, rotatable."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from typer.testing import CliRunner

from bot.cli import build
from integrations.credentials import CredentialError, load_credential, store_credential
from storage.config import Settings
from storage.models import Credential, Workspace
from tests.conftest import make_settings

SECRET = "sk_live_acme_secret_value_9876"


async def _two_workspaces(sessions: async_sessionmaker[AsyncSession]) -> tuple[str, str]:
    async with sessions() as session:
        first, second = Workspace(slug="first", name="First"), Workspace(slug="second", name="Two")
        session.add_all([first, second])
        await session.commit()
        return first.id, second.id


async def test_a_secret_copied_into_another_workspace_does_not_decrypt(
    settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> None:
    first, second = await _two_workspaces(sessions)
    async with sessions() as session:
        row = await store_credential(session, first, "stripe", "api_key", SECRET, settings=settings)
        await store_credential(session, second, "stripe", "api_key", "sk_other", settings=settings)
        await session.commit()
        assert SECRET not in row.ciphertext and row.ciphertext.startswith("v1.")
        query = select(Credential).where(Credential.workspace_id == second)
        theirs = (await session.exec(query)).one()
        theirs.ciphertext = row.ciphertext  # someone with database access copies the blob across
        session.add(theirs)
        await session.commit()
    async with sessions() as session:
        assert await load_credential(session, first, "stripe", "api_key", settings=settings) == (
            SECRET
        )
        with pytest.raises(CredentialError, match="cannot be decrypted in this workspace"):
            await load_credential(session, second, "stripe", "api_key", settings=settings)


async def test_a_secret_moved_to_another_name_does_not_decrypt(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    async with sessions() as session:
        key = await store_credential(
            session, workspace.id, "stripe", "api_key", SECRET, settings=settings
        )
        hook = await store_credential(
            session, workspace.id, "http", "crm", "token-1", settings=settings
        )
        hook.ciphertext = key.ciphertext
        await session.commit()
    async with sessions() as session:
        with pytest.raises(CredentialError):
            await load_credential(session, workspace.id, "http", "crm", settings=settings)


def _with_keys(settings: Settings, *keys: str) -> Settings:
    return make_settings(
        settings.data_dir, settings.database_url, LEVQOR_ENCRYPTION_KEYS=",".join(keys)
    )


async def test_new_key_encrypts_old_keys_decrypt_and_rotation_reencrypts_every_row(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    first, second = await _two_workspaces(sessions)
    old = _with_keys(settings, "old-key-aaaaaaaaaaaaaaaa")
    values = {(first, "api_key"): "sk_1", (second, "api_key"): "sk_2", (second, "token"): "t_3"}
    async with sessions() as session:
        for (ws, name), value in values.items():
            await store_credential(session, ws, "stripe", name, value, settings=old)
        await session.commit()
        before = {r.id: r.ciphertext for r in (await session.exec(select(Credential))).all()}

    new = _with_keys(settings, "new-key-bbbbbbbbbbbbbbbb", "old-key-aaaaaaaaaaaaaaaa")
    async with sessions() as session:  # the new ring still opens what the old key sealed
        assert await load_credential(session, second, "stripe", "token", settings=new) == "t_3"
        fresh = await store_credential(session, first, "stripe", "extra", "x", settings=new)
        assert fresh.ciphertext.split(".")[1] != next(iter(before.values())).split(".")[1]
        await session.rollback()

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEVQOR_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", str(settings.database_url))
    monkeypatch.setenv("LEVQOR_SECRET_KEY", "test-secret-key-not-for-production")
    monkeypatch.setenv(
        "LEVQOR_ENCRYPTION_KEYS", "new-key-bbbbbbbbbbbbbbbb,old-key-aaaaaaaaaaaaaaaa"
    )
    result = await asyncio.to_thread(CliRunner().invoke, build(), ["keys", "rotate-encryption"])
    assert result.exit_code == 0, result.output
    assert "Re-encrypted 3 stored secrets" in result.output and "sk_" not in result.output

    only_new = _with_keys(settings, "new-key-bbbbbbbbbbbbbbbb")
    async with sessions() as session:
        rows = (await session.exec(select(Credential))).all()
        assert len(rows) == 3
        assert all(before[r.id] != r.ciphertext for r in rows)  # every row re-encrypted
        for (ws, name), value in values.items():  # and the old key is no longer needed
            assert await load_credential(session, ws, "stripe", name, settings=only_new) == value
        with pytest.raises(CredentialError):
            await load_credential(session, first, "stripe", "api_key", settings=old)


async def test_rotation_refuses_and_changes_nothing_when_a_row_does_not_open(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    from bot.cli.encryption import reencrypt

    async with sessions() as session:
        await store_credential(
            session, workspace.id, "hubspot", "token", "pat-1", settings=settings
        )
        await session.commit()
    stranger = _with_keys(settings, "a-key-that-never-sealed-these")
    with pytest.raises(CredentialError):
        await reencrypt(stranger)
    async with sessions() as session:
        assert await load_credential(
            session, workspace.id, "hubspot", "token", settings=settings
        ) == ("pat-1")


async def test_secrets_from_before_the_key_ring_still_open_and_rotate(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], workspace: Workspace
) -> None:
    from bot.cli.encryption import reencrypt

    digest = hashlib.sha256(settings.resolved_secret_key.encode()).digest()
    legacy = Fernet(base64.urlsafe_b64encode(digest)).encrypt(b"pat-legacy").decode()
    async with sessions() as session:
        session.add(
            Credential(
                workspace_id=workspace.id, integration="hubspot", name="token", ciphertext=legacy
            )
        )
        await session.commit()
    ring = _with_keys(settings, "first-ring-key-cccccccccccc")
    async with sessions() as session:
        assert await load_credential(session, workspace.id, "hubspot", "token", settings=ring) == (
            "pat-legacy"
        )
    assert await reencrypt(ring) == (1, 1)
    async with sessions() as session:
        row = (await session.exec(select(Credential))).one()
        assert row.ciphertext.startswith("v1.")
