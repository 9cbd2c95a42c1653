"""Constant-time comparison of secrets that may arrive as any text (non-ASCII never raises)."""

from __future__ import annotations

import hmac


def same_secret(given: str, expected: str) -> bool:
    """Whether two secrets are equal, compared in constant time as UTF-8 bytes."""
    return hmac.compare_digest(
        given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )
