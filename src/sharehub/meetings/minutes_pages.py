"""Pages for a meeting during and after it, thin over the services the API
calls: the chair runs the meeting one case at a time (what each agency
brought, as the gate shows it to the chair's agency, and forms that save the
information shared, the decisions and the actions into the draft minutes);
attendance and apologies as they happen; the minutes as the gate shows them
to the reader's agency, with their history, the chair's approval and
amendments; the minutes as a PDF; and requests to share the minutes onward,
answered by whoever the law table's rule names.

Every address uses the meeting's reference ("MTG-2026-0003"). Nothing of a
meeting is shown to someone who can see it but has not accepted its
confidentiality statement: they are sent to the meeting's page to accept it.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import PathParameter, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy import select

from sharehub.agencies.models import Agency
from sharehub.disclosure.gate import Viewer
from sharehub.errors import Conflict, DomainError, Forbidden, NotFound
from sharehub.identity.models import User
from sharehub.meetings import actions, agenda, minutes, minutes_pdf, preparation, service
from sharehub.meetings.cases import MeetingContext, material_of
from sharehub.meetings.models import Meeting
from sharehub.meetings.schemas import (
    Amendment,
    MinutesIn,
    MinutesView,
    OnwardSharingIn,
    OnwardSharingRefusal,
)
from sharehub.meetings.service import kind_of
from sharehub.web.forms import Form, FormErrors, refused, renamed
from sharehub.web.labels import N_, label, long_date, long_datetime
from sharehub.web.pages import may, page_opt, render, see_other
from sharehub.web.params import Gate, Session
from sharehub.web.templating import _

READ = page_opt("meeting:read")
SHARE = page_opt("meeting:share-minutes")
Reference = Annotated[str, PathParameter(max_length=20, description="e.g. MTG-2026-0003")]
Done = Annotated[str | None, QueryParameter(required=False, max_length=20)]
Number = Annotated[int, PathParameter(ge=1, le=200)]

MESSAGES = {
    "risks": N_("Say what risks the meeting identified, in 20,000 characters or fewer"),
    "decisions": N_("Say what the meeting decided, in 20,000 characters or fewer"),
    "action.description": N_("Say what is to be done, in 3 to 2,000 characters"),
    "action.owner_agency_id": N_("Choose the agency that owns the action"),
    "action.due_on": N_("Enter the date the action is due"),
    "reason": N_("Give the reason in 10 to 4,000 characters"),
    "agency_id": N_("Choose the agency to share the minutes with"),
    "present": N_("Choose only agencies invited to the meeting"),
}
NOTICES = {
    "saved": N_("Saved in the draft minutes"),
    "apologies": N_("Your agency's apologies are recorded"),
    "withdrawn": N_("Your agency's apologies are withdrawn"),
    "held": N_("The meeting is recorded as held: the minutes can be written"),
    "present": N_("The agencies present are saved in the draft minutes"),
    "approved": N_("The minutes are approved and locked"),
    "amended": N_("An amendment is started: a new draft version of the minutes"),
    "requested": N_("Sharing the minutes is asked for"),
    "agreed": N_("Your agency's agreement is recorded"),
    "refused": N_("Your agency's refusal is recorded"),
}


def _messages() -> dict[str, str]:
    return {k: _(v) for k, v in MESSAGES.items()}


def _notice(done: str | None) -> str | None:
    return _(NOTICES[done]) if done in NOTICES else None


async def _names(db: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    return dict((await db.execute(select(Agency.id, Agency.name).where(Agency.id.in_(ids)))).all())


async def _people(db: Session, ids: set[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await db.execute(select(User.id, User.display_name).where(User.id.in_(wanted)))
    return dict(rows.all())


def _sees_meeting(request: Request, meeting: Meeting) -> bool:
    """Whether the reader reaches the meeting itself (not only its minutes, shared onward)."""
    user = request.user
    return service.invited(meeting, user.agency_id) or service.organises(
        user, kind_of(meeting), meeting.area
    )


async def statement_first(request: Request, db: Session, meeting: Meeting) -> Template | None:
    """The statement page's address, in place of anything of the meeting, until
    the reader has accepted the statement (as the API's ``require_acknowledged``)."""
    try:
        await service.require_acknowledged(db, request.user, meeting)
    except Forbidden:
        return await render(
            request,
            db,
            "meetings/minutes/statement_first.html",
            title=_("Accept the confidentiality statement first"),
            reference=meeting.reference,
            status_code=403,
        )
    return None


async def _meeting(request: Request, db: Session, reference: str) -> Meeting:
    return await service.meeting_by_reference(db, request.user, reference)


# --- running the meeting: one case at a time ----------------------------------------------


def _entry_of(content: dict[str, Any], item_id: uuid.UUID) -> dict[str, Any] | None:
    return next((e for e in content["entries"] if e["item_id"] == str(item_id)), None)


def _entry_values(meeting: Meeting, entry: dict[str, Any] | None) -> dict[str, list[str]]:
    if entry is None:
        return {}
    values: dict[str, list[str]] = {}
    by_agency = {info["agency_id"]: info["text"] for info in entry.get("information", [])}
    for i, invited in enumerate(meeting.agencies):
        if str(invited.agency_id) in by_agency:
            values[f"information.{i}.text"] = [by_agency[str(invited.agency_id)]]
    for name in ("risks", "decisions"):
        if entry.get(name):
            values[name] = [entry[name]]
    if entry.get("level"):
        values["level"] = [str(entry["level"])]
    return values


async def _run_page(
    request: Request,
    db: Session,
    gate: Gate,
    meeting: Meeting,
    number: int,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
    done: Done = None,
) -> Template:
    items = await agenda.items_of(db, meeting)
    if number > len(items):
        raise NotFound("page")
    item = items[number - 1]
    user = request.user
    names = await preparation.agency_names(db)
    case = await preparation.case_for(
        db,
        Viewer(user.agency_id, user.user_id),
        meeting,
        item,
        partners=await preparation.meeting_partners(db, meeting, user.agency_id, gate),
        agency_names=names,
        context_kind="meeting_case",
        gate=gate,
    )
    organiser = service.organises(user, kind_of(meeting), meeting.area)
    draft, content, locked = None, {"present": [], "entries": []}, False
    if organiser and meeting.status == "held":
        try:
            draft, content = await minutes.draft_content(db, user, meeting, gate)
        except Conflict:
            locked = True
    entry = _entry_of(content, item.id)
    risks = sorted({code for c in case.contributions for code in c.risks})
    proposed = []
    for action in (entry or {}).get("actions", []):
        owner, words = actions.named_owner(action["description"])
        proposed.append(
            {
                "agency": names.get(uuid.UUID(action["owner_agency_id"]), ""),
                "owner": owner,
                "what": words,
                "due_on": date.fromisoformat(action["due_on"]),
            }
        )
    invited = [(str(a.agency_id), names.get(a.agency_id, "")) for a in meeting.agencies]
    return await render(
        request,
        db,
        "meetings/minutes/run.html",
        title=_("Case {n} of {total}: {reference}").format(
            n=number, total=len(items), reference=case.reference
        ),
        marking=True,
        meeting=meeting,
        kind=kind_of(meeting).name,
        case=case,
        item=item,
        number=number,
        total=len(items),
        risks=risks,
        may_minute=organiser and meeting.status == "held" and not locked,
        locked=locked,
        mappa=meeting.meeting_type in {"mappa_level_2", "mappa_level_3"},
        draft=draft,
        invited=invited,
        proposed=proposed,
        values=values if values is not None else _entry_values(meeting, entry),
        errors=errors,
        notice=_notice(done),
        status_code=400 if errors else 200,
        back={"href": f"/meetings/{meeting.reference}", "text": _("Back to the meeting")},
    )


@get("/meetings/{reference:str}/run/{number:int}", opt=READ, include_in_schema=False)
async def run_case(
    request: Request,
    db_session: Session,
    gate: Gate,
    reference: Reference,
    number: Number,
    done: Done = None,
) -> Template:
    meeting = await _meeting(request, db_session, reference)
    if (first := await statement_first(request, db_session, meeting)) is not None:
        return first
    return await _run_page(request, db_session, gate, meeting, number, done=done)


def _entry_from_form(
    form: Form, meeting: Meeting, item_id: uuid.UUID, kept: dict[str, Any] | None, at: int
) -> tuple[dict[str, Any], dict[str, str]]:
    """The case's entry in the minutes as the form gives it (the actions agreed
    earlier kept, a new one added), and the API's field names mapped to the form's."""
    names: dict[str, str] = {}
    information = []
    for i, invited in enumerate(meeting.agencies):
        text = form.text(f"information.{i}.text")
        if text:
            names[f"entries.{at}.information.{len(information)}.text"] = f"information.{i}.text"
            information.append({"agency_id": str(invited.agency_id), "text": text})
    actions_now = list((kept or {}).get("actions", []))
    fields = ("owner_agency_id", "owner_name", "description")
    if any(form.text(f"action.{f}") for f in fields) or form.text("action.due_on-day"):
        j = len(actions_now)
        names |= {f"entries.{at}.actions.{j}.{f}": f"action.{f}" for f in fields}
        names[f"entries.{at}.actions.{j}.due_on"] = "action.due_on"
        description = form.text("action.description")
        actions_now.append(
            {
                "owner_agency_id": form.text("action.owner_agency_id"),
                "description": actions.with_named_owner(description, form.text("action.owner_name"))
                if description
                else None,
                "due_on": form.date("action.due_on", label=_("the action is due")),
            }
        )
    level = form.text("level")
    names |= {f"entries.{at}.risks": "risks", f"entries.{at}.decisions": "decisions",
              f"entries.{at}.level": "level"}  # fmt: skip
    entry = {
        "item_id": str(item_id),
        "information": information,
        "risks": form.text("risks"),
        "decisions": form.text("decisions"),
        "level": int(level) if level and level.isdigit() else None,
        "actions": actions_now,
    }
    return entry, names


@post("/meetings/{reference:str}/run/{number:int}", opt=READ, include_in_schema=False)
async def minute_case(
    request: Request, db_session: Session, gate: Gate, reference: Reference, number: Number
) -> Template | Redirect:
    meeting = await _meeting(request, db_session, reference)
    if (first := await statement_first(request, db_session, meeting)) is not None:
        return first
    items = await agenda.items_of(db_session, meeting)
    if number > len(items):
        raise NotFound("page")
    item = items[number - 1]
    if not may(request, "meeting:minute"):
        raise Forbidden("the minutes are written by the meeting's coordinator or chair")
    form = await Form.read(request)
    names: dict[str, str] = {}
    try:
        _draft, content = await minutes.draft_content(db_session, request.user, meeting, gate)
        kept = _entry_of(content, item.id)
        entries = [e for e in content["entries"] if e["item_id"] != str(item.id)]
        at = len(entries)
        entry, names = _entry_from_form(form, meeting, item.id, kept, at)
        payload = {"present": content["present"], "entries": [*entries, entry]}
        data = form.convert(MinutesIn, payload, _messages())
        version = form.version() if form.text("version") else None
        await minutes.write_draft(db_session, request.user, meeting, version, data, gate)
    except (FormErrors, DomainError) as failed:
        errors = renamed(await refused(db_session, form, failed, _messages()), names)
        errors = _shortened(errors, names)
        db_session.expunge_all()
        meeting = await _meeting(request, db_session, reference)
        return await _run_page(
            request, db_session, gate, meeting, number, values=form.values, errors=errors
        )
    return see_other(f"/meetings/{meeting.reference}/run/{number}?done=saved")


def _shortened(errors: FormErrors, names: dict[str, str]) -> FormErrors:
    """Errors the struct names by their path in the minutes ("entries.0.risks"),
    under the form's field (the message the form gives for it, where it has one)."""
    out = FormErrors()
    messages = _messages()
    for name, message in errors.by_field.items():
        field = names.get(name, name)
        if field.startswith("entries."):
            field = "form"
        out.add(field, messages.get(field, message) if message == _("Enter this") else message)
    return out


# --- attendance and apologies ----------------------------------------------------------------


async def _attendance_page(
    request: Request,
    db: Session,
    gate: Gate,
    meeting: Meeting,
    *,
    errors: FormErrors | None = None,
    done: Done = None,
) -> Template:
    user = request.user
    view = await service.view_of(db, user, meeting, gate)
    organiser = service.organises(user, kind_of(meeting), meeting.area)
    present: list[str] = []
    locked = False
    if organiser and meeting.status == "held":
        try:
            _draft, content = await minutes.draft_content(db, user, meeting, gate)
            present = list(content["present"])
        except Conflict:
            locked = True
    names = {a.agency_id: a.name for a in view.agencies}
    ours = next((a for a in view.agencies if a.agency_id == user.agency_id), None)
    return await render(
        request,
        db,
        "meetings/minutes/attendance.html",
        title=_("Attendance and apologies"),
        marking=True,
        meeting=view,
        kind=kind_of(meeting).name,
        names=names,
        ours=ours,
        may_apologise=ours is not None
        and meeting.status == "scheduled"
        and may(request, "meeting:prepare"),
        may_hold=organiser
        and meeting.status == "scheduled"
        and meeting.starts_at <= gate.now
        and may(request, "meeting:arrange"),
        not_started=organiser and meeting.status == "scheduled" and meeting.starts_at > gate.now,
        may_record_present=organiser and meeting.status == "held" and not locked,
        locked=locked,
        present=[
            {"value": str(a.agency_id), "text": a.name, "checked": str(a.agency_id) in present}
            for a in view.agencies
        ],
        errors=errors,
        notice=_notice(done),
        status_code=400 if errors else 200,
        back={"href": f"/meetings/{meeting.reference}", "text": _("Back to the meeting")},
    )


@get("/meetings/{reference:str}/attendance", opt=READ, include_in_schema=False)
async def attendance(
    request: Request, db_session: Session, gate: Gate, reference: Reference, done: Done = None
) -> Template:
    meeting = await _meeting(request, db_session, reference)
    if (first := await statement_first(request, db_session, meeting)) is not None:
        return first
    return await _attendance_page(request, db_session, gate, meeting, done=done)


@post("/meetings/{reference:str}/attendance", opt=READ, include_in_schema=False)
async def record_attendance(
    request: Request, db_session: Session, gate: Gate, reference: Reference
) -> Template | Redirect:
    meeting = await _meeting(request, db_session, reference)
    if (first := await statement_first(request, db_session, meeting)) is not None:
        return first
    form = await Form.read(request)
    step = form.text("step")
    user = request.user
    # The same permission the API asks for each step (the service checks the rest).
    needs = {"apologies": "meeting:prepare", "withdraw": "meeting:prepare",
             "held": "meeting:arrange", "present": "meeting:minute"}  # fmt: skip
    if step not in needs:
        raise NotFound("page")
    if not may(request, needs[step]):
        raise Forbidden("this step is not open to your role")
    try:
        if step in ("apologies", "withdraw"):
            await service.send_apologies(db_session, user, meeting, step == "apologies", gate)
        elif step == "held":
            context = MeetingContext(actor=user, meeting=meeting, gate=gate)
            meeting = await service.hold(db_session, user, meeting, form.version(), gate)
            await agenda.record_heard(db_session, meeting, context)
        else:
            draft, content = await minutes.draft_content(db_session, user, meeting, gate)
            payload = {"present": form.many("present"), "entries": content["entries"]}
            data = form.convert(MinutesIn, payload, _messages())
            version = draft.version if draft is not None else None
            if draft is not None and form.text("version"):
                version = form.version()
            await minutes.write_draft(db_session, user, meeting, version, data, gate)
    except (FormErrors, DomainError) as failed:
        errors = await refused(db_session, form, failed, _messages())
        errors = renamed(errors, {f"present.{i}": "present" for i in range(40)})
        db_session.expunge_all()
        meeting = await _meeting(request, db_session, reference)
        return await _attendance_page(request, db_session, gate, meeting, errors=errors)
    return see_other(f"/meetings/{meeting.reference}/attendance?done={step}")


# --- the minutes -------------------------------------------------------------------------------


async def _readable(
    request: Request, db: Session, gate: Gate, reference: str
) -> tuple[Meeting, Template | None]:
    """The meeting whose minutes the reader may read (those shared onward too),
    or the page to show instead (the statement first)."""
    meeting = await minutes.meeting_of_minutes_by_reference(db, request.user, reference)
    if _sees_meeting(request, meeting):
        return meeting, await statement_first(request, db, meeting)
    return meeting, None


async def _case_references(
    db: Session, meeting: Meeting, gate: Gate
) -> dict[uuid.UUID, tuple[int, str]]:
    found = {}
    for item in await agenda.items_of(db, meeting):
        material = await material_of(db, item.source, item.source_id, gate)
        found[item.id] = (item.position, material.reference if material else "")
    return found


async def _minutes_context(
    request: Request, db: Session, gate: Gate, meeting: Meeting
) -> dict[str, Any]:
    """What the minutes page and the PDF show, or why there is nothing to show."""
    user = request.user
    try:
        revision = await minutes.readable_revision(db, user, meeting, gate.rules)
    except NotFound:
        return {"nothing": _("There are no minutes of this meeting yet.")}
    except Forbidden as refusal:
        return {"nothing": refusal.detail[:1].upper() + refusal.detail[1:]}
    view = await minutes.view_of(db, user, meeting, revision, gate)
    history = await minutes.revisions(db, meeting)
    organiser = service.organises(user, kind_of(meeting), meeting.area)
    if not organiser:
        history = [m for m in history if m.status == "approved"]
    action_ids = {a.id for e in view.entries for a in e.actions}
    numbers = await actions.numbered(db, {meeting.id})
    agencies = await _names(
        db,
        set(view.present)
        | set(view.apologies)
        | {i.agency_id for e in view.entries for i in e.information}
        | {a.owner_agency_id for e in view.entries for a in e.actions}
        | {a.owner_agency_id for e in view.entries for a in e.proposed_actions}
        | {a.agency_id for a in view.attendees},
    )
    carried = await actions.carried_to(db, action_ids)
    cases = await _case_references(db, meeting, gate)
    return {
        "view": view,
        "history": history,
        "people": await _people(db, {m.approved_by for m in history}),
        "agencies": agencies,
        "cases": cases,
        "numbers": numbers,
        "entries": _entries(view, agencies, cases, numbers, carried, gate.today),
        "may_approve": view.status == "draft" and user.id == meeting.chair_id,
        "may_amend": view.status == "approved" and organiser and may(request, "meeting:minute"),
        "may_share": view.status == "approved",
    }


def _entries(
    view: MinutesView,
    agencies: dict[uuid.UUID, str],
    cases: dict[uuid.UUID, tuple[int, str]],
    numbers: dict[uuid.UUID, int],
    carried: dict[uuid.UUID, str],
    today: Any,
) -> list[dict[str, Any]]:
    """Each case minuted, its actions with their owners by name (the page and the PDF)."""
    rows = []
    for entry in view.entries:
        position, reference = cases.get(entry.item_id, (0, ""))
        agreed = []
        for a in entry.actions:
            owner, what = actions.named_owner(a.description)
            agreed.append({"what": what, "agency": agencies.get(a.owner_agency_id, ""),
                           "owner": owner, "due_on": a.due_on, "status": a.status,
                           "overdue": a.overdue, "number": numbers.get(a.id),
                           "carried": carried.get(a.id)})  # fmt: skip
        proposed = []
        for p in entry.proposed_actions:
            owner, what = actions.named_owner(p.description)
            proposed.append({"what": what, "agency": agencies.get(p.owner_agency_id, ""),
                             "owner": owner, "due_on": p.due_on})  # fmt: skip
        rows.append(
            {
                "position": position,
                "reference": reference,
                "information": [(agencies.get(i.agency_id, ""), i.text) for i in entry.information],
                "risks": entry.risks,
                "decisions": entry.decisions,
                "level": entry.level,
                "actions": agreed,
                "proposed": proposed,
            }
        )
    return sorted(rows, key=lambda r: r["position"])


async def _minutes_page(
    request: Request,
    db: Session,
    gate: Gate,
    meeting: Meeting,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
    done: Done = None,
) -> Template:
    context = await _minutes_context(request, db, gate, meeting)
    return await render(
        request,
        db,
        "meetings/minutes/minutes.html",
        title=_("Minutes of the {kind}, {day}").format(
            kind=kind_of(meeting).name, day=long_date(meeting.starts_at)
        ),
        marking=True,
        meeting=meeting,
        sees_meeting=_sees_meeting(request, meeting),
        values=values or {},
        errors=errors,
        notice=_notice(done),
        status_code=400 if errors else 200,
        **context,
    )


@get("/meetings/{reference:str}/minutes", opt=READ, include_in_schema=False)
async def read_minutes(
    request: Request, db_session: Session, gate: Gate, reference: Reference, done: Done = None
) -> Template:
    meeting, first = await _readable(request, db_session, gate, reference)
    if first is not None:
        return first
    return await _minutes_page(request, db_session, gate, meeting, done=done)


@post("/meetings/{reference:str}/minutes/approval", opt=READ, include_in_schema=False)
async def approve_minutes(
    request: Request, db_session: Session, gate: Gate, reference: Reference
) -> Template | Redirect:
    meeting = await _meeting(request, db_session, reference)
    if (first := await statement_first(request, db_session, meeting)) is not None:
        return first
    if not may(request, "meeting:approve"):
        raise Forbidden("the minutes are approved by the meeting's chair")
    form = await Form.read(request)
    try:
        context = MeetingContext(actor=request.user, meeting=meeting, gate=gate)
        await minutes.approve(db_session, meeting, form.version(), context)
    except DomainError as failed:
        errors = await refused(db_session, form, failed, _messages())
        db_session.expunge_all()
        meeting = await _meeting(request, db_session, reference)
        return await _minutes_page(request, db_session, gate, meeting, errors=errors)
    return see_other(f"/meetings/{meeting.reference}/minutes?done=approved")


@post("/meetings/{reference:str}/minutes/amendment", opt=READ, include_in_schema=False)
async def amend_minutes(
    request: Request, db_session: Session, gate: Gate, reference: Reference
) -> Template | Redirect:
    meeting = await _meeting(request, db_session, reference)
    if (first := await statement_first(request, db_session, meeting)) is not None:
        return first
    if not may(request, "meeting:minute"):
        raise Forbidden("the minutes are amended by the meeting's coordinator or chair")
    form = await Form.read(request)
    try:
        data = form.convert(Amendment, {"reason": form.text("reason")}, _messages())
        await minutes.amend(db_session, request.user, meeting, data, gate)
    except (FormErrors, DomainError) as failed:
        errors = await refused(db_session, form, failed, _messages())
        db_session.expunge_all()
        meeting = await _meeting(request, db_session, reference)
        return await _minutes_page(
            request, db_session, gate, meeting, values=form.values, errors=errors
        )
    return see_other(f"/meetings/{meeting.reference}/minutes?done=amended")


def _pdf_sections(meeting: Meeting, context: dict[str, Any]) -> list[minutes_pdf.Section]:
    view: MinutesView = context["view"]
    agencies = context["agencies"]
    Section = minutes_pdf.Section
    status = label("minutes_status", view.status)
    about = [f"{meeting.reference}, {meeting.area}, {long_datetime(meeting.starts_at)}.", status]
    if view.approved_at:
        about.append(_("Approved {day}.").format(day=long_datetime(view.approved_at)))
    if view.amendment_reason:
        about.append(_("Amended because: {why}").format(why=view.amendment_reason))
    about.append(_("Redacted for your agency; do not forward."))
    sections = [
        Section(_("About these minutes"), about),
        Section(
            _("Present"),
            [", ".join(agencies.get(a, "") for a in view.present) or _("Not recorded")],
        ),
        Section(
            _("Apologies"),
            [", ".join(agencies.get(a, "") for a in view.apologies) or _("No apologies")],
        ),
    ]
    for entry in context["entries"]:
        lines = [f"{agency}: {text or _('Withheld')}" for agency, text in entry["information"]]
        heading = f"{entry['position']}. {entry['reference']}"
        sections.append(Section(heading, lines or [_("No information minuted")]))
        sections.append(Section(_("Risks identified"), [entry["risks"] or _("Not recorded")], 2))
        sections.append(Section(_("Decisions"), [entry["decisions"] or _("Not recorded")], 2))
        if entry["level"]:
            level = _("MAPPA level {n}").format(n=entry["level"])
            sections.append(Section(_("Management level"), [level], 2))
        agreed = []
        for a in entry["actions"] + entry["proposed"]:
            who = a["agency"] + (f" ({a['owner']})" if a["owner"] else "")
            line = f"{a['what'] or _('Withheld')} — {who}, "
            line += _("due {day}").format(day=long_date(a["due_on"]))
            if "status" in a:
                line += f", {label('meeting_action_status', a['status']).lower()}"
            agreed.append(line)
        sections.append(Section(_("Actions"), agreed or [_("No actions agreed")], 2))
    return sections


@get("/meetings/{reference:str}/minutes.pdf", opt=READ, include_in_schema=False)
async def minutes_as_pdf(
    request: Request, db_session: Session, gate: Gate, reference: Reference
) -> Response[bytes] | Template:
    meeting, first = await _readable(request, db_session, gate, reference)
    if first is not None:
        return first
    context = await _minutes_context(request, db_session, gate, meeting)
    if "view" not in context:
        return await _minutes_page(request, db_session, gate, meeting)
    title = _("Minutes of the {kind}, {day}").format(
        kind=kind_of(meeting).name, day=long_date(meeting.starts_at)
    )
    body = minutes_pdf.render(title, context["view"].marking, _pdf_sections(meeting, context))
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="minutes-{meeting.reference}.pdf"',
            "Cache-Control": "no-store",
        },
    )


# --- onward sharing --------------------------------------------------------------------------


async def _sharing_page(
    request: Request,
    db: Session,
    gate: Gate,
    found: minutes.SharingMeeting,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
    done: Done = None,
) -> Template:
    user = request.user
    meeting = found.meeting
    rule = minutes.rule_of(meeting, gate.rules)
    requests = await minutes.requests(db, found, gate)
    asked = {r.agency_id for r in requests}
    present = set(found.minutes.present) if found.minutes else set()
    chair = user.id == meeting.chair_id
    may_request = (
        found.minutes is not None
        and may(request, "meeting:share-minutes")
        and (chair or (rule.agreement != "chair" and str(user.agency_id) in present))
    )
    choices = []
    if may_request:
        rows = await db.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.name))
        choices = [
            (str(a.id), a.name) for a in rows if str(a.id) not in present and a.id not in asked
        ]
    answerable = [
        r.agency_id
        for r in requests
        if r.state == "requested"
        and any(o.agency_id == user.agency_id and o.answer == "awaiting" for o in r.owners)
    ]
    may_answer = (
        found.minutes is not None
        and may(request, "meeting:share-minutes")
        and await minutes.may_answer(db, user, meeting, found.minutes)
    )
    return await render(
        request,
        db,
        "meetings/minutes/onward_sharing.html",
        title=_("Sharing the minutes with another agency"),
        marking=True,
        meeting=meeting,
        kind=kind_of(meeting).name,
        rule=rule,
        requests=requests,
        approved=found.minutes is not None,
        may_request=may_request,
        choices=choices,
        answerable=set(answerable) if may_answer else set(),
        values=values or {},
        errors=errors,
        notice=_notice(done),
        status_code=400 if errors else 200,
        back={"href": f"/meetings/{meeting.reference}/minutes", "text": _("Back to the minutes")},
    )


async def _sharing(
    request: Request, db: Session, gate: Gate, reference: str
) -> tuple[minutes.SharingMeeting, Template | None]:
    found = await minutes.sharing_meeting_by_reference(db, request.user, reference, gate)
    # A governance lead answering for its agency reads nothing of the meeting
    # here but who asked and who answered: the statement is for those who read it.
    if _sees_meeting(request, found.meeting) and may(request, "meeting:read"):
        return found, await statement_first(request, db, found.meeting)
    return found, None


@get("/meetings/{reference:str}/minutes/onward-sharing", opt=SHARE, include_in_schema=False)
async def onward_sharing(
    request: Request, db_session: Session, gate: Gate, reference: Reference, done: Done = None
) -> Template:
    found, first = await _sharing(request, db_session, gate, reference)
    if first is not None:
        return first
    return await _sharing_page(request, db_session, gate, found, done=done)


@post("/meetings/{reference:str}/minutes/onward-sharing", opt=SHARE, include_in_schema=False)
async def share_onward(
    request: Request, db_session: Session, gate: Gate, reference: Reference
) -> Template | Redirect:
    found, first = await _sharing(request, db_session, gate, reference)
    if first is not None:
        return first
    if not may(request, "meeting:share-minutes"):
        raise Forbidden("sharing the minutes onward is not open to your role")
    form = await Form.read(request)
    step = form.text("step")
    if step not in ("request", "agree", "refuse"):
        raise NotFound("page")
    user = request.user
    try:
        if step == "request":
            payload = {"agency_id": form.text("agency_id"), "reason": form.text("reason")}
            data = form.convert(OnwardSharingIn, payload, _messages())
            meeting = await service.get_meeting(db_session, user, found.meeting.id)
            await minutes.share_onward(db_session, user, meeting, data, gate)
        else:
            try:
                recipient = uuid.UUID(form.text("recipient") or "")
            except ValueError:
                raise NotFound("request to share the minutes with that agency") from None
            refusal = None
            if step == "refuse":
                reason = form.text(f"refusal.{recipient.hex}")
                messages = {"reason": _(MESSAGES["reason"])}
                try:
                    refusal = form.convert(OnwardSharingRefusal, {"reason": reason}, messages)
                except FormErrors as bad:
                    raise renamed(bad, {"reason": f"refusal.{recipient.hex}"}) from None
            await minutes.answer(db_session, user, found, recipient, refusal, gate)
    except (FormErrors, DomainError) as failed:
        errors = await refused(db_session, form, failed, _messages())
        db_session.expunge_all()
        found = await minutes.sharing_meeting_by_reference(db_session, user, reference, gate)
        return await _sharing_page(
            request, db_session, gate, found, values=form.values, errors=errors
        )
    done = {"request": "requested", "agree": "agreed", "refuse": "refused"}[step]
    return see_other(f"/meetings/{found.meeting.reference}/minutes/onward-sharing?done={done}")


ROUTES = [
    run_case,
    minute_case,
    attendance,
    record_attendance,
    read_minutes,
    approve_minutes,
    amend_minutes,
    minutes_as_pdf,
    onward_sharing,
    share_onward,
]
