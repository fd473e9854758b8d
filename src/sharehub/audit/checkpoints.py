"""Signed checkpoints of the ledger (Ed25519), and their export for witnesses.

A checkpoint says "the ledger of this hub had N entries with root R at time
T", signed with the hub's ledger key. The key lives in configuration, not in
the database, so someone who can rewrite the database cannot sign a new
history. Partner agencies keep exported checkpoints as witnesses:
``sharehub audit verify --witness FILE`` proves the ledger still contains
exactly what it contained when they were exported.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from sharehub.disclosure.gated import Code, Configuration, Reference
from sharehub.audit.models import Checkpoint

FORMAT = "sharehub-ledger-checkpoint-v1"


class ExportedCheckpoint(msgspec.Struct, frozen=True, kw_only=True):
    format: Code = FORMAT
    hub: Configuration
    tree_size: int
    root_hash: Reference
    signed_at: datetime
    key_id: Reference
    public_key: Reference
    signature: Reference


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def message(hub: str, tree_size: int, root_hash: str, signed_at: datetime) -> bytes:
    """What is signed: every field, one per line, so nothing can be re-read differently."""
    return f"{FORMAT}\n{hub}\n{tree_size}\n{root_hash}\n{signed_at.isoformat()}\n".encode()


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def parse_signing_key(encoded: str) -> bytes:
    seed = base64.b64decode(encoded.strip().rpartition(":")[2] + "==")
    if len(seed) != 32:
        raise ValueError("must be 32 bytes (an Ed25519 private key seed), base64")
    return seed


def derive_development_signing_key(secret_key: str) -> bytes:
    hkdf = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"sharehub ledger signing")
    return hkdf.derive(secret_key.encode())


class CheckpointSigner:
    def __init__(self, seed: bytes, hub: str) -> None:
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.public_key = self._key.public_key()
        self.key_id = key_id(self.public_key)
        self.hub = hub

    def sign(self, tree_size: int, root_hash: str, at: datetime) -> Checkpoint:
        signature = self._key.sign(message(self.hub, tree_size, root_hash, at))
        return Checkpoint(
            tree_size=tree_size,
            root_hash=root_hash,
            signed_at=at,
            key_id=self.key_id,
            signature=_b64(signature),
        )

    def export(self, checkpoint: Checkpoint) -> ExportedCheckpoint:
        return ExportedCheckpoint(
            hub=self.hub,
            tree_size=checkpoint.tree_size,
            root_hash=checkpoint.root_hash,
            signed_at=checkpoint.signed_at,
            key_id=checkpoint.key_id,
            public_key=_b64(self.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)),
            signature=checkpoint.signature,
        )

    def verifies(self, checkpoint: Checkpoint) -> bool:
        return verify_signature(
            self.public_key,
            message(self.hub, checkpoint.tree_size, checkpoint.root_hash, checkpoint.signed_at),
            checkpoint.signature,
        )


def verify_signature(public: Ed25519PublicKey, signed: bytes, signature: str) -> bool:
    try:
        public.verify(base64.b64decode(signature), signed)
    except (InvalidSignature, ValueError):
        return False
    return True


def verify_exported(exported: ExportedCheckpoint, trusted: Ed25519PublicKey) -> bool:
    """A witness's checkpoint is good if the hub's own key signed it."""
    if exported.format != FORMAT or exported.key_id != key_id(trusted):
        return False
    signed = message(exported.hub, exported.tree_size, exported.root_hash, exported.signed_at)
    return verify_signature(trusted, signed, exported.signature)
