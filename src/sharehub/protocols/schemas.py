"""What the protocol API takes and returns.

The coded vocabulary (purposes, data categories, Article 6 bases, Schedule 1
conditions, party roles, statuses) is the one in ``protocols/terms.py``, which
the lawful-basis engine reads too.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Annotated

import msgspec

from sharehub.agencies.types import AgencyType
from sharehub.disclosure.gated import AgencyName, Code, GovernanceText, Reference, StaffName
from sharehub.fields import PARAGRAPHS, PRINTABLE, Name
from sharehub.protocols.terms import (
    Article6Basis,
    DataCategory,
    PartyRole,
    Purpose,
    Schedule1Condition,
)

Title = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=200,
        pattern=PRINTABLE,
        description="What the protocol is called",
        examples=["Harrowmere anti-social behaviour information sharing protocol"],
    ),
]
Paragraphs = Annotated[
    str,
    msgspec.Meta(
        min_length=1, max_length=4000, pattern=PARAGRAPHS, description="Text; line breaks allowed"
    ),
]
DpiaReference = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=100,
        pattern=PRINTABLE,
        description="The reference of the data protection impact assessment",
        examples=["DPIA-2026-014"],
    ),
]
RetentionDays = Annotated[
    int, msgspec.Meta(ge=1, le=36_500, description="Days the recipient may keep the data")
]
GraceDays = Annotated[
    int,
    msgspec.Meta(
        ge=0,
        le=365,
        description="Days after the review date before the protocol stops authorising sharing",
    ),
]
GatewayCode = Annotated[
    Code,
    msgspec.Meta(
        min_length=1,
        max_length=64,
        pattern=r"^[a-z0-9_]+$",
        description="A gateway code from the hub's legal gateways file",
        examples=["cda1998_s115"],
    ),
]
Reason = Annotated[
    str, msgspec.Meta(min_length=1, max_length=1000, pattern=PRINTABLE, description="Why")
]


class VersionStatus(enum.StrEnum):
    """A version's status: terms.ProtocolStatus, plus "superseded" for a version
    an amendment has replaced."""

    DRAFT = "draft"
    AWAITING_SIGNATURES = "awaiting_signatures"
    NOT_YET_STARTED = "not_yet_started"
    ACTIVE = "active"
    REVIEW_DUE = "review_due"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"


class PartyInvite(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    agency_id: uuid.UUID
    role: PartyRole = PartyRole.CONTROLLER
    # The party's own UK GDPR Art 6 basis; left out, public task for a public
    # authority and legitimate interests for anyone else.
    article6: Article6Basis | None = None
    # Another party to the version on whose behalf this one acts (Crime and
    # Disorder Act 1998 s115(1)), e.g. a charity delivering the council's IDVA service.
    on_behalf_of: uuid.UUID | None = None
    # A social housing provider co-opted into the ASB case review group (ASB,
    # Crime and Policing Act 2014 s104).
    co_opted_for_case_reviews: bool = False


Parties = Annotated[list[PartyInvite], msgspec.Meta(max_length=50)]


class CategoryAllowed(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One category of data a purpose allows, its legal basis and how long it is kept."""

    category: DataCategory
    article6: Article6Basis
    # Required for special category and criminal offence data, refused otherwise.
    schedule1: Schedule1Condition | None = None
    retention_days: RetentionDays


class PurposeAllowed(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    purpose: Purpose
    categories: Annotated[list[CategoryAllowed], msgspec.Meta(min_length=1, max_length=20)]
    gateways: Annotated[list[GatewayCode], msgspec.Meta(min_length=1, max_length=10)]


Purposes = Annotated[list[PurposeAllowed], msgspec.Meta(max_length=20)]


class ProtocolCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    title: Title
    review_date: date
    # The earliest day it may start, if later than the last signature.
    starts_on: date | None = None
    review_grace_days: GraceDays = 30
    # An information governance lead's own agency is added as a controller if left out.
    parties: Parties = msgspec.field(default_factory=list)
    purposes: Purposes = msgspec.field(default_factory=list)
    security: Paragraphs | None = None
    onward_sharing: Paragraphs | None = None
    dpia_reference: DpiaReference | None = None


class ProtocolUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A partial change to a draft: fields left out stay as they are; null clears
    the optional ones. Parties are changed through /parties."""

    title: Title | msgspec.UnsetType = msgspec.UNSET
    review_date: date | msgspec.UnsetType = msgspec.UNSET
    starts_on: date | None | msgspec.UnsetType = msgspec.UNSET
    review_grace_days: GraceDays | msgspec.UnsetType = msgspec.UNSET
    purposes: Purposes | msgspec.UnsetType = msgspec.UNSET
    security: Paragraphs | None | msgspec.UnsetType = msgspec.UNSET
    onward_sharing: Paragraphs | None | msgspec.UnsetType = msgspec.UNSET
    dpia_reference: DpiaReference | None | msgspec.UnsetType = msgspec.UNSET


class PartyChange(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A change to one party's terms in a draft: fields left out stay as they
    are; null clears on_behalf_of."""

    role: PartyRole | msgspec.UnsetType = msgspec.UNSET
    article6: Article6Basis | msgspec.UnsetType = msgspec.UNSET
    on_behalf_of: uuid.UUID | None | msgspec.UnsetType = msgspec.UNSET
    co_opted_for_case_reviews: bool | msgspec.UnsetType = msgspec.UNSET


class PartiesInvite(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    parties: Annotated[list[PartyInvite], msgspec.Meta(min_length=1, max_length=50)]


class Signing(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What a signatory adds to their signature: the post they sign in."""

    job_title: Name


class StatusChange(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A suspension or termination, and the reason the parties will read."""

    reason: Reason


class PartyView(msgspec.Struct, kw_only=True):
    agency_id: uuid.UUID
    agency_name: AgencyName
    agency_type: AgencyType
    role: PartyRole
    # None on versions recorded before parties had their own basis.
    article6: Article6Basis | None
    on_behalf_of: uuid.UUID | None
    on_behalf_of_name: AgencyName | None
    co_opted_for_case_reviews: bool
    signed: bool


class SignatureView(msgspec.Struct, kw_only=True):
    agency_id: uuid.UUID
    agency_name: AgencyName
    signed_by: uuid.UUID
    signatory_name: StaffName
    job_title: StaffName
    signed_at: datetime
    content_digest: Reference


class VersionView(msgspec.Struct, kw_only=True):
    number: int
    status: VersionStatus
    title: GovernanceText
    parties: list[PartyView]
    purposes: list[PurposeAllowed]
    security: GovernanceText | None
    onward_sharing: GovernanceText | None
    dpia_reference: GovernanceText | None
    review_date: date
    review_grace_days: int
    # The last day the version can authorise sharing without being reviewed.
    expires_on: date
    content_digest: Reference | None
    submitted_at: datetime | None
    # The day every party had signed.
    effective_from: date | None
    starts_on: date | None
    # The later of the two: the day it authorises sharing from.
    in_force_from: date | None
    signatures: list[SignatureView]
    awaiting_signature_from: list[uuid.UUID]
    suspended_on: date | None
    suspension_reason: GovernanceText | None
    ended_on: date | None
    end_reason: GovernanceText | None
    # Before anyone signs (draft, awaiting signatures): what no gateway in it can support.
    warnings: list[GovernanceText]
    created_at: datetime
    updated_at: datetime


class VersionSummary(msgspec.Struct, kw_only=True):
    number: int
    status: VersionStatus
    title: GovernanceText
    effective_from: date | None
    starts_on: date | None
    in_force_from: date | None
    review_date: date
    suspended_on: date | None
    ended_on: date | None
    end_reason: GovernanceText | None
    signatures: int


class ProtocolView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    status: VersionStatus
    # Past the review date (flagged), whether or not the grace period has run out.
    review_due: bool
    created_by_agency_id: uuid.UUID
    current: VersionView
    # An amendment being drafted or signed, while `current` stays in force.
    pending_amendment: VersionView | None
    history: list[VersionSummary]
    created_at: datetime
    updated_at: datetime
    version: int


class ProtocolSummary(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    title: GovernanceText
    status: VersionStatus
    review_due: bool
    current_version: int
    latest_version: int
    review_date: date
    effective_from: date | None
    party_agency_ids: list[uuid.UUID]
    purposes: list[Purpose]
    version: int


class ProtocolPage(msgspec.Struct, kw_only=True):
    items: list[ProtocolSummary]
    total: int
    limit: int
    offset: int


class ProtocolExport(msgspec.Struct, kw_only=True):
    """The whole record, every version in full, for an agency's central log of agreements."""

    classification: Code
    exported_at: datetime
    protocol_id: uuid.UUID
    status: VersionStatus
    current_version: int
    versions: list[VersionView]
