"""Rules for partner agencies: plain functions over a database session.

Agencies are never deleted: records elsewhere (protocols, disclosures, audit
entries) name them for years. Deactivation stops new activity and keeps history.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import msgspec
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.agencies.models import Agency, AgencyArea
from sharehub.agencies.schemas import (
    AgencyCreate,
    AgencyUpdate,
    AgencyView,
    HomesManaged,
    InformationGovernanceContact,
)
from sharehub.agencies.types import AGENCY_TYPE_LABELS, AgencyType
from sharehub.db.base import utcnow
from sharehub.db.changes import check_version, write_changes
from sharehub.errors import Conflict, NotFound

KIND = "agency"


def to_view(agency: Agency) -> AgencyView:
    agency_type = AgencyType(agency.agency_type)
    return AgencyView(
        id=agency.id,
        name=agency.name,
        short_code=agency.short_code,
        agency_type=agency_type,
        agency_type_label=AGENCY_TYPE_LABELS[agency_type],
        areas=agency.area_names,
        information_governance_contact=InformationGovernanceContact(
            name=agency.ig_contact_name,
            email=agency.ig_contact_email,
            telephone=agency.ig_contact_telephone,
        ),
        homes_managed=HomesManaged(count=agency.homes_managed, as_of=agency.homes_managed_on)
        if agency.homes_managed is not None and agency.homes_managed_on is not None
        else None,
        active=agency.active,
        deactivated_at=agency.deactivated_at,
        created_at=agency.created_at,
        updated_at=agency.updated_at,
        version=agency.version,
    )


def _distinct_areas(areas: Sequence[str]) -> list[AgencyArea]:
    """One row per area, ignoring repeats that differ only in case or spacing."""
    rows: dict[str, AgencyArea] = {}
    for area in areas:
        cleaned = " ".join(area.split())
        rows.setdefault(cleaned.casefold(), AgencyArea(area=cleaned, area_key=cleaned.casefold()))
    return [rows[key] for key in sorted(rows)]


async def _refuse_duplicates(
    session: AsyncSession, *, name: str | None, short_code: str | None, exclude: uuid.UUID | None
) -> None:
    checks = (
        ("name", name, func.lower(Agency.name) == (name or "").lower()),
        ("short_code", short_code, Agency.short_code == short_code),
    )
    for field, value, clause in checks:
        if value is None:
            continue
        query = select(Agency.id).where(clause)
        if exclude is not None:
            query = query.where(Agency.id != exclude)
        if (await session.execute(query.limit(1))).first() is not None:
            raise Conflict(f"another agency already has this {field}", field=field)


def _duplicate(exc: IntegrityError) -> Conflict:
    field = "short_code" if "short_code" in str(exc.orig) else "name"
    return Conflict(f"another agency already has this {field}", field=field)


async def _flush(session: AsyncSession) -> None:
    await write_changes(session, KIND, _duplicate)


async def create_agency(session: AsyncSession, data: AgencyCreate) -> Agency:
    short_code = data.short_code.upper()
    await _refuse_duplicates(session, name=data.name, short_code=short_code, exclude=None)
    contact = data.information_governance_contact
    agency = Agency(
        name=data.name,
        short_code=short_code,
        agency_type=data.agency_type.value,
        ig_contact_name=contact.name,
        ig_contact_email=contact.email,
        ig_contact_telephone=contact.telephone,
        active=True,
        areas=_distinct_areas(data.areas),
    )
    _set_homes(agency, data.homes_managed)
    session.add(agency)
    await _flush(session)
    return agency


def _set_homes(agency: Agency, homes: HomesManaged | None) -> None:
    agency.homes_managed = homes.count if homes else None
    agency.homes_managed_on = homes.as_of if homes else None


async def get_agency(session: AsyncSession, agency_id: uuid.UUID) -> Agency:
    agency = await session.get(Agency, agency_id)
    if agency is None:
        raise NotFound(KIND)
    return agency


async def list_agencies(
    session: AsyncSession,
    *,
    agency_type: AgencyType | None = None,
    area: str | None = None,
    active: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Agency], int]:
    conditions = []
    if agency_type is not None:
        conditions.append(Agency.agency_type == agency_type.value)
    if active is not None:
        conditions.append(Agency.active == active)
    if area is not None:
        key = " ".join(area.split()).casefold()
        conditions.append(
            Agency.id.in_(select(AgencyArea.agency_id).where(AgencyArea.area_key == key))
        )
    total = await session.scalar(select(func.count()).select_from(Agency).where(*conditions))
    rows = await session.scalars(
        select(Agency)
        .where(*conditions)
        .order_by(Agency.name, Agency.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total or 0


async def update_agency(
    session: AsyncSession, agency_id: uuid.UUID, changes: AgencyUpdate, expected_version: int
) -> Agency:
    agency = await get_agency(session, agency_id)
    check_version(agency, expected_version, KIND)
    short_code = changes.short_code.upper() if isinstance(changes.short_code, str) else None
    name = changes.name if isinstance(changes.name, str) else None
    await _refuse_duplicates(session, name=name, short_code=short_code, exclude=agency.id)
    if name is not None:
        agency.name = name
    if short_code is not None:
        agency.short_code = short_code
    if isinstance(changes.agency_type, AgencyType):
        agency.agency_type = changes.agency_type.value
    if isinstance(changes.information_governance_contact, InformationGovernanceContact):
        contact = changes.information_governance_contact
        agency.ig_contact_name = contact.name
        agency.ig_contact_email = contact.email
        agency.ig_contact_telephone = contact.telephone
    if changes.homes_managed is not msgspec.UNSET:
        _set_homes(agency, changes.homes_managed)
    if isinstance(changes.areas, list):
        agency.areas = _distinct_areas(changes.areas)
    # Always touch the row, so that a change to areas alone still bumps the version.
    agency.updated_at = utcnow()
    await _flush(session)
    return agency


async def set_agency_active(
    session: AsyncSession, agency_id: uuid.UUID, expected_version: int, *, active: bool
) -> Agency:
    """Deactivate (active=False) or reactivate an agency; repeating either is a conflict."""
    agency = await get_agency(session, agency_id)
    check_version(agency, expected_version, KIND)
    if agency.active == active:
        raise Conflict(f"the agency is already {'active' if active else 'deactivated'}")
    agency.active = active
    agency.deactivated_at = None if active else utcnow()
    await _flush(session)
    return agency
