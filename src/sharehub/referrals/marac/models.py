"""Tables for MARAC referrals, the people in each beside the victim and the
perpetrator, and each area's local criteria."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sharehub.db.base import Base, SharedRecord, UTCDateTime


class MaracReferral(SharedRecord):
    __tablename__ = "marac_referrals"
    __encrypted__ = ("summary", "professional_judgement", "return_reason", "resubmission_note")

    # What people read and say: "MARAC-2026-0012" (db/references.py).
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    referring_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    referred_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    referred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    area: Mapped[str] = mapped_column(String(100), index=True)
    victim_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subjects.id"), index=True)
    perpetrator_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("subjects.id"))
    incident_on: Mapped[date] = mapped_column(Date)
    # The checklist edition used and its answers, {"q01": "yes", ...}.
    checklist_version: Mapped[str] = mapped_column(String(50))
    answers: Mapped[dict[str, str]] = mapped_column(JSON)
    yes_answers: Mapped[int] = mapped_column(Integer)
    risk_band: Mapped[str] = mapped_column(String(10))
    police_incidents: Mapped[list[str]] = mapped_column(JSON)
    # The criteria as assessed, with reasons and sources, and the parameters used.
    criteria: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    parameters: Mapped[dict[str, int]] = mapped_column(JSON)
    repeat: Mapped[bool] = mapped_column(Boolean)
    previous_referral_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("marac_referrals.id"))
    victim_aware: Mapped[bool] = mapped_column(Boolean)
    consent_given: Mapped[bool] = mapped_column(Boolean)
    idva_allocated: Mapped[bool] = mapped_column(Boolean)
    idva_agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    summary_encrypted: Mapped[str] = mapped_column(Text)
    professional_judgement_encrypted: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
    screened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    screened_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    return_reason_encrypted: Mapped[str | None] = mapped_column(Text)
    resubmissions: Mapped[int] = mapped_column(Integer, default=0)
    resubmission_note_encrypted: Mapped[str | None] = mapped_column(Text)
    listed_for: Mapped[date | None] = mapped_column(Date, index=True)
    heard_on: Mapped[date | None] = mapped_column(Date)
    actions_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    close_reason: Mapped[str | None] = mapped_column(String(40))
    # The referring agency's ASB report triaged as domestic abuse that this
    # referral takes on (one referral per report); cleared when the report is
    # deleted at the end of its retention (retention/service.py).
    asb_report_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("asb_reports.id"), unique=True, index=True
    )

    # Children and other members of the household, linked so that the gate
    # protects them wherever the referral's text names them.
    household: Mapped[list[MaracReferralSubject]] = relationship(
        lazy="selectin", order_by="MaracReferralSubject.position", cascade="all, delete-orphan"
    )


class MaracReferralSubject(Base):
    """A person in the case beside the victim and the perpetrator (a child, a
    member of the household), held by the referring agency."""

    __tablename__ = "marac_referral_subjects"

    referral_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("marac_referrals.id", ondelete="CASCADE"), primary_key=True
    )
    subject_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("subjects.id"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(30))
    position: Mapped[int] = mapped_column(Integer)


class MaracAreaCriteria(SharedRecord):
    """An area's local parameters where they differ from SafeLives' defaults
    (for example escalation counted at 5 police incidents)."""

    __tablename__ = "marac_area_criteria"

    area: Mapped[str] = mapped_column(String(100), unique=True)
    visible_high_risk_yes: Mapped[int] = mapped_column(Integer)
    medium_risk_yes: Mapped[int] = mapped_column(Integer)
    escalation_incidents: Mapped[int] = mapped_column(Integer)
    escalation_months: Mapped[int] = mapped_column(Integer)
    repeat_months: Mapped[int] = mapped_column(Integer)
    # Where the local numbers come from, e.g. "Otherton MARAC operating protocol v3".
    source: Mapped[str] = mapped_column(String(300))
