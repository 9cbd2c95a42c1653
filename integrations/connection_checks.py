""" "Send a test" for each connection: one real, harmless call, answered in a sentence.

Slack: `auth.test`; email: a message to you (instance server) or to the sender with the link that
verifies it (own server); Stripe: list one customer; HubSpot: read one contact; Google: renew
the access token; HTTP: open every saved secret. The outcome is remembered on the connection.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations import google_oauth, hubspot_oauth
from integrations.base import ActionError, RetryableError
from integrations.connections import (
    LABELS,
    ConnectionProblem,
    connection_row,
    record_result,
    secret,
    view,
)
from integrations.credentials import CredentialError, load_credential
from integrations.email_connection import configured_mail, verification_link
from integrations.google_access import renew_access
from integrations.hubspot import HubSpotClient
from integrations.smtp import Sender, SmtpConnection, build_message, message_id, sender_address
from integrations.stripe import client_with_key
from storage.config import Settings
from storage.models import Member, Workspace
from storage.scope import Tenant
from storage.types import new_id


@dataclass(frozen=True)
class CheckResult:
    """Whether the test passed, in words."""

    ok: bool
    message: str


async def send_test(
    session: AsyncSession,
    workspace: Workspace,
    integration: str,
    settings: Settings,
    http: httpx.AsyncClient,
    member: Member,
) -> CheckResult:
    """Try the connection for real and remember the outcome; the caller commits."""
    current = await view(session, workspace, integration, settings)
    if current.status == "not_connected":
        return CheckResult(False, f"{LABELS[integration]} is not connected yet.")
    try:
        message = await _CHECKS[integration](session, workspace, settings, http, member)
        result = CheckResult(True, message)
    except (ActionError, RetryableError, CredentialError, ConnectionProblem) as exc:
        result = CheckResult(False, str(exc))
    except google_oauth.GoogleAuthError as exc:
        result = CheckResult(False, str(exc))
    await record_result(Tenant(session, workspace.id), integration, result.ok, result.message)
    return result


async def _slack(
    session: AsyncSession,
    workspace: Workspace,
    settings: Settings,
    http: httpx.AsyncClient,
    _: Member,
) -> str:
    token = await secret(session, workspace.id, "slack", "bot_token", settings)
    token = token or settings.slack_bot_token
    if not token:
        raise ConnectionProblem("Slack is not connected yet.")
    try:
        response = await http.post(
            settings.slack_api_url.rstrip("/") + "/auth.test",
            headers={"Authorization": f"Bearer {token}"},
            timeout=15,
        )
        body = response.json()
    except (httpx.TransportError, ValueError):
        raise ConnectionProblem("Slack could not be reached; try again in a minute.") from None
    if not body.get("ok"):
        raise ConnectionProblem(
            "Slack refused Levqor's access; add Levqor to your Slack again to reconnect."
        )
    return f"Slack answered: Levqor is in the Slack workspace {body.get('team') or 'connected'}."


async def _email(
    session: AsyncSession,
    workspace: Workspace,
    settings: Settings,
    http: httpx.AsyncClient,
    member: Member,
) -> str:
    row = await connection_row(Tenant(session, workspace.id), "email")
    own = await configured_mail(session, workspace.id, settings, verified_only=False)
    if own is not None and row is not None:
        sender = Sender(workspace.id, workspace.name, own.sender)
        link = verification_link(settings, workspace.id, row.config)
        text = (
            "This is a test from Levqor: your mail server works.\n\n"
            f"Open this link to confirm Levqor may send as {own.sender}:\n{link}\n"
        )
        await _mail(settings, own.url, sender, own.sender, text)
        if row.status == "connected":
            return f"Sent a test email to {own.sender} through {row.config.get('host')}."
        return (
            f"Sent a test email to {own.sender} through {row.config.get('host')}. "
            "Open the link in it to verify the sender."
        )
    if not settings.smtp_url:
        raise ConnectionProblem(
            "This Levqor has no mail server: connect your own mail server instead."
        )
    if not member.email:
        raise ConnectionProblem("Your member profile has no email address to send the test to.")
    name, address = sender_address(settings, workspace.slug)
    await _mail(settings, None, Sender(workspace.id, name or workspace.name, address), member.email,
                "This is a test from Levqor: email sending works.\n")  # fmt: skip
    return f"Sent a test email to {member.email}."


async def _mail(settings: Settings, url: str | None, sender: Sender, to: str, text: str) -> None:
    key = f"connection-test:{new_id()}"
    message = build_message(
        sender, to=[to], cc=[], subject="Levqor test message", text=text, html=None,
        msg_id=message_id(sender.address, key),
    )  # fmt: skip
    async with SmtpConnection(settings, url=url) as smtp:
        if not smtp.configured:
            raise ConnectionProblem("No mail server is set up.")
        await smtp.send(message, sender.address, to)


async def _stripe(
    session: AsyncSession,
    workspace: Workspace,
    settings: Settings,
    http: httpx.AsyncClient,
    _: Member,
) -> str:
    key = await secret(session, workspace.id, "stripe", "api_key", settings)
    if not key:
        raise ConnectionProblem("Stripe is not connected yet.")
    async with client_with_key(settings, key) as client:
        await client.v1.customers.list_async(params={"limit": 1})
    return "Stripe accepted the key: Levqor can read your Stripe account."


async def _hubspot(
    session: AsyncSession,
    workspace: Workspace,
    settings: Settings,
    http: httpx.AsyncClient,
    _: Member,
) -> str:
    token = await hubspot_oauth.workspace_token(session, workspace.id, settings, http)
    if not token:
        raise ConnectionProblem("HubSpot is not connected yet.")
    await HubSpotClient(http, settings.hubspot_api_base, token).changed_since(None, 1)
    return "HubSpot accepted the token: Levqor can read your contacts."


async def _google(
    session: AsyncSession,
    workspace: Workspace,
    settings: Settings,
    http: httpx.AsyncClient,
    _: Member,
) -> str:
    expires_at = await renew_access(session, workspace.id, settings, http)
    return f"Google renewed access to your sheets (good until {expires_at:%H:%M} UTC)."


async def _http(
    session: AsyncSession,
    workspace: Workspace,
    settings: Settings,
    http: httpx.AsyncClient,
    _: Member,
) -> str:
    row = await connection_row(Tenant(session, workspace.id), "http")
    names = sorted(row.config.get("secrets", {})) if row is not None else []
    for name in names:
        if await load_credential(session, workspace.id, "http", name, settings=settings) is None:
            raise ConnectionProblem(f"The secret {name} is missing; save it again.")
    if len(names) == 1:
        return f"The saved secret can be used by steps: {names[0]}."
    return f"All {len(names)} saved secrets can be used by steps: {', '.join(names)}."


_CHECKS = {
    "slack": _slack,
    "email": _email,
    "stripe": _stripe,
    "hubspot": _hubspot,
    "google": _google,
    "http": _http,
}
