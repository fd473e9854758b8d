"""Legal holds: a data protection officer stops the retention schedule touching
a record (or, for a subject, every record about them) until released."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.disclosure.gated import Code, GovernanceText
from sharehub.audit.events import AuditEvent, AuditSink
from sharehub.errors import Conflict, NotFound
from sharehub.fields import PRINTABLE
from sharehub.identity.principal import Principal
from sharehub.privacy.models import Consent, Disclosure, SafeguardingOverride, Subject
from sharehub.referrals.asb.models import AsbAttachment, AsbReport
from sharehub.retention.models import LegalHold

HoldableKind = Literal[
    "subject", "disclosure", "consent", "safeguarding_override", "asb_report", "cctv_recording"
]
# Each kind, and which agency answers for it.
_TABLES = {
    "subject": Subject,
    "disclosure": Disclosure,
    "consent": Consent,
    "safeguarding_override": SafeguardingOverride,
    "asb_report": AsbReport,
    "cctv_recording": AsbAttachment,
}


class HoldCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    record_kind: HoldableKind
    record_id: uuid.UUID
    # Why (an investigation, litigation, evidence); no personal data, please.
    reason: Annotated[str, msgspec.Meta(min_length=5, max_length=1000, pattern=PRINTABLE)]


class HoldView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    record_kind: Code
    record_id: uuid.UUID
    reason: GovernanceText
    placed_by: uuid.UUID | None
    placed_at: datetime
    released_at: datetime | None


def to_view(hold: LegalHold) -> HoldView:
    return HoldView(
        id=hold.id,
        record_kind=hold.record_kind,
        record_id=hold.record_id,
        reason=hold.reason,
        placed_by=hold.placed_by,
        placed_at=hold.created_at,
        released_at=hold.released_at,
    )


async def place_hold(
    db: AsyncSession, actor: Principal, data: HoldCreate, audit: AuditSink, now: datetime
) -> HoldView:
    record = await db.get(_TABLES[data.record_kind], data.record_id)
    owner = getattr(record, "holding_agency_id", None) or getattr(record, "agency_id", None)
    if record is None or owner != actor.agency_id:
        raise NotFound(data.record_kind.replace("_", " "))
    hold = LegalHold(
        record_kind=data.record_kind,
        record_id=data.record_id,
        reason=data.reason,
        placed_by=actor.user_id,
        agency_id=actor.agency_id,
        created_at=now,
    )
    db.add(hold)
    await db.flush()
    await audit.record(
        db=db,
        event=AuditEvent(
            kind="legal_hold_placed",
            at=now,
            user_id=actor.id,
            agency_id=actor.agency_id,
            subject_id=data.record_id if data.record_kind == "subject" else None,
            details={
                "hold_id": str(hold.id),
                "record_kind": data.record_kind,
                "record_id": str(data.record_id),
            },
        ),
    )
    return to_view(hold)


async def release_hold(
    db: AsyncSession, actor: Principal, hold_id: uuid.UUID, audit: AuditSink, now: datetime
) -> HoldView:
    hold = await db.get(LegalHold, hold_id, with_for_update=True)
    if hold is None or hold.agency_id != actor.agency_id:
        raise NotFound("legal hold")
    if hold.released_at is not None:
        raise Conflict("this legal hold has already been released")
    hold.released_at, hold.released_by = now, actor.user_id
    await db.flush()
    await audit.record(
        db=db,
        event=AuditEvent(
            kind="legal_hold_released",
            at=now,
            user_id=actor.id,
            agency_id=actor.agency_id,
            details={"hold_id": str(hold.id)},
        ),
    )
    return to_view(hold)


async def list_holds(db: AsyncSession, actor: Principal) -> list[HoldView]:
    rows = await db.scalars(
        select(LegalHold)
        .where(LegalHold.agency_id == actor.agency_id)
        .order_by(LegalHold.created_at.desc(), LegalHold.id)
    )
    return [to_view(h) for h in rows]
