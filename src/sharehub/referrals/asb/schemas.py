"""What the ASB report routes take and return."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Annotated, Literal

import msgspec

from sharehub.disclosure.gated import (
    Citation,
    Code,
    GatedText,
    GovernanceText,
    Reference,
    StaffName,
    View,
)
from sharehub.fields import PRINTABLE
from sharehub.privacy.redaction import PersonView
from sharehub.protocols.engine import SubjectRole

Channel = Literal["phone", "email", "letter", "in_person", "online", "other_agency"]
Category = Literal["personal", "nuisance", "environmental", "hate_incident"]
# The five monitored strands of hate crime (College of Policing, Hate Crime
# Operational Guidance), and "other".
Motivation = Literal[
    "race", "religion", "disability", "sexual_orientation", "transgender_identity", "other"
]
HarmLevel = Literal["urgent", "high", "low"]
CloseReason = Literal["behaviour_improved", "no_further_reasonable_action", "complainant_request"]
Status = Literal["open", "assessed", "closed"]
Narrative = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]


class SubjectLink(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    subject_id: uuid.UUID
    role: SubjectRole


class ReportCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    channel: Channel
    received_at: datetime | None = None
    incident_on: date
    category: Category
    perceived_motivation: Motivation | None = None
    place: Annotated[str, msgspec.Meta(min_length=1, max_length=300, pattern=PRINTABLE)] | None = (
        None
    )
    narrative: Narrative
    subjects: Annotated[list[SubjectLink], msgspec.Meta(max_length=30)] = msgspec.field(
        default_factory=list
    )


class Assessment(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The harm-centred risk assessment made with the complainant."""

    harm_level: HarmLevel


class FirstResponse(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    responded_at: datetime | None = None


class Closure(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    reason: CloseReason
    complainant_told_on: date


class Reopening(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    material_change: Annotated[str, msgspec.Meta(min_length=10, max_length=4000)]


class ReportEvent(msgspec.Struct, kw_only=True):
    """A step in the report's life: what happened, when, and who did it."""

    at: datetime
    kind: Code
    # The code the step set: a channel, harm level, close reason or person's role.
    detail: Code | None
    by: StaffName | None


class ReportView(View, kw_only=True):
    id: uuid.UUID
    # What people read and say, e.g. "ASB-2026-0042".
    reference: Reference
    version: int
    agency_id: uuid.UUID
    status: Status
    channel: Channel
    received_at: datetime
    incident_on: date
    category: Category
    perceived_motivation: Motivation | None
    place: GatedText | None
    narrative: GatedText | None
    subjects: list[PersonView]
    harm_level: HarmLevel | None
    response_due_at: datetime | None
    target_citation: Citation | None
    responded_at: datetime | None
    breached: bool
    closed_at: datetime | None
    close_reason: CloseReason | None
    complainant_told_on: date | None
    reopened: int
    material_change: GatedText | None
    next_steps: list[Code]
    # Newest first; kept across reopenings.
    history: list[ReportEvent] = msgspec.field(default_factory=list)


class ReportSummary(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    reference: Reference
    status: Status
    category: Category
    received_at: datetime
    harm_level: HarmLevel | None
    response_due_at: datetime | None
    breached: bool


class ReportPage(msgspec.Struct, kw_only=True):
    items: list[ReportSummary]
    total: int


class TargetIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One of working days (due at close of business) or working hours."""

    working_days: Annotated[int, msgspec.Meta(ge=1, le=30)] | None = None
    working_hours: Annotated[int, msgspec.Meta(ge=1, le=240)] | None = None


class ResponsePolicyIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    urgent: TargetIn
    high: TargetIn
    low: TargetIn
    opens: time = time(9)
    closes: time = time(17)
    # The agency's policy these come from, e.g. "Tenancy enforcement policy v4 (2026)".
    source: Annotated[str, msgspec.Meta(min_length=3, max_length=300, pattern=PRINTABLE)]


class ResponsePolicyView(msgspec.Struct, kw_only=True):
    agency_id: uuid.UUID
    version: int | None
    is_default: bool
    urgent: TargetIn
    high: TargetIn
    low: TargetIn
    opens: time
    closes: time
    # The title of the agency's own policy the targets come from.
    source: GovernanceText
