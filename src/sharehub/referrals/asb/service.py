"""ASB reports: logged (every one, even where no action follows), triaged
against the ASB definitions (triage.py: dealt with as ASB, set aside and
signposted, or the domestic abuse route), assessed with the complainant on a
versioned risk tool and reassessed (risk_tool.py), answered within the
target, reported on to the police where criminal, closed with a reason the
complainant is told, reopened only on a material change.

The lifecycle is the table ``STEPS``: the statuses each step may start from
and the status it leaves. Any other step is a conflict that names the steps
open from where the report stands.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.calendar import LOCAL_TIME
from sharehub.crypto import open_field, seal_field
from sharehub.db.base import new_id, utcnow
from sharehub.db.changes import check_version, write_changes
from sharehub.db.references import next_reference
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gate import SubjectInRecord, Viewer, disclose
from sharehub.errors import Conflict, NotFound, Unprocessable
from sharehub.identity.models import User
from sharehub.identity.principal import Principal
from sharehub.privacy.models import Subject
from sharehub.privacy.subjects import held_subject_errors
from sharehub.protocols.engine import SubjectRole
from sharehub.protocols.terms import Purpose
from sharehub.referrals.asb.models import (
    AsbReport,
    AsbReportEvent,
    AsbReportSubject,
    AsbRiskAssessment,
    TriagePolicy,
)
from sharehub.referrals.asb.policies import policy_for
from sharehub.referrals.asb.risk_tool import answer_errors, higher, risk_tools, score
from sharehub.referrals.asb.schemas import (
    Assessment,
    AssessmentView,
    Closure,
    FirstResponse,
    Needs,
    PoliceReport,
    Reopening,
    ReportCreate,
    ReportEvent,
    ReportSummary,
    ReportView,
    SatisfactionAnswer,
    SubjectLink,
    Triage,
)
from sharehub.referrals.asb.targets import response_due
from sharehub.referrals.asb.triage import (
    Matter,
    TriageRules,
    agency_matters,
    reopening_errors,
    signpost_for,
    triage_errors,
    triage_rules,
)
from sharehub.referrals.marac.models import MaracReferral
from sharehub.referrals.marac.risks import reference_of

KIND = "ASB report"
MAX_PEOPLE = 30
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Step:
    starts_from: frozenset[str]
    leaves: str | None  # None: the status stays


STEPS: dict[str, Step] = {
    # Triage closes a report set aside as not ASB or sent the domestic abuse way.
    "triage": Step(frozenset({"open", "assessed"}), None),
    "assess": Step(frozenset({"open", "assessed"}), "assessed"),
    "respond": Step(frozenset({"assessed"}), None),
    "close": Step(frozenset({"open", "assessed"}), "closed"),
    "reopen": Step(frozenset({"closed"}), "open"),
    "report_to_police": Step(frozenset({"open", "assessed", "closed"}), None),
    # After closure: the complainant's satisfaction (TSM TP12), once per closure.
    "record_satisfaction": Step(frozenset({"closed"}), None),
}


def next_steps(status: str) -> list[str]:
    return [name for name, step in STEPS.items() if status in step.starts_from]


def _check_step(report: AsbReport, name: str) -> None:
    if report.status not in STEPS[name].starts_from:
        allowed = ", ".join(next_steps(report.status)) or "none"
        raise Conflict(
            f"'{name}' is not open to a report that is {report.status}; "
            f"the steps open now: {allowed}"
        )


def _happened(
    db: AsyncSession,
    report: AsbReport,
    kind: str,
    actor: Principal,
    at: datetime,
    detail: str | None = None,
) -> None:
    db.add(AsbReportEvent(report_id=report.id, at=at, kind=kind, detail=detail, by=actor.user_id))


def breached(report: AsbReport, now: datetime) -> bool:
    if report.response_due_at is None:
        return False
    answered = report.responded_at or now
    return answered > report.response_due_at


def _when(value: datetime | None, now: datetime, field: str) -> datetime:
    if value is None:
        return now
    if value.tzinfo is None:
        raise Unprocessable([(field, "give a time zone (for example Z or +01:00)")])
    if value > now + CLOCK_SKEW:
        raise Unprocessable([(field, "cannot be in the future")])
    return value


async def log_report(
    db: AsyncSession, actor: Principal, data: ReportCreate, gate: GateContext
) -> AsbReport:
    errors: list[tuple[str, str]] = []
    received = _when(data.received_at, gate.now, "received_at")
    if data.incident_on > received.date() + timedelta(days=1):
        errors.append(("incident_on", "the incident cannot be after the report was received"))
    if (data.category == "hate_incident") != (data.perceived_motivation is not None):
        errors.append(
            ("perceived_motivation", "record the perceived motivation for a hate incident, only")
        )
    ids = [link.subject_id for link in data.subjects]
    errors += await held_subject_errors(db, actor.agency_id, ids)
    if errors:
        raise Unprocessable(errors)
    report = AsbReport(
        id=new_id(),
        reference=await next_reference(db, "asb_report", received.year),
        agency_id=actor.agency_id,
        recorded_by=actor.user_id,
        channel=data.channel,
        received_at=received,
        incident_on=data.incident_on,
        category=data.category,
        perceived_motivation=data.perceived_motivation,
        status="open",
        reopened=0,
        subjects=[
            AsbReportSubject(subject_id=link.subject_id, role=link.role.value, position=i)
            for i, link in enumerate(data.subjects)
        ],
    )
    seal_field(gate.cipher, report, "place", data.place)
    seal_field(gate.cipher, report, "narrative", data.narrative)
    db.add(report)
    await db.flush()
    _happened(db, report, "logged", actor, received, data.channel)
    await db.flush()
    return report


async def get_report(db: AsyncSession, actor: Principal, report_id: uuid.UUID) -> AsbReport:
    """A report of the actor's agency; 404 for any other, so ids do not leak."""
    report = await db.get(AsbReport, report_id)
    if report is None or report.agency_id != actor.agency_id:
        raise NotFound(KIND)
    return report


async def report_by_reference(db: AsyncSession, actor: Principal, reference: str) -> AsbReport:
    """The same, found by the reference people use ("ASB-2026-0042")."""
    report = await db.scalar(select(AsbReport).where(AsbReport.reference == reference.upper()))
    if report is None or report.agency_id != actor.agency_id:
        raise NotFound(KIND)
    return report


async def _changing(
    db: AsyncSession, actor: Principal, report_id: uuid.UUID, version: int, step: str
) -> AsbReport:
    report = await get_report(db, actor, report_id)
    check_version(report, version, KIND)
    _check_step(report, step)
    return report


def _raced(_: IntegrityError) -> Conflict:
    return Conflict("the report was changed at the same time; fetch it again")


def _needs_errors(needs: Needs | None, field: str) -> list[tuple[str, str]]:
    known = risk_tools().vulnerabilities.words
    if needs is None:
        return []
    return [
        (f"{field}.vulnerabilities", "not a vulnerability the hub records")
        for code in needs.vulnerabilities
        if code not in known
    ][:1]


def _scored(data: Assessment) -> tuple[str, AsbRiskAssessment | None]:
    """The level an assessment sets, and the completed tool to keep (None for
    a level given without one). Raises naming every field wrong."""
    tools = risk_tools()
    errors = _needs_errors(data.complainant, "complainant")
    errors += _needs_errors(data.perpetrator, "perpetrator")
    if data.answers is None and data.tool is None:
        if data.harm_level is None:
            errors.append(("answers", "complete the risk assessment, or give the harm level"))
        if errors:
            raise Unprocessable(errors)
        return data.harm_level or "low", None
    tool = tools.tools.get(data.tool) if data.tool else tools.in_use()
    if tool is None:
        raise Unprocessable([("tool", "not a risk assessment tool the hub has"), *errors])
    answers = data.answers or {}
    errors += answer_errors(tool, answers)
    total, scored = score(tool, answers)
    level = data.harm_level or scored
    if level != scored and not higher(level, scored):
        errors.append(
            (
                "harm_level",
                f"the answers score {scored} harm: the level may be put higher, with your "
                "reasons, never lower",
            )
        )
    elif level != scored and data.judgement is None:
        errors.append(("judgement", "give your reasons for putting the harm higher"))
    if errors:
        raise Unprocessable(errors)
    row = AsbRiskAssessment(
        id=new_id(),
        tool=tool.key,
        answers=dict(answers),
        score=total,
        scored_level=scored,
        level=level,
        complainant_needs=list(data.complainant.vulnerabilities) if data.complainant else [],
        perpetrator_needs=list(data.perpetrator.vulnerabilities) if data.perpetrator else [],
    )
    return level, row


async def assess(
    db: AsyncSession,
    actor: Principal,
    report_id: uuid.UUID,
    version: int,
    data: Assessment,
    gate: GateContext,
) -> AsbReport:
    report = await _changing(db, actor, report_id, version, "assess")
    level, completed = _scored(data)
    if completed is not None:
        completed.report_id, completed.assessed_by = report.id, actor.user_id
        completed.assessed_at = gate.now
        seal_field(gate.cipher, completed, "judgement", data.judgement)
        for who, needs in (("complainant", data.complainant), ("perpetrator", data.perpetrator)):
            seal_field(gate.cipher, completed, f"{who}_support", needs.support if needs else None)
        db.add(completed)
    reassessed = report.harm_level is not None
    report.harm_level = level
    report.assessed_at, report.assessed_by = gate.now, actor.user_id
    # The target runs from when the report was received, not from the
    # assessment; a reassessment before the first response can only bring it
    # forward, never put it back.
    due = response_due(report.received_at, level, await policy_for(db, report.agency_id))
    if report.responded_at is None:
        current = report.response_due_at
        report.response_due_at = due if current is None else min(current, due)
    report.status = STEPS["assess"].leaves or report.status
    _happened(db, report, "reassessed" if reassessed else "assessed", actor, gate.now, level)
    await write_changes(db, KIND, _raced)
    return report


async def matters_of(
    db: AsyncSession, agency_id: uuid.UUID, rules: TriageRules
) -> dict[str, Matter]:
    """The agency's matters not dealt with as ASB (the whole catalogue by default)."""
    row = await db.scalar(select(TriagePolicy).where(TriagePolicy.agency_id == agency_id))
    if row is None:
        return agency_matters(rules, None)
    own = {
        m["code"]: Matter(words=m["words"], signpost=m["signpost"], citation=row.source)
        for m in row.own_matters
    }
    return agency_matters(rules, row.matters, own)


async def triage(
    db: AsyncSession,
    actor: Principal,
    report_id: uuid.UUID,
    version: int,
    data: Triage,
    gate: GateContext,
) -> AsbReport:
    report = await _changing(db, actor, report_id, version, "triage")
    rules = triage_rules()
    matters = await matters_of(db, report.agency_id, rules)
    errors = triage_errors(
        rules,
        matters,
        category=report.category,
        outcome=data.outcome,
        definitions=data.definitions,
        matter=data.matter,
        signposted_to=data.signposted_to,
        told=data.complainant_told_on is not None,
    )
    told = data.complainant_told_on
    if told is not None and told > gate.today:
        errors.append(("complainant_told_on", "cannot be in the future"))
    elif told is not None and told < _received_day(report):
        errors.append(("complainant_told_on", "cannot be before the report was received"))
    if errors:
        raise Unprocessable(errors)
    report.triage_outcome = data.outcome
    report.triage_definitions = list(dict.fromkeys(data.definitions)) or None
    report.not_asb_matter = data.matter
    report.signposted_to = (
        signpost_for(rules, matters, data.matter, data.signposted_to) if data.matter else None
    )
    report.triaged_at, report.triaged_by = gate.now, actor.user_id
    seal_field(gate.cipher, report, "triage_note", data.note)
    if data.outcome != "asb":
        # Logged and kept, but closed: set aside as not ASB (the complainant
        # told and pointed elsewhere), or handed to the domestic abuse route,
        # which does not run on the ASB response targets.
        report.status = "closed"
        report.closed_at, report.close_reason = gate.now, data.outcome
        report.complainant_told_on = told
        if data.outcome == "domestic_abuse":
            report.harm_level = report.response_due_at = None
    _happened(db, report, "triaged", actor, gate.now, data.outcome)
    await write_changes(db, KIND, _raced)
    return report


def _received_day(report: AsbReport) -> date:
    return report.received_at.astimezone(LOCAL_TIME).date()


async def report_to_police(
    db: AsyncSession,
    actor: Principal,
    report_id: uuid.UUID,
    version: int,
    data: PoliceReport,
    gate: GateContext,
) -> AsbReport:
    """Record that criminal behaviour or a hate crime was reported on to the
    police: when, to whom, and their reference."""
    report = await _changing(db, actor, report_id, version, "report_to_police")
    errors: list[tuple[str, str]] = []
    if data.reported_on > gate.today:
        errors.append(("reported_on", "cannot be in the future"))
    elif data.reported_on < _received_day(report):
        errors.append(("reported_on", "cannot be before the report was received"))
    if errors:
        raise Unprocessable(errors)
    report.police_reported_on = data.reported_on
    seal_field(gate.cipher, report, "police_reported_to", data.reported_to)
    seal_field(gate.cipher, report, "police_reference", data.crime_reference)
    report.updated_at = utcnow()
    _happened(db, report, "reported_to_police", actor, gate.now)
    await write_changes(db, KIND, _raced)
    return report


async def respond(
    db: AsyncSession,
    actor: Principal,
    report_id: uuid.UUID,
    version: int,
    data: FirstResponse,
    gate: GateContext,
) -> AsbReport:
    report = await _changing(db, actor, report_id, version, "respond")
    if report.responded_at is not None:
        raise Conflict("the first response is already recorded")
    responded = _when(data.responded_at, gate.now, "responded_at")
    if responded < report.received_at:
        raise Unprocessable([("responded_at", "cannot be before the report was received")])
    report.responded_at = responded
    _happened(db, report, "responded", actor, responded)
    await write_changes(db, KIND, _raced)
    return report


async def close(
    db: AsyncSession,
    actor: Principal,
    report_id: uuid.UUID,
    version: int,
    data: Closure,
    gate: GateContext,
) -> AsbReport:
    report = await _changing(db, actor, report_id, version, "close")
    if data.complainant_told_on > gate.today:
        raise Unprocessable([("complainant_told_on", "cannot be in the future")])
    if data.complainant_told_on < _received_day(report):
        raise Unprocessable([("complainant_told_on", "cannot be before the report was received")])
    report.status = "closed"
    report.closed_at, report.close_reason = gate.now, data.reason
    report.complainant_told_on = data.complainant_told_on
    seal_field(gate.cipher, report, "closure_explanation", data.explanation)
    report.case_review_offered = data.case_review_offered
    _happened(db, report, "closed", actor, gate.now, data.reason)
    await write_changes(db, KIND, _raced)
    return report


async def record_satisfaction(
    db: AsyncSession,
    actor: Principal,
    report_id: uuid.UUID,
    version: int,
    data: SatisfactionAnswer,
    gate: GateContext,
) -> AsbReport:
    """The complainant's answer when asked, after closure, how satisfied they
    are with how the landlord handled it: once per closure."""
    report = await _changing(db, actor, report_id, version, "record_satisfaction")
    if report.close_reason in ("not_asb", "domestic_abuse"):
        raise Conflict("it was not handled as ASB, so its satisfaction is not asked")
    if report.satisfaction is not None:
        raise Conflict("their satisfaction is already recorded for this closure")
    closed_on = report.closed_at.astimezone(LOCAL_TIME).date() if report.closed_at else None
    if data.asked_on > gate.today:
        raise Unprocessable([("asked_on", "cannot be in the future")])
    if closed_on and data.asked_on < closed_on:
        raise Unprocessable([("asked_on", "is asked after the report is closed")])
    report.satisfaction, report.satisfaction_asked_on = data.answer, data.asked_on
    report.updated_at = utcnow()
    _happened(db, report, "satisfaction", actor, gate.now, data.answer)
    await write_changes(db, KIND, _raced)
    return report


async def reopen(
    db: AsyncSession,
    actor: Principal,
    report_id: uuid.UUID,
    version: int,
    data: Reopening,
    gate: GateContext,
) -> AsbReport:
    report = await _changing(db, actor, report_id, version, "reopen")
    errors = reopening_errors(triage_rules(), report.close_reason, data.conditions)
    if errors:
        raise Unprocessable(errors)
    if report.close_reason in ("not_asb", "domestic_abuse"):
        # Reopened as ASB: triaged afresh.
        report.triage_outcome = report.triage_definitions = None
        report.not_asb_matter = report.signposted_to = None
    report.status = "open"
    report.reopened += 1
    report.closed_at = report.close_reason = report.complainant_told_on = None
    report.closure_explanation_encrypted = None
    report.case_review_offered = False
    report.satisfaction = report.satisfaction_asked_on = None
    report.harm_level = report.response_due_at = report.responded_at = None
    report.assessed_at = report.assessed_by = None
    seal_field(gate.cipher, report, "material_change", data.material_change)
    _happened(db, report, "reopened", actor, gate.now, ",".join(data.conditions) or None)
    await write_changes(db, KIND, _raced)
    return report


async def link_person(
    db: AsyncSession,
    actor: Principal,
    report_id: uuid.UUID,
    version: int,
    data: SubjectLink,
) -> AsbReport:
    """Add a person your agency holds to an open report, in a role."""
    report = await get_report(db, actor, report_id)
    check_version(report, version, KIND)
    if report.status == "closed":
        raise Conflict("reopen the report before adding people to it")
    if any(link.subject_id == data.subject_id for link in report.subjects):
        raise Conflict("that person is already on the report")
    if len(report.subjects) >= MAX_PEOPLE:
        raise Unprocessable([("subject_id", f"a report links at most {MAX_PEOPLE} people")])
    errors = await held_subject_errors(db, actor.agency_id, [data.subject_id])
    if errors:
        raise Unprocessable([("subject_id", reason) for _, reason in errors])
    report.subjects.append(
        AsbReportSubject(
            subject_id=data.subject_id, role=data.role.value, position=len(report.subjects)
        )
    )
    # A change to the report itself, so its version moves and a stale copy is refused.
    report.updated_at = utcnow()
    _happened(db, report, "person_added", actor, report.updated_at, data.role.value)
    await write_changes(db, KIND, _raced)
    return report


def _clause(
    agency_id: uuid.UUID,
    status: str | None,
    breached_only: bool,
    now: datetime,
    harm_level: str | None = None,
):  # type: ignore[no-untyped-def]
    conditions: list[ColumnElement[bool]] = [AsbReport.agency_id == agency_id]
    if status:
        conditions.append(AsbReport.status == status)
    if harm_level:
        conditions.append(AsbReport.harm_level == harm_level)
    if breached_only:
        conditions.append(
            or_(
                and_(AsbReport.responded_at.is_(None), AsbReport.response_due_at < now),
                AsbReport.responded_at > AsbReport.response_due_at,
            )
        )
    return and_(*conditions)


async def list_reports(
    db: AsyncSession,
    actor: Principal,
    *,
    status: str | None,
    breached_only: bool,
    gate: GateContext,
    limit: int,
    offset: int,
    harm_level: str | None = None,
) -> tuple[list[ReportSummary], int]:
    now = gate.now
    where = _clause(actor.agency_id, status, breached_only, now, harm_level)
    total = await db.scalar(select(func.count()).select_from(AsbReport).where(where)) or 0
    rows = await db.scalars(
        select(AsbReport)
        .where(where)
        .order_by(AsbReport.received_at.desc(), AsbReport.id)
        .limit(limit)
        .offset(offset)
    )
    return [
        ReportSummary(
            id=r.id,
            reference=r.reference,
            status=r.status,
            triage_outcome=r.triage_outcome,  # type: ignore[arg-type]
            category=r.category,
            received_at=r.received_at,  # type: ignore[arg-type]
            harm_level=r.harm_level,
            response_due_at=r.response_due_at,  # type: ignore[arg-type]
            breached=breached(r, now),
        )
        for r in rows
    ], total


async def view_of(
    db: AsyncSession,
    actor: Principal,
    report: AsbReport,
    gate: GateContext,
) -> ReportView:
    """Built by the disclosure gate, like every view of people."""
    cipher = gate.cipher
    subjects = [await db.get(Subject, link.subject_id) for link in report.subjects]
    assessments = list(
        await db.scalars(
            select(AsbRiskAssessment)
            .where(AsbRiskAssessment.report_id == report.id)
            .order_by(AsbRiskAssessment.assessed_at.desc(), AsbRiskAssessment.id.desc())
        )
    )
    gated = await disclose(
        db,
        gate,
        viewer=Viewer(actor.agency_id, actor.user_id),
        purpose=Purpose.ASB_CASE_MANAGEMENT,
        subjects=[
            SubjectInRecord(s, SubjectRole(link.role))
            for s, link in zip(subjects, report.subjects, strict=True)
            if s is not None
        ],
        texts={
            **{name: open_field(cipher, report, name) for name in AsbReport.__encrypted__},
            **{
                f"{a.id}.{name}": open_field(cipher, a, name)
                for a in assessments
                for name in AsbRiskAssessment.__encrypted__
            },
        },
        texts_held_by=report.agency_id,
        context_kind="asb_report",
        context_id=report.id,
    )
    policy = await policy_for(db, report.agency_id)
    target = policy.targets.get(report.harm_level or "")
    names = dict(
        (
            await db.execute(
                select(User.id, User.display_name).where(
                    User.id.in_({a.assessed_by for a in assessments if a.assessed_by})
                )
            )
        ).all()
    )
    referred = await db.scalar(
        select(MaracReferral).where(MaracReferral.asb_report_id == report.id)
    )
    events = (
        await db.execute(
            select(AsbReportEvent, User.display_name)
            .outerjoin(User, User.id == AsbReportEvent.by)
            .where(AsbReportEvent.report_id == report.id)
            .order_by(AsbReportEvent.at.desc(), AsbReportEvent.id.desc())
        )
    ).all()
    return ReportView(
        id=report.id,
        reference=report.reference,
        version=report.version,
        agency_id=report.agency_id,
        status=report.status,  # type: ignore[arg-type]
        channel=report.channel,  # type: ignore[arg-type]
        received_at=report.received_at,
        incident_on=report.incident_on,
        category=report.category,  # type: ignore[arg-type]
        perceived_motivation=report.perceived_motivation,  # type: ignore[arg-type]
        place=gated.texts["place"],
        narrative=gated.texts["narrative"],
        subjects=gated.people,
        harm_level=report.harm_level,  # type: ignore[arg-type]
        response_due_at=report.response_due_at,
        target_citation=target.citation if target else None,
        responded_at=report.responded_at,
        breached=breached(report, gate.now),
        closed_at=report.closed_at,
        close_reason=report.close_reason,  # type: ignore[arg-type]
        complainant_told_on=report.complainant_told_on,
        reopened=report.reopened,
        material_change=gated.texts["material_change"],
        triage_outcome=report.triage_outcome,  # type: ignore[arg-type]
        triage_definitions=list(report.triage_definitions or []),
        not_asb_matter=report.not_asb_matter,
        signposted_to=report.signposted_to,
        triage_note=gated.texts["triage_note"],
        marac_referral_reference=reference_of(referred) if referred is not None else None,
        marac_referred_at=referred.referred_at if referred is not None else None,
        police_reported_on=report.police_reported_on,
        police_reported_to=gated.texts["police_reported_to"],
        police_reference=gated.texts["police_reference"],
        closure_explanation=gated.texts["closure_explanation"],
        case_review_offered=report.case_review_offered,
        satisfaction=report.satisfaction,  # type: ignore[arg-type]
        satisfaction_asked_on=report.satisfaction_asked_on,
        assessments=_assessment_views(assessments, gated.texts, names),
        # Once triaged, triage is not offered again (it may still be changed).
        next_steps=[
            s
            for s in next_steps(report.status)
            if not (s == "triage" and report.triage_outcome)
            and not (
                s == "record_satisfaction"
                and (report.satisfaction or report.close_reason in ("not_asb", "domestic_abuse"))
            )
        ]
        # On the domestic abuse route: the victim is referred to MARAC (its own journey).
        + (
            ["refer_to_marac"] if report.triage_outcome == "domestic_abuse" and not referred else []
        ),
        history=[ReportEvent(at=e.at, kind=e.kind, detail=e.detail, by=name) for e, name in events],
    )


def _assessment_views(
    rows: list[AsbRiskAssessment], texts: dict, names: dict[uuid.UUID, str]
) -> list[AssessmentView]:
    tools = risk_tools().tools
    oldest = rows[-1].id if rows else None
    return [
        AssessmentView(
            at=a.assessed_at,
            by=names.get(a.assessed_by) if a.assessed_by else None,  # type: ignore[arg-type]
            tool=a.tool,
            tool_title=tools[a.tool].title if a.tool in tools else a.tool,
            score=a.score,
            scored_level=a.scored_level,  # type: ignore[arg-type]
            harm_level=a.level,  # type: ignore[arg-type]
            judgement=texts[f"{a.id}.judgement"],
            complainant_needs=list(a.complainant_needs),
            complainant_support=texts[f"{a.id}.complainant_support"],
            perpetrator_needs=list(a.perpetrator_needs),
            perpetrator_support=texts[f"{a.id}.perpetrator_support"],
            reassessment=a.id != oldest,
        )
        for a in rows
    ]
