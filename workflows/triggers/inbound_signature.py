"""Signatures on inbound-email deliveries, keyed with the workspace's inbound secret.

Two forms are accepted (either one; both within five minutes of now):

- Mailgun's: fields `timestamp`, `token` and `signature` = hex HMAC-SHA256 of
  `timestamp + token`, as form fields, top-level JSON keys, or a JSON object under `signature`.
- Levqor's: a header `X-Levqor-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body>`,
  the same scheme as signed webhooks.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping
from typing import Any

from storage.compare import same_secret
from workflows.errors import Unauthorized
from workflows.triggers.webhook import SIGNATURE_TOLERANCE_SECONDS, verify_signature

HEADER = "X-Levqor-Signature"


def mailgun_fields(secret: str, at: int | None = None, token: str = "tok") -> dict[str, str]:
    """The three fields a Mailgun-style sender adds (for senders and tests)."""
    stamp = str(int(time.time()) if at is None else at)
    mac = hmac.new(secret.encode(), (stamp + token).encode(), hashlib.sha256).hexdigest()
    return {"timestamp": stamp, "token": token, "signature": mac}


def verify_inbound(
    secret: str, body: bytes, headers: Mapping[str, str], fields: Mapping[str, Any]
) -> None:
    """Raise Unauthorized unless the delivery carries a valid, fresh signature of either form."""
    header = headers.get(HEADER.lower())
    if header:
        verify_signature(header, secret, body, HEADER)
        return
    signed = fields.get("signature")
    source: Mapping[str, Any] = signed if isinstance(signed, dict) else fields
    stamp, token, mac = (str(source.get(k) or "") for k in ("timestamp", "token", "signature"))
    if not (stamp and token and mac):
        raise Unauthorized(
            f"unsigned delivery: add Mailgun-style timestamp/token/signature fields or an {HEADER} "
            "header, signed with this workspace's inbound secret"
        )
    if not stamp.isascii() or not stamp.isdigit():
        raise Unauthorized("malformed signature timestamp")
    if abs(time.time() - int(stamp)) > SIGNATURE_TOLERANCE_SECONDS:
        raise Unauthorized("the signature is more than five minutes old or ahead")
    expected = hmac.new(secret.encode(), (stamp + token).encode(), hashlib.sha256).hexdigest()
    if not same_secret(mac, expected):
        raise Unauthorized("wrong delivery signature")
