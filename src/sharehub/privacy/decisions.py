"""Reasons to show a protected identity without consent, both recorded:

- a **sharing decision**: the holding agency decides, with reasons and the law
  relied on, that identity may go to named agencies for a purpose (for example
  on a MARAC referral at high risk);
- a **safeguarding override** ("break glass"): one person with the permission
  reveals an identity to themselves, for a limited time, with a written
  justification that the data protection officer then reviews.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.audit.events import AuditEvent
from sharehub.crypto import open_field, seal_field
from sharehub.db.base import new_id
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gated import GatedText
from sharehub.errors import Conflict, NotFound, Unprocessable
from sharehub.identity.principal import Principal
from sharehub.privacy.consent import check_recipients, reaches
from sharehub.privacy.identity import IDENTITY_CATEGORIES
from sharehub.privacy.models import SafeguardingOverride, SharingDecision, Subject
from sharehub.privacy.redaction import own_text
from sharehub.privacy.schemas import (
    OverrideCreate,
    OverrideReview,
    OverrideView,
    Recipients,
    SharingDecisionCreate,
    SharingDecisionView,
)
from sharehub.privacy.subjects import held_subject
from sharehub.protocols.terms import DataCategory, Purpose

# --- sharing decisions -----------------------------------------------------------


def decision_active(decision: SharingDecision, now: datetime) -> bool:
    return decision.revoked_at is None and (
        decision.expires_at is None or decision.expires_at > now
    )


def decision_covers(
    decision: SharingDecision,
    *,
    agency_id: uuid.UUID,
    purpose: Purpose,
    category: DataCategory,
    protocol_parties: Mapping[uuid.UUID, Collection[uuid.UUID]],
) -> bool:
    if decision.purpose != purpose.value or category.value not in decision.categories:
        return False
    return reaches(
        decision.recipient_agency_ids, decision.recipient_protocol_ids, agency_id, protocol_parties
    )


def decision_view(
    decision: SharingDecision, gate: GateContext, reader_agency_id: uuid.UUID
) -> SharingDecisionView:
    """The holding agency's own record of its decision (sharing decisions are
    listed to the holder only)."""
    cipher, now = gate.cipher, gate.now
    return SharingDecisionView(
        id=decision.id,
        subject_id=decision.subject_id,
        purpose=Purpose(decision.purpose),
        recipients=Recipients(
            agencies=[uuid.UUID(a) for a in decision.recipient_agency_ids],
            protocols=[uuid.UUID(p) for p in decision.recipient_protocol_ids],
        ),
        categories=[DataCategory(c) for c in decision.categories],
        legal_basis=decision.legal_basis,
        reasons=own_text(
            reader_agency_id,
            decision.holding_agency_id,
            open_field(cipher, decision, "reasons") or "",
        ),
        source_kind=decision.source_kind,
        source_id=decision.source_id,
        decided_by=decision.decided_by,
        decided_at=decision.decided_at,
        expires_at=decision.expires_at,
        revoked_at=decision.revoked_at,
        active=decision_active(decision, now),
    )


async def record_sharing_decision(
    db: AsyncSession,
    actor: Principal,
    subject_id: uuid.UUID,
    data: SharingDecisionCreate,
    gate: GateContext,
) -> SharingDecisionView:
    cipher, audit, now = gate.cipher, gate.audit, gate.now
    subject = await held_subject(db, actor, subject_id)
    errors = [
        (f"categories[{i}]", "a sharing decision releases identity or contact details only")
        for i, c in enumerate(data.categories)
        if c not in IDENTITY_CATEGORIES
    ]
    if data.expires_at is not None and (data.expires_at.tzinfo is None or data.expires_at <= now):
        errors.append(("expires_at", "must be a later time, with a time zone"))
    if (data.source_kind is None) != (data.source_id is None):
        errors.append(("source_id", "give both source_kind and source_id, or neither"))
    if errors:
        raise Unprocessable(errors)
    await check_recipients(db, data.recipients, "recipients")
    decision = SharingDecision(
        id=new_id(),
        subject_id=subject.id,
        holding_agency_id=subject.holding_agency_id,
        purpose=data.purpose.value,
        recipient_agency_ids=[str(a) for a in dict.fromkeys(data.recipients.agencies)],
        recipient_protocol_ids=[str(p) for p in dict.fromkeys(data.recipients.protocols)],
        categories=sorted({c.value for c in data.categories}),
        legal_basis=data.legal_basis,
        source_kind=data.source_kind,
        source_id=data.source_id,
        decided_by=actor.user_id,
        decided_at=now,
        expires_at=data.expires_at,
    )
    seal_field(cipher, decision, "reasons", data.reasons)
    db.add(decision)
    await db.flush()
    await audit.record(
        db=db,
        event=AuditEvent(
            kind="sharing_decision_recorded",
            at=now,
            user_id=actor.id,
            agency_id=actor.agency_id,
            subject_id=subject.id,
            details={
                "sharing_decision_id": str(decision.id),
                "purpose": decision.purpose,
                "categories": decision.categories,
                "recipient_agency_ids": decision.recipient_agency_ids,
                "recipient_protocol_ids": decision.recipient_protocol_ids,
            },
        ),
    )
    return decision_view(decision, gate, actor.agency_id)


async def list_sharing_decisions(
    db: AsyncSession, actor: Principal, subject_id: uuid.UUID, gate: GateContext
) -> list[SharingDecisionView]:
    await held_subject(db, actor, subject_id)
    rows = await db.scalars(
        select(SharingDecision)
        .where(SharingDecision.subject_id == subject_id)
        .order_by(SharingDecision.decided_at.desc(), SharingDecision.id)
    )
    return [decision_view(d, gate, actor.agency_id) for d in rows]


async def revoke_sharing_decision(
    db: AsyncSession,
    actor: Principal,
    subject_id: uuid.UUID,
    decision_id: uuid.UUID,
    gate: GateContext,
) -> SharingDecisionView:
    audit, now = gate.audit, gate.now
    await held_subject(db, actor, subject_id)
    decision = await db.get(SharingDecision, decision_id, with_for_update=True)
    if decision is None or decision.subject_id != subject_id:
        raise NotFound("sharing decision")
    if decision.revoked_at is not None:
        raise Conflict("this sharing decision has already been revoked")
    decision.revoked_at = now
    decision.revoked_by = actor.user_id
    await db.flush()
    await audit.record(
        db=db,
        event=AuditEvent(
            kind="sharing_decision_revoked",
            at=now,
            user_id=actor.id,
            agency_id=actor.agency_id,
            subject_id=subject_id,
            details={"sharing_decision_id": str(decision.id)},
        ),
    )
    return decision_view(decision, gate, actor.agency_id)


# --- safeguarding overrides --------------------------------------------------------


def override_view(
    override: SafeguardingOverride,
    now: datetime,
    justification: GatedText | None,
    review_note: GatedText | None,
) -> OverrideView:
    """The override with its texts as the gate rendered them for the reader (the
    justification is the overriding agency's, about another agency's subject)."""
    return OverrideView(
        id=override.id,
        subject_id=override.subject_id,
        holding_agency_id=override.holding_agency_id,
        user_id=override.user_id,
        agency_id=override.agency_id,
        purpose=Purpose(override.purpose),
        justification=justification,
        created_at=override.created_at,
        expires_at=override.expires_at,
        active=override.expires_at > now,
        review_outcome=override.review_outcome,  # type: ignore[arg-type]
        review_note=review_note,
        reviewed_by=override.reviewed_by,
        reviewed_at=override.reviewed_at,
    )


async def record_override(
    db: AsyncSession,
    actor: Principal,
    subject: Subject,
    data: OverrideCreate,
    gate: GateContext,
) -> SafeguardingOverride:
    cipher, audit, now = gate.cipher, gate.audit, gate.now
    """The caller has already checked that a protocol connects the agencies."""
    if actor.kind != "user":
        raise Conflict("a safeguarding override is a person's decision, not a system's")
    override = SafeguardingOverride(
        id=new_id(),
        subject_id=subject.id,
        holding_agency_id=subject.holding_agency_id,
        user_id=actor.id,
        agency_id=actor.agency_id,
        purpose=data.purpose.value,
        created_at=now,
        expires_at=now + timedelta(minutes=data.minutes),
    )
    seal_field(cipher, override, "justification", data.justification)
    db.add(override)
    await db.flush()
    await audit.record(
        db=db,
        event=AuditEvent(
            kind="safeguarding_override",
            at=now,
            user_id=actor.id,
            agency_id=actor.agency_id,
            subject_id=subject.id,
            reason="identity revealed without consent; awaiting review",
            details={
                "override_id": str(override.id),
                "purpose": override.purpose,
                "holding_agency_id": str(subject.holding_agency_id),
                "expires_at": override.expires_at.isoformat(),
            },
        ),
    )
    return override


def _reviewable_by(actor: Principal):  # type: ignore[no-untyped-def]
    """A DPO reviews overrides on subjects their agency holds and overrides made
    by their agency's staff."""
    return or_(
        SafeguardingOverride.holding_agency_id == actor.agency_id,
        SafeguardingOverride.agency_id == actor.agency_id,
    )


async def list_overrides(
    db: AsyncSession,
    actor: Principal,
    *,
    awaiting_review: bool | None,
    limit: int,
    offset: int,
) -> tuple[list[SafeguardingOverride], int]:
    query = select(SafeguardingOverride).where(_reviewable_by(actor))
    if awaiting_review is True:
        query = query.where(SafeguardingOverride.review_outcome.is_(None))
    elif awaiting_review is False:
        query = query.where(SafeguardingOverride.review_outcome.is_not(None))
    total = await db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await db.scalars(
        query.order_by(SafeguardingOverride.created_at, SafeguardingOverride.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


async def review_override(
    db: AsyncSession,
    actor: Principal,
    override_id: uuid.UUID,
    data: OverrideReview,
    gate: GateContext,
) -> SafeguardingOverride:
    cipher, audit, now = gate.cipher, gate.audit, gate.now
    override = await db.get(SafeguardingOverride, override_id, with_for_update=True)
    if override is None or actor.agency_id not in (override.holding_agency_id, override.agency_id):
        raise NotFound("safeguarding override")
    if override.user_id == actor.id:
        raise Conflict("an override is reviewed by someone other than the person who made it")
    if override.review_outcome is not None:
        raise Conflict("this override has already been reviewed")
    override.review_outcome = data.outcome
    seal_field(cipher, override, "review_note", data.note)
    override.reviewed_by = actor.id
    override.reviewed_at = now
    await db.flush()
    await audit.record(
        db=db,
        event=AuditEvent(
            kind="override_reviewed",
            at=now,
            user_id=actor.id,
            agency_id=actor.agency_id,
            subject_id=override.subject_id,
            reason=data.outcome,
            details={"override_id": str(override.id)},
        ),
    )
    return override


async def live_releases(
    db: AsyncSession,
    subject_ids: Collection[uuid.UUID],
    *,
    user_id: uuid.UUID | None,
    purpose: Purpose,
    now: datetime,
) -> tuple[dict[uuid.UUID, list[SharingDecision]], dict[uuid.UUID, SafeguardingOverride]]:
    """Active sharing decisions for the purpose, and this viewer's active overrides."""
    if not subject_ids:
        return {}, {}
    decisions: dict[uuid.UUID, list[SharingDecision]] = {}
    for decision in await db.scalars(
        select(SharingDecision)
        .where(SharingDecision.subject_id.in_(subject_ids))
        .where(SharingDecision.purpose == purpose.value)
        .where(SharingDecision.revoked_at.is_(None))
        .order_by(SharingDecision.id)
    ):
        if decision_active(decision, now):
            decisions.setdefault(decision.subject_id, []).append(decision)
    overrides: dict[uuid.UUID, SafeguardingOverride] = {}
    if user_id is not None:
        for override in await db.scalars(
            select(SafeguardingOverride)
            .where(SafeguardingOverride.subject_id.in_(subject_ids))
            .where(SafeguardingOverride.user_id == user_id)
            .where(SafeguardingOverride.purpose == purpose.value)
            .where(SafeguardingOverride.expires_at > now)
            .order_by(SafeguardingOverride.id)
        ):
            overrides[override.subject_id] = override
    return decisions, overrides


# --- overrides as people find them: "the second override on PER-2026-0042" ------------


async def override_numbers(
    db: AsyncSession, overrides: Collection[SafeguardingOverride]
) -> dict[uuid.UUID, tuple[str, int]]:
    """Each override's subject reference and its number among that subject's
    overrides (1 for the first made), so a page names it without an id."""
    subject_ids = {o.subject_id for o in overrides}
    if not subject_ids:
        return {}
    rows = await db.execute(
        select(SafeguardingOverride.id, SafeguardingOverride.subject_id, Subject.reference)
        .join(Subject, Subject.id == SafeguardingOverride.subject_id)
        .where(SafeguardingOverride.subject_id.in_(subject_ids))
        .order_by(SafeguardingOverride.created_at, SafeguardingOverride.id)
    )
    counts: dict[uuid.UUID, int] = {}
    numbers: dict[uuid.UUID, tuple[str, int]] = {}
    for override_id, subject_id, reference in rows:
        counts[subject_id] = counts.get(subject_id, 0) + 1
        numbers[override_id] = (reference, counts[subject_id])
    return numbers


async def override_by_number(
    db: AsyncSession, actor: Principal, reference: str, number: int
) -> SafeguardingOverride:
    """An override by its subject's reference and number, for a data protection
    officer who may review it (their agency holds the subject or made the
    override); 404 for anyone else and for no such override."""
    rows = list(
        await db.scalars(
            select(SafeguardingOverride)
            .join(Subject, Subject.id == SafeguardingOverride.subject_id)
            .where(Subject.reference == reference.upper())
            .order_by(SafeguardingOverride.created_at, SafeguardingOverride.id)
        )
    )
    if not 1 <= number <= len(rows):
        raise NotFound("safeguarding override")
    override = rows[number - 1]
    if actor.agency_id not in (override.holding_agency_id, override.agency_id):
        raise NotFound("safeguarding override")
    return override


async def overrides_on(
    db: AsyncSession, actor: Principal, subject_id: uuid.UUID
) -> list[SafeguardingOverride]:
    """Every override made on a subject the actor's agency holds, oldest first."""
    await held_subject(db, actor, subject_id)
    return list(
        await db.scalars(
            select(SafeguardingOverride)
            .where(SafeguardingOverride.subject_id == subject_id)
            .order_by(SafeguardingOverride.created_at, SafeguardingOverride.id)
        )
    )


async def active_override(
    db: AsyncSession, actor: Principal, subject_id: uuid.UUID, purpose: Purpose, now: datetime
) -> SafeguardingOverride | None:
    """The actor's own override in force on this subject for the purpose, if any."""
    _, overrides = await live_releases(
        db, [subject_id], user_id=actor.user_id, purpose=purpose, now=now
    )
    return overrides.get(subject_id)
