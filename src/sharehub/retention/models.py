"""Legal holds: records the retention run must not touch while the hold stands."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sharehub.db.base import Record, UTCDateTime


class LegalHold(Record):
    __tablename__ = "legal_holds"
    __table_args__ = (Index("ix_legal_holds_record", "record_kind", "record_id"),)

    record_kind: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[uuid.UUID] = mapped_column()
    # Why (an investigation, litigation, evidence): no personal data.
    reason: Mapped[str] = mapped_column(Text)
    placed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
