"""Granting and revoking roles, and who may see whose records.

An agency administrator grants roles only within their own agency, and never a
hub-wide role; the hub administrator grants any role anywhere. Every change
bumps the access version (see access/policy.py) in the same transaction.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.access.models import AccessState, RoleAssignment
from sharehub.access.policy import domain_of
from sharehub.access.roles import HUB_WIDE_ROLES, Role
from sharehub.audit.events import AuditEvent, AuditSink
from sharehub.db.base import utcnow
from sharehub.errors import BadRequest, Conflict, NotFound
from sharehub.identity.models import User
from sharehub.identity.principal import Principal

ACCESS_STATE_ID = 1


async def bump_access_version(db: AsyncSession) -> None:
    bumped = await db.execute(
        update(AccessState)
        .where(AccessState.id == ACCESS_STATE_ID)
        .values(version=AccessState.version + 1)
    )
    if bumped.rowcount == 0:  # the migration seeds the row; never rely on it silently
        db.add(AccessState(id=ACCESS_STATE_ID, version=2))
        await db.flush()


async def access_version(db: AsyncSession) -> int:
    return (
        await db.scalar(select(AccessState.version).where(AccessState.id == ACCESS_STATE_ID))
    ) or 0


async def all_assignments(db: AsyncSession) -> list[tuple[str, str, str]]:
    rows = await db.execute(
        select(RoleAssignment.user_id, RoleAssignment.role, RoleAssignment.agency_id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(User.active.is_(True))
    )
    return [(str(user_id), role, domain_of(agency_id)) for user_id, role, agency_id in rows]


def is_hub_administrator(principal: Principal) -> bool:
    return any(
        held.role == Role.HUB_ADMINISTRATOR and held.agency_id is None for held in principal.roles
    )


def administers(principal: Principal, agency_id: uuid.UUID) -> bool:
    """May this person manage people of ``agency_id``?"""
    if is_hub_administrator(principal):
        return True
    return any(
        held.role == Role.AGENCY_ADMINISTRATOR and held.agency_id == agency_id
        for held in principal.roles
    )


async def _visible_user(db: AsyncSession, actor: Principal, user_id: uuid.UUID) -> User:
    """The user if the actor may manage them; otherwise 404, so existence does not leak."""
    user = await db.get(User, user_id)
    if user is None or not administers(actor, user.agency_id):
        raise NotFound("user")
    return user


async def grant_role(
    db: AsyncSession,
    actor: Principal,
    *,
    user_id: uuid.UUID,
    role: Role,
    agency_id: uuid.UUID | None,
    area: str | None,
) -> RoleAssignment:
    user = await _visible_user(db, actor, user_id)
    if role in HUB_WIDE_ROLES:
        if agency_id is not None:
            raise BadRequest(
                f"{role.value} is a hub-wide role: leave agency_id out", field="agency_id"
            )
        if not is_hub_administrator(actor):
            raise Conflict("only the hub administrator grants hub-wide roles", field="role")
    else:
        if area is not None:
            raise BadRequest("only hub-wide roles are limited to an area", field="area")
        agency_id = agency_id or user.agency_id
        if agency_id != user.agency_id:
            raise BadRequest("a role is held in the person's own agency", field="agency_id")
    clash = await db.scalar(
        select(RoleAssignment.id).where(
            RoleAssignment.user_id == user.id,
            RoleAssignment.role == role.value,
            RoleAssignment.agency_id.is_(None)
            if agency_id is None
            else RoleAssignment.agency_id == agency_id,
            RoleAssignment.area.is_(None) if area is None else RoleAssignment.area == area,
        )
    )
    if clash:
        raise Conflict("the person already holds this role")
    assignment = RoleAssignment(
        user_id=user.id,
        role=role.value,
        agency_id=agency_id,
        area=area,
        source="grant",
        granted_by=actor.id,
    )
    db.add(assignment)
    await db.flush()
    await bump_access_version(db)
    return assignment


async def revoke_role(
    db: AsyncSession, actor: Principal, assignment_id: uuid.UUID
) -> RoleAssignment:
    assignment = await db.get(RoleAssignment, assignment_id)
    if assignment is None:
        raise NotFound("role assignment")
    await _visible_user(db, actor, assignment.user_id)
    if assignment.agency_id is None and not is_hub_administrator(actor):
        raise NotFound("role assignment")
    await db.delete(assignment)
    await db.flush()
    await bump_access_version(db)
    return assignment


async def list_assignments(
    db: AsyncSession, actor: Principal, user_id: uuid.UUID | None = None
) -> list[RoleAssignment]:
    query = select(RoleAssignment).join(User, User.id == RoleAssignment.user_id)
    if not is_hub_administrator(actor):
        query = query.where(User.agency_id == actor.agency_id)
    if user_id is not None:
        query = query.where(RoleAssignment.user_id == user_id)
    return list(await db.scalars(query.order_by(RoleAssignment.user_id, RoleAssignment.role)))


async def record_role_change(
    audit: AuditSink, db: AsyncSession, actor: Principal, kind: str, assignment: RoleAssignment
) -> None:
    """The ledger entry of a grant or revocation, in the same transaction."""
    await audit.record(
        db=db,
        event=AuditEvent(
            kind=kind,  # type: ignore[arg-type]
            at=utcnow(),
            user_id=actor.id,
            agency_id=assignment.agency_id,
            subject_user_id=assignment.user_id,
            role=assignment.role,
        ),
    )


async def staff_of(
    db: AsyncSession, actor: Principal, agency_id: uuid.UUID | None = None
) -> list[tuple[User, list[RoleAssignment]]]:
    """The people the actor manages (their agency's, or everyone's for the hub
    administrator), each with the roles they hold."""
    query = select(User).where(User.active.is_(True)).order_by(User.display_name, User.id)
    if not is_hub_administrator(actor):
        query = query.where(User.agency_id == actor.agency_id)
    elif agency_id is not None:
        query = query.where(User.agency_id == agency_id)
    users = list(await db.scalars(query))
    held: dict[uuid.UUID, list[RoleAssignment]] = {u.id: [] for u in users}
    if users:
        for assignment in await db.scalars(
            select(RoleAssignment)
            .where(RoleAssignment.user_id.in_(list(held)))
            .order_by(RoleAssignment.role)
        ):
            held[assignment.user_id].append(assignment)
    return [(u, held[u.id]) for u in users]
