"""Field encryption: AES-256-GCM with a key id and associated data.

A ciphertext reads ``v1.<key id>.<base64url(nonce || ciphertext+tag)>``. The key
id lets keys be rotated: new values use the active key, old ones still decrypt
with the key they name. The associated data binds a value to its place (table,
column and row), so a ciphertext copied into another row or column fails to
decrypt instead of silently moving someone's data.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_FORMAT = "v1"
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class DecryptionFailed(ValueError):
    """Wrong key, wrong place, or tampered ciphertext. Never says which value."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parse_keys(spec: str) -> dict[str, bytes]:
    """``kid:base64key,kid2:base64key`` → ordered {kid: 32-byte key}; the first is active."""
    keys: dict[str, bytes] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        kid, sep, encoded = item.partition(":")
        if not sep or not _KEY_ID.match(kid):
            raise ValueError("each key is written kid:base64 (kid of letters, digits, _ or -)")
        try:
            key = _unb64(encoded.replace("+", "-").replace("/", "_").rstrip("="))
        except ValueError:
            raise ValueError(f"key {kid} is not base64") from None
        if len(key) != 32:
            raise ValueError(f"key {kid} must be 32 bytes (256 bits)")
        keys[kid] = key
    if not keys:
        raise ValueError("at least one key is needed")
    return keys


def derive_development_keys(secret_key: str) -> dict[str, bytes]:
    """A key for development and demo only, derived from the secret key."""
    hkdf = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"sharehub field encryption")
    return {"dev": hkdf.derive(secret_key.encode())}


def parse_index_key(encoded: str) -> bytes:
    """base64, optionally with a ``kid:`` prefix as ``sharehub keys new`` prints it."""
    encoded = encoded.strip().rpartition(":")[2]
    try:
        key = _unb64(encoded.strip().replace("+", "-").replace("/", "_").rstrip("="))
    except ValueError:
        raise ValueError("not base64") from None
    if len(key) != 32:
        raise ValueError("must be 32 bytes (256 bits)")
    return key


def derive_development_index_key(secret_key: str) -> bytes:
    """The blind index key for development and demo only, derived from the secret key."""
    hkdf = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"sharehub blind index")
    return hkdf.derive(secret_key.encode())


def place(table: str, field: str, row_id: object) -> str:
    """The associated data that binds a ciphertext to its table, field and row."""
    return f"{table}.{field}.{row_id}"


def new_key() -> str:
    """A fresh random key, base64, for SHAREHUB_ENCRYPTION_KEYS."""
    return base64.b64encode(os.urandom(32)).decode()


class FieldCipher:
    def __init__(self, keys: dict[str, bytes]) -> None:
        if not keys:
            raise ValueError("no encryption keys")
        self._keys = {kid: AESGCM(key) for kid, key in keys.items()}
        self.active_key_id = next(iter(keys))

    def encrypt(self, plaintext: str, *, context: str) -> str:
        nonce = os.urandom(12)
        sealed = self._keys[self.active_key_id].encrypt(nonce, plaintext.encode(), context.encode())
        return f"{_FORMAT}.{self.active_key_id}.{_b64(nonce + sealed)}"

    def encrypt_bytes(self, data: bytes, *, context: str) -> bytes:
        """The same for a file: ``v1.<key id>.`` then nonce, ciphertext and tag."""
        nonce = os.urandom(12)
        sealed = self._keys[self.active_key_id].encrypt(nonce, data, context.encode())
        return f"{_FORMAT}.{self.active_key_id}.".encode() + nonce + sealed

    def decrypt_bytes(self, blob: bytes, *, context: str) -> bytes:
        try:
            version, kid, raw = blob.split(b".", 2)
            aead = self._keys[kid.decode("ascii")]
            if version != _FORMAT.encode() or len(raw) < 12 + 16:
                raise DecryptionFailed("not a sharehub ciphertext")
            return aead.decrypt(raw[:12], raw[12:], context.encode())
        except (ValueError, KeyError, InvalidTag, UnicodeDecodeError):
            raise DecryptionFailed("file cannot be decrypted here") from None

    def under_active_key(self, token: str) -> bool:
        return token.startswith(f"{_FORMAT}.{self.active_key_id}.")

    @property
    def active_prefix(self) -> str:
        """What every ciphertext under the active key starts with (for finding the others)."""
        return f"{_FORMAT}.{self.active_key_id}."

    def decrypt(self, token: str, *, context: str) -> str:
        try:
            version, kid, body = token.split(".", 2)
            aead = self._keys[kid]
            raw = _unb64(body)
            if version != _FORMAT or len(raw) < 12 + 16:
                raise DecryptionFailed("not a sharehub ciphertext")
            return aead.decrypt(raw[:12], raw[12:], context.encode()).decode()
        except (ValueError, KeyError, InvalidTag):
            raise DecryptionFailed("value cannot be decrypted here") from None


class BlindIndex:
    """HMAC-SHA256 digests of normalised values, for exact-match lookup without
    decrypting. The field name is part of the message, so one value gives
    different digests in different fields."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the blind index key must be 32 bytes")
        self._key = key

    def digest(self, field: str, normalised: str) -> str:
        message = f"{field}\x00{normalised}".encode()
        return _b64(hmac.new(self._key, message, hashlib.sha256).digest())


def seal_field(cipher: FieldCipher, row: object, field: str, plain: str | None) -> None:
    """Set ``row.<field>_encrypted``, bound to the row's table, field and id (the
    convention every sealed column follows, and `sharehub keys rotate` relies on)."""
    context = place(row.__tablename__, field, row.id)  # type: ignore[attr-defined]
    sealed = None if plain is None else cipher.encrypt(plain, context=context)
    setattr(row, f"{field}_encrypted", sealed)


def open_field(cipher: FieldCipher, row: object, field: str) -> str | None:
    """Read ``row.<field>_encrypted`` back (None stays None)."""
    sealed = getattr(row, f"{field}_encrypted")
    if sealed is None:
        return None
    return cipher.decrypt(sealed, context=place(row.__tablename__, field, row.id))  # type: ignore[attr-defined]
