"""MAPPA referrals: referred by a responsible authority (MAPPA A), screened by
the MAPPA coordinator (accepted, or returned with a reason and resubmitted),
managed at a level agreed with reasons and reviewed on the guidance's clock,
shared with the duty-to-co-operate agencies invited to the case, and closed
with a reason.

The lifecycle is the table ``STEPS``: the statuses each step may start from,
the status it leaves, whose it is and what must come first. Any other step is
a conflict that says what must come first and names the steps open from where
the referral stands. Each referral has a human reference ("MAPPA-2026-0003").

Who sees a referral: the referring agency's staff; the staff of agencies
invited to it; the MAPPA coordinators and chairs for its area. Anyone outside
the referring agency also needs a protocol in force that connects their agency
with it for MAPPA; without one the referral does not exist for them (404).
Every view is built by the disclosure gate, with the offender and the people
at risk linked to the referral as its subjects; the restricted identifiers
(ViSOR, PNC, nDelius) are shown only as ``references.shown_to`` says, and the
gate withholds them from everyone else, in the fields and in the text.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

import msgspec
from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.access.relationships import may_see, reach
from sharehub.access.roles import Role
from sharehub.agencies.models import Agency
from sharehub.agencies.types import AgencyType
from sharehub.audit.events import AuditEvent
from sharehub.calendar import local_today
from sharehub.crypto import FieldCipher, open_field, seal_field
from sharehub.db.base import new_id
from sharehub.db.changes import check_version, write_changes
from sharehub.db.references import next_reference
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gate import SubjectInRecord, Viewer, disclose, lawful_route_exists, plan
from sharehub.disclosure.records import writers
from sharehub.errors import Conflict, Forbidden, NotFound, Unprocessable
from sharehub.identity.principal import Principal
from sharehub.privacy.models import Subject
from sharehub.privacy.subjects import held_subject_errors
from sharehub.protocols.engine import SubjectRole
from sharehub.protocols.gateways import GatewayRules
from sharehub.protocols.terms import Purpose
from sharehub.referrals.mappa.arrangements import Arrangements, Category, Level, next_review
from sharehub.referrals.mappa.models import (
    MappaInvitation,
    MappaLevelDecision,
    MappaReferral,
    MappaReferralSubject,
)
from sharehub.referrals.mappa.references import REFERENCES, shown_to
from sharehub.referrals.mappa.schemas import (
    Closure,
    Invitation,
    LevelDecisionIn,
    LevelDecisionView,
    LevelReviewIn,
    PersonAtRisk,
    ReferralCreate,
    ReferralSummary,
    ReferralView,
    Resubmission,
    Return,
    ReviewsDue,
)

KIND = "MAPPA referral"
CONTEXT_KIND = "mappa_referral"
S325 = "Criminal Justice Act 2003, section 325(1)"
# Hub-wide roles that reach every referral in their area (or every area).
COORDINATOR_ROLES = frozenset({Role.MAPPA_COORDINATOR.value, Role.MAPPA_CHAIR.value})
REVIEWS_DUE_LIMIT = 500
NOT_A_MAPPA_AGENCY = (
    "neither a responsible authority nor a duty-to-co-operate agency "
    "(Criminal Justice Act 2003, section 325(1), (3), (6))"
)


@dataclass(frozen=True)
class Step:
    starts_from: frozenset[str]
    leaves: str | None  # None: the status stays
    # The MAPPA coordinator's or chair's for the area (else the referring agency's).
    by_coordinator: bool
    # What must come first, in words, for a person who tries it too soon.
    first: str


STEPS: dict[str, Step] = {
    "accept": Step(frozenset({"submitted"}), "accepted", True,
                   "only a referral waiting to be screened can be accepted"),
    "return": Step(frozenset({"submitted"}), "returned", True,
                   "only a referral waiting to be screened can be returned"),
    "resubmit": Step(frozenset({"returned"}), "submitted", False,
                     "only a referral the coordinator returned can be resubmitted"),
    "agree_level": Step(frozenset({"accepted"}), "managed", True,
                        "the coordinator must accept the referral first"),
    "review": Step(frozenset({"managed"}), None, True,
                   "agree the level of management first"),
    "invite": Step(frozenset({"accepted", "managed"}), None, True,
                   "the coordinator must accept the referral first"),
    "close": Step(frozenset({"accepted", "managed"}), "closed", True,
                  "the coordinator must accept the referral first"),
}  # fmt: skip
CLOSED_FIRST = "the referral is closed: nothing more can be done to it"


class StepNotOpen(Conflict):
    """A step tried out of order (409): ``first`` says, in words, what must come first."""

    def __init__(self, first: str, detail: str) -> None:
        super().__init__(detail)
        self.first = first


def next_steps(status: str) -> list[str]:
    return [name for name, step in STEPS.items() if status in step.starts_from]


def _check_step(referral: MappaReferral, name: str) -> None:
    if referral.status not in STEPS[name].starts_from:
        allowed = ", ".join(next_steps(referral.status)) or "none"
        first = CLOSED_FIRST if referral.status == "closed" else STEPS[name].first
        raise StepNotOpen(
            first,
            f"{first}: '{name}' is not open to a referral that is {referral.status}; "
            f"the steps open now: {allowed}",
        )


def _move(referral: MappaReferral, name: str, now: datetime) -> None:
    referral.status = STEPS[name].leaves or referral.status
    # Every step changes the referral row, so its version moves and a writer
    # holding the old ETag gets 412 even where only a child row was added.
    referral.updated_at = now


class NotAResponsibleAuthority(Forbidden):
    """Only a responsible authority refers to MAPPA (403: it is who asks, not
    what the form says, that is wrong)."""

    def __init__(self) -> None:
        super().__init__(
            "your agency is not a MAPPA responsible authority (police, probation or prison "
            f"service: {S325}); ask one of them to refer"
        )


@dataclass(frozen=True)
class Context:
    """What every view and change needs beside the database: the gate's
    context (keys, the law as the hub reads it, the audit, the clock) and the
    MAPPA arrangements."""

    gate: GateContext
    arrangements: Arrangements

    @property
    def now(self) -> datetime:
        return self.gate.now

    @property
    def today(self) -> date:
        return self.gate.today


def _mappa_role(rules: GatewayRules, agency_type: str) -> str:
    return rules.agency_types[AgencyType(agency_type)].mappa


# --- who reaches a referral -------------------------------------------------------


def _coordinator_reach(actor: Principal) -> tuple[bool, list[str]]:
    """(reaches every area, the areas reached) for MAPPA coordinators and chairs."""
    found = reach(actor, COORDINATOR_ROLES)
    return found.everywhere, sorted(found.areas)


def coordinates(actor: Principal, area: str) -> bool:
    return reach(actor, COORDINATOR_ROLES).covers(area)


async def _route_exists(
    db: AsyncSession, actor: Principal, offender: Subject, ctx: Context
) -> bool:
    """A protocol in force connects the actor's agency with the offender's
    holder for MAPPA (whatever it then allows them to see)."""
    planned = await plan(
        db,
        ctx.gate,
        viewer=Viewer(actor.agency_id, actor.user_id),
        purpose=Purpose.MAPPA,
        subjects=[SubjectInRecord(offender, SubjectRole.OFFENDER)],
    )
    return lawful_route_exists(planned)


async def _may_read(
    db: AsyncSession, actor: Principal, referral: MappaReferral, ctx: Context
) -> bool:
    if not may_see(
        actor,
        owning_agency_id=referral.agency_id,
        invited_agency_ids=[i.agency_id for i in referral.invitations],
        area=referral.area,
        coordinator_roles=COORDINATOR_ROLES,
    ):
        return False
    if actor.agency_id == referral.agency_id:
        return True
    offender = await db.get(Subject, referral.offender_subject_id)
    return offender is not None and await _route_exists(db, actor, offender, ctx)


async def get_referral(
    db: AsyncSession, actor: Principal, referral_id: uuid.UUID, ctx: Context
) -> MappaReferral:
    """A referral the actor may read; 404 for any other, so ids do not leak."""
    referral = await db.get(MappaReferral, referral_id)
    if referral is None or not await _may_read(db, actor, referral, ctx):
        raise NotFound(KIND)
    return referral


async def referral_by_reference(
    db: AsyncSession, actor: Principal, reference: str, ctx: Context
) -> MappaReferral:
    """The same, found by the reference people use ("MAPPA-2026-0003")."""
    found = await db.scalar(
        select(MappaReferral.id).where(MappaReferral.reference == reference.strip().upper())
    )
    if found is None:
        raise NotFound(KIND)
    return await get_referral(db, actor, found, ctx)


async def _deciding(
    db: AsyncSession,
    actor: Principal,
    referral_id: uuid.UUID,
    version: int,
    step: str,
    ctx: Context,
) -> MappaReferral:
    """A referral a MAPPA coordinator or chair for its area is deciding on."""
    referral = await get_referral(db, actor, referral_id, ctx)
    if not coordinates(actor, referral.area):
        # They may read it (their agency's, or invited), but the decision is not theirs.
        raise Forbidden(f"'{step}' is for a MAPPA coordinator or chair for the area")
    check_version(referral, version, KIND)
    _check_step(referral, step)
    return referral


def _raced(_: IntegrityError) -> Conflict:
    return Conflict("the referral was changed at the same time; fetch it again")


# --- the referral and its resubmission ----------------------------------------------


def _check_category(number: int, arrangements: Arrangements) -> list[tuple[str, str]]:
    if arrangements.category(number) is not None:
        return []
    enabled = ", ".join(map(str, arrangements.enabled_categories))
    return [("category", f"not a category referrals are taken in (taken now: {enabled})")]


def _check_references(
    given: dict[str, str | None],
) -> tuple[dict[str, str | None], list[tuple[str, str]]]:
    """Each reference in its normal form; errors name the field, never the value."""
    checked: dict[str, str | None] = {}
    errors: list[tuple[str, str]] = []
    for kind, value in given.items():
        if value is None:
            checked[kind] = None
            continue
        try:
            checked[kind] = REFERENCES[kind].check(value)
        except ValueError as exc:
            errors.append((kind, str(exc)))
    return checked, errors


def _seal_references(
    cipher: FieldCipher, referral: MappaReferral, refs: dict[str, str | None]
) -> None:
    for kind, value in refs.items():
        seal_field(cipher, referral, kind, value)


async def _people_at_risk_errors(
    db: AsyncSession, actor: Principal, offender_id: uuid.UUID, given: list[PersonAtRisk]
) -> list[tuple[str, str]]:
    """Victims and others at risk are linked like the offender: each once, each
    a subject the referring agency holds, and not the offender."""
    ids = [link.subject_id for link in given]
    errors = await held_subject_errors(db, actor.agency_id, ids, field="people_at_risk")
    errors += [
        (f"people_at_risk[{i}].subject_id", "the offender is linked as the offender")
        for i, subject_id in enumerate(ids)
        if subject_id == offender_id
    ]
    return errors


def _links(given: list[PersonAtRisk]) -> list[MappaReferralSubject]:
    return [
        MappaReferralSubject(subject_id=link.subject_id, role=link.role, position=i)
        for i, link in enumerate(given)
    ]


async def may_refer(db: AsyncSession, actor: Principal, ctx: Context) -> bool:
    """Whether the actor's agency is a responsible authority, the only kind that refers."""
    agency = await db.get(Agency, actor.agency_id)
    return (
        agency is not None
        and _mappa_role(ctx.gate.rules, agency.agency_type) == "responsible_authority"
    )


@dataclass(frozen=True)
class Checked:
    """A MAPPA A that ``refer`` would take, as it would record it: the area as
    the agency names it, the category and proposed level from the
    arrangements, the references in their normal forms. Nothing written."""

    area: str
    category: Category
    level: Level
    references: dict[str, str | None]


async def check_referral(
    db: AsyncSession, actor: Principal, data: ReferralCreate, ctx: Context
) -> Checked:
    """Every rule ``refer`` applies, without writing: 403 for an agency that
    is not a responsible authority, 422 naming each field at fault."""
    if not await may_refer(db, actor, ctx):
        raise NotAResponsibleAuthority()
    agency = await db.get(Agency, actor.agency_id)
    assert agency is not None
    errors = _check_category(data.category, ctx.arrangements)
    offender = await db.get(Subject, data.offender_subject_id)
    if (
        offender is None
        or offender.holding_agency_id != actor.agency_id
        or offender.anonymised_at is not None
    ):
        errors.append(("offender_subject_id", "no such subject held by your agency"))
    elif offender.kind != "person":
        errors.append(("offender_subject_id", "an offender is a person, not a " + offender.kind))
    area = next(
        (a for a in agency.area_names if a.casefold() == data.area.strip().casefold()), None
    )
    if area is None:
        errors.append(("area", "not an area your agency serves"))
    refs, wrong = _check_references(
        {"visor_ref": data.visor_ref, "pnc_id": data.pnc_id, "crn": data.crn}
    )
    errors += wrong
    errors += await _people_at_risk_errors(db, actor, data.offender_subject_id, data.people_at_risk)
    if errors:
        raise Unprocessable(errors)
    category = ctx.arrangements.category(data.category)
    assert area is not None and category is not None
    return Checked(area, category, ctx.arrangements.level(data.proposed_level), refs)


async def refer(
    db: AsyncSession, actor: Principal, data: ReferralCreate, ctx: Context
) -> MappaReferral:
    checked = await check_referral(db, actor, data, ctx)
    area = checked.area
    referral = MappaReferral(
        id=new_id(),
        reference=await next_reference(db, "mappa_referral", local_today(ctx.now).year),
        agency_id=actor.agency_id,
        referred_by=actor.user_id,
        offender_subject_id=data.offender_subject_id,
        area=area,
        area_key=area.casefold(),
        category=data.category,
        proposed_level=data.proposed_level,
        status="submitted",
        submitted_at=ctx.now,
        resubmitted=0,
        decisions=[],
        invitations=[],
        people_at_risk=_links(data.people_at_risk),
    )
    cipher = ctx.gate.cipher
    seal_field(cipher, referral, "summary", data.summary)
    seal_field(cipher, referral, "proposed_level_reason", data.proposed_level_reason)
    _seal_references(cipher, referral, checked.references)
    db.add(referral)
    await db.flush()
    return referral


async def resubmit(
    db: AsyncSession,
    actor: Principal,
    referral_id: uuid.UUID,
    version: int,
    data: Resubmission,
    ctx: Context,
) -> MappaReferral:
    referral = await get_referral(db, actor, referral_id, ctx)
    if referral.agency_id != actor.agency_id:
        raise Forbidden("'resubmit' is for the referring agency")
    check_version(referral, version, KIND)
    _check_step(referral, "resubmit")
    errors: list[tuple[str, str]] = []
    if data.category is not msgspec.UNSET:
        errors += _check_category(data.category, ctx.arrangements)
    changed = {kind: getattr(data, kind) for kind in REFERENCES}
    refs, wrong = _check_references(
        {kind: value for kind, value in changed.items() if value is not msgspec.UNSET}
    )
    errors += wrong
    if data.people_at_risk is not msgspec.UNSET:
        errors += await _people_at_risk_errors(
            db, actor, referral.offender_subject_id, data.people_at_risk
        )
    if errors:
        raise Unprocessable(errors)
    cipher = ctx.gate.cipher
    if data.category is not msgspec.UNSET:
        referral.category = data.category
    if data.proposed_level is not msgspec.UNSET:
        referral.proposed_level = data.proposed_level
    if data.proposed_level_reason is not msgspec.UNSET:
        seal_field(cipher, referral, "proposed_level_reason", data.proposed_level_reason)
    if data.summary is not msgspec.UNSET:
        seal_field(cipher, referral, "summary", data.summary)
    if data.people_at_risk is not msgspec.UNSET:
        referral.people_at_risk = _links(data.people_at_risk)
    _seal_references(cipher, referral, refs)
    referral.resubmitted += 1
    referral.submitted_at = ctx.now
    referral.screened_at = referral.screened_by = None
    _move(referral, "resubmit", ctx.now)
    await write_changes(db, KIND, _raced)
    return referral


# --- screening, levels, invitations, closure ----------------------------------------


async def accept(
    db: AsyncSession, actor: Principal, referral_id: uuid.UUID, version: int, ctx: Context
) -> MappaReferral:
    referral = await _deciding(db, actor, referral_id, version, "accept", ctx)
    referral.screened_at, referral.screened_by = ctx.now, actor.user_id
    _move(referral, "accept", ctx.now)
    await write_changes(db, KIND, _raced)
    return referral


async def return_referral(
    db: AsyncSession,
    actor: Principal,
    referral_id: uuid.UUID,
    version: int,
    data: Return,
    ctx: Context,
) -> MappaReferral:
    referral = await _deciding(db, actor, referral_id, version, "return", ctx)
    referral.screened_at, referral.screened_by = ctx.now, actor.user_id
    seal_field(ctx.gate.cipher, referral, "return_reason", data.reason)
    _move(referral, "return", ctx.now)
    await write_changes(db, KIND, _raced)
    return referral


def _decision_day(given: date | None, earliest: date, ctx: Context, field: str) -> date:
    day = given or ctx.today
    if day > ctx.today:
        raise Unprocessable([(field, "cannot be in the future")])
    if day < earliest:
        raise Unprocessable([(field, "cannot be before the last decision on this referral")])
    return day


def _record_level(
    referral: MappaReferral,
    *,
    kind: str,
    level: int,
    reason: str,
    decided_on: date,
    actor: Principal,
    ctx: Context,
) -> None:
    """A level decision row, and the referral's level and next review from it."""
    previous = referral.level
    rules = ctx.arrangements.level(level)
    due = next_review(decided_on, rules)
    decision = MappaLevelDecision(
        id=new_id(),
        referral_id=referral.id,
        sequence=len(referral.decisions) + 1,
        kind=kind,
        level=level,
        previous_level=previous,
        outcome="agreed" if kind == "agreed" else "confirmed" if level == previous else "changed",
        decided_on=decided_on,
        decided_by=actor.user_id,
        next_review_on=due,
        review_citation=rules.review_citation,
    )
    seal_field(ctx.gate.cipher, decision, "reason", reason)
    referral.decisions.append(decision)
    referral.level, referral.next_review_on = level, due


async def agree_level(
    db: AsyncSession,
    actor: Principal,
    referral_id: uuid.UUID,
    version: int,
    data: LevelDecisionIn,
    ctx: Context,
) -> MappaReferral:
    referral = await _deciding(db, actor, referral_id, version, "agree_level", ctx)
    screened = local_today(referral.screened_at or referral.submitted_at)
    decided_on = _decision_day(data.decided_on, screened, ctx, "decided_on")
    _record_level(
        referral,
        kind="agreed",
        level=data.level,
        reason=data.reason,
        decided_on=decided_on,
        actor=actor,
        ctx=ctx,
    )
    _move(referral, "agree_level", ctx.now)
    await write_changes(db, KIND, _raced)
    return referral


async def review_level(
    db: AsyncSession,
    actor: Principal,
    referral_id: uuid.UUID,
    version: int,
    data: LevelReviewIn,
    ctx: Context,
) -> MappaReferral:
    referral = await _deciding(db, actor, referral_id, version, "review", ctx)
    last = referral.decisions[-1].decided_on
    reviewed_on = _decision_day(data.reviewed_on, last, ctx, "reviewed_on")
    _record_level(
        referral,
        kind="review",
        level=data.level,
        reason=data.reason,
        decided_on=reviewed_on,
        actor=actor,
        ctx=ctx,
    )
    _move(referral, "review", ctx.now)
    await write_changes(db, KIND, _raced)
    return referral


async def invite(
    db: AsyncSession,
    actor: Principal,
    referral_id: uuid.UUID,
    version: int,
    data: Invitation,
    ctx: Context,
) -> MappaReferral:
    referral = await _deciding(db, actor, referral_id, version, "invite", ctx)
    ids = data.agency_ids
    if len(set(ids)) != len(ids):
        raise Unprocessable([("agency_ids", "each agency once")])
    found = {a.id: a for a in await db.scalars(select(Agency).where(Agency.id.in_(ids)))}
    already = {i.agency_id for i in referral.invitations}
    errors: list[tuple[str, str]] = []
    for i, agency_id in enumerate(ids):
        agency = found.get(agency_id)
        field = f"agency_ids[{i}]"
        if agency is None or not agency.active:
            errors.append((field, "no such agency"))
        elif agency_id == referral.agency_id:
            errors.append((field, "the referring agency holds the case already"))
        elif agency_id in already:
            errors.append((field, "already invited"))
        elif _mappa_role(ctx.gate.rules, agency.agency_type) == "none":
            errors.append((field, NOT_A_MAPPA_AGENCY))
    if errors:
        raise Unprocessable(errors)
    for agency_id in ids:
        referral.invitations.append(
            MappaInvitation(agency_id=agency_id, invited_at=ctx.now, invited_by=actor.user_id)
        )
    _move(referral, "invite", ctx.now)
    await write_changes(db, KIND, _raced)
    return referral


async def invitable(db: AsyncSession, referral: MappaReferral, ctx: Context) -> list[Agency]:
    """The agencies ``invite`` would take for this referral now: active, with
    a part in MAPPA (a responsible authority or a duty to co-operate), not the
    referring agency and not invited already; by name."""
    already = {i.agency_id for i in referral.invitations} | {referral.agency_id}
    agencies = await db.scalars(
        select(Agency).where(Agency.active.is_(True)).order_by(Agency.name, Agency.id)
    )
    return [
        a
        for a in agencies
        if a.id not in already and _mappa_role(ctx.gate.rules, a.agency_type) != "none"
    ]


async def close(
    db: AsyncSession,
    actor: Principal,
    referral_id: uuid.UUID,
    version: int,
    data: Closure,
    ctx: Context,
) -> MappaReferral:
    referral = await _deciding(db, actor, referral_id, version, "close", ctx)
    referral.closed_at, referral.close_reason = ctx.now, data.reason
    referral.next_review_on = None  # nothing more falls due; the level history stays
    seal_field(ctx.gate.cipher, referral, "close_note", data.note)
    _move(referral, "close", ctx.now)
    await write_changes(db, KIND, _raced)
    return referral


# --- lists ------------------------------------------------------------------------


async def _readable(db: AsyncSession, actor: Principal, ctx: Context) -> ColumnElement[bool]:
    """The rule of ``_may_read``, in SQL, for lists."""
    everywhere, areas = _coordinator_reach(actor)
    if everywhere:
        seen: ColumnElement[bool] = true()
    else:
        invited = select(MappaInvitation.referral_id).where(
            MappaInvitation.agency_id == actor.agency_id
        )
        clauses = [MappaReferral.agency_id == actor.agency_id, MappaReferral.id.in_(invited)]
        if areas:
            clauses.append(MappaReferral.area_key.in_(areas))
        seen = or_(*clauses)
    # Other agencies' referrals only where a protocol connects the agencies:
    # that turns on the two agencies, so one offender per agency answers it.
    others = await db.scalars(
        select(MappaReferral.agency_id)
        .where(seen, MappaReferral.agency_id != actor.agency_id)
        .distinct()
    )
    closed_to = []
    for agency_id in list(others):
        offender = await db.scalar(
            select(Subject)
            .join(MappaReferral, MappaReferral.offender_subject_id == Subject.id)
            .where(MappaReferral.agency_id == agency_id)
            .limit(1)
        )
        if offender is None or not await _route_exists(db, actor, offender, ctx):
            closed_to.append(agency_id)
    return and_(seen, MappaReferral.agency_id.not_in(closed_to)) if closed_to else seen


def _overdue(referral: MappaReferral, today: date) -> bool:
    return (
        referral.status == "managed"
        and referral.next_review_on is not None
        and referral.next_review_on < today
    )


def _summary(referral: MappaReferral, today: date) -> ReferralSummary:
    return ReferralSummary(
        id=referral.id,
        reference=referral.reference,
        agency_id=referral.agency_id,
        status=referral.status,  # type: ignore[arg-type]
        area=referral.area,
        category=referral.category,
        proposed_level=referral.proposed_level,  # type: ignore[arg-type]
        level=referral.level,  # type: ignore[arg-type]
        submitted_at=referral.submitted_at,
        next_review_on=referral.next_review_on,
        review_overdue=_overdue(referral, today),
    )


async def list_referrals(
    db: AsyncSession,
    actor: Principal,
    *,
    status: str | None,
    ctx: Context,
    limit: int,
    offset: int,
    referred_by: uuid.UUID | None = None,
    invited: uuid.UUID | None = None,
) -> tuple[list[ReferralSummary], int]:
    """Those the actor may read, newest first; narrowed to one status, to one
    agency's referrals, or to the cases one agency is invited to."""
    where = await _readable(db, actor, ctx)
    if status:
        where = and_(where, MappaReferral.status == status)
    if referred_by:
        where = and_(where, MappaReferral.agency_id == referred_by)
    if invited:
        where = and_(
            where,
            MappaReferral.id.in_(
                select(MappaInvitation.referral_id).where(MappaInvitation.agency_id == invited)
            ),
        )
    total = await db.scalar(select(func.count()).select_from(MappaReferral).where(where)) or 0
    rows = await db.scalars(
        select(MappaReferral)
        .where(where)
        .order_by(MappaReferral.submitted_at.desc(), MappaReferral.id)
        .limit(limit)
        .offset(offset)
    )
    return [_summary(r, ctx.today) for r in rows], total


async def reviews_due(
    db: AsyncSession, actor: Principal, *, due_by: date, ctx: Context
) -> ReviewsDue:
    """The coordinator's list: managed cases in their areas whose level review
    falls due by ``due_by`` (overdue ones first)."""
    everywhere, areas = _coordinator_reach(actor)
    found: list[ReferralSummary] = []
    if everywhere or areas:
        where = and_(
            await _readable(db, actor, ctx),
            MappaReferral.status == "managed",
            MappaReferral.next_review_on <= due_by,
        )
        if not everywhere:
            where = and_(where, MappaReferral.area_key.in_(areas))
        rows = await db.scalars(
            select(MappaReferral)
            .where(where)
            .order_by(MappaReferral.next_review_on, MappaReferral.id)
            .limit(REVIEWS_DUE_LIMIT)
        )
        found = [_summary(r, ctx.today) for r in rows]
    return ReviewsDue(as_of=ctx.today, due_by=due_by, items=found)


# --- the view ---------------------------------------------------------------------


async def subjects_of(db: AsyncSession, referral: MappaReferral) -> list[SubjectInRecord]:
    """Everyone the referral links: the offender first, then the victims and
    other people at risk (also the people of its meeting material,
    ``meetings/cases.py``)."""
    people = [(referral.offender_subject_id, SubjectRole.OFFENDER)]
    people += [(link.subject_id, SubjectRole(link.role)) for link in referral.people_at_risk]
    found = []
    for subject_id, role in people:
        if (subject := await db.get(Subject, subject_id)) is not None:
            found.append(SubjectInRecord(subject, role))
    return found


def held_references(cipher: FieldCipher, referral: MappaReferral) -> dict[str, str | None]:
    """The referral's own references, for the gate to find in any text."""
    return {kind: open_field(cipher, referral, kind) for kind in REFERENCES}


async def _references_shown(
    db: AsyncSession, actor: Principal, referral: MappaReferral, offender: Subject, ctx: Context
) -> bool:
    """``references.shown_to`` for this reader: whether the gate shows them who
    the offender is is asked of the gate itself."""
    if actor.agency_id == referral.agency_id:
        return True
    planned = await plan(
        db,
        ctx.gate,
        viewer=Viewer(actor.agency_id, actor.user_id),
        purpose=Purpose.MAPPA,
        subjects=[SubjectInRecord(offender, SubjectRole.OFFENDER)],
    )
    viewer_agency = await db.get(Agency, actor.agency_id)
    return shown_to(
        own_agency=False,
        viewer_mappa_role=_mappa_role(ctx.gate.rules, viewer_agency.agency_type)
        if viewer_agency
        else "none",
        coordinates=coordinates(actor, referral.area),
        offender_identified="name" in planned[0].shown,
    )


async def view_of(
    db: AsyncSession, actor: Principal, referral: MappaReferral, ctx: Context
) -> ReferralView:
    """Built by the disclosure gate, like every view of people: the offender and
    the people at risk are the subjects of every text in it, and the
    restricted identifiers are shown (as the gate builds them) or withheld, in
    the fields and wherever they appear in the text."""
    subjects = await subjects_of(db, referral)
    if not subjects or subjects[0].role is not SubjectRole.OFFENDER:
        raise NotFound(KIND)  # a foreign key holds the offender; never expected
    offender = subjects[0].subject
    cipher = ctx.gate.cipher
    held = held_references(cipher, referral)
    show = await _references_shown(db, actor, referral, offender, ctx)
    texts = {
        "summary": open_field(cipher, referral, "summary"),
        "proposed_level_reason": open_field(cipher, referral, "proposed_level_reason"),
        "return_reason": open_field(cipher, referral, "return_reason"),
        "close_note": open_field(cipher, referral, "close_note"),
    }
    texts |= {
        f"level_history[{i}]": open_field(cipher, d, "reason")
        for i, d in enumerate(referral.decisions)
    }
    # The references themselves, for a reader who may see them: as the gate shows them.
    texts |= {f"reference:{kind}": value if show else None for kind, value in held.items()}
    gated = await disclose(
        db,
        ctx.gate,
        viewer=Viewer(actor.agency_id, actor.user_id),
        purpose=Purpose.MAPPA,
        subjects=subjects,
        texts=texts,
        # The referrer's words are the referrer's; the coordinator's (a return
        # reason, level decisions, the close note) reach the referrer through
        # the gate. Who closed is not recorded: the note passes it for everyone.
        texts_held_by={
            **dict.fromkeys(texts, referral.agency_id),
            **await writers(
                db,
                {
                    "return_reason": referral.screened_by,
                    "close_note": None,
                    **{
                        f"level_history[{i}]": d.decided_by
                        for i, d in enumerate(referral.decisions)
                    },
                },
            ),
        },
        context_kind=CONTEXT_KIND,
        context_id=referral.id,
        references_shown=show,
        held_references=held,
    )
    person, *at_risk = gated.people
    out = gated.texts
    own = actor.agency_id == referral.agency_id
    withheld = [] if show else [kind for kind, value in held.items() if value]
    if not own and any(held.values()):
        await _record_references(
            db, actor, referral, offender, held, show, gated.disclosure_ids, ctx
        )
    category = ctx.arrangements.any_category(referral.category)
    level = ctx.arrangements.level(referral.level) if referral.level else None
    return ReferralView(
        id=referral.id,
        reference=referral.reference,
        version=referral.version,
        agency_id=referral.agency_id,
        status=referral.status,  # type: ignore[arg-type]
        area=referral.area,
        category=referral.category,
        # A category taken out of the file since: the referral still reads.
        category_name=category.name if category else f"Category {referral.category}",
        category_citation=category.citation if category else None,
        offender=person,
        people_at_risk=at_risk,
        proposed_level=referral.proposed_level,  # type: ignore[arg-type]
        proposed_level_reason=out["proposed_level_reason"],
        summary=out["summary"],
        visor_ref=out["reference:visor_ref"],
        pnc_id=out["reference:pnc_id"],
        crn=out["reference:crn"],
        identifiers_withheld=withheld,
        submitted_at=referral.submitted_at,
        resubmitted=referral.resubmitted,
        screened_at=referral.screened_at,
        return_reason=out["return_reason"],
        level=referral.level,  # type: ignore[arg-type]
        level_name=level.name if level else None,
        next_review_on=referral.next_review_on,
        review_overdue=_overdue(referral, ctx.today),
        level_history=[
            LevelDecisionView(
                kind=d.kind,  # type: ignore[arg-type]
                level=d.level,  # type: ignore[arg-type]
                previous_level=d.previous_level,  # type: ignore[arg-type]
                outcome=d.outcome,  # type: ignore[arg-type]
                reason=out[f"level_history[{i}]"],
                decided_on=d.decided_on,
                next_review_on=d.next_review_on,
                review_citation=d.review_citation,
            )
            for i, d in enumerate(referral.decisions)
        ],
        invited_agency_ids=[i.agency_id for i in referral.invitations],
        closed_at=referral.closed_at,
        close_reason=referral.close_reason,  # type: ignore[arg-type]
        close_note=out["close_note"],
        next_steps=next_steps(referral.status),
    )


async def _record_references(
    db: AsyncSession,
    actor: Principal,
    referral: MappaReferral,
    offender: Subject,
    held: dict[str, str | None],
    shown: bool,
    disclosure_ids: list[uuid.UUID],
    ctx: Context,
) -> None:
    """The gate records the offender's identity fields; this records, beside
    it, whether another agency was shown the restricted identifiers (which,
    never their values)."""
    present = [kind for kind, value in held.items() if value]
    await ctx.gate.audit.record(
        db=db,
        event=AuditEvent(
            kind="disclosure",
            at=ctx.now,
            user_id=actor.user_id,
            agency_id=actor.agency_id,
            subject_id=offender.id,
            reason="mappa_restricted_identifiers",
            details={
                "disclosure_id": str(disclosure_ids[0]) if disclosure_ids else None,
                "holding_agency_id": str(referral.agency_id),
                "purpose": Purpose.MAPPA.value,
                "context_kind": CONTEXT_KIND,
                "context_id": str(referral.id),
                "shown": present if shown else [],
                "withheld": [] if shown else present,
            },
        ),
    )
