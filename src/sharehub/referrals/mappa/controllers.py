"""HTTP routes for MAPPA referrals (thin)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.params import JSONBody, PathParameter, QueryParameter

from sharehub.audit.events import AuditEvent
from sharehub.referrals.mappa import service
from sharehub.referrals.mappa.arrangements import default_arrangements
from sharehub.referrals.mappa.models import MappaReferral
from sharehub.referrals.mappa.schemas import (
    ArrangementsView,
    CategoryView,
    Closure,
    Invitation,
    LevelDecisionIn,
    LevelReviewIn,
    LevelView,
    ReferralCreate,
    ReferralPage,
    ReferralView,
    Resubmission,
    Return,
    ReviewsDue,
    Status,
)
from sharehub.web.params import Gate, IfMatch, Session
from sharehub.web.problems import problem_responses
from sharehub.web.versions import etag, expected_version

ReferralId = Annotated[uuid.UUID, PathParameter(description="The referral's id")]
CHANGE = problem_responses(400, 403, 404, 409, 412, 422, 428)


def _context(gate: Gate) -> service.Context:
    return service.Context(gate=gate, arrangements=default_arrangements())


async def _answer(
    request: Request,
    db: Session,
    referral: MappaReferral,
    ctx: service.Context,
    status_code: int = 200,
    **headers: str,
) -> Response[ReferralView]:
    view = await service.view_of(db, request.user, referral, ctx)
    return Response(view, status_code=status_code, headers={"ETag": etag(view.version), **headers})


class MappaReferralController(Controller):
    path = "/api/mappa-referrals"
    tags = ("MAPPA referrals",)  # a tuple: class attributes stay immutable

    @post(
        "/",
        operation_id="ReferToMappa",
        opt={"action": "mappa-referral:create"},
        summary="Refer an offender your agency holds to MAPPA (MAPPA A; responsible authorities)",
        responses=problem_responses(400, 403, 422),
    )
    async def create(
        self, request: Request, gate: Gate, db_session: Session, data: JSONBody[ReferralCreate]
    ) -> Response[ReferralView]:
        ctx = _context(gate)
        try:
            referral = await service.refer(db_session, request.user, data, ctx)
        except service.NotAResponsibleAuthority:
            # Recorded like any refusal, in a transaction of its own: this one
            # has written nothing and ends now (SQLite would otherwise make the
            # ledger wait on its lock).
            await db_session.rollback()
            await gate.audit.record(
                AuditEvent(
                    kind="access_denied",
                    at=ctx.now,
                    user_id=request.user.id,
                    agency_id=request.user.agency_id,
                    reason="mappa-referral:create by an agency that is not a responsible authority",
                )
            )
            raise
        return await _answer(
            request, db_session, referral, ctx, 201, Location=f"{self.path}/{referral.id}"
        )

    @get(
        "/",
        operation_id="ListMappaReferrals",
        opt={"action": "mappa-referral:read"},
        summary="The referrals you may read (your agency's, those it is invited to, your area's)",
        responses=problem_responses(400),
    )
    async def list(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        status: Annotated[Status | None, QueryParameter(required=False)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> ReferralPage:
        items, total = await service.list_referrals(
            db_session, request.user, status=status, ctx=_context(gate), limit=limit, offset=offset
        )
        return ReferralPage(items=items, total=total)

    @get(
        "/reviews-due",
        operation_id="ListMappaReviewsDue",
        opt={"action": "mappa-referral:decide"},
        summary="Level reviews due within the coming days, and those overdue (coordinators, chairs)",
        responses=problem_responses(400),
    )
    async def reviews_due(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        within_days: Annotated[int, QueryParameter(ge=0, le=366)] = 28,
    ) -> ReviewsDue:
        ctx = _context(gate)
        due_by = ctx.today + timedelta(days=within_days)
        return await service.reviews_due(db_session, request.user, due_by=due_by, ctx=ctx)

    @get(
        "/{referral_id:str}",
        operation_id="GetMappaReferral",
        opt={"action": "mappa-referral:read"},
        summary="A referral, with the offender and free text as the disclosure gate builds them",
        responses=problem_responses(400, 404),
    )
    async def read(
        self, request: Request, gate: Gate, db_session: Session, referral_id: ReferralId
    ) -> Response[ReferralView]:
        ctx = _context(gate)
        referral = await service.get_referral(db_session, request.user, referral_id, ctx)
        return await _answer(request, db_session, referral, ctx)

    @post(
        "/{referral_id:str}/acceptance",
        operation_id="AcceptMappaReferral",
        opt={"action": "mappa-referral:decide"},
        summary="Screen a referral in: it meets the criteria and goes on to a level decision",
        status_code=200,
        responses=CHANGE,
    )
    async def accept(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        referral_id: ReferralId,
        if_match: IfMatch = None,
    ) -> Response[ReferralView]:
        ctx = _context(gate)
        referral = await service.accept(
            db_session, request.user, referral_id, expected_version(if_match), ctx
        )
        return await _answer(request, db_session, referral, ctx)

    @post(
        "/{referral_id:str}/return",
        operation_id="ReturnMappaReferral",
        opt={"action": "mappa-referral:decide"},
        summary="Return a referral to the referrer, saying what it needs",
        status_code=200,
        responses=CHANGE,
    )
    async def return_referral(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        referral_id: ReferralId,
        data: JSONBody[Return],
        if_match: IfMatch = None,
    ) -> Response[ReferralView]:
        ctx = _context(gate)
        referral = await service.return_referral(
            db_session, request.user, referral_id, expected_version(if_match), data, ctx
        )
        return await _answer(request, db_session, referral, ctx)

    @post(
        "/{referral_id:str}/resubmission",
        operation_id="ResubmitMappaReferral",
        opt={"action": "mappa-referral:update"},
        summary="Send a returned referral again, with what changed (the referring agency)",
        status_code=200,
        responses=CHANGE,
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
        ctx = _context(gate)
        referral = await service.resubmit(
            db_session, request.user, referral_id, expected_version(if_match), data, ctx
        )
        return await _answer(request, db_session, referral, ctx)

    @post(
        "/{referral_id:str}/level-decision",
        operation_id="AgreeMappaLevel",
        opt={"action": "mappa-referral:decide"},
        summary="Agree the level of management, with reasons; schedules the first level review",
        status_code=200,
        responses=CHANGE,
    )
    async def agree_level(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        referral_id: ReferralId,
        data: JSONBody[LevelDecisionIn],
        if_match: IfMatch = None,
    ) -> Response[ReferralView]:
        ctx = _context(gate)
        referral = await service.agree_level(
            db_session, request.user, referral_id, expected_version(if_match), data, ctx
        )
        return await _answer(request, db_session, referral, ctx)

    @post(
        "/{referral_id:str}/level-review",
        operation_id="ReviewMappaLevel",
        opt={"action": "mappa-referral:decide"},
        summary="Record a level review (confirmed or changed, with reasons); reschedules the next",
        status_code=200,
        responses=CHANGE,
    )
    async def review_level(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        referral_id: ReferralId,
        data: JSONBody[LevelReviewIn],
        if_match: IfMatch = None,
    ) -> Response[ReferralView]:
        ctx = _context(gate)
        referral = await service.review_level(
            db_session, request.user, referral_id, expected_version(if_match), data, ctx
        )
        return await _answer(request, db_session, referral, ctx)

    @post(
        "/{referral_id:str}/invitations",
        operation_id="InviteToMappaCase",
        opt={"action": "mappa-referral:decide"},
        summary="Invite duty-to-co-operate agencies (or other responsible authorities) to the case",
        status_code=200,
        responses=CHANGE,
    )
    async def invite(
        self,
        request: Request,
        gate: Gate,
        db_session: Session,
        referral_id: ReferralId,
        data: JSONBody[Invitation],
        if_match: IfMatch = None,
    ) -> Response[ReferralView]:
        ctx = _context(gate)
        referral = await service.invite(
            db_session, request.user, referral_id, expected_version(if_match), data, ctx
        )
        return await _answer(request, db_session, referral, ctx)

    @post(
        "/{referral_id:str}/closure",
        operation_id="CloseMappaReferral",
        opt={"action": "mappa-referral:decide"},
        summary="Close the case, saying why",
        status_code=200,
        responses=CHANGE,
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
        ctx = _context(gate)
        referral = await service.close(
            db_session, request.user, referral_id, expected_version(if_match), data, ctx
        )
        return await _answer(request, db_session, referral, ctx)


@get(
    "/api/mappa-arrangements",
    operation_id="GetMappaArrangements",
    opt={"action": "mappa-referral:read"},
    summary="The MAPPA categories referrals are taken in, and the levels with their review intervals",
    tags=["MAPPA referrals"],
)
async def mappa_arrangements() -> ArrangementsView:
    arrangements = default_arrangements()
    return ArrangementsView(
        version=arrangements.version,
        categories=[
            CategoryView(
                number=c.number,
                name=c.name,
                citation=c.citation,
                enabled=c.enabled,
                unsettled=c.unsettled,
                note=c.note,
            )
            for c in arrangements.categories
        ],
        levels=[
            LevelView(
                number=level.number,
                name=level.name,
                citation=level.citation,
                review_weeks=level.review_weeks,
                review_citation=level.review_citation,
            )
            for level in arrangements.levels
        ],
    )
