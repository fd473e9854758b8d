"""ASB case reviews: the application and its threshold, the lifecycle, who may
see a review, the clocks, and the published figures.

An application is received by one agency (it holds the record) for an area.
On submission the threshold is computed from the complaints
(``criteria.case_review_threshold``): met, the review must go ahead and the
decision is recorded as the threshold's, not a person's; not met, it waits
for the coordinator's discretionary decision. The lifecycle is the table
``STEPS``: the statuses each step may start from, the status it leaves, the
date it records (once) and what must be recorded first. Any other step is a
conflict that names the steps open now.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from sharehub.access.relationships import may_see, reach
from sharehub.agencies.models import Agency
from sharehub.calendar import LOCAL_TIME, add_working_days
from sharehub.crypto import seal_field
from sharehub.db.base import new_id
from sharehub.db.changes import check_version, write_changes
from sharehub.db.references import next_reference, normalise
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gate import SubjectInRecord
from sharehub.errors import Conflict, NotFound, Unprocessable
from sharehub.identity.principal import Principal
from sharehub.meetings.models import AgendaItem, Meeting
from sharehub.privacy.consent import status_of
from sharehub.privacy.models import Consent, ConsentWithdrawal, Subject
from sharehub.privacy.schemas import IdentityIn, SubjectCreate
from sharehub.privacy.subjects import create_subject
from sharehub.protocols.engine import SubjectRole
from sharehub.protocols.terms import Purpose
from sharehub.referrals.asb.models import AsbReport
from sharehub.referrals.case_review import procedures
from sharehub.referrals.case_review.models import (
    CaseReview,
    CaseReviewComplaint,
    InformationRequest,
    Recommendation,
)
from sharehub.referrals.case_review.rules import (
    APPLICANT_TOLD,
    CLOCK_CITATION,
    CLOCKS,
    DISCRETION,
    DISSATISFIED,
    FACTORS,
    FIGURES,
    INFORMATION,
    OUTCOME,
    PROCEDURES,
    Clock,
)
from sharehub.referrals.case_review.schemas import (
    Acknowledgement,
    ApplicantTold,
    ApplicationIn,
    CaseReviewSummary,
    ClosureIn,
    ComplaintIn,
    DiscretionaryDecision,
    EscalationIn,
    Figures,
    InformationRequestIn,
    NextDue,
    OutcomeIn,
    ReviewMeeting,
)
from sharehub.referrals.case_review.sharing import connected
from sharehub.referrals.criteria import Complaint, Criterion, case_review_threshold

KIND = "case review"
PURPOSE = Purpose.ASB_CASE_REVIEW
COORDINATOR_ROLES = frozenset({procedures.COORDINATOR})


# --- the lifecycle -------------------------------------------------------------------------


def _told(review: CaseReview) -> bool:
    return review.applicant_told_decision_on is not None and (
        review.outcome_recorded_on is None or review.applicant_told_outcome_on is not None
    )


@dataclass(frozen=True)
class Requirement:
    met: Callable[[CaseReview], bool]
    first: str  # what must be done first, and why


REQUIREMENTS: dict[str, Requirement] = {
    "acknowledged": Requirement(
        lambda r: r.acknowledged_on is not None,
        "acknowledge the application first: the decision clock runs from the acknowledgement",
    ),
    "answer_awaited": Requirement(
        lambda r: any(q.responded_on is None for q in r.information_requests),
        "no body's answer is awaited",
    ),
    "response_awaited": Requirement(
        lambda r: any(q.responded_on is None for q in r.recommendations),
        "no recommendation awaits its body's response",
    ),
    "applicant_told": Requirement(
        _told,
        "record first that the applicant was told the threshold decision (section 104(6)) and any outcome",
    ),
}


@dataclass(frozen=True)
class Step:
    starts_from: frozenset[str]
    leaves: str | None  # None: the status stays
    records: str | None = None  # the date the step records, once
    needs: tuple[str, ...] = ("acknowledged",)
    citation: str | None = None  # where the step comes from


# A threshold decision has been made and the review is not yet over.
DECIDED = frozenset(
    {
        "threshold_met",
        "accepted",
        "declined",
        "information_requested",
        "review_held",
        "outcome_recorded",
    }
)
REVIEWING = frozenset({"threshold_met", "accepted", "information_requested"})

STEPS: dict[str, Step] = {
    "acknowledge": Step(
        frozenset({"threshold_met", "awaiting_discretion"}), None, "acknowledged_on", needs=(),
        citation=CLOCK_CITATION,
    ),
    "accept": Step(
        frozenset({"awaiting_discretion"}), "accepted", "decided_on", citation=DISCRETION
    ),
    "decline": Step(
        frozenset({"awaiting_discretion"}), "declined", "decided_on", citation=DISCRETION
    ),
    "tell_threshold_decision": Step(
        DECIDED, None, "applicant_told_decision_on", citation=APPLICANT_TOLD
    ),
    "request_information": Step(REVIEWING, "information_requested", citation=INFORMATION),
    "respond": Step(
        frozenset({"information_requested"}), None, needs=("acknowledged", "answer_awaited"),
        citation=INFORMATION,
    ),
    "hold_review": Step(REVIEWING, "review_held", "review_held_on", citation=OUTCOME),
    "record_outcome": Step(
        frozenset({"review_held"}), "outcome_recorded", "outcome_recorded_on", citation=OUTCOME
    ),
    "tell_outcome": Step(
        frozenset({"outcome_recorded"}), None, "applicant_told_outcome_on", citation=OUTCOME
    ),
    # A body's response to its recommendation is recorded whenever it comes.
    "respond_to_recommendation": Step(
        frozenset({"outcome_recorded", "escalated", "closed"}), None,
        needs=("acknowledged", "response_awaited"), citation=OUTCOME,
    ),
    "escalate": Step(
        frozenset({"declined", "outcome_recorded"}), "escalated", "escalated_on",
        needs=("acknowledged", "applicant_told"), citation=DISSATISFIED,
    ),
    "close": Step(
        frozenset({"declined", "outcome_recorded", "escalated"}), "closed", "closed_on",
        needs=("acknowledged", "applicant_told"), citation=PROCEDURES,
    ),
}  # fmt: skip


def _unmet(review: CaseReview, step: Step) -> list[str]:
    return [REQUIREMENTS[n].first for n in step.needs if not REQUIREMENTS[n].met(review)]


def _open(review: CaseReview, step: Step) -> bool:
    return (
        review.status in step.starts_from
        and not _unmet(review, step)
        and (step.records is None or getattr(review, step.records) is None)
    )


def next_steps(review: CaseReview) -> list[str]:
    return [name for name, step in STEPS.items() if _open(review, step)]


@dataclass(frozen=True)
class Blocked:
    """Why a step is not open: the review's status does not allow it, it is
    already recorded, or something must be recorded first (``first`` says what)."""

    kind: str  # "status", "recorded" or "first"
    first: str | None = None


def blocked(review: CaseReview, name: str) -> Blocked | None:
    step = STEPS[name]
    if _open(review, step):
        return None
    if review.status not in step.starts_from:
        return Blocked("status")
    if step.records is not None and getattr(review, step.records) is not None:
        return Blocked("recorded")
    return Blocked("first", _unmet(review, step)[0])


def check_step(review: CaseReview, name: str) -> None:
    why = blocked(review, name)
    if why is None:
        return
    allowed = ", ".join(next_steps(review)) or "none"
    if why.kind == "status":
        reason = f"'{name}' is not open to a case review that is {review.status}"
    elif why.kind == "recorded":
        reason = f"'{name}' is already recorded"
    else:
        reason = str(why.first)
    raise Conflict(f"{reason}; the steps open now: {allowed}")


def _move(review: CaseReview, name: str) -> None:
    leaves = STEPS[name].leaves
    if leaves is not None:
        review.status = leaves


# --- the clocks ------------------------------------------------------------------------------


def _clock_applies(review: CaseReview, clock: Clock) -> bool:
    return clock.only_after is None or review.decision in clock.only_after


def start_clocks(review: CaseReview) -> None:
    """Set each clock's due date once the date it runs from is recorded."""
    for clock in CLOCKS.values():
        start = getattr(review, clock.runs_from)
        if (
            getattr(review, clock.due) is None
            and start is not None
            and _clock_applies(review, clock)
        ):
            setattr(review, clock.due, add_working_days(start, review.procedure[clock.days]))


def breached(review: CaseReview, clock: Clock, today: date) -> bool:
    due: date | None = getattr(review, clock.due)
    done: date | None = getattr(review, clock.stopped_by)
    return due is not None and (done or today) > due


def breached_clocks(review: CaseReview, today: date) -> list[str]:
    return [name for name, clock in CLOCKS.items() if breached(review, clock, today)]


def next_due(review: CaseReview) -> NextDue | None:
    """The clock running now that falls due first, and its due date."""
    running = [
        (getattr(review, clock.due), name)
        for name, clock in CLOCKS.items()
        if getattr(review, clock.due) is not None and getattr(review, clock.stopped_by) is None
    ]
    if not running:
        return None
    due_on, name = min(running)
    return NextDue(clock=name, due_on=due_on)


def _breached_clause(today: date) -> ColumnElement[bool]:
    """The same rule as ``breached``, in SQL, for lists."""
    clauses: list[ColumnElement[bool]] = []
    for clock in CLOCKS.values():
        due, done = getattr(CaseReview, clock.due), getattr(CaseReview, clock.stopped_by)
        clauses.append(or_(and_(done.is_(None), due < today), done > due))
    return or_(*clauses)


# --- who may see a case review ---------------------------------------------------------------


def _invited(review: CaseReview) -> set[uuid.UUID]:
    return {r.agency_id for r in review.information_requests} | {
        r.agency_id for r in review.recommendations
    }


async def get_review(
    db: AsyncSession, actor: Principal, review_id: uuid.UUID, gate: GateContext
) -> CaseReview:
    """A case review the actor may see: their agency received it, was asked for
    information or given a recommendation, or they coordinate its area; and,
    for anyone outside the receiving agency, a protocol in force connects the
    agencies for the case review. Otherwise 404, so ids do not leak."""
    review = await db.get(CaseReview, review_id)
    if review is None or not may_see(
        actor,
        owning_agency_id=review.receiving_agency_id,
        invited_agency_ids=_invited(review),
        area=review.area,
        coordinator_roles=COORDINATOR_ROLES,
    ):
        raise NotFound(KIND)
    if not await connected(db, gate, actor.agency_id, review.receiving_agency_id):
        raise NotFound(KIND)
    return review


async def review_by_reference(
    db: AsyncSession, actor: Principal, reference: str, gate: GateContext
) -> CaseReview:
    """The same, found by the reference people use ("ACR-2026-0003")."""
    review_id = await db.scalar(
        select(CaseReview.id).where(CaseReview.reference == normalise(reference))
    )
    if review_id is None:
        raise NotFound(KIND)
    return await get_review(db, actor, review_id, gate)


async def subjects_of(db: AsyncSession, review: CaseReview) -> list[SubjectInRecord]:
    """Every person of the case review, the subjects of every text in it: the
    victim, the representative who applied, then the people each body linked
    to its answer (also the people of its meeting material, ``meetings/cases.py``)."""
    people: list[tuple[uuid.UUID | None, SubjectRole]] = [
        (review.victim_subject_id, SubjectRole.VICTIM),
        (review.representative_subject_id, SubjectRole.REPRESENTATIVE),
    ]
    for request in review.information_requests:
        people += [(link.subject_id, SubjectRole(link.role)) for link in request.subjects]
    found: dict[uuid.UUID, SubjectInRecord] = {}
    for subject_id, role in people:
        if subject_id is None or subject_id in found:
            continue
        if (subject := await db.get(Subject, subject_id)) is not None:
            found[subject_id] = SubjectInRecord(subject, role)
    return list(found.values())


def _visible_clause(actor: Principal) -> ColumnElement[bool]:
    """Which case reviews an actor's lists show (the rule of ``get_review``
    before the protocol check: summaries hold no personal data)."""
    coordinator = reach(actor, COORDINATOR_ROLES)
    if actor.kind == "user" and coordinator.everywhere:
        return true()
    areas = sorted(coordinator.areas)
    clauses: list[ColumnElement[bool]] = [
        CaseReview.receiving_agency_id == actor.agency_id,
        exists()
        .where(InformationRequest.case_review_id == CaseReview.id)
        .where(InformationRequest.agency_id == actor.agency_id),
        exists()
        .where(Recommendation.case_review_id == CaseReview.id)
        .where(Recommendation.agency_id == actor.agency_id),
    ]
    if areas and actor.kind == "user":
        clauses.append(CaseReview.area_key.in_(areas))
    return or_(*clauses)


async def changing(
    db: AsyncSession,
    actor: Principal,
    review_id: uuid.UUID,
    version: int,
    step: str,
    gate: GateContext,
) -> CaseReview:
    """A coordinator's step on a case review: visible to them, theirs to take,
    made against the version they read, and open from where the review stands."""
    review = await get_review(db, actor, review_id, gate)
    procedures.require_coordinator(actor, review.area)
    check_version(review, version, KIND)
    check_step(review, step)
    return review


def raced(_: IntegrityError) -> Conflict:
    return Conflict("the case review was changed at the same time; fetch it again")


def _day(
    value: date | None,
    today: date,
    field: str,
    *,
    not_before: date | None = None,
    before_what: str = "",
) -> date:
    """A date a step records: today if not given, never in the future, never
    before the step it follows."""
    day = value or today
    if day > today:
        raise Unprocessable([(field, "cannot be in the future")])
    if not_before is not None and day < not_before:
        raise Unprocessable([(field, f"cannot be before {before_what}")])
    return day


# --- the application -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Complaint:
    behaviour_on: date
    complained_on: date
    agency_id: uuid.UUID | None  # None: the applicant did not know which body
    hate_incident: bool
    asb_report_id: uuid.UUID | None


async def _complaint(
    db: AsyncSession,
    actor: Principal,
    i: int,
    given: ComplaintIn,
    errors: list[tuple[str, str]],
) -> _Complaint | None:
    where = f"complaints[{i}]"
    if given.asb_report_id is not None:
        report = await db.get(AsbReport, given.asb_report_id)
        if report is None or report.agency_id != actor.agency_id:
            errors.append((f"{where}.asb_report_id", "no such ASB report of your agency"))
            return None
        hate = report.category == "hate_incident"
        if given.behaviour_on is not None or given.complained_on is not None:
            errors.append((where, "the dates come from the ASB report: leave them out"))
        if given.agency_id not in (None, actor.agency_id):
            errors.append((f"{where}.agency_id", "the report was made to your agency"))
        if given.hate_incident not in (None, hate):
            errors.append((f"{where}.hate_incident", "differs from the report's category"))
        received = report.received_at.astimezone(LOCAL_TIME).date()
        return _Complaint(report.incident_on, received, actor.agency_id, hate, report.id)
    # The body complained to, unless the applicant said they do not know it.
    needed = ("behaviour_on", "complained_on") + (() if given.agency_not_known else ("agency_id",))
    missing = [
        (f"{where}.{name}", "required without an ASB report")
        for name in needed
        if getattr(given, name) is None
    ]
    if given.agency_not_known and given.agency_id is not None:
        errors.append((f"{where}.agency_id", "give the agency, or say it is not known, not both"))
    if missing:
        errors.extend(missing)
        return None
    assert given.behaviour_on and given.complained_on
    return _Complaint(
        given.behaviour_on,
        given.complained_on,
        given.agency_id,
        bool(given.hate_incident),
        None,
    )


async def _resolve_complaints(
    db: AsyncSession, actor: Principal, data: ApplicationIn, errors: list[tuple[str, str]]
) -> list[_Complaint]:
    found = [await _complaint(db, actor, i, c, errors) for i, c in enumerate(data.complaints)]
    named = {c.agency_id for c in found if c is not None and c.agency_id is not None}
    known = set(await db.scalars(select(Agency.id).where(Agency.id.in_(named)))) if named else set()
    resolved = []
    for i, complaint in enumerate(found):
        if complaint is None:
            continue
        if complaint.agency_id is not None and complaint.agency_id not in known:
            errors.append((f"complaints[{i}].agency_id", "no such agency"))
        if complaint.complained_on < complaint.behaviour_on:
            errors.append((f"complaints[{i}].complained_on", "cannot be before the behaviour"))
        if complaint.complained_on > data.received_on:
            errors.append(
                (f"complaints[{i}].complained_on", "cannot be after the application was received")
            )
        resolved.append(complaint)
    return resolved


async def _consent_problem(
    db: AsyncSession, subject_id: uuid.UUID, now: datetime
) -> tuple[uuid.UUID | None, str | None]:
    """(the live consent of the victim covering a case review, or why there is none)."""
    rows = await db.execute(
        select(Consent, ConsentWithdrawal)
        .outerjoin(ConsentWithdrawal, ConsentWithdrawal.consent_id == Consent.id)
        .where(Consent.subject_id == subject_id)
        .order_by(Consent.given_at.desc(), Consent.id)
    )
    states = [(c, status_of(c, w, now)) for c, w in rows if PURPOSE.value in c.purposes]
    live = next((c for c, state in states if state == "active"), None)
    if live is not None:
        return live.id, None
    if states:
        state = states[0][1].replace("_", " ")
        return None, f"the victim's consent to a case review is {state}: record a live one"
    return (
        None,
        "a representative applies with the victim's consent to a case review: none is recorded",
    )


async def _victim(
    db: AsyncSession,
    actor: Principal,
    data: ApplicationIn,
    now: datetime,
    errors: list[tuple[str, str]],
) -> uuid.UUID | None:
    """Checks the victim and the applicant; returns the consent relied on."""
    if data.victim_type == "individual":
        if data.victim_subject_id is None:
            errors.append(
                ("victim_subject_id", "an individual victim is a subject your agency holds")
            )
        if data.victim_name is not None:
            errors.append(("victim_name", "only for a business or group not held as a subject"))
    elif data.victim_subject_id is None and data.victim_name is None:
        errors.append(("victim_name", "name the business or group, or give its subject"))
    if data.victim_subject_id is not None:
        subject = await db.get(Subject, data.victim_subject_id)
        if subject is None or subject.holding_agency_id != actor.agency_id:
            errors.append(("victim_subject_id", "no such subject held by your agency"))
            return None
    if data.applicant_type == "victim":
        if data.representative is not None:
            errors.append(("representative", "only for an application by a representative"))
        return None
    if data.representative is None:
        errors.append(("representative", "name the representative and their relationship"))
    else:
        await _check_representative(db, actor, data, errors)
    if data.victim_subject_id is None:
        errors.append(
            ("victim_subject_id", "the victim's consent is recorded against a subject: give it")
        )
        return None
    consent_id, problem = await _consent_problem(db, data.victim_subject_id, now)
    if problem is not None:
        errors.append(("victim_subject_id", problem))
    return consent_id


async def _check_representative(
    db: AsyncSession, actor: Principal, data: ApplicationIn, errors: list[tuple[str, str]]
) -> None:
    """The representative is a subject the receiving agency holds: given, or
    recorded from the name the application gives (never both)."""
    given = data.representative
    assert given is not None
    if (given.subject_id is None) == (given.name is None):
        errors.append(
            ("representative", "give the representative's subject_id or their name, not both")
        )
        return
    if given.subject_id is None:
        return
    subject = await db.get(Subject, given.subject_id)
    if (
        subject is None
        or subject.holding_agency_id != actor.agency_id
        or subject.anonymised_at is not None
    ):
        errors.append(("representative.subject_id", "no such subject held by your agency"))
    elif subject.kind != "person":
        errors.append(("representative.subject_id", "a representative is a person"))
    elif subject.id == data.victim_subject_id:
        errors.append(("representative.subject_id", "the victim applies as the victim"))


# Titles and post-nominals are not a person's name: a representative recorded
# as "Councillor Ada Brennock" is the subject "Ada Brennock", so that the gate
# withholds her name, not every councillor the text mentions.
_TITLES = frozenset(
    ["mr", "mrs", "ms", "miss", "mx", "dr", "doctor", "prof", "professor", "rev", "revd", "reverend", "cllr", "councillor", "sir", "dame", "lord", "lady", "father", "sister", "canon"]
)
_POSTNOMINALS = frozenset(["mp", "msp", "ms", "am", "mla", "mbe", "obe", "cbe", "jp", "qc", "kc"])


def person_name(given: str) -> str:
    """``given`` without leading titles and trailing post-nominals (as written
    otherwise; the name itself if nothing else is left)."""
    words = given.split()
    start, end = 0, len(words)
    while start < end - 1 and words[start].strip(".").casefold() in _TITLES:
        start += 1
    while end > start + 1 and words[end - 1].strip(".,").casefold() in _POSTNOMINALS:
        end -= 1
    return " ".join(words[start:end]).strip(",")


async def _representative_subject(
    db: AsyncSession, actor: Principal, data: ApplicationIn, gate: GateContext
) -> uuid.UUID | None:
    """The representative's subject: the one given, or one recorded now."""
    given = data.representative
    if data.applicant_type != "representative" or given is None:
        return None
    if given.subject_id is not None:
        return given.subject_id
    assert given.name is not None
    recorded = await create_subject(
        db,
        actor,
        SubjectCreate(
            kind="person",
            role=SubjectRole.REPRESENTATIVE,
            identity=IdentityIn(name=person_name(given.name)),
        ),
        gate,
    )
    return recorded.id


def _criteria(reasons: Sequence[Criterion]) -> list[dict[str, Any]]:
    return [
        {"code": c.code, "met": c.met, "reason": c.reason, "citation": c.citation} for c in reasons
    ]


async def apply(
    db: AsyncSession, actor: Principal, data: ApplicationIn, gate: GateContext
) -> CaseReview:
    """Record an application: the one way one is recorded, by a member of staff
    of the receiving agency (the API and the pages), by an agency system, or
    by the public online form (``online.py``, as ``Principal(kind="online_form")``
    for the receiving agency, with the victim and the consent recorded first).
    The actor's agency receives it and holds the record; the threshold is
    decided here, from the complaints, by the area's procedure."""
    cipher, now, today = gate.cipher, gate.now, gate.today
    errors: list[tuple[str, str]] = []
    if data.received_on > today:
        errors.append(("received_on", "cannot be in the future"))
    area = await procedures.known_area(db, data.area)
    if area is None:
        errors.append(("area", "no agency registered with the hub serves this area"))
    consent_id = await _victim(db, actor, data, now, errors)
    complaints = await _resolve_complaints(db, actor, data, errors)
    if errors or area is None:
        raise Unprocessable(errors)
    representative_id = await _representative_subject(db, actor, data, gate)
    procedure = await procedures.procedure_for(db, area)
    threshold = case_review_threshold(
        [Complaint(c.behaviour_on, c.complained_on, c.hate_incident) for c in complaints],
        data.received_on,
        procedure.parameters,
    )
    review = CaseReview(
        id=new_id(),
        reference=await next_reference(db, "case_review", today.year),
        receiving_agency_id=actor.agency_id,
        recorded_by=actor.user_id,
        received_online=actor.kind == "online_form",
        area=area,
        area_key=area.casefold(),
        received_on=data.received_on,
        applicant_type=data.applicant_type,
        victim_type=data.victim_type,
        victim_subject_id=data.victim_subject_id,
        representative_subject_id=representative_id,
        consent_id=consent_id,
        procedure=procedures.snapshot(procedure),
        threshold_met=threshold.met,
        threshold_reasons=_criteria(threshold.reasons),
        status="threshold_met" if threshold.met else "awaiting_discretion",
        information_requests=[],
        recommendations=[],
        complaints=[
            CaseReviewComplaint(
                position=i,
                behaviour_on=c.behaviour_on,
                complained_on=c.complained_on,
                agency_id=c.agency_id,
                hate_incident=c.hate_incident,
                asb_report_id=c.asb_report_id,
                qualifies=Complaint(c.behaviour_on, c.complained_on, c.hate_incident)
                in threshold.qualifying,
            )
            for i, c in enumerate(complaints)
        ],
    )
    if threshold.met:
        # The Act decides, not a person: the review must go ahead (s104(4)),
        # as the application stood when it was received.
        review.decision, review.decided_by_kind = "threshold_met", "threshold"
        review.decided_on = data.received_on
        review.decision_reasons = review.threshold_reasons
    seal_field(cipher, review, "victim_name", data.victim_name)
    representative = data.representative
    seal_field(cipher, review, "representative_name", representative and representative.name)
    seal_field(
        cipher,
        review,
        "representative_relationship",
        representative and representative.relationship,
    )
    seal_field(cipher, review, "narrative", data.narrative)
    start_clocks(review)
    db.add(review)
    await db.flush()
    return review


# --- the coordinator's steps -----------------------------------------------------------------


async def acknowledge(
    db: AsyncSession,
    actor: Principal,
    review_id: uuid.UUID,
    version: int,
    data: Acknowledgement,
    gate: GateContext,
) -> CaseReview:
    today = gate.today
    review = await changing(db, actor, review_id, version, "acknowledge", gate)
    review.acknowledged_on = _day(
        data.acknowledged_on,
        today,
        "acknowledged_on",
        not_before=review.received_on,
        before_what="the application was received",
    )
    start_clocks(review)
    await write_changes(db, KIND, raced)
    return review


async def decide(
    db: AsyncSession,
    actor: Principal,
    review_id: uuid.UUID,
    version: int,
    data: DiscretionaryDecision,
    gate: GateContext,
) -> CaseReview:
    today = gate.today
    step = data.decision  # the step's name: accept or decline
    review = await changing(db, actor, review_id, version, step, gate)
    errors: list[tuple[str, str]] = []
    codes = [f.factor for f in data.factors]
    if len(set(codes)) != len(codes):
        errors.append(("factors", "each matter once"))
    if step == "accept" and not any(f.finding == "supports_review" for f in data.factors):
        errors.append(("factors", "accepting rests on at least one matter that supports a review"))
    if errors:
        raise Unprocessable(errors)
    decided_on = _day(
        data.decided_on,
        today,
        "decided_on",
        not_before=review.acknowledged_on,
        before_what="the acknowledgement",
    )
    review.decision = "accepted" if step == "accept" else "declined"
    review.decided_by_kind, review.decided_by, review.decided_on = (
        "coordinator",
        actor.user_id,
        decided_on,
    )
    review.decision_reasons = [
        {
            "code": f.factor,
            "met": f.finding == "supports_review",
            "reason": FACTORS[f.factor].what,
            "citation": FACTORS[f.factor].citation,
        }
        for f in data.factors
    ]
    seal_field(gate.cipher, review, "discretion_reasons", data.reasons)
    _move(review, step)
    start_clocks(review)
    await write_changes(db, KIND, raced)
    return review


async def tell_applicant(
    db: AsyncSession,
    actor: Principal,
    review_id: uuid.UUID,
    version: int,
    data: ApplicantTold,
    gate: GateContext,
) -> CaseReview:
    today = gate.today
    step = "tell_threshold_decision" if data.of == "threshold_decision" else "tell_outcome"
    review = await changing(db, actor, review_id, version, step, gate)
    told_of = review.decided_on if step == "tell_threshold_decision" else review.outcome_recorded_on
    told_on = _day(
        data.told_on, today, "told_on", not_before=told_of, before_what="what they were told of"
    )
    if step == "tell_threshold_decision":
        review.applicant_told_decision_on = told_on
    else:
        review.applicant_told_outcome_on = told_on
    await write_changes(db, KIND, raced)
    return review


async def request_information(
    db: AsyncSession,
    actor: Principal,
    review_id: uuid.UUID,
    version: int,
    data: InformationRequestIn,
    gate: GateContext,
) -> CaseReview:
    today, now = gate.today, gate.now
    review = await changing(db, actor, review_id, version, "request_information", gate)
    requested_on = _day(
        data.requested_on,
        today,
        "requested_on",
        not_before=review.decided_on,
        before_what="the threshold decision",
    )
    asked = {r.agency_id for r in review.information_requests}
    agencies = {
        a.id: a for a in await db.scalars(select(Agency).where(Agency.id.in_(data.agencies)))
    }
    errors: list[tuple[str, str]] = []
    for i, agency_id in enumerate(data.agencies):
        agency = agencies.get(agency_id)
        if agency is None or not agency.active:
            errors.append((f"agencies[{i}]", "no such active agency"))
        elif agency_id in asked or data.agencies.index(agency_id) != i:
            errors.append((f"agencies[{i}]", "this body has already been asked"))
    if errors:
        raise Unprocessable(errors)
    for agency_id in data.agencies:
        review.information_requests.append(
            InformationRequest(
                id=new_id(),
                position=len(review.information_requests),
                agency_id=agency_id,
                agency_type=agencies[agency_id].agency_type,
                requested_on=requested_on,
                requested_by=actor.user_id,
                subjects=[],
            )
        )
    _move(review, "request_information")
    review.updated_at = now  # a change to the review, even when its status stays
    await write_changes(db, KIND, raced)
    return review


async def hold_review(
    db: AsyncSession,
    actor: Principal,
    review_id: uuid.UUID,
    version: int,
    data: ReviewMeeting,
    gate: GateContext,
) -> CaseReview:
    today = gate.today
    review = await changing(db, actor, review_id, version, "hold_review", gate)
    review.review_held_on = _day(
        data.held_on,
        today,
        "held_on",
        not_before=review.decided_on,
        before_what="the threshold decision",
    )
    _move(review, "hold_review")
    await write_changes(db, KIND, raced)
    return review


async def record_outcome(
    db: AsyncSession,
    actor: Principal,
    review_id: uuid.UUID,
    version: int,
    data: OutcomeIn,
    gate: GateContext,
) -> CaseReview:
    today, cipher = gate.today, gate.cipher
    review = await changing(db, actor, review_id, version, "record_outcome", gate)
    named = {r.agency_id for r in data.recommendations}
    known = set(await db.scalars(select(Agency.id).where(Agency.id.in_(named)))) if named else set()
    errors = [
        (f"recommendations[{i}].agency_id", "no such agency")
        for i, r in enumerate(data.recommendations)
        if r.agency_id not in known
    ]
    if errors:
        raise Unprocessable(errors)
    review.outcome_recorded_on = _day(
        data.recorded_on,
        today,
        "recorded_on",
        not_before=review.review_held_on,
        before_what="the review meeting",
    )
    seal_field(cipher, review, "outcome_summary", data.summary)
    for given in data.recommendations:
        recommendation = Recommendation(
            id=new_id(), position=len(review.recommendations), agency_id=given.agency_id
        )
        seal_field(cipher, recommendation, "recommendation", given.recommendation)
        review.recommendations.append(recommendation)
    _move(review, "record_outcome")
    await write_changes(db, KIND, raced)
    return review


async def escalate(
    db: AsyncSession,
    actor: Principal,
    review_id: uuid.UUID,
    version: int,
    data: EscalationIn,
    gate: GateContext,
) -> CaseReview:
    """A dissatisfied applicant's request, recorded and routed as the area's
    procedure says now (Schedule 4, paragraph 3)."""
    today, cipher = gate.today, gate.cipher
    review = await changing(db, actor, review_id, version, "escalate", gate)
    # The applicant is dissatisfied with the latest thing they were told.
    after_outcome = review.status == "outcome_recorded"
    review.escalated_on = _day(
        data.requested_on,
        today,
        "requested_on",
        not_before=review.outcome_recorded_on if after_outcome else review.decided_on,
        before_what="the outcome" if after_outcome else "the threshold decision",
    )
    seal_field(cipher, review, "escalation_reason", data.reason)
    review.escalation_route = (await procedures.procedure_for(db, review.area)).escalation_route
    _move(review, "escalate")
    await write_changes(db, KIND, raced)
    return review


async def close(
    db: AsyncSession,
    actor: Principal,
    review_id: uuid.UUID,
    version: int,
    data: ClosureIn,
    gate: GateContext,
) -> CaseReview:
    today = gate.today
    review = await changing(db, actor, review_id, version, "close", gate)
    last = max(
        d
        for d in (review.decided_on, review.outcome_recorded_on, review.escalated_on)
        if d is not None
    )
    review.closed_on = _day(
        data.closed_on, today, "closed_on", not_before=last, before_what="the last step recorded"
    )
    _move(review, "close")
    await write_changes(db, KIND, raced)
    return review


# --- the review panel ------------------------------------------------------------------------


@dataclass(frozen=True)
class PanelMeeting:
    """A meeting the case review is on the agenda of (no personal data)."""

    meeting_type: str
    area: str
    starts_at: datetime
    status: str
    agency_ids: tuple[uuid.UUID, ...]


async def panel_meetings(db: AsyncSession, review: CaseReview) -> list[PanelMeeting]:
    """The panel meetings that list this case review, soonest first."""
    meetings = await db.scalars(
        select(Meeting)
        .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .where(AgendaItem.source == "case_review", AgendaItem.source_id == review.id)
        .order_by(Meeting.starts_at)
    )
    return [
        PanelMeeting(
            m.meeting_type, m.area, m.starts_at, m.status, tuple(a.agency_id for a in m.agencies)
        )
        for m in meetings
    ]


# --- lists and figures -----------------------------------------------------------------------


async def list_reviews(
    db: AsyncSession,
    actor: Principal,
    *,
    status: str | None,
    area: str | None,
    breached_only: bool,
    gate: GateContext,
    limit: int,
    offset: int,
    open_only: bool = False,
    received_by: uuid.UUID | None = None,
    awaiting: uuid.UUID | None = None,
) -> tuple[list[CaseReviewSummary], int]:
    """Case reviews the actor may see, newest first; ``open_only`` leaves out
    closed ones, ``received_by`` keeps one agency's, ``awaiting`` those where
    an agency's answer or response to a recommendation is still awaited."""
    today = gate.today
    conditions = [_visible_clause(actor)]
    if status:
        conditions.append(CaseReview.status == status)
    if open_only:
        conditions.append(CaseReview.status != "closed")
    if received_by is not None:
        conditions.append(CaseReview.receiving_agency_id == received_by)
    if awaiting is not None:
        conditions.append(
            or_(
                exists()
                .where(InformationRequest.case_review_id == CaseReview.id)
                .where(InformationRequest.agency_id == awaiting)
                .where(InformationRequest.responded_on.is_(None)),
                exists()
                .where(Recommendation.case_review_id == CaseReview.id)
                .where(Recommendation.agency_id == awaiting)
                .where(Recommendation.responded_on.is_(None)),
            )
        )
    if area:
        conditions.append(CaseReview.area_key == area.casefold())
    if breached_only:
        conditions.append(_breached_clause(today))
    where = and_(*conditions)
    total = await db.scalar(select(func.count()).select_from(CaseReview).where(where)) or 0
    rows = await db.scalars(
        select(CaseReview)
        .where(where)
        .order_by(CaseReview.received_on.desc(), CaseReview.id)
        .limit(limit)
        .offset(offset)
    )
    return [
        CaseReviewSummary(
            id=r.id,
            reference=r.reference,
            status=r.status,  # type: ignore[arg-type]
            area=r.area,
            receiving_agency_id=r.receiving_agency_id,
            received_on=r.received_on,
            received_online=r.received_online,
            threshold_met=r.threshold_met,
            breached_clocks=breached_clocks(r, today),
            next_due=next_due(r),
        )
        for r in rows
    ], total


async def figures(db: AsyncSession, area: str, period_from: date, period_to: date) -> Figures:
    """The published figures for an area: each counts events in the period
    (applications received, decisions that the threshold was not met, reviews
    held, and of those the reviews that made recommendations)."""
    if period_to < period_from:
        raise Unprocessable([("to", "the period ends before it starts")])
    named = await procedures.known_area(db, area)
    if named is None:
        raise NotFound("area")
    in_area = CaseReview.area_key == named.casefold()

    def within(column: InstrumentedAttribute[date | None]) -> ColumnElement[bool]:
        return and_(column >= period_from, column <= period_to)

    async def count(*conditions: ColumnElement[bool]) -> int:
        query = select(func.count()).select_from(CaseReview).where(in_area, *conditions)
        return await db.scalar(query) or 0

    with_recommendations = exists().where(Recommendation.case_review_id == CaseReview.id)
    return Figures(
        area=named,
        period_from=period_from,
        period_to=period_to,
        applications=await count(within(CaseReview.received_on)),
        threshold_not_met=await count(
            CaseReview.decision == "declined", within(CaseReview.decided_on)
        ),
        reviews_held=await count(within(CaseReview.review_held_on)),
        reviews_with_recommendations=await count(
            within(CaseReview.review_held_on), with_recommendations
        ),
        awaiting_decision=await count(
            CaseReview.status == "awaiting_discretion", within(CaseReview.received_on)
        ),
        citation=FIGURES,
    )
