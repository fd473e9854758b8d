"""ASB cases: opened from one or more reports, worked to an action plan agreed
with the complainant, reviewed on the agency's interval, closed with a
reason the complainant is told. Everything that happens in a case is an
entry (casework.toml says what each kind may be); a legal step against a
person recorded as vulnerable waits for a proportionality review.

A case is its agency's own record: only its staff read it, so its texts come
back as written; a partner agency's actions name the agency, not what it holds.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.agencies.models import Agency
from sharehub.calendar import LOCAL_TIME
from sharehub.crypto import open_field, seal_field
from sharehub.db.base import new_id, utcnow
from sharehub.db.changes import check_version, write_changes
from sharehub.db.references import next_reference
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gate import own_text
from sharehub.errors import Conflict, NotFound, Unprocessable
from sharehub.identity.models import User
from sharehub.identity.principal import Principal
from sharehub.referrals.asb import policies
from sharehub.referrals.asb.case_schemas import (
    ActionDone,
    ActionPlan,
    CaseClosure,
    CaseCreate,
    CaseReviewIn,
    CaseSummary,
    CaseView,
    CctvAssessmentIn,
    ContactIn,
    DiaryEntryIn,
    EntryView,
    EvidenceRequestView,
    InterventionIn,
    ProportionalityReviewIn,
)
from sharehub.referrals.asb.casework import (
    casework_rules,
    cctv_review_due,
    needs_proportionality_review,
    next_contact,
    next_review,
    review_interval,
)
from sharehub.referrals.asb.models import (
    AsbCase,
    AsbCaseEntry,
    AsbCaseReport,
    AsbReport,
    AsbRiskAssessment,
)

KIND = "ASB case"
# Steps open to a case in each status (the rest are refused, naming these).
STEPS = {
    "open": [
        "action_plan",
        "contact",
        "diary",
        "intervention",
        "proportionality_review",
        "review",
        "evidence_request",
        "share_information",
        "cctv_assessment",
        "close",
    ],
    "closed": [],
}


def _local(at: datetime) -> date:
    return at.astimezone(LOCAL_TIME).date()


def raced(_: IntegrityError) -> Conflict:
    return Conflict("the case was changed at the same time; fetch it again")


async def get_case(db: AsyncSession, actor: Principal, case_id: uuid.UUID) -> AsbCase:
    case = await db.get(AsbCase, case_id)
    if case is None or case.agency_id != actor.agency_id:
        raise NotFound(KIND)
    return case


async def case_by_reference(db: AsyncSession, actor: Principal, reference: str) -> AsbCase:
    case = await db.scalar(select(AsbCase).where(AsbCase.reference == reference.upper()))
    if case is None or case.agency_id != actor.agency_id:
        raise NotFound(KIND)
    return case


async def case_of_report(db: AsyncSession, report_id: uuid.UUID) -> AsbCase | None:
    return await db.scalar(
        select(AsbCase).join(AsbCaseReport).where(AsbCaseReport.report_id == report_id)
    )


async def open_case(
    db: AsyncSession, actor: Principal, data: CaseCreate, gate: GateContext
) -> AsbCase:
    errors: list[tuple[str, str]] = []
    wanted = list(dict.fromkeys(data.report_ids))
    reports = {r.id: r for r in await db.scalars(select(AsbReport).where(AsbReport.id.in_(wanted)))}
    taken = set(
        await db.scalars(select(AsbCaseReport.report_id).where(AsbCaseReport.report_id.in_(wanted)))
    )
    for i, report_id in enumerate(wanted):
        report = reports.get(report_id)
        field = f"report_ids[{i}]"
        if report is None or report.agency_id != actor.agency_id:
            errors.append((field, "not a report your agency holds"))
        elif report_id in taken:
            errors.append((field, "that report is already in a case"))
        elif report.close_reason in ("not_asb", "domestic_abuse"):
            errors.append((field, "that report was not dealt with as ASB: triage it again first"))
    if errors:
        raise Unprocessable(errors)
    every = review_interval(
        data.review_every_days,
        await policies.case_review_every_days(db, actor.agency_id),
        casework_rules().review.every_days,
    )
    case = AsbCase(
        id=new_id(),
        agency_id=actor.agency_id,
        reference=await next_reference(db, "asb_case", _local(gate.now).year),
        status="open",
        case_officer_id=actor.user_id,
        opened_at=gate.now,
        opened_by=actor.user_id,
        review_every_days=every,
        next_review_on=next_review(gate.today, every),
        reports=[
            AsbCaseReport(report_id=report_id, position=i) for i, report_id in enumerate(wanted)
        ],
    )
    db.add(case)
    await write_changes(db, KIND, raced)
    return case


async def changing(
    db: AsyncSession, actor: Principal, case_id: uuid.UUID, version: int, step: str
) -> AsbCase:
    case = await get_case(db, actor, case_id)
    check_version(case, version, KIND)
    if step not in STEPS[case.status]:
        allowed = ", ".join(STEPS[case.status]) or "none"
        raise Conflict(f"'{step}' is not open to a case that is {case.status}; open now: {allowed}")
    return case


async def _entries(db: AsyncSession, case_id: uuid.UUID) -> list[AsbCaseEntry]:
    return list(
        await db.scalars(
            select(AsbCaseEntry)
            .where(AsbCaseEntry.case_id == case_id)
            .order_by(AsbCaseEntry.entry_date.desc(), AsbCaseEntry.created_at.desc())
        )
    )


async def _add(
    db: AsyncSession,
    gate: GateContext,
    actor: Principal,
    case: AsbCase,
    kind: str,
    day: date,
    *,
    text: str | None = None,
    code: str | None = None,
    agency_id: uuid.UUID | None = None,
    due_on: date | None = None,
) -> AsbCaseEntry:
    count = await db.scalar(
        select(func.count())
        .select_from(AsbCaseEntry)
        .where(AsbCaseEntry.case_id == case.id, AsbCaseEntry.kind == kind)
    )
    entry = AsbCaseEntry(
        id=new_id(),
        case_id=case.id,
        kind=kind,
        number=(count or 0) + 1,
        entry_date=day,
        code=code,
        agency_id=agency_id,
        due_on=due_on,
        by=actor.user_id,
    )
    seal_field(gate.cipher, entry, "text", text)
    db.add(entry)
    # A change to the case itself, so its version moves and a stale copy is refused.
    case.updated_at = utcnow()
    return entry


def _not_future(day: date, gate: GateContext, field: str) -> list[tuple[str, str]]:
    return [(field, "cannot be in the future")] if day > gate.today else []


def _not_before_opening(day: date, case: AsbCase, field: str) -> list[tuple[str, str]]:
    return [(field, "cannot be before the case was opened")] if day < _local(case.opened_at) else []


async def partner_errors(
    db: AsyncSession, agency_id: uuid.UUID | None, own: uuid.UUID, field: str
) -> list[tuple[str, str]]:
    if agency_id is None:
        return []
    agency = await db.get(Agency, agency_id)
    if agency is None or not agency.active:
        return [(field, "not an agency in the partnership")]
    if agency_id == own:
        return [(field, "that is your own agency: the owner is then the landlord")]
    return []


async def agree_plan(
    db: AsyncSession,
    actor: Principal,
    case_id: uuid.UUID,
    version: int,
    data: ActionPlan,
    gate: GateContext,
) -> AsbCase:
    """The action plan agreed with the complainant; agreeing a new one replaces
    the contact arrangement and adds its actions."""
    case = await changing(db, actor, case_id, version, "action_plan")
    rules = casework_rules()
    errors = _not_future(data.agreed_on, gate, "agreed_on")
    errors += _not_before_opening(data.agreed_on, case, "agreed_on")
    if data.contact_method not in rules.contact_methods:
        errors.append(("contact_method", "not a way of contact the hub knows"))
    if data.first_contact_on < gate.today:
        errors.append(("first_contact_on", "cannot be in the past"))
    for i, action in enumerate(data.actions):
        where = f"actions[{i}]"
        if action.due_on < gate.today:
            errors.append((f"{where}.due_on", "cannot be in the past"))
        if action.owner == "partner" and action.agency_id is None:
            errors.append((f"{where}.agency_id", "name the partner agency that takes it on"))
        elif action.owner != "partner" and action.agency_id is not None:
            errors.append((f"{where}.agency_id", "name an agency only for a partner's action"))
        errors += await partner_errors(db, action.agency_id, case.agency_id, f"{where}.agency_id")
    if errors:
        raise Unprocessable(errors)
    case.plan_agreed_on = data.agreed_on
    case.contact_method = data.contact_method
    case.contact_every_days = data.contact_every_days
    case.next_contact_on = data.first_contact_on
    for action in data.actions:
        await _add(
            db, gate, actor, case, "action", data.agreed_on,
            text=action.what, code=action.owner, agency_id=action.agency_id, due_on=action.due_on,
        )  # fmt: skip
        await db.flush()
    await write_changes(db, KIND, raced)
    return case


async def record_contact(
    db: AsyncSession,
    actor: Principal,
    case_id: uuid.UUID,
    version: int,
    data: ContactIn,
    gate: GateContext,
) -> AsbCase:
    case = await changing(db, actor, case_id, version, "contact")
    errors = _not_future(data.on, gate, "on") + _not_before_opening(data.on, case, "on")
    if data.method not in casework_rules().contact_methods:
        errors.append(("method", "not a way of contact the hub knows"))
    if errors:
        raise Unprocessable(errors)
    await _add(db, gate, actor, case, "contact", data.on, text=data.note, code=data.method)
    if case.contact_every_days:
        due = next_contact(data.on, case.contact_every_days)
        case.next_contact_on = max(due, case.next_contact_on or due)
    await write_changes(db, KIND, raced)
    return case


async def add_diary_entry(
    db: AsyncSession,
    actor: Principal,
    case_id: uuid.UUID,
    version: int,
    data: DiaryEntryIn,
    gate: GateContext,
) -> AsbCase:
    case = await changing(db, actor, case_id, version, "diary")
    errors = _not_future(data.on, gate, "on")
    if errors:
        raise Unprocessable(errors)
    await _add(db, gate, actor, case, "diary", data.on, text=data.what)
    await write_changes(db, KIND, raced)
    return case


async def perpetrator_vulnerable(db: AsyncSession, case: AsbCase) -> bool:
    """Whether any risk assessment on the case's reports records a
    vulnerability of the alleged perpetrator."""
    rows = await db.scalars(
        select(AsbRiskAssessment.perpetrator_needs).where(
            AsbRiskAssessment.report_id.in_([r.report_id for r in case.reports])
        )
    )
    return any(needs for needs in rows)


async def record_intervention(
    db: AsyncSession,
    actor: Principal,
    case_id: uuid.UUID,
    version: int,
    data: InterventionIn,
    gate: GateContext,
) -> AsbCase:
    case = await changing(db, actor, case_id, version, "intervention")
    rules = casework_rules()
    errors = _not_future(data.on, gate, "on") + _not_before_opening(data.on, case, "on")
    if data.kind not in rules.interventions:
        errors.append(("kind", "not an intervention in the policies' tool list"))
    errors += await partner_errors(db, data.agency_id, case.agency_id, "agency_id")
    if errors:
        raise Unprocessable(errors)
    reviews = [
        e.entry_date
        for e in await _entries(db, case.id)
        if e.kind == "proportionality_review" and e.code == "proceed"
    ]
    if needs_proportionality_review(
        rules, data.kind, await perpetrator_vulnerable(db, case), reviews, data.on
    ):
        raise Conflict(
            "the alleged perpetrator is recorded as vulnerable: record a proportionality "
            f"review that decides to proceed first ({rules.proportionality.citation})",
            field="kind",
        )
    await _add(
        db, gate, actor, case, "intervention", data.on,
        text=data.outcome, code=data.kind, agency_id=data.agency_id,
    )  # fmt: skip
    await write_changes(db, KIND, raced)
    return case


async def record_proportionality_review(
    db: AsyncSession,
    actor: Principal,
    case_id: uuid.UUID,
    version: int,
    data: ProportionalityReviewIn,
    gate: GateContext,
) -> AsbCase:
    case = await changing(db, actor, case_id, version, "proportionality_review")
    errors = _not_future(data.on, gate, "on") + _not_before_opening(data.on, case, "on")
    if errors:
        raise Unprocessable(errors)
    code = "proceed" if data.proceed else "do_not_proceed"
    await _add(
        db, gate, actor, case, "proportionality_review", data.on,
        text=data.considerations, code=code,
    )  # fmt: skip
    await write_changes(db, KIND, raced)
    return case


async def assess_cctv(
    db: AsyncSession,
    actor: Principal,
    case_id: uuid.UUID,
    version: int,
    data: CctvAssessmentIn,
    gate: GateContext,
) -> AsbCase:
    """The assessment before CCTV goes up: the issue, why it is proportionate
    to the privacy it intrudes on, what was tried first; covert recording
    only with its authorisation; fixed CCTV falls due for review in five years."""
    case = await changing(db, actor, case_id, version, "cctv_assessment")
    rules = casework_rules().cctv
    errors = _not_future(data.on, gate, "on") + _not_before_opening(data.on, case, "on")
    if data.covert and data.authorisation is None:
        errors.append(
            ("authorisation", f"covert recording needs its authorisation ({rules.covert_citation})")
        )
    if not data.covert and data.authorisation is not None:
        errors.append(("authorisation", "give an authorisation only for covert recording"))
    if errors:
        raise Unprocessable(errors)
    text = "\n".join(
        line
        for line in (
            f"The issue: {data.issue}",
            f"Why it is proportionate: {data.why_proportionate}",
            f"Tried first: {data.tried_first}",
            f"Authorisation: {data.authorisation}" if data.authorisation else None,
        )
        if line
    )
    # A new assessment is the review of the one before: it is done.
    for earlier in await _entries(db, case.id):
        if earlier.kind == "cctv_assessment" and earlier.done_on is None:
            earlier.done_on = data.on
    await _add(
        db, gate, actor, case, "cctv_assessment", data.on,
        text=text,
        code=f"{'covert' if data.covert else 'overt'}_{'fixed' if data.fixed else 'temporary'}",
        due_on=cctv_review_due(data.on, rules.review_every_years) if data.fixed else None,
    )  # fmt: skip
    await write_changes(db, KIND, raced)
    return case


async def record_review(
    db: AsyncSession,
    actor: Principal,
    case_id: uuid.UUID,
    version: int,
    data: CaseReviewIn,
    gate: GateContext,
) -> AsbCase:
    """A regular case review: the next falls due one interval on."""
    case = await changing(db, actor, case_id, version, "review")
    errors = _not_future(data.on, gate, "on") + _not_before_opening(data.on, case, "on")
    if data.outcome not in casework_rules().review_outcomes:
        errors.append(("outcome", "not a review outcome the hub knows"))
    if errors:
        raise Unprocessable(errors)
    await _add(db, gate, actor, case, "review", data.on, text=data.note, code=data.outcome)
    case.next_review_on = next_review(data.on, case.review_every_days)
    await write_changes(db, KIND, raced)
    return case


async def complete_action(
    db: AsyncSession,
    actor: Principal,
    case_id: uuid.UUID,
    number: int,
    version: int,
    data: ActionDone,
    gate: GateContext,
) -> AsbCase:
    case = await changing(db, actor, case_id, version, "action_plan")
    action = await db.scalar(
        select(AsbCaseEntry).where(
            AsbCaseEntry.case_id == case.id,
            AsbCaseEntry.kind == "action",
            AsbCaseEntry.number == number,
        )
    )
    if action is None:
        raise NotFound("action")
    if action.done_on is not None:
        raise Conflict("that action is already done")
    errors = _not_future(data.on, gate, "on")
    if data.on < action.entry_date:
        errors.append(("on", "cannot be before the action was agreed"))
    if errors:
        raise Unprocessable(errors)
    action.done_on = data.on
    case.updated_at = utcnow()
    await write_changes(db, KIND, raced)
    return case


async def close_case(
    db: AsyncSession,
    actor: Principal,
    case_id: uuid.UUID,
    version: int,
    data: CaseClosure,
    gate: GateContext,
) -> AsbCase:
    case = await changing(db, actor, case_id, version, "close")
    errors = _not_future(data.complainant_told_on, gate, "complainant_told_on")
    errors += _not_before_opening(data.complainant_told_on, case, "complainant_told_on")
    if errors:
        raise Unprocessable(errors)
    case.status, case.closed_at, case.close_reason = "closed", gate.now, data.reason
    case.next_contact_on = None
    await write_changes(db, KIND, raced)
    return case


# --- views -------------------------------------------------------------------------------


def _due(day: date | None, today: date) -> bool:
    return day is not None and day < today


async def view_of(db: AsyncSession, actor: Principal, case: AsbCase, gate: GateContext) -> CaseView:
    entries = await _entries(db, case.id)
    users = {e.by for e in entries if e.by} | ({case.case_officer_id} - {None})
    names = dict(
        (await db.execute(select(User.id, User.display_name).where(User.id.in_(users)))).all()
    )
    agencies = {e.agency_id for e in entries if e.agency_id}
    agency_names = dict(
        (await db.execute(select(Agency.id, Agency.name).where(Agency.id.in_(agencies)))).all()
    )
    references = dict(
        (
            await db.execute(
                select(AsbReport.id, AsbReport.reference).where(
                    AsbReport.id.in_([r.report_id for r in case.reports])
                )
            )
        ).all()
    )
    today = gate.today
    open_ = case.status == "open"
    return CaseView(
        id=case.id,
        reference=case.reference,
        version=case.version,
        status=case.status,  # type: ignore[arg-type]
        case_officer=names.get(case.case_officer_id) if case.case_officer_id else None,
        opened_at=case.opened_at,
        reports=[references[r.report_id] for r in case.reports if r.report_id in references],
        review_every_days=case.review_every_days,
        next_review_on=case.next_review_on,
        review_overdue=open_ and _due(case.next_review_on, today),
        plan_agreed_on=case.plan_agreed_on,
        contact_method=case.contact_method,
        contact_every_days=case.contact_every_days,
        next_contact_on=case.next_contact_on,
        contact_due=open_ and case.next_contact_on is not None and case.next_contact_on <= today,
        perpetrator_vulnerable=await perpetrator_vulnerable(db, case),
        closed_at=case.closed_at,
        close_reason=case.close_reason,
        entries=[_entry_view(e, actor, case, gate, names, agency_names, today) for e in entries],
        evidence_requests=await _evidence(db, actor, case, gate),
        next_steps=list(STEPS[case.status]),
    )


async def _evidence(
    db: AsyncSession, actor: Principal, case: AsbCase, gate: GateContext
) -> list[EvidenceRequestView]:
    # evidence.py builds each request through the gate (and imports this module).
    from sharehub.referrals.asb import evidence

    return await evidence.requests_of_case(db, actor, case, gate)


def _entry_view(
    entry: AsbCaseEntry,
    actor: Principal,
    case: AsbCase,
    gate: GateContext,
    names: dict[uuid.UUID, str],
    agencies: dict[uuid.UUID, str],
    today: date,
) -> EntryView:
    # The agency's own record, read only by its own staff: its words as written.
    text = open_field(gate.cipher, entry, "text")
    return EntryView(
        kind=entry.kind,  # type: ignore[arg-type]
        number=entry.number,
        on=entry.entry_date,
        code=entry.code,
        agency=agencies.get(entry.agency_id) if entry.agency_id else None,  # type: ignore[arg-type]
        due_on=entry.due_on,
        done_on=entry.done_on,
        # An action past its day, or fixed CCTV past its review.
        overdue=entry.kind in ("action", "cctv_assessment")
        and entry.done_on is None
        and _due(entry.due_on, today),
        text=own_text(actor.agency_id, case.agency_id, text),
        by=names.get(entry.by) if entry.by else None,  # type: ignore[arg-type]
    )


def _clause(
    agency_id: uuid.UUID,
    status: str | None,
    overdue: bool,
    contact_due: bool,
    today: date,
    cctv_due: bool = False,
) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = [AsbCase.agency_id == agency_id]
    if status:
        conditions.append(AsbCase.status == status)
    if overdue:
        conditions += [AsbCase.status == "open", AsbCase.next_review_on < today]
    if contact_due:
        conditions += [AsbCase.status == "open", AsbCase.next_contact_on <= today]
    if cctv_due:
        # Fixed CCTV past its five-yearly review, whether or not the case is open.
        conditions.append(
            AsbCase.id.in_(
                select(AsbCaseEntry.case_id).where(
                    AsbCaseEntry.kind == "cctv_assessment",
                    AsbCaseEntry.done_on.is_(None),
                    AsbCaseEntry.due_on <= today,
                )
            )
        )
    return and_(*conditions) if len(conditions) > 1 else conditions[0]


async def list_cases(
    db: AsyncSession,
    actor: Principal,
    gate: GateContext,
    *,
    status: str | None = None,
    review_overdue: bool = False,
    contact_due: bool = False,
    cctv_review_due: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[CaseSummary], int]:
    today = gate.today
    where = _clause(actor.agency_id, status, review_overdue, contact_due, today, cctv_review_due)
    total = await db.scalar(select(func.count()).select_from(AsbCase).where(where)) or 0
    rows: Sequence[AsbCase] = (
        await db.scalars(
            select(AsbCase)
            .where(where)
            .order_by(AsbCase.next_review_on, AsbCase.reference)
            .limit(limit)
            .offset(offset)
        )
    ).all()
    return [
        CaseSummary(
            id=c.id,
            reference=c.reference,
            status=c.status,  # type: ignore[arg-type]
            next_review_on=c.next_review_on,
            review_overdue=c.status == "open" and _due(c.next_review_on, today),
            next_contact_on=c.next_contact_on,
            contact_due=c.status == "open"
            and c.next_contact_on is not None
            and c.next_contact_on <= today,
        )
        for c in rows
    ], total
