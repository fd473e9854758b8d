"""Tables for MAPPA referrals, the people at risk from each offender, their
level decisions and the agencies invited."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sharehub.db.base import Base, Record, SharedRecord, UTCDateTime


class MappaReferral(SharedRecord):
    """A MAPPA A referral of one offender, held by the referring agency."""

    __tablename__ = "mappa_referrals"
    # Free text and the restricted identifiers, sealed like identity fields.
    __encrypted__ = (
        "summary",
        "proposed_level_reason",
        "visor_ref",
        "pnc_id",
        "crn",
        "return_reason",
        "close_note",
    )

    # What people read and say: "MAPPA-2026-0003" (db/references.py).
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    referred_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    offender_subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subjects.id"), index=True)
    # The MAPPA area, as the referring agency names it; area_key is lower-cased
    # so that coordinators' areas match on every database.
    area: Mapped[str] = mapped_column(String(100))
    area_key: Mapped[str] = mapped_column(String(100), index=True)
    category: Mapped[int] = mapped_column(Integer)
    proposed_level: Mapped[int] = mapped_column(Integer)
    proposed_level_reason_encrypted: Mapped[str] = mapped_column(Text)
    summary_encrypted: Mapped[str] = mapped_column(Text)
    visor_ref_encrypted: Mapped[str | None] = mapped_column(Text)
    pnc_id_encrypted: Mapped[str | None] = mapped_column(Text)
    crn_encrypted: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resubmitted: Mapped[int] = mapped_column(Integer, default=0)
    screened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    screened_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    return_reason_encrypted: Mapped[str | None] = mapped_column(Text)
    # The level agreed and in force, and when it must next be reviewed.
    level: Mapped[int | None] = mapped_column(Integer)
    next_review_on: Mapped[date | None] = mapped_column(Date, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    close_reason: Mapped[str | None] = mapped_column(String(40))
    close_note_encrypted: Mapped[str | None] = mapped_column(Text)

    decisions: Mapped[list[MappaLevelDecision]] = relationship(
        lazy="selectin", order_by="MappaLevelDecision.sequence", cascade="all, delete-orphan"
    )
    invitations: Mapped[list[MappaInvitation]] = relationship(
        lazy="selectin", order_by="MappaInvitation.invited_at", cascade="all, delete-orphan"
    )
    # Victims and other people at risk, linked so that the gate protects them
    # wherever the referral's text (or a meeting's) names them.
    people_at_risk: Mapped[list[MappaReferralSubject]] = relationship(
        lazy="selectin", order_by="MappaReferralSubject.position", cascade="all, delete-orphan"
    )


class MappaReferralSubject(Base):
    """A person at risk from the offender (a victim, a child, a member of the
    household), held by the referring agency."""

    __tablename__ = "mappa_referral_subjects"

    referral_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mappa_referrals.id", ondelete="CASCADE"), primary_key=True
    )
    subject_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("subjects.id"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(30))
    position: Mapped[int] = mapped_column(Integer)


class MappaLevelDecision(Record):
    """One level decision: the level first agreed, or a review's outcome.
    Written once; the referral's level history is these rows in order."""

    __tablename__ = "mappa_level_decisions"
    __table_args__ = (UniqueConstraint("referral_id", "sequence"),)
    __encrypted__ = ("reason",)

    referral_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mappa_referrals.id", ondelete="CASCADE"), index=True
    )
    sequence: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # agreed | review
    level: Mapped[int] = mapped_column(Integer)
    previous_level: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(10))  # agreed | confirmed | changed
    reason_encrypted: Mapped[str] = mapped_column(Text)
    decided_on: Mapped[date] = mapped_column(Date)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    next_review_on: Mapped[date | None] = mapped_column(Date)
    # The guidance the interval came from, as it read when the decision was made.
    review_citation: Mapped[str | None] = mapped_column(String(300))


class MappaInvitation(Base):
    """A duty-to-co-operate agency (or another responsible authority) invited to the case."""

    __tablename__ = "mappa_invitations"

    referral_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mappa_referrals.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agencies.id"), primary_key=True, index=True
    )
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime)
    invited_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
