"""Meetings: arranged by a coordinator for an area, with invited agencies and a
chair; a confidentiality statement every attendee acknowledges before seeing
the agenda or a pack; held or cancelled.

Who sees a meeting: the coordinators and chairs for its kind and area, and the
staff of the agencies invited to it. Anyone else gets 404. The agenda, the
cases and the packs also need the reader's acknowledgement of the statement
(403 until then).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.access.models import RoleAssignment
from sharehub.access.relationships import reach
from sharehub.agencies.models import Agency
from sharehub.calendar import local_today
from sharehub.crypto import open_field, seal_field
from sharehub.db.base import new_id
from sharehub.db.changes import check_version, write_changes
from sharehub.db.references import next_reference, normalise
from sharehub.disclosure.context import GateContext
from sharehub.errors import Conflict, Forbidden, NotFound, Unprocessable
from sharehub.identity.models import User
from sharehub.identity.principal import Principal
from sharehub.meetings import statements
from sharehub.meetings.models import (
    Acknowledgement,
    Contribution,
    Meeting,
    MeetingAgency,
    MeetingAttendee,
)
from sharehub.meetings.schemas import (
    Acknowledging,
    AgencyAtMeeting,
    AttendeeView,
    Cancellation,
    MeetingCreate,
    MeetingSummary,
    MeetingView,
    StatementView,
)
from sharehub.meetings.types import MEETING_TYPES, Kind, MeetingType

KIND = "meeting"


@dataclass(frozen=True)
class Step:
    starts_from: frozenset[str]
    leaves: str


STEPS: dict[str, Step] = {
    "hold": Step(frozenset({"scheduled"}), "held"),
    "cancel": Step(frozenset({"scheduled"}), "cancelled"),
}


def next_steps(status: str) -> list[str]:
    return [name for name, step in STEPS.items() if status in step.starts_from]


def check_step(meeting: Meeting, name: str) -> None:
    if meeting.status not in STEPS[name].starts_from:
        allowed = ", ".join(next_steps(meeting.status)) or "none"
        raise Conflict(
            f"'{name}' is not open to a meeting that is {meeting.status}; "
            f"the steps open now: {allowed}"
        )


def kind_of(meeting: Meeting) -> Kind:
    return MEETING_TYPES[MeetingType(meeting.meeting_type)]


def organises(principal: Principal, kind: Kind, area: str) -> bool:
    """A coordinator or chair of this kind of meeting for the area (hub-wide)."""
    return reach(principal, kind.organisers).covers(area)


def invited(meeting: Meeting, agency_id: uuid.UUID) -> bool:
    return any(a.agency_id == agency_id for a in meeting.agencies)


def _raced(_: IntegrityError) -> Conflict:
    return Conflict("the meeting was changed at the same time; fetch it again")


# --- arranging ---------------------------------------------------------------------------


async def _holds_organiser_role(
    db: AsyncSession, user_id: uuid.UUID, kind: Kind, area: str
) -> bool:
    found = await db.scalar(
        select(func.count())
        .select_from(RoleAssignment)
        .join(User, User.id == RoleAssignment.user_id)
        .where(
            RoleAssignment.user_id == user_id,
            RoleAssignment.role.in_([r.value for r in kind.organisers]),
            RoleAssignment.agency_id.is_(None),
            or_(RoleAssignment.area.is_(None), func.lower(RoleAssignment.area) == area.casefold()),
            User.active.is_(True),
        )
    )
    return bool(found)


async def _staff(db: AsyncSession, user_ids: list[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """Active people by id, with their agency."""
    if not user_ids:
        return {}
    rows = await db.execute(
        select(User.id, User.agency_id).where(User.id.in_(user_ids), User.active.is_(True))
    )
    return dict(rows.all())  # type: ignore[arg-type]


async def attendees_of(db: AsyncSession, meeting: Meeting) -> list[AttendeeView]:
    names = dict(
        (
            await db.execute(
                select(User.id, User.display_name).where(
                    User.id.in_([a.user_id for a in meeting.attendees])
                )
            )
        ).all()
    )
    acknowledged = dict(
        (
            await db.execute(
                select(Acknowledgement.user_id, Acknowledgement.acknowledged_at).where(
                    Acknowledgement.meeting_id == meeting.id
                )
            )
        ).all()
    )
    return [
        AttendeeView(
            user_id=a.user_id,
            name=names.get(a.user_id, ""),
            agency_id=a.agency_id,
            acknowledged_at=acknowledged.get(a.user_id),
        )
        for a in meeting.attendees
    ]


async def arrange(
    db: AsyncSession, actor: Principal, data: MeetingCreate, gate: GateContext
) -> Meeting:
    kind, now = MEETING_TYPES[data.meeting_type], gate.now
    if not organises(actor, kind, data.area):
        # The area as typed is not repeated back: a message never echoes input.
        raise Forbidden(f"a {kind.name} for an area is arranged by its coordinator or chair there")
    errors: list[tuple[str, str]] = []
    if data.starts_at.tzinfo is None:
        errors.append(("starts_at", "give a time zone (for example Z or +01:00)"))
    elif data.starts_at < now:
        errors.append(("starts_at", "arrange meetings in the future"))
    if not await _holds_organiser_role(db, data.chair_id, kind, data.area):
        errors.append(("chair_id", f"the chair holds a {kind.name} chair or coordinator role"))
    if len(set(data.agencies)) != len(data.agencies):
        errors.append(("agencies", "each agency once"))
    active = set(
        await db.scalars(
            select(Agency.id).where(Agency.id.in_(data.agencies), Agency.active.is_(True))
        )
    )
    errors += [
        (f"agencies[{i}]", "no such active agency")
        for i, agency_id in enumerate(data.agencies)
        if agency_id not in active
    ]
    people = await _staff(db, data.attendees)
    if len(set(data.attendees)) != len(data.attendees):
        errors.append(("attendees", "each person once"))
    errors += [
        (f"attendees[{i}]", "not a person from an agency invited")
        for i, user_id in enumerate(data.attendees)
        if people.get(user_id) not in active
    ]
    if errors:
        raise Unprocessable(errors)
    statement = statements.current(kind.statement)
    meeting = Meeting(
        id=new_id(),
        reference=await next_reference(db, "meeting", local_today(now).year),
        meeting_type=data.meeting_type.value,
        area=data.area,
        starts_at=data.starts_at,
        organiser_agency_id=actor.agency_id,
        coordinator_id=actor.id,
        chair_id=data.chair_id,
        statement_code=statement.code,
        statement_version=statement.version,
        status="scheduled",
        agencies=[
            MeetingAgency(agency_id=agency_id, invited_at=now, apologies=False)
            for agency_id in dict.fromkeys(data.agencies)
        ],
        attendees=[
            MeetingAttendee(user_id=user_id, agency_id=people[user_id], named_at=now)
            for user_id in dict.fromkeys(data.attendees)
        ],
    )
    seal_field(gate.cipher, meeting, "venue", data.venue)
    db.add(meeting)
    await db.flush()
    return meeting


# --- seeing ------------------------------------------------------------------------------


async def get_meeting(db: AsyncSession, actor: Principal, meeting_id: uuid.UUID) -> Meeting:
    """A meeting the actor's agency is invited to, or one they organise; 404 otherwise."""
    meeting = await db.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(KIND)
    if not (invited(meeting, actor.agency_id) or organises(actor, kind_of(meeting), meeting.area)):
        raise NotFound(KIND)
    return meeting


async def meeting_by_reference(db: AsyncSession, actor: Principal, reference: str) -> Meeting:
    """The same, found by the reference people use ("MTG-2026-0003")."""
    meeting_id = await db.scalar(
        select(Meeting.id).where(Meeting.reference == normalise(reference))
    )
    if meeting_id is None:
        raise NotFound(KIND)
    return await get_meeting(db, actor, meeting_id)


async def acknowledgement_of(
    db: AsyncSession, meeting: Meeting, user_id: uuid.UUID
) -> Acknowledgement | None:
    return await db.scalar(
        select(Acknowledgement).where(
            Acknowledgement.meeting_id == meeting.id, Acknowledgement.user_id == user_id
        )
    )


async def require_acknowledged(db: AsyncSession, actor: Principal, meeting: Meeting) -> None:
    """The statement comes before the agenda, the cases and the pack, for everyone."""
    if await acknowledgement_of(db, meeting, actor.id) is None:
        raise Forbidden(
            "acknowledge the meeting's confidentiality statement first "
            f"(GET /api/meetings/{meeting.id}/statement)"
        )


def require_organiser(actor: Principal, meeting: Meeting) -> None:
    kind = kind_of(meeting)
    if not organises(actor, kind, meeting.area):
        raise Forbidden(f"this is for the {kind.name} coordinator or chair for {meeting.area}")


async def view_of(
    db: AsyncSession, actor: Principal, meeting: Meeting, gate: GateContext
) -> MeetingView:
    names = dict(
        (
            await db.execute(
                select(Agency.id, Agency.name).where(
                    Agency.id.in_([a.agency_id for a in meeting.agencies])
                )
            )
        ).all()
    )
    contributed = set(
        await db.scalars(
            select(Contribution.agency_id).where(Contribution.meeting_id == meeting.id).distinct()
        )
    )
    return MeetingView(
        id=meeting.id,
        reference=meeting.reference,
        version=meeting.version,
        meeting_type=MeetingType(meeting.meeting_type),
        area=meeting.area,
        starts_at=meeting.starts_at,
        venue=open_field(gate.cipher, meeting, "venue") or "",
        status=meeting.status,  # type: ignore[arg-type]
        organiser_agency_id=meeting.organiser_agency_id,
        coordinator_id=meeting.coordinator_id,
        chair_id=meeting.chair_id,
        agencies=[
            AgencyAtMeeting(
                agency_id=a.agency_id,
                name=names.get(a.agency_id, ""),
                apologies=a.apologies,
                contributed=a.agency_id in contributed,
            )
            for a in meeting.agencies
        ],
        attendees=await attendees_of(db, meeting),
        statement_code=meeting.statement_code,
        statement_version=meeting.statement_version,
        acknowledged=await acknowledgement_of(db, meeting, actor.id) is not None,
        next_steps=next_steps(meeting.status),
    )


async def list_meetings(
    db: AsyncSession,
    actor: Principal,
    *,
    meeting_type: MeetingType | None,
    area: str | None,
    after: datetime | None,
    before: datetime | None,
    limit: int,
    offset: int,
) -> tuple[list[MeetingSummary], int]:
    invited_to = select(MeetingAgency.meeting_id).where(MeetingAgency.agency_id == actor.agency_id)
    organised = []
    for each_type, kind in MEETING_TYPES.items():
        organiser = reach(actor, kind.organisers)
        if organiser.everywhere or organiser.areas:
            organised.append(
                and_(
                    Meeting.meeting_type == each_type.value,
                    true()
                    if organiser.everywhere
                    else func.lower(Meeting.area).in_(sorted(organiser.areas)),
                )
            )
    conditions = [or_(Meeting.id.in_(invited_to), *organised)]
    if meeting_type:
        conditions.append(Meeting.meeting_type == meeting_type.value)
    if area:
        conditions.append(func.lower(Meeting.area) == area.casefold())
    if after:
        conditions.append(Meeting.starts_at >= after)
    if before:
        conditions.append(Meeting.starts_at < before)
    where = and_(*conditions)
    total = await db.scalar(select(func.count()).select_from(Meeting).where(where)) or 0
    rows = await db.scalars(
        select(Meeting)
        .where(where)
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(limit)
        .offset(offset)
    )
    return [
        MeetingSummary(
            id=m.id,
            reference=m.reference,
            meeting_type=MeetingType(m.meeting_type),
            area=m.area,
            starts_at=m.starts_at,
            status=m.status,  # type: ignore[arg-type]
        )
        for m in rows
    ], total


# --- the statement -------------------------------------------------------------------------


async def statement_for(db: AsyncSession, actor: Principal, meeting: Meeting) -> StatementView:
    text = statements.statement(meeting.statement_code, meeting.statement_version)
    ack = await acknowledgement_of(db, meeting, actor.id)
    return StatementView(
        code=text.code,
        version=text.version,
        title=text.title,
        citation=text.citation,
        text=text.text.strip(),
        sha256=text.sha256,
        acknowledged_at=ack.acknowledged_at if ack else None,
    )


async def acknowledge(
    db: AsyncSession, actor: Principal, meeting: Meeting, data: Acknowledging, gate: GateContext
) -> Acknowledgement:
    if actor.kind != "user":
        raise Forbidden("a person acknowledges the statement, not an agency system")
    text = statements.statement(meeting.statement_code, meeting.statement_version)
    if data.statement_sha256 != text.sha256:
        raise Unprocessable(
            [("statement_sha256", "not the statement for this meeting; read it again")]
        )
    existing = await acknowledgement_of(db, meeting, actor.id)
    if existing is not None:
        return existing
    ack = Acknowledgement(
        id=new_id(),
        meeting_id=meeting.id,
        user_id=actor.id,
        agency_id=actor.agency_id,
        statement_code=text.code,
        statement_version=text.version,
        statement_sha256=text.sha256,
        acknowledged_at=gate.now,
    )
    db.add(ack)
    try:
        await db.flush()
    except IntegrityError:
        raise Conflict("already acknowledged") from None
    return ack


# --- invitations, apologies, holding, cancelling ---------------------------------------------


async def invite(
    db: AsyncSession,
    actor: Principal,
    meeting: Meeting,
    version: int,
    agency_id: uuid.UUID,
    gate: GateContext,
) -> Meeting:
    now = gate.now
    require_organiser(actor, meeting)
    check_version(meeting, version, KIND)
    if meeting.status != "scheduled":
        raise Conflict(f"the meeting is {meeting.status}; invitations are for scheduled meetings")
    agency = await db.get(Agency, agency_id)
    if agency is None or not agency.active:
        raise Unprocessable([("agency_id", "no such active agency")])
    if invited(meeting, agency_id):
        raise Conflict("that agency is already invited")
    meeting.agencies.append(MeetingAgency(agency_id=agency_id, invited_at=now, apologies=False))
    meeting.updated_at = now
    await write_changes(db, KIND, _raced)
    return meeting


async def name_attendee(
    db: AsyncSession, actor: Principal, meeting: Meeting, user_id: uuid.UUID, gate: GateContext
) -> Meeting:
    """An agency names who attends for it; organisers may name anyone invited."""
    now = gate.now
    if meeting.status != "scheduled":
        raise Conflict(f"the meeting is {meeting.status}; attendees are named before it")
    agency_id = (await _staff(db, [user_id])).get(user_id)
    if agency_id is None or not invited(meeting, agency_id):
        raise Unprocessable([("user_id", "not a person from an agency invited")])
    if agency_id != actor.agency_id and not organises(actor, kind_of(meeting), meeting.area):
        raise Forbidden("an agency names its own attendees; the organisers may name anyone")
    if any(a.user_id == user_id for a in meeting.attendees):
        raise Conflict("that person is already named")
    meeting.attendees.append(MeetingAttendee(user_id=user_id, agency_id=agency_id, named_at=now))
    meeting.updated_at = now
    await write_changes(db, KIND, _raced)
    return meeting


async def send_apologies(
    db: AsyncSession, actor: Principal, meeting: Meeting, apologies: bool, gate: GateContext
) -> Meeting:
    """An invited agency says it will not attend (it can still send information)."""
    if meeting.status != "scheduled":
        raise Conflict(f"the meeting is {meeting.status}")
    for agency in meeting.agencies:
        if agency.agency_id == actor.agency_id:
            agency.apologies = apologies
            meeting.updated_at = gate.now
            await write_changes(db, KIND, _raced)
            return meeting
    raise Forbidden("your agency is not invited to this meeting")


async def hold(
    db: AsyncSession, actor: Principal, meeting: Meeting, version: int, gate: GateContext
) -> Meeting:
    require_organiser(actor, meeting)
    check_version(meeting, version, KIND)
    check_step(meeting, "hold")
    if meeting.starts_at > gate.now:
        raise Conflict("the meeting has not started yet")
    meeting.status = STEPS["hold"].leaves
    await write_changes(db, KIND, _raced)
    return meeting


async def cancel(
    db: AsyncSession,
    actor: Principal,
    meeting: Meeting,
    version: int,
    data: Cancellation,
    gate: GateContext,
) -> Meeting:
    require_organiser(actor, meeting)
    check_version(meeting, version, KIND)
    check_step(meeting, "cancel")
    meeting.status = STEPS["cancel"].leaves
    seal_field(gate.cipher, meeting, "cancel_reason", data.reason)
    await write_changes(db, KIND, _raced)
    return meeting
