"""An agency's own response targets, where its ASB policy differs from the
defaults (``targets.py``), and how often its open cases are reviewed, where
that differs from the hub's (``casework.toml``). Set by the agency's
administrator."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.access.service import administers
from sharehub.agencies.models import Agency
from sharehub.calendar import WorkingHours
from sharehub.db.changes import check_version, write_changes
from sharehub.errors import Conflict, NotFound, Unprocessable, VersionRequired
from sharehub.identity.principal import Principal
from sharehub.referrals.asb.casework import casework_rules, review_interval
from sharehub.referrals.asb.models import ResponsePolicy
from sharehub.referrals.asb.schemas import ResponsePolicyIn, ResponsePolicyView, TargetIn
from sharehub.referrals.asb.targets import DEFAULT_POLICY, POLICY_A, Policy, Target

KIND = "response policy"
LEVELS = ("urgent", "high", "low")
DEFAULT_SOURCE = POLICY_A + "; policy B for urgent"


async def _stored(db: AsyncSession, agency_id: uuid.UUID) -> ResponsePolicy | None:
    return await db.scalar(select(ResponsePolicy).where(ResponsePolicy.agency_id == agency_id))


def _policy(row: ResponsePolicy) -> Policy:
    targets = {
        level: Target(row.source, **{k: v for k, v in row.targets[level].items()})
        for level in LEVELS
    }
    return Policy(targets, WorkingHours(row.opens, row.closes))


async def policy_for(db: AsyncSession, agency_id: uuid.UUID) -> Policy:
    row = await _stored(db, agency_id)
    return DEFAULT_POLICY if row is None else _policy(row)


async def case_review_every_days(db: AsyncSession, agency_id: uuid.UUID) -> int | None:
    """The agency's own case review interval; None where it uses the hub's."""
    return await db.scalar(
        select(ResponsePolicy.case_review_every_days).where(ResponsePolicy.agency_id == agency_id)
    )


def to_view(agency_id: uuid.UUID, row: ResponsePolicy | None) -> ResponsePolicyView:
    policy = DEFAULT_POLICY if row is None else _policy(row)
    own_interval = None if row is None else row.case_review_every_days

    def target(level: str) -> TargetIn:
        t = policy.targets[level]
        return TargetIn(working_days=t.working_days, working_hours=t.working_hours)

    return ResponsePolicyView(
        agency_id=agency_id,
        version=None if row is None else row.version,
        is_default=row is None,
        urgent=target("urgent"),
        high=target("high"),
        low=target("low"),
        opens=policy.office.opens,
        closes=policy.office.closes,
        source=DEFAULT_SOURCE if row is None else row.source,
        case_review_every_days=own_interval,
        effective_case_review_every_days=review_interval(
            None, own_interval, casework_rules().review.every_days
        ),
        case_review_is_default=own_interval is None,
    )


async def _agency(db: AsyncSession, agency_id: uuid.UUID) -> None:
    if await db.get(Agency, agency_id) is None:
        raise NotFound("agency")


async def read_policy(
    db: AsyncSession, actor: Principal, agency_id: uuid.UUID
) -> ResponsePolicyView:
    await _agency(db, agency_id)
    return to_view(agency_id, await _stored(db, agency_id))


async def set_policy(
    db: AsyncSession,
    actor: Principal,
    agency_id: uuid.UUID,
    data: ResponsePolicyIn,
    expected_version: int | None,
) -> ResponsePolicyView:
    if not administers(actor, agency_id):
        raise NotFound("agency")  # another agency's settings are not even named
    await _agency(db, agency_id)
    errors = [
        (f"{level}", "give working_days or working_hours, one of them")
        for level in LEVELS
        if (getattr(data, level).working_days is None)
        == (getattr(data, level).working_hours is None)
    ]
    if data.closes <= data.opens:
        errors.append(("closes", "the office closes after it opens"))
    if errors:
        raise Unprocessable(errors)
    targets = {
        level: {
            k: v
            for k, v in (
                ("working_days", getattr(data, level).working_days),
                ("working_hours", getattr(data, level).working_hours),
            )
            if v is not None
        }
        for level in LEVELS
    }
    row = await _stored(db, agency_id)
    if row is None:
        row = ResponsePolicy(agency_id=agency_id)
        db.add(row)
    elif expected_version is None:
        raise VersionRequired()
    else:
        check_version(row, expected_version, KIND)
    row.targets, row.opens, row.closes, row.source = targets, data.opens, data.closes, data.source
    row.case_review_every_days = data.case_review_every_days
    await write_changes(db, KIND, _raced)
    return to_view(agency_id, row)


def _raced(_: IntegrityError) -> Conflict:
    return Conflict("the policy was set at the same time; fetch it again")
