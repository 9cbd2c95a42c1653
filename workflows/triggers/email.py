"""Inbound email: parse (MIME or a provider's fields), guard against loops, match, start runs."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser, HeaderParser
from email.utils import getaddresses
from html import unescape
from typing import Any

from sqlmodel import col

from storage.config import Settings
from storage.models import Run, Workspace
from storage.scope import Tenant
from storage.types import utcnow
from workflows.spec import EmailTrigger
from workflows.triggers.dispatch import Candidate, Dispatched, active_candidates, dispatch

log = logging.getLogger(__name__)

SELECTED_HEADERS = (
    "Date",
    "Reply-To",
    "Return-Path",
    "Auto-Submitted",
    "Precedence",
    "List-Id",
    "List-Unsubscribe",
    "X-Auto-Response-Suppress",
    "X-Autoreply",
    "X-Autorespond",
)
_BULK_PRECEDENCE = frozenset({"bulk", "list", "junk", "auto_reply"})
_NO_REPLY_SENDER = re.compile(
    r"^(no-?reply|do-?not-?reply|mailer-daemon|postmaster|bounces?)([+._-].*)?$", re.IGNORECASE
)


@dataclass
class InboundEmail:
    """The trigger payload plus the envelope: who it was delivered to and the bounce address."""

    payload: dict[str, Any]
    recipients: list[str] = field(default_factory=list)
    envelope_from: str | None = None


def legacy_webhook_secret(settings: Settings, workspace_id: str) -> str:
    """The secret used before it was stored: an HMAC of the workspace id with the secret key."""
    key = settings.resolved_secret_key.encode()
    return hmac.new(key, f"inbound-email:{workspace_id}".encode(), hashlib.sha256).hexdigest()[:40]


def webhook_secret(settings: Settings, workspace: Workspace) -> str:
    """The workspace's inbound-email secret; a row from before it was stored gets it pinned.

    Pinning sets the attribute (the caller commits): from then on the secret no longer depends
    on LEVQOR_SECRET_KEY, so rotating that key leaves provider URLs working.
    """
    if not workspace.inbound_secret:
        workspace.inbound_secret = legacy_webhook_secret(settings, workspace.id)
    return workspace.inbound_secret


def regenerate_webhook_secret(workspace: Workspace) -> str:
    """A new random inbound secret (the old URL stops working; the caller commits)."""
    workspace.inbound_secret = secrets.token_hex(20)
    return workspace.inbound_secret


def webhook_url(settings: Settings, workspace: Workspace) -> str:
    """Where an email provider posts parsed mail for this workspace."""
    secret = webhook_secret(settings, workspace)
    return f"{settings.public_url.rstrip('/')}/inbound/email/{workspace.slug}/{secret}"


def workspace_address(address: str, mail_domain: str) -> tuple[str, str] | None:
    """`(local part, workspace slug)` for `<local>@<slug>.<mail domain>`, else None."""
    local, at, domain = address.strip().strip("<>").lower().rpartition("@")
    suffix = "." + mail_domain.lower().strip(".")
    if not at or not local or not domain.endswith(suffix):
        return None
    slug = domain[: -len(suffix)]
    return (local, slug) if slug and "." not in slug else None


def parse_mime(
    raw: bytes, recipients: Iterable[str] = (), envelope_from: str | None = None
) -> InboundEmail:
    """An RFC 5322 message (as the SMTP gateway receives it) into the trigger payload."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    headers = [(name, str(value)) for name, value in message.items()]
    return _build(
        headers,
        {"text": _body(message, "plain"), "html": _body(message, "html")},
        list(recipients),
        envelope_from,
    )


def parse_fields(fields: Mapping[str, Any]) -> InboundEmail:
    """A provider's parsed-mail POST (JSON, or Mailgun/SendGrid-style form fields)."""
    f = {k.lower(): v for k, v in fields.items()}
    envelope = _json_object(f.get("envelope"))
    recipients = _addresses(f.get("recipient")) + _addresses(envelope.get("to"))
    recipients += _addresses(f.get("originalrecipient"))
    envelope_from = _text(f.get("sender")) or _text(envelope.get("from")) or None
    raw = f.get("email")
    if isinstance(raw, str) and ("\n\n" in raw or "\r\n\r\n" in raw):  # SendGrid "raw" mode
        return parse_mime(raw.encode(), recipients, envelope_from)
    headers = _header_pairs(f.get("headers")) + _header_pairs(f.get("message-headers"))
    values = {
        "from": _text(f.get("from")) or _text(f.get("sender")),
        "from_name": _text(f.get("from_name")) or _text(f.get("fromname")),
        "to": f.get("to"),
        "cc": f.get("cc"),
        "subject": f.get("subject"),
        "text": _first(f, "text", "body-plain", "textbody", "stripped-text"),
        "html": _first(f, "html", "body-html", "htmlbody", "stripped-html"),
        "message_id": _first(f, "message_id", "message-id", "messageid"),
        "in_reply_to": _first(f, "in_reply_to", "in-reply-to"),
        "references": _first(f, "references"),
    }
    return _build(headers, values, recipients, envelope_from)


def _build(
    headers: list[tuple[str, str]],
    values: Mapping[str, Any],
    recipients: list[str],
    envelope_from: str | None,
) -> InboundEmail:
    lookup: dict[str, str] = {}
    for name, value in headers:
        lookup.setdefault(name.lower(), value)

    def pick(key: str, header: str) -> str:
        return _text(values.get(key)) or lookup.get(header.lower(), "")

    senders = getaddresses([pick("from", "From"), (envelope_from or "").strip("<>")])
    name, address = next(((n, a) for n, a in senders if "@" in a), ("", ""))
    text, html = pick("text", ""), pick("html", "")
    payload: dict[str, Any] = {
        "from": address.lower(),
        "from_name": _text(values.get("from_name")) or name,
        "to": _addresses(values.get("to")) or _addresses(lookup.get("to")),
        "cc": _addresses(values.get("cc")) or _addresses(lookup.get("cc")),
        "subject": pick("subject", "Subject").strip(),
        "text": text or _html_to_text(html),
        "html": html,
        "message_id": pick("message_id", "Message-ID").strip(),
        "in_reply_to": pick("in_reply_to", "In-Reply-To").strip(),
        "references": pick("references", "References").strip(),
        "headers": {h: lookup[h.lower()] for h in SELECTED_HEADERS if h.lower() in lookup},
        "received_at": utcnow().isoformat(),
    }
    everyone = [*recipients, *payload["to"], *payload["cc"]]
    return InboundEmail(payload, list(dict.fromkeys(a.lower() for a in everyone)), envelope_from)


def loop_guard(mail: InboundEmail, settings: Settings) -> str | None:
    """Why this mail must start nothing (auto-reply, bulk, list, no-reply, our own), or None."""
    headers = {k.lower(): v.strip() for k, v in mail.payload["headers"].items()}
    sender: str = mail.payload["from"]
    auto = headers.get("auto-submitted", "no").split(";")[0].strip().lower()
    if auto != "no":
        return f"auto-submitted mail (Auto-Submitted: {auto})"
    precedence = headers.get("precedence", "").lower()
    if precedence in _BULK_PRECEDENCE:
        return f"bulk mail (Precedence: {precedence})"
    for name in ("List-Id", "List-Unsubscribe"):
        if name.lower() in headers:
            return f"mailing-list mail ({name} header)"
    for name in ("X-Auto-Response-Suppress", "X-Autoreply", "X-Autorespond"):
        if headers.get(name.lower()):
            return f"the sender asks for no automatic replies ({name}: {headers[name.lower()]})"
    if mail.envelope_from is not None and not mail.envelope_from.strip("<> "):
        return "a bounce (empty envelope sender)"
    if not sender:
        return "no sender address"
    if _NO_REPLY_SENDER.match(sender.partition("@")[0]):
        return f"a no-reply sender ({sender})"
    if workspace_address(sender, settings.mail_domain) or sender == settings.email_from.lower():
        return f"sent from a Levqor address ({sender})"
    return None


def trigger_matches(trigger: EmailTrigger, mail: InboundEmail) -> bool:
    """Whether the mail is for the trigger's address (local part or full) and subject filter."""
    wanted = (trigger.address or "").strip().lower()
    if wanted:
        local, _, domain = wanted.partition("@")
        if domain:
            if wanted not in mail.recipients:
                return False
        elif not any(r.partition("@")[0] == local for r in mail.recipients):
            return False
    needle = (trigger.subject_contains or "").lower()
    return needle in str(mail.payload["subject"]).lower()


def idempotency_key(payload: Mapping[str, Any]) -> str:
    """`email:<message-id>`; a digest of the message when it has no (or an overlong) id."""
    message_id = str(payload.get("message_id") or "").strip().strip("<>")
    if message_id and len(message_id) <= 190:
        return f"email:{message_id}"
    parts = [message_id] + [str(payload.get(k, "")) for k in ("from", "to", "subject", "text")]
    parts.append(str(payload.get("headers", {}).get("Date", "")))
    return "email:sha256:" + hashlib.sha256(json.dumps(parts).encode()).hexdigest()


async def receive(tenant: Tenant, settings: Settings, mail: InboundEmail) -> Dispatched:
    """Guard, then start one run per matching active email workflow (deduped on Message-ID)."""
    reason = loop_guard(mail, settings)
    if reason:
        log.info(
            "inbound email %s from %s starts nothing: %s",
            mail.payload["message_id"],
            mail.payload["from"],
            reason,
        )
        return Dispatched(skipped=reason)
    matching = [
        c
        for c in await active_candidates(tenant, "email")
        if isinstance(c.spec.trigger, EmailTrigger) and trigger_matches(c.spec.trigger, mail)
    ]
    if not matching:
        return Dispatched(skipped="no active workflow has an email trigger matching this mail")
    sender, limit = mail.payload["from"], settings.reply_limit_per_hour

    async def reply_limit(tenant: Tenant, candidate: Candidate) -> str | None:
        if limit <= 0:
            return None
        since = utcnow() - timedelta(hours=1)
        query = tenant.select(Run).where(
            Run.workflow_id == candidate.workflow_id,
            Run.trigger_type == "email",
            col(Run.created_at) >= since,
            col(Run.trigger_payload)["from"].as_string() == sender,
        )
        count = await tenant.count(query)
        if count >= limit:
            return f"reply limit: {count} runs for {sender} in the last hour (limit {limit})"
        return None

    return await dispatch(
        tenant,
        matching,
        trigger_type="email",
        payload=mail.payload,
        key=idempotency_key(mail.payload),
        guard=reply_limit,
    )


def _body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    if part is None:
        return ""
    try:
        return str(part.get_content())
    except (LookupError, UnicodeDecodeError, KeyError):
        data = part.get_payload(decode=True)
        return data.decode("utf-8", "replace") if isinstance(data, bytes) else ""


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _first(fields: Mapping[str, Any], *names: str) -> str:
    return next((_text(fields[n]) for n in names if fields.get(n)), "")


def _addresses(value: Any) -> list[str]:
    if not value:
        return []
    items = value if isinstance(value, list) else [value]
    flat = [
        _text(i.get("email") or i.get("Email")) if isinstance(i, dict) else str(i) for i in items
    ]
    return [addr.lower() for _, addr in getaddresses(flat) if "@" in addr]


def _json_object(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return {}
    return value if isinstance(value, dict) else {}


def _header_pairs(value: Any) -> list[tuple[str, str]]:
    """Headers as a dict, a list of pairs or of {name, value}, a JSON string, or a raw block."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return [(k, str(v)) for k, v in HeaderParser().parsestr(value).items()]
    if isinstance(value, dict):
        return [(str(k), _text(v)) for k, v in value.items()]
    pairs: list[tuple[str, str]] = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, list | tuple) and len(item) == 2:
            pairs.append((str(item[0]), _text(item[1])))
        elif isinstance(item, dict):
            name = item.get("name") or item.get("Name")
            if name:
                pairs.append((str(name), _text(item.get("value") or item.get("Value"))))
    return pairs


def _html_to_text(html: str) -> str:
    text = re.sub(r"<(script|style)\b.*?</\1\s*>", "", html, flags=re.IGNORECASE | re.DOTALL)
    text = re.sub(r"<br\s*/?>|</(p|div|li|tr|h[1-6])\s*>", "\n", text, flags=re.IGNORECASE)
    text = unescape(re.sub(r"<[^>]+>", "", text))
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()
