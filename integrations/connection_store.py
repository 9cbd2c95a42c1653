"""Saving and removing a workspace's connections: forms checked, secrets sealed, changes audited.

`save` takes what a person typed (secrets included) and keeps only what may be shown in
`Connection.config`; `disconnect` deletes the connection and every secret it kept. Neither
commits: the front that calls them does.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from integrations.base import ActionError, RetryableError
from integrations.connection_forms import EmailForm, HttpForm, HubSpotForm, StripeForm, plain_error
from integrations.connections import (
    CONNECTED,
    UNVERIFIED,
    ConnectionProblem,
    ConnectionView,
    connection_row,
    connections_url,
    require_known,
    view,
)
from integrations.credentials import delete_credentials, store_credential
from integrations.http import guard_url
from storage.config import Settings
from storage.models import AuditLog, Connection, SlackInstallation, Workspace
from storage.scope import Tenant
from storage.types import utcnow

OAUTH_TOKENS = ("access_token", "refresh_token")


async def _upsert(
    tenant: Tenant, integration: str, config: dict[str, Any], status: str, member_id: str | None
) -> Connection:
    row = await connection_row(tenant, integration)
    if row is None:
        row = tenant.add(Connection(workspace_id=tenant.workspace_id, integration=integration))
        row.created_by = member_id
    row.config, row.status, row.updated_at = config, status, utcnow()
    row.detail = None
    tenant.session.add(row)
    await tenant.session.flush()
    return row


def _tail(secret: str) -> str:
    return secret[-4:]


async def save(
    session: AsyncSession,
    workspace: Workspace,
    integration: str,
    data: dict[str, Any],
    settings: Settings,
    member_id: str | None = None,
) -> ConnectionView:
    """Connect (or update) one integration from a form; secrets are sealed, never kept in config.

    A secret left blank keeps the one already saved. ConnectionProblem says what to fix.
    """
    require_known(integration)
    tenant = Tenant(session, workspace.id)
    try:
        if integration == "stripe":
            await _save_stripe(tenant, StripeForm.model_validate(data), settings, member_id)
        elif integration == "hubspot":
            form = HubSpotForm.model_validate(data)
            await _seal(tenant, "hubspot", "token", form.token, settings)
            # A private-app token replaces a HubSpot sign-in: its OAuth tokens go.
            await delete_credentials(session, workspace.id, "hubspot", OAUTH_TOKENS)
            await _upsert(
                tenant, "hubspot", {"token_tail": _tail(form.token)}, CONNECTED, member_id
            )
        elif integration == "email":
            await _save_email(tenant, EmailForm.model_validate(data), settings, member_id)
        elif integration == "http":
            await _save_http(tenant, HttpForm.model_validate(data), settings, member_id)
        elif integration == "google":
            raise ConnectionProblem(
                "Google Sheets connects by signing in with Google: use Connect on the "
                f"Connections page ({connections_url(settings, 'google')})."
            )
        else:
            raise ConnectionProblem(
                "Slack connects by adding Levqor to your Slack workspace: use Connect Slack on "
                f"the Connections page ({connections_url(settings, 'slack')})."
            )
    except ValidationError as exc:
        raise ConnectionProblem(plain_error(exc)) from None
    # Which fields were given (names, never values): who changed what, for the audit log.
    _audit(tenant, member_id, "connection.saved", integration, fields=_given(data))
    await session.flush()
    return await view(session, workspace, integration, settings)


def _given(data: dict[str, Any]) -> list[str]:
    names = [k for k, v in data.items() if v not in (None, "", [])]
    for item in data.get("secrets") or []:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            names.append(f"secret:{item['name']}")
    return sorted(names)


def _audit(
    tenant: Tenant, member_id: str | None, action: str, integration: str, **detail: Any
) -> None:
    tenant.add(
        AuditLog(
            workspace_id=tenant.workspace_id, actor=member_id or "system", action=action,
            subject=integration, detail=detail,
        )
    )  # fmt: skip


async def _seal(
    tenant: Tenant, integration: str, name: str, value: str, settings: Settings
) -> None:
    await store_credential(
        tenant.session, tenant.workspace_id, integration, name, value, settings=settings
    )


async def _save_stripe(
    tenant: Tenant, form: StripeForm, settings: Settings, member_id: str | None
) -> None:
    row = await connection_row(tenant, "stripe")
    config = dict(row.config) if row is not None else {}
    if not form.api_key and not form.webhook_secret:
        raise ConnectionProblem(
            "Please fill in the Stripe key (a restricted key, rk_live_…), the webhook signing "
            "secret (whsec_…), or both."
        )
    if form.api_key:
        await _seal(tenant, "stripe", "api_key", form.api_key, settings)
        config["key_tail"] = _tail(form.api_key)
    if form.webhook_secret:
        await _seal(tenant, "stripe", "webhook_secret", form.webhook_secret, settings)
        config["has_webhook_secret"] = True
    await _upsert(tenant, "stripe", config, CONNECTED, member_id)


async def _save_email(
    tenant: Tenant, form: EmailForm, settings: Settings, member_id: str | None
) -> None:
    if form.mode == "instance":
        await delete_credentials(tenant.session, tenant.workspace_id, "email")
        await _upsert(tenant, "email", {"mode": "instance"}, CONNECTED, member_id)
        return
    if not form.host or not form.sender:
        raise ConnectionProblem("Please fill in the mail server's name and the sender address.")
    await _public_server(form.host, settings)
    if form.password:
        await _seal(tenant, "email", "smtp_password", form.password, settings)
    row = await connection_row(tenant, "email")
    old = row.config if row is not None else {}
    config = {
        "mode": "smtp",
        "host": form.host.lower(),
        "port": form.port,
        "security": form.security,
        "username": form.username or None,
        "sender": form.sender.lower(),
    }
    # A changed server or sender must be verified again; the same one keeps its verification.
    same = all(old.get(k) == config[k] for k in ("host", "port", "sender"))
    verified = row is not None and row.status == CONNECTED and same and not form.password
    await _upsert(tenant, "email", config, CONNECTED if verified else UNVERIFIED, member_id)


async def _public_server(host: str, settings: Settings) -> None:
    """Refuse a mail server on a private or loopback address (unless the operator allows it)."""
    try:
        await guard_url(settings, httpx.URL(f"http://{host}/"))
    except ActionError:
        raise ConnectionProblem(
            f"{host} is not a public mail server Levqor may reach; give your provider's server."
        ) from None
    except RetryableError:
        raise ConnectionProblem(f"No mail server named {host} could be found.") from None


async def _save_http(
    tenant: Tenant, form: HttpForm, settings: Settings, member_id: str | None
) -> None:
    row = await connection_row(tenant, "http")
    named: dict[str, Any] = dict(row.config.get("secrets", {})) if row is not None else {}
    for secret in form.secrets:
        await _seal(tenant, "http", secret.name, secret.value, settings)
        named[secret.name] = {"header": secret.header, "scheme": secret.scheme}
    gone = [name for name in form.remove if name in named]
    if gone:
        await delete_credentials(tenant.session, tenant.workspace_id, "http", gone)
        for name in gone:
            named.pop(name)
    await _upsert(tenant, "http", {"secrets": named}, CONNECTED, member_id)


async def disconnect(
    session: AsyncSession, workspace: Workspace, integration: str, member_id: str | None = None
) -> bool:
    """Forget a connection and its secrets; False when there was nothing to remove."""
    require_known(integration)
    tenant = Tenant(session, workspace.id)
    removed = await delete_credentials(session, workspace.id, integration)
    row = await connection_row(tenant, integration)
    if row is not None:
        await session.delete(row)
        removed += 1
    if integration == "slack":
        for installed in await tenant.all(tenant.select(SlackInstallation)):
            await session.delete(installed)
            removed += 1
    if removed:
        _audit(tenant, member_id, "connection.removed", integration)
    await session.flush()
    return removed > 0
