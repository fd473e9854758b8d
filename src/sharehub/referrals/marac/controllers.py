"""HTTP routes for MARAC referrals (thin)."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Request, Response, get, post, put
from litestar.params import JSONBody, PathParameter, QueryParameter

from sharehub.referrals.marac import service
from sharehub.referrals.marac.checklists import checklists
from sharehub.referrals.marac.models import MaracReferral
from sharehub.referrals.marac.schemas import (
    AreaCriteriaIn,
    AreaCriteriaView,
    ChecklistView,
    Closure,
    Hearing,
    Listing,
    QuestionView,
    ReferralCreate,
    ReferralPage,
    ReferralView,
    Resubmission,
    Screening,
    Status,
)
from sharehub.web.params import Gate, IfMatch, Session
from sharehub.web.problems import problem_responses
from sharehub.web.versions import etag, expected_version

ReferralId = Annotated[uuid.UUID, PathParameter(description="The referral's id")]
STEP = problem_responses(400, 403, 404, 409, 412, 422, 428)


async def _answer(
    request: Request, gate: Gate, db: Session, referral: MaracReferral, status_code: int = 200
) -> Response[ReferralView]:
    view = await service.view_of(db, request.user, referral, gate)
    return Response(view, status_code=status_code, headers={"ETag": etag(view.version)})


async def _step(
    request: Request,
    gate: Gate,
    db: Session,
    referral_id: uuid.UUID,
    step: str,
    data: Screening | Resubmission | Listing | Hearing | Closure | None,
    if_match: str | None,
) -> Response[ReferralView]:
    version = expected_version(if_match)
    referral = await service.get_referral(db, request.user, referral_id, gate)
    referral = await service.take_step(db, request.user, referral, version, step, data, gate)
    return await _answer(request, gate, db, referral)


class MaracReferralController(Controller):
    path = "/api/marac-referrals"
    tags = ["MARAC referrals"]

    @post(
        "/",
        operation_id="ReferToMarac",
        opt={"action": "marac-referral:create"},
        summary="Refer a case to MARAC with the DASH checklist; the criteria met are computed",
        responses=problem_responses(400, 422),
    )
    async def create(
        self, request: Request, gate: Gate, db_session: Session, data: JSONBody[ReferralCreate]
    ) -> Response[ReferralView]:
        referral = await service.refer(db_session, request.user, data, gate)
        return await _answer(request, gate, db_session, referral, 201)

    @get(
        "/",
        operation_id="ListMaracReferrals",
        opt={"action": "marac-referral:read"},
        summary="Referrals you may see: your agency's, your IDVA service's, your area's as coordinator",
        responses=problem_responses(400),
    )
    async def list(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        status: Annotated[Status | None, QueryParameter(required=False)] = None,
        area: Annotated[str | None, QueryParameter(required=False, max_length=100)] = None,
        repeat: Annotated[bool | None, QueryParameter(required=False)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> ReferralPage:
        items, total = await service.list_referrals(
            db_session,
            request.user,
            status=status,
            area=area,
            repeat=repeat,
            gate=gate,
            limit=limit,
            offset=offset,
        )
        return ReferralPage(items=items, total=total)

    @get(
        "/checklists",
        operation_id="ListDashChecklists",
        opt={"action": "marac-referral:read"},
        summary="The risk identification checklists (DASH) a referral may use, by version",
    )
    async def checklists(self) -> list[ChecklistView]:
        return [
            ChecklistView(
                version=c.version,
                title=c.title,
                citation=c.citation,
                in_use=c.in_use,
                questions=[QuestionView(code=q.code, text=q.text) for q in c.questions],
            )
            for c in checklists().values()
        ]

    @get(
        "/{referral_id:str}",
        operation_id="GetMaracReferral",
        opt={"action": "marac-referral:read"},
        summary="A referral, with its people and free text as the disclosure gate builds them",
        responses=problem_responses(400, 404),
    )
    async def read(
        self, request: Request, gate: Gate, db_session: Session, referral_id: ReferralId
    ) -> Response[ReferralView]:
        referral = await service.get_referral(db_session, request.user, referral_id, gate)
        return await _answer(request, gate, db_session, referral)

    @post(
        "/{referral_id:str}/screening",
        operation_id="ScreenMaracReferral",
        opt={"action": "marac-referral:coordinate"},
        summary="The coordinator accepts the referral (repeat flagged) or returns it with a reason",
        status_code=200,
        responses=STEP,
    )
    async def screen(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        referral_id: ReferralId,
        data: JSONBody[Screening],
        if_match: IfMatch = None,
    ) -> Response[ReferralView]:
        return await _step(request, gate, db_session, referral_id, "screen", data, if_match)

    @post(
        "/{referral_id:str}/resubmission",
        operation_id="ResubmitMaracReferral",
        opt={"action": "marac-referral:update"},
        summary="The referrer resubmits a returned referral, saying what changed",
        status_code=200,
        responses=STEP,
    )
    async def resubmit(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        referral_id: ReferralId,
        data: JSONBody[Resubmission],
        if_match: IfMatch = None,
    ) -> Response[ReferralView]:
        return await _step(request, gate, db_session, referral_id, "resubmit", data, if_match)

    @post(
        "/{referral_id:str}/listing",
        operation_id="ListMaracReferralForMeeting",
        opt={"action": "marac-referral:coordinate"},
        summary="List an accepted referral for a meeting (or move it to another)",
        status_code=200,
        responses=STEP,
    )
    async def list_for_meeting(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        referral_id: ReferralId,
        data: JSONBody[Listing],
        if_match: IfMatch = None,
    ) -> Response[ReferralView]:
        return await _step(request, gate, db_session, referral_id, "list", data, if_match)

    @post(
        "/{referral_id:str}/hearing",
        operation_id="RecordMaracHearing",
        opt={"action": "marac-referral:coordinate"},
        summary="Record that the meeting heard the case",
        status_code=200,
        responses=STEP,
    )
    async def hear(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        referral_id: ReferralId,
        data: JSONBody[Hearing],
        if_match: IfMatch = None,
    ) -> Response[ReferralView]:
        return await _step(request, gate, db_session, referral_id, "hear", data, if_match)

    @post(
        "/{referral_id:str}/actions-opened",
        operation_id="OpenMaracActions",
        opt={"action": "marac-referral:coordinate"},
        summary="Mark the action plan agreed at the meeting as open",
        status_code=200,
        responses=STEP,
    )
    async def open_actions(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        referral_id: ReferralId,
        if_match: IfMatch = None,
    ) -> Response[ReferralView]:
        return await _step(request, gate, db_session, referral_id, "open_actions", None, if_match)

    @post(
        "/{referral_id:str}/closure",
        operation_id="CloseMaracReferral",
        opt={"action": "marac-referral:coordinate"},
        summary="Close the case, saying why",
        status_code=200,
        responses=STEP,
    )
    async def close(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        referral_id: ReferralId,
        data: JSONBody[Closure],
        if_match: IfMatch = None,
    ) -> Response[ReferralView]:
        return await _step(request, gate, db_session, referral_id, "close", data, if_match)


AreaName = Annotated[str, PathParameter(description="The MARAC area", max_length=100)]


class MaracCriteriaController(Controller):
    path = "/api/marac-criteria/{area:str}"
    tags = ["MARAC referrals"]

    @get(
        "/",
        operation_id="GetMaracCriteria",
        opt={"action": "marac-referral:read"},
        summary="An area's referral criteria (SafeLives' defaults unless it set its own)",
        responses=problem_responses(400),
    )
    async def read(self, db_session: Session, area: AreaName) -> AreaCriteriaView:
        return await service.read_area_criteria(db_session, area)

    @put(
        "/",
        operation_id="SetMaracCriteria",
        opt={"action": "marac-criteria:manage"},
        summary="Set an area's local criteria (its MARAC coordinator; If-Match once set)",
        responses=problem_responses(400, 404, 409, 412, 422, 428),
    )
    async def set(
        self,
        request: Request,
        db_session: Session,
        area: AreaName,
        data: JSONBody[AreaCriteriaIn],
        if_match: IfMatch = None,
    ) -> Response[AreaCriteriaView]:
        version = expected_version(if_match) if if_match is not None else None
        view = await service.set_area_criteria(db_session, request.user, area, data, version)
        return Response(view, headers={"ETag": etag(view.version or 0)})
