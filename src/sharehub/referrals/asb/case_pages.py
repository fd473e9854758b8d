"""Pages for ASB cases, thin over cases.py: open a case from a report, read
it (the plan, actions, contacts, diary, interventions, reviews), and each
step as a form. Every step's form is one table entry (``FORMS``): its
fields, and how they become the API's struct; one template draws them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, get_args

import msgspec
from litestar import Request, get, post
from litestar.params import PathParameter, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy import select

from sharehub.agencies.models import Agency
from sharehub.errors import DomainError, NotFound
from sharehub.referrals.asb import attachments, cases, evidence, policies, service, triage_policy
from sharehub.referrals.asb.case_schemas import (
    ActionDone,
    ActionPlan,
    CaseClosure,
    CaseCreate,
    CaseDisclosureIn,
    CaseReviewIn,
    CctvAssessmentIn,
    ContactIn,
    DiaryEntryIn,
    EvidenceAnswerIn,
    EvidenceRequestIn,
    InterventionIn,
    ProportionalityReviewIn,
)
from sharehub.referrals.asb.casework import casework_rules
from sharehub.referrals.asb.models import AsbCase
from sharehub.referrals.asb.schemas import (
    ChosenCloseReason,
    ResponsePolicyIn,
    ResponsePolicyView,
    TriagePolicyIn,
)
from sharehub.referrals.asb.triage import triage_rules
from sharehub.web.forms import Form, FormErrors, refused
from sharehub.web.labels import N_, label
from sharehub.web.pages import page_opt, render, see_other
from sharehub.web.params import Gate, Session
from sharehub.web.templating import _

READ = page_opt("asb-report:read")
UPDATE = page_opt("asb-report:update")
Reference = Annotated[str, PathParameter(max_length=20, description="e.g. CASE-2026-0007")]
StepPath = Annotated[str, PathParameter(max_length=30)]
# How many actions the plan's form offers at once (more by agreeing the plan again).
PLAN_ACTIONS = 3


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # date | text | textarea | radios | select | checkbox
    label: str
    hint: str | None = None
    items: Callable[[], list[tuple[str, str]]] | None = None
    optional: bool = False


@dataclass(frozen=True)
class StepForm:
    title: str
    struct: type
    fields: list[Field]
    do: Callable[..., Any]
    done: str
    payload: Callable[[Form], dict[str, Any]] = field(default=lambda form: {})


def _rules_items(table: str) -> Callable[[], list[tuple[str, str]]]:
    return lambda: list(getattr(casework_rules(), table).items())


def _interventions() -> list[tuple[str, str]]:
    return [(code, i.words) for code, i in casework_rules().interventions.items()]


def _close_reasons() -> list[tuple[str, str]]:
    return [(code, label("close_reason", code)) for code in get_args(ChosenCloseReason)]


def _plan_payload(form: Form) -> dict[str, Any]:
    actions = []
    for n in range(1, PLAN_ACTIONS + 1):
        what = form.text(f"action{n}.what")
        if not what:
            continue
        owner = form.text(f"action{n}.owner")
        actions.append(
            {
                "owner": owner,
                "agency_id": form.text(f"action{n}.agency_id") if owner == "partner" else None,
                "what": what,
                "due_on": form.date(f"action{n}.due_on", label=_("it is due")),
            }
        )
    every = form.text("contact_every_days")
    return {
        "agreed_on": form.date("agreed_on", label=_("it was agreed")),
        "contact_method": form.text("contact_method"),
        "contact_every_days": int(every) if every and every.isdigit() else every,
        "first_contact_on": form.date("first_contact_on", label=_("of the first contact")),
        "actions": actions,
    }


def _simple(*names: str, dates: tuple[str, ...] = ("on",)) -> Callable[[Form], dict[str, Any]]:
    def read(form: Form) -> dict[str, Any]:
        values: dict[str, Any] = {n: form.text(n) for n in names}
        for d in dates:
            values[d] = form.date(d)
        return values

    return read


FORMS: dict[str, StepForm] = {
    "action-plan": StepForm(
        N_("Agree the action plan"),
        ActionPlan,
        [
            Field("agreed_on", "date", N_("When was it agreed with the complainant?")),
            Field("contact_method", "radios", N_("How will you keep in touch?"),
                  items=_rules_items("contact_methods")),
            Field("contact_every_days", "text", N_("How often, in days?"),
                  hint=N_("For example, 7 for weekly")),
            Field("first_contact_on", "date", N_("When is the first contact due?"),
                  hint=N_("Today or later")),
        ],
        cases.agree_plan,
        "plan",
        _plan_payload,
    ),
    "contact": StepForm(
        N_("Record a contact with the complainant"),
        ContactIn,
        [
            Field("on", "date", N_("When?")),
            Field("method", "radios", N_("How?"), items=_rules_items("contact_methods")),
            Field("note", "textarea", N_("What was said (optional)"), optional=True),
        ],
        cases.record_contact,
        "contact",
        _simple("method", "note"),
    ),
    "diary": StepForm(
        N_("Add a diary sheet entry"),
        DiaryEntryIn,
        [
            Field("on", "date", N_("The day it happened")),
            Field("what", "textarea", N_("What happened, in the complainant's words")),
        ],
        cases.add_diary_entry,
        "diary",
        _simple("what"),
    ),
    "intervention": StepForm(
        N_("Record an intervention"),
        InterventionIn,
        [
            Field("kind", "radios", N_("What was done?"), items=_interventions),
            Field("on", "date", N_("When?")),
            Field("outcome", "textarea", N_("What came of it?")),
        ],
        cases.record_intervention,
        "intervention",
        _simple("kind", "outcome"),
    ),
    "proportionality-review": StepForm(
        N_("Record a proportionality review"),
        ProportionalityReviewIn,
        [
            Field("on", "date", N_("When?")),
            Field("considerations", "textarea", N_("What you considered"),
                  hint=N_("Their vulnerability, the support offered, and why legal action is, or "
                          "is not, proportionate. At least 30 characters.")),
            Field("proceed", "radios", N_("Do you proceed?"),
                  items=lambda: [("yes", _("Yes")), ("no", _("No"))]),
        ],
        cases.record_proportionality_review,
        "proportionality",
        lambda form: {**_simple("considerations")(form),
                      "proceed": {"yes": True, "no": False}.get(form.text("proceed") or "")},
    ),
    "review": StepForm(
        N_("Record a case review"),
        CaseReviewIn,
        [
            Field("on", "date", N_("When was it reviewed?")),
            Field("outcome", "radios", N_("What did the review decide?"),
                  items=_rules_items("review_outcomes")),
            Field("note", "textarea", N_("Notes (optional)"), optional=True),
        ],
        cases.record_review,
        "review",
        _simple("outcome", "note"),
    ),
    "evidence-request": StepForm(
        N_("Ask a partner agency for information"),
        EvidenceRequestIn,
        [
            Field("agency_id", "partner", N_("Which agency?"),
                  hint=N_("Only agencies a protocol in force connects with yours for managing "
                          "ASB cases can be asked.")),
            Field("question", "textarea", N_("What do you need to know?"),
                  hint=N_("For managing this case only. It reaches them through the hub, with "
                          "the people in it shown as the protocol and their consent allow.")),
            Field("due_on", "date", N_("By when?")),
        ],
        evidence.ask_partner,
        "asked",
        _simple("agency_id", "question", dates=("due_on",)),
    ),
    "share-information": StepForm(
        N_("Tell a partner agency about the case"),
        CaseDisclosureIn,
        [
            Field("agency_id", "partner", N_("Which agency?"),
                  hint=N_("Only agencies a protocol in force connects with yours for managing "
                          "ASB cases can be told anything through the hub.")),
            Field("information", "textarea", N_("What do they need to know?"),
                  hint=N_("Only what is necessary for managing this case. It reaches them "
                          "through the hub, with the people in it shown as the protocol and "
                          "their consent allow, and each reading is recorded.")),
        ],
        evidence.tell_partner,
        "shared",
        _simple("agency_id", "information", dates=()),
    ),
    "cctv": StepForm(
        N_("Record a CCTV assessment"),
        CctvAssessmentIn,
        [
            Field("on", "date", N_("When was it assessed?")),
            Field("issue", "textarea", N_("The issue CCTV would address")),
            Field("why_proportionate", "textarea", N_("Why it is proportionate to the privacy it intrudes on"),
                  hint=N_("Who it will record, and why less intrusive means will not do. At least 20 characters.")),
            Field("tried_first", "textarea", N_("What was tried first")),
            Field("fixed", "radios", N_("Fixed or temporary?"),
                  hint=N_("Fixed CCTV is reviewed every five years."),
                  items=lambda: [("yes", _("Fixed")), ("no", _("Temporary"))]),
            Field("covert", "radios", N_("Overt or covert?"),
                  hint=N_("Covert recording needs an authorisation (Regulation of Investigatory "
                          "Powers Act 2000, Part 2)."),
                  items=lambda: [("no", _("Overt: people can see it and are told")), ("yes", _("Covert"))]),
            Field("authorisation", "text", N_("The authorisation's reference, for covert recording")),
        ],
        cases.assess_cctv,
        "cctv",
        lambda form: {
            **_simple("issue", "why_proportionate", "tried_first", "authorisation")(form),
            "fixed": {"yes": True, "no": False}.get(form.text("fixed") or ""),
            "covert": {"yes": True, "no": False}.get(form.text("covert") or ""),
        },
    ),
    "closure": StepForm(
        N_("Close the case"),
        CaseClosure,
        [
            Field("reason", "radios", N_("Why is it being closed?"), items=_close_reasons),
            Field("complainant_told_on", "date", N_("When was the complainant told?")),
        ],
        cases.close_case,
        "closed",
        _simple("reason", dates=("complainant_told_on",)),
    ),
}  # fmt: skip

# What a person reads when a field is missing or not a number.
MESSAGES = {
    "contact_every_days": N_("Enter how often, as a number of days from 1 to 90"),
    "contact_method": N_("Select how you will keep in touch"),
    "method": N_("Select how you were in touch"),
    "kind": N_("Select what was done"),
    "outcome": N_("Enter what came of it"),
    "what": N_("Enter what happened"),
    "proceed": N_("Select whether you proceed"),
    "considerations": N_("Enter what you considered (at least 30 characters)"),
    "reason": N_("Select why the case is being closed"),
    "agency_id": N_("Select the agency"),
    "question": N_("Enter what you need to know"),
    "answer": N_("Enter your answer"),
    "fixed": N_("Select fixed or temporary"),
    "covert": N_("Select overt or covert"),
    "issue": N_("Enter the issue CCTV would address"),
    "why_proportionate": N_("Enter why it is proportionate (at least 20 characters)"),
    "tried_first": N_("Enter what was tried first"),
}
NOTICES = {
    "opened": N_("Case opened"),
    "plan": N_("Action plan agreed"),
    "contact": N_("Contact recorded"),
    "diary": N_("Diary entry added"),
    "intervention": N_("Intervention recorded"),
    "proportionality": N_("Proportionality review recorded"),
    "review": N_("Case review recorded"),
    "closed": N_("Case closed"),
    "action": N_("Action marked done"),
    "asked": N_("Request sent to the partner agency"),
    "cctv": N_("CCTV assessment recorded"),
    "answered": N_("Answer sent"),
    "attached": N_("File attached"),
    "shared": N_("Information shared with the partner agency"),
    "attachment": N_("Sharing and evidence saved"),
}
STEP_PATHS = {
    "action_plan": "action-plan",
    "contact": "contact",
    "diary": "diary",
    "intervention": "intervention",
    "proportionality_review": "proportionality-review",
    "review": "review",
    "evidence_request": "evidence-request",
    "share_information": "share-information",
    "cctv_assessment": "cctv",
    "close": "closure",
}


async def _case(db: Session, request: Request, reference: str) -> AsbCase:
    return await cases.case_by_reference(db, request.user, reference)


async def _partners(db: Session, own: Any) -> list[tuple[str, str]]:
    rows = await db.execute(
        select(Agency.id, Agency.name)
        .where(Agency.active.is_(True), Agency.id != own)
        .order_by(Agency.name)
    )
    return [(str(i), n) for i, n in rows]


@post(
    "/asb-reports/{reference:str}/case", opt=page_opt("asb-report:create"), include_in_schema=False
)
async def open_case(
    request: Request, db_session: Session, gate: Gate, reference: Reference
) -> Redirect:
    report = await service.report_by_reference(db_session, request.user, reference)
    existing = await cases.case_of_report(db_session, report.id)
    if existing is not None:
        return see_other(f"/asb-cases/{existing.reference}")
    case = await cases.open_case(db_session, request.user, CaseCreate(report_ids=[report.id]), gate)
    return see_other(f"/asb-cases/{case.reference}?done=opened")


@get("/asb-cases", opt=READ, include_in_schema=False)
async def list_cases(
    request: Request,
    db_session: Session,
    gate: Gate,
    show: Annotated[str | None, QueryParameter(required=False, max_length=20)] = None,
) -> Template:
    overdue, due, cctv = show == "overdue", show == "contact", show == "cctv"
    items, total = await cases.list_cases(
        db_session,
        request.user,
        gate,
        status=None if cctv else "open",
        review_overdue=overdue,
        contact_due=due,
        cctv_review_due=cctv,
        limit=100,
    )
    return await render(
        request,
        db_session,
        "asb/case_list.html",
        title=_("ASB cases"),
        marking=True,
        items=items,
        total=total,
        show=show,
    )


def _steps(names: list[str], *, planned: bool) -> list[tuple[str, str]]:
    """The case's steps as buttons; once a plan is agreed, keeping in touch
    comes first and agreeing the plan again last."""
    steps = [(STEP_PATHS[s], _(FORMS[STEP_PATHS[s]].title)) for s in names]
    if planned and steps and steps[0][0] == "action-plan":
        steps = [*steps[1:], ("action-plan", _("Agree a new action plan"))]
    return steps


@get("/asb-cases/{reference:str}", opt=READ, include_in_schema=False)
async def read_case(
    request: Request,
    db_session: Session,
    gate: Gate,
    reference: Reference,
    done: Annotated[str | None, QueryParameter(required=False, max_length=20)] = None,
) -> Template:
    case = await _case(db_session, request, reference)
    view = await cases.view_of(db_session, request.user, case, gate)
    rules = casework_rules()
    held = await attachments.own_views(db_session, request.user, case, gate)
    return await render(
        request,
        db_session,
        "asb/case.html",
        title=view.reference,
        marking=True,
        case=view,
        attachments=held,
        owner_reference=view.reference,
        may_attach=view.status == "open",
        steps=_steps(view.next_steps, planned=view.plan_agreed_on is not None),
        words={
            "contact_methods": rules.contact_methods,
            "review_outcomes": rules.review_outcomes,
            "owners": rules.owners,
            "interventions": {c: i.words for c, i in rules.interventions.items()},
        },
        proportionality=rules.proportionality,
        notice=_(NOTICES[done]) if done in NOTICES else None,
        back={"href": "/asb-cases", "text": _("All cases")},
    )


async def _step_page(
    request: Request,
    db: Session,
    case: AsbCase,
    step: str,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
) -> Template:
    form = FORMS[step]
    fields = [
        {
            "name": f.name,
            "kind": f.kind,
            "label": _(f.label),
            "hint": _(f.hint) if f.hint else None,
            "items": f.items() if f.items else [],
        }
        for f in form.fields
    ]
    return await render(
        request,
        db,
        "asb/case_step.html",
        title=_(form.title),
        marking=True,
        case=case,
        fields=fields,
        plan_actions=list(range(1, PLAN_ACTIONS + 1)) if step == "action-plan" else [],
        owners=list(casework_rules().owners.items()),
        partners=await _partners(db, case.agency_id)
        if step in ("action-plan", "evidence-request", "share-information")
        else [],
        values=values or {},
        errors=errors,
        status_code=400 if errors else 200,
        back={"href": f"/asb-cases/{case.reference}", "text": _("Back to the case")},
    )


@get("/asb-cases/{reference:str}/{step:str}", opt=UPDATE, include_in_schema=False)
async def step_form(
    request: Request, db_session: Session, reference: Reference, step: StepPath
) -> Template:
    if step not in FORMS:
        raise NotFound("page")
    return await _step_page(request, db_session, await _case(db_session, request, reference), step)


@post("/asb-cases/{reference:str}/{step:str}", opt=UPDATE, include_in_schema=False)
async def step_submit(
    request: Request, db_session: Session, gate: Gate, reference: Reference, step: StepPath
) -> Template | Redirect:
    if step not in FORMS:
        raise NotFound("page")
    case = await _case(db_session, request, reference)
    spec = FORMS[step]
    form = await Form.read(request)
    try:
        messages = {k: _(v) for k, v in MESSAGES.items()}
        data = form.convert(spec.struct, spec.payload(form), messages)
        await spec.do(db_session, request.user, case.id, form.version(), data, gate)
    except (FormErrors, DomainError) as failed:
        errors = await refused(db_session, form, failed, {k: _(v) for k, v in MESSAGES.items()})
        db_session.expunge_all()
        case = await _case(db_session, request, reference)
        return await _step_page(request, db_session, case, step, values=form.values, errors=errors)
    return see_other(f"/asb-cases/{case.reference}?done={spec.done}")


@post("/asb-cases/{reference:str}/actions/{number:int}/done", opt=UPDATE, include_in_schema=False)
async def action_done(
    request: Request,
    db_session: Session,
    gate: Gate,
    reference: Reference,
    number: Annotated[int, PathParameter(ge=1, le=10_000)],
) -> Redirect:
    case = await _case(db_session, request, reference)
    form = await Form.read(request)
    await cases.complete_action(
        db_session, request.user, case.id, number, form.version(), ActionDone(on=gate.today), gate
    )
    return see_other(f"/asb-cases/{case.reference}?done=action")


# --- requests other agencies make of yours ------------------------------------------------


@get("/asb-evidence-requests", opt=READ, include_in_schema=False)
async def inbox(
    request: Request,
    db_session: Session,
    gate: Gate,
    done: Annotated[str | None, QueryParameter(required=False, max_length=20)] = None,
) -> Template:
    return await render(
        request,
        db_session,
        "asb/evidence_inbox.html",
        title=_("Requests from partner agencies"),
        marking=True,
        requests=await evidence.inbox(db_session, request.user, gate),
        notice=_(NOTICES[done]) if done in NOTICES else None,
    )


async def _answer_page(
    request: Request,
    db: Session,
    gate: Gate,
    number_in: Any,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
) -> Template:
    view = await evidence.view_of(db, request.user, number_in, gate)
    return await render(
        request,
        db,
        "asb/evidence_answer.html",
        title=_("Information shared with you")
        if view.kind == "disclosure"
        else _("Answer a request"),
        marking=True,
        evidence=view,
        values=values or {},
        errors=errors,
        status_code=400 if errors else 200,
        back={"href": "/asb-evidence-requests", "text": _("All requests")},
    )


async def _request_for(db: Session, request: Request, case_reference: str, number: int) -> Any:
    """A request by its case's reference and number (no id in the address)."""
    from sharehub.referrals.asb.models import AsbCase, AsbEvidenceRequest

    found = await db.scalar(
        select(AsbEvidenceRequest)
        .join(AsbCase, AsbCase.id == AsbEvidenceRequest.case_id)
        .where(AsbCase.reference == case_reference.upper(), AsbEvidenceRequest.number == number)
    )
    if found is None or found.agency_id != request.user.agency_id:
        raise NotFound("request")
    return found


Number = Annotated[int, PathParameter(ge=1, le=10_000)]


@get("/asb-evidence-requests/{reference:str}/{number:int}", opt=UPDATE, include_in_schema=False)
async def answer_form(
    request: Request, db_session: Session, gate: Gate, reference: Reference, number: Number
) -> Template:
    found = await _request_for(db_session, request, reference, number)
    return await _answer_page(request, db_session, gate, found)


@post("/asb-evidence-requests/{reference:str}/{number:int}", opt=UPDATE, include_in_schema=False)
async def answer(
    request: Request, db_session: Session, gate: Gate, reference: Reference, number: Number
) -> Template | Redirect:
    found = await _request_for(db_session, request, reference, number)
    form = await Form.read(request)
    messages = {k: _(v) for k, v in MESSAGES.items()}
    try:
        data = form.convert(
            EvidenceAnswerIn,
            {"answer": form.text("answer"), "declined": form.text("declined") == "yes"},
            messages,
        )
        await evidence.answer(db_session, request.user, found.id, data, gate)
    except (FormErrors, DomainError) as failed:
        errors = await refused(db_session, form, failed, messages)
        db_session.expunge_all()
        found = await _request_for(db_session, request, reference, number)
        return await _answer_page(
            request, db_session, gate, found, values=form.values, errors=errors
        )
    return see_other("/asb-evidence-requests?done=answered")


# --- the agency's own matters not dealt with as ASB -------------------------------------------

MANAGE = page_opt("response-policy:manage")
OWN_ROWS = 3


async def _policy_page(
    request: Request,
    db: Session,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
    notice: str | None = None,
) -> Template:
    rules = triage_rules()
    view = await triage_policy.read_policy(db, request.user.agency_id)
    review = await policies.read_policy(db, request.user, request.user.agency_id)
    chosen = values.get("matters", []) if values is not None else [m.code for m in view.matters]
    own = [m for m in view.matters if m.code.startswith("own_")]
    if values is None:
        values = {"source": [] if view.is_default else [view.source]}
        for n, m in enumerate(own, start=1):
            values[f"own{n}.words"] = [m.words]
            values[f"own{n}.signpost"] = [m.signpost]
        every = review.case_review_every_days
        values["case_review_every_days"] = [] if every is None else [str(every)]
    return await render(
        request,
        db,
        "asb/triage_policy.html",
        title=_("Matters your agency does not deal with as ASB"),
        matter_items=[
            {"value": code, "text": m.words, "checked": code in chosen}
            for code, m in rules.not_asb.items()
        ],
        signposts=[(code, p.words) for code, p in rules.signposts.items()],
        own_rows=list(range(1, max(OWN_ROWS, len(own)) + 1)),
        version=view.version,
        is_default=view.is_default,
        review_version=review.version,
        review_default=casework_rules().review.every_days,
        values=values,
        errors=errors,
        notice=notice,
        status_code=400 if errors else 200,
    )


def _review_payload(current: ResponsePolicyView, every: str | None) -> dict[str, Any]:
    """The agency's response policy as it stands, with the case review
    interval from the form (empty: the hub's default)."""
    keep = {f.encode_name for f in msgspec.structs.fields(ResponsePolicyIn)}
    payload = {k: v for k, v in msgspec.to_builtins(current).items() if k in keep}
    payload["case_review_every_days"] = int(every) if every and every.isdigit() else every
    return payload


@get("/asb-triage-policy", opt=MANAGE, include_in_schema=False)
async def policy_form(
    request: Request,
    db_session: Session,
    done: Annotated[str | None, QueryParameter(required=False, max_length=20)] = None,
) -> Template:
    return await _policy_page(
        request, db_session, notice=_("Your agency's list is saved") if done == "saved" else None
    )


@post("/asb-triage-policy", opt=MANAGE, include_in_schema=False)
async def set_policy(request: Request, db_session: Session) -> Template | Redirect:
    form = await Form.read(request)
    rows = range(1, max(OWN_ROWS, len(form.values)) + 1)
    payload = {
        "matters": form.many("matters"),
        "own_matters": [
            {"words": form.text(f"own{n}.words"), "signpost": form.text(f"own{n}.signpost")}
            for n in rows
            if form.text(f"own{n}.words")
        ],
        "source": form.text("source"),
    }
    messages = {
        "source": _("Enter the name of your agency's ASB policy these come from"),
        "case_review_every_days": _(
            "Enter how often open cases are reviewed, as a number of days from 7 to 366"
        ),
    }
    version, review_version = form.text("version"), form.text("review_version")
    agency_id = request.user.agency_id
    try:
        current = await policies.read_policy(db_session, request.user, agency_id)
        try:
            data = form.convert(TriagePolicyIn, payload, messages)
        except FormErrors:
            data = None  # on the form; the review interval is checked too, then all refused
        review = form.convert(
            ResponsePolicyIn,
            _review_payload(current, form.text("case_review_every_days")),
            messages,
        )
        assert data is not None
        await triage_policy.set_policy(
            db_session,
            request.user,
            agency_id,
            data,
            int(version) if version and version.isdigit() else None,
        )
        if review.case_review_every_days != current.case_review_every_days:
            # The agency's response policy, as it stands, with its new interval.
            await policies.set_policy(
                db_session,
                request.user,
                agency_id,
                review,
                int(review_version) if review_version and review_version.isdigit() else None,
            )
    except (FormErrors, DomainError) as failed:
        errors = await refused(db_session, form, failed, messages)
        return await _policy_page(request, db_session, values=form.values, errors=errors)
    return see_other("/asb-triage-policy?done=saved")


ROUTES = [
    policy_form,
    set_policy,
    open_case,
    list_cases,
    read_case,
    step_form,
    step_submit,
    action_done,
    inbox,
    answer_form,
    answer,
]
