"""A workspace's connections: the integrations there are, and how each stands, in words.

Secrets live in `integrations.credentials` (sealed with the key ring) and are never returned;
what a page may show (server names, sender, secret *names*, webhook address) is in
`Connection.config`. Saving and removing is `integrations.connection_store`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from integrations import google_oauth
from integrations.base import ActionError
from integrations.credentials import load_credential
from storage.config import Settings
from storage.models import Connection, SlackInstallation, Workspace
from storage.scope import Tenant
from storage.types import utcnow

LABELS = {
    "slack": "Slack",
    "email": "Email sending",
    "stripe": "Stripe",
    "hubspot": "HubSpot",
    "google": "Google Sheets",
    "http": "HTTP secrets",
}
BLURBS = {
    "slack": "Post messages and ask for approvals in your Slack.",
    "email": "Send email from your own address through your mail server.",
    "stripe": "Read invoices and customers, and start automations on Stripe events.",
    "hubspot": "Read and update contacts in your HubSpot CRM.",
    "google": "Read and write rows in your Google Sheets.",
    "http": "Keep API keys for web requests, used by name in steps.",
}
# Which connection an action's integration needs (`sheets.append_row` → google).
NEEDED_BY = {"slack": "slack", "stripe": "stripe", "hubspot": "hubspot", "sheets": "google"}

CONNECTED, NOT_CONNECTED, UNVERIFIED, BROKEN = "connected", "not_connected", "unverified", "broken"
STATUS_WORDS = {
    CONNECTED: "Connected",
    NOT_CONNECTED: "Not connected",
    UNVERIFIED: "Waiting for the sender to be verified",
    BROKEN: "Needs attention",
}


class ConnectionProblem(ValueError):
    """A connection cannot be saved or used as asked; the message is a sentence for a person."""


class MissingConnection(ActionError):
    """A step needs a connection the workspace has not added: says which, and where to add it."""

    def __init__(self, integration: str, settings: Settings, why: str | None = None) -> None:
        label = LABELS.get(integration, integration)
        super().__init__(
            f"{why or f'{label} is not connected for this workspace.'} Add the {label} "
            f"connection on the Connections page ({connections_url(settings, integration)}) "
            "and try again."
        )
        self.integration = integration


def connections_url(settings: Settings, integration: str | None = None) -> str:
    """The Connections page (at one integration's card)."""
    url = settings.public_url.rstrip("/") + "/connections"
    return f"{url}#{integration}" if integration else url


def stripe_webhook_url(settings: Settings, workspace: Workspace) -> str:
    """The workspace's own Stripe endpoint (give it to Stripe with its signing secret)."""
    return f"{settings.public_url.rstrip('/')}/hooks/stripe/{workspace.slug}"


@dataclass
class ConnectionView:
    """One integration as a page shows it: status in words, what it uses, never a secret."""

    integration: str
    label: str
    blurb: str
    status: str
    status_text: str
    summary: str
    details: dict[str, str] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)
    tested_at: datetime | None = None
    last_result: str | None = None

    @property
    def connected(self) -> bool:
        """Whether it can be used now."""
        return self.status == CONNECTED


async def connection_row(tenant: Tenant, integration: str) -> Connection | None:
    """The workspace's stored connection to one integration, if any."""
    query = tenant.select(Connection).where(Connection.integration == integration)
    return await tenant.first(query)


def require_known(integration: str) -> None:
    """ConnectionProblem unless `integration` is one Levqor can connect."""
    if integration not in LABELS:
        known = ", ".join(LABELS)
        raise ConnectionProblem(f"There is no {integration!r} connection; choose one of {known}.")


async def list_views(
    session: AsyncSession, workspace: Workspace, settings: Settings
) -> list[ConnectionView]:
    """Every integration, connected or not, in the page's order."""
    return [await view(session, workspace, name, settings) for name in LABELS]


async def view(
    session: AsyncSession, workspace: Workspace, integration: str, settings: Settings
) -> ConnectionView:
    """How one integration stands for the workspace."""
    require_known(integration)
    tenant = Tenant(session, workspace.id)
    row = await connection_row(tenant, integration)
    label, blurb = LABELS[integration], BLURBS[integration]
    base = ConnectionView(integration, label, blurb, NOT_CONNECTED, "", "")
    if row is not None:
        base.status, base.tested_at, base.last_result = row.status, row.tested_at, row.detail
    config = row.config if row is not None else {}
    if integration == "slack":
        await _slack_view(tenant, base, settings)
    elif integration == "email":
        _email_view(base, config, row is not None, settings)
    elif integration == "stripe":
        base.details["Webhook address"] = stripe_webhook_url(settings, workspace)
        if row is not None:
            key = config.get("key_tail")
            base.summary = (
                f"Uses the key ending {key}" if key else "No key yet: add one to read Stripe"
            ) + (
                "; Stripe events are checked with your signing secret."
                if config.get("has_webhook_secret")
                else "; add the webhook signing secret to start automations on Stripe events."
            )
    elif integration == "hubspot" and row is not None:
        base.summary = (
            "Connected by signing in with HubSpot; access renews itself."
            if config.get("mode") == "oauth"
            else f"Uses the private-app token ending {config.get('token_tail', '…')}"
        )
    elif integration == "google":
        if row is not None:
            base.summary = "Access renews itself; disconnect here or in your Google account."
        elif not google_oauth.configured(settings):
            base.summary = "An operator must first set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET."
    elif integration == "http" and row is not None:
        named = config.get("secrets", {})
        base.secrets = sorted(named)
        base.summary = ", ".join(
            f"{n} (sent as {v.get('header', 'Authorization')})" for n, v in sorted(named.items())
        )
        if not named:
            base.status = NOT_CONNECTED
    base.status_text = STATUS_WORDS.get(base.status, base.status)
    return base


async def _slack_view(tenant: Tenant, base: ConnectionView, settings: Settings) -> None:
    installed = await tenant.first(tenant.select(SlackInstallation))
    if installed is not None:
        base.status = CONNECTED
        base.summary = (
            f"Installed in the Slack workspace {installed.team_name or installed.team_id}"
        )
    elif settings.slack_bot_token:
        base.status = CONNECTED
        base.summary = "Uses this Levqor's own Slack app"
    else:
        base.status = NOT_CONNECTED
        base.summary = (
            "Add Levqor to your Slack to connect it; until then messages wait in the outbox."
        )


def _email_view(
    base: ConnectionView, config: dict[str, Any], stored: bool, settings: Settings
) -> None:
    if stored and config.get("mode") == "smtp":
        base.summary = f"Sends as {config.get('sender')} through {config.get('host')}"
        base.details["Mail server"] = f"{config.get('host')}:{config.get('port')}"
        base.details["Sender"] = str(config.get("sender"))
        if base.status == UNVERIFIED:
            base.summary += ". Send a test, then open the link it mails to the sender to verify it."
        return
    if settings.smtp_url:
        base.status = CONNECTED
        base.summary = "Uses this Levqor's mail server"
    else:
        base.status = NOT_CONNECTED
        base.summary = "No mail server yet: emails wait in the outbox until one is connected."


async def record_result(tenant: Tenant, integration: str, ok: bool, message: str) -> None:
    """Remember the last test's outcome on the connection (a failure marks it as needing care)."""
    row = await connection_row(tenant, integration)
    if row is None:
        return
    row.tested_at, row.detail = utcnow(), message[:500]
    if not ok and row.status == CONNECTED:
        row.status = BROKEN
    elif ok and row.status == BROKEN:
        row.status = CONNECTED
    tenant.session.add(row)
    await tenant.session.flush()


async def secret(
    session: AsyncSession, workspace_id: str, integration: str, name: str, settings: Settings
) -> str | None:
    """One sealed secret of a connection, opened for the action that uses it."""
    return await load_credential(session, workspace_id, integration, name, settings=settings)
