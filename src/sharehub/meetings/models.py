"""Tables for meetings: who is invited, who acknowledged the statement, the
agenda, each agency's preparation, minutes with their revisions, and actions."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sharehub.db.base import Base, Record, SharedRecord, UTCDateTime


class Meeting(SharedRecord):
    __tablename__ = "meetings"
    # A room, or a video link that may carry an access code.
    __encrypted__ = ("venue", "cancel_reason")

    # What people read and say: "MTG-2026-0003" (db/references.py).
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    meeting_type: Mapped[str] = mapped_column(String(30), index=True)
    area: Mapped[str] = mapped_column(String(100), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    venue_encrypted: Mapped[str] = mapped_column(Text)
    organiser_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    coordinator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    chair_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    statement_code: Mapped[str] = mapped_column(String(40))
    statement_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)
    cancel_reason_encrypted: Mapped[str | None] = mapped_column(Text)

    agencies: Mapped[list[MeetingAgency]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="MeetingAgency.invited_at"
    )
    attendees: Mapped[list[MeetingAttendee]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="MeetingAttendee.named_at"
    )


class MeetingAgency(Base):
    """An agency invited to a meeting, and its answer (attending or apologies)."""

    __tablename__ = "meeting_agencies"

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime)
    apologies: Mapped[bool] = mapped_column(Boolean, default=False)


class MeetingAttendee(Base):
    """A person named to attend for an invited agency (minutes list them by
    agency, with whether they acknowledged the statement)."""

    __tablename__ = "meeting_attendees"

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    named_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Acknowledgement(Record):
    """One person's acknowledgement of the meeting's confidentiality statement."""

    __tablename__ = "meeting_acknowledgements"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    statement_code: Mapped[str] = mapped_column(String(40))
    statement_version: Mapped[int] = mapped_column(Integer)
    statement_sha256: Mapped[str] = mapped_column(String(64))
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AgendaItem(Record):
    """A case listed for the meeting (a referral, a case due for review) or an
    action carried over from an earlier meeting."""

    __tablename__ = "agenda_items"
    __table_args__ = (UniqueConstraint("meeting_id", "source", "source_id"),)

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    # marac_referral | mappa_referral | case_review | action
    source: Mapped[str] = mapped_column(String(30))
    source_id: Mapped[uuid.UUID] = mapped_column()
    # Why it is on the agenda: new referral, review due, action outstanding.
    reason: Mapped[str] = mapped_column(String(30))
    minutes: Mapped[int] = mapped_column(Integer)


class Contribution(SharedRecord):
    """What one invited agency holds about one case, added before the meeting."""

    __tablename__ = "meeting_contributions"
    __table_args__ = (UniqueConstraint("item_id", "agency_id"),)
    __encrypted__ = ("information",)

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True
    )
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    known_to_agency: Mapped[bool] = mapped_column(Boolean)
    last_contact_on: Mapped[date | None] = mapped_column(Date)
    # Risk codes from meetings/risks.py.
    risks: Mapped[list[str]] = mapped_column(JSON)
    information_encrypted: Mapped[str | None] = mapped_column(Text)

    subjects: Mapped[list[ContributionSubject]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="ContributionSubject.position"
    )


class ContributionSubject(Base):
    __tablename__ = "meeting_contribution_subjects"

    contribution_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meeting_contributions.id", ondelete="CASCADE"), primary_key=True
    )
    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("subjects.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(30))
    position: Mapped[int] = mapped_column(Integer)


class Minutes(SharedRecord):
    """A revision of a meeting's minutes: 0 is the original, each amendment the
    next. A draft is edited; approval by the chair locks it for good."""

    __tablename__ = "meeting_minutes"
    __table_args__ = (UniqueConstraint("meeting_id", "revision"),)
    __encrypted__ = ("entries", "amendment_reason")

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    revision: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    # Agencies present (the minutes go to them) and those that sent apologies.
    present: Mapped[list[str]] = mapped_column(JSON)
    # The per-case entries as JSON ({"<item id>": {"information": [{"agency_id",
    # "text"}], "risks", "decisions", "level"}}), sealed as one field.
    entries_encrypted: Mapped[str] = mapped_column(Text)
    amendment_reason_encrypted: Mapped[str | None] = mapped_column(Text)
    approved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    content_sha256: Mapped[str | None] = mapped_column(String(64))


class OnwardSharing(Record):
    """A request that an agency not present may have the minutes, and whether it
    was granted: by the chair where the rule for the meeting's purpose says so,
    else once every agency whose information they hold has agreed."""

    __tablename__ = "meeting_onward_sharing"
    __table_args__ = (UniqueConstraint("meeting_id", "agency_id"),)
    __encrypted__ = ("reason",)

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    # requested | agreed (the recipient reads the minutes) | refused
    state: Mapped[str] = mapped_column(String(20))
    requested_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The chair, or the person whose agreement completed the owners' agreement.
    agreed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason_encrypted: Mapped[str] = mapped_column(Text)

    answers: Mapped[list[OnwardSharingAnswer]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="OnwardSharingAnswer.answered_at"
    )


class OnwardSharingAnswer(Record):
    """One agency's answer to a request, for the information of its that the
    minutes hold: agreed, or refused with its reason."""

    __tablename__ = "meeting_onward_sharing_answers"
    __table_args__ = (UniqueConstraint("sharing_id", "agency_id"),)
    __encrypted__ = ("reason",)

    sharing_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meeting_onward_sharing.id", ondelete="CASCADE"), index=True
    )
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"))
    answer: Mapped[str] = mapped_column(String(20))  # agreed | refused
    answered_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason_encrypted: Mapped[str | None] = mapped_column(Text)


class Action(SharedRecord):
    """An action agreed at a meeting: owned by one agency, due on a date, worked
    until done and carried onto the next meeting's agenda until then."""

    __tablename__ = "meeting_actions"
    __encrypted__ = ("description",)

    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meetings.id"), index=True)
    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agenda_items.id"))
    minutes_revision: Mapped[int] = mapped_column(Integer)
    owner_agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id"), index=True)
    description_encrypted: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    completed_on: Mapped[date | None] = mapped_column(Date)


class ActionUpdate(Record):
    __tablename__ = "meeting_action_updates"
    __encrypted__ = ("note",)

    action_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meeting_actions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20))
    note_encrypted: Mapped[str] = mapped_column(Text)
