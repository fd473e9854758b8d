"""An agency's own list of matters it does not deal with as ASB (the
catalogue in triage.toml, chosen from, and its own), set by its
administrator. Left unset, the whole catalogue applies."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.access.service import administers
from sharehub.agencies.models import Agency
from sharehub.db.changes import check_version, write_changes
from sharehub.errors import Conflict, NotFound, Unprocessable, VersionRequired
from sharehub.identity.principal import Principal
from sharehub.referrals.asb.models import TriagePolicy
from sharehub.referrals.asb.schemas import MatterView, TriagePolicyIn, TriagePolicyView
from sharehub.referrals.asb.triage import TriageRules, triage_rules

KIND = "triage policy"
DEFAULT_SOURCE = "The hub's catalogue, from landlord ASB policies A and B"


async def _stored(db: AsyncSession, agency_id: uuid.UUID) -> TriagePolicy | None:
    return await db.scalar(select(TriagePolicy).where(TriagePolicy.agency_id == agency_id))


def to_view(agency_id: uuid.UUID, row: TriagePolicy | None, rules: TriageRules) -> TriagePolicyView:
    codes = list(rules.not_asb) if row is None else row.matters
    matters = [
        MatterView(
            code=code,
            words=rules.not_asb[code].words,
            signpost=rules.not_asb[code].signpost,
            citation=rules.not_asb[code].citation,
        )
        for code in codes
        if code in rules.not_asb
    ]
    if row is not None:
        matters += [
            MatterView(code=m["code"], words=m["words"], signpost=m["signpost"], citation=None)
            for m in row.own_matters
        ]
    return TriagePolicyView(
        agency_id=agency_id,
        version=None if row is None else row.version,
        is_default=row is None,
        matters=matters,
        source=DEFAULT_SOURCE if row is None else row.source,
    )


async def _agency(db: AsyncSession, agency_id: uuid.UUID) -> None:
    if await db.get(Agency, agency_id) is None:
        raise NotFound("agency")


async def read_policy(db: AsyncSession, agency_id: uuid.UUID) -> TriagePolicyView:
    await _agency(db, agency_id)
    return to_view(agency_id, await _stored(db, agency_id), triage_rules())


async def set_policy(
    db: AsyncSession,
    actor: Principal,
    agency_id: uuid.UUID,
    data: TriagePolicyIn,
    expected_version: int | None,
) -> TriagePolicyView:
    if not administers(actor, agency_id):
        raise NotFound("agency")  # another agency's settings are not even named
    await _agency(db, agency_id)
    rules = triage_rules()
    errors = [
        (f"matters[{i}]", "not a matter in the hub's catalogue")
        for i, code in enumerate(data.matters)
        if code not in rules.not_asb
    ]
    if len(set(data.matters)) != len(data.matters):
        errors.append(("matters", "list each matter once"))
    errors += [
        (f"own_matters[{i}].signpost", "not a body the hub knows")
        for i, own in enumerate(data.own_matters)
        if own.signpost not in rules.signposts
    ]
    if errors:
        raise Unprocessable(errors)
    row = await _stored(db, agency_id)
    if row is None:
        row = TriagePolicy(agency_id=agency_id)
        db.add(row)
    elif expected_version is None:
        raise VersionRequired()
    else:
        check_version(row, expected_version, KIND)
    row.matters = list(data.matters)
    row.own_matters = [
        {"code": f"own_{i}", "words": own.words, "signpost": own.signpost}
        for i, own in enumerate(data.own_matters, start=1)
    ]
    row.source = data.source
    await write_changes(db, KIND, _raced)
    return to_view(agency_id, row, rules)


def _raced(_: IntegrityError) -> Conflict:
    return Conflict("the list was set at the same time; fetch it again")
