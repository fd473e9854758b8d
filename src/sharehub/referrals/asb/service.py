"""ASB reports: logged (every one, even where no action follows), assessed with
the complainant, answered within the target, closed with a reason the
complainant is told, reopened only on a material change.

The lifecycle is the table ``STEPS``: the statuses each step may start from
and the status it leaves. Any other step is a conflict that names the steps
open from where the report stands.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.crypto import open_field, seal_field
from sharehub.db.base import new_id, utcnow
from sharehub.db.changes import check_version, write_changes
from sharehub.db.references import next_reference
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gate import SubjectInRecord, Viewer, disclose
from sharehub.errors import Conflict, NotFound, Unprocessable
from sharehub.identity.principal import Principal
from sharehub.privacy.models import Subject
from sharehub.privacy.subjects import held_subject_errors
from sharehub.protocols.engine import SubjectRole
from sharehub.protocols.terms import Purpose
from sharehub.identity.models import User
from sharehub.referrals.asb.models import AsbReport, AsbReportEvent, AsbReportSubject
from sharehub.referrals.asb.policies import policy_for
from sharehub.referrals.asb.schemas import (
    Assessment,
    Closure,
    FirstResponse,
    Reopening,
    ReportCreate,
    ReportSummary,
    ReportEvent,
    ReportView,
    SubjectLink,
)
from sharehub.referrals.asb.targets import response_due

KIND = "ASB report"
MAX_PEOPLE = 30
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Step:
    starts_from: frozenset[str]
    leaves: str | None  # None: the status stays


STEPS: dict[str, Step] = {
    "assess": Step(frozenset({"open", "assessed"}), "assessed"),
    "respond": Step(frozenset({"assessed"}), None),
    "close": Step(frozenset({"open", "assessed"}), "closed"),
    "reopen": Step(frozenset({"closed"}), "open"),
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


async def assess(
    db: AsyncSession,
    actor: Principal,
    report_id: uuid.UUID,
    version: int,
    data: Assessment,
    gate: GateContext,
) -> AsbReport:
    report = await _changing(db, actor, report_id, version, "assess")
    report.harm_level = data.harm_level
    report.assessed_at, report.assessed_by = gate.now, actor.user_id
    # The target runs from when the report was received, not from the assessment.
    report.response_due_at = response_due(
        report.received_at, data.harm_level, await policy_for(db, report.agency_id)
    )
    report.status = STEPS["assess"].leaves or report.status
    _happened(db, report, "assessed", actor, gate.now, data.harm_level)
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
    report.status = "closed"
    report.closed_at, report.close_reason = gate.now, data.reason
    report.complainant_told_on = data.complainant_told_on
    _happened(db, report, "closed", actor, gate.now, data.reason)
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
    report.status = "open"
    report.reopened += 1
    report.closed_at = report.close_reason = report.complainant_told_on = None
    report.harm_level = report.response_due_at = report.responded_at = None
    report.assessed_at = report.assessed_by = None
    seal_field(gate.cipher, report, "material_change", data.material_change)
    _happened(db, report, "reopened", actor, gate.now)
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
            "place": open_field(cipher, report, "place"),
            "narrative": open_field(cipher, report, "narrative"),
            "material_change": open_field(cipher, report, "material_change"),
        },
        texts_held_by=report.agency_id,
        context_kind="asb_report",
        context_id=report.id,
    )
    policy = await policy_for(db, report.agency_id)
    target = policy.targets.get(report.harm_level or "")
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
        next_steps=next_steps(report.status),
        history=[ReportEvent(at=e.at, kind=e.kind, detail=e.detail, by=name) for e, name in events],
    )
