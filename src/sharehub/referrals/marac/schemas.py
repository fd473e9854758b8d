"""What the MARAC referral routes take and return."""

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
    GovernanceText,
    Reference,
    View,
)
from sharehub.fields import PARAGRAPHS, PRINTABLE
from sharehub.privacy.redaction import PersonView
from sharehub.referrals.marac.checklists import Answer

Status = Literal["submitted", "accepted", "returned", "listed", "heard", "actions_open", "closed"]
CloseReason = Literal["actions_complete", "no_actions_agreed", "transferred_to_another_area"]
Area = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=PRINTABLE)]
Reason = Annotated[str, msgspec.Meta(min_length=10, max_length=4000, pattern=PARAGRAPHS)]
# Who else is in the case: protected roles, so the gate withholds them unless a
# basis (consent, a sharing decision, an override) covers the reader.
HouseholdRole = Literal["child", "household_member"]


class HouseholdLink(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A child or other member of the household, a subject your agency holds."""

    subject_id: uuid.UUID
    role: HouseholdRole


class ReferralCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    area: Area
    victim_id: uuid.UUID
    perpetrator_id: uuid.UUID | None = None
    incident_on: date
    checklist_version: Annotated[str, msgspec.Meta(min_length=1, max_length=50)]
    answers: Annotated[dict[str, Answer], msgspec.Meta(max_length=60)]
    # Dates of police-reported incidents known to the referrer (escalation criterion).
    police_incidents: Annotated[list[date], msgspec.Meta(max_length=200)] = msgspec.field(
        default_factory=list
    )
    # A practitioner's judgement that the case is high risk, with the reasons.
    professional_judgement: Reason | None = None
    victim_aware: bool
    consent_given: bool
    idva_allocated: bool
    idva_agency_id: uuid.UUID | None = None
    summary: Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]
    # Children and other members of the household the summary may name.
    household: Annotated[list[HouseholdLink], msgspec.Meta(max_length=30)] = msgspec.field(
        default_factory=list
    )
    # Your agency's ASB report triaged as domestic abuse that this referral
    # takes on (the domestic abuse route); its victim is one of the report's people.
    asb_report_id: uuid.UUID | None = None


class Screening(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    outcome: Literal["accepted", "returned"]
    # Required when returning: what the referrer must add or correct.
    reason: Reason | None = None


class Resubmission(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    note: Reason


class Listing(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    meeting_on: date


class Hearing(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    heard_on: date


class Closure(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    reason: CloseReason


class CriterionView(msgspec.Struct, kw_only=True):
    code: Code
    met: bool
    # Written by the hub from the criteria: counts and dates, nobody's words.
    reason: Explanation
    citation: Citation


class ReferralView(View, kw_only=True):
    id: uuid.UUID
    # What people read and say: "MARAC-2026-0012".
    reference: Reference
    version: int
    status: Status
    referring_agency_id: uuid.UUID
    referred_at: datetime
    area: Configuration
    victim: PersonView
    perpetrator: PersonView | None
    household: list[PersonView]
    incident_on: date
    checklist_version: Code
    answers: dict[Code, Answer]
    yes_answers: int
    risk_band: Code
    police_incidents: list[date]
    criteria: list[CriterionView]
    repeat: bool
    previous_referral_id: uuid.UUID | None
    victim_aware: bool
    consent_given: bool
    idva_allocated: bool
    idva_agency_id: uuid.UUID | None
    summary: GatedText | None
    professional_judgement: GatedText | None
    screened_at: datetime | None
    return_reason: GatedText | None
    resubmissions: int
    resubmission_note: GatedText | None
    listed_for: date | None
    heard_on: date | None
    actions_opened_at: datetime | None
    closed_at: datetime | None
    close_reason: CloseReason | None
    next_steps: list[Code]
    # The ASB report it came from ("ASB-2026-0042"): shown to the referring
    # agency only, since the report is that agency's own record.
    asb_report_reference: Reference | None = None


class ReferralSummary(msgspec.Struct, kw_only=True):
    """A line of a list: codes and dates, no person."""

    id: uuid.UUID
    reference: Reference
    status: Status
    area: Configuration
    referring_agency_id: uuid.UUID
    referred_at: datetime
    risk_band: Code
    criteria_met: list[Code]
    repeat: bool
    listed_for: date | None


class ReferralPage(msgspec.Struct, kw_only=True):
    items: list[ReferralSummary]
    total: int


class QuestionView(msgspec.Struct, kw_only=True):
    code: Code
    # A question of the published checklist, from the hub's data file.
    text: Explanation


class ChecklistView(msgspec.Struct, kw_only=True):
    version: Code
    title: Citation
    citation: Citation
    in_use: bool
    questions: list[QuestionView]


class AreaCriteriaIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    visible_high_risk_yes: Annotated[int, msgspec.Meta(ge=1, le=60)] = 14
    medium_risk_yes: Annotated[int, msgspec.Meta(ge=1, le=60)] = 10
    escalation_incidents: Annotated[int, msgspec.Meta(ge=1, le=50)] = 3
    escalation_months: Annotated[int, msgspec.Meta(ge=1, le=60)] = 12
    repeat_months: Annotated[int, msgspec.Meta(ge=1, le=60)] = 12
    source: Annotated[str, msgspec.Meta(min_length=3, max_length=300, pattern=PRINTABLE)]


class AreaCriteriaView(msgspec.Struct, kw_only=True):
    area: Configuration
    version: int | None
    is_default: bool
    visible_high_risk_yes: int
    medium_risk_yes: int
    escalation_incidents: int
    escalation_months: int
    repeat_months: int
    # The area's operating protocol the numbers come from.
    source: GovernanceText
