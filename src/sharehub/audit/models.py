"""Tables of the audit ledger: entries, the tree's running state, checkpoints.

Entries are written once, in the transaction of the action they record, and
never updated or deleted (on PostgreSQL the database refuses it: see the
migration and docs/audit.md). They name people by internal id only.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from sharehub.db.base import Base, UTCDateTime


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"

    # Position in the tree, from 0; never reused, never skipped.
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    agency_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    subject_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    # The canonical JSON that was hashed (sorted keys, no spaces), and its leaf hash.
    body: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[str] = mapped_column(String(64))


class LedgerState(Base):
    """One row: the tree's size, its frontier and root after the last append.
    Appends lock it, so concurrent writers queue and the tree never forks."""

    __tablename__ = "ledger_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[str] = mapped_column(String(64))
    last_leaf_hash: Mapped[str | None] = mapped_column(String(64))
    frontier: Mapped[list[str]] = mapped_column(JSON)
    checkpointed_size: Mapped[int] = mapped_column(BigInteger)


class Checkpoint(Base):
    """A signed statement of the tree's size and root at a moment."""

    __tablename__ = "ledger_checkpoints"

    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(128))
