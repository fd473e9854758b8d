"""Tables for information sharing protocols, their versions, parties and signatures.

A protocol is the stable identity agencies talk about ("the Harrowmere ASB
protocol"); what it says lives in numbered versions. A version's content is
frozen once it is submitted for signature, and it is never rewritten
afterwards: an amendment is a new version, so a disclosure can always be
traced to the exact text that was in force when it was made.
"""

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

from sharehub.db.base import Base, Record, SharedRecord, UTCDateTime


class Protocol(SharedRecord):
    """The record agencies edit together: every change goes through its version check."""

    __tablename__ = "protocols"

    created_by_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # The version that governs the protocol: the one in force (or last in
    # force), else the first draft. Its stored status is copied to `status`.
    current_version: Mapped[int] = mapped_column(Integer)
    # The highest version number; above current_version while an amendment is
    # being drafted or signed.
    latest_version: Mapped[int] = mapped_column(Integer)
    # Stored lifecycle status of the current version. "review_due" and
    # "expired" are never stored: they follow from the dates when read.
    status: Mapped[str] = mapped_column(String(32), index=True)

    versions: Mapped[list[ProtocolVersion]] = relationship(
        back_populates="protocol",
        lazy="selectin",
        order_by="ProtocolVersion.number",
        cascade="all, delete-orphan",
    )


class ProtocolVersion(Record):
    """One version of a protocol, under the ICO Data Sharing Code's headings."""

    __tablename__ = "protocol_versions"
    __table_args__ = (
        UniqueConstraint("protocol_id", "number", name="uq_protocol_versions_number"),
    )

    protocol_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protocols.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    # draft | awaiting_signatures | active | suspended | terminated | superseded
    # ("not yet started" is never stored: it follows from starts_on when read)
    status: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    security: Mapped[str | None] = mapped_column(Text)
    onward_sharing: Mapped[str | None] = mapped_column(Text)
    dpia_reference: Mapped[str | None] = mapped_column(String(100))
    review_date: Mapped[date] = mapped_column(Date)
    review_grace_days: Mapped[int] = mapped_column(Integer)
    # The earliest day the parties agreed it may start: in force from the later
    # of this and the last signature's day.
    starts_on: Mapped[date | None] = mapped_column(Date)
    # review_date + review_grace_days, kept so lists can filter on it in SQL.
    expires_on: Mapped[date] = mapped_column(Date, index=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # SHA-256 of the content as submitted: what every signature is a signature of.
    content_digest: Mapped[str | None] = mapped_column(String(64))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The day every party had signed: in force from then, or from starts_on if later.
    effective_from: Mapped[date | None] = mapped_column(Date, index=True)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A suspension is kept even if the version is later terminated or
    # superseded, so its status on any past day can be worked out.
    suspended_on: Mapped[date | None] = mapped_column(Date)
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspended_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    suspension_reason: Mapped[str | None] = mapped_column(Text)
    # Terminated, superseded by a newer version, or withdrawn as a draft.
    ended_on: Mapped[date | None] = mapped_column(Date)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    end_reason: Mapped[str | None] = mapped_column(Text)

    protocol: Mapped[Protocol] = relationship(back_populates="versions")
    parties: Mapped[list[ProtocolParty]] = relationship(
        back_populates="protocol_version",
        lazy="selectin",
        order_by="ProtocolParty.position",
        cascade="all, delete-orphan",
    )
    purposes: Mapped[list[ProtocolPurpose]] = relationship(
        back_populates="protocol_version",
        lazy="selectin",
        order_by="ProtocolPurpose.position",
        cascade="all, delete-orphan",
    )
    signatures: Mapped[list[ProtocolSignature]] = relationship(
        back_populates="protocol_version",
        lazy="selectin",
        order_by="ProtocolSignature.signed_at",
        cascade="all, delete-orphan",
    )


class ProtocolParty(Base):
    """An agency that is a party to one version, and its data protection role."""

    __tablename__ = "protocol_parties"

    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protocol_versions.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agencies.id"), primary_key=True, index=True
    )
    # controller | joint_controller | processor (terms.PartyRole)
    role: Mapped[str] = mapped_column(String(32))
    # The agency's type when the content was last settled: the lawful-basis
    # engine reads it, and it must not move under a signed version.
    agency_type: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    # The party's own UK GDPR Art 6 basis (terms.Article6Basis); empty on
    # versions recorded before parties had one.
    article6: Mapped[str | None] = mapped_column(String(32))
    # The party on whose behalf this one acts (Crime and Disorder Act 1998
    # s115(1)), another party to the same version.
    on_behalf_of_agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agencies.id"))
    # A social housing provider co-opted into the ASB case review group
    # (ASB, Crime and Policing Act 2014 s104).
    co_opted_for_case_reviews: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )

    protocol_version: Mapped[ProtocolVersion] = relationship(back_populates="parties")


class ProtocolPurpose(Base):
    """One coded purpose of a version, with the data categories and gateways it allows."""

    __tablename__ = "protocol_purposes"

    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protocol_versions.id", ondelete="CASCADE"), primary_key=True
    )
    # terms.Purpose
    purpose: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)
    # A list of terms.CategoryTerms, as JSON.
    categories: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # Gateway codes from protocols/gateways.toml, in the order relied on.
    gateways: Mapped[list[str]] = mapped_column(JSON)

    protocol_version: Mapped[ProtocolVersion] = relationship(back_populates="purposes")


class ProtocolSignature(Record):
    """An information governance lead's signature for their agency on one version."""

    __tablename__ = "protocol_signatures"
    __table_args__ = (
        UniqueConstraint("version_id", "agency_id", name="uq_protocol_signatures_party"),
    )

    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protocol_versions.id", ondelete="CASCADE"), index=True
    )
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    signed_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    # As they were when signing: names and titles change, a signature does not.
    signatory_name: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    content_digest: Mapped[str] = mapped_column(String(64))

    protocol_version: Mapped[ProtocolVersion] = relationship(back_populates="signatures")
