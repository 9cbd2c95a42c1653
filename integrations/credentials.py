"""Integration secrets at rest: Fernet-encrypted `Credential` rows, scoped to a workspace."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.config import Settings
from storage.models import Credential
from storage.scope import Tenant


class CredentialError(Exception):
    """A stored credential that cannot be decrypted (the secret key changed)."""


def _fernet(settings: Settings) -> Fernet:
    digest = hashlib.sha256(settings.resolved_secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


async def _row(tenant: Tenant, integration: str, name: str) -> Credential | None:
    query = tenant.select(Credential).where(Credential.integration == integration)
    return await tenant.first(query.where(Credential.name == name))


async def store_credential(
    session: AsyncSession,
    workspace_id: str,
    integration: str,
    name: str,
    secret: str,
    *,
    settings: Settings,
) -> Credential:
    """Encrypt and save (or replace) one secret; the caller commits."""
    tenant = Tenant(session, workspace_id)
    ciphertext = _fernet(settings).encrypt(secret.encode()).decode()
    row = await _row(tenant, integration, name)
    if row is None:
        row = tenant.add(
            Credential(
                workspace_id=workspace_id, integration=integration, name=name, ciphertext=ciphertext
            )
        )
    else:
        row.ciphertext = ciphertext
        session.add(row)
    await session.flush()
    return row


async def load_credential(
    session: AsyncSession, workspace_id: str, integration: str, name: str, *, settings: Settings
) -> str | None:
    """The decrypted secret, or None when this workspace has not stored it."""
    tenant = Tenant(session, workspace_id)
    row = await _row(tenant, integration, name)
    if row is None:
        return None
    try:
        return _fernet(settings).decrypt(row.ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise CredentialError(
            f"the stored {integration} {name} cannot be decrypted (was LEVQOR_SECRET_KEY changed?)"
        ) from exc
