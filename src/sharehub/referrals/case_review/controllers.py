"""HTTP routes for ASB case reviews and areas' review procedures (thin)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from litestar import Controller, Request, Response, get, post, put
from litestar.params import JSONBody, PathParameter, QueryParameter

from sharehub.referrals.case_review import bodies, procedures, service, views
from sharehub.referrals.case_review.models import CaseReview, InformationRequest
from sharehub.referrals.case_review.schemas import (
    Acknowledgement,
    ApplicantTold,
    ApplicationIn,
    CaseReviewPage,
    CaseReviewView,
    ClosureIn,
    DiscretionaryDecision,
    EscalationIn,
    Figures,
    InformationRequestIn,
    InformationResponseIn,
    InformationResponseView,
    OutcomeIn,
    ProcedureIn,
    ProcedureView,
    RecommendationResponseIn,
    ReviewMeeting,
    Status,
)
from sharehub.web.params import Gate, IfMatch, Session
from sharehub.web.problems import problem_responses
from sharehub.web.versions import etag, expected_version

ReviewId = Annotated[uuid.UUID, PathParameter(description="The case review's id")]
RequestId = Annotated[uuid.UUID, PathParameter(description="The information request's id")]
RecommendationId = Annotated[uuid.UUID, PathParameter(description="The recommendation's id")]
AreaName = Annotated[
    str,
    PathParameter(min_length=1, max_length=100, description="The area's name, as agencies give it"),
]
CHANGE = problem_responses(400, 403, 404, 409, 412, 422, 428)


async def _answer(
    request: Request, gate: Gate, db: Session, review: CaseReview, status_code: int = 200
) -> Response[CaseReviewView]:
    view = await views.view_of(db, request.user, review, gate)
    return Response(view, status_code=status_code, headers={"ETag": etag(view.version)})


async def _response(
    request: Request, gate: Gate, db: Session, review: CaseReview, asked: InformationRequest
) -> Response[InformationResponseView]:
    view = await views.response_view(db, request.user, review, asked, gate)
    return Response(view, headers={"ETag": etag(view.version)})


class CaseReviewController(Controller):
    path = "/api/case-reviews"
    tags = ("ASB case reviews",)

    @post(
        "/",
        operation_id="ApplyForCaseReview",
        opt={"action": "case-review:create"},
        summary="Record an application for an ASB case review; the threshold is decided at once",
        responses=problem_responses(400, 422),
    )
    async def create(
        self, request: Request, gate: Gate, db_session: Session, data: JSONBody[ApplicationIn]
    ) -> Response[CaseReviewView]:
        review = await service.apply(db_session, request.user, data, gate)
        return await _answer(request, gate, db_session, review, 201)

    @get(
        "/",
        operation_id="ListCaseReviews",
        opt={"action": "case-review:read"},
        summary="Case reviews you may see, by status or area; breached=true lists missed clocks",
        responses=problem_responses(400),
    )
    async def list(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        status: Annotated[Status | None, QueryParameter(required=False)] = None,
        area: Annotated[str | None, QueryParameter(required=False, max_length=100)] = None,
        breached: Annotated[bool, QueryParameter(required=False)] = False,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> CaseReviewPage:
        items, total = await service.list_reviews(
            db_session,
            request.user,
            status=status,
            area=area,
            breached_only=breached,
            gate=gate,
            limit=limit,
            offset=offset,
        )
        return CaseReviewPage(items=items, total=total)

    @get(
        "/figures",
        operation_id="CaseReviewFigures",
        opt={"action": "case-review:figures"},
        summary="An area's figures for publication over a period (counts only)",
        responses=problem_responses(400, 404, 422),
    )
    async def figures(
        self,
        db_session: Session,
        area: Annotated[str, QueryParameter(min_length=1, max_length=100)],
        period_from: Annotated[
            date, QueryParameter(name="from", description="Local date, inclusive")
        ],
        period_to: Annotated[date, QueryParameter(name="to", description="Local date, inclusive")],
    ) -> Figures:
        return await service.figures(db_session, area, period_from, period_to)

    @get(
        "/{review_id:str}",
        operation_id="GetCaseReview",
        opt={"action": "case-review:read"},
        summary="A case review, with the victim and its text as the disclosure gate builds them",
        responses=problem_responses(400, 404),
    )
    async def read(
        self, request: Request, gate: Gate, db_session: Session, review_id: ReviewId
    ) -> Response[CaseReviewView]:
        review = await service.get_review(db_session, request.user, review_id, gate)
        return await _answer(request, gate, db_session, review)

    @post(
        "/{review_id:str}/acknowledgement",
        operation_id="AcknowledgeCaseReview",
        opt={"action": "case-review:manage"},
        summary="Record that the application was acknowledged; starts the decision clock",
        status_code=200,
        responses=CHANGE,
    )
    async def acknowledge(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        review_id: ReviewId,
        data: JSONBody[Acknowledgement],
        if_match: IfMatch = None,
    ) -> Response[CaseReviewView]:
        review = await service.acknowledge(
            db_session, request.user, review_id, expected_version(if_match), data, gate
        )
        return await _answer(request, gate, db_session, review)

    @post(
        "/{review_id:str}/discretionary-decision",
        operation_id="DecideCaseReviewThreshold",
        opt={"action": "case-review:manage"},
        summary="Accept or decline an application below the threshold, with reasons (section 104(5))",
        status_code=200,
        responses=CHANGE,
    )
    async def decide(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        review_id: ReviewId,
        data: JSONBody[DiscretionaryDecision],
        if_match: IfMatch = None,
    ) -> Response[CaseReviewView]:
        review = await service.decide(
            db_session,
            request.user,
            review_id,
            expected_version(if_match),
            data,
            gate,
        )
        return await _answer(request, gate, db_session, review)

    @post(
        "/{review_id:str}/applicant-told",
        operation_id="RecordApplicantTold",
        opt={"action": "case-review:manage"},
        summary="Record when the applicant was told the threshold decision or the outcome",
        status_code=200,
        responses=CHANGE,
    )
    async def tell(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        review_id: ReviewId,
        data: JSONBody[ApplicantTold],
        if_match: IfMatch = None,
    ) -> Response[CaseReviewView]:
        review = await service.tell_applicant(
            db_session, request.user, review_id, expected_version(if_match), data, gate
        )
        return await _answer(request, gate, db_session, review)

    @post(
        "/{review_id:str}/information-requests",
        operation_id="RequestCaseReviewInformation",
        opt={"action": "case-review:manage"},
        summary="Ask relevant bodies (or co-opted ones) for information (Schedule 4, paragraph 7)",
        status_code=200,
        responses=CHANGE,
    )
    async def request_information(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        review_id: ReviewId,
        data: JSONBody[InformationRequestIn],
        if_match: IfMatch = None,
    ) -> Response[CaseReviewView]:
        review = await service.request_information(
            db_session,
            request.user,
            review_id,
            expected_version(if_match),
            data,
            gate,
        )
        return await _answer(request, gate, db_session, review)

    @get(
        "/{review_id:str}/information-requests/{request_id:str}",
        operation_id="GetCaseReviewInformation",
        opt={"action": "case-review:read"},
        summary="A body's answer, through the disclosure gate for anyone outside that body",
        responses=problem_responses(400, 404),
    )
    async def read_response(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        review_id: ReviewId,
        request_id: RequestId,
    ) -> Response[InformationResponseView]:
        review, asked = await bodies.get_request(
            db_session, request.user, review_id, request_id, gate
        )
        return await _response(request, gate, db_session, review, asked)

    @post(
        "/{review_id:str}/information-requests/{request_id:str}/response",
        operation_id="AnswerCaseReviewInformation",
        opt={"action": "case-review:respond"},
        summary="Your body's answer to the request, once (If-Match: the request's ETag)",
        status_code=200,
        responses=CHANGE,
    )
    async def respond(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        review_id: ReviewId,
        request_id: RequestId,
        data: JSONBody[InformationResponseIn],
        if_match: IfMatch = None,
    ) -> Response[InformationResponseView]:
        review, asked = await bodies.respond(
            db_session, request.user, review_id, request_id, expected_version(if_match), data, gate
        )
        return await _response(request, gate, db_session, review, asked)

    @post(
        "/{review_id:str}/review-meeting",
        operation_id="RecordCaseReviewMeeting",
        opt={"action": "case-review:manage"},
        summary="Record the date the review meeting was held",
        status_code=200,
        responses=CHANGE,
    )
    async def hold_review(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        review_id: ReviewId,
        data: JSONBody[ReviewMeeting],
        if_match: IfMatch = None,
    ) -> Response[CaseReviewView]:
        review = await service.hold_review(
            db_session, request.user, review_id, expected_version(if_match), data, gate
        )
        return await _answer(request, gate, db_session, review)

    @post(
        "/{review_id:str}/outcome",
        operation_id="RecordCaseReviewOutcome",
        opt={"action": "case-review:manage"},
        summary="Record the review's outcome and its recommendations to named bodies",
        status_code=200,
        responses=CHANGE,
    )
    async def record_outcome(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        review_id: ReviewId,
        data: JSONBody[OutcomeIn],
        if_match: IfMatch = None,
    ) -> Response[CaseReviewView]:
        review = await service.record_outcome(
            db_session,
            request.user,
            review_id,
            expected_version(if_match),
            data,
            gate,
        )
        return await _answer(request, gate, db_session, review)

    @post(
        "/{review_id:str}/recommendations/{recommendation_id:str}/response",
        operation_id="AnswerCaseReviewRecommendation",
        opt={"action": "case-review:respond"},
        summary="Your body's response to its recommendation (If-Match: its version)",
        status_code=200,
        responses=CHANGE,
    )
    async def respond_to_recommendation(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        review_id: ReviewId,
        recommendation_id: RecommendationId,
        data: JSONBody[RecommendationResponseIn],
        if_match: IfMatch = None,
    ) -> Response[CaseReviewView]:
        review = await bodies.respond_to_recommendation(
            db_session,
            request.user,
            review_id,
            recommendation_id,
            expected_version(if_match),
            data,
            gate,
        )
        return await _answer(request, gate, db_session, review)

    @post(
        "/{review_id:str}/escalation",
        operation_id="EscalateCaseReview",
        opt={"action": "case-review:manage"},
        summary="Record a dissatisfied applicant's request; routed as the area's procedure says",
        status_code=200,
        responses=CHANGE,
    )
    async def escalate(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        review_id: ReviewId,
        data: JSONBody[EscalationIn],
        if_match: IfMatch = None,
    ) -> Response[CaseReviewView]:
        review = await service.escalate(
            db_session,
            request.user,
            review_id,
            expected_version(if_match),
            data,
            gate,
        )
        return await _answer(request, gate, db_session, review)

    @post(
        "/{review_id:str}/closure",
        operation_id="CloseCaseReview",
        opt={"action": "case-review:manage"},
        summary="Close the case review once the applicant has been told",
        status_code=200,
        responses=CHANGE,
    )
    async def close(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        review_id: ReviewId,
        data: JSONBody[ClosureIn],
        if_match: IfMatch = None,
    ) -> Response[CaseReviewView]:
        review = await service.close(
            db_session, request.user, review_id, expected_version(if_match), data, gate
        )
        return await _answer(request, gate, db_session, review)


class CaseReviewProcedureController(Controller):
    path = "/api/case-review-procedures"
    tags = ("ASB case reviews",)

    @get(
        "/{area:str}",
        operation_id="GetCaseReviewProcedure",
        opt={"action": "case-review:read"},
        summary="An area's review procedure: threshold, clocks, escalation route (or defaults)",
        responses=problem_responses(400, 404),
    )
    async def read(self, db_session: Session, area: AreaName) -> ProcedureView:
        return await procedures.read_procedure(db_session, area)

    @put(
        "/{area:str}",
        operation_id="SetCaseReviewProcedure",
        opt={"action": "case-review-procedure:manage"},
        summary="Set an area's procedure (its coordinator; If-Match once one is set)",
        responses=problem_responses(400, 403, 404, 409, 412, 422, 428),
    )
    async def set(
        self,
        request: Request,
        db_session: Session,
        area: AreaName,
        data: JSONBody[ProcedureIn],
        if_match: IfMatch = None,
    ) -> Response[ProcedureView]:
        version = expected_version(if_match) if if_match is not None else None
        view = await procedures.set_procedure(db_session, request.user, area, data, version)
        return Response(view, headers={"ETag": etag(view.version or 0)})
