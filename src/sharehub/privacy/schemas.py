"""What the privacy routes take and return.

Identity values are refused while decoding when malformed (lengths, control
characters) and checked against UK rules by ``subjects.validate_identity``
(422, naming the field). Responses carry identity only inside ``PersonView``,
which only the disclosure gate and the holding agency's own reads build.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from sharehub.disclosure.gated import (
    Code,
    Explanation,
    GatedText,
    GovernanceText,
    Reference,
    View,
)
from sharehub.fields import PRINTABLE, Name
from sharehub.privacy.redaction import PersonView
from sharehub.protocols.engine import ConsentState, Decision, SubjectRole
from sharehub.protocols.terms import DataCategory, Purpose

SubjectKind = Literal["person", "household", "business", "group"]
# How consent was given (Kantara consent receipt "collection method").
ConsentMethod = Literal["written", "verbal", "online", "representative"]

AddressLine = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=PRINTABLE)]
Short = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=PRINTABLE)]
Note = Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]
Justification = Annotated[
    str,
    msgspec.Meta(
        min_length=30,
        max_length=4000,
        description="Why the identity must be revealed now (at least 30 characters)",
    ),
]


class IdentityIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name
    aliases: Annotated[list[Name], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )
    date_of_birth: date | None = None
    address: Annotated[list[AddressLine], msgspec.Meta(max_length=6)] = msgspec.field(
        default_factory=list
    )
    postcode: Short | None = None
    phone: Short | None = None
    email: Annotated[str, msgspec.Meta(max_length=254)] | None = None
    nhs_number: Short | None = None
    ni_number: Short | None = None


class SubjectCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    kind: SubjectKind = "person"
    # The role in which your agency knows them.
    role: SubjectRole
    identity: IdentityIn


class SubjectUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    kind: SubjectKind | msgspec.UnsetType = msgspec.UNSET
    role: SubjectRole | msgspec.UnsetType = msgspec.UNSET
    # Replaces the whole identity (every field), re-encrypted and re-indexed.
    identity: IdentityIn | msgspec.UnsetType = msgspec.UNSET


class SubjectView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    # What people read and say, e.g. "PER-2026-0042" (not identity).
    reference: Reference
    version: int
    holding_agency_id: uuid.UUID
    kind: SubjectKind
    role: SubjectRole
    person: PersonView
    created_at: datetime
    # Subjects your agency already holds with the same NHS number, NI number,
    # or name and date of birth (found by blind index, nothing decrypted).
    possible_duplicates: list[uuid.UUID] = msgspec.field(default_factory=list)


class SubjectSearch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Exact-match lookup among your agency's subjects. Sent in the body, since
    identifiers never belong in a URL."""

    name: Name | None = None
    date_of_birth: date | None = None
    nhs_number: Short | None = None
    ni_number: Short | None = None
    email: Annotated[str, msgspec.Meta(max_length=254)] | None = None
    phone: Short | None = None
    postcode: Short | None = None


class SubjectList(msgspec.Struct, kw_only=True):
    items: list[SubjectView]


class Recipients(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Named agencies, and "every party to protocol X" (the version in force when used)."""

    agencies: Annotated[list[uuid.UUID], msgspec.Meta(max_length=50)] = msgspec.field(
        default_factory=list
    )
    protocols: Annotated[list[uuid.UUID], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )


class Representative(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name
    relationship: Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=PRINTABLE)]
    # e.g. "lasting power of attorney (health and welfare)", "parental responsibility".
    authority: Annotated[str, msgspec.Meta(min_length=1, max_length=300, pattern=PRINTABLE)]


class ConsentCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    purposes: Annotated[list[Purpose], msgspec.Meta(min_length=1)]
    recipients: Recipients
    categories: Annotated[list[DataCategory], msgspec.Meta(min_length=1)]
    how_given: ConsentMethod
    representative: Representative | None = None
    evidence_note: Note | None = None
    # When it was given (default now); never in the future.
    given_at: datetime | None = None
    expires_at: datetime | None = None


class WithdrawalCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    how: ConsentMethod
    note: Note | None = None


class WithdrawalView(View, kw_only=True):
    withdrawn_at: datetime
    how: ConsentMethod
    note: GatedText | None
    recorded_by: uuid.UUID | None


ConsentStatus = Literal["active", "withdrawn", "expired", "not_yet_given"]


class RepresentativeView(View, kw_only=True):
    """Who gave consent for the subject, and on what authority."""

    name: GatedText
    relationship: GatedText
    authority: GatedText


class ConsentView(View, kw_only=True):
    id: uuid.UUID
    subject_id: uuid.UUID
    status: ConsentStatus
    purposes: list[Purpose]
    recipients: Recipients
    categories: list[DataCategory]
    how_given: ConsentMethod
    representative: RepresentativeView | None
    evidence_note: GatedText | None
    recorded_by: uuid.UUID | None
    given_at: datetime
    expires_at: datetime | None
    withdrawal: WithdrawalView | None
    # Where the printable receipt is.
    receipt: Reference


class ConsentList(msgspec.Struct, kw_only=True):
    items: list[ConsentView]


class ConsentStateView(msgspec.Struct, kw_only=True):
    """What one agency would see of this subject for one purpose, and why."""

    subject_id: uuid.UUID
    agency_id: uuid.UUID
    purpose: Purpose
    consent: ConsentState
    covering_consents: list[uuid.UUID]
    categories_covered: list[DataCategory]
    would_see: PersonView
    decisions: dict[Code, Decision]


class SharingDecisionCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    purpose: Purpose
    recipients: Recipients
    categories: Annotated[list[DataCategory], msgspec.Meta(min_length=1)]
    # The law relied on, e.g. "Data Protection Act 2018 Sch 1 para 18".
    legal_basis: Annotated[str, msgspec.Meta(min_length=3, max_length=300, pattern=PRINTABLE)]
    reasons: Annotated[str, msgspec.Meta(min_length=20, max_length=4000)]
    source_kind: Annotated[str, msgspec.Meta(max_length=40, pattern=r"^[a-z_]+$")] | None = None
    source_id: uuid.UUID | None = None
    expires_at: datetime | None = None


class SharingDecisionView(View, kw_only=True):
    id: uuid.UUID
    subject_id: uuid.UUID
    purpose: Purpose
    recipients: Recipients
    categories: list[DataCategory]
    # The law the holder relied on, as its IG lead wrote it.
    legal_basis: GovernanceText
    reasons: GatedText
    source_kind: Code | None
    source_id: uuid.UUID | None
    decided_by: uuid.UUID | None
    decided_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    active: bool


class SharingDecisionList(msgspec.Struct, kw_only=True):
    items: list[SharingDecisionView]


class OverrideCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    purpose: Purpose
    justification: Justification
    # How long the identity stays revealed to you (at most 8 hours).
    minutes: Annotated[int, msgspec.Meta(ge=5, le=480)] = 60


ReviewOutcome = Literal["justified", "not_justified"]


class OverrideReview(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    outcome: ReviewOutcome
    note: Note


class OverrideView(View, kw_only=True):
    id: uuid.UUID
    subject_id: uuid.UUID
    holding_agency_id: uuid.UUID
    user_id: uuid.UUID
    agency_id: uuid.UUID
    purpose: Purpose
    justification: GatedText | None
    created_at: datetime
    expires_at: datetime
    active: bool
    review_outcome: ReviewOutcome | None
    review_note: GatedText | None
    reviewed_by: uuid.UUID | None
    reviewed_at: datetime | None


class OverrideList(msgspec.Struct, kw_only=True):
    items: list[OverrideView]
    total: int


class NamesCheck(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Free text about to be recorded, and the people the record already links."""

    text: Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]
    linked: Annotated[list[uuid.UUID], msgspec.Meta(max_length=50)] = msgspec.field(
        default_factory=list
    )


class HeldMatch(View, kw_only=True):
    """A record your agency holds of someone of that name: link it to the record."""

    subject_id: uuid.UUID
    person: PersonView


class NameInText(View, kw_only=True):
    # The name as you wrote it (your own text, shown back to you).
    text: GatedText
    start: int
    end: int
    held: list[HeldMatch]
    # What to do so the hub can protect them.
    suggestion: Explanation


class NamesFound(View, kw_only=True):
    names: list[NameInText]
