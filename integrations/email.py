"""email.send and email.send_bulk: one ledger row per recipient, workspace sender, drip opt-outs."""

from __future__ import annotations

import asyncio
import hashlib
import re
import weakref
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

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
from integrations.email_connection import OwnMail, configured_mail
from integrations.email_templates import render, template_named, unsubscribe_url
from integrations.smtp import (
    Mail,
    Sender,
    SmtpConnection,
    message_id,
    sender_address,
    sender_for,
)
from storage.config import Settings
from storage.models import CrmContact, Member, Role
from storage.read_together import ReadTogether
from storage.scope import Tenant
from storage.types import utcnow

_ADDRESS = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+$")
_ROLES = {
    "owners": (Role.owner,),
    "admins": (Role.owner, Role.admin),
    "team": tuple(Role),  # every member: "email the team"
}


class SendInput(ActionInput):
    """Inputs of email.send (`template` renders both bodies; `drip` honours unsubscribes)."""

    to: str | list[str]
    subject: str
    text: str
    html: str | None = None
    cc: list[str] = []
    reply_to: str | None = None
    in_reply_to: str | None = None
    references: str | None = None
    template: str | None = None
    drip: bool = False


class SendOutput(ActionOutput):
    """The Message-ID, who it went to, how ("email", "outbox", "dry_run", "skipped"), who not."""

    message_id: str
    recipients: list[str]
    delivered: str
    skipped: list[str] = Field(default_factory=list)


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
    references = list(references)
    resolved: list[str] = []
    members: list[Member] = []
    if any(is_member_reference(r) for r in references):  # plain addresses need no lookup
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


def recipient_key(key: str, address: str) -> str:
    """The ledger key of one recipient of a keyed send (kept within the column's 200 chars)."""
    full = f"{key}:{address}"
    if len(full) <= 200:
        return full
    return f"{key[:150]}:{hashlib.sha256(address.encode()).hexdigest()[:40]}"


class _NotDelivered(ActionError):
    """A transient SMTP failure, recorded in the ledger as not delivered, then retried."""

    def __init__(self, transient: RetryableError) -> None:
        super().__init__(
            f"not delivered: {transient} (the step retries; re-run the workflow to send it later)"
        )
        self.transient = transient


async def deliver_each(
    ctx: ActionContext, smtp: SmtpConnection, sender: Sender, mail: list[tuple[str, Mail]]
) -> list[tuple[str, outbox.Delivery | ActionError]]:
    """Send each (recipient, message) once (own envelope, own ledger row); collect failures.

    A transient failure is written to the ledger as "failed" with its reason (so the outbox shows
    the message waiting) and re-raised as retryable; a later attempt or run updates the same row.
    """
    results: list[tuple[str, outbox.Delivery | ActionError]] = []
    for address, parts in mail:
        entry = outbox.Message(
            channel="email",
            key=recipient_key(ctx.idempotency_key, address),
            target=address,
            subject=parts.shown_subject(),
            body=parts.plain(),
            payload={"message_id": parts.msg_id, "to": address, "html": parts.html_part()},
        )

        async def send(address: str = address, parts: Mail = parts) -> dict[str, Any]:
            message = parts.message()  # MIME only for SMTP
            try:
                await smtp.send(message, sender.address, address)
            except RetryableError as exc:
                raise _NotDelivered(exc) from exc
            return {"message_id": str(message["Message-ID"]), "to": address}

        try:
            delivery = await outbox.deliver(
                ctx, entry, send if smtp.configured else None, "smtp not configured"
            )
        except _NotDelivered as exc:
            raise exc.transient from exc
        except outbox.DeliveryUnknown:
            raise  # cut off mid-send earlier: the step says so instead of sending again
        except ActionError as exc:
            results.append((address, exc))
            continue
        results.append((address, delivery))
    return results


async def unsubscribe(
    sessions: async_sessionmaker[AsyncSession], workspace_id: str, email: str
) -> None:
    """Mark the CRM contact (created if new) as unsubscribed from drip mail; idempotent."""
    email = email.strip().lower()
    for _ in range(2):  # a concurrent insert of the same contact: the second pass updates it
        async with sessions() as session:
            tenant = Tenant(session, workspace_id)
            contact = await tenant.first(tenant.select(CrmContact).where(CrmContact.email == email))
            if contact is None:
                contact = tenant.add(CrmContact(workspace_id=workspace_id, email=email))
            if contact.fields.get("unsubscribed") is True:
                return
            stamp = {"unsubscribed": True, "unsubscribed_at": utcnow().isoformat()}
            contact.fields = {**contact.fields, **stamp}
            contact.updated_at = utcnow()
            try:
                await session.commit()
                return
            except IntegrityError:
                await session.rollback()


async def unsubscribed(ctx: ActionContext, addresses: list[str]) -> list[str]:
    """Which of `addresses` have unsubscribed from drip mail (read with the other sends of
    the same moment: `_Reads`)."""
    reads = _reads_of(ctx)
    found = await asyncio.gather(
        *(reads.unsubscribed.get((ctx.workspace_id, a)) for a in addresses)
    )
    return [a for a, gone in zip(addresses, found, strict=True) if gone]


def known_sender(ctx: ActionContext) -> Sender | None:
    """`sender_for` from the workspace the engine loaded for the run (`extras["workspace"]`)."""
    workspace = ctx.extras.get("workspace")
    if not isinstance(workspace, dict) or workspace.get("id") != ctx.workspace_id:
        return None
    name, address = sender_address(ctx.settings, str(workspace["slug"]))
    return Sender(ctx.workspace_id, name or str(workspace["name"]), address)


class _Reads:
    """The reads of email.send that runs executing side by side share (`ReadTogether`): the
    workspace's mail server, and whether a recipient unsubscribed. One per session factory."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        # Weakly: the factory is this object's key in `_reads`, which must not keep it alive.
        self._sessions, self.settings = weakref.ref(sessions), settings
        self.mail = ReadTogether(self._mail, None)
        self.unsubscribed = ReadTogether(self._unsubscribed, False)

    def sessions(self) -> AsyncSession:
        factory = self._sessions()
        if factory is None:
            raise RuntimeError("the engine these reads belong to is gone")
        return factory()

    async def _mail(self, workspace_ids: list[str]) -> dict[str, OwnMail | None]:
        async with self.sessions() as session:
            return {ws: await configured_mail(session, ws, self.settings) for ws in workspace_ids}

    async def _unsubscribed(self, asked: list[tuple[str, str]]) -> dict[tuple[str, str], bool]:
        by_workspace: dict[str, list[str]] = {}
        for workspace_id, address in asked:
            by_workspace.setdefault(workspace_id, []).append(address)
        gone: dict[tuple[str, str], bool] = {}
        async with self.sessions() as session:
            for workspace_id, addresses in by_workspace.items():
                tenant = Tenant(session, workspace_id)
                query = tenant.select(CrmContact).where(col(CrmContact.email).in_(addresses))
                for contact in await tenant.all(query):
                    if contact.fields.get("unsubscribed") is True:
                        gone[(workspace_id, contact.email)] = True
        return gone


_reads: weakref.WeakKeyDictionary[async_sessionmaker[AsyncSession], _Reads] = (
    weakref.WeakKeyDictionary()
)


def _reads_of(ctx: ActionContext) -> _Reads:
    sessions = ctx.reader()
    reads = _reads.get(sessions)
    if reads is None:
        reads = _reads[sessions] = _Reads(sessions, ctx.settings)
    return reads


async def _own_mail(ctx: ActionContext, sender: Sender) -> tuple[Sender, str | None]:
    """The workspace's verified own server and sender (Connections), else the instance's."""
    own = await _reads_of(ctx).mail.get(ctx.workspace_id)
    if own is None:
        return sender, None
    return Sender(sender.workspace_id, sender.name, own.sender), own.url


def _bodies(
    inp: SendInput, sender: Sender, template: str | None, unsubscribe: str | None
) -> tuple[str, str | None]:
    if template is None:
        return inp.text, inp.html
    rendered = render(
        template,
        subject=inp.subject,
        text=inp.text,
        workspace_name=sender.name,
        unsubscribe_url=unsubscribe,
    )
    return rendered.text, inp.html or rendered.html


async def send(ctx: ActionContext, inp: SendInput) -> SendOutput:
    """Send one email (to + cc, `member:` references resolved), once per recipient per step.

    Drip mail (`drip: true` or the "drip" template) goes to each recipient as its own message
    with List-Unsubscribe headers, and skips addresses that unsubscribed.
    """
    template = inp.template or ("drip" if inp.drip else None)
    drip = inp.drip or (template is not None and template_named(template).drip)
    to = await resolve_recipients(ctx, [inp.to] if isinstance(inp.to, str) else inp.to)
    cc = await resolve_recipients(ctx, inp.cc) if inp.cc else []
    sender, server = await _own_mail(ctx, known_sender(ctx) or await sender_for(ctx))
    recipients = list(dict.fromkeys([*to, *cc]))
    skipped = await unsubscribed(ctx, recipients) if drip else []
    live = [r for r in recipients if r not in skipped]
    threading = {"reply_to": inp.reply_to, "in_reply_to": inp.in_reply_to}
    mail: list[tuple[str, Mail]] = []
    if drip:
        for address in live:
            link = unsubscribe_url(ctx.settings, ctx.workspace_id, address)
            text, html = _bodies(inp, sender, template, link)
            msg_id = message_id(sender.address, recipient_key(ctx.idempotency_key, address))
            parts = Mail(
                sender, to=[address], cc=[], subject=inp.subject, text=text, html=html,
                msg_id=msg_id, references=inp.references, unsubscribe=link, **threading,
            )  # fmt: skip
            mail.append((address, parts))
    elif live:
        text, html = _bodies(inp, sender, template, None)
        msg_id = message_id(sender.address, ctx.idempotency_key)
        parts = Mail(
            sender, to=to, cc=cc, subject=inp.subject, text=text, html=html, msg_id=msg_id,
            references=inp.references, **threading,
        )  # fmt: skip
        mail = [(address, parts) for address in live]
    if not mail:
        return SendOutput(message_id="", recipients=[], delivered="skipped", skipped=skipped)
    async with SmtpConnection(ctx.settings, url=server) as smtp:
        results = await deliver_each(ctx, smtp, sender, mail)
    failures = [f"{a}: {r}" for a, r in results if isinstance(r, ActionError)]
    if failures:
        raise ActionError("email not delivered to " + "; ".join(failures))
    kinds = {r.delivered for _, r in results if isinstance(r, outbox.Delivery)}
    delivered = "email" if "email" in kinds else kinds.pop()
    first_id = mail[0][1].msg_id
    return SendOutput(message_id=first_id, recipients=live, delivered=delivered, skipped=skipped)


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
    sender, server = await _own_mail(ctx, await sender_for(ctx))
    async with SmtpConnection(ctx.settings, url=server) as smtp:
        for address in reachable:
            msg_id = message_id(sender.address, recipient_key(ctx.idempotency_key, address))
            link = unsubscribe_url(ctx.settings, ctx.workspace_id, address)
            parts = Mail(
                sender, to=[address], cc=[], subject=inp.subject, text=inp.text, html=inp.html,
                msg_id=msg_id, unsubscribe=link,
            )  # fmt: skip
            for _, result in await deliver_each(ctx, smtp, sender, [(address, parts)]):
                if isinstance(result, ActionError):
                    out.failed += 1
                elif result.delivered in ("email", "dry_run"):
                    out.sent += 1
                else:
                    out.queued += 1
            out.recipients.append(address)
    return out


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
