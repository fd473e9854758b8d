"""Each area's review procedure: its threshold, clocks and escalation route,
set by the area's case review coordinator (the defaults in ``rules.py`` until
then). An application keeps the procedure in force when it was received."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.access.relationships import reach
from sharehub.access.roles import Role
from sharehub.agencies.models import Agency, AgencyArea
from sharehub.db.changes import check_version, write_changes
from sharehub.errors import Conflict, Forbidden, NotFound, Unprocessable, VersionRequired
from sharehub.identity.principal import Principal
from sharehub.referrals.case_review.models import CaseReviewProcedure
from sharehub.referrals.case_review.rules import (
    WINDOWS,
    Clocks,
    Procedure,
    default_procedure,
)
from sharehub.referrals.case_review.schemas import ProcedureIn, ProcedureView
from sharehub.referrals.criteria import CaseReviewParameters

KIND = "case review procedure"
COORDINATOR = Role.ASB_CASE_REVIEW_COORDINATOR.value


def coordinates(actor: Principal, area: str) -> bool:
    """Is this person a case review coordinator for the area (hub-wide, for
    every area or for this one)?"""
    return actor.kind == "user" and reach(actor, (COORDINATOR,)).covers(area)


def require_coordinator(actor: Principal, area: str) -> None:
    if not coordinates(actor, area):
        raise Forbidden("only an ASB case review coordinator for the area may do this")


async def known_area(db: AsyncSession, area: str) -> str | None:
    """The area as the agencies serving it name it, if any registered agency does."""
    return await db.scalar(
        select(AgencyArea.area).where(AgencyArea.area_key == area.casefold()).limit(1)
    )


async def _stored(db: AsyncSession, area: str) -> CaseReviewProcedure | None:
    return await db.scalar(
        select(CaseReviewProcedure).where(CaseReviewProcedure.area_key == area.casefold())
    )


def _from_row(row: CaseReviewProcedure) -> Procedure:
    return Procedure(
        row.area,
        CaseReviewParameters(
            qualifying_complaints=row.qualifying_complaints,
            hate_incident_complaints=row.hate_incident_complaints,
            complaint_within_months=row.complaint_within_months,
            application_within_months=row.application_within_months,
        ),
        Clocks(
            acknowledge_working_days=row.acknowledge_working_days,
            decision_working_days=row.decision_working_days,
            meeting_working_days=row.meeting_working_days,
        ),
        row.escalation_route,
        row.source,
        row.version,
        row.online_receiving_agency_id,
    )


async def procedure_for(db: AsyncSession, area: str) -> Procedure:
    row = await _stored(db, area)
    return default_procedure(area) if row is None else _from_row(row)


def snapshot(procedure: Procedure) -> dict[str, Any]:
    """The procedure as stored with an application (plain JSON)."""
    p, c = procedure.parameters, procedure.clocks
    return {
        "area": procedure.area,
        "version": procedure.version,
        "source": procedure.source,
        "qualifying_complaints": p.qualifying_complaints,
        "hate_incident_complaints": p.hate_incident_complaints,
        "complaint_within_months": p.complaint_within_months,
        "application_within_months": p.application_within_months,
        "acknowledge_working_days": c.acknowledge_working_days,
        "decision_working_days": c.decision_working_days,
        "meeting_working_days": c.meeting_working_days,
    }


def parameters_of(stored: dict[str, Any]) -> CaseReviewParameters:
    return CaseReviewParameters(
        qualifying_complaints=stored["qualifying_complaints"],
        hate_incident_complaints=stored["hate_incident_complaints"],
        complaint_within_months=stored["complaint_within_months"],
        application_within_months=stored["application_within_months"],
    )


def to_view(procedure: Procedure) -> ProcedureView:
    p, c = procedure.parameters, procedure.clocks
    return ProcedureView(
        area=procedure.area,
        version=procedure.version,
        is_default=procedure.version is None,
        qualifying_complaints=p.qualifying_complaints,
        hate_incident_complaints=p.hate_incident_complaints,
        complaint_within_months=p.complaint_within_months,
        application_within_months=p.application_within_months,
        acknowledge_working_days=c.acknowledge_working_days,
        decision_working_days=c.decision_working_days,
        meeting_working_days=c.meeting_working_days,
        escalation_route=procedure.escalation_route,
        source=procedure.source,
        online_receiving_agency_id=procedure.online_receiving_agency_id,
    )


async def read_procedure(db: AsyncSession, area: str) -> ProcedureView:
    named = await known_area(db, area)
    if named is None:
        raise NotFound("area")
    return to_view(await procedure_for(db, named))


def _check(data: ProcedureIn) -> None:
    errors = [
        (field, f"at least {window.at_least_months} month(s): {window.citation}")
        for field, window in WINDOWS.items()
        if getattr(data, field) < window.at_least_months
    ]
    if data.hate_incident_complaints > data.qualifying_complaints:
        errors.append(("hate_incident_complaints", "at most the number of qualifying complaints"))
    if errors:
        raise Unprocessable(errors)


async def _serves(db: AsyncSession, agency_id: uuid.UUID, area: str) -> bool:
    """Whether an active agency serves the area."""
    found = await db.scalar(
        select(Agency.id)
        .join(AgencyArea, AgencyArea.agency_id == Agency.id)
        .where(Agency.id == agency_id, Agency.active.is_(True))
        .where(AgencyArea.area_key == area.casefold())
    )
    return found is not None


async def set_procedure(
    db: AsyncSession,
    actor: Principal,
    area: str,
    data: ProcedureIn,
    expected_version: int | None,
) -> ProcedureView:
    named = await known_area(db, area)
    if named is None:
        raise NotFound("area")
    require_coordinator(actor, named)
    _check(data)
    receiving = data.online_receiving_agency_id
    if receiving is not None and not await _serves(db, receiving, named):
        raise Unprocessable(
            [("online_receiving_agency_id", "not an active agency serving the area")]
        )
    row = await _stored(db, named)
    if row is None:
        row = CaseReviewProcedure(area=named, area_key=named.casefold())
        db.add(row)
    elif expected_version is None:
        raise VersionRequired()
    else:
        check_version(row, expected_version, KIND)
    for field in (
        "qualifying_complaints",
        "hate_incident_complaints",
        "complaint_within_months",
        "application_within_months",
        "acknowledge_working_days",
        "decision_working_days",
        "meeting_working_days",
        "escalation_route",
        "source",
        "online_receiving_agency_id",
    ):
        setattr(row, field, getattr(data, field))
    row.set_by = actor.id
    await write_changes(db, KIND, _raced)
    return to_view(_from_row(row))


def _raced(_: IntegrityError) -> Conflict:
    return Conflict("the area's procedure was set at the same time; fetch it again")
