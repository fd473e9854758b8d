"""Pages for the actions agreed at meetings, thin over actions.py: each
agency's actions across every meeting, those overdue, one meeting's; and one
action's page, where the agency that owns it records progress or completion.
An action's address is its meeting's reference and its number there
("/meeting-actions/MTG-2026-0003/2"); its wording is read through the gate,
and only by someone who has accepted its meeting's confidentiality statement.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.params import PathParameter, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy import select

from sharehub.agencies.models import Agency
from sharehub.db.references import normalise
from sharehub.errors import DomainError, Forbidden, NotFound
from sharehub.meetings import actions, service
from sharehub.meetings.minutes_pages import statement_first
from sharehub.meetings.models import Action, Meeting
from sharehub.meetings.schemas import ActionProgress, ActionView
from sharehub.meetings.service import kind_of
from sharehub.web.forms import Form, FormErrors, refused
from sharehub.web.labels import N_
from sharehub.web.pages import may, page_opt, render, see_other
from sharehub.web.params import Gate, Session
from sharehub.web.templating import _

READ = page_opt("meeting-action:read")
UPDATE = "meeting-action:update"
Reference = Annotated[str, PathParameter(max_length=20, description="e.g. MTG-2026-0003")]
Done = Annotated[str | None, QueryParameter(required=False, max_length=20)]
Number = Annotated[int, PathParameter(ge=1, le=1000)]

VIEWS = {
    "ours": N_("Your agency's actions"),
    "overdue": N_("Overdue"),
}
MESSAGES = {
    "status": N_("Choose where the action has got to"),
    "note": N_("Say what has been done, in 3 to 4,000 characters"),
}
NOTICES = {"progress": N_("Progress on the action is recorded")}


def _messages() -> dict[str, str]:
    return {k: _(v) for k, v in MESSAGES.items()}


async def _names(db: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    return dict((await db.execute(select(Agency.id, Agency.name).where(Agency.id.in_(ids)))).all())


async def _rows(
    request: Request, db: Session, gate: Gate, items: list[ActionView], *, wording: bool
) -> list[dict[str, Any]]:
    """Each action as a row: its meeting, owning agency, due date and status,
    and (for one meeting's actions, read for that meeting's purpose, where the
    reader has accepted its statement) its wording and named owner through the
    gate. Lists across meetings carry no wording, as the API's: each action's
    page reads it for its own meeting."""
    meetings: dict[uuid.UUID, Meeting] = {}
    for a in items:
        if a.meeting_id not in meetings:
            found = await db.get(Meeting, a.meeting_id)
            if found is not None:
                meetings[a.meeting_id] = found
    numbers = await actions.numbered(db, set(meetings))
    carried = await actions.carried_to(db, {a.id for a in items})
    names = await _names(db, {a.owner_agency_id for a in items})
    accepted = {
        m.id
        for m in meetings.values()
        if await service.acknowledgement_of(db, m, request.user.id) is not None
    }
    rows = []
    for a in items:
        meeting = meetings[a.meeting_id]
        owner = what = None
        if wording and meeting.id in accepted:
            action, _meeting = await actions.get_action(db, request.user, a.id)
            view = await actions.view_of(db, request.user, action, meeting, gate)
            owner, what = actions.named_owner(view.description)
        rows.append(
            {
                "what": what,
                "accepted": meeting.id in accepted,
                "wording": wording,
                "meeting": meeting.reference,
                "kind": kind_of(meeting).name,
                "number": numbers.get(a.id),
                "agency": names.get(a.owner_agency_id, ""),
                "owner": owner,
                "due_on": a.due_on,
                "overdue": a.overdue,
                "status": a.status,
                "carried": carried.get(a.id),
            }
        )
    return rows


@get("/meeting-actions", opt=READ, include_in_schema=False)
async def list_actions(
    request: Request,
    db_session: Session,
    gate: Gate,
    view: Annotated[str | None, QueryParameter(required=False, max_length=20)] = None,
    meeting: Annotated[str | None, QueryParameter(required=False, max_length=20)] = None,
) -> Template:
    found = None
    if meeting:
        found = await service.meeting_by_reference(db_session, request.user, meeting)
        if (first := await statement_first(request, db_session, found)) is not None:
            return first
    chosen = "meeting" if found is not None else (view if view in VIEWS else "ours")
    items, total = await actions.list_actions(
        db_session,
        request.user,
        meeting=found,
        overdue_only=chosen == "overdue",
        gate=gate,
        limit=100,
        offset=0,
    )
    return await render(
        request,
        db_session,
        "meeting_actions/list.html",
        title=_("Actions for {reference}").format(reference=found.reference)
        if found is not None
        else _("Actions agreed at meetings"),
        marking=True,
        rows=await _rows(request, db_session, gate, items, wording=found is not None),
        total=total,
        views=[(code, _(words)) for code, words in VIEWS.items()],
        chosen=chosen,
        meeting=found,
    )


async def _action_page(
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
    action, meeting = await actions.action_by_number(db, request.user, meeting, number)
    view = await actions.view_of(db, request.user, action, meeting, gate)
    owner, what = actions.named_owner(view.description)
    names = await _names(db, {action.owner_agency_id})
    carried = await actions.carried_to(db, {action.id})
    updates = await actions.updates_of(db, action)
    allowed = sorted(actions.MOVES[action.status])
    ours = action.owner_agency_id == request.user.agency_id
    return await render(
        request,
        db,
        "meeting_actions/action.html",
        title=_("Action {n} from {reference}").format(n=number, reference=meeting.reference),
        marking=True,
        meeting=meeting,
        kind=kind_of(meeting).name,
        action=view,
        what=what,
        owner=owner,
        agency=names.get(action.owner_agency_id, ""),
        carried=carried.get(action.id),
        updates=updates,
        may_update=ours and bool(allowed) and may(request, UPDATE),
        statuses=allowed,
        values=values or {},
        errors=errors,
        notice=_(NOTICES[done]) if done in NOTICES else None,
        status_code=400 if errors else 200,
        back={"href": "/meeting-actions", "text": _("Actions agreed at meetings")},
    )


@get("/meeting-actions/{reference:str}/{number:int}", opt=READ, include_in_schema=False)
async def read_action(
    request: Request,
    db_session: Session,
    gate: Gate,
    reference: Reference,
    number: Number,
    done: Done = None,
) -> Template:
    meeting = await _meeting_of_action(request, db_session, reference)
    if (first := await statement_first(request, db_session, meeting)) is not None:
        return first
    return await _action_page(request, db_session, gate, meeting, number, done=done)


async def _meeting_of_action(request: Request, db: Session, reference: str) -> Meeting:
    """The meeting, for one of its actions: as the API's ``get_action`` finds it
    (the owning agency sees its action though not invited)."""
    meeting = await db.scalar(select(Meeting).where(Meeting.reference == normalise(reference)))
    if meeting is None:
        raise NotFound("meeting")
    owns = await db.scalar(
        select(Action.id).where(
            Action.meeting_id == meeting.id, Action.owner_agency_id == request.user.agency_id
        )
    )
    if owns is None:
        return await service.meeting_by_reference(db, request.user, reference)
    return meeting


@post("/meeting-actions/{reference:str}/{number:int}", opt=READ, include_in_schema=False)
async def record_progress(
    request: Request, db_session: Session, gate: Gate, reference: Reference, number: Number
) -> Template | Redirect:
    meeting = await _meeting_of_action(request, db_session, reference)
    if (first := await statement_first(request, db_session, meeting)) is not None:
        return first
    if not may(request, UPDATE):
        raise Forbidden("progress is recorded by the agency that owns the action")
    form = await Form.read(request)
    try:
        action, _found = await actions.action_by_number(db_session, request.user, meeting, number)
        payload = {"status": form.text("status"), "note": form.text("note")}
        data = form.convert(ActionProgress, payload, _messages())
        await actions.progress(db_session, request.user, action, form.version(), data, gate)
    except (FormErrors, DomainError) as failed:
        errors = await refused(db_session, form, failed, _messages())
        db_session.expunge_all()
        meeting = await _meeting_of_action(request, db_session, reference)
        return await _action_page(
            request, db_session, gate, meeting, number, values=form.values, errors=errors
        )
    return see_other(f"/meeting-actions/{meeting.reference}/{number}?done=progress")


ROUTES = [list_actions, read_action, record_progress]
