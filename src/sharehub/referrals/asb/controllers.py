"""HTTP routes for ASB reports (thin)."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Request, Response, get, post, put
from litestar.params import JSONBody, PathParameter, QueryParameter

from sharehub.referrals.asb import policies, service, triage_policy
from sharehub.referrals.asb.models import AsbReport
from sharehub.referrals.asb.schemas import (
    Assessment,
    Closure,
    FirstResponse,
    HarmLevel,
    PoliceReport,
    Reopening,
    ReportCreate,
    SatisfactionAnswer,
    ReportPage,
    ReportView,
    ResponsePolicyIn,
    ResponsePolicyView,
    Status,
    SubjectLink,
    Triage,
    TriagePolicyIn,
    TriagePolicyView,
)
from sharehub.web.params import Gate, IfMatch, Session
from sharehub.web.problems import problem_responses
from sharehub.web.versions import etag, expected_version

ReportId = Annotated[uuid.UUID, PathParameter(description="The report's id")]
CHANGE = problem_responses(400, 404, 409, 412, 422, 428)


async def _answer(
    request: Request, gate: Gate, db: Session, report: AsbReport, status_code: int = 200
) -> Response[ReportView]:
    view = await service.view_of(db, request.user, report, gate)
    return Response(view, status_code=status_code, headers={"ETag": etag(view.version)})


class AsbReportController(Controller):
    path = "/api/asb-reports"
    tags = ["ASB reports"]

    @post(
        "/",
        operation_id="LogAsbReport",
        opt={"action": "asb-report:create"},
        summary="Log a report of anti-social behaviour or a hate incident",
        responses=problem_responses(400, 422),
    )
    async def create(
        self, request: Request, gate: Gate, db_session: Session, data: JSONBody[ReportCreate]
    ) -> Response[ReportView]:
        report = await service.log_report(db_session, request.user, data, gate)
        return await _answer(request, gate, db_session, report, 201)

    @get(
        "/",
        operation_id="ListAsbReports",
        opt={"action": "asb-report:read"},
        summary="Your agency's reports, by status; breached=true lists missed targets",
        responses=problem_responses(400),
    )
    async def list(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        status: Annotated[Status | None, QueryParameter(required=False)] = None,
        breached: Annotated[bool, QueryParameter(required=False)] = False,
        harm_level: Annotated[HarmLevel | None, QueryParameter(required=False)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> ReportPage:
        items, total = await service.list_reports(
            db_session,
            request.user,
            status=status,
            breached_only=breached,
            harm_level=harm_level,
            gate=gate,
            limit=limit,
            offset=offset,
        )
        return ReportPage(items=items, total=total)

    @get(
        "/{report_id:str}",
        operation_id="GetAsbReport",
        opt={"action": "asb-report:read"},
        summary="A report, with its subjects and narrative as the disclosure gate builds them",
        responses=problem_responses(400, 404),
    )
    async def read(
        self, request: Request, gate: Gate, db_session: Session, report_id: ReportId
    ) -> Response[ReportView]:
        report = await service.get_report(db_session, request.user, report_id)
        return await _answer(request, gate, db_session, report)

    @post(
        "/{report_id:str}/assessment",
        operation_id="AssessAsbReport",
        opt={"action": "asb-report:update"},
        summary="Record the harm assessment made with the complainant; sets the response target",
        status_code=200,
        responses=CHANGE,
    )
    async def assess(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        report_id: ReportId,
        data: JSONBody[Assessment],
        if_match: IfMatch = None,
    ) -> Response[ReportView]:
        report = await service.assess(
            db_session, request.user, report_id, expected_version(if_match), data, gate
        )
        return await _answer(request, gate, db_session, report)

    @post(
        "/{report_id:str}/triage",
        operation_id="TriageAsbReport",
        opt={"action": "asb-report:update"},
        summary="Triage a report: dealt with as ASB, set aside and signposted, or domestic abuse",
        status_code=200,
        responses=CHANGE,
    )
    async def triage(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        report_id: ReportId,
        data: JSONBody[Triage],
        if_match: IfMatch = None,
    ) -> Response[ReportView]:
        report = await service.triage(
            db_session, request.user, report_id, expected_version(if_match), data, gate
        )
        return await _answer(request, gate, db_session, report)

    @post(
        "/{report_id:str}/police-report",
        operation_id="RecordAsbPoliceReport",
        opt={"action": "asb-report:update"},
        summary="Record that criminal behaviour or hate crime was reported on to the police",
        status_code=200,
        responses=CHANGE,
    )
    async def report_to_police(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        report_id: ReportId,
        data: JSONBody[PoliceReport],
        if_match: IfMatch = None,
    ) -> Response[ReportView]:
        report = await service.report_to_police(
            db_session, request.user, report_id, expected_version(if_match), data, gate
        )
        return await _answer(request, gate, db_session, report)

    @post(
        "/{report_id:str}/first-response",
        operation_id="RespondToAsbReport",
        opt={"action": "asb-report:update"},
        summary="Record the first response to the complainant",
        status_code=200,
        responses=CHANGE,
    )
    async def respond(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        report_id: ReportId,
        data: JSONBody[FirstResponse],
        if_match: IfMatch = None,
    ) -> Response[ReportView]:
        report = await service.respond(
            db_session, request.user, report_id, expected_version(if_match), data, gate
        )
        return await _answer(request, gate, db_session, report)

    @post(
        "/{report_id:str}/closure",
        operation_id="CloseAsbReport",
        opt={"action": "asb-report:update"},
        summary="Close a report, saying why and when the complainant was told",
        status_code=200,
        responses=CHANGE,
    )
    async def close(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        report_id: ReportId,
        data: JSONBody[Closure],
        if_match: IfMatch = None,
    ) -> Response[ReportView]:
        report = await service.close(
            db_session, request.user, report_id, expected_version(if_match), data, gate
        )
        return await _answer(request, gate, db_session, report)

    @post(
        "/{report_id:str}/satisfaction",
        operation_id="RecordAsbSatisfaction",
        opt={"action": "asb-report:update"},
        summary="Record the complainant's satisfaction, asked after closure (TSM TP12)",
        status_code=200,
        responses=CHANGE,
    )
    async def record_satisfaction(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        report_id: ReportId,
        data: JSONBody[SatisfactionAnswer],
        if_match: IfMatch = None,
    ) -> Response[ReportView]:
        report = await service.record_satisfaction(
            db_session, request.user, report_id, expected_version(if_match), data, gate
        )
        return await _answer(request, gate, db_session, report)

    @post(
        "/{report_id:str}/reopening",
        operation_id="ReopenAsbReport",
        opt={"action": "asb-report:update"},
        summary="Reopen a closed report on a material change, recorded",
        status_code=200,
        responses=CHANGE,
    )
    async def reopen(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        report_id: ReportId,
        data: JSONBody[Reopening],
        if_match: IfMatch = None,
    ) -> Response[ReportView]:
        report = await service.reopen(
            db_session, request.user, report_id, expected_version(if_match), data, gate
        )
        return await _answer(request, gate, db_session, report)

    @post(
        "/{report_id:str}/subjects",
        operation_id="AddPersonToAsbReport",
        opt={"action": "asb-report:update"},
        summary="Add a person your agency holds to an open report, in a role",
        status_code=200,
        responses=CHANGE,
    )
    async def link_person(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        report_id: ReportId,
        data: JSONBody[SubjectLink],
        if_match: IfMatch = None,
    ) -> Response[ReportView]:
        report = await service.link_person(
            db_session, request.user, report_id, expected_version(if_match), data
        )
        return await _answer(request, gate, db_session, report)


AgencyId = Annotated[uuid.UUID, PathParameter(description="The agency's id")]


class ResponsePolicyController(Controller):
    path = "/api/agencies/{agency_id:str}/response-policy"
    tags = ["ASB reports"]

    @get(
        "/",
        operation_id="GetResponsePolicy",
        opt={"action": "asb-report:read"},
        summary="An agency's first-response targets (the defaults unless it set its own)",
        responses=problem_responses(400, 404),
    )
    async def read(
        self, request: Request, db_session: Session, agency_id: AgencyId
    ) -> ResponsePolicyView:
        return await policies.read_policy(db_session, request.user, agency_id)

    @put(
        "/",
        operation_id="SetResponsePolicy",
        opt={"action": "response-policy:manage"},
        summary="Set an agency's own targets (its administrator; If-Match once one is set)",
        responses=problem_responses(400, 404, 412, 422, 428),
    )
    async def set(
        self,
        request: Request,
        db_session: Session,
        agency_id: AgencyId,
        data: JSONBody[ResponsePolicyIn],
        if_match: IfMatch = None,
    ) -> Response[ResponsePolicyView]:
        version = expected_version(if_match) if if_match is not None else None
        view = await policies.set_policy(db_session, request.user, agency_id, data, version)
        return Response(view, headers={"ETag": etag(view.version or 0)})


class TriagePolicyController(Controller):
    path = "/api/agencies/{agency_id:str}/asb-triage-policy"
    tags = ["ASB reports"]

    @get(
        "/",
        operation_id="GetAsbTriagePolicy",
        opt={"action": "asb-report:read"},
        summary="The matters an agency does not deal with as ASB, and where each is signposted",
        responses=problem_responses(400, 404),
    )
    async def read(
        self, request: Request, db_session: Session, agency_id: AgencyId
    ) -> TriagePolicyView:
        return await triage_policy.read_policy(db_session, agency_id)

    @put(
        "/",
        operation_id="SetAsbTriagePolicy",
        opt={"action": "response-policy:manage"},
        summary="Set the agency's own list (its administrator; If-Match once one is set)",
        responses=problem_responses(400, 404, 412, 422, 428),
    )
    async def set(
        self,
        request: Request,
        db_session: Session,
        agency_id: AgencyId,
        data: JSONBody[TriagePolicyIn],
        if_match: IfMatch = None,
    ) -> Response[TriagePolicyView]:
        version = expected_version(if_match) if if_match is not None else None
        view = await triage_policy.set_policy(db_session, request.user, agency_id, data, version)
        return Response(view, headers={"ETag": etag(view.version or 0)})
