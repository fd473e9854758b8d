"""Where a meeting's cases come from, as a table of sources: which records are
due at a meeting of a kind, and the material each brings (the people in it,
its free text, and facts that name nobody). Everything here is raw material:
only the disclosure gate turns it into what an agency sees.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.agencies.models import Agency
from sharehub.calendar import LOCAL_TIME
from sharehub.crypto import open_field
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gate import SubjectInRecord
from sharehub.identity.principal import Principal
from sharehub.meetings.models import Action, AgendaItem, Contribution, Meeting
from sharehub.meetings.service import kind_of
from sharehub.meetings.types import MeetingType
from sharehub.privacy.models import Subject
from sharehub.protocols.engine import SubjectRole
from sharehub.referrals.case_review import service as case_reviews
from sharehub.referrals.case_review.models import CaseReview
from sharehub.referrals.case_review.schemas import ReviewMeeting
from sharehub.referrals.mappa import service as mappa
from sharehub.referrals.mappa.arrangements import default_arrangements
from sharehub.referrals.mappa.models import MappaReferral
from sharehub.referrals.mappa.schemas import LevelDecisionIn, LevelReviewIn
from sharehub.referrals.marac import service as marac
from sharehub.referrals.marac.models import MaracReferral
from sharehub.referrals.marac.schemas import Hearing as MaracHearing
from sharehub.web.labels import label, long_date


@dataclass
class CaseMaterial:
    source: str
    source_id: uuid.UUID
    reference: str
    # The agency whose record it is (the referrer), or None for an action.
    holder_agency_id: uuid.UUID | None
    subjects: list[SubjectInRecord] = field(default_factory=list)
    texts: dict[str, str | None] = field(default_factory=dict)
    facts: dict[str, str] = field(default_factory=dict)
    # Restricted references the record holds (a MAPPA referral's PNC ID, CRN,
    # ViSOR reference): pass them to ``disclose(held_references=...)`` with
    # every text of the case, contributions included, so the gate finds them
    # in any spelling; ``references_shown`` goes to ``disclose`` as it is
    # (None: the gate decides, by the reader's agency).
    held_references: dict[str, str | None] = field(default_factory=dict)
    references_shown: bool | None = None


@dataclass(frozen=True)
class MeetingContext:
    """What a source needs to record what a meeting did with one of its cases
    (heard it; decided something in the approved minutes)."""

    actor: Principal
    meeting: Meeting
    gate: GateContext


@dataclass(frozen=True)
class MinutedDecision:
    """One case's decisions as the chair approved them."""

    level: int | None
    decisions: str | None


Due = Callable[[AsyncSession, Meeting], Awaitable[list[tuple[uuid.UUID, str]]]]
Material = Callable[[AsyncSession, uuid.UUID, GateContext], Awaitable[CaseMaterial | None]]
Heard = Callable[[AsyncSession, uuid.UUID, MeetingContext], Awaitable[None]]
Decided = Callable[[AsyncSession, uuid.UUID, MinutedDecision, MeetingContext], Awaitable[None]]


async def _nothing_to_record(
    db: AsyncSession, source_id: uuid.UUID, context: MeetingContext
) -> None:
    """For sources whose records have no "heard" step (an action carried over)."""


async def _no_decision_to_record(
    db: AsyncSession, source_id: uuid.UUID, decision: MinutedDecision, context: MeetingContext
) -> None:
    """For sources the minutes decide nothing on beyond their own text (MARAC:
    the action plan is the meeting's actions; a case review: its outcome route)."""


@dataclass(frozen=True)
class CaseSource:
    meeting_types: frozenset[MeetingType]
    due: Due
    material: Material
    # Run when the meeting is recorded as held, for each case on its agenda.
    heard: Heard = _nothing_to_record
    # Run when minutes are approved, for each case minuted.
    decided: Decided = _no_decision_to_record


def meeting_day(meeting: Meeting) -> date:
    return meeting.starts_at.astimezone(LOCAL_TIME).date()


# --- MARAC -----------------------------------------------------------------------------------


async def _marac_due(db: AsyncSession, meeting: Meeting) -> list[tuple[uuid.UUID, str]]:
    """Referrals the coordinator listed for this meeting's day and area."""
    rows = await db.scalars(
        select(MaracReferral.id)
        .where(
            MaracReferral.status == "listed",
            MaracReferral.listed_for == meeting_day(meeting),
            func.lower(MaracReferral.area) == meeting.area.casefold(),
        )
        .order_by(MaracReferral.referred_at)
    )
    return [(referral_id, "listed") for referral_id in rows]


def _yes_no(value: bool) -> str:
    return label("yes_no", "yes" if value else "no")


async def _marac_material(
    db: AsyncSession, referral_id: uuid.UUID, gate: GateContext
) -> CaseMaterial | None:
    referral = await db.get(MaracReferral, referral_id)
    if referral is None:
        return None
    return CaseMaterial(
        source="marac_referral",
        source_id=referral.id,
        reference=marac.reference_of(referral),
        holder_agency_id=referral.referring_agency_id,
        # The victim, the perpetrator, the children and household members.
        subjects=await marac.subjects_of(db, referral),
        texts={"summary": open_field(gate.cipher, referral, "summary")},
        facts={
            "Criteria met": ", ".join(
                label("marac_criterion", c) for c in marac.criteria_met(referral)
            ),
            "Risk (DASH)": f"{label('risk_band', referral.risk_band)}, "
            f"{referral.yes_answers} questions answered yes",
            "Repeat referral": _yes_no(referral.repeat),
            "Incident on": long_date(referral.incident_on),
            "Victim aware / consented": f"{_yes_no(referral.victim_aware)} / "
            f"{_yes_no(referral.consent_given)}",
            "IDVA allocated": _yes_no(referral.idva_allocated),
        },
    )


async def _marac_heard(db: AsyncSession, referral_id: uuid.UUID, context: MeetingContext) -> None:
    """A listed referral on the agenda of a meeting held has been heard: the
    referral's own step, with its rules and its ledger entry."""
    referral = await db.get(MaracReferral, referral_id)
    if referral is None or referral.status != "listed":
        return
    await marac.take_step(
        db,
        context.actor,
        referral,
        referral.version,
        "hear",
        MaracHearing(heard_on=meeting_day(context.meeting)),
        context.gate,
    )


# --- MAPPA ---------------------------------------------------------------------------------

MAPPA_LEVELS = {MeetingType.MAPPA_LEVEL_2: 2, MeetingType.MAPPA_LEVEL_3: 3}


async def _mappa_due(db: AsyncSession, meeting: Meeting) -> list[tuple[uuid.UUID, str]]:
    """Cases managed at this meeting's level whose review falls due by its day,
    and accepted referrals proposed for this level, awaiting their first meeting."""
    level = MAPPA_LEVELS[MeetingType(meeting.meeting_type)]
    area = MappaReferral.area_key == meeting.area.casefold()
    reviews = await db.scalars(
        select(MappaReferral.id)
        .where(
            area,
            MappaReferral.status == "managed",
            MappaReferral.level == level,
            MappaReferral.next_review_on <= meeting_day(meeting),
        )
        .order_by(MappaReferral.next_review_on, MappaReferral.id)
    )
    new = await db.scalars(
        select(MappaReferral.id)
        .where(area, MappaReferral.status == "accepted", MappaReferral.proposed_level == level)
        .order_by(MappaReferral.submitted_at, MappaReferral.id)
    )
    return [(i, "new_referral") for i in new] + [(i, "review_due") for i in reviews]


async def _mappa_material(
    db: AsyncSession, referral_id: uuid.UUID, gate: GateContext
) -> CaseMaterial | None:
    referral = await db.get(MappaReferral, referral_id)
    if referral is None:
        return None
    # ViSOR, PNC and nDelius references are restricted identifiers: never a
    # fact of the material, and in its text (and the agencies' preparation)
    # withheld by the gate from anyone not entitled to them.
    return CaseMaterial(
        source="mappa_referral",
        source_id=referral.id,
        reference=referral.reference,
        holder_agency_id=referral.agency_id,
        # The offender, then the victims and other people at risk.
        subjects=await mappa.subjects_of(db, referral),
        texts={"summary": open_field(gate.cipher, referral, "summary")},
        held_references=mappa.held_references(gate.cipher, referral),
        facts={
            "Category": label("mappa_category", referral.category),
            "Level": label("mappa_level", referral.level)
            if referral.level
            else f"{label('mappa_level', referral.proposed_level)} (proposed)",
            "Next review": long_date(referral.next_review_on),
        },
    )


async def _mappa_decided(
    db: AsyncSession, referral_id: uuid.UUID, decision: MinutedDecision, context: MeetingContext
) -> None:
    """A level decided at the meeting becomes the referral's level decision (its
    first agreed level, or a review), with the minuted decisions as the reason."""
    if decision.level is None:
        return
    referral = await db.get(MappaReferral, referral_id)
    if referral is None:
        return
    day = meeting_day(context.meeting)
    reason = decision.decisions or (
        f"Decided at the {kind_of(context.meeting).name} of {day.isoformat()}"
    )
    mappa_context = mappa.Context(gate=context.gate, arrangements=default_arrangements())
    if referral.status == "accepted":
        await mappa.agree_level(
            db,
            context.actor,
            referral.id,
            referral.version,
            LevelDecisionIn(level=decision.level, reason=reason, decided_on=day),  # type: ignore[arg-type]
            mappa_context,
        )
    else:
        await mappa.review_level(
            db,
            context.actor,
            referral.id,
            referral.version,
            LevelReviewIn(level=decision.level, reason=reason, reviewed_on=day),  # type: ignore[arg-type]
            mappa_context,
        )


# --- ASB case review -----------------------------------------------------------------------

AWAITING_REVIEW = ("threshold_met", "accepted", "information_requested")


async def _case_review_due(db: AsyncSession, meeting: Meeting) -> list[tuple[uuid.UUID, str]]:
    """Applications acknowledged and accepted (threshold met or by discretion)
    whose review meeting has not been held."""
    rows = await db.scalars(
        select(CaseReview.id)
        .where(
            CaseReview.area_key == meeting.area.casefold(),
            CaseReview.status.in_(AWAITING_REVIEW),
            CaseReview.acknowledged_on.is_not(None),
            CaseReview.review_held_on.is_(None),
        )
        .order_by(CaseReview.received_on, CaseReview.id)
    )
    return [(review_id, "review_due") for review_id in rows]


async def _case_review_material(
    db: AsyncSession, review_id: uuid.UUID, gate: GateContext
) -> CaseMaterial | None:
    review = await db.get(CaseReview, review_id)
    if review is None:
        return None
    return CaseMaterial(
        source="case_review",
        source_id=review.id,
        reference=review.reference,
        holder_agency_id=review.receiving_agency_id,
        # The victim, the representative, the people the bodies linked to their answers.
        subjects=await case_reviews.subjects_of(db, review),
        texts={"application": open_field(gate.cipher, review, "narrative")},
        facts={
            "Received on": long_date(review.received_on),
            "Victim": label("case_review_victim_type", review.victim_type),
            "Decision": label("case_review_decision", review.decision),
            "Complaints": str(len(review.complaints)),
        },
    )


async def _case_review_heard(
    db: AsyncSession, review_id: uuid.UUID, context: MeetingContext
) -> None:
    """The panel met: the case review's own "review held" step, with its rules."""
    review = await db.get(CaseReview, review_id)
    if review is None or review.status not in AWAITING_REVIEW or review.review_held_on:
        return
    await case_reviews.hold_review(
        db,
        context.actor,
        review.id,
        review.version,
        ReviewMeeting(held_on=meeting_day(context.meeting)),
        context.gate,
    )


# --- the people of a case ------------------------------------------------------------------


async def linked_subjects(
    db: AsyncSession,
    materials: Iterable[CaseMaterial | None],
    contributions: Iterable[Contribution],
) -> dict[uuid.UUID, SubjectInRecord]:
    """Every person linked to the cases: the records' own people first (so
    their pseudonyms read as on the record), then each person an agency linked
    in its preparation."""
    subjects: dict[uuid.UUID, SubjectInRecord] = {}
    for material in materials:
        for s in material.subjects if material is not None else []:
            subjects.setdefault(s.subject.id, s)
    for contribution in contributions:
        for link in contribution.subjects:
            if link.subject_id not in subjects and (s := await db.get(Subject, link.subject_id)):
                subjects[link.subject_id] = SubjectInRecord(s, SubjectRole(link.role))
    return subjects


async def contributions_to(db: AsyncSession, item_ids: Iterable[uuid.UUID]) -> list[Contribution]:
    ids = list(item_ids)
    if not ids:
        return []
    return list(
        await db.scalars(
            select(Contribution)
            .where(Contribution.item_id.in_(ids))
            .order_by(Contribution.created_at, Contribution.id)
        )
    )


# --- actions carried over ----------------------------------------------------------------------

OUTSTANDING = ("open", "in_progress")


async def outstanding_actions(db: AsyncSession, meeting: Meeting) -> list[tuple[uuid.UUID, str]]:
    """Actions not yet done from earlier meetings of the same kind and area."""
    rows = await db.execute(
        select(Action.id, Action.due_on)
        .join(Meeting, Meeting.id == Action.meeting_id)
        .where(
            Action.status.in_(OUTSTANDING),
            Meeting.meeting_type == meeting.meeting_type,
            func.lower(Meeting.area) == meeting.area.casefold(),
            Meeting.starts_at < meeting.starts_at,
            Meeting.id != meeting.id,
        )
        .order_by(Action.due_on, Action.id)
    )
    day = meeting_day(meeting)
    return [
        (action_id, "action_overdue" if due < day else "action_open") for action_id, due in rows
    ]


async def _action_material(
    db: AsyncSession, action_id: uuid.UUID, gate: GateContext
) -> CaseMaterial | None:
    action = await db.get(Action, action_id)
    if action is None:
        return None
    item = await db.get(AgendaItem, action.item_id)
    owner = await db.get(Agency, action.owner_agency_id)
    case = await material_of(db, item.source, item.source_id, gate) if item else None
    # The case's people and those the agencies linked in preparing it: the
    # action's wording is redacted as the minutes it came from are.
    people = await linked_subjects(
        db, [case], await contributions_to(db, [item.id] if item else [])
    )
    return CaseMaterial(
        source="action",
        source_id=action.id,
        reference=f"Action due {long_date(action.due_on)}"
        + (f" from {case.reference}" if case is not None else ""),
        holder_agency_id=case.holder_agency_id if case is not None else None,
        subjects=list(people.values()),
        texts={"action": open_field(gate.cipher, action, "description")},
        held_references=case.held_references if case is not None else {},
        references_shown=case.references_shown if case is not None else None,
        facts={
            "Owner": owner.name if owner else "",
            "Due on": long_date(action.due_on),
            "Status": label("meeting_action_status", action.status),
        },
    )


# --- the table -------------------------------------------------------------------------------

SOURCES: dict[str, CaseSource] = {
    "marac_referral": CaseSource(
        frozenset({MeetingType.MARAC}), _marac_due, _marac_material, _marac_heard
    ),
    "mappa_referral": CaseSource(
        frozenset(MAPPA_LEVELS), _mappa_due, _mappa_material, decided=_mappa_decided
    ),
    "case_review": CaseSource(
        frozenset({MeetingType.ASB_CASE_REVIEW_PANEL}),
        _case_review_due,
        _case_review_material,
        _case_review_heard,
    ),
    "action": CaseSource(frozenset(MeetingType), outstanding_actions, _action_material),
}


async def material_of(
    db: AsyncSession, source: str, source_id: uuid.UUID, gate: GateContext
) -> CaseMaterial | None:
    return await SOURCES[source].material(db, source_id, gate)
