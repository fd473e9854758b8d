"""Pages for meetings before they are held, thin over service.py, agenda.py,
preparation.py and packs.py: the meetings the reader may see; a coordinator
arranges one (kind, area, time, venue, chair, agencies, attendees); the
meeting's page, which shows an attendee nothing beyond its kind, date and
reference until they accept the confidentiality statement with one button;
the agenda with each case by its reference and its person as the gate shows
them, its referrer and its time slot; who has prepared each case; the
coordinator's steps (invite, name an attendee, build the agenda, move items,
set their times, cancel) on one form template; an agency's preparation of a
case; and the agency's pack as a page and as a PDF. Every address uses the
meeting's reference ("MTG-2026-0003").

The chair's pages during the meeting (``/meetings/{reference}/run/...``,
``/attendance``), the minutes and the actions are other modules'; this one
only links to them.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, time
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import PathParameter, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy import select

from sharehub.access.models import RoleAssignment
from sharehub.agencies.models import Agency
from sharehub.calendar import LOCAL_TIME
from sharehub.crypto import open_field
from sharehub.disclosure.gate import Viewer
from sharehub.errors import DomainError, Forbidden, NotFound
from sharehub.identity.models import User
from sharehub.meetings import agenda, packs, preparation, service
from sharehub.meetings.cases import contributions_to
from sharehub.meetings.models import Contribution, Meeting
from sharehub.meetings.risks import RISK_LABELS
from sharehub.meetings.schemas import (
    Acknowledging,
    AgendaOrder,
    AttendeeIn,
    Cancellation,
    ContributionIn,
    Invitation,
    MeetingCreate,
)
from sharehub.meetings.types import MEETING_TYPES, MeetingType
from sharehub.privacy.models import Subject
from sharehub.privacy.subjects import subject_by_reference
from sharehub.web.forms import Form, FormErrors, refused, renamed
from sharehub.web.labels import N_, label, long_datetime
from sharehub.web.pages import may, page_opt, render, see_other
from sharehub.web.params import Gate, Session
from sharehub.web.templating import _

READ = page_opt("meeting:read")
ARRANGE = "meeting:arrange"
ATTEND = "meeting:attend"
PREPARE = "meeting:prepare"
Reference = Annotated[str, PathParameter(max_length=20, description="e.g. MTG-2026-0003")]
Number = Annotated[int, PathParameter(ge=1, le=200)]
StepPath = Annotated[str, PathParameter(max_length=30)]
PEOPLE_ROWS = 3
# The roles an agency may give the people it links to its preparation.
PREPARATION_ROLES = ("victim", "perpetrator", "offender", "child", "household_member",
                     "witness", "other")  # fmt: skip
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")

VIEWS = {"upcoming": N_("Upcoming"), "past": N_("Past")}

MESSAGES = {
    "meeting_type": N_("Choose the kind of meeting"),
    "area": N_("Choose the area the meeting is for"),
    "venue": N_("Give the venue or the online link, in 500 characters or fewer"),
    "chair_id": N_("Choose who chairs the meeting"),
    "agencies": N_("Choose at least one agency to invite"),
    "agency_id": N_("Choose an agency to invite"),
    "user_id": N_("Choose a person to attend"),
    "reason": N_("Say in 10 to 4,000 characters why the meeting is cancelled"),
    "known_to_agency": N_("Say whether the case is known to your agency"),
    "information": N_("Give the information in 20,000 characters or fewer"),
}
NOTICES = {
    "arranged": N_("Meeting arranged"),
    "accepted": N_("You accepted the confidentiality statement"),
    "invitation": N_("Agency invited"),
    "attendee": N_("Attendee named"),
    "agenda": N_("Agenda built"),
    "timings": N_("Times saved"),
    "moved": N_("Agenda reordered"),
    "cancellation": N_("Meeting cancelled"),
    "prepared": N_("Your agency's preparation is saved"),
}


def _messages() -> dict[str, str]:
    return {k: _(v) for k, v in MESSAGES.items()}


def _first(values: dict[str, list[str]]) -> dict[str, str | None]:
    return {k: (v[0] if v else None) for k, v in values.items()}


async def _meeting(db: Session, request: Request, reference: str) -> Meeting:
    return await service.meeting_by_reference(db, request.user, reference)


def _organiser(request: Request, meeting: Meeting) -> bool:
    return may(request, ARRANGE) and service.organises(
        request.user, service.kind_of(meeting), meeting.area
    )


async def _agency_names(db: Session) -> dict[uuid.UUID, str]:
    return await preparation.agency_names(db)


async def _active_agencies(db: Session) -> list[Agency]:
    rows = await db.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.name))
    return list(rows)


async def _staff_of(db: Session, agency_ids: set[uuid.UUID]) -> list[User]:
    """Active staff of the agencies, by agency and name."""
    if not agency_ids:
        return []
    rows = await db.scalars(
        select(User)
        .where(User.agency_id.in_(agency_ids), User.active.is_(True))
        .order_by(User.display_name, User.id)
    )
    return list(rows)


ORGANISER_ROLES = sorted({r.value for kind in MEETING_TYPES.values() for r in kind.organisers})


async def _organisers(db: Session) -> list[tuple[User, list[str]]]:
    """People holding a hub-wide coordinator or chair role for some kind of
    meeting, with those roles in words: those who may chair (the service checks
    the kind and the area)."""
    rows = await db.execute(
        select(User, RoleAssignment.role)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(
            RoleAssignment.role.in_(ORGANISER_ROLES),
            RoleAssignment.agency_id.is_(None),
            User.active.is_(True),
        )
        .order_by(User.display_name, User.id)
    )
    found: dict[uuid.UUID, tuple[User, list[str]]] = {}
    for user, role in rows.all():
        found.setdefault(user.id, (user, []))[1].append(label("role", role))
    return list(found.values())


async def _areas(db: Session, request: Request) -> list[str]:
    """The areas the reader's agency serves, and those of their organiser roles."""
    agency = await db.get(Agency, request.user.agency_id)
    areas = set(agency.area_names if agency else [])
    rows = await db.scalars(
        select(RoleAssignment.area).where(
            RoleAssignment.user_id == request.user.id,
            RoleAssignment.role.in_(ORGANISER_ROLES),
        )
    )
    everywhere = False
    for area in rows:
        if area is None:
            everywhere = True
        else:
            areas.add(area)
    if everywhere:
        for each in await _active_agencies(db):
            areas |= set(each.area_names)
    folded: dict[str, str] = {}
    for area in sorted(areas):
        folded.setdefault(area.casefold(), area)
    return sorted(folded.values())


def _when(meeting: Any) -> str:
    return long_datetime(meeting.starts_at)


# --- the list -------------------------------------------------------------------------------


@get("/meetings", opt=READ, include_in_schema=False)
async def list_meetings(
    request: Request,
    db_session: Session,
    gate: Gate,
    view: Annotated[str | None, QueryParameter(required=False, max_length=20)] = None,
    kind: Annotated[str | None, QueryParameter(required=False, max_length=40)] = None,
    area: Annotated[str | None, QueryParameter(required=False, max_length=100)] = None,
) -> Template:
    chosen = view if view in VIEWS else "upcoming"
    meeting_type = MeetingType(kind) if kind in {t.value for t in MeetingType} else None
    areas = await _areas(db_session, request)
    area = area if area and area.casefold() in {a.casefold() for a in areas} else None
    upcoming = chosen == "upcoming"
    items, total = await service.list_meetings(
        db_session,
        request.user,
        meeting_type=meeting_type,
        area=area,
        after=gate.now if upcoming else None,
        before=None if upcoming else gate.now,
        limit=100,
        offset=0,
    )
    if not upcoming:
        items = list(reversed(items))
    return await render(
        request,
        db_session,
        "meetings/list.html",
        title=_("Meetings"),
        meetings=items,
        total=total,
        views=[(code, _(words)) for code, words in VIEWS.items()],
        chosen=chosen,
        kinds=[(t.value, label("meeting_type", t)) for t in MeetingType],
        kind=meeting_type.value if meeting_type else None,
        area=area,
        areas=areas,
        may_arrange=may(request, ARRANGE),
    )


# --- arranging ------------------------------------------------------------------------------


async def _arrange_page(
    request: Request,
    db: Session,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
) -> Template:
    values = values or {}
    agencies = await _active_agencies(db)
    names = {a.id: a.name for a in agencies}
    chosen_agencies = set(values.get("agencies", []))
    chosen_people = set(values.get("attendees", []))
    first = _first(values)
    return await render(
        request,
        db,
        "meetings/arrange.html",
        title=_("Arrange a meeting"),
        kinds=[("", _("Choose the kind of meeting"))]
        + [(t.value, label("meeting_type", t)) for t in MeetingType],
        kind=first.get("meeting_type") or "",
        areas=[("", _("Choose an area"))] + [(a, a) for a in await _areas(db, request)],
        area=first.get("area") or "",
        chairs=[("", _("Choose the chair"))]
        + [
            (
                str(user.id),
                f"{user.display_name}, {', '.join(roles)} ({names.get(user.agency_id, '')})",
            )
            for user, roles in await _organisers(db)
        ],
        chair=first.get("chair_id") or "",
        agencies=[
            {"value": str(a.id), "text": a.name, "checked": str(a.id) in chosen_agencies}
            for a in agencies
        ],
        people=[
            {
                "value": str(u.id),
                "text": u.display_name,
                "hint": {"text": names.get(u.agency_id, "")},
                "checked": str(u.id) in chosen_people,
            }
            for u in await _staff_of(db, set(names))
        ],
        values=values,
        errors=errors,
        status_code=400 if errors else 200,
        back={"href": "/meetings", "text": _("Meetings")},
    )


@get("/meetings/new", opt=page_opt(ARRANGE), include_in_schema=False)
async def arrange_form(request: Request, db_session: Session) -> Template:
    values: dict[str, list[str]] = {}
    areas = await _areas(db_session, request)
    if len(areas) == 1:
        values["area"] = [areas[0]]
    return await _arrange_page(request, db_session, values=values)


def _starts_at(form: Form) -> str | None:
    """The date and the time typed, as a moment in the hub's local time."""
    day = form.date("starts_at", label=_("of the meeting"))
    typed = form.text("starts_time")
    match = _TIME.match(typed or "")
    if not match:
        form.errors.add("starts_time", _("Enter the time the meeting starts, for example 10:00"))
        return None
    if day is None:
        return None
    at = time(int(match.group(1)), int(match.group(2)))
    return datetime.combine(datetime.fromisoformat(day).date(), at, tzinfo=LOCAL_TIME).isoformat()


ARRANGE_ORDER = ("meeting_type", "area", "starts_at", "starts_time", "venue", "chair_id",
                 "agencies", "attendees")  # fmt: skip


@post("/meetings/new", opt=page_opt(ARRANGE), include_in_schema=False)
async def arrange(request: Request, db_session: Session, gate: Gate) -> Template | Redirect:
    form = await Form.read(request)
    names = {"form": "area"}
    names |= {f"agencies.{i}": "agencies" for i in range(60)}
    names |= {f"attendees.{i}": "attendees" for i in range(120)}
    try:
        payload = {
            "meeting_type": form.text("meeting_type"),
            "area": form.text("area"),
            "starts_at": _starts_at(form),
            "venue": form.text("venue"),
            "chair_id": form.text("chair_id"),
            "agencies": form.many("agencies"),
            "attendees": form.many("attendees"),
        }
        data = form.convert(MeetingCreate, payload, _messages())
        meeting = await service.arrange(db_session, request.user, data, gate)
    except (FormErrors, DomainError) as failed:
        errors = renamed(await refused(db_session, form, failed, _messages()), names, ARRANGE_ORDER)
        db_session.expunge_all()
        return await _arrange_page(request, db_session, values=form.values, errors=errors)
    return see_other(f"/meetings/{meeting.reference}?done=arranged")


# --- the meeting's page ---------------------------------------------------------------------


async def _statement_page(
    request: Request, db: Session, meeting: Meeting, *, status_code: int = 200
) -> Template:
    """Before the statement is accepted: the meeting's kind, date and reference,
    and the statement; nothing else of the meeting."""
    statement = await service.statement_for(db, request.user, meeting)
    return await render(
        request,
        db,
        "meetings/statement.html",
        title=statement.title,
        reference=meeting.reference,
        kind=label("meeting_type", meeting.meeting_type),
        when=_when(meeting),
        statement=statement,
        status_code=status_code,
        back={"href": "/meetings", "text": _("Meetings")},
    )


async def _acknowledged(db: Session, request: Request, meeting: Meeting) -> bool:
    return await service.acknowledgement_of(db, meeting, request.user.id) is not None


def _agenda_rows(
    cases: list[Any], slots: list[packs.PackSlot], prepared: dict[uuid.UUID, set[uuid.UUID]],
    invited: list[Any],
) -> list[dict[str, Any]]:  # fmt: skip
    by_item = {c.item_id: c for c in cases}
    rows = []
    for slot in slots:
        case = by_item.get(slot.item_id)
        done = prepared.get(slot.item_id, set())
        rows.append(
            {
                "position": slot.position,
                "title": packs.case_title(case) if case else "",
                "source": case.source if case else "",
                "slot": packs.slot_words(slot),
                "minutes": slot.minutes,
                "referrer": slot.referring_agency or "",
                "prepared": [a.name for a in invited if a.agency_id in done],
                "waiting": [a.name for a in invited if a.agency_id not in done],
            }
        )
    return rows


def _steps(
    request: Request, meeting: Meeting, view: Any, has_agenda: bool
) -> list[tuple[str, str]]:
    if meeting.status != "scheduled":
        return []
    out = []
    organiser = _organiser(request, meeting)
    for path, spec in FORMS.items():
        if spec.organisers and not organiser:
            continue
        if not may(request, spec.action):
            continue
        if path == "timings" and not has_agenda:
            continue
        out.append((path, _(spec.title)))
    return out


@get("/meetings/{reference:str}", opt=READ, include_in_schema=False)
async def read_meeting(
    request: Request,
    db_session: Session,
    gate: Gate,
    reference: Reference,
    done: Annotated[str | None, QueryParameter(required=False, max_length=30)] = None,
) -> Template:
    meeting = await _meeting(db_session, request, reference)
    if not await _acknowledged(db_session, request, meeting):
        return await _statement_page(request, db_session, meeting)
    view = await service.view_of(db_session, request.user, meeting, gate)
    cases = await packs.cases_of(
        db_session, request.user, meeting, gate, context_kind="meeting_case"
    )
    slots = await packs.slots_of(db_session, meeting, cases)
    prepared: dict[uuid.UUID, set[uuid.UUID]] = {}
    for c in await contributions_to(db_session, [s.item_id for s in slots]):
        prepared.setdefault(c.item_id, set()).add(c.agency_id)
    organiser = _organiser(request, meeting)
    names = await _agency_names(db_session)
    return await render(
        request,
        db_session,
        "meetings/meeting.html",
        title=f"{label('meeting_type', meeting.meeting_type)}: {meeting.area}",
        marking=True,
        meeting=view,
        when=_when(meeting),
        rows=_agenda_rows(cases, slots, prepared, view.agencies),
        total_minutes=sum(s.minutes for s in slots),
        agency_names=names,
        chair=next((a.name for a in view.attendees if a.user_id == view.chair_id), None)
        or await _name_of(db_session, view.chair_id),
        steps=_steps(request, meeting, view, bool(slots)),
        may_reorder=organiser and meeting.status == "scheduled" and len(slots) > 1,
        may_prepare=may(request, PREPARE) and service.invited(meeting, request.user.agency_id),
        is_chair=request.user.id == meeting.chair_id,
        notice=_(NOTICES[done]) if done in NOTICES else None,
        back={"href": "/meetings", "text": _("Meetings")},
    )


async def _name_of(db: Session, user_id: uuid.UUID) -> str:
    user = await db.get(User, user_id)
    return user.display_name if user else ""


@post("/meetings/{reference:str}/statement", opt=READ, include_in_schema=False)
async def accept_statement(
    request: Request, db_session: Session, gate: Gate, reference: Reference
) -> Template | Redirect:
    """One button: the page sends the API's acknowledgement, the SHA-256 of the
    words it showed, worked out here; the person never sees it."""
    meeting = await _meeting(db_session, request, reference)
    statement = await service.statement_for(db_session, request.user, meeting)
    await service.acknowledge(
        db_session, request.user, meeting, Acknowledging(statement_sha256=statement.sha256), gate
    )
    return see_other(f"/meetings/{meeting.reference}?done=accepted")


# --- the coordinator's steps: one table, one template ----------------------------------------


@dataclass(frozen=True)
class StepForm:
    title: str
    action: str  # the policy's action, as the API's route asks
    # agency (one to invite), person (one to name), confirm (no question),
    # timings (minutes for each item), reason (a text)
    kind: str
    intro: str | None = None
    button: str | None = None
    organisers: bool = True  # only the meeting's coordinators and chairs
    acknowledged: bool = False  # the agenda comes after the statement


FORMS: dict[str, StepForm] = {
    "invitation": StepForm(N_("Invite an agency"), ARRANGE, "agency"),
    "attendee": StepForm(
        N_("Name an attendee"), ATTEND, "person", organisers=False,
        intro=N_("Each agency names who attends for it; the coordinator may name anyone "
                 "from an agency invited."),
    ),
    "agenda": StepForm(
        N_("Build the agenda"), ARRANGE, "confirm", acknowledged=True,
        intro=N_("This adds the referrals listed for this meeting, the cases due for review, "
                 "and the actions still open from earlier meetings of the same kind and area. "
                 "Doing it again adds only what has become due since."),
        button=N_("Build the agenda"),
    ),
    "timings": StepForm(
        N_("Set the time for each case"), ARRANGE, "timings", acknowledged=True,
        intro=N_("Each case's time slot follows from the meeting's start and the minutes of "
                 "the cases before it."),
        button=N_("Save the times"),
    ),
    "cancellation": StepForm(
        N_("Cancel the meeting"), ARRANGE, "reason",
        intro=N_("The agencies invited see that the meeting is cancelled."),
    ),
}  # fmt: skip


async def _step_page(
    request: Request,
    db: Session,
    gate: Gate,
    meeting: Meeting,
    path: str,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
) -> Template:
    spec = FORMS[path]
    values = values or {}
    first = _first(values)
    context: dict[str, Any] = {}
    if spec.kind == "agency":
        invited = {a.agency_id for a in meeting.agencies}
        context["choices"] = [("", _("Choose an agency"))] + [
            (str(a.id), a.name) for a in await _active_agencies(db) if a.id not in invited
        ]
        context["chosen"] = first.get("agency_id") or ""
    elif spec.kind == "person":
        named = {a.user_id for a in meeting.attendees}
        agencies = (
            {a.agency_id for a in meeting.agencies}
            if _organiser(request, meeting)
            else {request.user.agency_id}
        )
        names = await _agency_names(db)
        context["choices"] = [("", _("Choose a person"))] + [
            (str(u.id), f"{u.display_name} ({names.get(u.agency_id, '')})")
            for u in await _staff_of(db, agencies)
            if u.id not in named
        ]
        context["chosen"] = first.get("user_id") or ""
    elif spec.kind == "timings":
        cases = await packs.cases_of(db, request.user, meeting, gate, context_kind="meeting_case")
        slots = await packs.slots_of(db, meeting, cases)
        by_item = {c.item_id: c for c in cases}
        context["items"] = [
            {
                "name": f"minutes.{s.position}",
                "label": f"{s.position}. {packs.case_title(by_item[s.item_id])}",
                "value": (values.get(f"minutes.{s.position}") or [str(s.minutes)])[0],
            }
            for s in slots
        ]
    not_open = None
    if meeting.status != "scheduled":
        not_open = _("This can't be done now: the meeting is {status}.").format(
            status=label("meeting_status", meeting.status).lower()
        )
    return await render(
        request,
        db,
        "meetings/step.html",
        title=_(spec.title),
        marking=True,
        reference=meeting.reference,
        version=meeting.version,
        kind=spec.kind,
        intro=_(spec.intro) if spec.intro else None,
        button=_(spec.button or spec.title),
        not_open=not_open,
        values=values,
        errors=errors,
        status_code=400 if errors else 200,
        back={"href": f"/meetings/{meeting.reference}", "text": _("Back to the meeting")},
        **context,
    )


async def _step_meeting(
    db: Session, request: Request, reference: str, step: str
) -> tuple[Meeting, StepForm]:
    if step not in FORMS:
        raise NotFound("page")
    spec = FORMS[step]
    meeting = await _meeting(db, request, reference)
    if not may(request, spec.action):
        raise Forbidden("this step is not yours")
    if spec.organisers:
        service.require_organiser(request.user, meeting)
    if spec.acknowledged:
        await service.require_acknowledged(db, request.user, meeting)
    return meeting, spec


@get("/meetings/{reference:str}/steps/{step:str}", opt=READ, include_in_schema=False)
async def step_form(
    request: Request, db_session: Session, gate: Gate, reference: Reference, step: StepPath
) -> Template:
    meeting, _spec = await _step_meeting(db_session, request, reference, step)
    return await _step_page(request, db_session, gate, meeting, step)


async def _timings(db: Session, meeting: Meeting, form: Form) -> AgendaOrder:
    view = await agenda.view_of(db, meeting)
    slots = []
    for item in view.items:
        typed = form.text(f"minutes.{item.position}")
        try:
            minutes = int(typed or "")
        except ValueError:
            minutes = 0
        if not 1 <= minutes <= 240:
            form.errors.add(
                f"minutes.{item.position}", _("Enter a number of minutes from 1 to 240")
            )
        slots.append({"item_id": str(item.id), "minutes": minutes})
    if form.errors:
        raise form.errors
    return form.convert(AgendaOrder, {"items": slots})


async def _take(
    db: Session, request: Request, gate: Gate, meeting: Meeting, step: str, form: Form
) -> None:
    """The service's call for the step, as the API's route makes it."""
    actor, version = request.user, form.version()
    match step:
        case "invitation":
            data = form.convert(Invitation, {"agency_id": form.text("agency_id")}, _messages())
            await service.invite(db, actor, meeting, version, data.agency_id, gate)
        case "attendee":
            person = form.convert(AttendeeIn, {"user_id": form.text("user_id")}, _messages())
            await service.name_attendee(db, actor, meeting, person.user_id, gate)
        case "agenda":
            await agenda.build(db, actor, meeting, version, gate)
        case "timings":
            order = await _timings(db, meeting, form)
            await agenda.reorder(db, actor, meeting, version, order, gate)
        case "cancellation":
            reason = form.convert(Cancellation, {"reason": form.text("reason")}, _messages())
            await service.cancel(db, actor, meeting, version, reason, gate)


@post("/meetings/{reference:str}/steps/{step:str}", opt=READ, include_in_schema=False)
async def step_submit(
    request: Request, db_session: Session, gate: Gate, reference: Reference, step: StepPath
) -> Template | Redirect:
    meeting, _spec = await _step_meeting(db_session, request, reference, step)
    form = await Form.read(request)
    try:
        await _take(db_session, request, gate, meeting, step, form)
    except (Forbidden, NotFound):
        raise
    except (FormErrors, DomainError) as failed:
        errors = await refused(db_session, form, failed, _messages())
        db_session.expunge_all()
        meeting = await _meeting(db_session, request, reference)
        return await _step_page(
            request, db_session, gate, meeting, step, values=form.values, errors=errors
        )
    anchor = "#agenda" if step in ("agenda", "timings") else ""
    return see_other(f"/meetings/{meeting.reference}?done={step}{anchor}")


@post("/meetings/{reference:str}/agenda-order", opt=page_opt(ARRANGE), include_in_schema=False)
async def move_item(
    request: Request, db_session: Session, gate: Gate, reference: Reference
) -> Redirect:
    """A "move up" or "move down" button: the whole order, one item moved, as
    the API's reorder takes it."""
    meeting = await _meeting(db_session, request, reference)
    form = await Form.read(request)
    view = await agenda.view_of(db_session, meeting)
    items = list(view.items)
    try:
        at = int(form.text("position") or "") - 1
    except ValueError:
        at = -1
    to = at - 1 if form.text("move") == "up" else at + 1
    if 0 <= at < len(items) and 0 <= to < len(items):
        items[at], items[to] = items[to], items[at]
    await service.require_acknowledged(db_session, request.user, meeting)
    order = form.convert(
        AgendaOrder, {"items": [{"item_id": str(i.id), "minutes": i.minutes} for i in items]}
    )
    await agenda.reorder(db_session, request.user, meeting, form.version(), order, gate)
    return see_other(f"/meetings/{meeting.reference}?done=moved#agenda")


# --- an agency's preparation of a case -------------------------------------------------------


async def _case_page(
    request: Request,
    db: Session,
    gate: Gate,
    meeting: Meeting,
    number: int,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
    notice: str | None = None,
) -> Template:
    items = await agenda.items_of(db, meeting)
    if number > len(items):
        raise NotFound("page")
    item = items[number - 1]
    mine = request.user.agency_id
    names = await _agency_names(db)
    case = await preparation.case_for(
        db,
        Viewer(mine, request.user.user_id),
        meeting,
        item,
        partners=await preparation.meeting_partners(db, meeting, mine, gate),
        agency_names=names,
        context_kind="meeting_case",
        gate=gate,
    )
    own = await db.scalar(
        select(Contribution).where(Contribution.item_id == item.id, Contribution.agency_id == mine)
    )
    if values is None:
        values = await _own_values(db, gate, own)
    slots = await packs.slots_of(db, meeting, [case])
    slot = next((s for s in slots if s.item_id == item.id), None)
    chosen_risks = set(values.get("risks", []))
    return await render(
        request,
        db,
        "meetings/case.html",
        title=packs.case_title(case),
        marking=True,
        reference=meeting.reference,
        number=number,
        case=case,
        slot=packs.slot_words(slot),
        referrer=slot.referring_agency if slot else None,
        others=[c for c in case.contributions if c.agency_id != mine],
        version=own.version if own else None,
        agency=names.get(mine, ""),
        may_prepare=may(request, PREPARE)
        and service.invited(meeting, mine)
        and meeting.status == "scheduled",
        risks=[
            {"value": code, "text": _(words), "checked": code in chosen_risks}
            for code, words in RISK_LABELS.items()
        ],
        risk_words={code: _(words) for code, words in RISK_LABELS.items()},
        roles=[(code, label("subject_role", code)) for code in PREPARATION_ROLES],
        rows=list(range(PEOPLE_ROWS)),
        values=values,
        errors=errors,
        status_code=400 if errors else 200,
        notice=notice,
        back={"href": f"/meetings/{meeting.reference}#agenda", "text": _("Back to the meeting")},
    )


async def _own_values(db: Session, gate: Gate, own: Contribution | None) -> dict[str, list[str]]:
    """The agency's own preparation, as the form's fields (its own words)."""
    if own is None:
        return {}
    values: dict[str, list[str]] = {
        "known_to_agency": ["yes" if own.known_to_agency else "no"],
        "risks": list(own.risks),
        "information": [open_field(gate.cipher, own, "information") or ""],
    }
    if own.last_contact_on:
        on = own.last_contact_on
        values |= {
            "last_contact_on-day": [str(on.day)],
            "last_contact_on-month": [str(on.month)],
            "last_contact_on-year": [str(on.year)],
        }
    for row, link in enumerate(own.subjects[:PEOPLE_ROWS]):
        subject = await db.get(Subject, link.subject_id)
        values[f"subjects.{row}.reference"] = [subject.reference if subject else ""]
        values[f"subjects.{row}.role"] = [link.role]
    return values


@get("/meetings/{reference:str}/cases/{number:int}", opt=READ, include_in_schema=False)
async def read_case(
    request: Request,
    db_session: Session,
    gate: Gate,
    reference: Reference,
    number: Number,
    done: Annotated[str | None, QueryParameter(required=False, max_length=30)] = None,
) -> Template:
    meeting = await _meeting(db_session, request, reference)
    if not await _acknowledged(db_session, request, meeting):
        return await _statement_page(request, db_session, meeting)
    notice = _(NOTICES[done]) if done in NOTICES else None
    return await _case_page(request, db_session, gate, meeting, number, notice=notice)


@post(
    "/meetings/{reference:str}/cases/{number:int}", opt=page_opt(PREPARE), include_in_schema=False
)
async def prepare_case(
    request: Request, db_session: Session, gate: Gate, reference: Reference, number: Number
) -> Template | Redirect:
    meeting = await _meeting(db_session, request, reference)
    await service.require_acknowledged(db_session, request.user, meeting)
    items = await agenda.items_of(db_session, meeting)
    if number > len(items):
        raise NotFound("page")
    item = items[number - 1]
    form = await Form.read(request)
    names: dict[str, str] = {}
    try:
        people = []
        for row in range(PEOPLE_ROWS):
            name = f"subjects.{row}.reference"
            text = form.text(name)
            if not text:
                continue
            try:
                subject = await subject_by_reference(db_session, request.user, text)
            except NotFound:
                form.errors.add(name, _("No one your agency holds has that reference"))
                continue
            names[f"subjects.{len(people)}.subject_id"] = name
            names[f"subjects.{len(people)}.role"] = f"subjects.{row}.role"
            people.append(
                {
                    "subject_id": str(subject.id),
                    "role": form.text(f"subjects.{row}.role") or "other",
                }
            )
        known = form.text("known_to_agency")
        payload = {
            "known_to_agency": {"yes": True, "no": False}.get(known or ""),
            "last_contact_on": form.date("last_contact_on", required=False),
            "risks": form.many("risks"),
            "information": form.text("information"),
            "subjects": people,
        }
        data = form.convert(ContributionIn, payload, _messages())
        version = form.version() if form.text("version") else None
        await preparation.contribute(db_session, request.user, meeting, item, data, version, gate)
    except (FormErrors, DomainError) as failed:
        errors = renamed(await refused(db_session, form, failed, _messages()), names)
        db_session.expunge_all()
        meeting = await _meeting(db_session, request, reference)
        return await _case_page(
            request, db_session, gate, meeting, number, values=form.values, errors=errors
        )
    return see_other(f"/meetings/{meeting.reference}/cases/{number}?done=prepared")


# --- the pack -----------------------------------------------------------------------------------


@get("/meetings/{reference:str}/pack", opt=READ, include_in_schema=False)
async def read_pack(
    request: Request, db_session: Session, gate: Gate, reference: Reference
) -> Template:
    meeting = await _meeting(db_session, request, reference)
    if not await _acknowledged(db_session, request, meeting):
        return await _statement_page(request, db_session, meeting)
    pack = await packs.build_pack(db_session, request.user, meeting, gate)
    slots = {s.item_id: s for s in pack.slots}
    return await render(
        request,
        db_session,
        "meetings/pack.html",
        title=_("Meeting pack for {agency}").format(agency=pack.agency_name),
        marking=True,
        pack=pack,
        kind=label("meeting_type", meeting.meeting_type),
        when=_when(meeting),
        cases=[
            {
                "case": case,
                "title": packs.case_title(case),
                "slot": packs.slot_words(slots.get(case.item_id)),
                "referrer": (s.referring_agency if (s := slots.get(case.item_id)) else None),
            }
            for case in pack.cases
        ],
        risk_words={code: _(words) for code, words in RISK_LABELS.items()},
        back={"href": f"/meetings/{meeting.reference}", "text": _("Back to the meeting")},
    )


@get("/meetings/{reference:str}/pack.pdf", opt=READ, include_in_schema=False)
async def download_pack(
    request: Request, db_session: Session, gate: Gate, reference: Reference
) -> Response[bytes]:
    meeting = await _meeting(db_session, request, reference)
    await service.require_acknowledged(db_session, request.user, meeting)
    pack = await packs.build_pack(db_session, request.user, meeting, gate)
    return Response(
        packs.render_pdf(pack),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="meeting-pack-{meeting.reference}.pdf"',
            "Cache-Control": "no-store",
        },
    )


ROUTES = [
    list_meetings,
    arrange_form,
    arrange,
    read_meeting,
    accept_statement,
    step_form,
    step_submit,
    move_item,
    read_case,
    prepare_case,
    read_pack,
    download_pack,
]
