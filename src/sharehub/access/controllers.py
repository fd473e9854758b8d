"""HTTP routes for granting, revoking and listing roles."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Request, delete, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.access import service
from sharehub.access.models import RoleAssignment
from sharehub.access.schemas import RoleAssignmentView, RoleGrant
from sharehub.web.params import Session
from sharehub.web.problems import problem_responses


def _view(assignment: RoleAssignment) -> RoleAssignmentView:
    return RoleAssignmentView(
        id=assignment.id,
        user_id=assignment.user_id,
        role=assignment.role,
        agency_id=assignment.agency_id,
        area=assignment.area,
        source=assignment.source,
        granted_by=assignment.granted_by,
        created_at=assignment.created_at,
    )


async def _record(
    state: State, request: Request, db: AsyncSession, kind: str, assignment: RoleAssignment
) -> None:
    await service.record_role_change(state.audit_events, db, request.user, kind, assignment)


class RoleAssignmentController(Controller):
    path = "/api/role-assignments"
    tags = ["Access"]

    @get(
        "/",
        opt={"action": "role:read"},
        summary="Roles held (your agency's people, or all for the hub administrator)",
    )
    async def list(
        self,
        request: Request,
        db_session: Session,
        user_id: Annotated[uuid.UUID | None, QueryParameter(required=False)] = None,
    ) -> list[RoleAssignmentView]:
        return [_view(a) for a in await service.list_assignments(db_session, request.user, user_id)]

    @post(
        "/",
        opt={"action": "role:grant"},
        summary="Grant a role",
        responses=problem_responses(400, 404, 409),
    )
    async def grant(
        self, request: Request, state: State, db_session: Session, data: JSONBody[RoleGrant]
    ) -> RoleAssignmentView:
        assignment = await service.grant_role(
            db_session,
            request.user,
            user_id=data.user_id,
            role=data.role,
            agency_id=data.agency_id,
            area=data.area,
        )
        await _record(state, request, db_session, "role_granted", assignment)
        return _view(assignment)

    @delete(
        "/{assignment_id:str}",
        opt={"action": "role:revoke"},
        summary="Revoke a role (takes effect on every worker at the next request)",
        responses=problem_responses(400, 404),
    )
    async def revoke(
        self,
        request: Request,
        state: State,
        db_session: Session,
        assignment_id: FromPath[uuid.UUID],
    ) -> None:
        assignment = await service.revoke_role(db_session, request.user, assignment_id)
        await _record(state, request, db_session, "role_revoked", assignment)
