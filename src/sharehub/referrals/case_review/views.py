"""Views of a case review and of a body's answer, built by the disclosure gate
like every view of people (``sharing.py``): every text of a case review is
gated with every person of it (the victim, the representative, the people the
bodies linked to their answers), so a name the gate withholds is withheld in
the narrative, the decisions, the answers, the recommendations and responses,
the outcome and the escalation alike."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.agencies.types import AgencyType
from sharehub.crypto import open_field
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gate import SubjectInRecord, own_text, sharing_partners
from sharehub.disclosure.gated import GatedText
from sharehub.identity.principal import Principal
from sharehub.privacy.models import Subject
from sharehub.privacy.redaction import PersonView
from sharehub.protocols.engine import SubjectRole
from sharehub.protocols.gateways import GatewayRules
from sharehub.protocols.terms import Purpose
from sharehub.referrals.case_review.models import CaseReview, InformationRequest
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
from sharehub.referrals.case_review.service import breached, next_steps, subjects_of
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
    """A relevant body (section 105), a co-opted one (housing providers), or neither."""
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
    db: AsyncSession, actor: Principal, review: CaseReview, gate: GateContext
) -> CaseReviewView:
    cipher, today = gate.cipher, gate.today
    subjects = await subjects_of(db, review)
    texts = {name: open_field(cipher, review, name) for name in TEXTS}
    stored_name = open_field(cipher, review, "representative_name")
    if review.representative_subject_id is not None:
        # The name as the application gave it, gated like any text: shown
        # where the gate shows the representative (below).
        texts["representative_name"] = stored_name
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
        gate,
        actor=actor,
        holder_agency_id=review.receiving_agency_id,
        subjects=subjects,
        texts=texts,
        written_by=written_by,
        context_kind="case_review",
        context_id=review.id,
    )
    shown = view.texts
    people = {p.subject_id: p for p in view.people}
    victim = people.get(review.victim_subject_id) if review.victim_subject_id else None
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
    representative_person = None
    if review.applicant_type == "representative":
        representative_person = (
            people.get(review.representative_subject_id)
            if review.representative_subject_id
            else None
        )
        representative = RepresentativeView(
            name=_representative_name(actor, review, representative_person, shown, stored_name),
            relationship=shown["representative_relationship"],
        )
    return CaseReviewView(
        id=review.id,
        reference=review.reference,
        version=review.version,
        status=review.status,  # type: ignore[arg-type]
        area=review.area,
        receiving_agency_id=review.receiving_agency_id,
        received_on=review.received_on,
        received_online=review.received_online,
        applicant_type=review.applicant_type,  # type: ignore[arg-type]
        victim_type=review.victim_type,  # type: ignore[arg-type]
        victim=victim,
        victim_name=shown["victim_name"],
        representative=representative,
        representative_person=representative_person,
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
                body_role=body_role(gate.rules, r.agency_type),
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


def _representative_name(
    actor: Principal,
    review: CaseReview,
    person: PersonView | None,
    shown: dict[str, GatedText | None],
    stored: str | None,
) -> GatedText | None:
    """The representative's name for this reader: as the application gave it
    where the gate shows the representative's name, else nothing."""
    if review.representative_subject_id is None:
        # Recorded before representatives were subjects: the receiving agency's only.
        if actor.agency_id != review.receiving_agency_id:
            return None
        return own_text(actor.agency_id, review.receiving_agency_id, stored)
    if person is None or "name" not in person.shown:
        return None
    return shown.get("representative_name") or person.name


async def response_view(
    db: AsyncSession,
    actor: Principal,
    review: CaseReview,
    request: InformationRequest,
    gate: GateContext,
) -> InformationResponseView:
    """A body's answer, as the disclosure gate shows it to this viewer: the
    responding body holds it, whoever reads it. Anyone else reads it gated
    with the case review's people too (the victim, the representative), so a
    name the gate withholds from them is withheld in the answer as well; the
    body itself reads its own answer as written."""
    linked = [
        SubjectInRecord(s, SubjectRole(link.role))
        for link in request.subjects
        if (s := await db.get(Subject, link.subject_id)) is not None
    ]
    subjects = linked
    if actor.agency_id != request.agency_id:
        ids = {s.subject.id for s in linked}
        for subject_id, role in [
            (review.victim_subject_id, SubjectRole.VICTIM),
            (review.representative_subject_id, SubjectRole.REPRESENTATIVE),
        ]:
            if subject_id is not None and subject_id not in ids:
                if (subject := await db.get(Subject, subject_id)) is not None:
                    subjects = [*subjects, SubjectInRecord(subject, role)]
    view = await gated(
        db,
        gate,
        actor=actor,
        holder_agency_id=request.agency_id,
        subjects=subjects,
        texts={"response": open_field(gate.cipher, request, "response")},
        context_kind="case_review_information_response",
        context_id=request.id,
    )
    people = {p.subject_id: p for p in view.people}
    return InformationResponseView(
        id=request.id,
        version=request.version,
        case_review_id=request.case_review_id,
        agency_id=request.agency_id,
        agency_type=request.agency_type,
        body_role=body_role(gate.rules, request.agency_type),
        requested_on=request.requested_on,
        responded_on=request.responded_on,
        response=view.texts["response"],
        subjects=[people[s.subject.id] for s in linked],
    )
