"""`levqor keys rotate-encryption` and `levqor keys new-encryption-key`: the secrets key ring."""

from __future__ import annotations

import asyncio

import typer

from storage.config import Settings


def register(keys: typer.Typer) -> None:
    """Add the key-ring commands to `levqor keys`."""

    @keys.command("rotate-encryption")
    def rotate_encryption() -> None:
        """Re-encrypt every stored secret with the newest key of LEVQOR_ENCRYPTION_KEYS."""
        from integrations.credentials import CredentialError

        settings = Settings()
        try:
            total, older = asyncio.run(reencrypt(settings))
        except CredentialError as exc:
            typer.echo(f"Nothing was changed: {exc}", err=True)
            raise typer.Exit(1) from None
        typer.echo(
            f"Re-encrypted {total} stored secret{'s' if total != 1 else ''} with the newest key "
            f"({older} were on an older key). Keys after the first in LEVQOR_ENCRYPTION_KEYS "
            "can now be removed."
        )

    @keys.command("new-encryption-key")
    def new_encryption_key() -> None:
        """Print a fresh random key to put first in LEVQOR_ENCRYPTION_KEYS."""
        from integrations.keyring import new_key

        typer.echo(new_key())


async def reencrypt(settings: Settings) -> tuple[int, int]:
    """Re-seal every credential in one transaction: all rows, or none if any fails to open."""
    from integrations.credentials import reencrypt_all
    from storage.db import create_engine, session_factory

    engine = create_engine(settings)
    try:
        async with session_factory(engine)() as session:
            counts = await reencrypt_all(session, settings)
            await session.commit()
            return counts
    finally:
        await engine.dispose()
