"""Outgoing mail: the workspace sender, the RFC 5322 message, and the SMTP session that sends it."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from types import TracebackType
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from integrations.base import ActionContext, ActionError, RetryableError
from storage.config import Settings
from storage.models import Workspace

WORKSPACE_FROM = "{slug}@{slug}.{mail_domain}"
_ADDRESS = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+$")


class SmtpConnection:
    """One lazily opened SMTP session (`smtp://`, `smtps://`, `?starttls=true`, user:pass)."""

    def __init__(self, settings: Settings, url: str | None = None) -> None:
        self._settings = settings
        self._url = url or settings.smtp_url  # a workspace's own server, else the instance's
        self._client: aiosmtplib.SMTP | None = None

    @property
    def configured(self) -> bool:
        """Whether an SMTP server is configured at all."""
        return bool(self._url)

    @property
    def server(self) -> str:
        """`host:port` of the configured server, for error messages (no credentials)."""
        url = urlsplit(self._url or "")
        return f"{url.hostname or 'localhost'}:{_port(url.scheme, url.port, _starttls(url.query))}"

    async def __aenter__(self) -> SmtpConnection:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._close()

    async def send(self, message: EmailMessage, sender: str, recipient: str) -> None:
        """Send `message` to one envelope recipient; errors mapped to Retryable/ActionError."""
        try:
            client = self._client or await self._connect()
            await client.send_message(message, sender=sender, recipients=[recipient])
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self._close()
            raise smtp_error(exc, self.server) from exc

    async def _connect(self) -> aiosmtplib.SMTP:
        url = urlsplit(self._url or "")
        if url.scheme not in ("smtp", "smtps"):
            raise ActionError(f"SMTP_URL must start with smtp:// or smtps://, not {url.scheme!r}")
        starttls = _starttls(url.query)
        client = aiosmtplib.SMTP(
            hostname=url.hostname or "localhost",
            port=_port(url.scheme, url.port, starttls),
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


def _starttls(query: str) -> bool:
    return parse_qs(query).get("starttls", ["false"])[0].lower() in ("1", "true", "yes")


def _port(scheme: str, port: int | None, starttls: bool) -> int:
    return port or (465 if scheme == "smtps" else 587 if starttls else 25)


def smtp_error(exc: BaseException, server: str = "") -> Exception:
    """5xx replies are permanent (ActionError); 4xx, refused connections and timeouts retry."""
    at = f" {server}" if server else ""
    code: int | None = None
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        code = exc.recipients[0].code
        text = exc.recipients[0].message
    elif isinstance(exc, aiosmtplib.SMTPResponseException):
        code, text = exc.code, exc.message
    else:
        text = str(exc) or type(exc).__name__
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        return ActionError(f"SMTP server{at} does not support this: {text}")
    if code is not None and code >= 500:
        return ActionError(f"SMTP server{at} refused ({code}): {text}")
    if code:
        return RetryableError(f"SMTP server{at} answered {code}: {text}")
    return RetryableError(f"SMTP server{at} unreachable: {text}")


@dataclass(frozen=True)
class Sender:
    """Who a workspace's mail comes from: `"<workspace name>" <address>`."""

    workspace_id: str
    name: str
    address: str

    def header(self) -> str:
        """The From header value."""
        local, _, domain = self.address.rpartition("@")
        return str(Address(display_name=self.name, username=local, domain=domain))


def sender_address(settings: Settings, slug: str) -> tuple[str, str]:
    """`(display name or "", address)`: LEVQOR_EMAIL_FROM if set, else `<slug>@<slug>.<domain>`.

    The default is an address of the workspace's own inbound domain, so replies reach its email
    workflows and our own mail coming back is caught by the inbound loop guard.
    """
    pattern = settings.email_from
    if "email_from" not in settings.model_fields_set:
        pattern = WORKSPACE_FROM
    value = pattern.replace("{slug}", slug).replace("{mail_domain}", settings.mail_domain)
    name, address = parseaddr(value)
    if not _ADDRESS.match(address):
        raise ActionError(f"LEVQOR_EMAIL_FROM gives {value!r}, which is not an email address")
    return name, address.lower()


async def sender_for(ctx: ActionContext) -> Sender:
    """The workspace's sender: its name unless LEVQOR_EMAIL_FROM names someone."""
    async with ctx.sessions() as session:
        workspace = await session.get(Workspace, ctx.workspace_id)
    if workspace is None:
        raise ActionError(f"workspace {ctx.workspace_id} does not exist")
    name, address = sender_address(ctx.settings, workspace.slug)
    return Sender(workspace.id, name or workspace.name, address)


def message_id(from_address: str, key: str) -> str:
    """A Message-ID derived from the idempotency key, so every retry carries the same one."""
    domain = from_address.rsplit("@", 1)[-1].strip("> ") or "levqor.local"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def _bracketed(value: str) -> str:
    value = value.strip()
    return value if value.startswith("<") else f"<{value}>"


def mime_text(text: str) -> str:
    """`text` as a built message's text part reads back: lines ended by "\n", one at the end."""
    lines = _LINE_ENDS.split(text)
    if lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


_LINE_ENDS = re.compile(r"\r\n|\r|\n")


@dataclass
class Mail:
    """One message's parts. Its MIME message (`message()`) is built only for SMTP: building one
    takes ~0.6 ms, and a message kept in the outbox needs only its words, which read the same."""

    sender: Sender
    to: list[str]
    cc: list[str]
    subject: str
    text: str
    html: str | None
    msg_id: str
    reply_to: str | None = None
    in_reply_to: str | None = None
    references: str | None = None
    unsubscribe: str | None = None

    def message(self) -> EmailMessage:
        return build_message(
            self.sender, to=self.to, cc=self.cc, subject=self.subject, text=self.text,
            html=self.html, msg_id=self.msg_id, reply_to=self.reply_to,
            in_reply_to=self.in_reply_to, references=self.references,
            unsubscribe=self.unsubscribe,
        )  # fmt: skip

    def shown_subject(self) -> str:
        """The Subject as the built message's header reads (encoded words decoded)."""
        folded = " ".join(self.subject.split())
        return str(self.message()["Subject"]) if "=?" in folded else folded

    def plain(self) -> str:
        return mime_text(self.text)

    def html_part(self) -> str | None:
        return mime_text(self.html) if self.html else None


def build_message(
    sender: Sender,
    *,
    to: list[str],
    cc: list[str],
    subject: str,
    text: str,
    html: str | None,
    msg_id: str,
    reply_to: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    unsubscribe: str | None = None,
) -> EmailMessage:
    """An EmailMessage (text, optional HTML alternative) with threading and opt-out headers."""
    message = EmailMessage()
    message["From"] = sender.header()
    message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Subject"] = " ".join(subject.split())
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = msg_id
    message["Reply-To"] = (reply_to or "").strip() or sender.address
    if in_reply_to and in_reply_to.strip():
        parent = _bracketed(in_reply_to)
        chain = [_bracketed(r) for r in (references or "").split() if r.strip()]
        message["In-Reply-To"] = parent
        message["References"] = " ".join(dict.fromkeys([*chain, parent]))
        message["Auto-Submitted"] = "auto-replied"  # RFC 3834: other responders stay quiet
    if unsubscribe:
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message
