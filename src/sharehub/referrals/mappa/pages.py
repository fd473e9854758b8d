"""Pages for MAPPA referrals, thin over service.py: the referrer's MAPPA A as a
form (the offender and the people at risk linked by their person references,
category and proposed level with reasons, the restricted references), checked
before sending; the coordinator's screening queue and level reviews due; a
referral's page with its people and restricted references exactly as the gate
shows them to the reader; and one form per step. Every address uses the
referral's reference ("MAPPA-2026-0003").
"""

from __future__ import annotations

import typing
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.params import PathParameter, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy import select

from sharehub.agencies.models import Agency
from sharehub.audit.events import AuditEvent
from sharehub.errors import DomainError, Forbidden, NotFound
from sharehub.privacy.models import Subject
from sharehub.privacy.subjects import subject_by_reference
from sharehub.referrals.mappa import service
from sharehub.referrals.mappa.arrangements import default_arrangements
from sharehub.referrals.mappa.references import REFERENCES
from sharehub.referrals.mappa.schemas import (
    AtRiskRole,
    CloseReason,
    Closure,
    Invitation,
    LevelDecisionIn,
    LevelReviewIn,
    ReferralCreate,
    Resubmission,
    Return,
    Status,
)
from sharehub.web.forms import Form, FormErrors, refused, renamed
from sharehub.web.labels import LABELS, N_, label, sentence
from sharehub.web.pages import may, page_opt, render, see_other
from sharehub.web.params import Gate, Session
from sharehub.web.templating import _

READ = page_opt("mappa-referral:read")
CREATE = page_opt("mappa-referral:create")
DECIDE = "mappa-referral:decide"
Reference = Annotated[str, PathParameter(max_length=20, description="e.g. MAPPA-2026-0003")]
AT_RISK_ROWS = 4
# The coordinator's list of level reviews: those overdue and those due this soon.
REVIEWS_WITHIN_DAYS = 28
STATUSES = typing.get_args(Status)
AT_RISK_ROLES = typing.get_args(AtRiskRole)

MESSAGES = {
    "area": N_("Choose the MAPPA area"),
    "offender": N_("Enter the offender's person reference, like PER-2026-0042"),
    "category": N_("Choose the category the offender is referred in"),
    "proposed_level": N_("Choose the level of management you propose"),
    "proposed_level_reason": N_(
        "Say in 10 to 4,000 characters why you propose this level of management"
    ),
    "summary": N_("Give the risk summary, in 20,000 characters or fewer"),
    "reason": N_("Give the reasons in 10 to 4,000 characters"),
    "level": N_("Choose the level of management"),
    "agency_ids": N_("Choose at least one agency to invite"),
    "note": N_("Say in 4,000 characters or fewer what to add, or leave it empty"),
}
CLOSE_REASON = N_("Choose why the case is closing")
NOTICES = {
    "referred": N_("Referral sent to the MAPPA coordinator"),
    "accept": N_("Referral accepted"),
    "return": N_("Referral returned to the referrer"),
    "resubmit": N_("Referral resubmitted"),
    "agree_level": N_("Level of management agreed"),
    "review": N_("Level review recorded"),
    "invite": N_("Agencies invited"),
    "close": N_("Case closed"),
}
# Which list: the coordinator's screening queue and level reviews, the
# agency's own referrals, the cases it is invited to, or everything it may see.
VIEWS = {
    "screening": N_("Waiting for screening"),
    "reviews": N_("Level reviews due"),
    "ours": N_("Referred by your agency"),
    "invited": N_("Cases your agency is invited to"),
    "all": N_("All you can see"),
}
COORDINATORS_VIEWS = ("screening", "reviews")


def _messages() -> dict[str, str]:
    return {k: _(v) for k, v in MESSAGES.items()}


def _context(gate: Gate) -> service.Context:
    return service.Context(gate=gate, arrangements=default_arrangements())


async def _agency_names(db: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await db.execute(select(Agency.id, Agency.name).where(Agency.id.in_(ids)))
    return dict(rows.all())


def _level_names() -> dict[int, str]:
    return {level.number: level.name for level in default_arrangements().levels}


# --- the list -----------------------------------------------------------------------


@get("/mappa-referrals", opt=READ, include_in_schema=False)
async def list_referrals(
    request: Request,
    db_session: Session,
    gate: Gate,
    view: Annotated[str | None, QueryParameter(required=False, max_length=20)] = None,
    status: Annotated[str | None, QueryParameter(required=False, max_length=20)] = None,
) -> Template:
    ctx = _context(gate)
    deciding = may(request, DECIDE)
    views = [code for code in VIEWS if deciding or code not in COORDINATORS_VIEWS]
    chosen = view if view in views else ("screening" if deciding else "ours")
    status = status if status in STATUSES else None
    user = request.user
    due_by = None
    if chosen == "reviews":
        due = await service.reviews_due(
            db_session, user, due_by=ctx.today + timedelta(days=REVIEWS_WITHIN_DAYS), ctx=ctx
        )
        items, due_by = due.items, due.due_by
    else:
        items, _total = await service.list_referrals(
            db_session,
            user,
            status="submitted" if chosen == "screening" else status,
            ctx=ctx,
            limit=100,
            offset=0,
            referred_by=user.agency_id if chosen == "ours" else None,
            invited=user.agency_id if chosen == "invited" else None,
        )
    return await render(
        request,
        db_session,
        "mappa/list.html",
        title=_("MAPPA referrals"),
        marking=True,
        referrals=items,
        agencies=await _agency_names(db_session, {r.agency_id for r in items}),
        views=[(code, _(VIEWS[code])) for code in views],
        chosen=chosen,
        status=status,
        statuses=STATUSES,
        filtered=chosen not in COORDINATORS_VIEWS,
        due_by=due_by,
        may_refer=may(request, "mappa-referral:create")
        and await service.may_refer(db_session, user, ctx),
    )


# --- the MAPPA A form: referring, and resubmitting ------------------------------------------


def _radio_items(choices: list[dict[str, Any]], chosen: str | None) -> list[dict[str, Any]]:
    return [dict(c, checked=c["value"] == chosen) for c in choices]


def _categories() -> list[dict[str, Any]]:
    return [
        {
            "value": str(c.number),
            "text": f"{label('mappa_category', c.number)}: {c.name}",
            "hint": {"text": c.citation},
        }
        for c in default_arrangements().categories
        if c.enabled
    ]


def _levels() -> list[dict[str, Any]]:
    out = []
    for level in default_arrangements().levels:
        review = level.review_citation or _("No MAPP meeting review at this level")
        out.append(
            {
                "value": str(level.number),
                "text": f"{label('mappa_level', level.number)}: {level.name}",
                "hint": {"text": review},
            }
        )
    return out


def _mappa_a(values: dict[str, list[str]]) -> dict[str, Any]:
    """What the MAPPA A part of a form needs (``mappa/_mappa_a.html``)."""
    first = {k: (v[0] if v else None) for k, v in values.items()}
    return {
        "categories": _radio_items(_categories(), first.get("category")),
        "levels": _radio_items(_levels(), first.get("proposed_level")),
        "at_risk_rows": list(range(AT_RISK_ROWS)),
        "at_risk_roles": [(code, label("mappa_at_risk_role", code)) for code in AT_RISK_ROLES],
        "identifiers": [(kind, label("mappa_identifier", kind)) for kind in REFERENCES],
    }


async def _areas(db: Session, agency_id: uuid.UUID) -> list[tuple[str, str]]:
    agency = await db.get(Agency, agency_id)
    return [(a, a) for a in sorted(agency.area_names)] if agency else []


async def _refer_page(
    request: Request,
    db: Session,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
    preview: service.Checked | None = None,
    people: int = 0,
    refused_here: bool = False,
) -> Template:
    values = values or {}
    return await render(
        request,
        db,
        "mappa/refer.html",
        title=_("Refer to MAPPA"),
        marking=True,
        areas=await _areas(db, request.user.agency_id),
        values=values,
        errors=errors,
        preview=preview,
        people=people,
        refused_here=refused_here,
        status_code=403 if refused_here else 400 if errors else 200,
        back={"href": "/mappa-referrals", "text": _("MAPPA referrals")},
        **_mappa_a(values),
    )


@get("/mappa-referrals/new", opt=CREATE, include_in_schema=False)
async def refer_form(
    request: Request,
    db_session: Session,
    gate: Gate,
    offender: Annotated[str | None, QueryParameter(required=False, max_length=20)] = None,
) -> Template:
    if not await service.may_refer(db_session, request.user, _context(gate)):
        return await _refer_page(request, db_session, refused_here=True)
    values: dict[str, list[str]] = {}
    if offender:
        values["offender"] = [offender.strip().upper()]
    areas = await _areas(db_session, request.user.agency_id)
    if len(areas) == 1:
        values["area"] = [areas[0][0]]
    return await _refer_page(request, db_session, values=values)


async def _subject_id(
    db: Session, request: Request, form: Form, name: str, *, required: bool
) -> str | None:
    text = form.text(name)
    if not text:
        if required:
            form.errors.add(name, _(MESSAGES[name]))
        return None
    try:
        return str((await subject_by_reference(db, request.user, text)).id)
    except NotFound:
        form.errors.add(name, _("No one your agency holds has that reference"))
        return None


def _number(text: str | None) -> int | str | None:
    return int(text) if text and text.isdigit() else text


@dataclass
class Read:
    """A MAPPA A read from a form: the payload for the API's struct, and the
    names the service's errors use mapped to the form's fields."""

    payload: dict[str, Any]
    names: dict[str, str]


async def _read_mappa_a(db: Session, request: Request, form: Form) -> Read:
    people, names = [], {}
    for row in range(AT_RISK_ROWS):
        name = f"people_at_risk.{row}.reference"
        subject_id = await _subject_id(db, request, form, name, required=False)
        if subject_id:
            names[f"people_at_risk.{len(people)}.subject_id"] = name
            names[f"people_at_risk.{len(people)}.role"] = f"people_at_risk.{row}.role"
            role = form.text(f"people_at_risk.{row}.role") or "victim"
            people.append({"subject_id": subject_id, "role": role})
    payload = {
        "category": _number(form.text("category")),
        "proposed_level": _number(form.text("proposed_level")),
        "proposed_level_reason": form.text("proposed_level_reason"),
        "summary": form.text("summary"),
        "people_at_risk": people,
    } | {kind: form.text(kind) for kind in REFERENCES}
    return Read(payload, names)


# The order the MAPPA A form asks its questions in, for the error summary.
FIELD_ORDER = ("area", "offender", "category", "proposed_level", "proposed_level_reason",
               "people_at_risk", "visor_ref", "pnc_id", "crn", "summary")  # fmt: skip


async def _refusal(
    db: Session,
    form: Form,
    failed: Exception,
    names: dict[str, str],
    messages: dict[str, str] | None = None,
) -> FormErrors:
    """What the struct or the service refused, on the form's fields; nothing
    written. A step out of order says what must come first."""
    if isinstance(failed, service.StepNotOpen):
        await db.rollback()
        form.errors.add("form", sentence(_(failed.first)))
        return form.errors
    return renamed(await refused(db, form, failed, messages or _messages()), names, FIELD_ORDER)


async def _not_a_responsible_authority(request: Request, db: Session, gate: Gate) -> None:
    """Recorded like the API's refusal, in a transaction of its own."""
    await db.rollback()
    await gate.audit.record(
        AuditEvent(
            kind="access_denied",
            at=gate.now,
            user_id=request.user.id,
            agency_id=request.user.agency_id,
            reason="mappa-referral:create by an agency that is not a responsible authority",
        )
    )


@post("/mappa-referrals/new", opt=CREATE, include_in_schema=False)
async def refer(request: Request, db_session: Session, gate: Gate) -> Template | Redirect:
    ctx = _context(gate)
    if not await service.may_refer(db_session, request.user, ctx):
        # Refused before the form is read: who asks is wrong, not what it says.
        await _not_a_responsible_authority(request, db_session, gate)
        raise service.NotAResponsibleAuthority()
    form = await Form.read(request)
    checking = form.text("action") == "check"
    names = {"offender_subject_id": "offender"}
    try:
        read = await _read_mappa_a(db_session, request, form)
        names |= read.names
        payload = read.payload | {
            "area": form.text("area"),
            "offender_subject_id": await _subject_id(
                db_session, request, form, "offender", required=True
            ),
        }
        data = form.convert(ReferralCreate, payload, _messages())
        if checking:
            preview = await service.check_referral(db_session, request.user, data, ctx)
        else:
            referral = await service.refer(db_session, request.user, data, ctx)
            return see_other(f"/mappa-referrals/{referral.reference}?done=referred")
    except service.NotAResponsibleAuthority:
        await _not_a_responsible_authority(request, db_session, gate)
        raise
    except (FormErrors, DomainError) as failed:
        errors = await _refusal(db_session, form, failed, names)
        db_session.expunge_all()
        return await _refer_page(request, db_session, values=form.values, errors=errors)
    await db_session.rollback()
    return await _refer_page(
        request,
        db_session,
        values=form.values,
        preview=preview,
        people=len(data.people_at_risk),
    )


# --- a referral ---------------------------------------------------------------------------


async def _referral(db: Session, request: Request, ctx: service.Context, reference: str) -> Any:
    return await service.referral_by_reference(db, request.user, reference, ctx)


def _timeline(view: Any) -> list[dict[str, Any]]:
    """What has happened, newest first, from the referral's own dates."""
    events: list[tuple[Any, str]] = [
        (view.submitted_at, _("Resubmitted") if view.resubmitted else _("Referred")),
        (view.screened_at, _("Returned to the referrer") if view.status == "returned"
         else _("Accepted")),
    ]  # fmt: skip
    for d in view.level_history:
        words = label("mappa_level_outcome", d.outcome)
        events.append((d.decided_on, f"{words}: {label('mappa_level', d.level)}"))
    events.append((view.closed_at, _("Closed")))
    return [{"at": at, "title": title} for at, title in events if at is not None][::-1]


def _steps(request: Request, view: Any) -> list[tuple[str, str]]:
    """The next steps this reader may take: the coordinator's for their area,
    the referrer's for their agency."""
    coordinator = service.coordinates(request.user, view.area) and may(request, DECIDE)
    referrer = request.user.agency_id == view.agency_id and may(request, _ACTION[False])
    return [
        (STEP_PATHS[s], _(FORMS[STEP_PATHS[s]].title))
        for s in view.next_steps
        if (coordinator if service.STEPS[s].by_coordinator else referrer)
    ]


@get("/mappa-referrals/{reference:str}", opt=READ, include_in_schema=False)
async def read_referral(
    request: Request,
    db_session: Session,
    gate: Gate,
    reference: Reference,
    done: Annotated[str | None, QueryParameter(required=False, max_length=20)] = None,
) -> Template:
    ctx = _context(gate)
    referral = await _referral(db_session, request, ctx, reference)
    view = await service.view_of(db_session, request.user, referral, ctx)
    shown = [(kind, value) for kind in REFERENCES if (value := getattr(view, kind)) is not None]
    return await render(
        request,
        db_session,
        "mappa/referral.html",
        title=view.reference,
        marking=True,
        referral=view,
        agencies=await _agency_names(db_session, {view.agency_id, *view.invited_agency_ids}),
        level_names=_level_names(),
        identifiers=shown,
        withheld=[label("mappa_identifier", kind) for kind in view.identifiers_withheld],
        timeline=_timeline(view),
        steps=_steps(request, view),
        notice=_(NOTICES[done]) if done in NOTICES else None,
        back={"href": "/mappa-referrals", "text": _("MAPPA referrals")},
    )


# --- the steps: one table, one template ------------------------------------------------------


@dataclass(frozen=True)
class StepForm:
    title: str
    step: str
    struct: type | None
    # (name, kind, label, hint, choices); kinds: textarea, radios, date, levels
    # (the arrangements' levels), agencies (those the case may invite) and
    # mappa_a (the MAPPA A form again, for a resubmission).
    fields: tuple[tuple[str, str, str, str | None, tuple[tuple[str, str], ...]], ...]


_CLOSE_REASONS = tuple(
    (code, LABELS["mappa_close_reason"][code]) for code in typing.get_args(CloseReason)
)
_TODAY_HINT = N_("Leave it empty for today. For example, 27 3 2026")

FORMS: dict[str, StepForm] = {
    "acceptance": StepForm(N_("Accept the referral"), "accept", None, ()),
    "return": StepForm(
        N_("Return the referral"), "return", Return,
        (("reason", "textarea", N_("What must the referrer add or correct?"), None, ()),),
    ),
    "resubmission": StepForm(
        N_("Resubmit the referral"), "resubmit", Resubmission,
        (("mappa_a", "mappa_a", "", None, ()),),
    ),
    "level-decision": StepForm(
        N_("Agree the level of management"), "agree_level", LevelDecisionIn,
        (("level", "levels", N_("Which level of management?"), None, ()),
         ("reason", "textarea", N_("Why this level?"),
          N_("The reasons are kept with the decision, for the agencies working the case."), ()),
         ("decided_on", "date", N_("When was it agreed?"), _TODAY_HINT, ())),
    ),
    "level-review": StepForm(
        N_("Review the level of management"), "review", LevelReviewIn,
        (("level", "levels", N_("What level is the case managed at from now?"),
          N_("Choose the same level to confirm it."), ()),
         ("reason", "textarea", N_("Why?"), None, ()),
         ("reviewed_on", "date", N_("When was it reviewed?"), _TODAY_HINT, ())),
    ),
    "invitations": StepForm(
        N_("Invite agencies to the case"), "invite", Invitation,
        (("agency_ids", "agencies", N_("Which agencies should work the case?"),
          N_("Agencies with the duty to co-operate, and the other responsible authorities. "
             "Their staff see the case as the hub shows it to their agency."), ()),),
    ),
    "closure": StepForm(
        N_("Close the case"), "close", Closure,
        (("reason", "radios", N_("Why is it closing?"), None, _CLOSE_REASONS),
         ("note", "textarea", N_("Anything to add (optional)"), None, ())),
    ),
}  # fmt: skip
STEP_PATHS = {form.step: path for path, form in FORMS.items()}
# The same permission the API asks for each step: the coordinator's, or the referrer's.
_ACTION = {True: DECIDE, False: "mappa-referral:update"}


async def _prefill(db: Session, request: Request, view: Any, path: str) -> dict[str, list[str]]:
    """A step's form as the referral stands: the referring agency's MAPPA A
    to change, the level in force to review."""
    if path == "level-review" and view.level:
        return {"level": [str(view.level)]}
    if path != "resubmission" or view.agency_id != request.user.agency_id:
        return {}
    values = {
        "category": [str(view.category)],
        "proposed_level": [str(view.proposed_level)],
        "proposed_level_reason": [view.proposed_level_reason or ""],
        "summary": [view.summary or ""],
    } | {kind: [getattr(view, kind) or ""] for kind in REFERENCES}
    # The people at risk by the references the agency knows them by (its own subjects).
    ids = [p.subject_id for p in view.people_at_risk]
    references = dict(
        (
            await db.execute(
                select(Subject.id, Subject.reference).where(
                    Subject.id.in_(ids), Subject.holding_agency_id == request.user.agency_id
                )
            )
        ).all()
    )
    for row, person in enumerate(view.people_at_risk[:AT_RISK_ROWS]):
        values[f"people_at_risk.{row}.reference"] = [references.get(person.subject_id, "")]
        values[f"people_at_risk.{row}.role"] = [str(person.role.value)]
    return values


async def _step_page(
    request: Request,
    db: Session,
    ctx: service.Context,
    referral: Any,
    path: str,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
) -> Template:
    spec = FORMS[path]
    view = await service.view_of(db, request.user, referral, ctx)
    if values is None:
        values = await _prefill(db, request, view, path)
    first = {k: (v[0] if v else None) for k, v in values.items()}
    fields = []
    for name, kind, words, hint, choices in spec.fields:
        items: list[dict[str, Any]] = []
        if kind == "levels":
            items = _radio_items(_levels(), first.get(name))
        elif kind == "radios":
            items = [
                {"value": v, "text": _(w), "checked": v == first.get(name)} for v, w in choices
            ]
        elif kind == "agencies":
            chosen = set(values.get(name, []))
            items = [
                {"value": str(a.id), "text": a.name, "checked": str(a.id) in chosen}
                for a in await service.invitable(db, referral, ctx)
            ]
        fields.append(
            {
                "name": name,
                "kind": kind,
                "label": _(words) if words else "",
                "hint": _(hint) if hint else None,
                "items": items,
            }
        )
    return await render(
        request,
        db,
        "mappa/step.html",
        title=_(spec.title),
        marking=True,
        referral=view,
        fields=fields,
        values=values,
        errors=errors,
        status_code=400 if errors else 200,
        back={"href": f"/mappa-referrals/{view.reference}", "text": _("Back to the referral")},
        **_mappa_a(values),
    )


StepPath = Annotated[str, PathParameter(max_length=20)]


@get("/mappa-referrals/{reference:str}/{step:str}", opt=READ, include_in_schema=False)
async def step_form(
    request: Request, db_session: Session, gate: Gate, reference: Reference, step: StepPath
) -> Template:
    if step not in FORMS:
        raise NotFound("page")
    ctx = _context(gate)
    referral = await _referral(db_session, request, ctx, reference)
    return await _step_page(request, db_session, ctx, referral, step)


async def _step_payload(
    db: Session, request: Request, spec: StepForm, form: Form
) -> tuple[dict[str, Any], dict[str, str]]:
    payload: dict[str, Any] = {}
    names: dict[str, str] = {}
    for name, kind, *_rest in spec.fields:
        if kind == "mappa_a":
            read = await _read_mappa_a(db, request, form)
            payload |= read.payload
            names |= read.names
        elif kind == "date":
            payload[name] = form.date(name, required=False)
        elif kind == "agencies":
            payload[name] = form.many(name)
            names |= {f"{name}.{i}": name for i in range(len(payload[name]))}
        elif kind == "levels":
            payload[name] = _number(form.text(name))
        else:
            payload[name] = form.text(name)
    return payload, names


async def _take(
    db: Session, request: Request, referral: Any, version: int, spec: StepForm, data: Any, ctx: Any
) -> None:
    """The service's call for the step, as the API's routes make it."""
    actor, referral_id = request.user, referral.id
    match spec.step:
        case "accept":
            await service.accept(db, actor, referral_id, version, ctx)
        case "return":
            await service.return_referral(db, actor, referral_id, version, data, ctx)
        case "resubmit":
            await service.resubmit(db, actor, referral_id, version, data, ctx)
        case "agree_level":
            await service.agree_level(db, actor, referral_id, version, data, ctx)
        case "review":
            await service.review_level(db, actor, referral_id, version, data, ctx)
        case "invite":
            await service.invite(db, actor, referral_id, version, data, ctx)
        case "close":
            await service.close(db, actor, referral_id, version, data, ctx)


@post("/mappa-referrals/{reference:str}/{step:str}", opt=READ, include_in_schema=False)
async def step_submit(
    request: Request, db_session: Session, gate: Gate, reference: Reference, step: StepPath
) -> Template | Redirect:
    if step not in FORMS:
        raise NotFound("page")
    spec = FORMS[step]
    ctx = _context(gate)
    referral = await _referral(db_session, request, ctx, reference)
    # The same permission the API asks for the step (the service checks who, too).
    if not may(request, _ACTION[service.STEPS[spec.step].by_coordinator]):
        raise Forbidden("this step is not yours to take")
    form = await Form.read(request)
    messages = _messages() | ({"reason": _(CLOSE_REASON)} if spec.step == "close" else {})
    names: dict[str, str] = {}
    try:
        payload, names = await _step_payload(db_session, request, spec, form)
        data = form.convert(spec.struct, payload, messages) if spec.struct else None
        await _take(db_session, request, referral, form.version(), spec, data, ctx)
    except (Forbidden, NotFound):
        raise  # not this reader's step, or gone: the page for it, not a form error
    except (FormErrors, DomainError) as failed:
        errors = await _refusal(db_session, form, failed, names, messages)
        db_session.expunge_all()
        referral = await _referral(db_session, request, ctx, reference)
        return await _step_page(
            request, db_session, ctx, referral, step, values=form.values, errors=errors
        )
    return see_other(f"/mappa-referrals/{referral.reference}?done={spec.step}")


ROUTES = [list_referrals, refer_form, refer, read_referral, step_form, step_submit]
