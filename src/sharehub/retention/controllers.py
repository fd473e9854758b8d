"""HTTP routes for legal holds."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import JSONBody, PathParameter

from sharehub.db.base import utcnow
from sharehub.retention import holds
from sharehub.web.params import Session
from sharehub.web.problems import problem_responses


class HoldList(msgspec.Struct, kw_only=True):
    items: list[holds.HoldView]


class LegalHoldController(Controller):
    path = "/api/legal-holds"
    tags = ["Audit"]

    @post(
        "/",
        operation_id="PlaceLegalHold",
        opt={"action": "retention:hold"},
        summary="Stop the retention schedule touching a record (a subject: all about them)",
        responses=problem_responses(400, 404),
    )
    async def place(
        self, request: Request, state: State, db_session: Session, data: JSONBody[holds.HoldCreate]
    ) -> Response[holds.HoldView]:
        view = await holds.place_hold(db_session, request.user, data, state.audit_events, utcnow())
        return Response(view, status_code=201)

    @get(
        "/",
        operation_id="ListLegalHolds",
        opt={"action": "retention:hold"},
        summary="Your agency's legal holds",
    )
    async def list(self, request: Request, db_session: Session) -> HoldList:
        return HoldList(items=await holds.list_holds(db_session, request.user))

    @post(
        "/{hold_id:str}/release",
        operation_id="ReleaseLegalHold",
        opt={"action": "retention:hold"},
        summary="Release a legal hold (the schedule applies again from the next run)",
        status_code=200,
        responses=problem_responses(400, 404, 409),
    )
    async def release(
        self,
        request: Request,
        state: State,
        db_session: Session,
        hold_id: Annotated[uuid.UUID, PathParameter(description="The hold's id")],
    ) -> holds.HoldView:
        return await holds.release_hold(
            db_session, request.user, hold_id, state.audit_events, utcnow()
        )
