"""Confidentiality statements, loaded from ``statements.toml`` and checked on
load. An acknowledgement is tied to the exact words by their SHA-256."""

from __future__ import annotations

import hashlib
import tomllib
from functools import cache
from pathlib import Path

import msgspec

STATEMENTS_FILE = Path(__file__).with_name("statements.toml")


class Statement(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: str
    version: int
    title: str
    citation: str
    text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.strip().encode("utf-8")).hexdigest()


class _File(msgspec.Struct, forbid_unknown_fields=True):
    statement: list[Statement]


def load_statements(path: Path = STATEMENTS_FILE) -> dict[tuple[str, int], Statement]:
    parsed = msgspec.convert(tomllib.loads(path.read_text("utf-8")), _File)
    found: dict[tuple[str, int], Statement] = {}
    for statement in parsed.statement:
        key = (statement.code, statement.version)
        if key in found or statement.version < 1 or not statement.text.strip():
            raise ValueError(f"{path.name}: {statement.code} v{statement.version} is not valid")
        found[key] = statement
    return found


@cache
def statements() -> dict[tuple[str, int], Statement]:
    return load_statements()


def current(code: str) -> Statement:
    """The latest version of a statement (the one a new meeting takes)."""
    versions = [s for (c, _), s in statements().items() if c == code]
    if not versions:
        raise KeyError(f"no confidentiality statement {code}")
    return max(versions, key=lambda s: s.version)


def statement(code: str, version: int) -> Statement:
    return statements()[(code, version)]
