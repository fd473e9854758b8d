"""What the ASB case routes take and return."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from sharehub.disclosure.gated import AgencyName, Code, GatedText, Reference, StaffName, View
from sharehub.privacy.redaction import PersonView
from sharehub.referrals.asb.attachment_schemas import AttachmentView
from sharehub.referrals.asb.schemas import ChosenCloseReason, RuleCode

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]
Owner = Literal["landlord", "partner", "complainant"]
CaseStatus = Literal["open", "closed"]
EntryKind = Literal[
    "action", "contact", "diary", "intervention", "proportionality_review", "review"
]


class CaseCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Open a case from one or more of your agency's reports."""

    report_ids: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=20)]
    # How often it is reviewed; if left out, the agency's own interval (its
    # response policy), else the hub's default (casework.toml).
    review_every_days: Annotated[int, msgspec.Meta(ge=7, le=366)] | None = None


class ActionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    owner: Owner
    # The partner agency, for an action a partner takes on.
    agency_id: uuid.UUID | None = None
    what: Text
    due_on: date


class ActionPlan(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Agreed with the complainant: how and how often they are contacted, and
    what each party will do by when."""

    agreed_on: date
    contact_method: RuleCode
    contact_every_days: Annotated[int, msgspec.Meta(ge=1, le=90)]
    # The first contact under the plan; due dates cannot be in the past.
    first_contact_on: date
    actions: Annotated[list[ActionIn], msgspec.Meta(max_length=30)] = msgspec.field(
        default_factory=list
    )


class ContactIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    on: date
    method: RuleCode
    note: Text | None = None


class DiaryEntryIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An entry from the complainant's diary sheet: the day, and what happened."""

    on: date
    what: Text


class InterventionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    kind: RuleCode
    on: date
    outcome: Text
    # Who did it, where a partner agency did.
    agency_id: uuid.UUID | None = None


class ProportionalityReviewIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    on: date
    # Their vulnerability, the support offered, and why the action is (or is not) proportionate.
    considerations: Annotated[str, msgspec.Meta(min_length=30, max_length=4000)]
    proceed: bool


class CctvAssessmentIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The case-by-case assessment before CCTV is installed."""

    on: date
    covert: bool
    # Fixed (reviewed every five years) rather than a temporary camera.
    fixed: bool
    issue: Text
    why_proportionate: Annotated[str, msgspec.Meta(min_length=20, max_length=4000)]
    tried_first: Text
    # For covert recording: the authorisation's reference.
    authorisation: Annotated[str, msgspec.Meta(min_length=3, max_length=200)] | None = None


class CaseReviewIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    on: date
    outcome: RuleCode
    note: Text | None = None


class ActionDone(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    on: date


class EntryView(View, kw_only=True):
    kind: EntryKind
    number: int
    on: date
    code: Code | None
    agency: AgencyName | None
    due_on: date | None
    done_on: date | None
    overdue: bool
    text: GatedText | None
    by: StaffName | None


class CaseView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    reference: Reference
    version: int
    status: CaseStatus
    case_officer: StaffName | None
    opened_at: datetime
    reports: list[Reference]
    review_every_days: int
    next_review_on: date
    review_overdue: bool
    plan_agreed_on: date | None
    contact_method: Code | None
    contact_every_days: int | None
    next_contact_on: date | None
    contact_due: bool
    # Recorded as vulnerable in a risk assessment on any of the case's reports.
    perpetrator_vulnerable: bool
    closed_at: datetime | None
    close_reason: Code | None
    # Newest first.
    entries: list[EntryView]
    evidence_requests: list[EvidenceRequestView] = msgspec.field(default_factory=list)
    next_steps: list[Code]


class CaseSummary(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    reference: Reference
    status: CaseStatus
    next_review_on: date
    review_overdue: bool
    next_contact_on: date | None
    contact_due: bool


class CasePage(msgspec.Struct, kw_only=True):
    items: list[CaseSummary]
    total: int


class CaseClosure(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    reason: ChosenCloseReason
    complainant_told_on: date


class CaseDisclosureIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Tell a partner agency something about the case, unasked."""

    agency_id: uuid.UUID
    # What they are told, for managing the ASB case (the purpose the protocol covers).
    information: Text


class EvidenceRequestIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Ask a partner agency for information about the case."""

    agency_id: uuid.UUID
    # What is asked, for managing the ASB case (the purpose the protocol covers).
    question: Text
    due_on: date


class EvidenceAnswerIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The partner's answer, or its reason for not answering."""

    answer: Text
    declined: bool = False


EvidenceStatus = Literal["asked", "answered", "declined", "shared"]


class EvidenceRequestView(View, kw_only=True):
    id: uuid.UUID
    case_reference: Reference
    number: int
    asking_agency: AgencyName
    agency: AgencyName
    asked_on: date
    # request: asked of the partner; disclosure: the partner told, unasked.
    kind: Literal["request", "disclosure"] = "request"
    due_on: date | None
    overdue: bool
    status: EvidenceStatus
    question: GatedText | None
    answer: GatedText | None
    answered_on: date | None
    # The people the case concerns, as the gate shows them to the reader.
    people: list[PersonView] = msgspec.field(default_factory=list)
    # For the agency asked: the case's documents and images it may see.
    attachments: list[AttachmentView] = msgspec.field(default_factory=list)
