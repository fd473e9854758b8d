""" "May I share this?": the disclosure check as a page, thin over the same
service as POST /api/disclosure-checks (disclosure/service.py).

The question names no one by name: a person the agency holds is given by
their reference (posted, never in a URL), and the hub then answers from the
consent, sharing decisions, overrides and MARAC referrals it records for
them. The answer is the engine's, in its words and citations, with what to
do next; where it asks for a person's review, someone allowed to record
sharing decisions records theirs on the same page, with the facts relied
on, into the check's ledger entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from litestar import Request, get, post
from litestar.response import Template
from sqlalchemy import select

from sharehub.agencies.models import Agency
from sharehub.db.references import looks_like
from sharehub.disclosure.schemas import (
    AssertedFact,
    DisclosureCheckAnswer,
    DisclosureCheckRequest,
)
from sharehub.disclosure.service import check_disclosure
from sharehub.errors import DomainError, NotFound
from sharehub.privacy import subjects as people
from sharehub.protocols.engine import ConsentState
from sharehub.protocols.terms import DataCategory
from sharehub.web.forms import Form, FormErrors, refused
from sharehub.web.labels import N_, label
from sharehub.web.pages import agency_of, may, page_opt, render
from sharehub.web.params import Gate, Session
from sharehub.web.templating import _

CHECK = page_opt("disclosure:check")
PATH = "/may-i-share"

BLANK = {
    "recipient_agency_id": N_("Select the agency you would share with"),
    "purpose": N_("Select what it is for"),
    "categories": N_("Select the information you would share"),
    "subject_role": N_(
        "Select the person's role, or give the reference of someone your agency holds"
    ),
}
FIELDS = ["recipient_agency_id", "purpose", "categories", "reference", "subject_role", "consent"]
# The question's fields, carried by the decision form so the same check is asked again.
QUESTION = (*FIELDS, "facts")
# What the asker may say they know, when the person is not one the hub holds.
FACTS = ("high_risk_of_serious_harm", "consent_would_prejudice")
FACT_WORDS = {
    "high_risk_of_serious_harm": N_("There is a high risk of serious harm to someone"),
    "consent_would_prejudice": N_(
        "Asking for consent would put someone at risk or prejudice the protection"
    ),
}


async def _agencies(db: Session, own: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    rows = await db.execute(
        select(Agency.id, Agency.name)
        .where(Agency.active.is_(True), Agency.id != own)
        .order_by(Agency.name)
    )
    return [(i, n) for i, n in rows]


async def _form_page(
    request: Request,
    db: Session,
    *,
    values: Mapping[str, list[str]] | None = None,
    errors: FormErrors | None = None,
) -> Template:
    values = values or {}
    chosen = (values.get("recipient_agency_id") or [""])[0]
    agencies = [{"value": "", "text": _("Choose an agency")}] + [
        {"value": str(i), "text": name, "selected": str(i) == chosen}
        for i, name in await _agencies(db, agency_of(request))
    ]
    picked = set(values.get("categories", []))
    categories = [
        {"value": c.value, "text": label("data_category", c), "checked": c.value in picked}
        for c in DataCategory
    ]
    facts = set(values.get("facts", []))
    return await render(
        request,
        db,
        "disclosure/check.html",
        title=_("May I share this?"),
        agencies=agencies,
        categories=categories,
        facts=[{"value": f, "text": _(FACT_WORDS[f]), "checked": f in facts} for f in FACTS],
        values=values,
        errors=errors,
        status_code=400 if errors else 200,
    )


@get(PATH, opt=CHECK, include_in_schema=False)
async def check_form(request: Request, db_session: Session) -> Template:
    return await _form_page(request, db_session)


def _question(form: Form, subject_id: uuid.UUID | None) -> dict[str, Any]:
    consent = form.text("consent") or ConsentState.NOT_SOUGHT.value
    facts = set(form.many("facts"))
    return {
        "recipient_agency_id": form.text("recipient_agency_id"),
        "purpose": form.text("purpose"),
        "categories": form.many("categories"),
        "subject_role": form.text("subject_role"),
        "subject_id": str(subject_id) if subject_id else None,
        "consent": consent,
        # The question's "given" is consent that covers this recipient: a
        # consent that does not is, for this disclosure, none.
        "consent_covers_recipient": consent == ConsentState.GIVEN.value,
        "high_risk_of_serious_harm": "high_risk_of_serious_harm" in facts,
        "consent_would_prejudice": "consent_would_prejudice" in facts,
    }


async def _person(request: Request, db: Session, form: Form) -> uuid.UUID | None:
    """The person the reference names, if the asker's agency holds them."""
    wanted = (form.text("reference") or "").upper()
    if not wanted:
        return None
    if not looks_like("person", wanted):
        form.errors.add("reference", _("Enter a reference like PER-2026-0042, or leave it blank"))
        return None
    try:
        subject = await people.subject_by_reference(db, request.user, wanted)
    except NotFound:
        form.errors.add("reference", _("Your agency holds no one with that reference"))
        return None
    return subject.id


async def _answer_page(
    request: Request,
    db: Session,
    gate: Gate,
    form: Form,
    answer: DisclosureCheckAnswer,
) -> Template:
    decision = answer.decision
    rules = gate.rules
    recipient = await db.get(Agency, answer.recipient_agency_id)
    reference = (form.text("reference") or "").upper()
    gateway = next((g.name for g in rules.gateways if g.code == decision.gateway), None)
    may_decide = may(request, "sharing-decision:record")
    next_steps: list[dict[str, str]] = []
    if decision.outcome != "permitted" and reference:
        next_steps.append(
            {
                "text": _("Record their consent"),
                "href": f"/people/{reference}/consents/new",
                "hint": _("If they agree to this agency having it for this purpose."),
            }
        )
        if may_decide:
            next_steps.append(
                {
                    "text": _("Record a decision to share without consent"),
                    "href": f"/people/{reference}/sharing-decisions/new",
                    "hint": _("Where the law allows it, for example to protect someone at risk."),
                }
            )
        if may(request, "identity:override"):
            next_steps.append(
                {
                    "text": _("Raise a safeguarding override"),
                    "href": f"/people/{reference}/override",
                    "hint": _("Only in an emergency: a data protection officer reviews it."),
                }
            )
    return await render(
        request,
        db,
        "disclosure/answer.html",
        title=label("check_outcome", decision.outcome),
        answer=answer,
        decision=decision,
        recipient=recipient.name if recipient else "",
        gateway=gateway,
        reference=reference,
        purpose=label("purpose", form.text("purpose")),
        next_steps=next_steps,
        may_decide=may_decide and decision.outcome == "needs_review" and answer.decided is None,
        facts=[
            {
                "value": f.value,
                "text": label("asserted_fact", f),
                "checked": f.value in form.many("decided_facts"),
            }
            for f in AssertedFact
        ],
        question=[(name, v) for name in QUESTION for v in form.many(name)],
    )


async def _check(
    request: Request, db: Session, gate: Gate, question: DisclosureCheckRequest
) -> DisclosureCheckAnswer:
    """The API's own check, asked by the person signed in (and recorded)."""
    return await check_disclosure(
        db,
        gate,
        discloser_agency_id=request.user.agency_id,
        asked_by=request.user.id,
        question=question,
        may_decide=may(request, "sharing-decision:record"),
    )


@post(PATH, opt=CHECK, include_in_schema=False)
async def ask(request: Request, db_session: Session, gate: Gate) -> Template:
    form = await Form.read(request)
    return await _asked(request, db_session, gate, form, with_decision=False)


@post(f"{PATH}/decision", opt=page_opt("sharing-decision:record"), include_in_schema=False)
async def decide(request: Request, db_session: Session, gate: Gate) -> Template:
    form = await Form.read(request)
    return await _asked(request, db_session, gate, form, with_decision=True)


async def _asked(
    request: Request, db: Session, gate: Gate, form: Form, *, with_decision: bool
) -> Template:
    messages = {n: _(BLANK[n]) for n in BLANK if not form.many(n) and n != "subject_role"}
    subject_id = await _person(request, db, form)
    if subject_id is None and not form.text("reference") and not form.text("subject_role"):
        messages["subject_role"] = _(BLANK["subject_role"])
        form.errors.add("subject_role", messages["subject_role"])
    payload = _question(form, subject_id)
    if with_decision:
        share = form.text("share")
        if share not in ("yes", "no"):
            form.errors.add("share", _("Select whether to share"))
        payload["decision"] = {"share": share == "yes", "facts": form.many("decided_facts")}
    try:
        for name, message in messages.items():
            form.errors.add(name, message)
        answer = await _check(
            request, db, gate, form.convert(DisclosureCheckRequest, payload, messages)
        )
    except (FormErrors, DomainError) as failed:
        errors = await refused(db, form, failed, messages)
        if with_decision and not (errors.by_field.keys() - {"share", "decision", "decision.facts"}):
            return await _decision_refused(request, db, gate, form, errors)
        errors.by_field = {
            k: v
            for k, v in sorted(
                errors.by_field.items(),
                key=lambda e: FIELDS.index(e[0]) if e[0] in FIELDS else len(FIELDS),
            )
        }
        return await _form_page(request, db, values=form.values, errors=errors)
    return await _answer_page(request, db, gate, form, answer)


async def _decision_refused(
    request: Request, db: Session, gate: Gate, form: Form, errors: FormErrors
) -> Template:
    """The decision form refused: the question asked again without it (nothing
    recorded), and the answer shown with the errors beside the decision."""
    fresh = Form({k: v for k, v in form.values.items() if k not in ("share", "decided_facts")})
    subject_id = await _person(request, db, fresh)
    answer = await _check(
        request, db, gate, fresh.convert(DisclosureCheckRequest, _question(fresh, subject_id))
    )
    page = await _answer_page(request, db, gate, form, answer)
    tidied = FormErrors()
    for name, message in errors.by_field.items():
        tidied.add("decided_facts" if name.startswith("decision") else name, message)
    assert isinstance(page.context, dict)
    page.context.update(errors=tidied, values=form.values)
    page.status_code = 400
    return page


ROUTES = [check_form, ask, decide]
