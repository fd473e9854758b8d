"""Tables for data subjects, consent receipts, sharing decisions, safeguarding
overrides and the disclosures the gate makes.

Every column ending ``_encrypted`` holds AES-GCM ciphertext bound to its table,
field and row (``crypto.place``); nothing here holds an identity value in
clear. Consent receipts, withdrawals and disclosures are written once and never
updated: history is a sequence of rows, not a flag that changes.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sharehub.db.base import Base, Record, SharedRecord, UTCDateTime


class Subject(SharedRecord):
    """A person, household, business or group known to an agency."""

    __tablename__ = "subjects"
    # Fields held as ciphertext (each in a ``<field>_encrypted`` column).
    __encrypted__ = (
        "name",
        "aliases",
        "date_of_birth",
        "address",
        "postcode",
        "phone",
        "email",
        "nhs_number",
        "ni_number",
    )

    holding_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    # What people read and say: "PER-2026-0042" (db/references.py); not identity.
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    # The role in which the holding agency knows them (complainant, witness…);
    # a referral records the role in that case beside it.
    role: Mapped[str] = mapped_column(String(30))
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    name_encrypted: Mapped[str] = mapped_column(Text)
    aliases_encrypted: Mapped[str | None] = mapped_column(Text)
    date_of_birth_encrypted: Mapped[str | None] = mapped_column(Text)
    address_encrypted: Mapped[str | None] = mapped_column(Text)
    postcode_encrypted: Mapped[str | None] = mapped_column(Text)
    phone_encrypted: Mapped[str | None] = mapped_column(Text)
    email_encrypted: Mapped[str | None] = mapped_column(Text)
    nhs_number_encrypted: Mapped[str | None] = mapped_column(Text)
    ni_number_encrypted: Mapped[str | None] = mapped_column(Text)
    # Set when the retention schedule removed the identity (docs/retention.md).
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SubjectIndexEntry(Record):
    """One blind-index digest of one identifier (a name, an alias, an NHS number…)."""

    __tablename__ = "subject_index"
    __table_args__ = (
        Index("ix_subject_index_lookup", "holding_agency_id", "field", "digest"),
        # The gate's hub-wide search of free text looks digests up across agencies.
        Index("ix_subject_index_digest", "digest"),
    )

    subject_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("subjects.id", ondelete="CASCADE"), index=True
    )
    holding_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    field: Mapped[str] = mapped_column(String(20))
    digest: Mapped[str] = mapped_column(String(64))


class SubjectIndexState(Base):
    """How many times the subject index has grown: what a text was found to name
    holds until someone new is indexed (privacy/recognition.py). One row."""

    __tablename__ = "subject_index_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Consent(Record):
    """A consent receipt: what the subject agreed to, with whom, and how."""

    __tablename__ = "consents"
    __encrypted__ = ("representative", "evidence_note")

    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subjects.id"), index=True)
    holding_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    purposes: Mapped[list[str]] = mapped_column(JSON)
    recipient_agency_ids: Mapped[list[str]] = mapped_column(JSON)
    # "Every party to protocol X", resolved against the version in force when used.
    recipient_protocol_ids: Mapped[list[str]] = mapped_column(JSON)
    categories: Mapped[list[str]] = mapped_column(JSON)
    how_given: Mapped[str] = mapped_column(String(20))
    # Who gave it for the subject and on what authority (given by a representative).
    representative_encrypted: Mapped[str | None] = mapped_column(Text)
    evidence_note_encrypted: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConsentWithdrawal(Record):
    __tablename__ = "consent_withdrawals"
    __encrypted__ = ("note",)

    consent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("consents.id"), unique=True)
    withdrawn_at: Mapped[datetime] = mapped_column(UTCDateTime)
    how: Mapped[str] = mapped_column(String(20))
    note_encrypted: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class SharingDecision(Record):
    """A recorded decision that identity may be shared without consent (for
    example a MARAC referral at high risk), with its reasons and basis."""

    __tablename__ = "sharing_decisions"
    __encrypted__ = ("reasons",)

    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subjects.id"), index=True)
    holding_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    purpose: Mapped[str] = mapped_column(String(40))
    recipient_agency_ids: Mapped[list[str]] = mapped_column(JSON)
    recipient_protocol_ids: Mapped[list[str]] = mapped_column(JSON)
    categories: Mapped[list[str]] = mapped_column(JSON)
    legal_basis: Mapped[str] = mapped_column(String(300))
    reasons_encrypted: Mapped[str] = mapped_column(Text)
    # What the decision was made in (a referral, a meeting), when it was.
    source_kind: Mapped[str | None] = mapped_column(String(40))
    source_id: Mapped[uuid.UUID | None] = mapped_column()
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class SafeguardingOverride(Record):
    """ "Break glass": one person reveals an identity for a limited time, with a
    written justification that the data protection officer reviews."""

    __tablename__ = "safeguarding_overrides"
    __encrypted__ = ("justification", "review_note")

    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subjects.id"), index=True)
    holding_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    justification_encrypted: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    review_outcome: Mapped[str | None] = mapped_column(String(20), index=True)
    review_note_encrypted: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Disclosure(Record):
    """One subject's data shown to another agency's viewer: what was shown and
    withheld, and why. Written in the transaction of the read it records."""

    __tablename__ = "disclosures"
    __table_args__ = (Index("ix_disclosures_created_at", "created_at"),)

    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subjects.id"), index=True)
    holding_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    viewer_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(40), index=True)
    # What was being viewed: "subject", and later a referral, meeting pack…
    context_kind: Mapped[str] = mapped_column(String(40))
    context_id: Mapped[uuid.UUID | None] = mapped_column()
    shown: Mapped[list[str]] = mapped_column(JSON)
    withheld: Mapped[list[str]] = mapped_column(JSON)
    # Why identity was shown: consent, sharing_decision, safeguarding_override,
    # protocol (the role is not protected), or none.
    basis: Mapped[str] = mapped_column(String(30))
    basis_ids: Mapped[list[str]] = mapped_column(JSON)
    # The protocol and gateway the identity decision rested on (for the audit's filters).
    protocol_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    gateway: Mapped[str | None] = mapped_column(String(60), index=True)
    # The lawful-basis engine's Decision, as given (ids, codes and citations only).
    decision: Mapped[dict[str, Any]] = mapped_column(JSON)
