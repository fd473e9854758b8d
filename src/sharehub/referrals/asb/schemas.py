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
# The closures a person chooses, and the two triage makes ("not_asb": a matter
# not dealt with as ASB; "domestic_abuse": the domestic abuse route).
CloseReason = Literal[
    "behaviour_improved",
    "no_further_reasonable_action",
    "complainant_request",
    "insufficient_evidence",
    "legal_action_concluded",
    "perpetrator_moved",
    "complainant_moved",
    "not_asb",
    "domestic_abuse",
]
# The reasons the landlords' policies give for closing a case (policies A and B).
ChosenCloseReason = Literal[
    "behaviour_improved",
    "no_further_reasonable_action",
    "complainant_request",
    "insufficient_evidence",
    "legal_action_concluded",
    "perpetrator_moved",
    "complainant_moved",
]
# The Tenant Satisfaction Measures' five-point scale (TP12, the landlord's
# approach to handling anti-social behaviour), or the complainant declined.
Satisfaction = Literal[
    "very_satisfied",
    "fairly_satisfied",
    "neither",
    "fairly_dissatisfied",
    "very_dissatisfied",
    "declined",
]
TriageOutcome = Literal["asb", "not_asb", "domestic_abuse"]
RiskAnswer = Literal["yes", "no", "not_known"]
Condition = Literal["persistent", "deliberate", "harmful"]
RuleCode = Annotated[str, msgspec.Meta(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")]
Note = Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]
Short = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=PRINTABLE)]
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


class Needs(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A person's vulnerability (codes from risk_tools.toml) and support needs."""

    vulnerabilities: Annotated[list[RuleCode], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )
    support: Note | None = None


class Assessment(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The harm-centred risk assessment made with the complainant: the tool's
    answers (scored), or a level alone where no tool was used; again during
    the case as a reassessment."""

    # "code/version" of the tool (risk_tools.toml); the one in use if left out.
    tool: Annotated[str, msgspec.Meta(max_length=60)] | None = None
    answers: Annotated[dict[RuleCode, RiskAnswer], msgspec.Meta(max_length=60)] | None = None
    # With answers: only to put the level higher than they score, with reasons.
    harm_level: HarmLevel | None = None
    judgement: Annotated[str, msgspec.Meta(min_length=20, max_length=4000)] | None = None
    complainant: Needs | None = None
    perpetrator: Needs | None = None


class Triage(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Whether the report is dealt with as ASB, and if not, why and where the
    complainant was pointed instead."""

    outcome: TriageOutcome
    # For ASB: the definitions met (triage.toml).
    definitions: Annotated[list[RuleCode], msgspec.Meta(max_length=10)] = msgspec.field(
        default_factory=list
    )
    # For a matter not dealt with as ASB: which, where pointed, when told.
    matter: RuleCode | None = None
    signposted_to: RuleCode | None = None
    complainant_told_on: date | None = None
    note: Note | None = None


class PoliceReport(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Criminal behaviour or hate crime reported on to the police."""

    reported_on: date
    # The force, and the officer or desk, e.g. "Kestrelshire Constabulary, 101".
    reported_to: Short
    crime_reference: (
        Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=PRINTABLE)] | None
    ) = None


class AssessmentView(View, kw_only=True):
    at: datetime
    by: StaffName | None
    tool: Code
    tool_title: GovernanceText
    score: int
    scored_level: HarmLevel
    harm_level: HarmLevel
    judgement: GatedText | None
    complainant_needs: list[Code]
    complainant_support: GatedText | None
    perpetrator_needs: list[Code]
    perpetrator_support: GatedText | None
    reassessment: bool


class FirstResponse(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    responded_at: datetime | None = None


class Closure(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    reason: ChosenCloseReason
    complainant_told_on: date
    # What the complainant was told, and why.
    explanation: Note | None = None
    # Whether they were told of the ASB case review (community trigger) and how to ask for one.
    case_review_offered: bool = False


class SatisfactionAnswer(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Asked of the complainant after closure (Tenant Satisfaction Measures TP12)."""

    answer: Satisfaction
    asked_on: date


class Reopening(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    material_change: Annotated[str, msgspec.Meta(min_length=10, max_length=4000)]
    # For a matter set aside as not ASB: what the repeated incidents are.
    conditions: Annotated[list[Condition], msgspec.Meta(max_length=3)] = msgspec.field(
        default_factory=list
    )


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
    triage_outcome: TriageOutcome | None = None
    triage_definitions: list[Code] = msgspec.field(default_factory=list)
    not_asb_matter: Code | None = None
    signposted_to: Code | None = None
    triage_note: GatedText | None = None
    # On the domestic abuse route: the MARAC referral made from the report, if any.
    marac_referral_reference: Reference | None = None
    marac_referred_at: datetime | None = None
    police_reported_on: date | None = None
    police_reported_to: GatedText | None = None
    police_reference: GatedText | None = None
    closure_explanation: GatedText | None = None
    case_review_offered: bool = False
    satisfaction: Satisfaction | None = None
    satisfaction_asked_on: date | None = None
    assessments: list[AssessmentView] = msgspec.field(default_factory=list)
    next_steps: list[Code]
    # Newest first; kept across reopenings.
    history: list[ReportEvent] = msgspec.field(default_factory=list)


class ReportSummary(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    reference: Reference
    status: Status
    triage_outcome: TriageOutcome | None
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


CaseReviewDays = Annotated[int, msgspec.Meta(ge=7, le=366)]


class ResponsePolicyIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    urgent: TargetIn
    high: TargetIn
    low: TargetIn
    opens: time = time(9)
    closes: time = time(17)
    # The agency's policy these come from, e.g. "Tenancy enforcement policy v4 (2026)".
    source: Annotated[str, msgspec.Meta(min_length=3, max_length=300, pattern=PRINTABLE)]
    # How often the agency's open ASB cases are reviewed, in days (30 for
    # monthly); left out, the hub's default (casework.toml).
    case_review_every_days: CaseReviewDays | None = None


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
    # The agency's own case review interval (None: the hub's default), the
    # interval new cases get, and whether that is the hub's default.
    case_review_every_days: int | None = None
    effective_case_review_every_days: int
    case_review_is_default: bool


class OwnMatter(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    words: Short
    signpost: RuleCode


class TriagePolicyIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The agency's own list of matters it does not deal with as ASB."""

    # Codes from the hub's catalogue (triage.toml not_asb).
    matters: Annotated[list[RuleCode], msgspec.Meta(max_length=40)]
    own_matters: Annotated[list[OwnMatter], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )
    source: Annotated[str, msgspec.Meta(min_length=3, max_length=300, pattern=PRINTABLE)]


class MatterView(msgspec.Struct, kw_only=True):
    code: Code
    words: GovernanceText
    signpost: Code
    citation: Citation | None


class TriagePolicyView(msgspec.Struct, kw_only=True):
    agency_id: uuid.UUID
    version: int | None
    is_default: bool
    matters: list[MatterView]
    source: GovernanceText
