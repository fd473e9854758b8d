"""What the case review routes take and return."""

from __future__ import annotations

import uuid
from datetime import date
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
from sharehub.fields import PRINTABLE, Name
from sharehub.privacy.redaction import PersonView
from sharehub.protocols.engine import SubjectRole

ApplicantType = Literal["victim", "representative"]
VictimType = Literal["individual", "business", "group"]
Status = Literal[
    "threshold_met",
    "awaiting_discretion",
    "accepted",
    "declined",
    "information_requested",
    "review_held",
    "outcome_recorded",
    "escalated",
    "closed",
]
Decision = Literal["threshold_met", "accepted", "declined"]
FactorCode = Literal["persistence", "harm", "adequacy_of_response"]
Finding = Literal["supports_review", "does_not_support_review"]
# How a body stands in the case review (gateways.toml, ``case_review``).
BodyRole = Literal["relevant_body", "co_opted", "none"]
Area = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=PRINTABLE)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]
Reasons = Annotated[str, msgspec.Meta(min_length=10, max_length=8000)]


class SubjectLink(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    subject_id: uuid.UUID
    role: SubjectRole


# --- the area's procedure ------------------------------------------------------------------


class ProcedureIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    # The statutory maximum is 3 (s104(4)); an area may set fewer.
    qualifying_complaints: Annotated[int, msgspec.Meta(ge=1, le=3)] = 3
    hate_incident_complaints: Annotated[int, msgspec.Meta(ge=1, le=3)] = 1
    complaint_within_months: Annotated[int, msgspec.Meta(ge=1, le=24)] = 1
    application_within_months: Annotated[int, msgspec.Meta(ge=1, le=60)] = 6
    acknowledge_working_days: Annotated[int, msgspec.Meta(ge=1, le=60)] = 10
    decision_working_days: Annotated[int, msgspec.Meta(ge=1, le=60)] = 15
    meeting_working_days: Annotated[int, msgspec.Meta(ge=1, le=90)] = 20
    # e.g. "Office of the Police and Crime Commissioner for Testshire".
    escalation_route: Annotated[str, msgspec.Meta(min_length=3, max_length=500, pattern=PRINTABLE)]
    # The published procedure, e.g. "Testshire ASB case review procedure v3 (2026)".
    source: Annotated[str, msgspec.Meta(min_length=3, max_length=300, pattern=PRINTABLE)]
    # The agency that receives the area's online applications: one serving the
    # area that is a relevant body. Not given: the one council serving the area,
    # if there is exactly one (otherwise the area takes no applications online).
    online_receiving_agency_id: uuid.UUID | None = None


class ProcedureView(msgspec.Struct, kw_only=True):
    area: Configuration
    version: int | None
    is_default: bool
    qualifying_complaints: int
    hate_incident_complaints: int
    complaint_within_months: int
    application_within_months: int
    acknowledge_working_days: int
    decision_working_days: int
    meeting_working_days: int
    # Where dissatisfied applicants go, and the published procedure: the area's.
    escalation_route: GovernanceText
    source: GovernanceText
    online_receiving_agency_id: uuid.UUID | None = None


# --- the application -----------------------------------------------------------------------


class ComplaintIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A complaint about the behaviour: its dates and the agency complained to,
    or an ASB report of the receiving agency, whose dates are then used."""

    asb_report_id: uuid.UUID | None = None
    behaviour_on: date | None = None
    complained_on: date | None = None
    agency_id: uuid.UUID | None = None
    # The applicant does not know which body they complained to (then no
    # agency_id): the coordinator finds out before relying on the complaint.
    agency_not_known: bool = False
    hate_incident: bool | None = None


class RepresentativeIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Who applied for the victim: a subject your agency holds, or their name,
    from which the subject is recorded (role "representative", a protected
    role: the gate withholds them from the other bodies)."""

    subject_id: uuid.UUID | None = None
    name: Name | None = None
    # e.g. "daughter", "ward councillor", "member of parliament".
    relationship: Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=PRINTABLE)]


class ApplicationIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    area: Area
    received_on: date
    applicant_type: ApplicantType
    victim_type: VictimType
    victim_subject_id: uuid.UUID | None = None
    victim_name: Name | None = None
    representative: RepresentativeIn | None = None
    complaints: Annotated[list[ComplaintIn], msgspec.Meta(min_length=1, max_length=50)]
    narrative: Text


class Acknowledgement(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    acknowledged_on: date | None = None  # today if not given


class FactorIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    factor: FactorCode
    finding: Finding


class DiscretionaryDecision(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    decision: Literal["accept", "decline"]
    decided_on: date | None = None  # today if not given
    factors: Annotated[list[FactorIn], msgspec.Meta(min_length=1, max_length=3)]
    reasons: Reasons


class ApplicantTold(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    of: Literal["threshold_decision", "outcome"]
    told_on: date | None = None  # today if not given


class InformationRequestIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    agencies: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=20)]
    requested_on: date | None = None  # today if not given


class InformationResponseIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    response: Text
    responded_on: date | None = None  # today if not given
    subjects: Annotated[list[SubjectLink], msgspec.Meta(max_length=30)] = msgspec.field(
        default_factory=list
    )


class ReviewMeeting(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    held_on: date | None = None  # today if not given


class RecommendationIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    agency_id: uuid.UUID
    recommendation: Annotated[str, msgspec.Meta(min_length=3, max_length=4000)]


class OutcomeIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    recorded_on: date | None = None  # today if not given
    summary: Text
    # None is an outcome too: a review that found the response adequate.
    recommendations: Annotated[list[RecommendationIn], msgspec.Meta(max_length=30)] = msgspec.field(
        default_factory=list
    )


class RecommendationResponseIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    response: Annotated[str, msgspec.Meta(min_length=3, max_length=8000)]
    responded_on: date | None = None  # today if not given


class EscalationIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    requested_on: date | None = None  # today if not given
    reason: Reasons


class ClosureIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    closed_on: date | None = None  # today if not given


# --- views ---------------------------------------------------------------------------------


class CriterionView(msgspec.Struct, kw_only=True):
    code: Code
    met: bool
    # Written by the hub from the rules: counts and dates, nobody's words.
    reason: Explanation
    citation: Citation


class ComplaintView(msgspec.Struct, kw_only=True):
    behaviour_on: date
    complained_on: date
    # None: the applicant did not know which body they complained to.
    agency_id: uuid.UUID | None
    hate_incident: bool
    asb_report_id: uuid.UUID | None
    qualifies: bool


class ThresholdView(msgspec.Struct, kw_only=True):
    met: bool
    qualifying_complaints: int
    reasons: list[CriterionView]


class DecisionView(View, kw_only=True):
    decision: Decision
    # "threshold": met on the complaints, as the Act requires; "coordinator":
    # a discretionary decision under the area's procedure.
    decided_by: Literal["threshold", "coordinator"]
    decided_on: date
    reasons: list[CriterionView]
    note: GatedText | None
    citation: Citation


class ClockView(msgspec.Struct, kw_only=True):
    name: Code
    working_days: int
    due_on: date | None
    done_on: date | None
    breached: bool
    citation: Citation


class RepresentativeView(View, kw_only=True):
    # The name as the application gave it: shown to the receiving agency, and
    # to anyone else only where the gate shows them the representative.
    name: GatedText | None
    relationship: GatedText | None


class InformationRequestSummary(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    version: int
    agency_id: uuid.UUID
    agency_type: Code
    body_role: BodyRole
    requested_on: date
    responded_on: date | None


class RecommendationView(View, kw_only=True):
    id: uuid.UUID
    version: int
    agency_id: uuid.UUID
    recommendation: GatedText | None
    responded_on: date | None
    response: GatedText | None


class CaseReviewView(View, kw_only=True):
    id: uuid.UUID
    reference: Reference
    version: int
    status: Status
    area: Configuration
    receiving_agency_id: uuid.UUID
    received_on: date
    # Applied for on the public online form, not recorded by a member of staff.
    received_online: bool
    applicant_type: ApplicantType
    victim_type: VictimType
    victim: PersonView | None
    # A business or group named without a subject record.
    victim_name: GatedText | None
    representative: RepresentativeView | None
    # The representative as a subject, as the gate shows them to this reader.
    representative_person: PersonView | None
    narrative: GatedText | None
    complaints: list[ComplaintView]
    threshold: ThresholdView
    decision: DecisionView | None
    clocks: list[ClockView]
    applicant_told_decision_on: date | None
    information_requests: list[InformationRequestSummary]
    review_held_on: date | None
    outcome_recorded_on: date | None
    outcome_summary: GatedText | None
    recommendations: list[RecommendationView]
    applicant_told_outcome_on: date | None
    escalated_on: date | None
    escalation_reason: GatedText | None
    escalation_route: GovernanceText | None
    closed_on: date | None
    procedure_source: GovernanceText
    next_steps: list[Code]


class NextDue(msgspec.Struct, kw_only=True):
    clock: Code
    due_on: date


class CaseReviewSummary(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    reference: Reference
    status: Status
    area: Configuration
    receiving_agency_id: uuid.UUID
    received_on: date
    received_online: bool
    threshold_met: bool
    breached_clocks: list[Code]
    # The running clock that falls due first.
    next_due: NextDue | None = None


class CaseReviewPage(msgspec.Struct, kw_only=True):
    items: list[CaseReviewSummary]
    total: int


class InformationResponseView(View, kw_only=True):
    id: uuid.UUID
    version: int
    case_review_id: uuid.UUID
    agency_id: uuid.UUID
    agency_type: Code
    body_role: BodyRole
    requested_on: date
    responded_on: date | None
    # Gated with every person of the case review (the victim, the
    # representative, the people the body linked): as this reader may see it.
    response: GatedText | None
    subjects: list[PersonView]


class Figures(msgspec.Struct, kw_only=True):
    """Counts for publication: no personal data."""

    area: Configuration
    period_from: date
    period_to: date
    applications: int
    threshold_not_met: int
    reviews_held: int
    reviews_with_recommendations: int
    awaiting_decision: int
    citation: Citation
