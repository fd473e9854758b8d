"""HTTP routes for ASB cases (thin over cases.py)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import JSONBody, PathParameter, QueryParameter

from sharehub.referrals.asb import cases, evidence
from sharehub.referrals.asb.case_schemas import (
    ActionDone,
    ActionPlan,
    CaseClosure,
    CaseCreate,
    CaseDisclosureIn,
    CasePage,
    CaseReviewIn,
    CaseStatus,
    CaseView,
    CctvAssessmentIn,
    ContactIn,
    DiaryEntryIn,
    EvidenceAnswerIn,
    EvidenceRequestIn,
    EvidenceRequestView,
    InterventionIn,
    ProportionalityReviewIn,
)
from sharehub.referrals.asb.models import AsbCase
from sharehub.web.params import Gate, IfMatch, Session
from sharehub.web.problems import problem_responses
from sharehub.web.versions import etag, expected_version

CaseId = Annotated[uuid.UUID, PathParameter(description="The case's id")]
CHANGE = problem_responses(400, 404, 409, 412, 422, 428)
UPDATE = {"action": "asb-report:update"}


async def _answer(
    request: Request, gate: Gate, db: Session, case: AsbCase, status_code: int = 200
) -> Response[CaseView]:
    view = await cases.view_of(db, request.user, case, gate)
    return Response(view, status_code=status_code, headers={"ETag": etag(view.version)})


async def _step(
    request: Request,
    gate: Gate,
    db: Session,
    case_id: uuid.UUID,
    if_match: str | None,
    do: Callable[..., Awaitable[AsbCase]],
    data: Any,
) -> Response[CaseView]:
    """One step on a case, the same shape for every step."""
    case = await do(db, request.user, case_id, expected_version(if_match), data, gate)
    return await _answer(request, gate, db, case)


class AsbCaseController(Controller):
    path = "/api/asb-cases"
    tags = ["ASB cases"]

    @post(
        "/",
        operation_id="OpenAsbCase",
        opt={"action": "asb-report:create"},
        summary="Open a case from one or more of your agency's ASB reports",
        responses=problem_responses(400, 422),
    )
    async def create(
        self, request: Request, gate: Gate, db_session: Session, data: JSONBody[CaseCreate]
    ) -> Response[CaseView]:
        case = await cases.open_case(db_session, request.user, data, gate)
        return await _answer(request, gate, db_session, case, 201)

    @get(
        "/",
        operation_id="ListAsbCases",
        opt={"action": "asb-report:read"},
        summary="Your agency's cases; review_overdue=true lists those past their review",
        responses=problem_responses(400),
    )
    async def list(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        status: Annotated[CaseStatus | None, QueryParameter(required=False)] = None,
        review_overdue: Annotated[bool, QueryParameter(required=False)] = False,
        contact_due: Annotated[bool, QueryParameter(required=False)] = False,
        cctv_review_due: Annotated[bool, QueryParameter(required=False)] = False,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> CasePage:
        items, total = await cases.list_cases(
            db_session,
            request.user,
            gate,
            status=status,
            review_overdue=review_overdue,
            contact_due=contact_due,
            cctv_review_due=cctv_review_due,
            limit=limit,
            offset=offset,
        )
        return CasePage(items=items, total=total)

    @get(
        "/{case_id:str}",
        operation_id="GetAsbCase",
        opt={"action": "asb-report:read"},
        summary="A case: its reports, action plan, contacts, interventions and reviews",
        responses=problem_responses(400, 404),
    )
    async def read(
        self, request: Request, gate: Gate, db_session: Session, case_id: CaseId
    ) -> Response[CaseView]:
        case = await cases.get_case(db_session, request.user, case_id)
        return await _answer(request, gate, db_session, case)

    @post("/{case_id:str}/action-plan", operation_id="AgreeAsbActionPlan", opt=UPDATE,
          summary="Agree the action plan with the complainant", status_code=200, responses=CHANGE)  # fmt: skip
    async def action_plan(
        self, request: Request, gate: Gate, db_session: Session, case_id: CaseId,
        data: JSONBody[ActionPlan], if_match: IfMatch = None,
    ) -> Response[CaseView]:  # fmt: skip
        return await _step(request, gate, db_session, case_id, if_match, cases.agree_plan, data)

    @post("/{case_id:str}/contacts", operation_id="RecordAsbContact", opt=UPDATE,
          summary="Record a contact with the complainant", status_code=200, responses=CHANGE)  # fmt: skip
    async def contact(
        self, request: Request, gate: Gate, db_session: Session, case_id: CaseId,
        data: JSONBody[ContactIn], if_match: IfMatch = None,
    ) -> Response[CaseView]:  # fmt: skip
        return await _step(request, gate, db_session, case_id, if_match, cases.record_contact, data)

    @post("/{case_id:str}/diary", operation_id="AddAsbDiaryEntry", opt=UPDATE,
          summary="Add an entry from the complainant's diary sheet", status_code=200, responses=CHANGE)  # fmt: skip
    async def diary(
        self, request: Request, gate: Gate, db_session: Session, case_id: CaseId,
        data: JSONBody[DiaryEntryIn], if_match: IfMatch = None,
    ) -> Response[CaseView]:  # fmt: skip
        return await _step(
            request, gate, db_session, case_id, if_match, cases.add_diary_entry, data
        )

    @post("/{case_id:str}/interventions", operation_id="RecordAsbIntervention", opt=UPDATE,
          summary="Record an intervention from the policies' tool list", status_code=200, responses=CHANGE)  # fmt: skip
    async def intervention(
        self, request: Request, gate: Gate, db_session: Session, case_id: CaseId,
        data: JSONBody[InterventionIn], if_match: IfMatch = None,
    ) -> Response[CaseView]:  # fmt: skip
        return await _step(
            request, gate, db_session, case_id, if_match, cases.record_intervention, data
        )

    @post("/{case_id:str}/proportionality-reviews", operation_id="RecordAsbProportionalityReview",
          opt=UPDATE, summary="Record a proportionality review before legal action",
          status_code=200, responses=CHANGE)  # fmt: skip
    async def proportionality(
        self, request: Request, gate: Gate, db_session: Session, case_id: CaseId,
        data: JSONBody[ProportionalityReviewIn], if_match: IfMatch = None,
    ) -> Response[CaseView]:  # fmt: skip
        return await _step(
            request, gate, db_session, case_id, if_match, cases.record_proportionality_review, data
        )

    @post("/{case_id:str}/reviews", operation_id="RecordAsbCaseReview", opt=UPDATE,
          summary="Record a regular case review; the next falls due an interval on",
          status_code=200, responses=CHANGE)  # fmt: skip
    async def review(
        self, request: Request, gate: Gate, db_session: Session, case_id: CaseId,
        data: JSONBody[CaseReviewIn], if_match: IfMatch = None,
    ) -> Response[CaseView]:  # fmt: skip
        return await _step(request, gate, db_session, case_id, if_match, cases.record_review, data)

    @post("/{case_id:str}/actions/{number:int}/done", operation_id="CompleteAsbAction",
          opt=UPDATE, summary="Record an action in the plan as done", status_code=200,
          responses=CHANGE)  # fmt: skip
    async def action_done(
        self, request: Request, gate: Gate, db_session: Session, case_id: CaseId,
        number: Annotated[int, PathParameter(ge=1, le=10_000)],
        data: JSONBody[ActionDone], if_match: IfMatch = None,
    ) -> Response[CaseView]:  # fmt: skip
        case = await cases.complete_action(
            db_session, request.user, case_id, number, expected_version(if_match), data, gate
        )
        return await _answer(request, gate, db_session, case)

    @post("/{case_id:str}/closure", operation_id="CloseAsbCase", opt=UPDATE,
          summary="Close the case, with the reason the complainant was told", status_code=200,
          responses=CHANGE)  # fmt: skip
    async def close(
        self, request: Request, gate: Gate, db_session: Session, case_id: CaseId,
        data: JSONBody[CaseClosure], if_match: IfMatch = None,
    ) -> Response[CaseView]:  # fmt: skip
        return await _step(request, gate, db_session, case_id, if_match, cases.close_case, data)

    @post("/{case_id:str}/disclosures", operation_id="ShareAsbCaseInformation", opt=UPDATE,
          summary="Tell a partner agency something about the case, through the gate",
          status_code=200, responses=CHANGE)  # fmt: skip
    async def disclosure(
        self, request: Request, gate: Gate, db_session: Session, case_id: CaseId,
        data: JSONBody[CaseDisclosureIn], if_match: IfMatch = None,
    ) -> Response[CaseView]:  # fmt: skip
        return await _step(
            request, gate, db_session, case_id, if_match, evidence.tell_partner, data
        )

    @post("/{case_id:str}/cctv-assessments", operation_id="AssessAsbCctv", opt=UPDATE,
          summary="Record the assessment before CCTV is installed (fixed: reviewed in five years)",
          status_code=200, responses=CHANGE)  # fmt: skip
    async def cctv(
        self, request: Request, gate: Gate, db_session: Session, case_id: CaseId,
        data: JSONBody[CctvAssessmentIn], if_match: IfMatch = None,
    ) -> Response[CaseView]:  # fmt: skip
        return await _step(request, gate, db_session, case_id, if_match, cases.assess_cctv, data)

    @post("/{case_id:str}/evidence-requests", operation_id="AskPartnerForEvidence", opt=UPDATE,
          summary="Ask a partner agency for information about the case (through the gate)",
          status_code=200, responses=CHANGE)  # fmt: skip
    async def ask_partner(
        self, request: Request, gate: Gate, db_session: Session, case_id: CaseId,
        data: JSONBody[EvidenceRequestIn], if_match: IfMatch = None,
    ) -> Response[CaseView]:  # fmt: skip
        return await _step(request, gate, db_session, case_id, if_match, evidence.ask_partner, data)


EvidenceId = Annotated[uuid.UUID, PathParameter(description="The request's id")]


class EvidenceRequestController(Controller):
    """Requests other agencies have made of yours, and your answers."""

    path = "/api/asb-evidence-requests"
    tags = ["ASB cases"]

    @get(
        "/",
        operation_id="ListEvidenceRequestsToYou",
        opt={"action": "asb-report:read"},
        summary="What partner agencies have asked your agency about their ASB cases",
        responses=problem_responses(400),
    )
    async def inbox(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        waiting: Annotated[bool, QueryParameter(required=False)] = False,
    ) -> list[EvidenceRequestView]:
        return await evidence.inbox(db_session, request.user, gate, waiting_only=waiting)

    @get(
        "/{evidence_id:str}",
        operation_id="GetEvidenceRequest",
        opt={"action": "asb-report:read"},
        summary="A request your agency made or was asked, as the gate shows it to you",
        responses=problem_responses(400, 404),
    )
    async def read(
        self, request: Request, gate: Gate, db_session: Session, evidence_id: EvidenceId
    ) -> EvidenceRequestView:
        found = await evidence.get_request(db_session, request.user, evidence_id)
        return await evidence.view_of(db_session, request.user, found, gate)

    @post(
        "/{evidence_id:str}/answer",
        operation_id="AnswerEvidenceRequest",
        opt={"action": "asb-report:update"},
        summary="Answer a partner's request (or decline it, saying why)",
        status_code=200,
        responses=problem_responses(400, 404, 409, 422),
    )
    async def answer(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        evidence_id: EvidenceId,
        data: JSONBody[EvidenceAnswerIn],
    ) -> EvidenceRequestView:
        answered = await evidence.answer(db_session, request.user, evidence_id, data, gate)
        return await evidence.view_of(db_session, request.user, answered, gate)
