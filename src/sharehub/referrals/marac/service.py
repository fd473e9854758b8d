"""MARAC referrals: made with the DASH checklist and the criteria they meet,
screened by the coordinator, listed for a meeting, heard, worked and closed.

The lifecycle is the table ``STEPS``. Who sees a referral: the referring
agency, the IDVA service allocated to it, and the MARAC coordinators and
chairs for its area (``access/relationships.may_see``); anyone outside the
referring agency sees it only through the disclosure gate, and only where a
protocol in force for MARAC connects their agency with the referrer's.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.access.relationships import may_see, reach
from sharehub.access.roles import Role
from sharehub.agencies.models import Agency, AgencyArea
from sharehub.audit.events import AuditEvent
from sharehub.calendar import local_today
from sharehub.crypto import open_field, seal_field
from sharehub.db.base import new_id
from sharehub.db.changes import check_version, write_changes
from sharehub.db.references import next_reference
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gate import (
    SubjectInRecord,
    Viewer,
    disclose,
    lawful_route_exists,
    plan,
    sharing_partners,
)
from sharehub.disclosure.records import writers
from sharehub.errors import Conflict, Forbidden, NotFound, Unprocessable, VersionRequired
from sharehub.identity.principal import Principal
from sharehub.privacy.identity import unseal
from sharehub.privacy.models import Subject
from sharehub.privacy.redaction import PersonView
from sharehub.privacy.subjects import held_subject_errors, same_person_anywhere
from sharehub.protocols.engine import SubjectRole
from sharehub.protocols.terms import Purpose
from sharehub.referrals.asb.models import AsbReport
from sharehub.referrals.criteria import MaracAssessment, MaracParameters, marac_criteria
from sharehub.referrals.marac.checklists import answer_errors, checklists, yes_count
from sharehub.referrals.marac.models import (
    MaracAreaCriteria,
    MaracReferral,
    MaracReferralSubject,
)
from sharehub.referrals.marac.risks import criteria_met, reference_of  # noqa: F401  what agendas show
from sharehub.referrals.marac.schemas import (
    AreaCriteriaIn,
    AreaCriteriaView,
    Closure,
    CriterionView,
    Hearing,
    Listing,
    ReferralCreate,
    ReferralSummary,
    ReferralView,
    Resubmission,
    Screening,
)

KIND = "MARAC referral"
COORDINATORS = (Role.MARAC_COORDINATOR.value, Role.MARAC_CHAIR.value)
DEFAULT_SOURCE = "SafeLives MARAC referral criteria (defaults)"
# Statuses a referral passes through once the coordinator has accepted it: the
# history a repeat referral is measured against.
ACCEPTED = ("accepted", "listed", "heard", "actions_open", "closed")


@dataclass(frozen=True)
class Step:
    starts_from: frozenset[str]
    leaves: str | None  # None: decided by the step (screening: accepted or returned)
    by_coordinator: bool
    # What must come first, in words, for a person who tries it too soon.
    first: str


STEPS: dict[str, Step] = {
    "screen": Step(frozenset({"submitted"}), None, True,
                   "only a referral waiting to be screened can be screened"),
    "resubmit": Step(frozenset({"returned"}), "submitted", False,
                     "only a referral the coordinator returned can be resubmitted"),
    "list": Step(frozenset({"accepted", "listed"}), "listed", True,
                 "the coordinator must accept the referral first"),
    "hear": Step(frozenset({"listed"}), "heard", True,
                 "list the referral for a meeting first"),
    "open_actions": Step(frozenset({"heard"}), "actions_open", True,
                         "record that the meeting heard the case first"),
    "close": Step(frozenset({"heard", "actions_open"}), "closed", True,
                  "record that the meeting heard the case first"),
}  # fmt: skip


def next_steps(status: str) -> list[str]:
    return [name for name, step in STEPS.items() if status in step.starts_from]


def _check_step(referral: MaracReferral, name: str) -> None:
    if referral.status not in STEPS[name].starts_from:
        allowed = ", ".join(next_steps(referral.status)) or "none"
        raise Conflict(
            f"{STEPS[name].first}: '{name}' is not open to a referral that is "
            f"{referral.status}; the steps open now: {allowed}"
        )


# --- local criteria ------------------------------------------------------------------------


def _parameters_of(row: MaracAreaCriteria | None) -> MaracParameters:
    if row is None:
        return MaracParameters()
    return MaracParameters(
        visible_high_risk_yes=row.visible_high_risk_yes,
        medium_risk_yes=row.medium_risk_yes,
        escalation_incidents=row.escalation_incidents,
        escalation_months=row.escalation_months,
        repeat_months=row.repeat_months,
    )


async def _area_row(db: AsyncSession, area: str) -> MaracAreaCriteria | None:
    return await db.scalar(
        select(MaracAreaCriteria).where(func.lower(MaracAreaCriteria.area) == area.casefold())
    )


def _criteria_view(area: str, row: MaracAreaCriteria | None) -> AreaCriteriaView:
    p = _parameters_of(row)
    return AreaCriteriaView(
        area=row.area if row else area,
        version=row.version if row else None,
        is_default=row is None,
        source=row.source if row else DEFAULT_SOURCE,
        **asdict(p),
    )


def coordinates(principal: Principal, area: str) -> bool:
    """A MARAC coordinator or chair for this area (a hub-wide role)."""
    return reach(principal, COORDINATORS).covers(area)


async def read_area_criteria(db: AsyncSession, area: str) -> AreaCriteriaView:
    return _criteria_view(area, await _area_row(db, area))


async def set_area_criteria(
    db: AsyncSession, actor: Principal, area: str, data: AreaCriteriaIn, version: int | None
) -> AreaCriteriaView:
    if not coordinates(actor, area):
        raise NotFound("MARAC area")
    try:
        parameters = MaracParameters(
            visible_high_risk_yes=data.visible_high_risk_yes,
            medium_risk_yes=data.medium_risk_yes,
            escalation_incidents=data.escalation_incidents,
            escalation_months=data.escalation_months,
            repeat_months=data.repeat_months,
        )
    except ValueError as exc:
        raise Unprocessable([("medium_risk_yes", str(exc))]) from None
    row = await _area_row(db, area)
    if row is None:
        if version is not None:
            raise Conflict("this area has no local criteria yet; set them without If-Match")
        row = MaracAreaCriteria(id=new_id(), area=area, source=data.source, **asdict(parameters))
        db.add(row)
    else:
        if version is None:
            raise VersionRequired()
        check_version(row, version, "MARAC area criteria")
        for name, value in asdict(parameters).items():
            setattr(row, name, value)
        row.source = data.source
    await write_changes(db, "MARAC area criteria", _raced)
    return _criteria_view(area, row)


# --- history --------------------------------------------------------------------------------


async def _last_referral(
    db: AsyncSession, victim: Subject, gate: GateContext, exclude: uuid.UUID | None
) -> MaracReferral | None:
    """The latest accepted MARAC referral for this victim: the same subject, or
    another agency's record of the same person (same NHS or NI number, or same
    name and date of birth, by the blind index). Only referrals made by agencies
    a MARAC protocol in force connects with the referrer count: whether anyone
    else referred her is theirs to share, and is not shared without a protocol."""
    same = await same_person_anywhere(db, victim, unseal(victim, gate.cipher), gate.index)
    partners = await sharing_partners(db, victim.holding_agency_id, Purpose.MARAC, gate.today)
    query = (
        select(MaracReferral)
        .where(MaracReferral.victim_id.in_(same), MaracReferral.status.in_(ACCEPTED))
        .where(MaracReferral.referring_agency_id.in_(partners))
        .order_by(MaracReferral.referred_at.desc())
        .limit(1)
    )
    if exclude is not None:
        query = query.where(MaracReferral.id != exclude)
    return await db.scalar(query)


def _assess(
    referral: MaracReferral, last: MaracReferral | None, p: MaracParameters
) -> MaracAssessment:
    checklist = checklists()[referral.checklist_version]
    return marac_criteria(
        yes_answers=referral.yes_answers,
        questions=len(checklist.questions),
        incident_date=referral.incident_on,
        police_incidents=[date.fromisoformat(d) for d in referral.police_incidents],
        last_marac_referral=local_today(last.referred_at) if last else None,
        # The criterion needs only whether reasons were recorded, not what they say.
        professional_judgement="recorded" if referral.professional_judgement_encrypted else None,
        p=p,
    )


def _apply(
    referral: MaracReferral, assessment: MaracAssessment, last: MaracReferral | None
) -> None:
    referral.risk_band = assessment.risk_band
    referral.criteria = [
        {"code": c.code, "met": c.met, "reason": c.reason, "citation": c.citation}
        for c in assessment.criteria
    ]
    referral.repeat = assessment.repeat
    referral.previous_referral_id = last.id if last and assessment.repeat else None


# --- referring ------------------------------------------------------------------------------


async def _validate(
    db: AsyncSession, actor: Principal, data: ReferralCreate, today: date
) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    served = await db.scalar(
        select(func.count())
        .select_from(AgencyArea)
        .where(
            AgencyArea.agency_id == actor.agency_id,
            func.lower(AgencyArea.area) == data.area.casefold(),
        )
    )
    if not served:
        errors.append(("area", "not an area your agency serves"))
    held = set(
        await db.scalars(
            select(Subject.id).where(
                Subject.id.in_([data.victim_id, data.perpetrator_id]),
                Subject.holding_agency_id == actor.agency_id,
                Subject.anonymised_at.is_(None),
            )
        )
    )
    if data.victim_id not in held:
        errors.append(("victim_id", "no such subject held by your agency"))
    if data.perpetrator_id is not None:
        if data.perpetrator_id == data.victim_id:
            errors.append(("perpetrator_id", "the victim and perpetrator are different people"))
        elif data.perpetrator_id not in held:
            errors.append(("perpetrator_id", "no such subject held by your agency"))
    errors += await _household_errors(db, actor, data)
    checklist = checklists().get(data.checklist_version)
    if checklist is None or not checklist.in_use:
        in_use = ", ".join(v for v, c in checklists().items() if c.in_use)
        errors.append(("checklist_version", f"not a checklist in use (in use: {in_use})"))
    else:
        errors += answer_errors(checklist, data.answers)
    if data.incident_on > today:
        errors.append(("incident_on", "cannot be in the future"))
    errors += [
        (f"police_incidents[{i}]", "cannot be after the current incident")
        for i, d in enumerate(data.police_incidents)
        if d > data.incident_on
    ]
    if data.consent_given and not data.victim_aware:
        errors.append(("victim_aware", "a victim who consented is aware of the referral"))
    if data.idva_agency_id is not None:
        if not data.idva_allocated:
            errors.append(("idva_agency_id", "give the IDVA service only when one is allocated"))
        else:
            agency = await db.get(Agency, data.idva_agency_id)
            if agency is None or not agency.active:
                errors.append(("idva_agency_id", "no such active agency"))
    return errors


async def _household_errors(
    db: AsyncSession, actor: Principal, data: ReferralCreate
) -> list[tuple[str, str]]:
    """Children and household members are linked like the victim: each once,
    each a subject the referring agency holds, neither victim nor perpetrator."""
    ids = [link.subject_id for link in data.household]
    errors = await held_subject_errors(db, actor.agency_id, ids, field="household")
    errors += [
        (f"household[{i}].subject_id", "the victim and perpetrator are linked as such")
        for i, subject_id in enumerate(ids)
        if subject_id in (data.victim_id, data.perpetrator_id)
    ]
    return errors


def asb_report_errors(
    triage_outcome: str | None,
    referred_as: str | None,
    victim_id: uuid.UUID,
    report_people: Collection[uuid.UUID],
) -> list[tuple[str, str]]:
    """Whether a referral may take on an ASB report (the domestic abuse route):
    the report triaged as domestic abuse and not referred already, each else a
    conflict (the second naming the referral made); and the victim one of the
    report's people, else the field at fault."""
    if triage_outcome != "domestic_abuse":
        raise Conflict(
            "the ASB report must first be triaged as domestic abuse", field="asb_report_id"
        )
    if referred_as is not None:
        raise Conflict(
            f"the ASB report is already referred to MARAC: {referred_as}", field="asb_report_id"
        )
    if victim_id not in report_people:
        return [("victim_id", "not one of the people in the ASB report")]
    return []


async def _asb_report_errors(
    db: AsyncSession, actor: Principal, data: ReferralCreate
) -> list[tuple[str, str]]:
    """The rule above for the report named: one of the referrer's agency (any
    other is not found, so another agency's reports are never revealed)."""
    if data.asb_report_id is None:
        return []
    report = await db.get(AsbReport, data.asb_report_id)
    if report is None or report.agency_id != actor.agency_id:
        raise NotFound("ASB report")
    referred = await db.scalar(
        select(MaracReferral).where(MaracReferral.asb_report_id == report.id)
    )
    return asb_report_errors(
        report.triage_outcome,
        reference_of(referred) if referred is not None else None,
        data.victim_id,
        [link.subject_id for link in report.subjects],
    )


def _referred_at_once(_: IntegrityError) -> Conflict:
    return Conflict(
        "the ASB report was referred to MARAC at the same time; fetch it again",
        field="asb_report_id",
    )


@dataclass(frozen=True)
class Prepared:
    """A referral built and assessed, not yet made."""

    referral: MaracReferral
    assessment: MaracAssessment
    last: MaracReferral | None


async def _prepare(
    db: AsyncSession, actor: Principal, data: ReferralCreate, gate: GateContext
) -> Prepared:
    """Everything a referral is checked against, with nothing written: what
    ``refer`` makes, and what a page shows as the referrer answers."""
    cipher, now = gate.cipher, gate.now
    errors = await _validate(db, actor, data, gate.today)
    errors += await _asb_report_errors(db, actor, data)
    if errors:
        raise Unprocessable(errors)
    area_row = await _area_row(db, data.area)
    parameters = _parameters_of(area_row)
    referral = MaracReferral(
        id=new_id(),
        referring_agency_id=actor.agency_id,
        referred_by=actor.user_id,
        referred_at=now,
        area=area_row.area if area_row else data.area,
        victim_id=data.victim_id,
        perpetrator_id=data.perpetrator_id,
        incident_on=data.incident_on,
        checklist_version=data.checklist_version,
        answers=dict(sorted(data.answers.items())),
        yes_answers=yes_count(data.answers),
        police_incidents=sorted(d.isoformat() for d in data.police_incidents),
        parameters=asdict(parameters),
        victim_aware=data.victim_aware,
        consent_given=data.consent_given,
        idva_allocated=data.idva_allocated,
        idva_agency_id=data.idva_agency_id,
        asb_report_id=data.asb_report_id,
        status="submitted",
        resubmissions=0,
        household=[
            MaracReferralSubject(subject_id=link.subject_id, role=link.role, position=i)
            for i, link in enumerate(data.household)
        ],
    )
    seal_field(cipher, referral, "summary", data.summary)
    seal_field(cipher, referral, "professional_judgement", data.professional_judgement)
    victim = await db.get(Subject, data.victim_id)
    assert victim is not None  # validated above
    last = await _last_referral(db, victim, gate, exclude=None)
    return Prepared(referral, _assess(referral, last, parameters), last)


async def preview(
    db: AsyncSession, actor: Principal, data: ReferralCreate, gate: GateContext
) -> tuple[MaracAssessment, str | None]:
    """The criteria the referral would meet, explained, and the earlier
    referral a repeat is counted from (its reference); nothing written."""
    prepared = await _prepare(db, actor, data, gate)
    last = prepared.last if prepared.assessment.repeat else None
    return prepared.assessment, last.reference if last else None


async def refer(
    db: AsyncSession, actor: Principal, data: ReferralCreate, gate: GateContext
) -> MaracReferral:
    prepared = await _prepare(db, actor, data, gate)
    referral, assessment, last = prepared.referral, prepared.assessment, prepared.last
    if not assessment.eligible:
        raise Unprocessable(
            [
                (
                    "answers",
                    "the case meets none of the MARAC referral criteria: "
                    + "; ".join(c.reason for c in assessment.criteria),
                )
            ]
        )
    referral.reference = await next_reference(db, "marac_referral", local_today(gate.now).year)
    _apply(referral, assessment, last)
    db.add(referral)
    # One referral per ASB report (a unique index): two at once, the second refused.
    await write_changes(db, KIND, _referred_at_once)
    await _record_step(gate, db, actor, referral, "refer")
    return referral


# --- visibility -----------------------------------------------------------------------------


def _visible(actor: Principal, referral: MaracReferral) -> bool:
    return may_see(
        actor,
        owning_agency_id=referral.referring_agency_id,
        invited_agency_ids=[referral.idva_agency_id] if referral.idva_agency_id else [],
        area=referral.area,
        coordinator_roles=COORDINATORS,
    )


async def subjects_of(db: AsyncSession, referral: MaracReferral) -> list[SubjectInRecord]:
    """Everyone the referral links, in order: the victim, the perpetrator (if
    any), then the children and household members (also the people of the
    referral's meeting material, ``meetings/cases.py``)."""
    people: list[tuple[uuid.UUID | None, SubjectRole]] = [
        (referral.victim_id, SubjectRole.VICTIM),
        (referral.perpetrator_id, SubjectRole.PERPETRATOR),
    ]
    people += [(link.subject_id, SubjectRole(link.role)) for link in referral.household]
    found = []
    for subject_id, role in people:
        if subject_id is not None and (subject := await db.get(Subject, subject_id)) is not None:
            found.append(SubjectInRecord(subject, role))
    return found


async def get_referral(
    db: AsyncSession, actor: Principal, referral_id: uuid.UUID, gate: GateContext
) -> MaracReferral:
    """A referral the actor may see; 404 otherwise (so ids do not leak), including
    where no protocol in force for MARAC connects their agency with the referrer's."""
    referral = await db.get(MaracReferral, referral_id)
    if referral is None or not _visible(actor, referral):
        raise NotFound(KIND)
    if actor.agency_id != referral.referring_agency_id:
        victim = await db.get(Subject, referral.victim_id)
        assert victim is not None
        planned = await plan(
            db,
            gate,
            viewer=Viewer(actor.agency_id, actor.user_id),
            purpose=Purpose.MARAC,
            subjects=[SubjectInRecord(victim, SubjectRole.VICTIM)],
        )
        if not lawful_route_exists(planned):
            raise NotFound(KIND)
    return referral


async def referral_by_reference(
    db: AsyncSession, actor: Principal, reference: str, gate: GateContext
) -> MaracReferral:
    """The same, found by the reference people use ("MARAC-2026-0012")."""
    found = await db.scalar(
        select(MaracReferral.id).where(MaracReferral.reference == reference.strip().upper())
    )
    if found is None:
        raise NotFound(KIND)
    return await get_referral(db, actor, found, gate)


# --- steps ----------------------------------------------------------------------------------


def _raced(_: IntegrityError) -> Conflict:
    return Conflict("the referral was changed at the same time; fetch it again")


async def _record_step(
    gate: GateContext, db: AsyncSession, actor: Principal, referral: MaracReferral, step: str
) -> None:
    await gate.audit.record(
        AuditEvent(
            kind="referral_step",
            at=gate.now,
            user_id=actor.user_id,
            agency_id=actor.agency_id,
            subject_id=referral.victim_id,
            details={
                "referral": "marac",
                "referral_id": str(referral.id),
                "step": step,
                "status": referral.status,
                "repeat": referral.repeat,
            },
        ),
        db=db,
    )


def _check_actor(actor: Principal, referral: MaracReferral, step: str) -> None:
    if STEPS[step].by_coordinator:
        if not coordinates(actor, referral.area):
            raise Forbidden(f"'{step}' is for the MARAC coordinator or chair of the area")
    elif actor.agency_id != referral.referring_agency_id:
        raise Forbidden(f"'{step}' is for the referring agency")


async def take_step(
    db: AsyncSession,
    actor: Principal,
    referral: MaracReferral,
    version: int,
    step: str,
    data: Screening | Resubmission | Listing | Hearing | Closure | None,
    gate: GateContext,
) -> MaracReferral:
    cipher, now, today = gate.cipher, gate.now, gate.today
    check_version(referral, version, KIND)
    _check_step(referral, step)
    _check_actor(actor, referral, step)
    match data:
        case Screening(outcome="returned", reason=None):
            raise Unprocessable([("reason", "say what the referrer must add or correct")])
        case Screening(outcome="returned", reason=reason):
            referral.status = "returned"
            seal_field(cipher, referral, "return_reason", reason)
        case Screening(outcome="accepted"):
            # Flagged on screening: a referral for the same victim may have been
            # accepted since this one was made, by this or another agency.
            victim = await db.get(Subject, referral.victim_id)
            assert victim is not None
            last = await _last_referral(db, victim, gate, exclude=referral.id)
            p = MaracParameters(**referral.parameters)
            _apply(referral, _assess(referral, last, p), last)
            referral.status = "accepted"
            seal_field(cipher, referral, "return_reason", None)
        case Resubmission(note=note):
            referral.resubmissions += 1
            seal_field(cipher, referral, "resubmission_note", note)
        case Listing(meeting_on=meeting_on):
            if meeting_on < today:
                raise Unprocessable([("meeting_on", "list for a meeting today or later")])
            referral.listed_for = meeting_on
        case Hearing(heard_on=heard_on):
            if heard_on > today:
                raise Unprocessable([("heard_on", "cannot be in the future")])
            if heard_on < local_today(referral.referred_at):
                raise Unprocessable([("heard_on", "cannot be before the referral was made")])
            referral.heard_on = heard_on
        case Closure(reason=reason):
            referral.closed_at, referral.close_reason = now, reason
        case None if step == "open_actions":
            referral.actions_opened_at = now
    if step == "screen":
        referral.screened_at = now
        referral.screened_by = actor.user_id
    leaves = STEPS[step].leaves
    if leaves is not None:
        referral.status = leaves
    await write_changes(db, KIND, _raced)
    await _record_step(gate, db, actor, referral, step)
    return referral


# --- lists and views ------------------------------------------------------------------------


async def _visible_clause(db: AsyncSession, actor: Principal, today: date) -> ColumnElement[bool]:
    """The rule of ``get_referral``, in SQL: the relationships, and (outside the
    referring agency) a MARAC protocol in force with the referrer."""
    coordinator = reach(actor, COORDINATORS)
    related = (
        true()
        if coordinator.everywhere
        else or_(
            MaracReferral.referring_agency_id == actor.agency_id,
            MaracReferral.idva_agency_id == actor.agency_id,
            func.lower(MaracReferral.area).in_(sorted(coordinator.areas)),
        )
    )
    partners = await sharing_partners(db, actor.agency_id, Purpose.MARAC, today)
    return and_(related, MaracReferral.referring_agency_id.in_(partners))


async def list_referrals(
    db: AsyncSession,
    actor: Principal,
    *,
    status: str | None,
    area: str | None,
    repeat: bool | None,
    gate: GateContext,
    limit: int,
    offset: int,
    referred_by: uuid.UUID | None = None,
    idva_agency: uuid.UUID | None = None,
) -> tuple[list[ReferralSummary], int]:
    """Referrals the actor may see, newest first; ``referred_by`` keeps one
    agency's referrals, ``idva_agency`` those allocated to an IDVA service."""
    conditions = [await _visible_clause(db, actor, gate.today)]
    if status:
        conditions.append(MaracReferral.status == status)
    if referred_by is not None:
        conditions.append(MaracReferral.referring_agency_id == referred_by)
    if idva_agency is not None:
        conditions.append(MaracReferral.idva_agency_id == idva_agency)
    if area:
        conditions.append(func.lower(MaracReferral.area) == area.casefold())
    if repeat is not None:
        conditions.append(MaracReferral.repeat.is_(repeat))
    where = and_(*conditions)
    total = await db.scalar(select(func.count()).select_from(MaracReferral).where(where)) or 0
    rows = await db.scalars(
        select(MaracReferral)
        .where(where)
        .order_by(MaracReferral.referred_at.desc(), MaracReferral.id)
        .limit(limit)
        .offset(offset)
    )
    return [
        ReferralSummary(
            id=r.id,
            reference=r.reference,
            status=r.status,  # type: ignore[arg-type]
            area=r.area,
            referring_agency_id=r.referring_agency_id,
            referred_at=r.referred_at,
            risk_band=r.risk_band,
            criteria_met=[str(c["code"]) for c in r.criteria if c["met"]],
            repeat=r.repeat,
            listed_for=r.listed_for,
        )
        for r in rows
    ], total


async def victims_of(
    db: AsyncSession, actor: Principal, referrals: list[MaracReferral], gate: GateContext
) -> dict[uuid.UUID, PersonView]:
    """Each referral's victim as the gate shows them to the reader (an IDVA's
    caseload): each one another agency's reader sees is recorded."""
    found: dict[uuid.UUID, PersonView] = {}
    for referral in referrals:
        victim = await db.get(Subject, referral.victim_id)
        if victim is None:
            continue
        gated = await disclose(
            db,
            gate,
            viewer=Viewer(actor.agency_id, actor.user_id),
            purpose=Purpose.MARAC,
            subjects=[SubjectInRecord(victim, SubjectRole.VICTIM)],
            context_kind="marac_referral",
            context_id=referral.id,
        )
        found[referral.id] = gated.people[0]
    return found


async def view_of(
    db: AsyncSession,
    actor: Principal,
    referral: MaracReferral,
    gate: GateContext,
) -> ReferralView:
    """Built by the disclosure gate, like every view of people: the victim, the
    perpetrator and the household are the subjects of every text in it."""
    subjects = await subjects_of(db, referral)
    gated = await disclose(
        db,
        gate,
        viewer=Viewer(actor.agency_id, actor.user_id),
        purpose=Purpose.MARAC,
        subjects=subjects,
        texts={
            name: open_field(gate.cipher, referral, name)
            for name in ("summary", "professional_judgement", "return_reason", "resubmission_note")
        },
        # The referrer's words are the referrer's; the return reason is the
        # coordinator's, and reaches the referrer through the gate.
        texts_held_by={
            "summary": referral.referring_agency_id,
            "professional_judgement": referral.referring_agency_id,
            "resubmission_note": referral.referring_agency_id,
            **await writers(db, {"return_reason": referral.screened_by}),
        },
        context_kind="marac_referral",
        context_id=referral.id,
    )
    people = {p.subject_id: p for p in gated.people}
    perpetrator = people.get(referral.perpetrator_id) if referral.perpetrator_id else None
    # The ASB report it came from is the referring agency's own record: only its staff see which.
    asb_report = None
    if referral.asb_report_id is not None and actor.agency_id == referral.referring_agency_id:
        asb_report = await db.scalar(
            select(AsbReport.reference).where(
                AsbReport.id == referral.asb_report_id, AsbReport.agency_id == actor.agency_id
            )
        )
    return ReferralView(
        id=referral.id,
        reference=referral.reference,
        version=referral.version,
        status=referral.status,  # type: ignore[arg-type]
        referring_agency_id=referral.referring_agency_id,
        referred_at=referral.referred_at,
        area=referral.area,
        victim=people[referral.victim_id],
        perpetrator=perpetrator,
        household=[people[h.subject_id] for h in referral.household if h.subject_id in people],
        incident_on=referral.incident_on,
        checklist_version=referral.checklist_version,
        answers=referral.answers,  # type: ignore[arg-type]
        yes_answers=referral.yes_answers,
        risk_band=referral.risk_band,
        police_incidents=[date.fromisoformat(d) for d in referral.police_incidents],
        criteria=[CriterionView(**c) for c in referral.criteria],  # type: ignore[arg-type]
        repeat=referral.repeat,
        previous_referral_id=referral.previous_referral_id,
        victim_aware=referral.victim_aware,
        consent_given=referral.consent_given,
        idva_allocated=referral.idva_allocated,
        idva_agency_id=referral.idva_agency_id,
        summary=gated.texts["summary"],
        professional_judgement=gated.texts["professional_judgement"],
        screened_at=referral.screened_at,
        return_reason=gated.texts["return_reason"],
        resubmissions=referral.resubmissions,
        resubmission_note=gated.texts["resubmission_note"],
        listed_for=referral.listed_for,
        heard_on=referral.heard_on,
        actions_opened_at=referral.actions_opened_at,
        closed_at=referral.closed_at,
        close_reason=referral.close_reason,  # type: ignore[arg-type]
        next_steps=next_steps(referral.status),
        asb_report_reference=asb_report,
    )
