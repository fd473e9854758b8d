"""Pages for ASB reports: thin over the same service as the API.

Each page reads its form into the API's own struct, calls the service, and on
success redirects to the report (post/redirect/get). What the struct or the
service refuses comes back on the same page as the GOV.UK error summary, and
nothing is written (the transaction is rolled back).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any, get_args

from litestar import Request, get, post
from litestar.params import PathParameter, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy import select

from sharehub.calendar import LOCAL_TIME
from sharehub.errors import DomainError
from sharehub.privacy import subjects as people
from sharehub.privacy.forms import identity_payload, search_payload
from sharehub.privacy.models import Subject
from sharehub.privacy.schemas import SubjectCreate, SubjectSearch
from sharehub.referrals.asb import attachments, cases, service
from sharehub.referrals.asb.models import AsbReport
from sharehub.referrals.asb.policies import policy_for
from sharehub.referrals.asb.risk_tool import risk_tools
from sharehub.referrals.asb.schemas import (
    Assessment,
    ChosenCloseReason,
    Closure,
    FirstResponse,
    PoliceReport,
    Reopening,
    ReportCreate,
    SatisfactionAnswer,
    SubjectLink,
    Triage,
)
from sharehub.referrals.asb.targets import response_due
from sharehub.referrals.asb.triage import triage_rules
from sharehub.web.forms import Form, FormErrors, refused
from sharehub.web.pages import page_opt, render, see_other
from sharehub.web.params import Gate, Session
from sharehub.web.templating import _, ngettext

READ = page_opt("asb-report:read")
CREATE = page_opt("asb-report:create")
UPDATE = page_opt("asb-report:update")
Reference = Annotated[str, PathParameter(max_length=20, description="e.g. ASB-2026-0042")]
Step = Annotated[str, PathParameter(max_length=20)]
PER_PAGE = 25
# The roles a person takes in an ASB report.
ASB_ROLES = ["complainant", "victim", "witness", "perpetrator", "household_member", "other"]

# Messages a person reads when a field is missing: the rule is the API's.
MESSAGES = {
    "channel": "Select how the report was made",
    "category": "Select the category of behaviour",
    "narrative": "Enter what happened",
    "harm_level": "Select the level of harm",
    "reason": "Select why the report is being closed",
    "material_change": "Enter what has changed (at least 10 characters)",
    "role": "Select the person's role in the report",
    "subject_id": "Choose a person",
    "outcome": "Select how the report is dealt with",
    "reported_on": "Enter the date it was reported to the police",
    "reported_to": "Enter who it was reported to",
    "answer": "Select their answer",
    "asked_on": "Enter the date they were asked",
}
NOTICES = {
    "logged": "Report logged",
    "assessed": "Harm assessment recorded",
    "responded": "First response recorded",
    "closed": "Report closed",
    "reopened": "Report reopened",
    "person": "Person added to the report",
    "triaged": "Triage recorded",
    "police": "Report to the police recorded",
    "satisfaction": "Their satisfaction recorded",
    "attached": "File attached",
    "attachment": "Sharing and evidence saved",
}


def _messages() -> dict[str, str]:
    return {k: _(v) for k, v in MESSAGES.items()}


def _when(form: Form, name: str) -> str | None:
    """A date input plus an optional "time" box, as an aware ISO datetime."""
    day = form.date(name, required=False)
    if day is None:
        return None
    clock = form.text(f"{name}-time") or "09:00"
    try:
        hours, minutes = (int(p) for p in clock.replace(".", ":").split(":"))
        at = datetime.combine(datetime.fromisoformat(day).date(), time(hours, minutes), LOCAL_TIME)
    except ValueError:
        form.errors.add(name, _("Enter a real time, for example 14:30"))
        return None
    return at.isoformat()


async def _report(db: Session, request: Request, reference: str) -> AsbReport:
    return await service.report_by_reference(db, request.user, reference)


async def _page(
    request: Request,
    db: Session,
    gate: Gate,
    report: AsbReport,
    template: str,
    title: str,
    *,
    errors: FormErrors | None = None,
    values: dict[str, list[str]] | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Template:
    view = await service.view_of(db, request.user, report, gate)
    references = dict(
        (
            await db.execute(
                select(Subject.id, Subject.reference).where(
                    Subject.id.in_([p.subject_id for p in view.subjects])
                )
            )
        ).all()
    )
    rules, tools = triage_rules(), risk_tools()
    words = {
        "definitions": {code: d.words for code, d in rules.definitions.items()},
        "signposts": {code: p.words for code, p in rules.signposts.items()},
        "matters": {
            code: m.words
            for code, m in (await service.matters_of(db, report.agency_id, rules)).items()
        },
        "vulnerabilities": tools.vulnerabilities.words,
    }
    return await render(
        request,
        db,
        template,
        title=title,
        status_code=status_code,
        marking=True,
        report=view,
        words=words,
        person_references=references,
        errors=errors,
        values=values or {},
        back={"href": f"/asb-reports/{view.reference}", "text": _("Back to the report")}
        if template != "asb/report.html"
        else {"href": "/asb-reports", "text": _("All reports")},
        **extra,
    )


@get("/asb-reports", opt=READ, include_in_schema=False)
async def list_reports(
    request: Request,
    db_session: Session,
    gate: Gate,
    status: Annotated[str | None, QueryParameter(required=False, max_length=20)] = None,
    breached: Annotated[str | None, QueryParameter(required=False, max_length=5)] = None,
    harm: Annotated[str | None, QueryParameter(required=False, max_length=10)] = None,
    page: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1,
) -> Template:
    # Unknown filter values are ignored, as a person would expect of a filter.
    status = status if status in ("open", "assessed", "closed") else None
    harm = harm if harm in ("urgent", "high", "low") else None
    items, total = await service.list_reports(
        db_session,
        request.user,
        status=status,
        breached_only=breached == "yes",
        harm_level=harm,
        gate=gate,
        limit=PER_PAGE,
        offset=(page - 1) * PER_PAGE,
    )
    pages = max(1, -(-total // PER_PAGE))
    query = "&".join(
        f"{k}={v}" for k, v in (("status", status), ("breached", breached), ("harm", harm)) if v
    )
    return await render(
        request,
        db_session,
        "asb/list.html",
        title=_("ASB reports"),
        marking=True,
        reports=items,
        total=total,
        filters={"status": status, "breached": breached == "yes", "harm": harm},
        summary=ngettext("%(num)d report", "%(num)d reports", total),
        page_number=page,
        pages=pages,
        query=query,
    )


@get("/asb-reports/new", opt=CREATE, include_in_schema=False)
async def new_report(request: Request, db_session: Session) -> Template:
    today = datetime.now(LOCAL_TIME)
    values = {
        "received_at-day": [str(today.day)],
        "received_at-month": [str(today.month)],
        "received_at-year": [str(today.year)],
        "received_at-time": [today.strftime("%H:%M")],
    }
    return await render(
        request,
        db_session,
        "asb/new.html",
        title=_("Log an ASB report"),
        marking=True,
        values=values,
        back={"href": "/asb-reports", "text": _("Back")},
    )


@post("/asb-reports/new", opt=CREATE, include_in_schema=False)
async def log_report(request: Request, db_session: Session, gate: Gate) -> Template | Redirect:
    form = await Form.read(request)
    payload: dict[str, Any] = {
        "channel": form.text("channel"),
        "category": form.text("category"),
        "incident_on": form.date("incident_on", label=_("of the incident")),
        "received_at": _when(form, "received_at"),
        "place": form.text("place"),
        "narrative": form.text("narrative") or "",
    }
    if form.text("category") == "hate_incident":
        payload["perceived_motivation"] = form.text("perceived_motivation")
    try:
        data = form.convert(ReportCreate, payload, _messages())
        report = await service.log_report(db_session, request.user, data, gate)
    except (FormErrors, DomainError) as failed:
        errors = await refused(db_session, form, failed, _messages())
        return await render(
            request,
            db_session,
            "asb/new.html",
            title=_("Log an ASB report"),
            marking=True,
            values=form.values,
            errors=errors,
            status_code=400,
            back={"href": "/asb-reports", "text": _("Back")},
        )
    return see_other(f"/asb-reports/{report.reference}?done=logged")


@get("/asb-reports/{reference:str}", opt=READ, include_in_schema=False)
async def read_report(
    request: Request,
    db_session: Session,
    gate: Gate,
    reference: Reference,
    done: Annotated[str | None, QueryParameter(required=False, max_length=20)] = None,
) -> Template:
    report = await _report(db_session, request, reference)
    case = await cases.case_of_report(db_session, report.id)
    return await _page(
        request,
        db_session,
        gate,
        report,
        "asb/report.html",
        report.reference,
        notice=_(NOTICES[done]) if done in NOTICES else None,
        case_reference=case.reference if case else None,
        may_open_case=case is None and report.close_reason not in ("not_asb", "domestic_abuse"),
        domestic_abuse=triage_rules().domestic_abuse,
        attachments=await attachments.own_views(db_session, request.user, report, gate),
        owner_reference=report.reference,
        may_attach=report.status != "closed",
    )


# --- the steps: each a GET showing its form and a POST doing it ------------


async def _targets(db: Session, report: AsbReport) -> list[dict[str, Any]]:
    """Each harm level with the target it sets and the date it would fall due."""
    policy = await policy_for(db, report.agency_id)
    rows = []
    for level in ("urgent", "high", "low"):
        target = policy.targets[level]
        due = response_due(report.received_at, level, policy)
        if target.working_hours:
            within = ngettext(
                "within %(num)d working hour", "within %(num)d working hours", target.working_hours
            )
        else:
            within = ngettext(
                "within %(num)d working day",
                "within %(num)d working days",
                target.working_days or 0,
            )
        rows.append({"level": level, "within": within, "due": due, "citation": target.citation})
    return rows


STEP_PAGES: dict[str, tuple[str, str]] = {
    # step path -> (template, title)
    "triage": ("asb/triage.html", "Triage the report"),
    "police-report": ("asb/police_report.html", "Record a report to the police"),
    "satisfaction": ("asb/satisfaction.html", "Record their satisfaction"),
    "assessment": ("asb/assessment.html", "Record the harm assessment"),
    "first-response": ("asb/first_response.html", "Record the first response"),
    "closure": ("asb/closure.html", "Close the report"),
    "reopening": ("asb/reopening.html", "Reopen the report"),
}


async def _step_page(
    request: Request,
    db: Session,
    gate: Gate,
    report: AsbReport,
    step: Step,
    *,
    errors: FormErrors | None = None,
    values: dict[str, list[str]] | None = None,
) -> Template:
    template, title = STEP_PAGES[step]
    return await _page(
        request,
        db,
        gate,
        report,
        template,
        _(title),
        errors=errors,
        values=values,
        status_code=400 if errors else 200,
        targets=await _targets(db, report) if step == "assessment" else None,
        **(await _step_context(db, report, step, values or {})),
    )


async def _step_context(
    db: Session, report: AsbReport, step: str, values: dict[str, list[str]]
) -> dict[str, Any]:
    """What a step's form offers, from the rules files: the triage's
    definitions, the agency's matters and the bodies to signpost to; the risk
    tool's questions and the vulnerabilities recorded."""
    if step == "triage":
        rules = triage_rules()
        matters = await service.matters_of(db, report.agency_id, rules)
        chosen = set(values.get("definitions", report.triage_definitions or []))
        matter = (values.get("matter") or [report.not_asb_matter or ""])[0]
        signpost = (values.get("signposted_to") or [""])[0]
        return {
            "definition_items": [
                {
                    "value": code,
                    "text": d.words,
                    "checked": code in chosen,
                    "hint": {"text": d.citation},
                }
                for code, d in rules.definitions.items()
            ],
            "matter_items": [
                {
                    "value": code,
                    "text": m.words,
                    "checked": code == matter,
                    "hint": {
                        "text": _("Signpost: {body}").format(body=rules.signposts[m.signpost].words)
                    },
                }
                for code, m in matters.items()
            ],
            "signpost_items": [{"value": "", "text": _("The body the matter names")}]
            + [
                {"value": code, "text": p.words, "selected": code == signpost}
                for code, p in rules.signposts.items()
            ],
            "domestic_abuse": rules.domestic_abuse,
        }
    if step == "assessment":
        tools = risk_tools()
        words = tools.vulnerabilities.words
        return {
            "tool": tools.in_use(),
            "vulnerabilities": tools.vulnerabilities,
            "needs_items": {
                who: [
                    {
                        "value": code,
                        "text": text,
                        "checked": code in values.get(f"{who}.vulnerabilities", []),
                    }
                    for code, text in words.items()
                ]
                for who in ("complainant", "perpetrator")
            },
        }
    if step == "closure":
        return {"close_reasons": list(get_args(ChosenCloseReason))}
    if step == "reopening":
        rules = triage_rules()
        chosen = set(values.get("conditions", []))
        return {
            "condition_items": [
                {"value": c, "text": rules.reopening.words[c], "checked": c in chosen}
                for c in rules.reopening.requires
            ]
            if report.close_reason == "not_asb"
            else []
        }
    return {}


@get("/asb-reports/{reference:str}/{step:str}", opt=UPDATE, include_in_schema=False)
async def step_form(
    request: Request, db_session: Session, gate: Gate, reference: Reference, step: Step
) -> Template:
    if step not in STEP_PAGES:
        from sharehub.errors import NotFound

        raise NotFound("page")
    report = await _report(db_session, request, reference)
    values: dict[str, list[str]] = {}
    if step == "first-response":
        now = datetime.now(LOCAL_TIME)
        values = {
            "responded_at-day": [str(now.day)],
            "responded_at-month": [str(now.month)],
            "responded_at-year": [str(now.year)],
            "responded_at-time": [now.strftime("%H:%M")],
        }
    return await _step_page(request, db_session, gate, report, step, values=values)


def _assessment_payload(form: Form) -> dict[str, Any]:
    """The risk tool's answers (``answers.q01``...), any level put higher with
    reasons, and each person's needs, as the API's Assessment."""
    answers = {
        name.split(".", 1)[1]: form.text(name)
        for name in form.values
        if name.startswith("answers.") and form.text(name)
    }

    def needs(who: str) -> dict[str, Any] | None:
        chosen, support = form.many(f"{who}.vulnerabilities"), form.text(f"{who}.support")
        return {"vulnerabilities": chosen, "support": support} if chosen or support else None

    return {
        "answers": answers or None,
        "harm_level": form.text("harm_level"),
        "judgement": form.text("judgement"),
        "complainant": needs("complainant"),
        "perpetrator": needs("perpetrator"),
    }


async def _do_step(
    request: Request, db: Session, gate: Gate, reference: str, step: str
) -> Template | Redirect:
    if step not in STEP_PAGES:
        from sharehub.errors import NotFound

        raise NotFound("page")
    report = await _report(db, request, reference)
    form = await Form.read(request)
    version = form.version()
    actor = request.user
    try:
        if step == "assessment":
            data = form.convert(Assessment, _assessment_payload(form), _messages())
            await service.assess(db, actor, report.id, version, data, gate)
            done = "assessed"
        elif step == "triage":
            told = form.date(
                "complainant_told_on", required=False, label=_("the complainant was told")
            )
            outcome = form.text("outcome")
            decided = form.convert(
                Triage,
                {
                    "outcome": outcome,
                    "definitions": form.many("definitions") if outcome == "asb" else [],
                    "matter": form.text("matter") if outcome == "not_asb" else None,
                    "signposted_to": form.text("signposted_to") if outcome == "not_asb" else None,
                    "complainant_told_on": told if outcome == "not_asb" else None,
                    "note": form.text("note"),
                },
                _messages(),
            )
            await service.triage(db, actor, report.id, version, decided, gate)
            done = "triaged"
        elif step == "satisfaction":
            asked = form.date("asked_on", label=_("they were asked"))
            answer = form.convert(
                SatisfactionAnswer, {"answer": form.text("answer"), "asked_on": asked}, _messages()
            )
            await service.record_satisfaction(db, actor, report.id, version, answer, gate)
            done = "satisfaction"
        elif step == "police-report":
            reported = form.date("reported_on", label=_("it was reported"))
            told_police = form.convert(
                PoliceReport,
                {
                    "reported_on": reported,
                    "reported_to": form.text("reported_to"),
                    "crime_reference": form.text("crime_reference"),
                },
                _messages(),
            )
            await service.report_to_police(db, actor, report.id, version, told_police, gate)
            done = "police"
        elif step == "first-response":
            answer = form.convert(
                FirstResponse, {"responded_at": _when(form, "responded_at")}, _messages()
            )
            await service.respond(db, actor, report.id, version, answer, gate)
            done = "responded"
        elif step == "closure":
            told = form.date("complainant_told_on", label=_("the complainant was told"))
            closure = form.convert(
                Closure,
                {
                    "reason": form.text("reason"),
                    "complainant_told_on": told,
                    "explanation": form.text("explanation"),
                    "case_review_offered": form.text("case_review_offered") == "yes",
                },
                _messages(),
            )
            await service.close(db, actor, report.id, version, closure, gate)
            done = "closed"
        else:
            change = form.convert(
                Reopening,
                {
                    "material_change": form.text("material_change") or "",
                    "conditions": form.many("conditions"),
                },
                _messages(),
            )
            await service.reopen(db, actor, report.id, version, change, gate)
            done = "reopened"
    except (FormErrors, DomainError) as failed:
        errors = await refused(db, form, failed, _messages())
        report = await _report(db, request, reference)
        return await _step_page(request, db, gate, report, step, errors=errors, values=form.values)
    return see_other(f"/asb-reports/{report.reference}?done={done}")


@post("/asb-reports/{reference:str}/{step:str}", opt=UPDATE, include_in_schema=False)
async def step_submit(
    request: Request, db_session: Session, gate: Gate, reference: Reference, step: Step
) -> Template | Redirect:
    return await _do_step(request, db_session, gate, reference, step)


# --- the people involved ------------------------------------------------------


@get("/asb-reports/{reference:str}/people/find", opt=UPDATE, include_in_schema=False)
async def find_person(
    request: Request, db_session: Session, gate: Gate, reference: Reference
) -> Template:
    report = await _report(db_session, request, reference)
    return await _page(
        request,
        db_session,
        gate,
        report,
        "asb/find_person.html",
        _("Add a person to the report"),
        roles=ASB_ROLES,
        found=None,
    )


@post("/asb-reports/{reference:str}/people/find", opt=UPDATE, include_in_schema=False)
async def search_person(
    request: Request, db_session: Session, gate: Gate, reference: Reference
) -> Template | Redirect:
    report = await _report(db_session, request, reference)
    form = await Form.read(request)
    title = _("Add a person to the report")
    if form.text("subject_id"):
        # A person was chosen from the results: link them in the role given.
        try:
            link = form.convert(
                SubjectLink,
                {"subject_id": form.text("subject_id"), "role": form.text("role")},
                _messages(),
            )
            await service.link_person(db_session, request.user, report.id, form.version(), link)
        except (FormErrors, DomainError) as failed:
            errors = await refused(db_session, form, failed, _messages())
            report = await _report(db_session, request, reference)
            return await _page(
                request,
                db_session,
                gate,
                report,
                "asb/find_person.html",
                title,
                errors=errors,
                values=form.values,
                status_code=400,
                roles=ASB_ROLES,
                found=None,
            )
        return see_other(f"/asb-reports/{report.reference}?done=person")
    found: list[Any] = []
    errors = None
    try:
        wanted = search_payload(form)
        if not wanted and not form.errors:
            form.errors.add(
                "name", _("Enter a name, date of birth or another detail to search for")
            )
        query = form.convert(SubjectSearch, wanted, {})
        found = await people.search_subjects(db_session, request.user, query, gate)
    except (FormErrors, DomainError) as failed:
        errors = await refused(db_session, form, failed)
        report = await _report(db_session, request, reference)  # read again after the rollback
    return await _page(
        request,
        db_session,
        gate,
        report,
        "asb/find_person.html",
        title,
        errors=errors,
        values=form.values,
        status_code=400 if errors else 200,
        roles=ASB_ROLES,
        found=found,
        searched=True,
    )


@get("/asb-reports/{reference:str}/people/new", opt=UPDATE, include_in_schema=False)
async def new_person(
    request: Request, db_session: Session, gate: Gate, reference: Reference
) -> Template:
    report = await _report(db_session, request, reference)
    return await _page(
        request,
        db_session,
        gate,
        report,
        "asb/new_person.html",
        _("Add a new person"),
        roles=ASB_ROLES,
    )


@post("/asb-reports/{reference:str}/people/new", opt=UPDATE, include_in_schema=False)
async def add_new_person(
    request: Request, db_session: Session, gate: Gate, reference: Reference
) -> Template | Redirect:
    report = await _report(db_session, request, reference)
    form = await Form.read(request)
    messages = {**_messages(), "identity.name": _("Enter the person's full name")}
    try:
        data = form.convert(
            SubjectCreate,
            {"kind": "person", "role": form.text("role"), "identity": identity_payload(form)},
            messages,
        )
        person = await people.create_subject(db_session, request.user, data, gate)
        link = SubjectLink(subject_id=person.id, role=data.role)
        await service.link_person(db_session, request.user, report.id, form.version(), link)
    except (FormErrors, DomainError) as failed:
        errors = await refused(db_session, form, failed, messages)
        report = await _report(db_session, request, reference)
        return await _page(
            request,
            db_session,
            gate,
            report,
            "asb/new_person.html",
            _("Add a new person"),
            errors=errors,
            values=form.values,
            status_code=400,
            roles=ASB_ROLES,
        )
    return see_other(f"/asb-reports/{report.reference}?done=person")


ROUTES = [
    list_reports,
    new_report,
    log_report,
    read_report,
    find_person,
    search_person,
    new_person,
    add_new_person,
    step_form,
    step_submit,
]
