"""Pages for people, consent, sharing decisions and safeguarding overrides:
thin over the same services as the API (privacy/controllers.py).

A person is found by exact details (posted, so identifiers never go in a URL)
or by their reference, and named in URLs by that reference
(/people/PER-2026-0042). The holding agency sees them in full, with the
consent on record and what each partner agency would see of them and why;
another agency sees them only through the disclosure gate, for a purpose it
names, and that view is recorded exactly as the API's read records it.
Consents and overrides are numbered per person in the order they were made
("consent 2"), so no page needs an id.

Each form is read into the API's own struct and handed to the same service;
what is refused comes back on the page as the GOV.UK error summary, and
nothing is written (the transaction is rolled back).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, time
from typing import Annotated, Any

import msgspec
from litestar import MediaType, Request, Response, get, post
from litestar.params import PathParameter, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy import select

from sharehub.agencies.models import Agency
from sharehub.calendar import LOCAL_TIME
from sharehub.db.references import looks_like
from sharehub.disclosure.gated import Rendered
from sharehub.errors import DomainError, NotFound, Unprocessable
from sharehub.identity.models import User
from sharehub.privacy import consent as consents
from sharehub.privacy import decisions, partners, reading
from sharehub.privacy import subjects as people
from sharehub.privacy.forms import identity_payload, search_payload
from sharehub.privacy.identity import IDENTITY_CATEGORIES
from sharehub.privacy.models import SafeguardingOverride, Subject
from sharehub.privacy.receipt import CONTENT_SECURITY_POLICY, consent_receipt
from sharehub.privacy.schemas import (
    ConsentCreate,
    ConsentView,
    OverrideCreate,
    OverrideReview,
    OverrideView,
    Recipients,
    SharingDecisionCreate,
    SubjectCreate,
    SubjectSearch,
    SubjectView,
    WithdrawalCreate,
)
from sharehub.protocols.terms import Purpose
from sharehub.web.forms import Form, FormErrors, refused
from sharehub.web.labels import N_
from sharehub.web.pages import agency_of, may, page_opt, render, see_other
from sharehub.web.params import Gate, Session
from sharehub.web.templating import _, ngettext

READ = page_opt("subject:read")
CREATE = page_opt("subject:create")
CONSENT_READ = page_opt("consent:read")
CONSENT_RECORD = page_opt("consent:record")
CONSENT_WITHDRAW = page_opt("consent:withdraw")
DECIDE = page_opt("sharing-decision:record")
OVERRIDE = page_opt("identity:override")
REVIEW = page_opt("override:review")

Reference = Annotated[str, PathParameter(max_length=20, description="e.g. PER-2026-0042")]
Number = Annotated[int, PathParameter(ge=1, le=100_000)]
PurposeQuery = Annotated[str | None, QueryParameter(required=False, max_length=40)]
Done = Annotated[str | None, QueryParameter(required=False, max_length=20)]

# How long an override may reveal an identity, in minutes (the API allows 5 to 480).
OVERRIDE_MINUTES = [15, 30, 60, 120, 240, 480]
OVERRIDE_DEFAULT = 60

NOTICES = {
    "added": N_("Person added"),
    "consent": N_("Consent recorded"),
    "withdrawn": N_("Consent withdrawn: it stops further sharing from now"),
    "decision": N_("Sharing decision recorded"),
    "override": N_("Safeguarding override recorded: a data protection officer will review it"),
    "reviewed": N_("Review recorded"),
}

# What a person reads when a field is left blank; a field filled in wrongly
# gets the rule it broke. The rules are the API's.
BLANK = {
    "role": N_("Select the role in which your agency knows them"),
    "identity.name": N_("Enter the person's full name"),
    "purposes": N_("Select at least one purpose"),
    "recipients": N_("Select at least one agency or protocol"),
    "categories": N_("Select the information it covers"),
    "how_given": N_("Select how consent was given"),
    "how": N_("Select how they withdrew consent"),
    "representative.name": N_("Enter the representative's name"),
    "representative.relationship": N_("Enter their relationship to the person"),
    "representative.authority": N_("Enter the authority they act on"),
    "purpose": N_("Select the purpose"),
    "legal_basis": N_("Enter the law you rely on"),
    "reasons": N_("Enter your reasons (at least 20 characters)"),
    "justification": N_("Enter why the identity must be revealed now (at least 30 characters)"),
    "outcome": N_("Select whether the override was justified"),
    "note": N_("Enter a note of your review"),
}
# The fields of each form in the order it asks for them (so is its error summary).
CONSENT_FIELDS = [
    "purposes",
    "recipients.agencies",
    "categories",
    "how_given",
    "representative.name",
    "representative.relationship",
    "representative.authority",
    "evidence_note",
    "given_at",
    "expires_at",
]
DECISION_FIELDS = [
    "purpose",
    "recipients.agencies",
    "categories",
    "legal_basis",
    "reasons",
    "expires_at",
]
# Errors the service names on a whole group, shown beside its first field.
ON_FIELD = {
    "recipients": "recipients.agencies",
    "representative": "representative.name",
}


def _blank(form: Form, names: Sequence[str]) -> dict[str, str]:
    """The blank-field message for each named field the form left empty."""
    return {
        n: _(BLANK[n])
        for n in names
        if n in BLANK and not form.many(n) and not form.text(f"{n}-day")
    }


def _tidy(errors: FormErrors, order: Sequence[str] = ()) -> FormErrors:
    """Errors on one item of a list ("categories.1") or on a group shown beside
    the field a person can put right, in the order the form asks (``order``)."""
    tidied: dict[str, str] = {}
    for name, message in errors.by_field.items():
        base = name
        while base.rsplit(".", 1)[-1].isdigit() and "." in base:
            base = base.rsplit(".", 1)[0]
        base = ON_FIELD.get(base, base)
        tidied.setdefault(base, message)
    place = {name: i for i, name in enumerate(order)}
    errors.by_field = dict(sorted(tidied.items(), key=lambda e: place.get(e[0], len(place))))
    return errors


async def _refused(
    db: Session,
    form: Form,
    failed: Exception,
    messages: Mapping[str, str],
    order: Sequence[str] = (),
) -> FormErrors:
    return _tidy(await refused(db, form, failed, messages), order)


def _end_of_day(form: Form, name: str, label: str) -> str | None:
    """An optional date as the end of that day in UK time (an expiry)."""
    day = form.date(name, required=False, label=label)
    if day is None:
        return None
    return datetime.combine(
        datetime.fromisoformat(day).date(), time(23, 59, 59), LOCAL_TIME
    ).isoformat()


def _recipients(form: Form) -> dict[str, list[str]]:
    return {
        "agencies": form.many("recipients.agencies"),
        "protocols": form.many("recipients.protocols"),
    }


async def _check_recipients(db: Session, form: Form, messages: Mapping[str, str]) -> None:
    """The service's own check of who is named, run before the rest so the page
    reports every bad field at once."""
    try:
        named = msgspec.convert(_recipients(form), Recipients, strict=False)
    except msgspec.ValidationError:
        return  # the struct's own message comes with the others
    try:
        await consents.check_recipients(db, named, "recipients")
    except Unprocessable as refusal:
        form.refused(refusal, messages)


def _choices(pairs: Sequence[tuple[uuid.UUID, str]], chosen: Sequence[str]) -> list[dict]:
    """Checkbox items for agencies (by name) or protocols (by title)."""
    return [{"value": str(i), "text": text, "checked": str(i) in chosen} for i, text in pairs]


def _purpose(value: str | None) -> Purpose | None:
    try:
        return Purpose(value) if value else None
    except ValueError:
        return None


def _numbered(items: Sequence[Any]) -> dict[uuid.UUID, int]:
    """Records of one person numbered in the order they were made (ids are
    time-ordered): what a page calls "consent 2"."""
    return {item.id: n for n, item in enumerate(sorted(items, key=lambda i: i.id), start=1)}


async def _names(db: Session, model: Any, ids: set[uuid.UUID | None], column: Any) -> dict:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict((await db.execute(select(model.id, column).where(model.id.in_(wanted)))).all())


async def _recipient_names(db: Session, recipients: Recipients) -> list[str]:
    """The agencies by name, and "every party to <protocol>" by title."""
    names, titles = await consents.recipient_names(db, recipients)
    found = [names.get(str(a), _("An agency no longer registered")) for a in recipients.agencies]
    found += [
        _("Every party to “{title}”").format(title=titles.get(str(p), _("a protocol")))
        for p in recipients.protocols
    ]
    return found


def _back_to(reference: str) -> dict[str, str]:
    return {"href": f"/people/{reference}", "text": _("Back to the person")}


# --- finding a person ------------------------------------------------------------


async def _find_page(
    request: Request,
    db: Session,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
    found: list[SubjectView] | None = None,
) -> Template:
    return await render(
        request,
        db,
        "people/find.html",
        title=_("Find a person"),
        status_code=400 if errors else 200,
        marking=found is not None,
        values=values or {},
        errors=errors,
        found=found,
        may_create=may(request, "subject:create"),
    )


@get("/people", opt=READ, include_in_schema=False)
async def find(
    request: Request,
    db_session: Session,
    reference: Annotated[str | None, QueryParameter(required=False, max_length=40)] = None,
) -> Template | Redirect:
    if reference is None:
        return await _find_page(request, db_session)
    form = Form({"reference": [reference]})
    wanted = form.text("reference") or ""
    if not looks_like("person", wanted):
        form.errors.add("reference", _("Enter a reference like PER-2026-0042"))
        return await _find_page(request, db_session, values=form.values, errors=form.errors)
    # Held by your agency or not, the person's page is next: for anyone else's
    # it asks why you are looking, the same for every reference, so the answer
    # here tells nothing about who the hub holds.
    return see_other(f"/people/{wanted.upper()}")


@post("/people", opt=READ, include_in_schema=False)
async def search(request: Request, db_session: Session, gate: Gate) -> Template:
    form = await Form.read(request)
    try:
        wanted = search_payload(form)
        if not wanted and not form.errors:
            form.errors.add(
                "name", _("Enter a name, date of birth or another detail to search for")
            )
        query = form.convert(SubjectSearch, wanted, {})
        found = await people.search_subjects(db_session, request.user, query, gate)
    except (FormErrors, DomainError) as failed:
        errors = await _refused(db_session, form, failed, {})
        return await _find_page(request, db_session, values=form.values, errors=errors)
    return await _find_page(request, db_session, values=form.values, found=found)


# --- adding a person ---------------------------------------------------------------


async def _new_page(
    request: Request,
    db: Session,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
) -> Template:
    return await render(
        request,
        db,
        "people/new.html",
        title=_("Add a person"),
        status_code=400 if errors else 200,
        marking=True,
        values=values or {},
        errors=errors,
        back={"href": "/people", "text": _("Back")},
    )


@get("/people/new", opt=CREATE, include_in_schema=False)
async def new_person(request: Request, db_session: Session) -> Template:
    return await _new_page(request, db_session)


@post("/people/new", opt=CREATE, include_in_schema=False)
async def add_person(request: Request, db_session: Session, gate: Gate) -> Template | Redirect:
    form = await Form.read(request)
    messages = _blank(form, ["role", "identity.name"])
    try:
        data = form.convert(
            SubjectCreate,
            {"kind": "person", "role": form.text("role"), "identity": identity_payload(form)},
            messages,
        )
        person = await people.create_subject(db_session, request.user, data, gate)
    except (FormErrors, DomainError) as failed:
        errors = await _refused(db_session, form, failed, messages)
        return await _new_page(request, db_session, values=form.values, errors=errors)
    return see_other(f"/people/{person.reference}?done=added")


# --- a person's page ------------------------------------------------------------------


async def _consent_rows(db: Session, items: list[ConsentView]) -> list[dict[str, Any]]:
    numbers = _numbered(items)
    users = await _names(db, User, {c.recorded_by for c in items}, User.display_name)
    return [
        {
            "number": numbers[c.id],
            "consent": c,
            "recipients": await _recipient_names(db, c.recipients),
            "recorded_by": users.get(c.recorded_by, ""),
        }
        for c in sorted(items, key=lambda c: numbers[c.id], reverse=True)
    ]


async def _override_rows(
    db: Session, views: list[OverrideView], numbers: Mapping[uuid.UUID, tuple[str, int]]
) -> list[dict[str, Any]]:
    users = await _names(db, User, {o.user_id for o in views}, User.display_name)
    agencies = await _names(db, Agency, {o.agency_id for o in views}, Agency.name)
    reviewers = await _names(db, User, {o.reviewed_by for o in views}, User.display_name)
    return [
        {
            "override": o,
            "reference": numbers[o.id][0],
            "number": numbers[o.id][1],
            "by": users.get(o.user_id, ""),
            "agency": agencies.get(o.agency_id, ""),
            "reviewed_by": reviewers.get(o.reviewed_by, ""),
        }
        for o in views
    ]


async def _holder_page(
    request: Request, db: Session, gate: Gate, subject: Subject, notice: str | None
) -> Template:
    actor = request.user
    view = await reading.subject_view(db, gate, actor, subject.id, None)
    context: dict[str, Any] = {
        "subject": view,
        "duplicates": await people.duplicate_references(db, subject, gate.cipher, gate.index),
        "consents": None,
        "decisions": None,
        "partners": None,
    }
    if may(request, "consent:read"):
        context["consents"] = await _consent_rows(
            db, await consents.list_consents(db, actor, subject.id, gate)
        )
        made = await decisions.list_sharing_decisions(db, actor, subject.id, gate)
        deciders = await _names(db, User, {d.decided_by for d in made}, User.display_name)
        context["decisions"] = [
            {
                "decision": d,
                "recipients": await _recipient_names(db, d.recipients),
                "by": deciders.get(d.decided_by, ""),
            }
            for d in made
        ]
        context["partners"] = await partners.what_partners_see(db, gate, actor, subject.id)
    overrides = await decisions.overrides_on(db, actor, subject.id)
    context["overrides"] = await _override_rows(
        db,
        await reading.override_views(db, gate, actor, overrides),
        await decisions.override_numbers(db, overrides),
    )
    return await render(
        request,
        db,
        "people/person.html",
        title=view.reference,
        marking=True,
        notice=notice,
        may_record_consent=may(request, "consent:record"),
        may_withdraw=may(request, "consent:withdraw"),
        may_decide=may(request, "sharing-decision:record"),
        back={"href": "/people", "text": _("Find a person")},
        **context,
    )


async def _choose_purpose(
    request: Request, db: Session, reference: str, errors: FormErrors | None = None
) -> Template:
    return await render(
        request,
        db,
        "people/purpose.html",
        title=_("Why are you looking at this person?"),
        status_code=400 if errors else 200,
        reference=reference.upper(),
        errors=errors,
        values={},
        back={"href": "/people", "text": _("Back")},
    )


async def _gated_page(
    request: Request,
    db: Session,
    gate: Gate,
    reference: str,
    purpose: Purpose,
    notice: str | None,
) -> Template:
    """Another agency's person, as the gate shows them for the purpose (recorded)."""
    view = await reading.subject_view_by_reference(db, gate, request.user, reference, purpose)
    mine = await decisions.active_override(db, request.user, view.id, purpose, gate.now)
    return await render(
        request,
        db,
        "people/gated.html",
        title=view.reference,
        marking=True,
        notice=notice,
        subject=view,
        purpose=purpose,
        holder=(await db.get(Agency, view.holding_agency_id)).name,  # type: ignore[union-attr]
        override=mine,
        may_override=may(request, "identity:override") and bool(view.person.withheld),
        back={"href": "/people", "text": _("Back")},
    )


@get("/people/{reference:str}", opt=READ, include_in_schema=False)
async def person(
    request: Request,
    db_session: Session,
    gate: Gate,
    reference: Reference,
    purpose: PurposeQuery = None,
    done: Done = None,
) -> Template:
    notice = _(NOTICES[done]) if done in NOTICES else None
    try:
        subject = await people.subject_by_reference(db_session, request.user, reference)
    except NotFound:
        # Another agency's person (or no one): what the gate shows for a purpose.
        # Asked the same for every reference, so the question tells nothing.
        chosen = _purpose(purpose)
        if chosen is None:
            errors = None
            if purpose:
                errors = FormErrors()
                errors.add("purpose", _(BLANK["purpose"]))
            return await _choose_purpose(request, db_session, reference, errors)
        return await _gated_page(request, db_session, gate, reference, chosen, notice)
    return await _holder_page(request, db_session, gate, subject, notice)


# --- consent -----------------------------------------------------------------------------


async def _consent_form(
    request: Request,
    db: Session,
    gate: Gate,
    subject: Subject,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
    template: str = "people/consent.html",
    title: str,
    **extra: Any,
) -> Template:
    agency_id = agency_of(request)
    values = values or {}
    return await render(
        request,
        db,
        template,
        title=title,
        status_code=400 if errors else 200,
        marking=True,
        reference=subject.reference,
        agencies=_choices(
            await partners.partner_agencies(db, agency_id, gate.today),
            values.get("recipients.agencies", []),
        ),
        protocols=_choices(
            await partners.protocols_in_force(db, agency_id, gate.today),
            values.get("recipients.protocols", []),
        ),
        values=values,
        errors=errors,
        back=_back_to(subject.reference),
        **extra,
    )


@get("/people/{reference:str}/consents/new", opt=CONSENT_RECORD, include_in_schema=False)
async def new_consent(
    request: Request, db_session: Session, gate: Gate, reference: Reference
) -> Template:
    subject = await people.subject_by_reference(db_session, request.user, reference)
    return await _consent_form(
        request, db_session, gate, subject, title=_("Record consent to share")
    )


@post("/people/{reference:str}/consents/new", opt=CONSENT_RECORD, include_in_schema=False)
async def record_consent(
    request: Request, db_session: Session, gate: Gate, reference: Reference
) -> Template | Redirect:
    subject = await people.subject_by_reference(db_session, request.user, reference)
    form = await Form.read(request)
    payload: dict[str, Any] = {
        "purposes": form.many("purposes"),
        "recipients": _recipients(form),
        "categories": form.many("categories"),
        "how_given": form.text("how_given"),
        "evidence_note": form.text("evidence_note"),
        "expires_at": _end_of_day(form, "expires_at", _("it expires")),
    }
    given_by = {k: form.text(f"representative.{k}") for k in ("name", "relationship", "authority")}
    if any(given_by.values()):
        payload["representative"] = {k: v or "" for k, v in given_by.items()}
    names = ["purposes", "categories", "how_given"]
    if any(given_by.values()):
        names += [f"representative.{k}" for k in given_by]
    messages = _blank(form, names)
    if not form.many("recipients.agencies") and not form.many("recipients.protocols"):
        messages["recipients"] = _(BLANK["recipients"])
    if form.text("how_given") == "representative" and not any(given_by.values()):
        messages["representative"] = _("Enter who gave consent and on what authority")
    try:
        await _check_recipients(db_session, form, messages)
        data = form.convert(ConsentCreate, payload, messages)
        await consents.record_consent(db_session, request.user, subject.id, data, gate)
    except (FormErrors, DomainError) as failed:
        errors = await _refused(db_session, form, failed, messages, CONSENT_FIELDS)
        subject = await people.subject_by_reference(db_session, request.user, reference)
        return await _consent_form(
            request,
            db_session,
            gate,
            subject,
            values=form.values,
            errors=errors,
            title=_("Record consent to share"),
        )
    return see_other(f"/people/{subject.reference}?done=consent")


async def _numbered_consent(
    db: Session, request: Request, gate: Gate, subject: Subject, number: int
) -> dict[str, Any]:
    items = await consents.list_consents(db, request.user, subject.id, gate)
    rows = [r for r in await _consent_rows(db, items) if r["number"] == number]
    if not rows:
        raise NotFound("consent")
    return rows[0]


async def _withdrawal_page(
    request: Request,
    db: Session,
    gate: Gate,
    reference: str,
    number: int,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
) -> Template:
    subject = await people.subject_by_reference(db, request.user, reference)
    row = await _numbered_consent(db, request, gate, subject, number)
    return await render(
        request,
        db,
        "people/withdrawal.html",
        title=_("Withdraw consent {number}").format(number=number),
        status_code=400 if errors else 200,
        marking=True,
        reference=subject.reference,
        row=row,
        values=values or {},
        errors=errors,
        back=_back_to(subject.reference),
    )


@get(
    "/people/{reference:str}/consents/{number:int}/withdrawal",
    opt=CONSENT_WITHDRAW,
    include_in_schema=False,
)
async def withdrawal_form(
    request: Request, db_session: Session, gate: Gate, reference: Reference, number: Number
) -> Template:
    return await _withdrawal_page(request, db_session, gate, reference, number)


@post(
    "/people/{reference:str}/consents/{number:int}/withdrawal",
    opt=CONSENT_WITHDRAW,
    include_in_schema=False,
)
async def withdraw(
    request: Request, db_session: Session, gate: Gate, reference: Reference, number: Number
) -> Template | Redirect:
    subject = await people.subject_by_reference(db_session, request.user, reference)
    row = await _numbered_consent(db_session, request, gate, subject, number)
    form = await Form.read(request)
    messages = _blank(form, ["how"])
    try:
        data = form.convert(
            WithdrawalCreate, {"how": form.text("how"), "note": form.text("note")}, messages
        )
        await consents.withdraw_consent(
            db_session, request.user, subject.id, row["consent"].id, data, gate
        )
    except (FormErrors, DomainError) as failed:
        errors = await _refused(db_session, form, failed, messages)
        return await _withdrawal_page(
            request, db_session, gate, reference, number, values=form.values, errors=errors
        )
    return see_other(f"/people/{subject.reference}?done=withdrawn")


@get(
    "/people/{reference:str}/consents/{number:int}/receipt",
    opt=CONSENT_READ,
    include_in_schema=False,
    media_type=MediaType.HTML,
)
async def receipt(
    request: Request, db_session: Session, gate: Gate, reference: Reference, number: Number
) -> Response[Rendered]:
    """The printable receipt the API serves, named by the person's reference."""
    subject = await people.subject_by_reference(db_session, request.user, reference)
    row = await _numbered_consent(db_session, request, gate, subject, number)
    name = f"{subject.reference}-C{number}"
    html = await consent_receipt(
        db_session, request.user, gate, subject.id, row["consent"].id, receipt_id=name
    )
    return Response(
        html,
        media_type=MediaType.HTML,
        headers={
            "content-security-policy": CONTENT_SECURITY_POLICY,
            "Content-Disposition": f'inline; filename="consent-receipt-{name}.html"',
        },
    )


# --- sharing decisions -------------------------------------------------------------------


@get("/people/{reference:str}/sharing-decisions/new", opt=DECIDE, include_in_schema=False)
async def new_decision(
    request: Request, db_session: Session, gate: Gate, reference: Reference
) -> Template:
    subject = await people.subject_by_reference(db_session, request.user, reference)
    return await _consent_form(
        request,
        db_session,
        gate,
        subject,
        template="people/decision.html",
        title=_("Record a decision to share without consent"),
        categories=sorted(c.value for c in IDENTITY_CATEGORIES),
    )


@post("/people/{reference:str}/sharing-decisions/new", opt=DECIDE, include_in_schema=False)
async def record_decision(
    request: Request, db_session: Session, gate: Gate, reference: Reference
) -> Template | Redirect:
    subject = await people.subject_by_reference(db_session, request.user, reference)
    form = await Form.read(request)
    payload = {
        "purpose": form.text("purpose"),
        "recipients": _recipients(form),
        "categories": form.many("categories"),
        "legal_basis": form.text("legal_basis") or "",
        "reasons": form.text("reasons") or "",
        "expires_at": _end_of_day(form, "expires_at", _("it ends")),
    }
    messages = _blank(form, ["purpose", "categories", "legal_basis", "reasons"])
    if not form.many("recipients.agencies") and not form.many("recipients.protocols"):
        messages["recipients"] = _(BLANK["recipients"])
    try:
        await _check_recipients(db_session, form, messages)
        data = form.convert(SharingDecisionCreate, payload, messages)
        await decisions.record_sharing_decision(db_session, request.user, subject.id, data, gate)
    except (FormErrors, DomainError) as failed:
        errors = await _refused(db_session, form, failed, messages, DECISION_FIELDS)
        subject = await people.subject_by_reference(db_session, request.user, reference)
        return await _consent_form(
            request,
            db_session,
            gate,
            subject,
            values=form.values,
            errors=errors,
            template="people/decision.html",
            title=_("Record a decision to share without consent"),
            categories=sorted(c.value for c in IDENTITY_CATEGORIES),
        )
    return see_other(f"/people/{subject.reference}?done=decision")


# --- safeguarding overrides -------------------------------------------------------------


def _minutes_items(chosen: str | None) -> list[dict[str, Any]]:
    chosen = chosen or str(OVERRIDE_DEFAULT)
    items = []
    for minutes in OVERRIDE_MINUTES:
        text = (
            ngettext("%(num)d minute", "%(num)d minutes", minutes)
            if minutes < 60
            else ngettext("%(num)d hour", "%(num)d hours", minutes // 60)
        )
        items.append({"value": str(minutes), "text": text, "selected": str(minutes) == chosen})
    return items


async def _override_page(
    request: Request,
    db: Session,
    reference: str,
    purpose: Purpose,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
) -> Template:
    values = values or {}
    return await render(
        request,
        db,
        "people/override.html",
        title=_("Reveal this person's identity"),
        status_code=400 if errors else 200,
        marking=True,
        reference=reference.upper(),
        purpose=purpose,
        minutes=_minutes_items((values.get("minutes") or [None])[0]),
        values=values,
        errors=errors,
        back={
            "href": f"/people/{reference.upper()}?purpose={purpose.value}",
            "text": _("Back to the person"),
        },
    )


@get("/people/{reference:str}/override", opt=OVERRIDE, include_in_schema=False)
async def override_form(
    request: Request, db_session: Session, gate: Gate, reference: Reference, purpose: PurposeQuery
) -> Template | Redirect:
    chosen = _purpose(purpose)
    if chosen is None:
        raise NotFound("page")
    try:
        held = await people.subject_by_reference(db_session, request.user, reference)
    except NotFound:
        pass
    else:  # nothing of their identity is withheld from their own agency
        return see_other(f"/people/{held.reference}")
    subject_id = await people.id_for_reference(db_session, reference)
    # Only where a protocol connects the agencies for the purpose (nothing is shown).
    await reading.reachable_subject(db_session, gate, request.user, subject_id, chosen)
    return await _override_page(request, db_session, reference, chosen)


@post("/people/{reference:str}/override", opt=OVERRIDE, include_in_schema=False)
async def raise_override(
    request: Request, db_session: Session, gate: Gate, reference: Reference
) -> Template | Redirect:
    form = await Form.read(request)
    chosen = _purpose(form.text("purpose"))
    if chosen is None:
        raise NotFound("page")
    subject_id = await people.id_for_reference(db_session, reference)
    messages = _blank(form, ["justification"])
    try:
        data = form.convert(
            OverrideCreate,
            {
                "purpose": chosen.value,
                "justification": form.text("justification") or "",
                # Left out, the API's default applies.
                **({"minutes": form.text("minutes")} if form.text("minutes") else {}),
            },
            messages,
        )
        await reading.raise_override(db_session, gate, request.user, subject_id, data)
    except (FormErrors, DomainError) as failed:
        if isinstance(failed, NotFound):
            raise
        errors = await _refused(db_session, form, failed, messages)
        return await _override_page(
            request, db_session, reference, chosen, values=form.values, errors=errors
        )
    return see_other(f"/people/{reference.upper()}?purpose={chosen.value}&done=override")


# --- the data protection officer's review queue ------------------------------------------


@get("/override-reviews", opt=REVIEW, include_in_schema=False)
async def review_queue(
    request: Request,
    db_session: Session,
    gate: Gate,
    show: Annotated[str | None, QueryParameter(required=False, max_length=20)] = None,
    done: Done = None,
) -> Template:
    reviewed = show == "reviewed"
    rows, total = await decisions.list_overrides(
        db_session, request.user, awaiting_review=not reviewed, limit=100, offset=0
    )
    views = await reading.override_views(db_session, gate, request.user, rows)
    return await render(
        request,
        db_session,
        "people/reviews.html",
        title=_("Override reviews"),
        marking=True,
        notice=_(NOTICES[done]) if done in NOTICES else None,
        reviewed=reviewed,
        rows=await _override_rows(
            db_session, views, await decisions.override_numbers(db_session, rows)
        ),
        summary=(
            ngettext("%(num)d override reviewed", "%(num)d overrides reviewed", total)
            if reviewed
            else ngettext(
                "%(num)d override awaiting review", "%(num)d overrides awaiting review", total
            )
        ),
    )


async def _review_page(
    request: Request,
    db: Session,
    gate: Gate,
    reference: str,
    number: int,
    *,
    values: dict[str, list[str]] | None = None,
    errors: FormErrors | None = None,
) -> Template:
    found: SafeguardingOverride = await decisions.override_by_number(
        db, request.user, reference, number
    )
    views = await reading.override_views(db, gate, request.user, [found])
    [row] = await _override_rows(db, views, await decisions.override_numbers(db, [found]))
    return await render(
        request,
        db,
        "people/review.html",
        title=_("Review override {number} on {reference}").format(
            number=number, reference=row["reference"]
        ),
        status_code=400 if errors else 200,
        marking=True,
        row=row,
        values=values or {},
        errors=errors,
        back={"href": "/override-reviews", "text": _("Back to the queue")},
    )


@get("/override-reviews/{reference:str}/{number:int}", opt=REVIEW, include_in_schema=False)
async def review_form(
    request: Request, db_session: Session, gate: Gate, reference: Reference, number: Number
) -> Template:
    return await _review_page(request, db_session, gate, reference, number)


@post("/override-reviews/{reference:str}/{number:int}", opt=REVIEW, include_in_schema=False)
async def review(
    request: Request, db_session: Session, gate: Gate, reference: Reference, number: Number
) -> Template | Redirect:
    found = await decisions.override_by_number(db_session, request.user, reference, number)
    form = await Form.read(request)
    messages = _blank(form, ["outcome", "note"])
    try:
        data = form.convert(
            OverrideReview, {"outcome": form.text("outcome"), "note": form.text("note")}, messages
        )
        await decisions.review_override(db_session, request.user, found.id, data, gate)
    except (FormErrors, DomainError) as failed:
        errors = await _refused(db_session, form, failed, messages)
        return await _review_page(
            request, db_session, gate, reference, number, values=form.values, errors=errors
        )
    return see_other("/override-reviews?done=reviewed")


ROUTES = [
    find,
    search,
    new_person,
    add_person,
    person,
    new_consent,
    record_consent,
    withdrawal_form,
    withdraw,
    receipt,
    new_decision,
    record_decision,
    override_form,
    raise_override,
    review_queue,
    review_form,
    review,
]
