"""What Levqor's OAuth connections share: the signed, expiring `state`, the granted tokens, and
the error that says in a sentence why access was not granted or renewed.

A `state` names the workspace that asked and when it expires (and, for a single-use state, a
nonce the caller remembers once spent), signed with the instance's secret key under a purpose
("google-oauth", "hubspot-oauth") so one provider's state is no good for another.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from datetime import datetime

STATE_SECONDS = 900


class OAuthError(Exception):
    """The provider refused (or could not be asked) to grant or renew access; a sentence to show.
    `revoked`: the provider no longer accepts the workspace's access (connect again)."""

    def __init__(self, message: str, *, revoked: bool = False) -> None:
        super().__init__(message)
        self.revoked = revoked


@dataclass(frozen=True)
class Tokens:
    """What a provider's token endpoint granted."""

    access_token: str
    expires_at: datetime
    refresh_token: str | None = None


@dataclass(frozen=True)
class State:
    """What a checked `state` was made for."""

    workspace_id: str
    nonce: str | None


def _signature(secret_key: str, purpose: str, body: str) -> str:
    message = f"{purpose}:{body}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()[:32]


def make_state(
    secret_key: str,
    purpose: str,
    workspace_id: str,
    *,
    nonce: str | None = None,
    now: float | None = None,
) -> str:
    """A signed `state` naming the workspace, expiring in `STATE_SECONDS` (with `nonce`: one the
    caller spends once)."""
    body = f"{workspace_id}.{int((now or time.time()) + STATE_SECONDS)}"
    if nonce is not None:
        body += f".{nonce}"
    return f"{body}.{_signature(secret_key, purpose, body)}"


def check_state(
    secret_key: str,
    purpose: str,
    state: str,
    *,
    provider: str,
    single_use: bool = False,
    now: float | None = None,
) -> State:
    """What a `state` was made for; OAuthError saying so in words if forged or expired."""
    body, _, signature = state.rpartition(".")
    parts = body.split(".")
    if (
        len(parts) != (3 if single_use else 2)
        or not parts[1].isdigit()
        or not hmac.compare_digest(signature, _signature(secret_key, purpose, body))
    ):
        raise OAuthError(f"That {provider} sign-in link is not valid; start connecting again.")
    if int(parts[1]) < (now or time.time()):
        raise OAuthError(f"That {provider} sign-in link has expired; start connecting again.")
    return State(parts[0], parts[2] if single_use else None)
