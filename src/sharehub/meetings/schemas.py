"""What the meeting routes take and return.

Requests take plain strings. Responses carry free text a practitioner wrote,
and anything that identifies a case's people, only as the disclosure gate's
``GatedText`` (in structs that derive from ``View``); every other string is
declared as one of the non-personal kinds of ``sharehub.disclosure.gated``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from sharehub.disclosure.gated import (
    AgencyName,
    Citation,
    Code,
    Configuration,
    Explanation,
    GatedText,
    GovernanceText,
    Reference,
    StaffName,
    View,
)
from sharehub.fields import PRINTABLE
from sharehub.meetings.risks import RiskCode
from sharehub.meetings.types import MeetingType
from sharehub.privacy.redaction import PersonView
from sharehub.protocols.engine import SubjectRole

Status = Literal["scheduled", "held", "cancelled"]
ActionStatus = Literal["open", "in_progress", "done", "cancelled"]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]
Reason = Annotated[str, msgspec.Meta(min_length=10, max_length=4000)]
Area = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=PRINTABLE)]


class MeetingCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    meeting_type: MeetingType
    area: Area
    starts_at: datetime
    venue: Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=PRINTABLE)]
    chair_id: uuid.UUID
    agencies: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=40)]
    # People named to attend, each from an agency invited (more can be named later).
    attendees: Annotated[list[uuid.UUID], msgspec.Meta(max_length=100)] = msgspec.field(
        default_factory=list
    )


class Invitation(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    agency_id: uuid.UUID


class AttendeeIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    user_id: uuid.UUID


class AttendeeView(msgspec.Struct, kw_only=True):
    user_id: uuid.UUID
    name: StaffName
    agency_id: uuid.UUID
    # When they acknowledged the confidentiality statement ("statement signed").
    acknowledged_at: datetime | None


class Apologies(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    apologies: bool = True


class Acknowledging(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The SHA-256 of the statement text read: proof it was this wording."""

    statement_sha256: Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]


class Cancellation(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    reason: Reason


class AgencyAtMeeting(msgspec.Struct, kw_only=True):
    agency_id: uuid.UUID
    name: AgencyName
    apologies: bool
    # Sent information for at least one case (whether or not attending).
    contributed: bool


class MeetingView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    reference: Reference
    version: int
    meeting_type: MeetingType
    area: Configuration
    starts_at: datetime
    # A room, or a video link: the meeting's arrangements, never a case's.
    venue: GovernanceText
    status: Status
    organiser_agency_id: uuid.UUID
    coordinator_id: uuid.UUID
    chair_id: uuid.UUID
    agencies: list[AgencyAtMeeting]
    attendees: list[AttendeeView]
    statement_code: Code
    statement_version: int
    acknowledged: bool
    next_steps: list[Code]


class MeetingSummary(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    reference: Reference
    meeting_type: MeetingType
    area: Configuration
    starts_at: datetime
    status: Status


class MeetingPage(msgspec.Struct, kw_only=True):
    items: list[MeetingSummary]
    total: int


class StatementView(msgspec.Struct, kw_only=True):
    """A confidentiality statement from the hub's own file (statements.toml)."""

    code: Code
    version: int
    title: GovernanceText
    citation: Citation
    text: GovernanceText
    sha256: Reference
    acknowledged_at: datetime | None


class AcknowledgementView(msgspec.Struct, kw_only=True):
    user_id: uuid.UUID
    agency_id: uuid.UUID
    statement_version: int
    statement_sha256: Reference
    acknowledged_at: datetime


# --- agenda ------------------------------------------------------------------------------


class AgendaSlot(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    item_id: uuid.UUID
    minutes: Annotated[int, msgspec.Meta(ge=1, le=240)]


class AgendaOrder(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Every item, in the order wanted, with its time."""

    items: Annotated[list[AgendaSlot], msgspec.Meta(max_length=200)]


class SubjectLink(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    subject_id: uuid.UUID
    role: SubjectRole


class ContributionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    known_to_agency: bool
    last_contact_on: date | None = None
    risks: Annotated[list[RiskCode], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )
    information: Text | None = None
    subjects: Annotated[list[SubjectLink], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )


class ContributionView(View, kw_only=True):
    id: uuid.UUID
    version: int
    agency_id: uuid.UUID
    agency_name: AgencyName
    known_to_agency: bool
    last_contact_on: date | None
    risks: list[Code]  # codes of meetings/risks.py
    information: GatedText | None
    people: list[PersonView]


class CaseView(View, kw_only=True):
    """A case as one agency sees it: built by the disclosure gate."""

    item_id: uuid.UUID
    position: int
    reference: Reference  # e.g. "MARAC-2026-0012", never a name
    source: Code
    source_id: uuid.UUID
    holder_agency_id: uuid.UUID | None
    # Why nothing of the case is shown (no protocol in force with the holder).
    withheld: Explanation | None
    people: list[PersonView]
    texts: dict[Code, GatedText | None]
    # Facts the hub states from the record's codes, dates and counts (criteria
    # met, risk band, level, an action's owning agency): they name nobody.
    facts: dict[Explanation, Explanation]
    contributions: list[ContributionView]


class AgendaItemView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    position: int
    source: Code
    source_id: uuid.UUID
    reason: Code
    minutes: int
    starts_after_minutes: int
    overdue: bool


class AgendaView(msgspec.Struct, kw_only=True):
    meeting_id: uuid.UUID
    version: int
    items: list[AgendaItemView]
    total_minutes: int


# --- minutes and actions ---------------------------------------------------------------------


class InformationShared(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    agency_id: uuid.UUID
    text: Text


class ActionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    owner_agency_id: uuid.UUID
    description: Annotated[str, msgspec.Meta(min_length=3, max_length=2000)]
    due_on: date


class MinuteEntryIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    item_id: uuid.UUID
    information: Annotated[list[InformationShared], msgspec.Meta(max_length=40)] = msgspec.field(
        default_factory=list
    )
    risks: Text | None = None
    decisions: Text | None = None
    # A MAPPA meeting's decision on the management level.
    level: Annotated[int, msgspec.Meta(ge=1, le=3)] | None = None
    actions: Annotated[list[ActionIn], msgspec.Meta(max_length=40)] = msgspec.field(
        default_factory=list
    )


class MinutesIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    present: Annotated[list[uuid.UUID], msgspec.Meta(max_length=40)]
    entries: Annotated[list[MinuteEntryIn], msgspec.Meta(max_length=200)]


class Amendment(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    reason: Reason


class OnwardSharingIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    agency_id: uuid.UUID
    reason: Reason


class OnwardSharingRefusal(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    reason: Reason


class OwnerAnswerView(msgspec.Struct, kw_only=True):
    """One agency whose information the minutes hold, and its answer."""

    agency_id: uuid.UUID
    agency_name: AgencyName
    answer: Literal["agreed", "refused", "awaiting"]
    answered_by: uuid.UUID | None
    answered_at: datetime | None


class OnwardSharingView(msgspec.Struct, kw_only=True):
    """A request that an agency not present may have the approved minutes: who
    must agree (the law table's rule for the meeting's purpose), each owning
    agency's answer, and whether it is granted."""

    meeting_id: uuid.UUID
    agency_id: uuid.UUID
    agency_name: AgencyName
    state: Literal["requested", "agreed", "refused"]
    agreement: Literal["chair", "information_owners"]
    rule: Explanation
    citation: Citation
    requested_by: uuid.UUID
    requested_at: datetime
    agreed_by: uuid.UUID | None
    agreed_at: datetime | None
    # Empty where the chair agrees.
    owners: list[OwnerAnswerView]
    # What must come first, while the request waits.
    waiting_for: Explanation | None


class InformationView(View, kw_only=True):
    agency_id: uuid.UUID
    text: GatedText | None


class ActionView(View, kw_only=True):
    id: uuid.UUID
    version: int
    meeting_id: uuid.UUID
    item_id: uuid.UUID
    owner_agency_id: uuid.UUID
    # Null in lists: reading one action builds its wording through the gate.
    description: GatedText | None
    due_on: date
    status: ActionStatus
    completed_on: date | None
    overdue: bool


class ProposedActionView(View, kw_only=True):
    """An action proposed in draft minutes, not yet agreed (no id until approval)."""

    owner_agency_id: uuid.UUID
    description: GatedText | None
    due_on: date


class MinuteEntryView(View, kw_only=True):
    item_id: uuid.UUID
    information: list[InformationView]
    risks: GatedText | None
    decisions: GatedText | None
    level: int | None
    actions: list[ActionView]
    # Actions proposed in a draft, not yet agreed (no id until approval).
    proposed_actions: list[ProposedActionView]


class MinutesView(View, kw_only=True):
    meeting_id: uuid.UUID
    revision: int
    version: int
    status: Literal["draft", "approved"]
    present: list[uuid.UUID]
    apologies: list[uuid.UUID]
    attendees: list[AttendeeView]
    entries: list[MinuteEntryView]
    amendment_reason: GatedText | None
    approved_by: uuid.UUID | None
    approved_at: datetime | None
    content_sha256: Reference | None
    marking: Code  # the Government Security Classification


class ActionProgress(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    status: ActionStatus
    note: Annotated[str, msgspec.Meta(min_length=3, max_length=4000)]


class ActionPage(msgspec.Struct, kw_only=True):
    items: list[ActionView]
    total: int
