"""Tables for ASB case reviews: areas' procedures, applications with their
complaints, information requests to the relevant bodies, and recommendations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sharehub.db.base import Base, SharedRecord, UTCDateTime


class CaseReviewProcedure(SharedRecord):
    """An area's review procedure, where it differs from the defaults (``rules.py``)."""

    __tablename__ = "case_review_procedures"

    area: Mapped[str] = mapped_column(String(100))
    # Lower-cased, so that one area has one procedure whatever the case.
    area_key: Mapped[str] = mapped_column(String(100), unique=True)
    qualifying_complaints: Mapped[int] = mapped_column(Integer)
    hate_incident_complaints: Mapped[int] = mapped_column(Integer)
    complaint_within_months: Mapped[int] = mapped_column(Integer)
    application_within_months: Mapped[int] = mapped_column(Integer)
    acknowledge_working_days: Mapped[int] = mapped_column(Integer)
    decision_working_days: Mapped[int] = mapped_column(Integer)
    meeting_working_days: Mapped[int] = mapped_column(Integer)
    # Where a dissatisfied applicant's request goes (Sch 4 para 3), e.g. the PCC.
    escalation_route: Mapped[str] = mapped_column(String(500))
    # The published procedure the numbers come from (title, version).
    source: Mapped[str] = mapped_column(String(300))
    set_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # The agency that receives the area's online applications and holds them
    # (None: the one council serving the area, if there is exactly one; see
    # ``online.receiving_agency``).
    online_receiving_agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))


class CaseReview(SharedRecord):
    """One application for an ASB case review and the review that follows."""

    __tablename__ = "case_reviews"
    __encrypted__ = (
        "victim_name",
        "representative_name",
        "representative_relationship",
        "narrative",
        "discretion_reasons",
        "outcome_summary",
        "escalation_reason",
    )

    # What people read and say: "ACR-2026-0003" (db/references.py).
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    # The agency that received the application; it holds the record.
    receiving_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    # None: recorded by an agency system or the online form (``received_online``).
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # The applicant applied on the public online form (``online.py``), not
    # through a member of staff.
    received_online: Mapped[bool] = mapped_column(Boolean, server_default=false())
    area: Mapped[str] = mapped_column(String(100))
    area_key: Mapped[str] = mapped_column(String(100), index=True)
    received_on: Mapped[date] = mapped_column(Date, index=True)
    applicant_type: Mapped[str] = mapped_column(String(20))
    victim_type: Mapped[str] = mapped_column(String(20))
    victim_subject_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("subjects.id"), index=True
    )
    # A business or group named without a subject record.
    victim_name_encrypted: Mapped[str | None] = mapped_column(Text)
    # The representative who applied for the victim, recorded as a subject the
    # receiving agency holds (role "representative", protected by the gate).
    representative_subject_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("subjects.id"), index=True
    )
    # Applications recorded before the representative was a subject keep the
    # name here, shown to the receiving agency only.
    representative_name_encrypted: Mapped[str | None] = mapped_column(Text)
    representative_relationship_encrypted: Mapped[str | None] = mapped_column(Text)
    # The victim's consent a representative applied with.
    consent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("consents.id"))
    narrative_encrypted: Mapped[str] = mapped_column(Text)
    # The area's procedure when the application was received: it governs this
    # review even if the area changes its procedure later.
    procedure: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(30), index=True)

    threshold_met: Mapped[bool] = mapped_column(Boolean)
    # The threshold criteria as computed: [{code, met, reason, citation}, ...].
    threshold_reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    decision: Mapped[str | None] = mapped_column(String(20))  # threshold_met|accepted|declined
    decided_by_kind: Mapped[str | None] = mapped_column(String(20))  # threshold|coordinator
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decided_on: Mapped[date | None] = mapped_column(Date, index=True)
    decision_reasons: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    discretion_reasons_encrypted: Mapped[str | None] = mapped_column(Text)

    acknowledge_due_on: Mapped[date] = mapped_column(Date)
    acknowledged_on: Mapped[date | None] = mapped_column(Date)
    decision_due_on: Mapped[date | None] = mapped_column(Date)
    meeting_due_on: Mapped[date | None] = mapped_column(Date)
    review_held_on: Mapped[date | None] = mapped_column(Date, index=True)
    outcome_recorded_on: Mapped[date | None] = mapped_column(Date)
    outcome_summary_encrypted: Mapped[str | None] = mapped_column(Text)
    applicant_told_decision_on: Mapped[date | None] = mapped_column(Date)
    applicant_told_outcome_on: Mapped[date | None] = mapped_column(Date)
    escalated_on: Mapped[date | None] = mapped_column(Date)
    escalation_reason_encrypted: Mapped[str | None] = mapped_column(Text)
    escalation_route: Mapped[str | None] = mapped_column(String(500))
    closed_on: Mapped[date | None] = mapped_column(Date)

    complaints: Mapped[list[CaseReviewComplaint]] = relationship(
        lazy="selectin", order_by="CaseReviewComplaint.position", cascade="all, delete-orphan"
    )
    information_requests: Mapped[list[InformationRequest]] = relationship(
        lazy="selectin", order_by="InformationRequest.position", cascade="all, delete-orphan"
    )
    recommendations: Mapped[list[Recommendation]] = relationship(
        lazy="selectin", order_by="Recommendation.position", cascade="all, delete-orphan"
    )


class CaseReviewComplaint(Base):
    """One complaint the application rests on, and whether it qualified."""

    __tablename__ = "case_review_complaints"

    case_review_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_reviews.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    behaviour_on: Mapped[date] = mapped_column(Date)
    complained_on: Mapped[date] = mapped_column(Date)
    # None: the applicant did not know which body they complained to (an
    # online application's "I'm not sure"); the coordinator finds out.
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    hate_incident: Mapped[bool] = mapped_column(Boolean)
    asb_report_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("asb_reports.id"))
    qualifies: Mapped[bool] = mapped_column(Boolean)


class InformationRequest(SharedRecord):
    """A request to one body for information (Schedule 4, paragraph 7), and its one answer."""

    __tablename__ = "case_review_requests"
    __table_args__ = (UniqueConstraint("case_review_id", "agency_id"),)
    __encrypted__ = ("response",)

    case_review_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_reviews.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    # The body's type when asked: whether it is a relevant body or co-opted.
    agency_type: Mapped[str] = mapped_column(String(64))
    requested_on: Mapped[date] = mapped_column(Date)
    requested_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    responded_on: Mapped[date | None] = mapped_column(Date)
    responded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    response_encrypted: Mapped[str | None] = mapped_column(Text)

    subjects: Mapped[list[ResponseSubject]] = relationship(
        lazy="selectin", order_by="ResponseSubject.position", cascade="all, delete-orphan"
    )


class ResponseSubject(Base):
    """A subject the responding body holds, linked to its answer."""

    __tablename__ = "case_review_answer_subjects"

    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_review_requests.id", ondelete="CASCADE"), primary_key=True
    )
    subject_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("subjects.id"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(30))
    position: Mapped[int] = mapped_column(Integer)


class Recommendation(SharedRecord):
    """A recommendation of the review to a named body, and that body's response."""

    __tablename__ = "case_review_recommendations"
    __encrypted__ = ("recommendation", "response")

    case_review_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_reviews.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    recommendation_encrypted: Mapped[str] = mapped_column(Text)
    responded_on: Mapped[date | None] = mapped_column(Date)
    responded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    response_encrypted: Mapped[str | None] = mapped_column(Text)


class OnlineApplicationCount(Base):
    """How many online applications were recorded in one window, for one
    client address (by a keyed digest: never the address itself) or one area.
    Counted in the transaction of the application, so every worker shares the
    count and a refused application counts nothing. Rows whose window has
    ended are deleted as applications come in (``online.count_application``)."""

    __tablename__ = "case_review_online_counts"

    # "address_hour", "address_day" or "area_day".
    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    # The client address's HMAC digest (the blind index key), or the area's key.
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    window_ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    count: Mapped[int] = mapped_column(Integer)
