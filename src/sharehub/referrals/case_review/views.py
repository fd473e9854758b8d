"""Views of a case review and of a body's answer, built by the disclosure gate
like every view of people (``sharing.py``)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.agencies.types import AgencyType
from sharehub.audit.events import AuditSink
from sharehub.crypto import FieldCipher, open_field
from sharehub.disclosure.gate import SubjectInRecord, sharing_partners
from sharehub.identity.principal import Principal
from sharehub.privacy.models import Subject
from sharehub.protocols.engine import SubjectRole
from sharehub.protocols.gateways import GatewayRules
from sharehub.protocols.terms import Purpose
from sharehub.referrals.case_review.models import CaseReview, InformationRequest
from sharehub.referrals.case_review.procedures import coordinates
from sharehub.referrals.case_review.rules import CLOCKS, DISCRETION, THRESHOLD
from sharehub.referrals.case_review.schemas import (
    BodyRole,
    CaseReviewView,
    ClockView,
    ComplaintView,
    CriterionView,
    DecisionView,
    InformationRequestSummary,
    InformationResponseView,
    RecommendationView,
    RepresentativeView,
    ThresholdView,
)
from sharehub.referrals.case_review.service import breached, next_steps
from sharehub.referrals.case_review.sharing import gated

# Free text of the case review itself, each sealed in its own column.
TEXTS = (
    "victim_name",
    "representative_relationship",
    "narrative",
    "discretion_reasons",
    "outcome_summary",
    "escalation_reason",
)


def body_role(rules: GatewayRules, agency_type: str) -> BodyRole:
    """A relevant body (s105), a co-opted one (housing providers), or neither."""
    return rules.agency_types[AgencyType(agency_type)].case_review


def _criteria(stored: list[dict[str, object]] | None) -> list[CriterionView]:
    return [
        CriterionView(
            code=str(c["code"]), met=bool(c["met"]), reason=str(c["reason"]),
            citation=str(c["citation"]),
        )
        for c in stored or []
    ]  # fmt: skip


def _clocks(review: CaseReview, today: date) -> list[ClockView]:
    return [
        ClockView(
            name=name,
            working_days=review.procedure[clock.days],
            due_on=getattr(review, clock.due),
            done_on=getattr(review, clock.stopped_by),
            breached=breached(review, clock, today),
            citation=clock.citation,
        )
        for name, clock in CLOCKS.items()
    ]


async def view_of(
    db: AsyncSession,
    actor: Principal,
    review: CaseReview,
    *,
    cipher: FieldCipher,
    rules: GatewayRules,
    audit: AuditSink,
    now: datetime,
    today: date,
) -> CaseReviewView:
    victim = await db.get(Subject, review.victim_subject_id) if review.victim_subject_id else None
    texts = {name: open_field(cipher, review, name) for name in TEXTS}
    # The representative is the applicant: the receiving agency and the area's
    # coordinators, who answer them, see the name; the bodies asked need not.
    if actor.agency_id == review.receiving_agency_id or coordinates(actor, review.area):
        texts["representative_name"] = open_field(cipher, review, "representative_name")
    # A body's response to its recommendation is that body's: shown only where
    # a protocol for the case review connects the reader's agency with it.
    partners = await sharing_partners(db, actor.agency_id, Purpose.ASB_CASE_REVIEW, today)
    written_by: dict[str, uuid.UUID] = {}
    for r in review.recommendations:
        texts[f"recommendation:{r.id}"] = open_field(cipher, r, "recommendation")
        response = f"recommendation_response:{r.id}"
        texts[response] = open_field(cipher, r, "response") if r.agency_id in partners else None
        written_by[response] = r.agency_id
    view = await gated(
        db,
        actor=actor,
        holder_agency_id=review.receiving_agency_id,
        subjects=[SubjectInRecord(victim, SubjectRole.VICTIM)] if victim else [],
        texts=texts,
        written_by=written_by,
        context_kind="case_review",
        context_id=review.id,
        cipher=cipher,
        rules=rules,
        audit=audit,
        now=now,
        today=today,
    )
    shown = view.texts
    decision = None
    if review.decision is not None and review.decided_on is not None:
        decision = DecisionView(
            decision=review.decision,  # type: ignore[arg-type]
            decided_by=review.decided_by_kind,  # type: ignore[arg-type]
            decided_on=review.decided_on,
            reasons=_criteria(review.decision_reasons),
            note=shown["discretion_reasons"],
            citation=THRESHOLD if review.decided_by_kind == "threshold" else DISCRETION,
        )
    representative = None
    if review.applicant_type == "representative":
        representative = RepresentativeView(
            name=shown.get("representative_name"),
            relationship=shown["representative_relationship"],
        )
    return CaseReviewView(
        id=review.id,
        version=review.version,
        status=review.status,  # type: ignore[arg-type]
        area=review.area,
        receiving_agency_id=review.receiving_agency_id,
        received_on=review.received_on,
        applicant_type=review.applicant_type,  # type: ignore[arg-type]
        victim_type=review.victim_type,  # type: ignore[arg-type]
        victim=view.people[0] if victim else None,
        victim_name=shown["victim_name"],
        representative=representative,
        narrative=shown["narrative"],
        complaints=[
            ComplaintView(
                behaviour_on=c.behaviour_on,
                complained_on=c.complained_on,
                agency_id=c.agency_id,
                hate_incident=c.hate_incident,
                asb_report_id=c.asb_report_id,
                qualifies=c.qualifies,
            )
            for c in review.complaints
        ],
        threshold=ThresholdView(
            met=review.threshold_met,
            qualifying_complaints=sum(c.qualifies for c in review.complaints),
            reasons=_criteria(review.threshold_reasons),
        ),
        decision=decision,
        clocks=_clocks(review, today),
        applicant_told_decision_on=review.applicant_told_decision_on,
        information_requests=[
            InformationRequestSummary(
                id=r.id,
                version=r.version,
                agency_id=r.agency_id,
                agency_type=r.agency_type,
                body_role=body_role(rules, r.agency_type),
                requested_on=r.requested_on,
                responded_on=r.responded_on,
            )
            for r in review.information_requests
        ],
        review_held_on=review.review_held_on,
        outcome_recorded_on=review.outcome_recorded_on,
        outcome_summary=shown["outcome_summary"],
        recommendations=[
            RecommendationView(
                id=r.id,
                version=r.version,
                agency_id=r.agency_id,
                recommendation=shown[f"recommendation:{r.id}"],
                responded_on=r.responded_on,
                response=shown[f"recommendation_response:{r.id}"],
            )
            for r in review.recommendations
        ],
        applicant_told_outcome_on=review.applicant_told_outcome_on,
        escalated_on=review.escalated_on,
        escalation_reason=shown["escalation_reason"],
        escalation_route=review.escalation_route,
        closed_on=review.closed_on,
        procedure_source=str(review.procedure["source"]),
        next_steps=next_steps(review),
    )


async def response_view(
    db: AsyncSession,
    actor: Principal,
    request: InformationRequest,
    *,
    cipher: FieldCipher,
    rules: GatewayRules,
    audit: AuditSink,
    now: datetime,
    today: date,
) -> InformationResponseView:
    """A body's answer, as the disclosure gate shows it to this viewer: the
    responding body holds it, whoever reads it."""
    subjects = [await db.get(Subject, link.subject_id) for link in request.subjects]
    view = await gated(
        db,
        actor=actor,
        holder_agency_id=request.agency_id,
        subjects=[
            SubjectInRecord(s, SubjectRole(link.role))
            for s, link in zip(subjects, request.subjects, strict=True)
            if s is not None
        ],
        texts={"response": open_field(cipher, request, "response")},
        context_kind="case_review_information_response",
        context_id=request.id,
        cipher=cipher,
        rules=rules,
        audit=audit,
        now=now,
        today=today,
    )
    return InformationResponseView(
        id=request.id,
        version=request.version,
        case_review_id=request.case_review_id,
        agency_id=request.agency_id,
        agency_type=request.agency_type,
        body_role=body_role(rules, request.agency_type),
        requested_on=request.requested_on,
        responded_on=request.responded_on,
        response=view.texts["response"],
        subjects=view.people,
    )
