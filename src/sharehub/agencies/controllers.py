"""HTTP routes for partner agencies (thin: parsing and status codes only)."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Response, get, patch, post
from litestar.params import JSONBody, PathParameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.agencies import service
from sharehub.agencies.schemas import (
    AgencyCreate,
    AgencyPage,
    AgencyTypeView,
    AgencyUpdate,
    AgencyView,
)
from sharehub.agencies.types import AGENCY_TYPE_LABELS, AgencyType
from sharehub.web.params import IfMatch, Session
from sharehub.web.problems import problem_responses
from sharehub.web.versions import etag, expected_version

AgencyId = Annotated[uuid.UUID, PathParameter(description="The agency's id")]


def _with_etag(view: AgencyView, status_code: int = 200, **headers: str) -> Response[AgencyView]:
    return Response(view, status_code=status_code, headers={"ETag": etag(view.version), **headers})


async def _set_active(
    db_session: AsyncSession, agency_id: uuid.UUID, if_match: str | None, *, active: bool
) -> Response[AgencyView]:
    version = expected_version(if_match)
    agency = await service.set_agency_active(db_session, agency_id, version, active=active)
    return _with_etag(service.to_view(agency))


class AgencyController(Controller):
    path = "/api/agencies"
    tags = ["Agencies"]

    @post(
        "/",
        operation_id="CreateAgency",
        opt={"action": "agency:create"},
        summary="Register a partner agency",
        responses=problem_responses(400, 409),
    )
    async def create(
        self, db_session: Session, data: JSONBody[AgencyCreate]
    ) -> Response[AgencyView]:
        agency = await service.create_agency(db_session, data)
        view = service.to_view(agency)
        return _with_etag(view, 201, Location=f"{self.path}/{view.id}")

    @get(
        "/",
        operation_id="ListAgencies",
        opt={"action": "agency:read"},
        summary="List agencies, filtered by type, area and active flag",
        responses=problem_responses(400),
    )
    async def list(
        self,
        db_session: Session,
        agency_type: Annotated[AgencyType | None, QueryParameter(required=False)] = None,
        area: Annotated[
            str | None, QueryParameter(min_length=1, max_length=100, required=False)
        ] = None,
        active: Annotated[bool | None, QueryParameter(required=False)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> AgencyPage:
        rows, total = await service.list_agencies(
            db_session,
            agency_type=agency_type,
            area=area,
            active=active,
            limit=limit,
            offset=offset,
        )
        return AgencyPage(
            items=[service.to_view(row) for row in rows], total=total, limit=limit, offset=offset
        )

    @get(
        "/{agency_id:str}",
        operation_id="GetAgency",
        opt={"action": "agency:read"},
        summary="Read one agency",
        responses=problem_responses(400, 404),
    )
    async def read(self, db_session: Session, agency_id: AgencyId) -> Response[AgencyView]:
        return _with_etag(service.to_view(await service.get_agency(db_session, agency_id)))

    @patch(
        "/{agency_id:str}",
        operation_id="UpdateAgency",
        opt={"action": "agency:update"},
        summary="Change an agency (partial update; needs If-Match)",
        responses=problem_responses(400, 404, 409, 412, 428),
    )
    async def update(
        self,
        db_session: Session,
        agency_id: AgencyId,
        data: JSONBody[AgencyUpdate],
        if_match: IfMatch,
    ) -> Response[AgencyView]:
        version = expected_version(if_match)
        agency = await service.update_agency(db_session, agency_id, data, version)
        return _with_etag(service.to_view(agency))

    @post(
        "/{agency_id:str}/deactivate",
        operation_id="DeactivateAgency",
        opt={"action": "agency:deactivate"},
        summary="Deactivate an agency (it is kept, never deleted; needs If-Match)",
        status_code=200,
        responses=problem_responses(400, 404, 409, 412, 428),
    )
    async def deactivate(
        self, db_session: Session, agency_id: AgencyId, if_match: IfMatch
    ) -> Response[AgencyView]:
        return await _set_active(db_session, agency_id, if_match, active=False)

    @post(
        "/{agency_id:str}/reactivate",
        operation_id="ReactivateAgency",
        opt={"action": "agency:deactivate"},
        summary="Reactivate a deactivated agency (needs If-Match)",
        status_code=200,
        responses=problem_responses(400, 404, 409, 412, 428),
    )
    async def reactivate(
        self, db_session: Session, agency_id: AgencyId, if_match: IfMatch
    ) -> Response[AgencyView]:
        return await _set_active(db_session, agency_id, if_match, active=True)


@get(
    "/api/agency-types",
    operation_id="ListAgencyTypes",
    opt={"action": "agency:read"},
    tags=["Agencies"],
    summary="Agency types",
)
async def list_agency_types() -> list[AgencyTypeView]:
    return [AgencyTypeView(code=code, label=label) for code, label in AGENCY_TYPE_LABELS.items()]
