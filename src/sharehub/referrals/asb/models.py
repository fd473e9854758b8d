"""Tables for ASB reports and the subjects each concerns."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sharehub.db.base import Base, Record, SharedRecord, UTCDateTime, new_id


class AsbReport(SharedRecord):
    __tablename__ = "asb_reports"
    __encrypted__ = (
        "place",
        "narrative",
        "material_change",
        "triage_note",
        "police_reported_to",
        "police_reference",
        "closure_explanation",
    )

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

    # Triage (triage.py): dealt with as ASB, not ASB (closed, signposted), or
    # the domestic abuse route. Empty until triaged.
    triage_outcome: Mapped[str | None] = mapped_column(String(20))
    triage_definitions: Mapped[list[str] | None] = mapped_column(JSON)
    not_asb_matter: Mapped[str | None] = mapped_column(String(60))
    signposted_to: Mapped[str | None] = mapped_column(String(40))
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    triaged_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    triage_note_encrypted: Mapped[str | None] = mapped_column(Text)
    # Criminal behaviour or hate crime reported on to the police: when and to whom.
    police_reported_on: Mapped[date | None] = mapped_column(Date)
    police_reported_to_encrypted: Mapped[str | None] = mapped_column(Text)
    police_reference_encrypted: Mapped[str | None] = mapped_column(Text)
    # At closure: what the complainant was told and why, and whether the ASB
    # case review was offered; afterwards, their satisfaction (TSM TP12).
    closure_explanation_encrypted: Mapped[str | None] = mapped_column(Text)
    case_review_offered: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    satisfaction: Mapped[str | None] = mapped_column(String(30))
    satisfaction_asked_on: Mapped[date | None] = mapped_column(Date)

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
    # How often its open ASB cases are reviewed, in days; None: the hub's
    # default (casework.toml [review].every_days).
    case_review_every_days: Mapped[int | None] = mapped_column(Integer)


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


class AsbRiskAssessment(Record):
    """One completed risk assessment (risk_tool.py), first or a reassessment:
    the tool version, the answers and what they scored, the level set (higher
    only with a person's reasons), and the vulnerability and support needs of
    the complainant and, separately, of the alleged perpetrator."""

    __tablename__ = "asb_risk_assessments"
    __encrypted__ = ("judgement", "complainant_support", "perpetrator_support")

    report_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("asb_reports.id", ondelete="CASCADE"), index=True
    )
    tool: Mapped[str] = mapped_column(String(60))  # "code/version"
    answers: Mapped[dict[str, str]] = mapped_column(JSON)
    score: Mapped[int] = mapped_column(Integer)
    scored_level: Mapped[str] = mapped_column(String(10))
    level: Mapped[str] = mapped_column(String(10))
    judgement_encrypted: Mapped[str | None] = mapped_column(Text)
    complainant_needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    complainant_support_encrypted: Mapped[str | None] = mapped_column(Text)
    perpetrator_needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    perpetrator_support_encrypted: Mapped[str | None] = mapped_column(Text)
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    assessed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class TriagePolicy(SharedRecord):
    """An agency's own list of matters it does not deal with as ASB: chosen
    from the catalogue in triage.toml, and its own, each with where it points."""

    __tablename__ = "asb_triage_policies"

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), unique=True)
    # Codes from triage.toml's not_asb catalogue.
    matters: Mapped[list[str]] = mapped_column(JSON)
    # [{"code": "own_1", "words": ..., "signpost": ...}]
    own_matters: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(300))


class AsbCase(SharedRecord):
    """A case opened from one or more reports: its officer, the action plan
    agreed with the complainant (how and how often they are contacted), and
    when it is next reviewed. What happens in it is its entries."""

    __tablename__ = "asb_cases"

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    # What people read and say: "CASE-2026-0007" (db/references.py).
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)  # open | closed
    case_officer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    review_every_days: Mapped[int] = mapped_column(Integer)
    next_review_on: Mapped[date] = mapped_column(Date, index=True)
    plan_agreed_on: Mapped[date | None] = mapped_column(Date)
    contact_method: Mapped[str | None] = mapped_column(String(20))
    contact_every_days: Mapped[int | None] = mapped_column(Integer)
    next_contact_on: Mapped[date | None] = mapped_column(Date, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    close_reason: Mapped[str | None] = mapped_column(String(40))

    reports: Mapped[list[AsbCaseReport]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="AsbCaseReport.position"
    )


class AsbCaseReport(Base):
    __tablename__ = "asb_case_reports"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("asb_cases.id", ondelete="CASCADE"), primary_key=True
    )
    # A report belongs to one case at most.
    report_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("asb_reports.id", ondelete="CASCADE"), primary_key=True, unique=True
    )
    position: Mapped[int] = mapped_column(Integer)


class AsbCaseEntry(Record):
    """One thing in a case, by kind: an action in the plan (owner, due, done),
    a contact with the complainant, a diary sheet entry, an intervention, a
    proportionality review, or a case review. Numbered per case and kind in
    the order made ("action 2"), so no page needs an id."""

    __tablename__ = "asb_case_entries"
    __encrypted__ = ("text",)

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("asb_cases.id", ondelete="CASCADE"), index=True
    )
    # action | contact | diary | intervention | proportionality_review | review
    kind: Mapped[str] = mapped_column(String(30))
    number: Mapped[int] = mapped_column(Integer)
    entry_date: Mapped[date] = mapped_column(Date)
    # The entry's code: an action's owner, a contact's method, an
    # intervention's kind, a review's outcome, "proceed"/"do_not_proceed".
    code: Mapped[str | None] = mapped_column(String(40))
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    due_on: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    text_encrypted: Mapped[str | None] = mapped_column(Text)
    by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class AsbEvidenceRequest(Record):
    """A case officer's request to a partner agency for information about the
    case, and the partner's answer. The question leaves the asking agency, and
    the answer the partner's, only through the disclosure gate."""

    __tablename__ = "asb_evidence_requests"
    __encrypted__ = ("question", "answer")

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("asb_cases.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)  # per case: "request 2"
    asking_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    asked_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    asked_on: Mapped[date] = mapped_column(Date)
    # request: the case officer asks and the partner answers (by due_on);
    # disclosure: the case officer tells the partner, and nothing is asked.
    kind: Mapped[str] = mapped_column(String(12), default="request", server_default="request")
    due_on: Mapped[date | None] = mapped_column(Date)
    # What is asked, or (a disclosure) what the partner is told.
    question_encrypted: Mapped[str] = mapped_column(Text)
    # asked | answered | declined | shared
    status: Mapped[str] = mapped_column(String(20))
    answer_encrypted: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    answered_on: Mapped[date | None] = mapped_column(Date)


class AsbAttachment(SharedRecord):
    """A document or image attached to a report or a case (attachments.py):
    the file itself is kept encrypted outside the database (sharehub/files.py),
    and this row says what it is, its hash, whether it may be shown to a
    partner, and, for CCTV, when it is deleted unless kept as evidence."""

    __tablename__ = "asb_attachments"
    __encrypted__ = ("filename", "description", "evidence_note")
    __table_args__ = (
        CheckConstraint("(report_id IS NULL) <> (case_id IS NULL)", name="one_owner"),
        UniqueConstraint("report_id", "number"),
        UniqueConstraint("case_id", "number"),
    )

    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    # One of the two: the report or the case it is attached to.
    report_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("asb_reports.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("asb_cases.id", ondelete="CASCADE"), index=True
    )
    # Per report or case, in the order attached: "attachment 3".
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))  # attachments.toml kinds
    file_type: Mapped[str] = mapped_column(String(20))  # attachments.toml types
    size: Mapped[int] = mapped_column(Integer)
    # SHA-256 of the file as kept, and of the file as received (before image
    # metadata was removed), both on the ledger.
    sha256: Mapped[str] = mapped_column(String(64))
    received_sha256: Mapped[str] = mapped_column(String(64))
    filename_encrypted: Mapped[str] = mapped_column(Text)
    description_encrypted: Mapped[str | None] = mapped_column(Text)
    shareable: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # CCTV: when it was recorded, and when it is deleted unless kept as evidence.
    recorded_on: Mapped[date | None] = mapped_column(Date)
    delete_on: Mapped[date | None] = mapped_column(Date, index=True)
    # Kept as evidence of a named incident: a report (in the case).
    evidence_report_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("asb_reports.id", ondelete="SET NULL")
    )
    evidence_note_encrypted: Mapped[str | None] = mapped_column(Text)
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
