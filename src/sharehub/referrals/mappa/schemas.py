"""What the MAPPA referral routes take and return."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from sharehub.disclosure.gated import (
    Citation,
    Code,
    Configuration,
    Explanation,
    GatedText,
    Reference,
    View,
)
from sharehub.fields import PRINTABLE
from sharehub.privacy.redaction import PersonView

Status = Literal["submitted", "returned", "accepted", "managed", "closed"]
# Which categories may be referred in is data (arrangements.toml): checked by the service.
CategoryNumber = Annotated[
    int, msgspec.Meta(ge=1, le=9, description="The MAPPA category (see /api/mappa-arrangements)")
]
Level = Literal[1, 2, 3]
CloseReason = Literal["no_longer_meets_criteria", "registration_ended", "died", "transferred"]
Reason = Annotated[str, msgspec.Meta(min_length=10, max_length=4000)]
Summary = Annotated[
    str,
    msgspec.Meta(
        min_length=1, max_length=20_000, description="The risk summary of the MAPPA A form"
    ),
]
# Checked for their own formats by the service (422 naming the field); the
# length bound here only stops nonsense early.
ReferenceText = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
Area = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=PRINTABLE)]
# The people at risk from the offender a practitioner names: protected roles,
# so the gate withholds them unless a basis (consent, a sharing decision, an
# override) covers the reader. "household_member" is anyone else at risk who
# lives with or near them; a potential victim is a "victim".
AtRiskRole = Literal["victim", "child", "household_member", "witness"]


class PersonAtRisk(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A victim or other person at risk, a subject your agency holds."""

    subject_id: uuid.UUID
    role: AtRiskRole


PeopleAtRisk = Annotated[list[PersonAtRisk], msgspec.Meta(max_length=30)]


class ReferralCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """MAPPA A: the referral of an offender held by the referring agency."""

    offender_subject_id: uuid.UUID
    area: Area
    category: CategoryNumber
    proposed_level: Level
    proposed_level_reason: Reason
    summary: Summary
    visor_ref: ReferenceText | None = None
    pnc_id: ReferenceText | None = None
    crn: ReferenceText | None = None
    # The victims and other people at risk the summary may name.
    people_at_risk: PeopleAtRisk = msgspec.field(default_factory=list)


class Resubmission(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A returned referral sent again: what changed in answer to the return
    (anything not given stands; a reference given as null is removed)."""

    category: CategoryNumber | msgspec.UnsetType = msgspec.UNSET
    proposed_level: Level | msgspec.UnsetType = msgspec.UNSET
    proposed_level_reason: Reason | msgspec.UnsetType = msgspec.UNSET
    summary: Summary | msgspec.UnsetType = msgspec.UNSET
    visor_ref: ReferenceText | None | msgspec.UnsetType = msgspec.UNSET
    pnc_id: ReferenceText | None | msgspec.UnsetType = msgspec.UNSET
    crn: ReferenceText | None | msgspec.UnsetType = msgspec.UNSET
    # Given: replaces the people at risk linked (all of them).
    people_at_risk: PeopleAtRisk | msgspec.UnsetType = msgspec.UNSET


class Return(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Screened out for now, with what the referrer needs to do."""

    reason: Reason


class LevelDecisionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The level agreed for an accepted referral."""

    level: Level
    reason: Reason
    decided_on: date | None = None  # default: today


class LevelReviewIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A level review: the level confirmed, or changed, with the reason."""

    level: Level
    reason: Reason
    reviewed_on: date | None = None  # default: today


class Invitation(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    agency_ids: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=30)]


class Closure(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    reason: CloseReason
    note: Annotated[str, msgspec.Meta(min_length=1, max_length=4000)] | None = None


class LevelDecisionView(View, kw_only=True):
    kind: Literal["agreed", "review"]
    level: Level
    previous_level: Level | None
    outcome: Literal["agreed", "confirmed", "changed"]
    reason: GatedText | None
    decided_on: date
    next_review_on: date | None
    review_citation: Citation | None


class ReferralView(View, kw_only=True):
    id: uuid.UUID
    # What people read and say: "MAPPA-2026-0003".
    reference: Reference
    version: int
    agency_id: uuid.UUID
    status: Status
    area: Configuration
    category: int
    category_name: Explanation
    category_citation: Citation | None
    offender: PersonView
    # Victims and other people at risk, as the gate shows them to this reader.
    people_at_risk: list[PersonView]
    proposed_level: Level
    proposed_level_reason: GatedText | None
    summary: GatedText | None
    # Restricted identifiers: null and named in identifiers_withheld for a
    # viewer who may not see them.
    visor_ref: GatedText | None
    pnc_id: GatedText | None
    crn: GatedText | None
    identifiers_withheld: list[Code]
    submitted_at: datetime
    resubmitted: int
    screened_at: datetime | None
    return_reason: GatedText | None
    level: Level | None
    level_name: Explanation | None
    next_review_on: date | None
    review_overdue: bool
    level_history: list[LevelDecisionView]
    invited_agency_ids: list[uuid.UUID]
    closed_at: datetime | None
    close_reason: CloseReason | None
    close_note: GatedText | None
    next_steps: list[Code]


class ReferralSummary(msgspec.Struct, kw_only=True):
    """A line of a list: no person and no free text, so no gate is needed."""

    id: uuid.UUID
    reference: Reference
    agency_id: uuid.UUID
    status: Status
    area: Configuration
    category: int
    proposed_level: Level
    level: Level | None
    submitted_at: datetime
    next_review_on: date | None
    review_overdue: bool


class ReferralPage(msgspec.Struct, kw_only=True):
    items: list[ReferralSummary]
    total: int


class ReviewsDue(msgspec.Struct, kw_only=True):
    """Managed cases whose level review falls due by ``due_by``, soonest first."""

    as_of: date
    due_by: date
    items: list[ReferralSummary]


class CategoryView(msgspec.Struct, kw_only=True):
    number: int
    name: Explanation
    citation: Citation
    enabled: bool
    unsettled: bool
    # Why a category is unsettled, from the arrangements file.
    note: Explanation | None


class LevelView(msgspec.Struct, kw_only=True):
    number: int
    name: Explanation
    citation: Citation
    review_weeks: int | None
    review_citation: Citation | None


class ArrangementsView(msgspec.Struct, kw_only=True):
    version: Code
    categories: list[CategoryView]
    levels: list[LevelView]
