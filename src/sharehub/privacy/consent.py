"""Consent receipts: recorded once, withdrawn by a later event, never edited.

Modelled on the Kantara consent receipt (ISO/IEC 27560): who holds the data,
for which purposes, shared with whom, which categories, how consent was given
and on whose authority, when, and until when. Whether a consent covers a
viewer is a plain function (``covers``) that the disclosure gate calls.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta

import msgspec
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from sharehub.agencies.models import Agency
from sharehub.audit.events import AuditEvent
from sharehub.crypto import open_field, seal_field
from sharehub.db.base import new_id
from sharehub.disclosure.context import GateContext
from sharehub.errors import Conflict, NotFound, Unprocessable
from sharehub.identity.principal import Principal
from sharehub.privacy.models import Consent, ConsentWithdrawal
from sharehub.privacy.redaction import own_text
from sharehub.privacy.schemas import (
    ConsentCreate,
    ConsentStatus,
    ConsentView,
    Recipients,
    Representative,
    RepresentativeView,
    WithdrawalCreate,
    WithdrawalView,
)
from sharehub.privacy.subjects import held_subject
from sharehub.protocols.engine import ConsentState
from sharehub.protocols.models import Protocol, ProtocolVersion
from sharehub.protocols.terms import DataCategory, Purpose

# Clocks differ a little between an agency's systems and the hub.
CLOCK_SKEW = timedelta(minutes=5)


def status_of(
    consent: Consent, withdrawal: ConsentWithdrawal | None, now: datetime
) -> ConsentStatus:
    if withdrawal is not None and withdrawal.withdrawn_at <= now:
        return "withdrawn"
    if consent.expires_at is not None and consent.expires_at <= now:
        return "expired"
    if consent.given_at > now + CLOCK_SKEW:
        return "not_yet_given"
    return "active"


def reaches(
    agency_ids: Collection[str],
    protocol_ids: Collection[str],
    agency_id: uuid.UUID,
    protocol_parties: Mapping[uuid.UUID, Collection[uuid.UUID]],
) -> bool:
    """Is this agency among the recipients named: directly, or as a party to a
    named protocol in force (``protocol_parties``)?"""
    if str(agency_id) in agency_ids:
        return True
    return any(agency_id in protocol_parties.get(uuid.UUID(p), ()) for p in protocol_ids)


def covers(
    consent: Consent,
    *,
    agency_id: uuid.UUID,
    purpose: Purpose,
    category: DataCategory,
    protocol_parties: Mapping[uuid.UUID, Collection[uuid.UUID]],
) -> bool:
    """Does this (active) consent cover this agency, purpose and category?"""
    if purpose.value not in consent.purposes or category.value not in consent.categories:
        return False
    return reaches(
        consent.recipient_agency_ids, consent.recipient_protocol_ids, agency_id, protocol_parties
    )


async def live_consents(
    db: AsyncSession, subject_ids: Collection[uuid.UUID], now: datetime
) -> tuple[dict[uuid.UUID, list[Consent]], dict[uuid.UUID, ConsentState]]:
    """(active consents per subject, and for subjects with none active whose
    consent lapsed, how: withdrawn, else expired)."""
    if not subject_ids:
        return {}, {}
    withdrawal = aliased(ConsentWithdrawal)
    rows = await db.execute(
        select(Consent, withdrawal)
        .outerjoin(withdrawal, withdrawal.consent_id == Consent.id)
        .where(Consent.subject_id.in_(subject_ids))
        .order_by(Consent.id)
    )
    active: dict[uuid.UUID, list[Consent]] = {}
    lapsed: dict[uuid.UUID, ConsentState] = {}
    for consent, withdrawn in rows:
        status = status_of(consent, withdrawn, now)
        if status == "active":
            active.setdefault(consent.subject_id, []).append(consent)
        elif status == "withdrawn":
            lapsed[consent.subject_id] = ConsentState.WITHDRAWN
        elif status == "expired":
            lapsed.setdefault(consent.subject_id, ConsentState.EXPIRED)
    return active, lapsed


async def check_recipients(db: AsyncSession, recipients: Recipients, prefix: str) -> None:
    errors: list[tuple[str, str]] = []
    if not recipients.agencies and not recipients.protocols:
        raise Unprocessable([(prefix, "name at least one agency or protocol")])
    if recipients.agencies:
        known = set(await db.scalars(select(Agency.id).where(Agency.id.in_(recipients.agencies))))
        errors += [
            (f"{prefix}.agencies[{i}]", "no such agency")
            for i, a in enumerate(recipients.agencies)
            if a not in known
        ]
    if recipients.protocols:
        known = set(
            await db.scalars(select(Protocol.id).where(Protocol.id.in_(recipients.protocols)))
        )
        errors += [
            (f"{prefix}.protocols[{i}]", "no such protocol")
            for i, p in enumerate(recipients.protocols)
            if p not in known
        ]
    if errors:
        raise Unprocessable(errors)


def to_view(
    consent: Consent, withdrawal: ConsentWithdrawal | None, gate: GateContext, reader: uuid.UUID
) -> ConsentView:
    """A consent receipt as its holding agency reads it (receipts are the holder's)."""
    cipher, now = gate.cipher, gate.now
    holder = consent.holding_agency_id
    representative = open_field(cipher, consent, "representative")
    given_by = msgspec.json.decode(representative, type=Representative) if representative else None
    return ConsentView(
        id=consent.id,
        subject_id=consent.subject_id,
        status=status_of(consent, withdrawal, now),
        purposes=[Purpose(p) for p in consent.purposes],
        recipients=Recipients(
            agencies=[uuid.UUID(a) for a in consent.recipient_agency_ids],
            protocols=[uuid.UUID(p) for p in consent.recipient_protocol_ids],
        ),
        categories=[DataCategory(c) for c in consent.categories],
        how_given=consent.how_given,  # type: ignore[arg-type]
        representative=(
            None
            if given_by is None
            else RepresentativeView(
                name=own_text(reader, holder, given_by.name),  # type: ignore[arg-type]
                relationship=own_text(reader, holder, given_by.relationship),  # type: ignore[arg-type]
                authority=own_text(reader, holder, given_by.authority),  # type: ignore[arg-type]
            )
        ),
        evidence_note=own_text(reader, holder, open_field(cipher, consent, "evidence_note")),
        recorded_by=consent.recorded_by,
        given_at=consent.given_at,
        expires_at=consent.expires_at,
        withdrawal=(
            None
            if withdrawal is None
            else WithdrawalView(
                withdrawn_at=withdrawal.withdrawn_at,
                how=withdrawal.how,  # type: ignore[arg-type]
                note=own_text(reader, holder, open_field(cipher, withdrawal, "note")),
                recorded_by=withdrawal.recorded_by,
            )
        ),
        receipt=f"/api/subjects/{consent.subject_id}/consents/{consent.id}/receipt",
    )


async def record_consent(
    db: AsyncSession,
    actor: Principal,
    subject_id: uuid.UUID,
    data: ConsentCreate,
    gate: GateContext,
) -> ConsentView:
    cipher, audit, now = gate.cipher, gate.audit, gate.now
    subject = await held_subject(db, actor, subject_id)
    errors: list[tuple[str, str]] = []
    given_at = data.given_at or now
    if given_at.tzinfo is None:
        errors.append(("given_at", "give a time zone (for example Z or +01:00)"))
    elif given_at > now + CLOCK_SKEW:
        errors.append(("given_at", "consent cannot be recorded as given in the future"))
    if data.expires_at is not None:
        if data.expires_at.tzinfo is None:
            errors.append(("expires_at", "give a time zone (for example Z or +01:00)"))
        elif data.expires_at <= max(now, given_at if given_at.tzinfo else now):
            errors.append(("expires_at", "must be later than now and than when it was given"))
    if data.how_given == "representative" and data.representative is None:
        errors.append(("representative", "say who gave consent and on what authority"))
    if data.how_given != "representative" and data.representative is not None:
        errors.append(("representative", "only for consent given by a representative"))
    if errors:
        raise Unprocessable(errors)
    await check_recipients(db, data.recipients, "recipients")
    consent = Consent(
        id=new_id(),
        subject_id=subject.id,
        holding_agency_id=subject.holding_agency_id,
        purposes=sorted({p.value for p in data.purposes}),
        recipient_agency_ids=[str(a) for a in dict.fromkeys(data.recipients.agencies)],
        recipient_protocol_ids=[str(p) for p in dict.fromkeys(data.recipients.protocols)],
        categories=sorted({c.value for c in data.categories}),
        how_given=data.how_given,
        recorded_by=actor.user_id,
        given_at=given_at,
        expires_at=data.expires_at,
    )
    representative = data.representative
    seal_field(
        cipher,
        consent,
        "representative",
        msgspec.json.encode(representative).decode() if representative else None,
    )
    seal_field(cipher, consent, "evidence_note", data.evidence_note)
    db.add(consent)
    await db.flush()
    await audit.record(
        db=db,
        event=AuditEvent(
            kind="consent_recorded",
            at=now,
            user_id=actor.id,
            agency_id=actor.agency_id,
            subject_id=subject.id,
            details={
                "consent_id": str(consent.id),
                "purposes": consent.purposes,
                "categories": consent.categories,
                "recipient_agency_ids": consent.recipient_agency_ids,
                "recipient_protocol_ids": consent.recipient_protocol_ids,
                "how_given": consent.how_given,
            },
        ),
    )
    return to_view(consent, None, gate, actor.agency_id)


async def _consent_with_withdrawal(
    db: AsyncSession, subject_id: uuid.UUID, consent_id: uuid.UUID
) -> tuple[Consent, ConsentWithdrawal | None]:
    consent = await db.get(Consent, consent_id)
    if consent is None or consent.subject_id != subject_id:
        raise NotFound("consent")
    withdrawal = await db.scalar(
        select(ConsentWithdrawal).where(ConsentWithdrawal.consent_id == consent.id)
    )
    return consent, withdrawal


async def get_consent(
    db: AsyncSession, actor: Principal, subject_id: uuid.UUID, consent_id: uuid.UUID
) -> tuple[Consent, ConsentWithdrawal | None]:
    await held_subject(db, actor, subject_id)
    return await _consent_with_withdrawal(db, subject_id, consent_id)


async def withdraw_consent(
    db: AsyncSession,
    actor: Principal,
    subject_id: uuid.UUID,
    consent_id: uuid.UUID,
    data: WithdrawalCreate,
    gate: GateContext,
) -> ConsentView:
    cipher, audit, now = gate.cipher, gate.audit, gate.now
    consent, withdrawal = await get_consent(db, actor, subject_id, consent_id)
    status = status_of(consent, withdrawal, now)
    if status == "withdrawn":
        raise Conflict("this consent has already been withdrawn")
    if status == "expired":
        raise Conflict("this consent has expired; there is nothing to withdraw")
    withdrawal = ConsentWithdrawal(
        id=new_id(),
        consent_id=consent.id,
        withdrawn_at=now,
        how=data.how,
        recorded_by=actor.user_id,
    )
    seal_field(cipher, withdrawal, "note", data.note)
    db.add(withdrawal)
    try:
        await db.flush()
    except IntegrityError:
        raise Conflict("this consent has already been withdrawn") from None
    await audit.record(
        db=db,
        event=AuditEvent(
            kind="consent_withdrawn",
            at=now,
            user_id=actor.id,
            agency_id=actor.agency_id,
            subject_id=consent.subject_id,
            details={"consent_id": str(consent.id), "how": data.how},
        ),
    )
    return to_view(consent, withdrawal, gate, actor.agency_id)


async def list_consents(
    db: AsyncSession, actor: Principal, subject_id: uuid.UUID, gate: GateContext
) -> list[ConsentView]:
    await held_subject(db, actor, subject_id)
    rows = await db.execute(
        select(Consent, ConsentWithdrawal)
        .outerjoin(ConsentWithdrawal, ConsentWithdrawal.consent_id == Consent.id)
        .where(Consent.subject_id == subject_id)
        .order_by(Consent.given_at.desc(), Consent.id)
    )
    return [to_view(c, w, gate, actor.agency_id) for c, w in rows]


def covering(
    consents: Sequence[Consent],
    *,
    agency_id: uuid.UUID,
    purpose: Purpose,
    category: DataCategory,
    protocol_parties: Mapping[uuid.UUID, Collection[uuid.UUID]],
) -> list[Consent]:
    return [
        c
        for c in consents
        if covers(
            c,
            agency_id=agency_id,
            purpose=purpose,
            category=category,
            protocol_parties=protocol_parties,
        )
    ]


async def recipient_names(
    db: AsyncSession, recipients: Recipients
) -> tuple[dict[str, str], dict[str, str]]:
    """Agency names and protocol titles (of the governing version), for a receipt."""
    agencies = await db.execute(
        select(Agency.id, Agency.name).where(Agency.id.in_(recipients.agencies))
    )
    protocols = await db.execute(
        select(Protocol.id, ProtocolVersion.title)
        .join(ProtocolVersion, ProtocolVersion.protocol_id == Protocol.id)
        .where(ProtocolVersion.number == Protocol.current_version)
        .where(Protocol.id.in_(recipients.protocols))
    )
    return {str(i): n for i, n in agencies}, {str(i): t for i, t in protocols}
