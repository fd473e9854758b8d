"""Rules for information sharing protocols: plain functions over a database session.

The lifecycle is the table ``LIFECYCLE`` below: which statuses each action may
start from, which version it acts on, and what the version becomes. An action
from any other status is a conflict that says why.

Review dates are not a stored status. A version in force is "review due" the
day after its review date and "expired" the day after its grace period ends,
whenever it is read; an expired protocol no longer authorises disclosures.
Dates are those of England and Wales (Europe/London), not UTC.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, TypeVar

import msgspec
from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.orm.util import AliasedClass

from sharehub.access.relationships import may_see, reach
from sharehub.access.roles import Role
from sharehub.access.service import is_hub_administrator
from sharehub.agencies.models import Agency, AgencyArea
from sharehub.agencies.types import AGENCY_TYPE_LABELS, AgencyType
from sharehub.audit.events import AuditEvent
from sharehub.calendar import LOCAL_TIME, local_today
from sharehub.db.base import utcnow
from sharehub.db.changes import check_version, write_changes
from sharehub.errors import BadRequest, Conflict, Forbidden, NotFound
from sharehub.identity.models import User
from sharehub.identity.principal import Principal
from sharehub.protocols.gateways import GatewayRules
from sharehub.protocols.models import (
    Protocol,
    ProtocolParty,
    ProtocolPurpose,
    ProtocolSignature,
    ProtocolVersion,
)
from sharehub.protocols.schemas import (
    PartyChange,
    PartyInvite,
    PartyView,
    ProtocolCreate,
    ProtocolSummary,
    ProtocolUpdate,
    ProtocolView,
    PurposeAllowed,
    SignatureView,
    StatusChange,
    VersionStatus,
    VersionSummary,
    VersionView,
)
from sharehub.protocols.terms import (
    Article6Basis,
    CategoryTerms,
    PartyRole,
    PartyTerms,
    ProtocolStatus,
    ProtocolTerms,
    Purpose,
    PurposeTerms,
)
from sharehub.protocols.warnings import protocol_warnings

KIND = "protocol"
T = TypeVar("T")

# Hub-wide roles that see every protocol (or, when limited to an area, those
# with a party serving that area): they run meetings across agencies.
COORDINATOR_ROLES = frozenset(
    {
        Role.HUB_ADMINISTRATOR,
        Role.MARAC_COORDINATOR,
        Role.MARAC_CHAIR,
        Role.MAPPA_COORDINATOR,
        Role.MAPPA_CHAIR,
        Role.ASB_CASE_REVIEW_COORDINATOR,
    }
)

S = VersionStatus
IN_FORCE = frozenset({S.ACTIVE, S.REVIEW_DUE})
HAS_BEEN_IN_FORCE = frozenset({S.ACTIVE, S.REVIEW_DUE, S.EXPIRED, S.SUSPENDED})
# Signed by every party: in force, or once was, or waiting for its start date.
SIGNED = HAS_BEEN_IN_FORCE | {S.NOT_YET_STARTED}
UNSIGNED = frozenset({S.DRAFT, S.AWAITING_SIGNATURES})


# --- dates -------------------------------------------------------------------


def today() -> date:
    return local_today()


def status_on(version: ProtocolVersion, day: date) -> VersionStatus:
    """A version's status on ``day``, from what is stored and its dates."""
    stored = VersionStatus(version.status)
    if version.effective_from is None:
        return stored  # never came into force: a draft, awaiting signatures, or withdrawn
    if day < version.effective_from:
        return S.AWAITING_SIGNATURES
    if version.ended_on is not None and day >= version.ended_on:
        return stored  # terminated, or superseded by a later version
    if version.starts_on is not None and day < version.starts_on:
        return S.NOT_YET_STARTED
    if version.suspended_on is not None and day >= version.suspended_on:
        return S.SUSPENDED
    if day > version.expires_on:
        return S.EXPIRED
    if day > version.review_date:
        return S.REVIEW_DUE
    return S.ACTIVE


# --- the lifecycle, as data ----------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One action of the lifecycle."""

    allowed_from: frozenset[VersionStatus]
    # The version acted on: the newest ("latest", e.g. an amendment being
    # drafted) or the one that governs the protocol ("current", the one in force).
    acts_on: Literal["latest", "current"]
    # What the version's stored status becomes; None: unchanged.
    becomes: VersionStatus | None
    # Said when the action is refused, followed by the version's status.
    rule: str


LIFECYCLE: dict[str, Step] = {
    "edit": Step(
        frozenset({S.DRAFT}),
        "latest",
        None,
        "only a draft can be edited (amend a protocol in force to start a new draft version)",
    ),
    "change parties": Step(
        frozenset({S.DRAFT}), "latest", None, "parties are invited to or removed from a draft only"
    ),
    "submit": Step(
        frozenset({S.DRAFT}),
        "latest",
        S.AWAITING_SIGNATURES,
        "only a draft can be submitted for signature",
    ),
    "sign": Step(
        frozenset({S.AWAITING_SIGNATURES}),
        "latest",
        None,
        "only a version submitted for signature can be signed",
    ),
    # Taken by the hub when the last party signs.
    "activate": Step(
        frozenset({S.AWAITING_SIGNATURES}),
        "latest",
        S.ACTIVE,
        "only a version awaiting signatures comes into force",
    ),
    "supersede": Step(
        SIGNED, "current", S.SUPERSEDED, "only a version every party has signed can be superseded"
    ),
    "amend": Step(
        SIGNED,
        "latest",
        None,
        "only a protocol every party has signed can be amended, one amendment at a time",
    ),
    "suspend": Step(IN_FORCE, "current", S.SUSPENDED, "only a protocol in force can be suspended"),
    "terminate": Step(
        UNSIGNED | SIGNED,
        "current",
        S.TERMINATED,
        "a terminated protocol cannot be terminated again",
    ),
}


def _label(status: VersionStatus) -> str:
    return status.value.replace("_", " ")


def version_numbered(protocol: Protocol, number: int) -> ProtocolVersion:
    found = next((v for v in protocol.versions if v.number == number), None)
    if found is None:
        raise NotFound("protocol version")
    return found


def _target(protocol: Protocol, step: Step) -> ProtocolVersion:
    number = protocol.latest_version if step.acts_on == "latest" else protocol.current_version
    return version_numbered(protocol, number)


def check_step(protocol: Protocol, action: str, day: date) -> ProtocolVersion:
    """The version ``action`` acts on, or a conflict naming why it may not."""
    step = LIFECYCLE[action]
    version = _target(protocol, step)
    status = status_on(version, day)
    if status not in step.allowed_from:
        raise Conflict(f"{step.rule}; version {version.number} is {_label(status)}")
    return version


def _move(protocol: Protocol, version: ProtocolVersion, action: str) -> None:
    becomes = LIFECYCLE[action].becomes
    if becomes is None:
        return
    version.status = becomes.value
    if version.number == protocol.current_version:
        protocol.status = becomes.value


# --- who may act ---------------------------------------------------------------


def _is_ig_lead(actor: Principal) -> bool:
    return actor.kind == "user" and any(
        held.role == Role.INFORMATION_GOVERNANCE_LEAD and held.agency_id == actor.agency_id
        for held in actor.roles
    )


def _party_ids(version: ProtocolVersion) -> list[uuid.UUID]:
    return [party.agency_id for party in version.parties]


def _require_party_lead_or_hub_admin(actor: Principal, version: ProtocolVersion) -> None:
    """Protocols change at the hands of a party's information governance lead or
    the hub administrator; never an agency system."""
    if actor.kind != "user":
        raise Conflict("protocols are changed by people, not by agency systems")
    if is_hub_administrator(actor):
        return
    if not _is_ig_lead(actor) or actor.agency_id not in _party_ids(version):
        raise Conflict(
            f"only the information governance lead of a party to version {version.number}, "
            "or the hub administrator, may do this"
        )


def _signing_agency(actor: Principal, version: ProtocolVersion) -> uuid.UUID:
    """Each party's information governance lead signs for their own agency only."""
    if not _is_ig_lead(actor):
        raise Conflict("only an information governance lead signs, for their own agency")
    if actor.agency_id not in _party_ids(version):
        raise Conflict(f"your agency is not a party to version {version.number}")
    if any(sig.agency_id == actor.agency_id for sig in version.signatures):
        raise Conflict(f"your agency has already signed version {version.number}")
    return actor.agency_id


# --- visibility ---------------------------------------------------------------


def _coordinator_reach(actor: Principal) -> tuple[bool, list[str]]:
    """(sees every protocol, areas whose protocols it sees) for hub-wide roles."""
    found = reach(actor, COORDINATOR_ROLES)
    return found.everywhere, sorted(found.areas)


async def _party_areas(db: AsyncSession, protocol: Protocol) -> list[str]:
    agency_ids = {p.agency_id for v in protocol.versions for p in v.parties}
    if not agency_ids:
        return []
    rows = await db.scalars(select(AgencyArea.area).where(AgencyArea.agency_id.in_(agency_ids)))
    return sorted(set(rows))


async def _may_see(db: AsyncSession, actor: Principal, protocol: Protocol) -> bool:
    """Parties to any version, the agency that drafted it, and cross-agency coordinators."""
    parties = {p.agency_id for v in protocol.versions for p in v.parties}
    rules = {
        "owning_agency_id": protocol.created_by_agency_id,
        "invited_agency_ids": parties,
        "coordinator_roles": COORDINATOR_ROLES,
    }
    if may_see(actor, **rules):
        return True
    if not _coordinator_reach(actor)[1]:
        return False
    return any(may_see(actor, area=area, **rules) for area in await _party_areas(db, protocol))


def _visible_clause(actor: Principal) -> ColumnElement[bool] | None:
    """The same rule as ``_may_see``, in SQL, for lists (None: sees everything)."""
    everywhere, areas = _coordinator_reach(actor)
    if everywhere:
        return None
    any_version_party = (
        select(ProtocolVersion.protocol_id)
        .join(ProtocolParty, ProtocolParty.version_id == ProtocolVersion.id)
        .where(ProtocolParty.agency_id == actor.agency_id)
    )
    clauses = [
        Protocol.created_by_agency_id == actor.agency_id,
        Protocol.id.in_(any_version_party),
    ]
    if areas:
        serving = (
            select(ProtocolVersion.protocol_id)
            .join(ProtocolParty, ProtocolParty.version_id == ProtocolVersion.id)
            .join(AgencyArea, AgencyArea.agency_id == ProtocolParty.agency_id)
            .where(AgencyArea.area_key.in_(areas))
        )
        clauses.append(Protocol.id.in_(serving))
    return or_(*clauses)


async def get_protocol(db: AsyncSession, actor: Principal, protocol_id: uuid.UUID) -> Protocol:
    """The protocol, if the actor may know it exists; otherwise 404, never 403."""
    protocol = await db.get(Protocol, protocol_id)
    if protocol is None or not await _may_see(db, actor, protocol):
        raise NotFound(KIND)
    return protocol


# --- content checks --------------------------------------------------------------


def _check_purposes(purposes: Sequence[PurposeAllowed], rules: GatewayRules) -> None:
    """Each purpose once, each category once, the conditions the law asks for, and
    only gateways the hub knows that serve the purpose."""
    seen_purposes: set[Purpose] = set()
    for i, section in enumerate(purposes):
        where = f"purposes[{i}]"
        if section.purpose in seen_purposes:
            raise BadRequest("this purpose is listed twice", field=f"{where}.purpose")
        seen_purposes.add(section.purpose)
        seen_categories = set()
        for j, allowed in enumerate(section.categories):
            here = f"{where}.categories[{j}]"
            if allowed.category in seen_categories:
                raise BadRequest("this data category is listed twice", field=f"{here}.category")
            seen_categories.add(allowed.category)
            needs = rules.categories[allowed.category].needs_condition
            if needs != "none" and allowed.schedule1 is None:
                raise BadRequest(
                    f"{allowed.category.value} needs a Data Protection Act 2018, Schedule 1 condition "
                    f"(UK GDPR {needs.replace('_', ' ')})",
                    field=f"{here}.schedule1",
                )
            if needs == "none" and allowed.schedule1 is not None:
                raise BadRequest(
                    "a Schedule 1 condition applies only to special category or criminal "
                    "offence data",
                    field=f"{here}.schedule1",
                )
        for k, code in enumerate(section.gateways):
            here = f"{where}.gateways[{k}]"
            gateway = rules.gateway(code)
            if gateway is None:
                raise BadRequest("not a gateway the hub knows", field=here)
            if section.gateways.index(code) != k:
                raise BadRequest("this gateway is listed twice", field=here)
            if section.purpose not in gateway.purposes:
                raise BadRequest(
                    f"{gateway.name} does not serve the purpose {section.purpose.value}",
                    field=here,
                )


def _purpose_rows(purposes: Sequence[PurposeAllowed]) -> list[ProtocolPurpose]:
    """Stored through the lawful-basis engine's own structures, so what is kept is
    exactly what it will read."""
    rows = []
    for position, section in enumerate(purposes):
        terms = [
            CategoryTerms(
                category=c.category,
                article6=c.article6,
                schedule1=c.schedule1,
                retention_days=c.retention_days,
            )
            for c in section.categories
        ]
        rows.append(
            ProtocolPurpose(
                purpose=section.purpose.value,
                position=position,
                categories=msgspec.to_builtins(terms),
                gateways=list(section.gateways),
            )
        )
    return rows


def _purpose_terms(row: ProtocolPurpose) -> PurposeTerms:
    return msgspec.convert(
        {"purpose": row.purpose, "categories": row.categories, "gateways": row.gateways},
        PurposeTerms,
    )


async def _agencies_for(
    db: AsyncSession, invites: Sequence[PartyInvite], field: str
) -> dict[uuid.UUID, Agency]:
    """The invited agencies: known, active, and each named once."""
    found: dict[uuid.UUID, Agency] = {}
    for i, invite in enumerate(invites):
        where = f"{field}[{i}].agency_id"
        if invite.agency_id in found:
            raise BadRequest("this agency is listed twice", field=where)
        agency = await db.get(Agency, invite.agency_id)
        if agency is None:
            raise BadRequest("no such agency", field=where)
        if not agency.active:
            raise Conflict("the agency is deactivated", field=where)
        found[agency.id] = agency
    return found


ARTICLE6_NAMES = {
    Article6Basis.CONSENT: "consent (UK GDPR, Article 6(1)(a))",
    Article6Basis.CONTRACT: "contract (UK GDPR, Article 6(1)(b))",
    Article6Basis.LEGAL_OBLIGATION: "legal obligation (UK GDPR, Article 6(1)(c))",
    Article6Basis.VITAL_INTERESTS: "vital interests (UK GDPR, Article 6(1)(d))",
    Article6Basis.PUBLIC_TASK: "public task (UK GDPR, Article 6(1)(e))",
    Article6Basis.LEGITIMATE_INTERESTS: "legitimate interests (UK GDPR, Article 6(1)(f))",
}


def default_article6(agency_type: AgencyType, rules: GatewayRules) -> Article6Basis:
    """Public task for a public authority; legitimate interests for anyone else."""
    if rules.agency_types[agency_type].public_authority:
        return Article6Basis.PUBLIC_TASK
    return Article6Basis.LEGITIMATE_INTERESTS


def _check_article6(
    basis: Article6Basis, agency_type: AgencyType, rules: GatewayRules, field: str
) -> None:
    if basis is Article6Basis.CONTRACT:
        raise BadRequest(
            "contract (UK GDPR, Article 6(1)(b)) covers processing a contract with the person "
            "themselves needs, never sharing between agencies",
            field=field,
        )
    if (
        basis is Article6Basis.LEGITIMATE_INTERESTS
        and rules.agency_types[agency_type].public_authority
    ):
        raise BadRequest(
            "legitimate interests is not available to a public authority performing its tasks "
            "(UK GDPR, Article 6(1), final subparagraph)",
            field=field,
        )


def _check_co_option(agency_type: AgencyType, rules: GatewayRules, field: str) -> None:
    if rules.agency_types[agency_type].case_review == "co_opted":
        return
    who = [
        AGENCY_TYPE_LABELS[t].lower()
        for t, r in rules.agency_types.items()
        if r.case_review == "co_opted"
    ]
    raise BadRequest(
        f"a {AGENCY_TYPE_LABELS[agency_type].lower()} cannot be co-opted for ASB case reviews: "
        f"only a {' or a '.join(who)} can (ASB, Crime and Policing Act 2014, section 104)",
        field=field,
    )


def _check_on_behalf_of(
    agency_id: uuid.UUID, principal: uuid.UUID, parties: Collection[uuid.UUID], field: str
) -> None:
    if principal == agency_id:
        raise BadRequest("a party cannot act on its own behalf", field=field)
    if principal not in parties:
        raise Conflict(
            "a party acts on behalf of another party to the same version; invite that agency first",
            field=field,
        )


def _check_invites(
    invites: Sequence[PartyInvite],
    agencies: Mapping[uuid.UUID, Agency],
    parties: Collection[uuid.UUID],
    rules: GatewayRules,
    field: str,
) -> None:
    """Each invited party's own terms, against its agency type and the parties
    it will sit beside (``parties``, the invited included)."""
    for i, invite in enumerate(invites):
        where = f"{field}[{i}]"
        agency_type = AgencyType(agencies[invite.agency_id].agency_type)
        if invite.article6 is not None:
            _check_article6(invite.article6, agency_type, rules, f"{where}.article6")
        if invite.on_behalf_of is not None:
            _check_on_behalf_of(
                invite.agency_id, invite.on_behalf_of, parties, f"{where}.on_behalf_of"
            )
        if invite.co_opted_for_case_reviews:
            _check_co_option(agency_type, rules, f"{where}.co_opted_for_case_reviews")


def _add_parties(
    version: ProtocolVersion,
    invites: Sequence[PartyInvite],
    agencies: dict[uuid.UUID, Agency],
    rules: GatewayRules,
) -> None:
    start = max((p.position for p in version.parties), default=-1) + 1
    for offset, invite in enumerate(invites):
        agency_type = agencies[invite.agency_id].agency_type
        article6 = invite.article6 or default_article6(AgencyType(agency_type), rules)
        version.parties.append(
            ProtocolParty(
                agency_id=invite.agency_id,
                role=invite.role.value,
                agency_type=agency_type,
                position=start + offset,
                article6=article6.value,
                on_behalf_of_agency_id=invite.on_behalf_of,
                co_opted_for_case_reviews=invite.co_opted_for_case_reviews,
            )
        )


def _set_review(version: ProtocolVersion, review_date: date, grace_days: int) -> None:
    version.review_date = review_date
    version.review_grace_days = grace_days
    version.expires_on = review_date + timedelta(days=grace_days)


def _party_content(party: ProtocolParty) -> dict[str, object]:
    content: dict[str, object] = {
        "agency_id": str(party.agency_id),
        "role": party.role,
        "agency_type": party.agency_type,
    }
    # Terms added later are left out when not recorded, so what was signed
    # before they existed still hashes to the digest its signatures carry.
    if party.article6 is not None:
        content["article6"] = party.article6
    if party.on_behalf_of_agency_id is not None:
        content["on_behalf_of"] = str(party.on_behalf_of_agency_id)
    if party.co_opted_for_case_reviews:
        content["co_opted_for_case_reviews"] = True
    return content


def content_digest(protocol_id: uuid.UUID, version: ProtocolVersion) -> str:
    """SHA-256 of exactly what the parties sign, in a stable encoding."""
    content: dict[str, object] = {
        "protocol_id": str(protocol_id),
        "version": version.number,
        "title": version.title,
        "parties": [_party_content(p) for p in version.parties],
        "purposes": [
            {"purpose": p.purpose, "categories": p.categories, "gateways": p.gateways}
            for p in version.purposes
        ],
        "security": version.security,
        "onward_sharing": version.onward_sharing,
        "dpia_reference": version.dpia_reference,
        "review_date": version.review_date.isoformat(),
        "review_grace_days": version.review_grace_days,
    }
    if version.starts_on is not None:
        content["starts_on"] = version.starts_on.isoformat()
    return hashlib.sha256(msgspec.json.encode(content, order="sorted")).hexdigest()


# --- writing -------------------------------------------------------------------


def _touch(protocol: Protocol) -> None:
    """Bump the protocol's version for any change to any of its versions, so two
    agencies acting at once cannot both succeed on the same reading."""
    protocol.updated_at = utcnow()


def _raced(_: IntegrityError) -> Conflict:
    # Only the unique rules can clash here: a second signature or party at once.
    return Conflict("someone else changed this protocol at the same time; read it again")


async def _flush(db: AsyncSession) -> None:
    db.info.pop(_IN_FORCE, None)
    await write_changes(db, KIND, _raced)


async def _open(
    db: AsyncSession, actor: Principal, protocol_id: uuid.UUID, expected_version: int
) -> Protocol:
    protocol = await get_protocol(db, actor, protocol_id)
    check_version(protocol, expected_version, KIND)
    return protocol


async def create_protocol(
    db: AsyncSession, actor: Principal, data: ProtocolCreate, rules: GatewayRules
) -> Protocol:
    if actor.kind != "user":
        raise Conflict("protocols are drafted by people, not by agency systems")
    _check_purposes(data.purposes, rules)
    agencies = await _agencies_for(db, data.parties, "parties")
    _check_invites(data.parties, agencies, set(agencies) | {actor.agency_id}, rules, "parties")
    invites = list(data.parties)
    if not is_hub_administrator(actor) and actor.agency_id not in agencies:
        # An information governance lead drafts for their own agency among others.
        own = await db.get(Agency, actor.agency_id)
        if own is None or not own.active:
            raise Conflict("your agency is deactivated")
        agencies[own.id] = own
        invites.insert(0, PartyInvite(agency_id=actor.agency_id, role=PartyRole.CONTROLLER))
    version = ProtocolVersion(
        number=1,
        status=S.DRAFT.value,
        title=data.title,
        starts_on=data.starts_on,
        security=data.security,
        onward_sharing=data.onward_sharing,
        dpia_reference=data.dpia_reference,
        created_by=actor.id,
        parties=[],
        purposes=_purpose_rows(data.purposes),
        signatures=[],
    )
    _set_review(version, data.review_date, data.review_grace_days)
    _add_parties(version, invites, agencies, rules)
    protocol = Protocol(
        created_by_agency_id=actor.agency_id,
        created_by=actor.id,
        current_version=1,
        latest_version=1,
        status=S.DRAFT.value,
        versions=[version],
    )
    db.add(protocol)
    await _flush(db)
    return protocol


def _given(value: T | msgspec.UnsetType, unchanged: T) -> T:
    return unchanged if isinstance(value, msgspec.UnsetType) else value


async def edit_draft(
    db: AsyncSession,
    actor: Principal,
    protocol_id: uuid.UUID,
    changes: ProtocolUpdate,
    expected_version: int,
    rules: GatewayRules,
) -> Protocol:
    protocol = await _open(db, actor, protocol_id, expected_version)
    draft = check_step(protocol, "edit", today())
    _require_party_lead_or_hub_admin(actor, draft)
    if isinstance(changes.title, str):
        draft.title = changes.title
    draft.starts_on = _given(changes.starts_on, draft.starts_on)
    _set_review(
        draft,
        _given(changes.review_date, draft.review_date),
        _given(changes.review_grace_days, draft.review_grace_days),
    )
    if isinstance(changes.purposes, list):
        _check_purposes(changes.purposes, rules)
        draft.purposes = []
        db.info.pop(_IN_FORCE, None)
        await db.flush()  # the old rows go before new ones take their keys
        draft.purposes = _purpose_rows(changes.purposes)
    for name in ("security", "onward_sharing", "dpia_reference"):
        value = getattr(changes, name)
        if not isinstance(value, msgspec.UnsetType):
            setattr(draft, name, value)
    draft.updated_at = utcnow()
    _touch(protocol)
    await _flush(db)
    return protocol


async def invite_parties(
    db: AsyncSession,
    actor: Principal,
    protocol_id: uuid.UUID,
    invites: Sequence[PartyInvite],
    expected_version: int,
    rules: GatewayRules,
) -> Protocol:
    protocol = await _open(db, actor, protocol_id, expected_version)
    draft = check_step(protocol, "change parties", today())
    _require_party_lead_or_hub_admin(actor, draft)
    already = set(_party_ids(draft))
    for i, invite in enumerate(invites):
        if invite.agency_id in already:
            raise Conflict("this agency is already a party", field=f"parties[{i}].agency_id")
    agencies = await _agencies_for(db, invites, "parties")
    _check_invites(invites, agencies, already | set(agencies), rules, "parties")
    _add_parties(draft, invites, agencies, rules)
    _touch(protocol)
    await _flush(db)
    return protocol


async def remove_party(
    db: AsyncSession,
    actor: Principal,
    protocol_id: uuid.UUID,
    agency_id: uuid.UUID,
    expected_version: int,
) -> Protocol:
    protocol = await _open(db, actor, protocol_id, expected_version)
    draft = check_step(protocol, "change parties", today())
    _require_party_lead_or_hub_admin(actor, draft)
    party = next((p for p in draft.parties if p.agency_id == agency_id), None)
    if party is None:
        raise NotFound("party")
    if agency_id == protocol.created_by_agency_id:
        raise Conflict("the agency that drafted the protocol stays a party to its draft")
    drafter = actor.agency_id == protocol.created_by_agency_id or is_hub_administrator(actor)
    if not drafter and agency_id != actor.agency_id:
        # An invited party may withdraw from a draft, not remove the others.
        raise Forbidden(
            "parties are removed by the drafting agency's information governance lead; "
            "you may withdraw your own agency"
        )
    agents = [p for p in draft.parties if p.on_behalf_of_agency_id == agency_id]
    if agents:
        names = {a.id: a.name for a in await _agencies(db, [agency_id, agents[0].agency_id])}
        raise Conflict(
            f"{names.get(agents[0].agency_id, 'another party')} acts on behalf of "
            f"{names.get(agency_id, 'this party')} under this draft: change that party's terms "
            "first"
        )
    draft.parties.remove(party)
    _touch(protocol)
    await _flush(db)
    return protocol


async def change_party(
    db: AsyncSession,
    actor: Principal,
    protocol_id: uuid.UUID,
    agency_id: uuid.UUID,
    change: PartyChange,
    expected_version: int,
    rules: GatewayRules,
) -> Protocol:
    """Change one party's terms in the draft: its role, its own Article 6 basis, on
    whose behalf it acts, whether it is co-opted for ASB case reviews."""
    protocol = await _open(db, actor, protocol_id, expected_version)
    draft = check_step(protocol, "change parties", today())
    _require_party_lead_or_hub_admin(actor, draft)
    party = next((p for p in draft.parties if p.agency_id == agency_id), None)
    if party is None:
        raise NotFound("party")
    agency_type = AgencyType(party.agency_type)
    if not isinstance(change.article6, msgspec.UnsetType):
        _check_article6(change.article6, agency_type, rules, "article6")
        party.article6 = change.article6.value
    if isinstance(change.on_behalf_of, uuid.UUID):
        _check_on_behalf_of(agency_id, change.on_behalf_of, _party_ids(draft), "on_behalf_of")
    party.on_behalf_of_agency_id = _given(change.on_behalf_of, party.on_behalf_of_agency_id)
    if change.co_opted_for_case_reviews is True:
        _check_co_option(agency_type, rules, "co_opted_for_case_reviews")
    party.co_opted_for_case_reviews = _given(
        change.co_opted_for_case_reviews, party.co_opted_for_case_reviews
    )
    if not isinstance(change.role, msgspec.UnsetType):
        party.role = change.role.value
    draft.updated_at = utcnow()
    _touch(protocol)
    await _flush(db)
    return protocol


def _ready_for_signature(draft: ProtocolVersion, agencies: dict[uuid.UUID, Agency]) -> None:
    """What the ICO code expects before anyone signs: at least two parties, one of
    them a controller, and at least one purpose with its data and basis."""
    if len(draft.parties) < 2:
        raise Conflict("a protocol needs at least two parties before it is signed")
    if not any(p.role != PartyRole.PROCESSOR for p in draft.parties):
        raise Conflict("at least one party must be a controller or joint controller")
    if not draft.purposes:
        raise Conflict("a protocol needs at least one purpose before it is signed")
    inactive = [p for p in draft.parties if not agencies[p.agency_id].active]
    if inactive:
        raise Conflict("a party agency has been deactivated; remove it first")


async def submit_for_signature(
    db: AsyncSession,
    actor: Principal,
    protocol_id: uuid.UUID,
    expected_version: int,
    *,
    now: datetime | None = None,
) -> Protocol:
    """Freeze the draft: from now on the parties sign exactly this content.
    ``now`` is the moment of submission (default: the clock's), as for signing."""
    now = now or utcnow()
    protocol = await _open(db, actor, protocol_id, expected_version)
    draft = check_step(protocol, "submit", local_today(now))
    _require_party_lead_or_hub_admin(actor, draft)
    agencies = {a.id: a for a in await _agencies(db, _party_ids(draft))}
    _ready_for_signature(draft, agencies)
    for party in draft.parties:  # the type as it stands when the content is frozen
        party.agency_type = agencies[party.agency_id].agency_type
    draft.content_digest = content_digest(protocol.id, draft)
    draft.submitted_at = now
    _move(protocol, draft, "submit")
    _touch(protocol)
    await _flush(db)
    return protocol


def _come_into_force(protocol: Protocol, version: ProtocolVersion, now: datetime) -> None:
    """Every party has signed: this version is in force from that day, and the one
    it amends (if any) is superseded that day."""
    day = local_today(now)
    check_step(protocol, "activate", day)
    # What it replaces stays in force until its agreed start date, if later.
    begins = max(day, version.starts_on or day)
    if protocol.current_version != version.number:
        check_step(protocol, "supersede", day)
        for old in protocol.versions:
            # The version in force, and one signed but not yet started when
            # this one starts sooner.
            replaced = old.number < version.number and old.effective_from is not None
            if replaced and (old.ended_on is None or old.ended_on > begins):
                old.status = S.SUPERSEDED.value
                old.ended_on, old.ended_at = begins, now
                old.end_reason = f"superseded by version {version.number}"
        protocol.current_version = version.number
    version.effective_from, version.activated_at = day, now
    _move(protocol, version, "activate")


async def sign(
    db: AsyncSession,
    actor: Principal,
    protocol_id: uuid.UUID,
    job_title: str,
    expected_version: int,
    *,
    now: datetime | None = None,
) -> Protocol:
    """Sign for the actor's agency. ``now`` is the moment of signing (default:
    the clock's): the last signature brings the version into force on that day,
    Europe/London. The routes always sign at the clock's moment; the demo signs
    its protocols months before the cases that rely on them."""
    now = now or utcnow()
    protocol = await _open(db, actor, protocol_id, expected_version)
    version = check_step(protocol, "sign", local_today(now))
    agency_id = _signing_agency(actor, version)
    user = await db.get(User, actor.id)
    version.signatures.append(
        ProtocolSignature(
            agency_id=agency_id,
            signed_by=actor.id,
            signatory_name=user.display_name if user else "unknown",
            job_title=job_title,
            signed_at=now,
            content_digest=version.content_digest or "",
        )
    )
    if {s.agency_id for s in version.signatures} >= set(_party_ids(version)):
        _come_into_force(protocol, version, now)
    _touch(protocol)
    await _flush(db)
    return protocol


async def amend(
    db: AsyncSession, actor: Principal, protocol_id: uuid.UUID, expected_version: int
) -> Protocol:
    """A new draft version, copied from the one in force, which stays in force
    until every party has signed the new one."""
    protocol = await _open(db, actor, protocol_id, expected_version)
    current = check_step(protocol, "amend", today())
    _require_party_lead_or_hub_admin(actor, current)
    draft = ProtocolVersion(
        number=protocol.latest_version + 1,
        status=S.DRAFT.value,
        title=current.title,
        starts_on=current.starts_on,
        security=current.security,
        onward_sharing=current.onward_sharing,
        dpia_reference=current.dpia_reference,
        created_by=actor.id,
        parties=[
            ProtocolParty(
                agency_id=p.agency_id,
                role=p.role,
                agency_type=p.agency_type,
                position=p.position,
                article6=p.article6,
                on_behalf_of_agency_id=p.on_behalf_of_agency_id,
                co_opted_for_case_reviews=p.co_opted_for_case_reviews,
            )
            for p in current.parties
        ],
        purposes=[
            ProtocolPurpose(
                purpose=p.purpose,
                position=p.position,
                categories=list(p.categories),
                gateways=list(p.gateways),
            )
            for p in current.purposes
        ],
        signatures=[],
    )
    _set_review(draft, current.review_date, current.review_grace_days)
    protocol.versions.append(draft)
    protocol.latest_version = draft.number
    _touch(protocol)
    await _flush(db)
    return protocol


async def suspend(
    db: AsyncSession,
    actor: Principal,
    protocol_id: uuid.UUID,
    change: StatusChange,
    expected_version: int,
) -> Protocol:
    """Stop the version in force authorising disclosures, from today. It is lifted
    by amending the protocol and every party signing the new version."""
    protocol = await _open(db, actor, protocol_id, expected_version)
    day = today()
    current = check_step(protocol, "suspend", day)
    _require_party_lead_or_hub_admin(actor, current)
    _move(protocol, current, "suspend")
    current.suspended_on, current.suspended_at = day, utcnow()
    current.suspended_by, current.suspension_reason = actor.id, change.reason
    _touch(protocol)
    await _flush(db)
    return protocol


async def terminate(
    db: AsyncSession,
    actor: Principal,
    protocol_id: uuid.UUID,
    change: StatusChange,
    expected_version: int,
) -> Protocol:
    """End the protocol for good, from today; an amendment under way is withdrawn."""
    protocol = await _open(db, actor, protocol_id, expected_version)
    day = today()
    current = check_step(protocol, "terminate", day)
    _require_party_lead_or_hub_admin(actor, current)
    pending = [v for v in protocol.versions if v.number > protocol.current_version]
    # A version still in force until the current one's start date ends today too.
    lingering = [
        v
        for v in protocol.versions
        if v.number < current.number and v.ended_on is not None and v.ended_on > day
    ]
    for version in [*lingering, current, *pending]:
        version.status = S.TERMINATED.value
        version.ended_on, version.ended_at, version.ended_by = day, utcnow(), actor.id
        version.end_reason = (
            f"withdrawn when the protocol was terminated: {change.reason}"
            if version in pending
            else change.reason
        )
    _move(protocol, current, "terminate")
    _touch(protocol)
    await _flush(db)
    return protocol


def change_event(protocol: Protocol, actor: Principal, step: str, now: datetime) -> AuditEvent:
    """A change to a protocol as the ledger records it (ids and codes only): the
    step taken, the status it left and the protocol's version."""
    current = version_numbered(protocol, protocol.current_version)
    return AuditEvent(
        kind="protocol_changed",
        at=now,
        user_id=actor.id,
        agency_id=actor.agency_id,
        reason=step,
        details={
            "protocol_id": str(protocol.id),
            "step": step,
            "status": str(status_on(current, local_today(now))),
            "version": protocol.version,
        },
    )


# --- lists ---------------------------------------------------------------------


def _started(current: AliasedClass[ProtocolVersion], day: date) -> ColumnElement[bool]:
    return or_(current.starts_on.is_(None), current.starts_on <= day)


def _status_clause(
    status: ProtocolStatus, current: AliasedClass[ProtocolVersion], day: date
) -> ColumnElement[bool]:
    """The status asked for, over stored status and dates as ``status_on`` reads them."""
    active = and_(Protocol.status == S.ACTIVE.value, _started(current, day))
    derived = {
        ProtocolStatus.NOT_YET_STARTED: and_(
            Protocol.status == S.ACTIVE.value, current.starts_on > day
        ),
        ProtocolStatus.ACTIVE: and_(active, current.review_date >= day),
        ProtocolStatus.REVIEW_DUE: and_(
            active, current.review_date < day, current.expires_on >= day
        ),
        ProtocolStatus.EXPIRED: and_(active, current.expires_on < day),
    }
    return derived.get(status, Protocol.status == status.value)


async def list_protocols(
    db: AsyncSession,
    actor: Principal,
    *,
    agency_id: uuid.UUID | None = None,
    purpose: Purpose | None = None,
    status: ProtocolStatus | None = None,
    review_due: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Protocol], int]:
    day = today()
    current = aliased(ProtocolVersion)
    joined = and_(current.protocol_id == Protocol.id, current.number == Protocol.current_version)
    conditions: list[ColumnElement[bool]] = []
    visible = _visible_clause(actor)
    if visible is not None:
        conditions.append(visible)
    if agency_id is not None:
        # A party to the version in force or to an amendment under way.
        conditions.append(
            exists()
            .where(ProtocolVersion.protocol_id == Protocol.id)
            .where(ProtocolVersion.number >= Protocol.current_version)
            .where(ProtocolParty.version_id == ProtocolVersion.id)
            .where(ProtocolParty.agency_id == agency_id)
        )
    if purpose is not None:
        conditions.append(
            exists()
            .where(ProtocolPurpose.version_id == current.id)
            .where(ProtocolPurpose.purpose == purpose.value)
        )
    if status is not None:
        conditions.append(_status_clause(status, current, day))
    if review_due is not None:
        flagged = and_(
            Protocol.status == S.ACTIVE.value, _started(current, day), current.review_date < day
        )
        conditions.append(flagged if review_due else ~flagged)
    base = select(Protocol).join(current, joined).where(*conditions)
    total = await db.scalar(select(func.count()).select_from(base.subquery()))
    rows = await db.scalars(base.order_by(current.title, Protocol.id).limit(limit).offset(offset))
    return list(rows), total or 0


# --- what the lawful-basis engine reads ------------------------------------------


def to_terms(
    protocol_id: uuid.UUID, version: ProtocolVersion, day: date, names: Mapping[uuid.UUID, str]
) -> ProtocolTerms:
    """A version as the lawful-basis engine reads it; ``names`` are the agencies'
    names, for explanations that name them."""
    signed = {s.agency_id for s in version.signatures}
    types = {p.agency_id: AgencyType(p.agency_type) for p in version.parties}
    return ProtocolTerms(
        protocol_id=protocol_id,
        version=version.number,
        title=version.title,
        status=ProtocolStatus(status_on(version, day).value),
        parties=tuple(
            PartyTerms(
                agency_id=p.agency_id,
                agency_type=types[p.agency_id],
                role=PartyRole(p.role),
                name=names.get(p.agency_id, ""),
                article6=Article6Basis(p.article6) if p.article6 else None,
                on_behalf_of=p.on_behalf_of_agency_id,
                on_behalf_of_type=types.get(p.on_behalf_of_agency_id)
                if p.on_behalf_of_agency_id
                else None,
                on_behalf_of_name=names.get(p.on_behalf_of_agency_id, "")
                if p.on_behalf_of_agency_id
                else "",
                co_opted_for_case_reviews=p.co_opted_for_case_reviews,
                signed=p.agency_id in signed,
            )
            for p in version.parties
        ),
        purposes=tuple(_purpose_terms(row) for row in version.purposes),
        review_date=version.review_date,
        review_grace_days=version.review_grace_days,
        onward_sharing=version.onward_sharing,
        effective_from=version.effective_from,
        starts_on=version.starts_on,
        suspended_on=version.suspended_on,
        suspension_reason=version.suspension_reason,
    )


# Every view the gate builds reads the protocols in force (a meeting pack, once
# per case). Within one session they change only if this module changes them,
# so a session keeps what it read, per day, and drops it on every write here.
_IN_FORCE = "sharehub.protocols.terms_in_force"


async def terms_in_force(
    db: AsyncSession, on: date, *, between: Collection[uuid.UUID] = ()
) -> list[ProtocolTerms]:
    """Every version that had been submitted for signature by ``on`` and had not
    been replaced by a later version by then, with its status on that day
    (awaiting signatures, not yet started, active, review due, expired,
    suspended or terminated), optionally only those to which all the agencies
    in ``between`` are parties. A disclosure is judged by those in force
    (active or review due); the others let the engine say why one is not."""
    remembered: dict[date, tuple[ProtocolTerms, ...]] = db.info.setdefault(_IN_FORCE, {})
    if not between and on in remembered:
        return list(remembered[on])
    next_day = datetime.combine(on + timedelta(days=1), time(), LOCAL_TIME).astimezone(UTC)
    awaiting_then = and_(
        ProtocolVersion.submitted_at < next_day,
        or_(
            ProtocolVersion.status == S.AWAITING_SIGNATURES.value,
            ProtocolVersion.effective_from > on,  # signed since
        ),
    )
    query = select(ProtocolVersion).where(
        or_(ProtocolVersion.effective_from <= on, awaiting_then),
        or_(ProtocolVersion.status != S.SUPERSEDED.value, ProtocolVersion.ended_on > on),
    )
    for agency_id in set(between):
        query = query.where(
            exists()
            .where(ProtocolParty.version_id == ProtocolVersion.id)
            .where(ProtocolParty.agency_id == agency_id)
        )
    rows = list(
        await db.scalars(query.order_by(ProtocolVersion.protocol_id, ProtocolVersion.number))
    )
    names = {
        a.id: a.name for a in await _agencies(db, {p.agency_id for v in rows for p in v.parties})
    }
    terms = [to_terms(v.protocol_id, v, on, names) for v in rows]
    if not between:
        remembered[on] = tuple(terms)
    return terms


# --- views ---------------------------------------------------------------------


async def _agencies(db: AsyncSession, ids: Collection[uuid.UUID]) -> list[Agency]:
    if not ids:
        return []
    return list(await db.scalars(select(Agency).where(Agency.id.in_(set(ids)))))


async def agency_names(db: AsyncSession, protocols: Sequence[Protocol]) -> dict[uuid.UUID, str]:
    ids = {p.agency_id for protocol in protocols for v in protocol.versions for p in v.parties}
    ids |= {s.agency_id for pr in protocols for v in pr.versions for s in v.signatures}
    return {a.id: a.name for a in await _agencies(db, ids)}


def _in_force_from(version: ProtocolVersion) -> date | None:
    """The later of the last signature's day and the agreed start date."""
    if version.effective_from is None:
        return None
    return max(version.effective_from, version.starts_on or version.effective_from)


def version_view(
    version: ProtocolVersion, names: dict[uuid.UUID, str], day: date, rules: GatewayRules
) -> VersionView:
    signed = {s.agency_id for s in version.signatures}
    status = status_on(version, day)
    return VersionView(
        number=version.number,
        status=status,
        title=version.title,
        parties=[
            PartyView(
                agency_id=p.agency_id,
                agency_name=names.get(p.agency_id, ""),
                agency_type=AgencyType(p.agency_type),
                role=PartyRole(p.role),
                article6=Article6Basis(p.article6) if p.article6 else None,
                on_behalf_of=p.on_behalf_of_agency_id,
                on_behalf_of_name=names.get(p.on_behalf_of_agency_id, "")
                if p.on_behalf_of_agency_id
                else None,
                co_opted_for_case_reviews=p.co_opted_for_case_reviews,
                signed=p.agency_id in signed,
            )
            for p in version.parties
        ],
        purposes=[
            msgspec.convert(msgspec.to_builtins(_purpose_terms(row)), PurposeAllowed)
            for row in version.purposes
        ],
        security=version.security,
        onward_sharing=version.onward_sharing,
        dpia_reference=version.dpia_reference,
        review_date=version.review_date,
        review_grace_days=version.review_grace_days,
        expires_on=version.expires_on,
        content_digest=version.content_digest,
        submitted_at=version.submitted_at,
        effective_from=version.effective_from,
        starts_on=version.starts_on,
        in_force_from=_in_force_from(version),
        signatures=[
            SignatureView(
                agency_id=s.agency_id,
                agency_name=names.get(s.agency_id, ""),
                signed_by=s.signed_by,
                signatory_name=s.signatory_name,
                job_title=s.job_title,
                signed_at=s.signed_at,
                content_digest=s.content_digest,
            )
            for s in version.signatures
        ],
        awaiting_signature_from=(
            [p.agency_id for p in version.parties if p.agency_id not in signed]
            if version.status == S.AWAITING_SIGNATURES.value
            else []
        ),
        suspended_on=version.suspended_on,
        suspension_reason=version.suspension_reason,
        ended_on=version.ended_on,
        end_reason=version.end_reason,
        warnings=protocol_warnings(to_terms(version.protocol_id, version, day, names), rules)
        if status in UNSIGNED
        else [],
        created_at=version.created_at,
        updated_at=version.updated_at,
    )


def _summary_of(version: ProtocolVersion, day: date) -> VersionSummary:
    return VersionSummary(
        number=version.number,
        status=status_on(version, day),
        title=version.title,
        effective_from=version.effective_from,
        starts_on=version.starts_on,
        in_force_from=_in_force_from(version),
        review_date=version.review_date,
        suspended_on=version.suspended_on,
        ended_on=version.ended_on,
        end_reason=version.end_reason,
        signatures=len(version.signatures),
    )


def to_view(
    protocol: Protocol, names: dict[uuid.UUID, str], day: date, rules: GatewayRules
) -> ProtocolView:
    current = version_numbered(protocol, protocol.current_version)
    status = status_on(current, day)
    pending = (
        version_numbered(protocol, protocol.latest_version)
        if protocol.latest_version > protocol.current_version
        else None
    )
    return ProtocolView(
        id=protocol.id,
        status=status,
        review_due=status in (S.REVIEW_DUE, S.EXPIRED),
        created_by_agency_id=protocol.created_by_agency_id,
        current=version_view(current, names, day, rules),
        pending_amendment=version_view(pending, names, day, rules) if pending else None,
        history=[_summary_of(v, day) for v in protocol.versions],
        created_at=protocol.created_at,
        updated_at=protocol.updated_at,
        version=protocol.version,
    )


def to_summary(protocol: Protocol, day: date) -> ProtocolSummary:
    current = version_numbered(protocol, protocol.current_version)
    status = status_on(current, day)
    return ProtocolSummary(
        id=protocol.id,
        title=current.title,
        status=status,
        review_due=status in (S.REVIEW_DUE, S.EXPIRED),
        current_version=protocol.current_version,
        latest_version=protocol.latest_version,
        review_date=current.review_date,
        effective_from=current.effective_from,
        party_agency_ids=_party_ids(current),
        purposes=[Purpose(p.purpose) for p in current.purposes],
        version=protocol.version,
    )
