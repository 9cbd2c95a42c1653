"""Integration secrets at rest: `Credential` rows sealed with the key ring, bound to their place.

Each value is sealed (AES-GCM, `integrations.keyring`) with its workspace id, integration and name
as associated data, so a value copied into another workspace's row does not decrypt. Secrets are
written and read here only; nothing returns them to a person once saved.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.keyring import KeyRing, SealError
from storage.config import Settings
from storage.models import Credential
from storage.scope import Tenant
from storage.types import utcnow


class CredentialError(Exception):
    """A stored credential that cannot be decrypted (key removed from the ring, or misplaced)."""


def key_ring(settings: Settings) -> KeyRing:
    """The ring from LEVQOR_ENCRYPTION_KEYS; pre-ring values still open with the secret key."""
    return KeyRing(settings.key_ring, legacy=[settings.resolved_secret_key])


def bound_to(workspace_id: str, integration: str, name: str) -> str:
    """The associated data a secret is sealed with: where it belongs."""
    return f"levqor:{workspace_id}:{integration}:{name}"


def _bound(row: Credential) -> str:
    return bound_to(row.workspace_id, row.integration, row.name)


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
    ciphertext = key_ring(settings).seal(secret, bound_to(workspace_id, integration, name))
    row = await _row(tenant, integration, name)
    if row is None:
        row = tenant.add(
            Credential(
                workspace_id=workspace_id, integration=integration, name=name, ciphertext=ciphertext
            )
        )
    else:
        row.ciphertext = ciphertext
        row.created_at = utcnow()
        session.add(row)
    await session.flush()
    return row


def open_credential(row: Credential, settings: Settings) -> str:
    """The decrypted secret of one row; CredentialError when the ring cannot open it here."""
    try:
        return key_ring(settings).open(row.ciphertext, _bound(row))
    except SealError as exc:
        raise CredentialError(
            f"the stored {row.integration} {row.name} cannot be decrypted in this workspace "
            f"({exc}); save it again on the Connections page"
        ) from exc


async def load_credential(
    session: AsyncSession, workspace_id: str, integration: str, name: str, *, settings: Settings
) -> str | None:
    """The decrypted secret, or None when this workspace has not stored it."""
    row = await _row(Tenant(session, workspace_id), integration, name)
    return None if row is None else open_credential(row, settings)


async def stored_names(session: AsyncSession, workspace_id: str, integration: str) -> list[str]:
    """The names of the secrets a workspace keeps for one integration (never their values)."""
    tenant = Tenant(session, workspace_id)
    rows = await tenant.all(tenant.select(Credential).where(Credential.integration == integration))
    return sorted(r.name for r in rows)


async def delete_credentials(
    session: AsyncSession, workspace_id: str, integration: str, names: Sequence[str] | None = None
) -> int:
    """Delete a workspace's secrets for an integration (all, or those named); the caller commits."""
    tenant = Tenant(session, workspace_id)
    rows = await tenant.all(tenant.select(Credential).where(Credential.integration == integration))
    doomed = [r for r in rows if names is None or r.name in names]
    for row in doomed:
        await session.delete(row)
    await session.flush()
    return len(doomed)


async def reencrypt_all(session: AsyncSession, settings: Settings) -> tuple[int, int]:
    """Re-seal every stored secret (all workspaces) with the ring's newest key.

    Returns (rows re-encrypted, of which were on an older key or the pre-ring format). Raises
    CredentialError if any row cannot be opened with the ring; the caller then rolls back, so
    nothing is half-rotated. The caller commits.
    """
    ring = key_ring(settings)
    rows = (await session.exec(select(Credential).order_by(Credential.id))).all()
    older = 0
    for row in rows:
        older += not ring.is_current(row.ciphertext)
        row.ciphertext = ring.seal(open_credential(row, settings), _bound(row))
        session.add(row)
    await session.flush()
    return len(rows), older
