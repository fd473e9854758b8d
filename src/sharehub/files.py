"""Files kept outside the database, encrypted at rest with the identity keys.

Each file is sealed with AES-256-GCM under the active field key, with the
same associated data convention as a sealed column (``place(table, "content",
row id)``), so a file copied over another's name fails to decrypt instead of
showing one person's evidence in another's case. Names are the row's id, never
anything a person wrote. Writes go to a temporary file first and are renamed
into place, so a crash never leaves half a file under a real name.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from sharehub.crypto import FieldCipher, place

_NAME = re.compile(r"^[0-9a-f]{32}$")


class FileMissing(LookupError):
    """The row says a file is kept, but the directory does not hold it."""


class EncryptedFiles:
    def __init__(self, directory: Path, cipher: FieldCipher) -> None:
        self.directory = directory
        self._cipher = cipher

    def _path(self, row_id: uuid.UUID) -> Path:
        name = row_id.hex
        if not _NAME.match(name):  # pragma: no cover - a UUID's hex always matches
            raise ValueError("bad file name")
        # Two levels of fan-out keep any one directory small.
        return self.directory / name[:2] / name

    def put(self, table: str, row_id: uuid.UUID, data: bytes) -> None:
        path = self._path(row_id)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        sealed = self._cipher.encrypt_bytes(data, context=place(table, "content", row_id))
        temporary = path.with_suffix(".partial")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(sealed)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)

    def get(self, table: str, row_id: uuid.UUID) -> bytes:
        try:
            sealed = self._path(row_id).read_bytes()
        except FileNotFoundError:
            raise FileMissing(str(row_id)) from None
        return self._cipher.decrypt_bytes(sealed, context=place(table, "content", row_id))

    def under_active_key(self, row_id: uuid.UUID) -> bool:
        with self._path(row_id).open("rb") as sealed:
            return sealed.read(40).startswith(self._cipher.active_prefix.encode())

    def rekey(self, table: str, row_id: uuid.UUID) -> bool:
        """Re-encrypt under the active key if it is not already (True if it was);
        DecryptionFailed when no configured key opens it."""
        if self.under_active_key(row_id):
            return False
        self.put(table, row_id, self.get(table, row_id))
        return True

    def delete(self, row_id: uuid.UUID) -> None:
        self._path(row_id).unlink(missing_ok=True)

    def holds(self, row_id: uuid.UUID) -> bool:
        return self._path(row_id).exists()
