"""Applying online for an ASB case review ("community trigger"): the rules of
the public form, without sign-in, one per area.

- **Where.** Each area the hub's agencies serve has an address made from its
  name (``slug``: "Harrowmere" is ``harrowmere``). An area takes applications
  online when it has a receiving agency: the one its procedure names
  (``online_receiving_agency_id``: an active agency serving the area), or else
  the one council serving the area that is a relevant body for case reviews
  (a district or unitary council: ``gateways.toml``). With none, or with more
  than one and none named, the area's page says it does not take applications
  online, and gives no form.
- **Who is asked.** The bodies the applicant may have complained to, and whom
  their consent names: the agencies serving the area, and those a protocol for
  case reviews in force connects with the receiving agency, that are relevant
  bodies or may be co-opted (``views.body_role``: ASB, Crime and Policing Act
  2014 section 104 and section 105).
- **What is recorded**, by the same rules as an application a member of staff
  records (``service.apply``, which decides the threshold): the victim, and a
  representative applying for them, as subjects the receiving agency holds
  (victim and representative are protected roles: the gate withholds them
  from the other bodies unless a basis allows); the consent to share as a
  consent receipt on the victim, in the words the applicant agreed to
  (``consent_statement``), naming those bodies; then the application. The
  actor is the form itself (``Principal(kind="online_form")``), for the
  receiving agency; no person is named as having recorded anything.
- **Abuse.** Applications are counted per client address (by a keyed digest,
  never the address) and per area, in the database and in the transaction of
  the application (``count_application``): a refused application counts
  nothing and writes nothing.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

import msgspec
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.agencies.models import Agency, AgencyArea
from sharehub.agencies.types import AgencyType
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gate import sharing_partners
from sharehub.errors import Unprocessable
from sharehub.fields import PARAGRAPHS, PRINTABLE, Name
from sharehub.i18n import _
from sharehub.identity.principal import online_form
from sharehub.privacy import identifiers
from sharehub.privacy.consent import record_consent
from sharehub.privacy.schemas import (
    ConsentCreate,
    IdentityIn,
    Recipients,
    Representative,
    SubjectCreate,
)
from sharehub.privacy.subjects import create_subject
from sharehub.protocols.engine import SubjectRole
from sharehub.protocols.gateways import GatewayRules
from sharehub.protocols.terms import DataCategory, Purpose
from sharehub.referrals.case_review import procedures, service
from sharehub.referrals.case_review.models import (
    CaseReview,
    CaseReviewProcedure,
    OnlineApplicationCount,
)
from sharehub.referrals.case_review.rules import Procedure
from sharehub.referrals.case_review.schemas import (
    ApplicationIn,
    ComplaintIn,
    RepresentativeIn,
    VictimType,
)
from sharehub.referrals.case_review.views import body_role

PURPOSE = Purpose.ASB_CASE_REVIEW
# Councils that can be an area's case review local authority (a county council
# is one only where there is no district council: gateways.toml says which).
COUNCILS = frozenset(
    {AgencyType.DISTRICT_COUNCIL, AgencyType.UNITARY_COUNCIL, AgencyType.COUNTY_COUNCIL}
)
BODY_ROLES = frozenset({"relevant_body", "co_opted"})
# What the consent covers: who the victim is, how to reach them, and the behaviour.
CATEGORIES = (
    DataCategory.IDENTITY,
    DataCategory.CONTACT_DETAILS,
    DataCategory.ASB_INCIDENT_DETAILS,
)
# The answer to "who did you report it to?" for an applicant who does not know.
NOT_SURE = "not_sure"
MAX_REPORTS = 6
NARRATIVE_MAX = 5000
# What a representative's authority to give the victim's consent rests on.
AUTHORITY = (
    "declared on the online application form that the victim knows about the application "
    "and agrees to it"
)


def slug(area: str) -> str:
    """An area's name as part of an address: "St Mary's Vale" is ``st-mary-s-vale``."""
    return re.sub(r"[^a-z0-9]+", "-", area.casefold()).strip("-")


# --- where applications go -------------------------------------------------------------------


@dataclass(frozen=True)
class Body:
    """A body the applicant may have complained to, and whom the consent names."""

    id: uuid.UUID
    name: str
    short_code: str


Closed = Literal["no_council", "several_councils", "named_agency_unavailable"]


@dataclass(frozen=True)
class OnlineArea:
    """An area as its public form sees it."""

    area: str
    slug: str
    procedure: Procedure
    receiving: Body | None
    # Why the area takes no applications online (None: it takes them).
    closed: Closed | None
    # Everyone the applicant may have complained to, the receiving agency first.
    bodies: tuple[Body, ...] = ()

    @property
    def open(self) -> bool:
        return self.receiving is not None


def _body(agency: Agency) -> Body:
    return Body(agency.id, agency.name, agency.short_code)


def receiving_agency(
    serving: Sequence[Agency], named: uuid.UUID | None, rules: GatewayRules
) -> tuple[Agency | None, Closed | None]:
    """(the agency that receives the area's online applications, or why none does)."""
    if named is not None:
        chosen = next((a for a in serving if a.id == named and a.active), None)
        return (chosen, None) if chosen else (None, "named_agency_unavailable")
    councils = [
        a
        for a in serving
        if a.active
        and a.agency_type in COUNCILS
        and body_role(rules, a.agency_type) == "relevant_body"
    ]
    if len(councils) == 1:
        return councils[0], None
    return None, "no_council" if not councils else "several_councils"


async def _serving(db: AsyncSession) -> dict[str, tuple[str, list[Agency]]]:
    """Every area an active agency serves: area key -> (its name, the agencies)."""
    rows = await db.execute(
        select(AgencyArea.area_key, AgencyArea.area, Agency)
        .join(Agency, Agency.id == AgencyArea.agency_id)
        .where(Agency.active.is_(True))
        .order_by(AgencyArea.area_key, AgencyArea.area, Agency.name)
    )
    found: dict[str, tuple[str, list[Agency]]] = {}
    for key, name, agency in rows:
        found.setdefault(key, (name, []))[1].append(agency)
    return found


async def _named_receivers(db: AsyncSession) -> dict[str, uuid.UUID | None]:
    rows = await db.execute(
        select(CaseReviewProcedure.area_key, CaseReviewProcedure.online_receiving_agency_id)
    )
    return dict(rows.all())  # type: ignore[arg-type]


async def online_areas(db: AsyncSession, rules: GatewayRules) -> list[OnlineArea]:
    """Every area, whether it takes applications online, by name (no bodies:
    ``online_area`` works those out for one area's form)."""
    named = await _named_receivers(db)
    out = []
    by_slug: dict[str, int] = {}
    for key, (name, agencies) in (await _serving(db)).items():
        by_slug[slug(name)] = by_slug.get(slug(name), 0) + 1
        receiver, closed = receiving_agency(agencies, named.get(key), rules)
        out.append(
            OnlineArea(
                area=name,
                slug=slug(name),
                procedure=await procedures.procedure_for(db, name),
                receiving=_body(receiver) if receiver else None,
                closed=closed,
            )
        )
    # Two areas whose names make one address are neither reachable.
    return sorted(
        (a for a in out if a.slug and by_slug[a.slug] == 1), key=lambda a: a.area.casefold()
    )


async def online_area(db: AsyncSession, gate: GateContext, address: str) -> OnlineArea | None:
    """The area at this address (any letter case), with its bodies; None: no such area."""
    wanted = slug(address)
    found = [a for a in await online_areas(db, gate.rules) if a.slug == wanted]
    if not found:
        return None
    place = found[0]
    if place.receiving is None:
        return place
    return OnlineArea(
        area=place.area,
        slug=place.slug,
        procedure=place.procedure,
        receiving=place.receiving,
        closed=None,
        bodies=await bodies_for(db, gate, place.area, place.receiving.id),
    )


async def bodies_for(
    db: AsyncSession, gate: GateContext, area: str, receiving_id: uuid.UUID
) -> tuple[Body, ...]:
    """The bodies of the area's case review the applicant may have complained
    to: those serving the area, and those a case review protocol in force
    connects with the receiving agency, that are relevant bodies or may be
    co-opted; the receiving agency first, then by name."""
    serving = set(
        await db.scalars(select(AgencyArea.agency_id).where(AgencyArea.area_key == area.casefold()))
    )
    partners = await sharing_partners(db, receiving_id, PURPOSE, gate.today)
    agencies = (
        await db.scalars(
            select(Agency).where(Agency.id.in_(serving | partners), Agency.active.is_(True))
        )
    ).all()
    kept = [a for a in agencies if body_role(gate.rules, a.agency_type) in BODY_ROLES]
    kept.sort(key=lambda a: (a.id != receiving_id, a.name.casefold()))
    return tuple(_body(a) for a in kept)


# --- what the form takes ---------------------------------------------------------------------

Line = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=PRINTABLE)]
Short = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=PRINTABLE)]


class ContactIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """How to reach the applicant: an e-mail address or a phone number at least."""

    email: Annotated[str, msgspec.Meta(max_length=254, pattern=PRINTABLE)] | None = None
    phone: Short | None = None
    address_line_1: Line | None = None
    address_line_2: Line | None = None
    town: Line | None = None
    postcode: Short | None = None


class ReportIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One time the behaviour was reported: roughly when it happened, when it
    was reported and to whom (a body's short code, or ``not_sure``), and
    whether the applicant thinks it was motivated by prejudice."""

    behaviour_on: date
    reported_on: date
    reported_to: Annotated[str, msgspec.Meta(min_length=1, max_length=16, pattern=PRINTABLE)]
    hate_incident: bool = False


class OnlineApplicationIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    applying_for: Literal["myself", "someone_else"]
    # Applying for someone else: your name and your relationship to them.
    applicant_name: Name | None = None
    relationship: Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=PRINTABLE)] | None = None  # fmt: skip
    victim_type: VictimType
    # The person's full name, or the business's or group's name.
    victim_name: Name
    contact: ContactIn = msgspec.field(default_factory=ContactIn)
    narrative: Annotated[str, msgspec.Meta(min_length=1, max_length=NARRATIVE_MAX, pattern=PARAGRAPHS)]  # fmt: skip
    reports: Annotated[list[ReportIn], msgspec.Meta(min_length=1, max_length=MAX_REPORTS)]
    # The applicant agrees to the sharing ``consent_statement`` describes.
    consent: bool = False
    # Applying for someone else: the victim knows of the application and agrees.
    victim_agreed: bool = False

    @property
    def for_someone_else(self) -> bool:
        return self.applying_for == "someone_else"


# Why a field is refused (the pages say each in plain English).
REQUIRED = "required"
FUTURE = "cannot be in the future"
BEFORE_BEHAVIOUR = "cannot be before the behaviour"
UNKNOWN_BODY = "not one of the bodies of this area"
NO_CONTACT = "give an e-mail address or a phone number"
NOT_AGREED = "must be agreed to apply"
INVALID = "not valid"


def _names(bodies: Sequence[Body]) -> str:
    names = [b.name for b in bodies]
    if len(names) == 1:
        return names[0]
    return _("{some} and {last}").format(some=", ".join(names[:-1]), last=names[-1])


def consent_statement(place: OnlineArea) -> str:
    """What the applicant agrees to, as the form shows it and the consent
    receipt records it, in the language of the form: the bodies by name, the
    purpose, what is shared, and how to withdraw it. One wording whoever
    applies (the form is one page)."""
    receiving = place.receiving.name if place.receiving else _("the council")
    return _(
        "I agree that {bodies} may use what this application says, and share it and what "
        "they already hold about the behaviour and the people affected with one another, for "
        "the anti-social behaviour case review in {area}. If I am applying for someone else, "
        "they have agreed to this too. This can be withdrawn at any time by contacting "
        "{receiving}."
    ).format(bodies=_names(place.bodies), area=place.area, receiving=receiving)


def declaration() -> str:
    """What an applicant for someone else declares."""
    return _(
        "I am applying for someone else: they know about this application and have agreed "
        "to it, and to their information being shared as described."
    )


def problems(data: OnlineApplicationIn, place: OnlineArea, today: date) -> list[tuple[str, str]]:
    """Everything wrong with an application for this area, field by field, before
    anything is written."""
    return problems_in(msgspec.to_builtins(data), place, today)


def problems_in(payload: dict[str, Any], place: OnlineArea, today: date) -> list[tuple[str, str]]:
    """The same, for whichever parts of a payload are well formed: a person is
    told of every problem at once, not of some on the next attempt (the parts
    that are not well formed are the struct's to name)."""
    errors: list[tuple[str, str]] = []
    if payload.get("applying_for") == "someone_else":
        for field in ("applicant_name", "relationship"):
            if payload.get(field) is None:
                errors.append((field, REQUIRED))
        if not payload.get("victim_agreed"):
            errors.append(("victim_agreed", NOT_AGREED))
    given = payload.get("contact") or {}
    if given.get("email") is None and given.get("phone") is None:
        errors.append(("contact.email", NO_CONTACT))
    for field, check in (
        ("email", identifiers.email),
        ("phone", identifiers.phone),
        ("postcode", identifiers.postcode),
    ):
        value = given.get(field)
        if isinstance(value, str):
            try:
                check(value)
            except ValueError:
                errors.append((f"contact.{field}", INVALID))
    codes = {b.short_code for b in place.bodies}
    for i, raw in enumerate(payload.get("reports") or []):
        try:
            report = msgspec.convert(raw, ReportIn, strict=False)
        except msgspec.ValidationError:
            continue
        where = f"reports.{i}"
        if report.behaviour_on > today:
            errors.append((f"{where}.behaviour_on", FUTURE))
        if report.reported_on > today:
            errors.append((f"{where}.reported_on", FUTURE))
        elif report.behaviour_on <= today and report.reported_on < report.behaviour_on:
            errors.append((f"{where}.reported_on", BEFORE_BEHAVIOUR))
        if report.reported_to != NOT_SURE and report.reported_to not in codes:
            errors.append((f"{where}.reported_to", UNKNOWN_BODY))
    if not payload.get("consent"):
        errors.append(("consent", NOT_AGREED))
    return errors


def _address(contact: ContactIn) -> list[str]:
    return [line for line in (contact.address_line_1, contact.address_line_2, contact.town) if line]


def _contact_identity(name: str, contact: ContactIn) -> IdentityIn:
    return IdentityIn(
        name=name,
        address=_address(contact),
        postcode=contact.postcode,
        phone=contact.phone,
        email=contact.email,
    )


async def apply_online(
    db: AsyncSession, place: OnlineArea, data: OnlineApplicationIn, gate: GateContext
) -> CaseReview:
    """Record an online application for the area: the victim (and the
    representative) as subjects the receiving agency holds, the consent
    receipt, then the application by the rules every application follows
    (``service.apply``). Refuses with 422 naming each field, before writing
    anything, where ``problems`` finds any."""
    if place.receiving is None:
        raise Unprocessable([("area", "this area does not take applications online")])
    errors = problems(data, place, gate.today)
    if errors:
        raise Unprocessable(errors)
    actor = online_form(place.receiving.id)
    someone_else = data.for_someone_else
    kind = "person" if data.victim_type == "individual" else data.victim_type
    victim = await create_subject(
        db,
        actor,
        SubjectCreate(
            kind=kind,
            role=SubjectRole.VICTIM,
            identity=(
                IdentityIn(name=data.victim_name)
                if someone_else
                else _contact_identity(data.victim_name, data.contact)
            ),
        ),
        gate,
    )
    representative_id = None
    if someone_else:
        assert data.applicant_name is not None and data.relationship is not None
        representative = await create_subject(
            db,
            actor,
            SubjectCreate(
                kind="person",
                role=SubjectRole.REPRESENTATIVE,
                # "Councillor Ada Brennock" is the person Ada Brennock.
                identity=_contact_identity(service.person_name(data.applicant_name), data.contact),
            ),
            gate,
        )
        representative_id = representative.id
    words = f'Given on the online application form, in these words: "{consent_statement(place)}"'
    if someone_else:
        words += f' The applicant declared: "{declaration()}"'
    await record_consent(
        db,
        actor,
        victim.id,
        ConsentCreate(
            purposes=[PURPOSE],
            recipients=Recipients(agencies=[b.id for b in place.bodies]),
            categories=list(CATEGORIES),
            how_given="representative" if someone_else else "online",
            representative=(
                Representative(
                    name=data.applicant_name,  # type: ignore[arg-type]
                    relationship=data.relationship,  # type: ignore[arg-type]
                    authority=AUTHORITY,
                )
                if someone_else
                else None
            ),
            evidence_note=words[:4000],
            given_at=gate.now,
        ),
        gate,
    )
    by_code = {b.short_code: b.id for b in place.bodies}
    application = ApplicationIn(
        area=place.area,
        received_on=gate.today,
        applicant_type="representative" if someone_else else "victim",
        victim_type=data.victim_type,
        victim_subject_id=victim.id,
        representative=(
            RepresentativeIn(subject_id=representative_id, relationship=data.relationship)  # type: ignore[arg-type]
            if someone_else
            else None
        ),
        complaints=[
            ComplaintIn(
                behaviour_on=r.behaviour_on,
                complained_on=r.reported_on,
                agency_id=by_code.get(r.reported_to),
                agency_not_known=r.reported_to == NOT_SURE,
                hate_incident=r.hate_incident,
            )
            for r in data.reports
        ],
        narrative=data.narrative,
    )
    return await service.apply(db, actor, application, gate)


# --- how many ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    per_address_per_hour: int = 3
    per_address_per_day: int = 10
    per_area_per_day: int = 50


HOUR, DAY = 3600, 86_400


@dataclass(frozen=True)
class TooMany:
    """An application over a limit: whose (this address's, or the area's), how
    many, per what, and when the window ends."""

    who: Literal["address", "area"]
    limit: int
    per: Literal["hour", "day"]
    until: datetime

    def retry_after(self, now: datetime) -> int:
        """Whole seconds until another application may be sent (Retry-After)."""
        return max(1, math.ceil((self.until - now).total_seconds()))


def _window(now: datetime, seconds: int) -> tuple[datetime, datetime]:
    start = datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, UTC)
    return start, start + timedelta(seconds=seconds)


async def _advance(db: AsyncSession, scope: str, key: str, start: datetime, ends: datetime) -> int:
    """One more in this window; the count now (the row stays locked to the end
    of the transaction, so concurrent applications queue and each sees the last)."""
    row = OnlineApplicationCount
    for _attempt in range(3):
        count = await db.scalar(
            update(row)
            .where(row.scope == scope, row.key == key, row.window_start == start)
            .values(count=row.count + 1)
            .returning(row.count)
        )
        if count is not None:
            return int(count)
        try:
            async with db.begin_nested():
                db.add(row(scope=scope, key=key, window_start=start, window_ends_at=ends, count=1))
            return 1
        except IntegrityError:
            continue  # another application opened the window first: count in theirs
    raise RuntimeError("could not count the application")  # pragma: no cover


def address_key(gate: GateContext, address: str) -> str:
    """A client address as the counts keep it: a keyed digest, never the address."""
    return gate.index.digest("online_application_address", address.strip().casefold())


async def count_application(
    db: AsyncSession, *, address: str, area: str, gate: GateContext, limits: Limits
) -> TooMany | None:
    """Count one more application from this client address for this area, in
    the transaction that records it; or the limit it would break (the caller
    then rolls back, so nothing of it is counted). Windows that have ended are
    deleted here."""
    now = gate.now
    await db.execute(
        delete(OnlineApplicationCount).where(OnlineApplicationCount.window_ends_at <= now)
    )
    digest = address_key(gate, address)
    checks: tuple[tuple[str, str, int, int, Literal["address", "area"], Literal["hour", "day"]], ...] = (
        ("address_hour", digest, HOUR, limits.per_address_per_hour, "address", "hour"),
        ("address_day", digest, DAY, limits.per_address_per_day, "address", "day"),
        ("area_day", area.casefold(), DAY, limits.per_area_per_day, "area", "day"),
    )  # fmt: skip
    for scope, key, seconds, limit, who, per in checks:
        start, ends = _window(now, seconds)
        if await _advance(db, scope, key, start, ends) > limit:
            return TooMany(who, limit, per, ends)
    return None
