"""`levqor keys list` and `levqor keys revoke ID` on the embedded default."""

from __future__ import annotations

import asyncio
import re

from accounts.keys import authenticate
from storage.config import Settings
from storage.db import create_engine, session_factory
from tests.bot.test_cli import env, levqor  # noqa: F401


async def _works(key: str) -> bool:
    engine = create_engine(Settings())
    try:
        async with session_factory(engine)() as session:
            return await authenticate(session, key) is not None
    finally:
        await engine.dispose()


def test_keys_are_listed_without_their_secret_and_revoked_by_id(env: object) -> None:  # noqa: F811
    assert levqor("db", "upgrade")[0] == 0
    code, key = levqor("keys", "create", "--role", "admin")
    key = key.strip()
    assert code == 0 and asyncio.run(_works(key))

    code, out = levqor("keys", "list")
    assert code == 0, out
    assert "API key (admin)" in out and "admin" in out and "never" in out and "active" in out
    assert key not in out and key[:10] in out
    key_id = re.search(r"\b([0-9a-f]{32})\b", out)
    assert key_id, out

    code, out = levqor("keys", "revoke", key_id.group(1))
    assert code == 0 and "Revoked the key “API key (admin)”: it no longer works." in out
    assert not asyncio.run(_works(key))
    code, out = levqor("keys", "list")
    assert "revoked" in out

    code, out = levqor("keys", "revoke", "nope")
    assert code != 0 and "No API key with that id" in out
    code, out = levqor("keys", "list", "--workspace", "missing")
    assert code != 0 and "there is no workspace 'missing'" in out
