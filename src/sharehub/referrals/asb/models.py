"""Tables for ASB reports and the subjects each concerns."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sharehub.db.base import Base, SharedRecord, UTCDateTime, new_id


class AsbReport(SharedRecord):
    __tablename__ = "asb_reports"
    __encrypted__ = ("place", "narrative", "material_change")

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    # What people read and say: "ASB-2026-0042" (db/references.py).
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    incident_on: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(20), index=True)
    perceived_motivation: Mapped[str | None] = mapped_column(String(30))
    place_encrypted: Mapped[str | None] = mapped_column(Text)
    narrative_encrypted: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
    harm_level: Mapped[str | None] = mapped_column(String(10))
    assessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assessed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    close_reason: Mapped[str | None] = mapped_column(String(40))
    complainant_told_on: Mapped[date | None] = mapped_column(Date)
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    # Why it was last reopened (free text, sealed like the narrative).
    material_change_encrypted: Mapped[str | None] = mapped_column(Text)

    subjects: Mapped[list[AsbReportSubject]] = relationship(
        lazy="selectin", order_by="AsbReportSubject.position", cascade="all, delete-orphan"
    )


class AsbReportSubject(Base):
    __tablename__ = "asb_report_subjects"

    report_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("asb_reports.id", ondelete="CASCADE"), primary_key=True
    )
    subject_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("subjects.id"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(30))
    position: Mapped[int] = mapped_column(Integer)


class ResponsePolicy(SharedRecord):
    """An agency's own first-response targets, where its policy differs from
    the defaults in ``targets.py``."""

    __tablename__ = "asb_response_policies"

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), unique=True)
    # {"urgent": {"working_hours": 24}, "high": {"working_days": 1}, ...}
    targets: Mapped[dict[str, dict[str, int]]] = mapped_column(JSON)
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)
    # The agency's policy the targets come from (title, version).
    source: Mapped[str] = mapped_column(String(300))


class AsbReportEvent(Base):
    """One step in a report's life, kept so the timeline survives a reopening
    (which clears the assessment, response and closure for a fresh start)."""

    __tablename__ = "asb_report_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    report_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("asb_reports.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # logged, assessed, responded, closed, reopened, person_added
    kind: Mapped[str] = mapped_column(String(20))
    # The code the step set (a harm level, a close reason, a person's role); never free text.
    detail: Mapped[str | None] = mapped_column(String(40))
    by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
