"""A workspace's own mail server: its SMTP address, and the sender check before it is used.

Saved, the server waits as `unverified`; "Send a test" mails a link to the sender address
through that server, and opening the link verifies the sender. Only then do the workspace's
emails go through it (from that sender); until then they use the instance's server.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.connections import CONNECTED, UNVERIFIED, connection_row
from integrations.credentials import load_credential
from storage.config import Settings
from storage.scope import Tenant


@dataclass(frozen=True)
class OwnMail:
    """A workspace's verified mail server and sender."""

    url: str
    sender: str


def smtp_url(config: dict[str, Any], password: str | None) -> str:
    """`smtp://user:pass@host:port?starttls=true` (or `smtps://`) from the saved settings."""
    scheme = "smtps" if config.get("security") == "ssl" else "smtp"
    auth = ""
    if config.get("username"):
        auth = quote(str(config["username"]), safe="")
        auth += f":{quote(password, safe='')}" if password else ""
        auth += "@"
    query = "?starttls=true" if config.get("security") == "starttls" else ""
    return f"{scheme}://{auth}{config['host']}:{config['port']}{query}"


def verification_token(settings: Settings, workspace_id: str, config: dict[str, Any]) -> str:
    """A token for one workspace, server and sender (a changed server or sender voids it)."""
    body = f"verify-sender:{workspace_id}:{config.get('host')}:{config.get('port')}"
    body += f":{config.get('sender')}"
    key = settings.resolved_secret_key.encode()
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()[:40]


def verification_link(settings: Settings, workspace_id: str, config: dict[str, Any]) -> str:
    """The link mailed to the sender address."""
    query = urlencode({"w": workspace_id, "t": verification_token(settings, workspace_id, config)})
    return f"{settings.public_url.rstrip('/')}/connections/email/verify?{query}"


async def verify_sender(
    session: AsyncSession, workspace_id: str, token: str, settings: Settings
) -> str | None:
    """Mark the sender verified if the token matches; the verified address, or None."""
    row = await connection_row(Tenant(session, workspace_id), "email")
    if row is None or row.config.get("mode") != "smtp":
        return None
    expected = verification_token(settings, workspace_id, row.config)
    if not hmac.compare_digest(expected, token):
        return None
    if row.status == UNVERIFIED:
        row.status = CONNECTED
        session.add(row)
        await session.flush()
    return str(row.config.get("sender"))


async def configured_mail(
    session: AsyncSession, workspace_id: str, settings: Settings, *, verified_only: bool = True
) -> OwnMail | None:
    """The workspace's own server and sender (verified ones only, unless asked otherwise)."""
    row = await connection_row(Tenant(session, workspace_id), "email")
    if row is None or row.config.get("mode") != "smtp":
        return None
    if verified_only and row.status != CONNECTED:
        return None
    password = await load_credential(
        session, workspace_id, "email", "smtp_password", settings=settings
    )
    return OwnMail(url=smtp_url(row.config, password), sender=str(row.config["sender"]))
