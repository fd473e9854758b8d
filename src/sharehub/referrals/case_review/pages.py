"""Pages for ASB case reviews, thin over service.py and bodies.py: the
coordinator's queue and the clocks missed; an application recorded by staff
(the victim and any representative by their person references, each complaint
from an ASB report or by its dates); a case review's page with its clocks, the
qualifying complaints and their dates, the decision, the bodies' answers and
the recommendations, exactly as the gate shows them to the reader; one form
per coordinator's step; and the bodies' own pages to answer a request and to
respond to a recommendation. Every address uses the review's reference
("ACR-2026-0003"); a step out of order says what must come first.
"""

from __future__ import annotations

import typing
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.params import PathParameter, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy import select

from sharehub.agencies.models import Agency
from sharehub.errors import DomainError, Forbidden, NotFound
from sharehub.privacy.subjects import subject_by_reference
from sharehub.referrals.asb.models import AsbReport
from sharehub.referrals.asb.service import report_by_reference
from sharehub.referrals.case_review import bodies, procedures, service, views
from sharehub.referrals.case_review.letters import not_qualifying_words
from sharehub.referrals.case_review.models import CaseReview
from sharehub.referrals.case_review.rules import FACTORS
from sharehub.referrals.case_review.schemas import (
    Acknowledgement,
    ApplicantTold,
    ApplicationIn,
    ClosureIn,
    DiscretionaryDecision,
    EscalationIn,
    InformationRequestIn,
    InformationResponseIn,
    OutcomeIn,
    RecommendationResponseIn,
    ReviewMeeting,
    Status,
)
from sharehub.web.forms import Form, FormErrors, refused, renamed
from sharehub.web.labels import N_, label, sentence
from sharehub.web.pages import may, page_opt, render, see_other
from sharehub.web.params import Gate, Session
from sharehub.web.templating import _

READ = page_opt("case-review:read")
CREATE = page_opt("case-review:create")
MANAGE = "case-review:manage"
RESPOND = "case-review:respond"
Reference = Annotated[str, PathParameter(max_length=20, description="e.g. ACR-2026-0003")]
Number = Annotated[int, PathParameter(ge=1, le=100)]
STATUSES = typing.get_args(Status)
COMPLAINT_ROWS = 5
# The choice for a complaint whose body the applicant does not know.
NOT_KNOWN = "not-known"
RECOMMENDATION_ROWS = 4
PEOPLE_ROWS = 3
# The roles a body may give the people it links to its answer.
ANSWER_ROLES = ("victim", "perpetrator", "witness", "household_member", "other")

VIEWS = {
    "open": N_("Open case reviews"),
    "overdue": N_("Clocks missed"),
    "awaiting": N_("Waiting for your agency"),
    "ours": N_("Received by your agency"),
    "all": N_("All you can see"),
}
COORDINATORS_VIEWS = ("open", "overdue")

MESSAGES = {
    "area": N_("Choose the area the behaviour happened in"),
    "received_on": N_("Enter the date the application was received"),
    "applicant_type": N_("Say who applied"),
    "victim_type": N_("Say whether the victim is a person, a business or a group"),
    "victim": N_("Enter the victim's person reference, like PER-2026-0042"),
    "victim_name": N_("Name the business or group, in 200 characters or fewer"),
    "representative.name": N_("Give the name of the person who applied for the victim"),
    "representative.relationship": N_(
        "Say how they know the victim, like daughter or ward councillor"
    ),
    "narrative": N_("Describe the behaviour and why a review is asked for"),
    "complaints": N_("Give at least one complaint: an ASB report, or its dates and who it went to"),
    "reasons": N_("Give the reasons in 10 to 8,000 characters"),
    "reason": N_("Say in 10 to 8,000 characters what the applicant is dissatisfied with"),
    "decision": N_("Choose whether a review is held"),
    "factors": N_("Say how at least one matter weighed"),
    "agencies": N_("Choose at least one body to ask"),
    "summary": N_("Say what the review found, in 20,000 characters or fewer"),
    "response": N_("Give your agency's answer, in 20,000 characters or fewer"),
}
RESPONSE = N_("Say in 3 to 8,000 characters how your agency responds")
NOTICES = {
    "applied": N_("Application recorded"),
    "acknowledge": N_("Acknowledgement recorded"),
    "accept": N_("Decided: a review will be held"),
    "decline": N_("Decided: no review will be held"),
    "tell_threshold_decision": N_("Recorded that the applicant was told the decision"),
    "request_information": N_("Bodies asked for information"),
    "hold_review": N_("Review meeting recorded"),
    "record_outcome": N_("Outcome recorded"),
    "tell_outcome": N_("Recorded that the applicant was told the outcome"),
    "escalate": N_("Recorded that the applicant is dissatisfied"),
    "close": N_("Case review closed"),
    "respond": N_("Your agency's answer is recorded"),
    "respond_to_recommendation": N_("Your agency's response is recorded"),
}


def _messages() -> dict[str, str]:
    return {k: _(v) for k, v in MESSAGES.items()}


async def _agency_names(db: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await db.execute(select(Agency.id, Agency.name).where(Agency.id.in_(ids)))
    return dict(rows.all())


async def _agencies(db: Session) -> list[Agency]:
    """The active agencies of the hub, by name: complaints may have gone to any
    of them, and any may be asked (the hub does not know which county holds
    which district)."""
    rows = await db.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.name))
    return list(rows)


async def _areas(db: Session, request: Request) -> list[str]:
    """The areas the reader's agency serves."""
    agency = await db.get(Agency, request.user.agency_id)
    return sorted(agency.area_names) if agency else []


def _first(values: dict[str, list[str]]) -> dict[str, str | None]:
    return {k: (v[0] if v else None) for k, v in values.items()}


# --- the list -----------------------------------------------------------------------


@get("/case-reviews", opt=READ, include_in_schema=False)
async def list_reviews(
    request: Request,
    db_session: Session,
    gate: Gate,
    view: Annotated[str | None, QueryParameter(required=False, max_length=20)] = None,
    status: Annotated[str | None, QueryParameter(required=False, max_length=30)] = None,
    area: Annotated[str | None, QueryParameter(required=False, max_length=100)] = None,
) -> Template:
    coordinating = may(request, MANAGE)
    views_here = [code for code in VIEWS if coordinating or code not in COORDINATORS_VIEWS]
    chosen = view if view in views_here else ("open" if coordinating else "awaiting")
    status = status if status in STATUSES else None
    areas = await _areas(db_session, request)
    area = area if area and area.casefold() in {a.casefold() for a in areas} else None
    user = request.user
    items, total = await service.list_reviews(
        db_session,
        user,
        status=status,
        area=area,
        breached_only=chosen == "overdue",
        gate=gate,
        limit=100,
        offset=0,
        open_only=chosen in ("open", "overdue") and status is None,
        received_by=user.agency_id if chosen == "ours" else None,
        awaiting=user.agency_id if chosen == "awaiting" else None,
    )
    return await render(
        request,
        db_session,
        "case_review/list.html",
        title=_("ASB case reviews"),
        marking=True,
        reviews=items,
        total=total,
        agencies=await _agency_names(db_session, {r.receiving_agency_id for r in items}),
        views=[(code, _(VIEWS[code])) for code in views_here],
        chosen=chosen,
        status=status,
        statuses=STATUSES,
        area=area,
        areas=areas,
        today=gate.today,
        may_record=may(request, "case-review:create"),
        may_see_figures=may(request, "case-review:figures"),
    )


# --- an application recorded by staff ------------------------------------------------------


async def _apply_page(
    request: Request,
    db: Session,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
) -> Template:
    values = values or {}
    areas = await _areas(db, request)
    agencies = await _agencies(db)
    return await render(
        request,
        db,
        "case_review/apply.html",
        title=_("Record an application for an ASB case review"),
        marking=True,
        areas=[(a, a) for a in areas],
        agencies=[(str(a.id), a.name) for a in agencies]
        + [(NOT_KNOWN, _("Not known: the applicant is not sure"))],
        rows=list(range(COMPLAINT_ROWS)),
        values=values,
        first=_first(values),
        errors=errors,
        status_code=400 if errors else 200,
        back={"href": "/case-reviews", "text": _("ASB case reviews")},
    )


@get("/case-reviews/new", opt=CREATE, include_in_schema=False)
async def apply_form(request: Request, db_session: Session, gate: Gate) -> Template:
    values: dict[str, list[str]] = {}
    today = gate.today
    values |= {
        "received_on-day": [str(today.day)],
        "received_on-month": [str(today.month)],
        "received_on-year": [str(today.year)],
    }
    areas = await _areas(db_session, request)
    if len(areas) == 1:
        values["area"] = [areas[0]]
    return await _apply_page(request, db_session, values=values)


async def _reference(
    db: Session, request: Request, form: Form, name: str, *, required: bool = False
) -> str | None:
    """A person reference typed in a form, as the subject's id (errors on the form)."""
    text = form.text(name)
    if not text:
        if required:
            form.errors.add(name, _(MESSAGES.get(name, "")) or _("Enter this"))
        return None
    try:
        return str((await subject_by_reference(db, request.user, text)).id)
    except NotFound:
        form.errors.add(name, _("No one your agency holds has that reference"))
        return None


@dataclass
class Read:
    """A form read into the API's payload, and the payload's names mapped to
    the form's fields (for the service's errors)."""

    payload: dict[str, Any]
    names: dict[str, str] = field(default_factory=dict)


async def _complaints(db: Session, request: Request, form: Form) -> Read:
    complaints: list[dict[str, Any]] = []
    names: dict[str, str] = {}
    for row in range(COMPLAINT_ROWS):
        prefix = f"complaints.{row}"
        report = form.text(f"{prefix}.report")
        dated = any(
            form.text(f"{prefix}.{d}-{p}")
            for d in ("behaviour_on", "complained_on")
            for p in ("day", "month", "year")
        )
        agency = form.text(f"{prefix}.agency_id")
        if not (report or dated or agency):
            continue
        at = f"complaints.{len(complaints)}"
        names |= {
            at: f"{prefix}.report",
            f"{at}.asb_report_id": f"{prefix}.report",
            f"{at}.behaviour_on": f"{prefix}.behaviour_on",
            f"{at}.complained_on": f"{prefix}.complained_on",
            f"{at}.agency_id": f"{prefix}.agency_id",
            f"{at}.hate_incident": f"{prefix}.hate_incident",
        }
        if report:
            try:
                found = await report_by_reference(db, request.user, report)
            except NotFound:
                form.errors.add(
                    f"{prefix}.report", _("Your agency has no ASB report with that reference")
                )
                continue
            complaints.append({"asb_report_id": str(found.id)})
            continue
        complaints.append(
            {
                "behaviour_on": form.date(
                    f"{prefix}.behaviour_on", label=_("the behaviour happened")
                ),
                "complained_on": form.date(f"{prefix}.complained_on", label=_("it was reported")),
                "agency_id": None if agency == NOT_KNOWN else agency,
                "agency_not_known": agency == NOT_KNOWN,
                "hate_incident": form.text(f"{prefix}.hate_incident") == "yes",
            }
        )
    if not complaints and not form.errors:
        form.errors.add("complaints.0.report", _(MESSAGES["complaints"]))
    return Read({"complaints": complaints}, names)


# The order the application form asks its questions in, for the error summary.
FIELD_ORDER = ("area", "received_on", "applicant_type", "representative", "victim_type",
               "victim", "victim_name", "complaints", "narrative")  # fmt: skip


@post("/case-reviews/new", opt=CREATE, include_in_schema=False)
async def apply(request: Request, db_session: Session, gate: Gate) -> Template | Redirect:
    form = await Form.read(request)
    names = {
        "victim_subject_id": "victim",
        "representative": "representative.name",
        "representative.subject_id": "representative.reference",
    }
    try:
        applicant = form.text("applicant_type")
        representative = None
        if applicant == "representative":
            representative = {
                "subject_id": await _reference(
                    db_session, request, form, "representative.reference"
                ),
                "name": form.text("representative.name"),
                "relationship": form.text("representative.relationship"),
            }
        read = await _complaints(db_session, request, form)
        names |= read.names
        payload = {
            "area": form.text("area"),
            "received_on": form.date("received_on", label=_("the application was received")),
            "applicant_type": applicant,
            "victim_type": form.text("victim_type"),
            "victim_subject_id": await _reference(db_session, request, form, "victim"),
            "victim_name": form.text("victim_name"),
            "representative": representative,
            "narrative": form.text("narrative"),
        } | read.payload
        data = form.convert(ApplicationIn, payload, _messages())
        review = await service.apply(db_session, request.user, data, gate)
    except (FormErrors, DomainError) as failed:
        errors = renamed(await refused(db_session, form, failed, _messages()), names, FIELD_ORDER)
        db_session.expunge_all()
        return await _apply_page(request, db_session, values=form.values, errors=errors)
    return see_other(f"/case-reviews/{review.reference}?done=applied")


# --- a case review ----------------------------------------------------------------------------


async def _review(db: Session, request: Request, gate: Gate, reference: str) -> CaseReview:
    return await service.review_by_reference(db, request.user, reference, gate)


def _timeline(view: Any, agencies: dict[uuid.UUID, str]) -> list[dict[str, Any]]:
    """What has happened, newest first, from the review's own dates."""
    decision = view.decision
    events: list[tuple[date | None, str]] = [
        (view.received_on, _("Application received")),
        (view.clocks[0].done_on, _("Application acknowledged")),
    ]
    if decision is not None:
        events.append((decision.decided_on, label("case_review_decision", decision.decision)))
    events.append((view.applicant_told_decision_on, _("Applicant told the decision")))
    for r in view.information_requests:
        name = agencies.get(r.agency_id, "")
        events.append((r.requested_on, _("{body} asked for information").format(body=name)))
        events.append((r.responded_on, _("{body} answered").format(body=name)))
    events += [
        (view.review_held_on, _("Review meeting held")),
        (view.outcome_recorded_on, _("Outcome recorded")),
        (view.applicant_told_outcome_on, _("Applicant told the outcome")),
    ]
    for r in view.recommendations:
        name = agencies.get(r.agency_id, "")
        events.append(
            (r.responded_on, _("{body} responded to its recommendation").format(body=name))
        )
    events += [
        (view.escalated_on, _("Applicant dissatisfied")),
        (view.closed_on, _("Closed")),
    ]
    dated = [(on, i, title) for i, (on, title) in enumerate(events) if on is not None]
    return [{"at": on, "title": title} for on, _i, title in sorted(dated, reverse=True)]


def _steps(request: Request, review: CaseReview, view: Any) -> list[tuple[str, str]]:
    """The coordinator's next steps, for a coordinator of the review's area."""
    if not (may(request, MANAGE) and procedures.coordinates(request.user, review.area)):
        return []
    out: list[tuple[str, str]] = []
    # Once some bodies are asked, asking more is no longer the next thing to do.
    later = {"request_information"} if view.information_requests else set()
    ordered = [s for s in view.next_steps if s not in later] + [
        s for s in view.next_steps if s in later
    ]
    for step in ordered:
        path = STEP_PATHS.get(step)
        if path and (path, _(FORMS[path].title)) not in out:
            out.append((path, _(FORMS[path].title)))
    return out


def _complaint_rows(
    review: CaseReview, view: Any, reports: dict[uuid.UUID, str]
) -> list[dict[str, Any]]:
    """Each complaint with its dates, and why it does not qualify where it does not."""
    parameters = procedures.parameters_of(review.procedure)
    return [
        {
            "behaviour_on": c.behaviour_on,
            "complained_on": c.complained_on,
            "agency_id": c.agency_id,
            "hate_incident": c.hate_incident,
            "report": reports.get(c.asb_report_id) if c.asb_report_id else None,
            "qualifies": c.qualifies,
            "why_not": None
            if c.qualifies
            else not_qualifying_words(c, review.received_on, parameters),
        }
        for c in view.complaints
    ]


async def _report_references(
    db: Session, review: CaseReview, reader: uuid.UUID
) -> dict[uuid.UUID, str]:
    """The references of the reports complaints came from, for the agency that holds them."""
    ids = {c.asb_report_id for c in review.complaints if c.asb_report_id}
    if not ids:
        return {}
    rows = await db.execute(
        select(AsbReport.id, AsbReport.reference).where(
            AsbReport.id.in_(ids), AsbReport.agency_id == reader
        )
    )
    return dict(rows.all())


@get("/case-reviews/{reference:str}", opt=READ, include_in_schema=False)
async def read_review(
    request: Request,
    db_session: Session,
    gate: Gate,
    reference: Reference,
    done: Annotated[str | None, QueryParameter(required=False, max_length=30)] = None,
) -> Template:
    review = await _review(db_session, request, gate, reference)
    view = await views.view_of(db_session, request.user, review, gate)
    ids = {
        view.receiving_agency_id,
        *(c.agency_id for c in view.complaints if c.agency_id),
        *(r.agency_id for r in view.information_requests),
        *(r.agency_id for r in view.recommendations),
    }
    panels = await service.panel_meetings(db_session, review)
    ids |= {a for m in panels for a in m.agency_ids}
    agencies = await _agency_names(db_session, ids)
    procedure = review.procedure
    mine = request.user.agency_id
    responding = may(request, RESPOND)
    return await render(
        request,
        db_session,
        "case_review/review.html",
        title=view.reference,
        marking=True,
        review=view,
        agencies=agencies,
        complaints=_complaint_rows(
            review, view, await _report_references(db_session, review, mine)
        ),
        needed=procedure["hate_incident_complaints"]
        if any(c.hate_incident for c in view.complaints)
        else procedure["qualifying_complaints"],
        procedure=procedure,
        timeline=_timeline(view, agencies),
        panels=panels,
        steps=_steps(request, review, view),
        answer_due=[
            i + 1
            for i, r in enumerate(view.information_requests)
            if r.agency_id == mine and r.responded_on is None and responding
        ],
        response_due=[
            i + 1
            for i, r in enumerate(view.recommendations)
            if r.agency_id == mine and r.responded_on is None and responding
        ],
        coordinator=procedures.coordinates(request.user, review.area) and may(request, MANAGE),
        notice=_(NOTICES[done]) if done in NOTICES else None,
        back={"href": "/case-reviews", "text": _("ASB case reviews")},
    )


# --- the coordinator's steps: one table, one template ------------------------------------------

_TODAY_HINT = N_("Leave it empty for today. For example, 27 3 2026")


@dataclass(frozen=True)
class StepForm:
    title: str
    steps: tuple[str, ...]  # the service's steps this form takes (the first unless chosen)
    struct: type
    # (name, kind, label, hint); kinds: date, textarea, decision, factors,
    # agencies (the bodies to ask) and recommendations (rows of body and text).
    fields: tuple[tuple[str, str, str, str | None], ...]
    intro: str | None = None
    fixed: dict[str, str] = field(default_factory=dict)  # payload fields the form implies


FORMS: dict[str, StepForm] = {
    "acknowledgement": StepForm(
        N_("Acknowledge the application"), ("acknowledge",), Acknowledgement,
        (("acknowledged_on", "date", N_("When was it acknowledged?"), _TODAY_HINT),),
        intro=N_("The clock for the threshold decision runs from the acknowledgement."),
    ),
    "threshold-decision": StepForm(
        N_("Decide whether to hold a review"), ("accept", "decline"), DiscretionaryDecision,
        (("decision", "decision", N_("Will a review be held?"), None),
         ("factors", "factors", N_("How did each matter weigh?"),
          N_("The procedure may look at the persistence of the behaviour, the harm or the "
             "potential for harm, and the adequacy of the response.")),
         ("reasons", "textarea", N_("Your reasons"),
          N_("Kept with the decision. The applicant is told the decision and why.")),
         ("decided_on", "date", N_("When was it decided?"), _TODAY_HINT)),
        intro=N_("The complaints on record do not meet the threshold, so the procedure lets "
                 "the coordinator decide."),
    ),
    "applicant-told": StepForm(
        N_("Record that the applicant was told the decision"), ("tell_threshold_decision",),
        ApplicantTold, (("told_on", "date", N_("When were they told?"), _TODAY_HINT),),
        fixed={"of": "threshold_decision"},
    ),
    "information-requests": StepForm(
        N_("Ask bodies for information"), ("request_information",), InformationRequestIn,
        (("agencies", "agencies", N_("Which bodies should be asked?"),
          N_("Each body answers on its own page. Others read its answer as the hub shows it "
             "to their agency.")),
         ("requested_on", "date", N_("When were they asked?"), _TODAY_HINT)),
    ),
    "review-meeting": StepForm(
        N_("Record the review meeting"), ("hold_review",), ReviewMeeting,
        (("held_on", "date", N_("When was the review meeting held?"), _TODAY_HINT),),
    ),
    "outcome": StepForm(
        N_("Record the outcome"), ("record_outcome",), OutcomeIn,
        (("summary", "textarea", N_("What did the review find?"),
          N_("In plain English: this is what the applicant is told.")),
         ("recommendations", "recommendations", N_("Recommendations"),
          N_("Leave these empty if the review made none.")),
         ("recorded_on", "date", N_("When was the outcome agreed?"), _TODAY_HINT)),
    ),
    "outcome-told": StepForm(
        N_("Record that the applicant was told the outcome"), ("tell_outcome",), ApplicantTold,
        (("told_on", "date", N_("When were they told?"), _TODAY_HINT),), fixed={"of": "outcome"},
    ),
    "escalation": StepForm(
        N_("Record that the applicant is dissatisfied"), ("escalate",), EscalationIn,
        (("reason", "textarea", N_("What is the applicant dissatisfied with?"), None),
         ("requested_on", "date", N_("When did they ask?"), _TODAY_HINT)),
        intro=N_("The request goes where the area's procedure sends it."),
    ),
    "closure": StepForm(
        N_("Close the case review"), ("close",), ClosureIn,
        (("closed_on", "date", N_("When did it close?"), _TODAY_HINT),),
    ),
}  # fmt: skip
STEP_PATHS = {step: path for path, form in FORMS.items() for step in form.steps}
FINDINGS = (
    ("supports_review", N_("Supports a review")),
    ("does_not_support_review", N_("Does not support a review")),
    ("", N_("Not weighed")),
)


def _why_not(review: CaseReview, spec: StepForm) -> str | None:
    """Why none of the form's steps is open, in words (None: one is)."""
    reasons = [service.blocked(review, step) for step in spec.steps]
    if any(r is None for r in reasons):
        return None
    why = reasons[0]
    assert why is not None
    if why.kind == "first":
        return sentence(_(str(why.first)))
    if why.kind == "recorded":
        return _("This is already recorded.")
    return _("This can't be done now: the case review is {status}.").format(
        status=label("case_review_status", review.status).lower()
    )


async def _askable(db: Session, gate: Gate, review: CaseReview) -> list[dict[str, Any]]:
    asked = {r.agency_id for r in review.information_requests}
    out = []
    for agency in await _agencies(db):
        if agency.id in asked:
            continue
        role = views.body_role(gate.rules, agency.agency_type)
        out.append(
            {"value": str(agency.id), "text": agency.name,
             "hint": {"text": label("case_review_body_role", role)}}
        )  # fmt: skip
    return out


async def _step_page(
    request: Request,
    db: Session,
    gate: Gate,
    review: CaseReview,
    path: str,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
) -> Template:
    spec = FORMS[path]
    view = await views.view_of(db, request.user, review, gate)
    values = values or {}
    first = _first(values)
    fields = []
    for name, kind, words, hint in spec.fields:
        item: dict[str, Any] = {"name": name, "kind": kind, "label": _(words),
                                "hint": _(hint) if hint else None}  # fmt: skip
        if kind == "decision":
            item["items"] = [
                {"value": v, "text": w, "checked": first.get(name) == v}
                for v, w in (("accept", _("Yes, hold a review")), ("decline", _("No")))
            ]
        elif kind == "factors":
            item["factors"] = [
                {
                    "name": f"factors.{code}",
                    "legend": sentence(_(factor.what)),
                    "hint": factor.citation,
                    "items": [
                        {
                            "value": v,
                            "text": _(w),
                            "checked": (first.get(f"factors.{code}") or "") == v,
                        }
                        for v, w in FINDINGS
                    ],
                }
                for code, factor in FACTORS.items()
            ]
        elif kind == "agencies":
            chosen = set(values.get(name, []))
            item["items"] = [
                dict(a, checked=a["value"] in chosen) for a in await _askable(db, gate, review)
            ]
        elif kind == "recommendations":
            agencies = await _agencies(db)
            item["agencies"] = [("", _("Choose a body"))] + [(str(a.id), a.name) for a in agencies]
            item["rows"] = list(range(RECOMMENDATION_ROWS))
        fields.append(item)
    return await render(
        request,
        db,
        "case_review/step.html",
        title=_(spec.title),
        marking=True,
        review=view,
        intro=_(spec.intro) if spec.intro else None,
        not_open=_why_not(review, spec),
        fields=fields,
        values=values,
        errors=errors,
        status_code=400 if errors else 200,
        back={"href": f"/case-reviews/{view.reference}", "text": _("Back to the case review")},
    )


StepPath = Annotated[str, PathParameter(max_length=30)]


@get("/case-reviews/{reference:str}/{step:str}", opt=READ, include_in_schema=False)
async def step_form(
    request: Request, db_session: Session, gate: Gate, reference: Reference, step: StepPath
) -> Template:
    if step not in FORMS:
        raise NotFound("page")
    review = await _review(db_session, request, gate, reference)
    if not may(request, MANAGE):
        raise Forbidden("this step is the coordinator's")
    procedures.require_coordinator(request.user, review.area)
    return await _step_page(request, db_session, gate, review, step)


def _step_payload(spec: StepForm, form: Form) -> Read:
    payload: dict[str, Any] = dict(spec.fixed)
    names: dict[str, str] = {}
    for name, kind, *_rest in spec.fields:
        if kind == "date":
            payload[name] = form.date(name, required=False)
        elif kind == "agencies":
            payload[name] = form.many(name)
            names |= {f"{name}.{i}": name for i in range(len(payload[name]))}
        elif kind == "factors":
            payload[name] = [
                {"factor": code, "finding": finding}
                for code in FACTORS
                if (finding := form.text(f"factors.{code}"))
            ]
            names |= {f"factors.{i}": "factors" for i in range(len(FACTORS))}
        elif kind == "recommendations":
            rows = []
            for row in range(RECOMMENDATION_ROWS):
                agency, text = (
                    form.text(f"{name}.{row}.{k}") for k in ("agency_id", "recommendation")
                )
                if agency or text:
                    at = f"{name}.{len(rows)}"
                    names |= {f"{at}.agency_id": f"{name}.{row}.agency_id",
                              f"{at}.recommendation": f"{name}.{row}.recommendation",
                              at: f"{name}.{row}.agency_id"}  # fmt: skip
                    rows.append({"agency_id": agency, "recommendation": text})
            payload[name] = rows
        else:
            payload[name] = form.text(name)
    return Read(payload, names)


async def _take(
    db: Session,
    request: Request,
    gate: Gate,
    review: CaseReview,
    version: int,
    step: str,
    data: Any,
) -> None:
    """The service's call for the step, as the API's routes make it."""
    actor, review_id = request.user, review.id
    match step:
        case "acknowledge":
            await service.acknowledge(db, actor, review_id, version, data, gate)
        case "accept" | "decline":
            await service.decide(db, actor, review_id, version, data, gate)
        case "tell_threshold_decision" | "tell_outcome":
            await service.tell_applicant(db, actor, review_id, version, data, gate)
        case "request_information":
            await service.request_information(db, actor, review_id, version, data, gate)
        case "hold_review":
            await service.hold_review(db, actor, review_id, version, data, gate)
        case "record_outcome":
            await service.record_outcome(db, actor, review_id, version, data, gate)
        case "escalate":
            await service.escalate(db, actor, review_id, version, data, gate)
        case "close":
            await service.close(db, actor, review_id, version, data, gate)


@post("/case-reviews/{reference:str}/{step:str}", opt=READ, include_in_schema=False)
async def step_submit(
    request: Request, db_session: Session, gate: Gate, reference: Reference, step: StepPath
) -> Template | Redirect:
    if step not in FORMS:
        raise NotFound("page")
    spec = FORMS[step]
    review = await _review(db_session, request, gate, reference)
    # The same permission the API asks for the step (the service checks the area, too).
    if not may(request, MANAGE):
        raise Forbidden("this step is the coordinator's")
    form = await Form.read(request)
    read = _step_payload(spec, form)
    taken = read.payload.get("decision") if spec.steps == ("accept", "decline") else spec.steps[0]
    try:
        data = form.convert(spec.struct, read.payload, _messages())
        why = _why_not(review, spec)
        if why is not None:
            form.errors.add("form", why)
            raise form.errors
        await _take(db_session, request, gate, review, form.version(), str(taken), data)
    except (Forbidden, NotFound):
        raise  # not this reader's step, or gone: the page for it, not a form error
    except (FormErrors, DomainError) as failed:
        errors = renamed(await refused(db_session, form, failed, _messages()), read.names)
        db_session.expunge_all()
        review = await _review(db_session, request, gate, reference)
        return await _step_page(
            request, db_session, gate, review, step, values=form.values, errors=errors
        )
    return see_other(f"/case-reviews/{review.reference}?done={taken}")


# --- the bodies' pages: an answer to a request, a response to a recommendation ---------------


def _nth(items: list[Any], number: int) -> Any:
    if number > len(items):
        raise NotFound("page")
    return items[number - 1]


async def _answer_page(
    request: Request,
    db: Session,
    gate: Gate,
    review: CaseReview,
    number: int,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
) -> Template:
    asked = _nth(review.information_requests, number)
    review, asked = await bodies.get_request(db, request.user, review.id, asked.id, gate)
    answer = await views.response_view(db, request.user, review, asked, gate)
    ours = asked.agency_id == request.user.agency_id
    names = await _agency_names(db, {asked.agency_id})
    return await render(
        request,
        db,
        "case_review/answer.html",
        title=_("Information from {body}").format(body=names.get(asked.agency_id, "")),
        marking=True,
        reference=review.reference,
        answer=answer,
        body=names.get(asked.agency_id, ""),
        may_answer=ours and answer.responded_on is None and may(request, RESPOND),
        not_open=None if answer.responded_on is not None else _answer_blocked(review),
        roles=[(code, label("subject_role", code)) for code in ANSWER_ROLES],
        rows=list(range(PEOPLE_ROWS)),
        values=values or {},
        errors=errors,
        status_code=400 if errors else 200,
        back={"href": f"/case-reviews/{review.reference}", "text": _("Back to the case review")},
    )


def _answer_blocked(review: CaseReview) -> str | None:
    why = service.blocked(review, "respond")
    if why is None or why.kind == "first":
        return None  # open, or nothing awaited: the page says which
    return _("The case review is {status}: answers are no longer taken.").format(
        status=label("case_review_status", review.status).lower()
    )


@get("/case-reviews/{reference:str}/answers/{number:int}", opt=READ, include_in_schema=False)
async def read_answer(
    request: Request, db_session: Session, gate: Gate, reference: Reference, number: Number
) -> Template:
    review = await _review(db_session, request, gate, reference)
    return await _answer_page(request, db_session, gate, review, number)


@post("/case-reviews/{reference:str}/answers/{number:int}", opt=READ, include_in_schema=False)
async def answer(
    request: Request, db_session: Session, gate: Gate, reference: Reference, number: Number
) -> Template | Redirect:
    review = await _review(db_session, request, gate, reference)
    asked = _nth(review.information_requests, number)
    if not may(request, RESPOND) or asked.agency_id != request.user.agency_id:
        raise Forbidden("only the body asked answers its request")
    form = await Form.read(request)
    names: dict[str, str] = {}
    try:
        people = []
        for row in range(PEOPLE_ROWS):
            name = f"subjects.{row}.reference"
            subject_id = await _reference(db_session, request, form, name)
            if subject_id:
                names[f"subjects.{len(people)}.subject_id"] = name
                names[f"subjects.{len(people)}.role"] = f"subjects.{row}.role"
                people.append(
                    {"subject_id": subject_id, "role": form.text(f"subjects.{row}.role") or "other"}
                )
        payload = {
            "response": form.text("response"),
            "responded_on": form.date("responded_on", required=False),
            "subjects": people,
        }
        data = form.convert(InformationResponseIn, payload, _messages())
        await bodies.respond(
            db_session, request.user, review.id, asked.id, form.version(), data, gate
        )
    except (FormErrors, DomainError) as failed:
        errors = renamed(await refused(db_session, form, failed, _messages()), names)
        db_session.expunge_all()
        review = await _review(db_session, request, gate, reference)
        return await _answer_page(
            request, db_session, gate, review, number, values=form.values, errors=errors
        )
    return see_other(f"/case-reviews/{review.reference}?done=respond")


async def _recommendation_page(
    request: Request,
    db: Session,
    gate: Gate,
    review: CaseReview,
    number: int,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
) -> Template:
    view = await views.view_of(db, request.user, review, gate)
    recommendation = _nth(view.recommendations, number)
    ours = recommendation.agency_id == request.user.agency_id
    names = await _agency_names(db, {recommendation.agency_id})
    return await render(
        request,
        db,
        "case_review/recommendation.html",
        title=_("Recommendation to {body}").format(body=names.get(recommendation.agency_id, "")),
        marking=True,
        review=view,
        recommendation=recommendation,
        body=names.get(recommendation.agency_id, ""),
        may_respond=ours and recommendation.responded_on is None and may(request, RESPOND),
        values=values or {},
        errors=errors,
        status_code=400 if errors else 200,
        back={"href": f"/case-reviews/{view.reference}", "text": _("Back to the case review")},
    )


@get(
    "/case-reviews/{reference:str}/recommendations/{number:int}", opt=READ, include_in_schema=False
)
async def read_recommendation(
    request: Request, db_session: Session, gate: Gate, reference: Reference, number: Number
) -> Template:
    review = await _review(db_session, request, gate, reference)
    return await _recommendation_page(request, db_session, gate, review, number)


@post(
    "/case-reviews/{reference:str}/recommendations/{number:int}", opt=READ, include_in_schema=False
)
async def respond_to_recommendation(
    request: Request, db_session: Session, gate: Gate, reference: Reference, number: Number
) -> Template | Redirect:
    review = await _review(db_session, request, gate, reference)
    recommendation = _nth(review.recommendations, number)
    if not may(request, RESPOND) or recommendation.agency_id != request.user.agency_id:
        raise Forbidden("only the body given the recommendation responds to it")
    form = await Form.read(request)
    try:
        payload = {
            "response": form.text("response"),
            "responded_on": form.date("responded_on", required=False),
        }
        messages = _messages() | {"response": _(RESPONSE)}
        data = form.convert(RecommendationResponseIn, payload, messages)
        await bodies.respond_to_recommendation(
            db_session, request.user, review.id, recommendation.id, form.version(), data, gate
        )
    except (FormErrors, DomainError) as failed:
        errors = await refused(db_session, form, failed, _messages() | {"response": _(RESPONSE)})
        db_session.expunge_all()
        review = await _review(db_session, request, gate, reference)
        return await _recommendation_page(
            request, db_session, gate, review, number, values=form.values, errors=errors
        )
    return see_other(f"/case-reviews/{review.reference}?done=respond_to_recommendation")


ROUTES = [
    list_reviews,
    apply_form,
    apply,
    read_review,
    step_form,
    step_submit,
    read_answer,
    answer,
    read_recommendation,
    respond_to_recommendation,
]
