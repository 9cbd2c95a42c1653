"""The key ring for secrets at rest: AES-256-GCM, newest key encrypts, every key decrypts.

A sealed value is `v1.<key id>.<base64url(nonce + ciphertext)>`. The associated data binds it to
its place (workspace, integration, name): a value copied into another workspace, or into another
secret's row, fails the authentication check and does not decrypt. Values written before the ring
existed (plain Fernet tokens under LEVQOR_SECRET_KEY) still open until they are re-encrypted.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "v1"
_NONCE_BYTES = 12


class SealError(Exception):
    """A sealed value no key of the ring opens (wrong workspace, unknown key, or tampered)."""


def key_id(material: str) -> str:
    """A short, public name for a key (a hash prefix; reveals nothing about the key)."""
    return hashlib.sha256(b"levqor-key-id:" + material.encode()).hexdigest()[:8]


def _aes_key(material: str) -> bytes:
    return hashlib.sha256(b"levqor-aes-gcm:" + material.encode()).digest()


def _legacy_fernet(material: str) -> Fernet:
    digest = hashlib.sha256(material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class KeyRing:
    """Keys newest first: `seal` uses the first, `open` whichever one sealed the value."""

    def __init__(self, keys: list[str], legacy: list[str] | None = None) -> None:
        if not keys:
            raise ValueError("a key ring needs at least one key")
        self.keys = list(keys)
        self.legacy = [*self.keys, *(k for k in legacy or [] if k not in self.keys)]
        self._by_id = {key_id(k): k for k in reversed(self.keys)}

    @property
    def current_id(self) -> str:
        """The id of the key new values are sealed with."""
        return key_id(self.keys[0])

    def seal(self, plaintext: str, bound_to: str) -> str:
        """Encrypt `plaintext` with the newest key, bound to `bound_to` (associated data)."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(_aes_key(self.keys[0])).encrypt(
            nonce, plaintext.encode(), bound_to.encode()
        )
        body = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        return f"{PREFIX}.{self.current_id}.{body}"

    def open(self, value: str, bound_to: str) -> str:
        """Decrypt a sealed value bound to `bound_to`; SealError when it does not open."""
        if not value.startswith(PREFIX + "."):
            return self._open_legacy(value)
        try:
            _, kid, body = value.split(".", 2)
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except ValueError:
            raise SealError("the stored value is not a sealed secret") from None
        material = self._by_id.get(kid)
        if material is None:
            raise SealError(f"sealed with key {kid}, which is not in the key ring")
        try:
            nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
            plain = AESGCM(_aes_key(material)).decrypt(nonce, sealed, bound_to.encode())
        except (InvalidTag, ValueError):
            raise SealError("the stored value does not belong here (or was altered)") from None
        return plain.decode()

    def is_current(self, value: str) -> bool:
        """Whether a sealed value already uses the newest key."""
        return value.startswith(f"{PREFIX}.{self.current_id}.")

    def _open_legacy(self, value: str) -> str:
        for material in self.legacy:
            try:
                return _legacy_fernet(material).decrypt(value.encode()).decode()
            except InvalidToken:
                continue
        raise SealError("no key in the ring opens this value")


def new_key() -> str:
    """A fresh random key for LEVQOR_ENCRYPTION_KEYS."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
