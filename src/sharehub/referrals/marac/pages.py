"""Pages for MARAC referrals, thin over service.py: refer (from scratch, from a
person, or from an ASB report on the domestic abuse route) with the DASH
checklist as a form and the criteria worked out before sending; the
coordinator's screening queue; the IDVA service's caseload; a referral's page
with its people as the gate shows them, its timeline and its next steps.
Every address uses the referral's reference ("MARAC-2026-0012").
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.params import PathParameter, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy import select

from sharehub.agencies.models import Agency, AgencyArea
from sharehub.agencies.types import AgencyType
from sharehub.errors import DomainError, Forbidden, NotFound
from sharehub.privacy.models import Subject
from sharehub.privacy.subjects import subject_by_reference
from sharehub.referrals.asb import service as asb
from sharehub.referrals.asb.models import AsbReportSubject
from sharehub.referrals.marac import service
from sharehub.referrals.marac.checklists import checklists
from sharehub.referrals.marac.models import MaracReferral
from sharehub.referrals.marac.schemas import (
    Closure,
    Hearing,
    Listing,
    ReferralCreate,
    Resubmission,
    Screening,
)
from sharehub.web.forms import Form, FormErrors, refused, renamed
from sharehub.web.labels import N_
from sharehub.web.pages import may, page_opt, render, see_other
from sharehub.web.params import Gate, Session
from sharehub.web.templating import _

READ = page_opt("marac-referral:read")
CREATE = page_opt("marac-referral:create")
Reference = Annotated[str, PathParameter(max_length=20, description="e.g. MARAC-2026-0012")]
HOUSEHOLD_ROWS = 4
POLICE_ROWS = 4
ANSWERS = [("yes", N_("Yes")), ("no", N_("No")), ("not_known", N_("Not known"))]

MESSAGES = {
    "area": N_("Choose the MARAC area"),
    "victim": N_("Enter the victim's person reference, like PER-2026-0042"),
    "incident_on": N_("Enter the date of the current incident"),
    "summary": N_("Say what happened and why you are referring, in 20,000 characters or fewer"),
    "professional_judgement": N_("Give your reasons in 10 to 4,000 characters, or leave it empty"),
    "victim_aware": N_("Say whether the victim knows of the referral"),
    "consent_given": N_("Say whether the victim consented"),
    "idva_allocated": N_("Say whether an IDVA is allocated"),
    "reason": N_("Say in 10 to 4,000 characters what the referrer must add or correct"),
    "note": N_("Say in 10 to 4,000 characters what changed"),
    "meeting_on": N_("Enter the date of the meeting"),
    "heard_on": N_("Enter the date the meeting heard the case"),
}
NOTICES = {
    "referred": N_("Referral sent to the MARAC coordinator"),
    "screen": N_("Screening recorded"),
    "resubmit": N_("Referral resubmitted"),
    "list": N_("Listed for the meeting"),
    "hear": N_("Hearing recorded"),
    "open_actions": N_("Actions opened"),
    "close": N_("Referral closed"),
}
# Which list: the coordinator's screening queue, the agency's own referrals,
# the IDVA service's caseload, or everything the reader may see.
VIEWS = {
    "screening": N_("Waiting for screening"),
    "ours": N_("Referred by your agency"),
    "caseload": N_("Your IDVA service's caseload"),
    "all": N_("All you can see"),
}


def _messages() -> dict[str, str]:
    return {k: _(v) for k, v in MESSAGES.items()}


# --- the list -----------------------------------------------------------------------


@get("/marac-referrals", opt=READ, include_in_schema=False)
async def list_referrals(
    request: Request,
    db_session: Session,
    gate: Gate,
    view: Annotated[str | None, QueryParameter(required=False, max_length=20)] = None,
    status: Annotated[str | None, QueryParameter(required=False, max_length=20)] = None,
) -> Template:
    coordinator = may(request, "marac-referral:coordinate")
    chosen = view if view in VIEWS else ("screening" if coordinator else "ours")
    status = status if status in ("submitted", "accepted", "returned", "listed", "heard",
                                  "actions_open", "closed") else None  # fmt: skip
    items, total = await service.list_referrals(
        db_session,
        request.user,
        status="submitted" if chosen == "screening" else status,
        area=None,
        repeat=None,
        gate=gate,
        limit=100,
        offset=0,
        referred_by=request.user.agency_id if chosen == "ours" else None,
        idva_agency=request.user.agency_id if chosen == "caseload" else None,
    )
    # The IDVA service's caseload is of people: their victims, as the gate shows them.
    victims = (
        await service.victims_of(
            db_session,
            request.user,
            [r for r in [await db_session.get(MaracReferral, i.id) for i in items] if r],
            gate,
        )
        if chosen == "caseload"
        else {}
    )
    names = dict(
        (
            await db_session.execute(
                select(Agency.id, Agency.name).where(
                    Agency.id.in_({r.referring_agency_id for r in items})
                )
            )
        ).all()
    )
    return await render(
        request,
        db_session,
        "marac/list.html",
        title=_("MARAC referrals"),
        marking=True,
        referrals=items,
        victims=victims,
        agencies=names,
        views=[(code, _(words)) for code, words in VIEWS.items()],
        chosen=chosen,
        status=status,
        may_refer=may(request, "marac-referral:create"),
        total=total,
    )


# --- referring ------------------------------------------------------------------------


@dataclass
class Start:
    """Where a referral starts: from scratch, a person, or an ASB report."""

    report: Any | None = None
    people: list[tuple[str, str]] | None = None  # (reference, role) of the report's people


async def _start(db: Session, request: Request, source: str | None) -> Start:
    if not source:
        return Start()
    report = await asb.report_by_reference(db, request.user, source)
    rows = await db.execute(
        select(Subject.reference, AsbReportSubject.role)
        .join(AsbReportSubject, AsbReportSubject.subject_id == Subject.id)
        .where(AsbReportSubject.report_id == report.id)
        .order_by(AsbReportSubject.position)
    )
    return Start(report=report, people=[(ref, role) for ref, role in rows])


async def _areas(db: Session, agency_id: uuid.UUID) -> list[tuple[str, str]]:
    rows = await db.scalars(
        select(AgencyArea.area).where(AgencyArea.agency_id == agency_id).order_by(AgencyArea.area)
    )
    return [(a, a) for a in rows]


async def _idva_services(db: Session) -> list[tuple[str, str]]:
    rows = await db.execute(
        select(Agency.id, Agency.name)
        .where(
            Agency.active.is_(True),
            Agency.agency_type == AgencyType.DOMESTIC_ABUSE_SERVICE.value,
        )
        .order_by(Agency.name)
    )
    return [(str(i), n) for i, n in rows]


def _checklist():
    in_use = [c for c in checklists().values() if c.in_use]
    return in_use[0]


async def _refer_page(
    request: Request,
    db: Session,
    start: Start,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
    preview: dict[str, Any] | None = None,
) -> Template:
    checklist = _checklist()
    return await render(
        request,
        db,
        "marac/refer.html",
        title=_("Refer to MARAC"),
        marking=True,
        checklist=checklist,
        groups=checklist.grouped(),
        answers=[(code, _(words)) for code, words in ANSWERS],
        areas=await _areas(db, request.user.agency_id),
        idva_services=await _idva_services(db),
        household_rows=list(range(HOUSEHOLD_ROWS)),
        police_rows=list(range(POLICE_ROWS)),
        start=start,
        values=values or {},
        errors=errors,
        preview=preview,
        status_code=400 if errors else 200,
        back={"href": "/marac-referrals", "text": _("MARAC referrals")},
    )


@get("/marac-referrals/new", opt=CREATE, include_in_schema=False)
async def refer_form(
    request: Request,
    db_session: Session,
    source: Annotated[
        str | None, QueryParameter(name="from", required=False, max_length=20)
    ] = None,
    victim: Annotated[str | None, QueryParameter(required=False, max_length=20)] = None,
) -> Template:
    start = await _start(db_session, request, source)
    values: dict[str, list[str]] = {}
    if victim:
        values["victim"] = [victim.upper()]
    if start.people:
        for reference, role in start.people:
            if role in ("complainant", "victim") and "victim" not in values:
                values["victim"] = [reference]
            elif role == "perpetrator" and "perpetrator" not in values:
                values["perpetrator"] = [reference]
    areas = await _areas(db_session, request.user.agency_id)
    if len(areas) == 1:
        values["area"] = [areas[0][0]]
    return await _refer_page(request, db_session, start, values=values)


async def _subject_id(
    db: Session, request: Request, form: Form, name: str, *, required: bool
) -> str | None:
    text = form.text(name)
    if not text:
        if required:
            form.errors.add(name, _(MESSAGES["victim"]))
        return None
    try:
        return str((await subject_by_reference(db, request.user, text)).id)
    except NotFound:
        form.errors.add(name, _("No one your agency holds has that reference"))
        return None


async def _payload(
    db: Session, request: Request, form: Form, start: Start, names: dict[str, str]
) -> dict[str, Any]:
    checklist = _checklist()
    household = []
    for i in range(HOUSEHOLD_ROWS):
        if form.text(f"household.{i}.reference"):
            # The service names the linked list's entries; the form, its rows.
            at = f"household.{len(household)}"
            names[f"{at}.subject_id"] = f"household.{i}.reference"
            names[f"{at}.role"] = f"household.{i}.role"
            household.append(
                {
                    "subject_id": await _subject_id(
                        db, request, form, f"household.{i}.reference", required=False
                    ),
                    "role": form.text(f"household.{i}.role") or "child",
                }
            )
    incidents = [form.date(f"police_incidents.{i}", required=False) for i in range(POLICE_ROWS)]
    return {
        "area": form.text("area"),
        "victim_id": await _subject_id(db, request, form, "victim", required=True),
        "perpetrator_id": await _subject_id(db, request, form, "perpetrator", required=False),
        "incident_on": form.date("incident_on", label=_("of the current incident")),
        "checklist_version": checklist.version,
        "answers": {q.code: form.text(f"answers.{q.code}") for q in checklist.questions},
        "police_incidents": [d for d in incidents if d],
        "professional_judgement": form.text("professional_judgement"),
        "victim_aware": _yes_no(form, "victim_aware"),
        "consent_given": _yes_no(form, "consent_given"),
        "idva_allocated": _yes_no(form, "idva_allocated"),
        "idva_agency_id": form.text("idva_agency_id"),
        "summary": form.text("summary"),
        "household": household,
        "asb_report_id": str(start.report.id) if start.report else None,
    }


def _yes_no(form: Form, name: str) -> bool | None:
    value = form.text(name)
    return {"yes": True, "no": False}.get(value or "")


def _unanswered(form: Form, payload: dict[str, Any]) -> None:
    """One message for the checklist, not 24: each unanswered question is marked."""
    missing = [code for code, answer in payload["answers"].items() if not answer]
    for code in missing:
        form.errors.add(f"answers.{code}", _("Answer this question: yes, no or not known"))
    payload["answers"] = {k: v for k, v in payload["answers"].items() if v}


@post("/marac-referrals/new", opt=CREATE, include_in_schema=False)
async def refer(
    request: Request,
    db_session: Session,
    gate: Gate,
    source: Annotated[
        str | None, QueryParameter(name="from", required=False, max_length=20)
    ] = None,
) -> Template | Redirect:
    start = await _start(db_session, request, source)
    form = await Form.read(request)
    messages = _messages()
    checking = form.text("action") == "check"
    preview = None
    # The API's names for the people the form asks for by reference.
    names = {
        "victim_id": "victim",
        "perpetrator_id": "perpetrator",
        "household": "household.0.reference",
    }
    try:
        payload = await _payload(db_session, request, form, start, names)
        _unanswered(form, payload)
        data = form.convert(ReferralCreate, payload, messages)
        if checking:
            assessment, earlier = await service.preview(db_session, request.user, data, gate)
            preview = {"assessment": assessment, "earlier": earlier}
        else:
            referral = await service.refer(db_session, request.user, data, gate)
            return see_other(f"/marac-referrals/{referral.reference}?done=referred")
    except (FormErrors, DomainError) as failed:
        errors = renamed(await refused(db_session, form, failed, messages), names)
        db_session.expunge_all()
        start = await _start(db_session, request, source)
        return await _refer_page(request, db_session, start, values=form.values, errors=errors)
    await db_session.rollback()
    return await _refer_page(request, db_session, start, values=form.values, preview=preview)


# --- a referral ---------------------------------------------------------------------------


async def _referral(db: Session, request: Request, gate: Gate, reference: str) -> Any:
    return await service.referral_by_reference(db, request.user, reference, gate)


def _timeline(view: Any) -> list[dict[str, Any]]:
    """What has happened, newest first, from the referral's own dates."""
    events = [
        (view.referred_at, _("Referred")),
        (view.screened_at, _("Returned to the referrer") if view.status == "returned"
         else _("Screened and accepted")),
        (view.listed_for, _("Listed for the meeting")),
        (view.heard_on, _("Heard at the meeting")),
        (view.actions_opened_at, _("Actions opened")),
        (view.closed_at, _("Closed")),
    ]  # fmt: skip
    return [{"at": at, "title": title} for at, title in events if at is not None][::-1]


@get("/marac-referrals/{reference:str}", opt=READ, include_in_schema=False)
async def read_referral(
    request: Request,
    db_session: Session,
    gate: Gate,
    reference: Reference,
    done: Annotated[str | None, QueryParameter(required=False, max_length=20)] = None,
) -> Template:
    referral = await _referral(db_session, request, gate, reference)
    view = await service.view_of(db_session, request.user, referral, gate)
    names = dict(
        (
            await db_session.execute(
                select(Agency.id, Agency.name).where(
                    Agency.id.in_({view.referring_agency_id, view.idva_agency_id} - {None})
                )
            )
        ).all()
    )
    previous = (
        await db_session.scalar(
            select(MaracReferral.reference).where(MaracReferral.id == view.previous_referral_id)
        )
        if view.previous_referral_id
        else None
    )
    checklist = checklists().get(view.checklist_version)
    coordinator = service.coordinates(request.user, view.area)
    steps = [
        (STEP_PATHS[s], _(FORMS[STEP_PATHS[s]].title))
        for s in view.next_steps
        if service.STEPS[s].by_coordinator == coordinator
        or (
            not service.STEPS[s].by_coordinator
            and request.user.agency_id == view.referring_agency_id
        )
    ]
    return await render(
        request,
        db_session,
        "marac/referral.html",
        title=view.reference,
        marking=True,
        referral=view,
        agencies=names,
        previous=previous,
        checklist=checklist,
        groups=checklist.grouped() if checklist else [],
        timeline=_timeline(view),
        steps=steps,
        notice=_(NOTICES[done]) if done in NOTICES else None,
        back={"href": "/marac-referrals", "text": _("MARAC referrals")},
    )


# --- the steps: one table, one template ------------------------------------------------------


@dataclass(frozen=True)
class StepForm:
    title: str
    step: str
    struct: type | None
    # (name, kind, label, hint, choices)
    fields: tuple[tuple[str, str, str, str | None, tuple[tuple[str, str], ...]], ...]


FORMS: dict[str, StepForm] = {
    "screening": StepForm(
        N_("Screen the referral"), "screen", Screening,
        (("outcome", "radios", N_("Does it meet the criteria for this MARAC?"), None,
          (("accepted", N_("Yes: accept it")), ("returned", N_("No: return it to the referrer")))),
         ("reason", "textarea", N_("If you return it, what must the referrer add or correct?"),
          None, ())),
    ),
    "resubmission": StepForm(
        N_("Resubmit the referral"), "resubmit", Resubmission,
        (("note", "textarea", N_("What have you added or corrected?"), None, ()),),
    ),
    "listing": StepForm(
        N_("List for a meeting"), "list", Listing,
        (("meeting_on", "date", N_("Which meeting?"), N_("The date it meets"), ()),),
    ),
    "hearing": StepForm(
        N_("Record that the meeting heard the case"), "hear", Hearing,
        (("heard_on", "date", N_("When was it heard?"), None, ()),),
    ),
    "actions": StepForm(N_("Open the actions agreed"), "open_actions", None, ()),
    "closure": StepForm(
        N_("Close the referral"), "close", Closure,
        (("reason", "radios", N_("Why is it closing?"), None,
          (("actions_complete", N_("The actions agreed are complete")),
           ("no_actions_agreed", N_("The meeting agreed no actions")),
           ("transferred_to_another_area", N_("Transferred to another area's MARAC")))),),
    ),
}  # fmt: skip
STEP_PATHS = {form.step: path for path, form in FORMS.items()}
_ACTION = {True: "marac-referral:coordinate", False: "marac-referral:update"}


def _step_payload(spec: StepForm, form: Form) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    for name, kind, *_rest in spec.fields:
        payload[name] = form.date(name) if kind == "date" else form.text(name)
    return payload


async def _step_page(
    request: Request,
    db: Session,
    gate: Gate,
    referral: Any,
    path: str,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
) -> Template:
    spec = FORMS[path]
    return await render(
        request,
        db,
        "marac/step.html",
        title=_(spec.title),
        marking=True,
        referral=referral,
        fields=[
            {
                "name": n,
                "kind": k,
                "label": _(label),
                "hint": _(hint) if hint else None,
                "items": [(v, _(w)) for v, w in choices],
            }
            for n, k, label, hint, choices in spec.fields
        ],
        values=values or {},
        errors=errors,
        status_code=400 if errors else 200,
        back={"href": f"/marac-referrals/{referral.reference}", "text": _("Back to the referral")},
    )


StepPath = Annotated[str, PathParameter(max_length=20)]


@get("/marac-referrals/{reference:str}/{step:str}", opt=READ, include_in_schema=False)
async def step_form(
    request: Request, db_session: Session, gate: Gate, reference: Reference, step: StepPath
) -> Template:
    path = step
    if path not in FORMS:
        raise NotFound("page")
    referral = await _referral(db_session, request, gate, reference)
    return await _step_page(request, db_session, gate, referral, path)


@post("/marac-referrals/{reference:str}/{step:str}", opt=READ, include_in_schema=False)
async def step_submit(
    request: Request, db_session: Session, gate: Gate, reference: Reference, step: StepPath
) -> Template | Redirect:
    path = step
    if path not in FORMS:
        raise NotFound("page")
    spec = FORMS[path]
    referral = await _referral(db_session, request, gate, reference)
    # The same permission the API asks for the step (the service checks who, too).
    if not may(request, _ACTION[service.STEPS[spec.step].by_coordinator]):
        raise Forbidden("this step is not yours to take")
    form = await Form.read(request)
    messages = _messages()
    try:
        data = (
            form.convert(spec.struct, _step_payload(spec, form), messages) if spec.struct else None
        )
        await service.take_step(
            db_session, request.user, referral, form.version(), spec.step, data, gate
        )
    except (FormErrors, DomainError) as failed:
        errors = await refused(db_session, form, failed, messages)
        db_session.expunge_all()
        referral = await _referral(db_session, request, gate, reference)
        return await _step_page(
            request, db_session, gate, referral, path, values=form.values, errors=errors
        )
    return see_other(f"/marac-referrals/{referral.reference}?done={spec.step}")


ROUTES = [list_referrals, refer_form, refer, read_referral, step_form, step_submit]
