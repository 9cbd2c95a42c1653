"""email.send and email.send_bulk: SMTP through aiosmtplib, one ledger row per recipient."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib
from pydantic import BaseModel, ConfigDict, Field

from integrations import outbox
from integrations.base import (
    Action,
    ActionContext,
    ActionError,
    ActionInput,
    ActionOutput,
    RetryableError,
    Risk,
)
from storage.config import Settings
from storage.models import CrmContact, Member, Role
from storage.scope import Tenant

_ADDRESS = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+$")
_ROLES = {"owners": (Role.owner,), "admins": (Role.owner, Role.admin)}


class SendInput(ActionInput):
    """Inputs of email.send."""

    to: str | list[str]
    subject: str
    text: str
    html: str | None = None
    cc: list[str] = []
    reply_to: str | None = None
    in_reply_to: str | None = None


class SendOutput(ActionOutput):
    """The Message-ID, who it went to, and how ("email", "outbox" or "dry_run")."""

    message_id: str
    recipients: list[str]
    delivered: str


class Segment(BaseModel):
    """Which CRM contacts a bulk send reaches."""

    model_config = ConfigDict(extra="forbid")

    stage: str | None = None
    source: str | None = None


class SendBulkInput(ActionInput):
    """Inputs of email.send_bulk."""

    segment: Segment | Literal["all"]
    subject: str
    text: str
    html: str | None = None


class SendBulkOutput(ActionOutput):
    """How many contacts were sent to live, kept in the outbox, failed, or skipped."""

    sent: int
    queued: int
    failed: int = 0
    skipped: int = 0
    recipients: list[str] = Field(default_factory=list)


def is_member_reference(address: str) -> bool:
    """Whether an address is a `member:` reference (resolved to our own people)."""
    return address.strip().lower().startswith("member:")


def send_risk(inputs: dict[str, Any]) -> Risk:
    """Internal when every to/cc is a `member:` reference, external otherwise."""
    to, cc = inputs.get("to"), inputs.get("cc") or []
    addresses = [to] if isinstance(to, str) else to
    if not isinstance(addresses, list) or not isinstance(cc, list) or not addresses:
        return Risk.external
    everyone = [*addresses, *cc]
    ours = all(isinstance(a, str) and is_member_reference(a) for a in everyone)
    return Risk.internal if ours else Risk.external


async def resolve_recipients(ctx: ActionContext, references: Iterable[str]) -> list[str]:
    """Plain addresses for `references`, `member:` ones looked up among workspace members."""
    resolved: list[str] = []
    async with ctx.sessions() as session:
        tenant = Tenant(session, ctx.workspace_id)
        members = list(await tenant.all(tenant.select(Member)))
    for reference in references:
        ref = reference.strip()
        if is_member_reference(ref):
            resolved.extend(_members(ctx, members, ref.split(":", 1)[1].strip().lower()))
        elif _ADDRESS.match(ref):
            resolved.append(ref)
        else:
            raise ActionError(f"not an email address: {ref!r}")
    unique = list(dict.fromkeys(a.lower() for a in resolved))
    if not unique:
        raise ActionError("no recipients: the member references matched nobody with an email")
    return unique


def _members(ctx: ActionContext, members: list[Member], who: str) -> list[str]:
    emails = [m for m in members if m.email]
    if who == "me":
        requester = ctx.extras.get("member_email")
        if isinstance(requester, str) and requester:
            return [requester]
        by_id = [m.email for m in emails if m.id == ctx.extras.get("requested_by") and m.email]
        if by_id:
            return by_id
        who = "owners"
    if who in _ROLES:
        return [m.email for m in emails if m.role in _ROLES[who] and m.email]
    match = [m.email for m in emails if m.email and m.email.lower() == who]
    if not match:
        raise ActionError(f"member:{who} is not a member of this workspace")
    return match


def message_id(settings_from: str, key: str) -> str:
    """A Message-ID derived from the idempotency key, so every retry carries the same one."""
    domain = settings_from.rsplit("@", 1)[-1].strip("> ") or "levqor.local"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def build_message(
    ctx: ActionContext,
    *,
    to: list[str],
    cc: list[str],
    subject: str,
    text: str,
    html: str | None,
    msg_id: str,
    reply_to: str | None = None,
    in_reply_to: str | None = None,
) -> EmailMessage:
    """An EmailMessage (text, optional HTML alternative) with threading headers."""
    message = EmailMessage()
    message["From"] = ctx.settings.email_from
    message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Subject"] = " ".join(subject.split())
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = msg_id
    if reply_to:
        message["Reply-To"] = reply_to.strip()
    if in_reply_to:
        parent = in_reply_to.strip()
        parent = parent if parent.startswith("<") else f"<{parent}>"
        message["In-Reply-To"] = parent
        message["References"] = parent
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def recipient_key(key: str, address: str) -> str:
    """The ledger key of one recipient of a keyed send (kept within the column's 200 chars)."""
    full = f"{key}:{address}"
    if len(full) <= 200:
        return full
    return f"{key[:150]}:{hashlib.sha256(address.encode()).hexdigest()[:40]}"


async def deliver_each(
    ctx: ActionContext, smtp: SmtpConnection, message: EmailMessage, recipients: list[str]
) -> list[tuple[str, outbox.Delivery | ActionError]]:
    """Send `message` to each recipient once (own envelope, own ledger row); collect failures."""
    results: list[tuple[str, outbox.Delivery | ActionError]] = []
    body = message.get_body(("plain",))
    text = body.get_content() if body is not None else ""
    for address in recipients:
        entry = outbox.Message(
            channel="email",
            key=recipient_key(ctx.idempotency_key, address),
            target=address,
            subject=str(message["Subject"]),
            body=text,
            payload={"message_id": str(message["Message-ID"]), "to": address},
        )

        async def send(address: str = address) -> dict[str, Any]:
            await smtp.send(message, address)
            return {"message_id": str(message["Message-ID"]), "to": address}

        try:
            delivery = await outbox.deliver(
                ctx, entry, send if smtp.configured else None, "smtp not configured"
            )
        except ActionError as exc:
            results.append((address, exc))
            continue
        results.append((address, delivery))
    return results


async def send(ctx: ActionContext, inp: SendInput) -> SendOutput:
    """Send one email (to + cc, `member:` references resolved), once per recipient per step."""
    to = await resolve_recipients(ctx, [inp.to] if isinstance(inp.to, str) else inp.to)
    cc = await resolve_recipients(ctx, inp.cc) if inp.cc else []
    msg_id = message_id(ctx.settings.email_from, ctx.idempotency_key)
    message = build_message(
        ctx, to=to, cc=cc, subject=inp.subject, text=inp.text, html=inp.html, msg_id=msg_id,
        reply_to=inp.reply_to, in_reply_to=inp.in_reply_to,
    )  # fmt: skip
    recipients = list(dict.fromkeys([*to, *cc]))
    async with SmtpConnection(ctx.settings) as smtp:
        results = await deliver_each(ctx, smtp, message, recipients)
    failures = [f"{a}: {r}" for a, r in results if isinstance(r, ActionError)]
    if failures:
        raise ActionError("email not delivered to " + "; ".join(failures))
    kinds = {r.delivered for _, r in results if isinstance(r, outbox.Delivery)}
    delivered = "email" if "email" in kinds else kinds.pop()
    return SendOutput(message_id=msg_id, recipients=recipients, delivered=delivered)


async def send_bulk(ctx: ActionContext, inp: SendBulkInput) -> SendBulkOutput:
    """Send one email to every CRM contact in a segment (each its own message, once)."""
    async with ctx.sessions() as session:
        tenant = Tenant(session, ctx.workspace_id)
        query = tenant.select(CrmContact).order_by(CrmContact.email)
        if isinstance(inp.segment, Segment):
            if inp.segment.stage:
                query = query.where(CrmContact.stage == inp.segment.stage)
            if inp.segment.source:
                query = query.where(CrmContact.source == inp.segment.source)
        contacts = list(await tenant.all(query))
    reachable = [c.email for c in contacts if not c.fields.get("unsubscribed")]
    out = SendBulkOutput(sent=0, queued=0, skipped=len(contacts) - len(reachable))
    async with SmtpConnection(ctx.settings) as smtp:
        for address in reachable:
            key = recipient_key(ctx.idempotency_key, address)
            msg_id = message_id(ctx.settings.email_from, key)
            message = build_message(
                ctx, to=[address], cc=[], subject=inp.subject, text=inp.text, html=inp.html,
                msg_id=msg_id,
            )  # fmt: skip
            for _, result in await deliver_each(ctx, smtp, message, [address]):
                if isinstance(result, ActionError):
                    out.failed += 1
                elif result.delivered in ("email", "dry_run"):
                    out.sent += 1
                else:
                    out.queued += 1
            out.recipients.append(address)
    return out


class SmtpConnection:
    """One lazily opened SMTP session for a step (`smtp://`, `smtps://`, `?starttls=true`)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: aiosmtplib.SMTP | None = None

    @property
    def configured(self) -> bool:
        """Whether an SMTP server is configured at all."""
        return bool(self._settings.smtp_url)

    async def __aenter__(self) -> SmtpConnection:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._close()

    async def send(self, message: EmailMessage, recipient: str) -> None:
        """Send `message` to one envelope recipient; errors mapped to Retryable/ActionError."""
        try:
            client = self._client or await self._connect()
            sender = parseaddr(self._settings.email_from)[1] or self._settings.email_from
            await client.send_message(message, sender=sender, recipients=[recipient])
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self._close()
            raise smtp_error(exc) from exc

    async def _connect(self) -> aiosmtplib.SMTP:
        url = urlsplit(self._settings.smtp_url or "")
        if url.scheme not in ("smtp", "smtps"):
            raise ActionError(f"SMTP_URL must start with smtp:// or smtps://, not {url.scheme!r}")
        starttls = parse_qs(url.query).get("starttls", ["false"])[0].lower() in ("1", "true", "yes")
        client = aiosmtplib.SMTP(
            hostname=url.hostname or "localhost",
            port=url.port or (465 if url.scheme == "smtps" else 587 if starttls else 25),
            username=unquote(url.username) if url.username else None,
            password=unquote(url.password) if url.password else None,
            use_tls=url.scheme == "smtps",
            start_tls=starttls,
            timeout=self._settings.step_timeout_seconds,
        )
        await client.connect()
        self._client = client
        return client

    async def _close(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                client.close()


def smtp_error(exc: BaseException) -> Exception:
    """5xx replies are permanent (ActionError); 4xx, refused connections and timeouts retry."""
    code: int | None = None
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        code = exc.recipients[0].code
        text = exc.recipients[0].message
    elif isinstance(exc, aiosmtplib.SMTPResponseException):
        code, text = exc.code, exc.message
    else:
        text = str(exc) or type(exc).__name__
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        return ActionError(f"SMTP server does not support this: {text}")
    if code is not None and code >= 500:
        return ActionError(f"SMTP server refused ({code}): {text}")
    prefix = f"SMTP server answered {code}" if code else "SMTP server unreachable"
    return RetryableError(f"{prefix}: {text}")


ACTIONS: list[Action[Any, Any]] = [
    Action(
        name="email.send",
        description="Send an email (member: references reach our own people).",
        risk=Risk.external,
        input_model=SendInput,
        output_model=SendOutput,
        handler=send,
        risk_for=send_risk,
    ),
    Action(
        name="email.send_bulk",
        description="Send one email to every CRM contact in a segment (or all of them).",
        risk=Risk.critical,
        input_model=SendBulkInput,
        output_model=SendBulkOutput,
        handler=send_bulk,
    ),
]
