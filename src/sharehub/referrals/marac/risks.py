"""The risk of serious harm the MARAC records hold, for the lawful-basis
engine: a live referral that met the criteria is the partnership's own record
that its victim (and the children and household members linked to it) are at
high risk, so Data Protection Act 2018, Schedule 1, paragraph 18 need not rest on the asker's word.

Kept apart from the referral service so the disclosure gate can read it
without depending on the rest of MARAC."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.calendar import LOCAL_TIME, add_months
from sharehub.protocols.engine import RecordedRisk
from sharehub.referrals.marac.models import MaracReferral, MaracReferralSubject

# Statuses of a referral still in play: not returned to the referrer, not closed.
LIVE = ("submitted", "accepted", "listed", "heard", "actions_open")
# How far back a referral counts as a recorded risk of serious harm: the
# window SafeLives uses for a repeat referral.
RISK_MONTHS = 12


def reference_of(referral: MaracReferral) -> str:
    """The referral's reference as agendas, packs and pages show it."""
    return referral.reference


def criteria_met(referral: MaracReferral) -> tuple[str, ...]:
    """The criteria the referral met as assessed, in words ("visible high risk")."""
    return tuple(str(c["code"]).replace("_", " ") for c in referral.criteria if c["met"])


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TIME).astimezone(UTC)


async def recorded_risks(
    db: AsyncSession, subject_ids: Collection[uuid.UUID], today: date
) -> dict[uuid.UUID, RecordedRisk]:
    """Each subject who is the victim of, or a child or household member linked
    to, a live MARAC referral that met the criteria and was made in the
    ``RISK_MONTHS`` months to ``today``: a risk of serious harm the records hold.
    Where several do, the latest referral is the one cited."""
    wanted = set(subject_ids)
    if not wanted:
        return {}
    linked = select(MaracReferralSubject.referral_id).where(
        MaracReferralSubject.subject_id.in_(wanted)
    )
    rows = await db.scalars(
        select(MaracReferral)
        .where(
            or_(MaracReferral.victim_id.in_(wanted), MaracReferral.id.in_(linked)),
            MaracReferral.status.in_(LIVE),
            MaracReferral.referred_at >= _local_midnight(add_months(today, -RISK_MONTHS)),
            MaracReferral.referred_at < _local_midnight(today + timedelta(days=1)),
        )
        .order_by(MaracReferral.referred_at.desc(), MaracReferral.id)
    )
    found: dict[uuid.UUID, RecordedRisk] = {}
    for referral in rows:
        met = criteria_met(referral)
        if not met:
            continue
        risk = RecordedRisk(kind="marac_referral", reference=reference_of(referral), criteria=met)
        for subject_id in (referral.victim_id, *(h.subject_id for h in referral.household)):
            if subject_id in wanted:
                found.setdefault(subject_id, risk)
    return found
