"""How long does it take to build every agency's pack for a MARAC?

A MARAC of 20 cases (--cases) with 12 agencies (--agencies) serving one area,
set up through the services as it would be over HTTP: a MARAC protocol signed
by every agency, referrals from the police (a victim and an alleged
perpetrator each, some victims consenting to some agencies knowing who they
are), accepted and listed, a meeting inviting every agency, its agenda built,
a contribution from every agency on every case (free text naming the case's
people, some naming people the contributing agency holds), and a member of
staff at each agency who has acknowledged the confidentiality statement.

Then, in the same run and with the setup left out of the timings:
- packs: each agency's pack built by ``build_pack`` and encoded as JSON, each
  in its own committed transaction as a request is (the gate decides for each
  person, redacts the texts, and writes a disclosure and its ledger entry for
  each person another agency holds);
- baseline: for each agency, the same cases' raw material and contributions
  read, decrypted and encoded as JSON in the same shape, with everything shown
  and nothing decided, redacted or recorded;
- one pack rendered as HTML and as PDF (--no-render to leave out).
Prints seconds and milliseconds per pack, and the ratio baseline/packs.

Run: python bench/meeting_pack.py [--cases N] [--agencies N] [--database-url URL]
     [--no-render] [--profile N]
(default: a temporary SQLite file; give a PostgreSQL URL to measure that. The
database is emptied first. --profile N prints the N costliest calls of the
packs phase from cProfile, which slows that phase down.)
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import random
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any, get_args

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import msgspec
from faker import Faker
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conftest import migrate, reset_database
from sharehub.access.models import RoleAssignment
from sharehub.access.roles import Role
from sharehub.agencies.schemas import AgencyCreate, InformationGovernanceContact
from sharehub.agencies.service import create_agency
from sharehub.agencies.types import AgencyType
from sharehub.audit.checkpoints import CheckpointSigner
from sharehub.audit.events import LogSink
from sharehub.audit.ledger import Ledger
from sharehub.audit.models import LedgerEntry
from sharehub.calendar import LOCAL_TIME, local_today
from sharehub.config import Settings, normalise_database_url
from sharehub.crypto import BlindIndex, FieldCipher, open_field
from sharehub.db.base import utcnow
from sharehub.db.engine import create_engine, create_session_factory
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gated import encode_json
from sharehub.identity.models import User
from sharehub.identity.principal import Principal, RoleHeld
from sharehub.identity.schemas import ProviderCreate, RoleMapping
from sharehub.identity.service import create_provider
from sharehub.meetings import agenda, service, statements
from sharehub.meetings.agenda import items_of
from sharehub.meetings.cases import material_of
from sharehub.meetings.models import Contribution, Meeting
from sharehub.meetings.packs import (
    MARKING,
    Pack,
    build_pack,
    render_html,
    render_json,
    render_pdf,
)
from sharehub.meetings.preparation import agency_names, contribute
from sharehub.meetings.risks import RiskCode
from sharehub.meetings.schemas import Acknowledging, ContributionIn, MeetingCreate
from sharehub.meetings.service import kind_of
from sharehub.meetings.types import MeetingType
from sharehub.privacy.consent import record_consent
from sharehub.privacy.identity import IDENTITY_FIELDS, Identity, unseal
from sharehub.privacy.models import Disclosure, Subject
from sharehub.privacy.redaction import PersonView, SubjectInView, person_view, pseudonyms
from sharehub.privacy.schemas import ConsentCreate, SubjectCreate
from sharehub.privacy.subjects import create_subject
from sharehub.protocols import service as protocols
from sharehub.protocols.engine import SubjectRole
from sharehub.protocols.gateways import DEFAULT_FILE as DEFAULT_GATEWAYS_FILE
from sharehub.protocols.gateways import GatewayRules, load_gateway_rules
from sharehub.protocols.schemas import PartyInvite, ProtocolCreate
from sharehub.protocols.terms import PartyRole
from sharehub.referrals.marac import service as marac
from sharehub.referrals.marac.schemas import Listing, ReferralCreate, Screening
from support.people import fictional, phone_formats, written_forms

SEED = 2026
CHECKLIST = "safelives-dash-2009"
RISKS: tuple[str, ...] = get_args(RiskCode)
NOT_ARRANGED = uuid.UUID(int=0)

# The agencies of a MARAC, in the order they are created: (type, name pattern,
# short code). {county} is the area they all serve, {town} a town in it.
AGENCY_KINDS: list[tuple[AgencyType, str, str]] = [
    (AgencyType.POLICE_FORCE, "{county} Police", "POL"),
    (AgencyType.COUNTY_COUNCIL, "{county} County Council", "CC"),
    (AgencyType.DISTRICT_COUNCIL, "{town} District Council", "DC"),
    (AgencyType.DISTRICT_COUNCIL, "{town} Borough Council", "BC"),
    (AgencyType.PROBATION_SERVICE, "{county} Probation Delivery Unit", "PDU"),
    (AgencyType.SOCIAL_HOUSING_PROVIDER, "{town} Homes", "HOMES"),
    (AgencyType.DOMESTIC_ABUSE_SERVICE, "{town} Domestic Abuse Service", "DAS"),
    (AgencyType.NHS_TRUST, "{county} Hospitals NHS Foundation Trust", "HOSP"),
    (AgencyType.NHS_TRUST, "{county} Mental Health NHS Trust", "MHT"),
    (AgencyType.INTEGRATED_CARE_BOARD, "NHS {county} Integrated Care Board", "ICB"),
    (AgencyType.FIRE_AND_RESCUE_AUTHORITY, "{county} Fire and Rescue Authority", "FRA"),
    (AgencyType.YOUTH_OFFENDING_TEAM, "{town} Youth Justice Service", "YJS"),
]

# What practitioners write, with the case's people in it: {v} the victim,
# {p} the alleged perpetrator, {o} someone the contributing agency holds,
# {vx}/{px} any identifier of theirs, {phone} and {address} the victim's.
REFERRAL_LINES = [
    "{v} called 999 from {phone} at 23:40 saying {p} had her by the throat.",
    "Officers attended {address}; {p} had left and {v} had marks to her neck.",
    "{v} said {p} has threatened to kill her if she leaves, and she believes him.",
    "{p} has two previous domestic incidents with a former partner on record ({px}).",
    "{v} is frightened and did not want to make a statement tonight.",
    "DASH completed with {v} at the scene; she gave {vx} as her contact.",
]
CONTRIBUTION_LINES = [
    "{v} was seen on {day}; she said {p} checks her phone and takes her bank card.",
    "Our records show {p} at {address} on three occasions since the spring.",
    "Attempts to reach {v} on {phone} went unanswered twice this month.",
    "{v} disclosed that {p} stops her seeing her sister; she feels isolated.",
    "{p} missed two appointments and his engagement is poor.",
    "Damage to the front door at {address} was reported as accidental by {v}.",
    "{v} attended with bruising to her forearms; the account given was inconsistent.",
    "Rent arrears are growing since {p} moved back in; {v} fears losing the home.",
    "We hold {vx} for her; please use it only to arrange a safe contact.",
    "{p} gave {px} when he was last seen; he denied any argument with {v}.",
]
OTHER_LINES = [
    "{o} lives at the address and has been absent from school since the incident.",
    "{o} told staff that {p} shouts at {v} most nights.",
    "{o} is known to us and has been offered support; {o} is worried about {v}.",
]
OTHER_ROLES = [SubjectRole.CHILD, SubjectRole.HOUSEHOLD_MEMBER, SubjectRole.CHILD]


def type_at(i: int) -> AgencyType:
    return AGENCY_KINDS[i % len(AGENCY_KINDS)][0]


@dataclass
class Staff:
    practitioner: Principal
    ig_lead: Principal


@dataclass
class Partnership:
    """What the setup made, by id: the timed phases read everything back."""

    area: str
    agency_ids: list[uuid.UUID]
    codes: list[str]  # the agencies' short codes, in the same order
    staff: list[Staff]
    meeting_id: uuid.UUID = NOT_ARRANGED
    subjects_in_referrals: int = 0
    subjects_in_contributions: int = 0
    consents: int = 0
    contributions: int = 0
    police: int = 0  # index of the referring agency


@dataclass
class Services:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    cipher: FieldCipher
    index: BlindIndex
    rules: GatewayRules
    audit: Ledger

    def gate(self) -> GateContext:
        """The gate's context as a request has it: the keys, the rules, the
        ledger and the clock of this moment."""
        now = utcnow()
        return GateContext(
            cipher=self.cipher,
            index=self.index,
            rules=self.rules,
            audit=self.audit,
            now=now,
            today=local_today(now),
        )


def services_for(url: str, sessions: async_sessionmaker[AsyncSession]) -> Services:
    """Built from Settings as app.py builds the application's state."""
    settings = Settings(env="development", database_url=url)
    signer = CheckpointSigner(settings.ledger_key, settings.public_url or "")
    return Services(
        settings=settings,
        sessions=sessions,
        cipher=FieldCipher(settings.field_keys),
        index=BlindIndex(settings.index_key),
        rules=load_gateway_rules(settings.gateways_file or DEFAULT_GATEWAYS_FILE),
        audit=Ledger(
            sessions,
            signer,
            checkpoint_every=settings.ledger_checkpoint_every,
            forward=LogSink(),
        ),
    )


# --- setup ---------------------------------------------------------------------------------


def name_forms(identity: Identity) -> list[str]:
    """How notes name someone: the full name most often."""
    first, last = identity.name.split(" ", 1)
    return [identity.name, identity.name, first, last, *identity.aliases]


def narrative(
    rng: random.Random,
    lines: list[str],
    victim: Identity,
    perpetrator: Identity,
    other: Identity | None,
    length: int,
    today: date,
) -> str:
    """Sentences naming the case's people in the forms practitioners write them."""
    pool = lines + (OTHER_LINES if other is not None else [])
    chosen: list[str] = []
    while len(" ".join(chosen)) < length:
        chosen.append(
            rng.choice(pool).format(
                v=rng.choice(name_forms(victim)),
                p=rng.choice(name_forms(perpetrator)),
                o=rng.choice(name_forms(other)) if other is not None else "",
                vx=rng.choice(written_forms(victim)),
                px=rng.choice(written_forms(perpetrator)),
                phone=rng.choice(phone_formats(victim.phone or "")),
                address=victim.address[0],
                day=(today - timedelta(days=rng.randrange(3, 60))).strftime("%d %B"),
            )
        )
    return " ".join(chosen)


def identity_in(identity: Identity) -> dict[str, Any]:
    return {
        "name": identity.name,
        "aliases": list(identity.aliases),
        "date_of_birth": identity.date_of_birth,
        "address": list(identity.address),
        "postcode": identity.postcode,
        "phone": identity.phone,
        "email": identity.email,
        "nhs_number": identity.nhs_number,
        "ni_number": identity.ni_number,
    }


async def new_subject(
    db: AsyncSession, s: Services, actor: Principal, role: SubjectRole, who: Identity
) -> uuid.UUID:
    body = {"role": role.value, "identity": identity_in(who)}
    view = await create_subject(db, actor, msgspec.convert(body, SubjectCreate), s.gate())
    return view.id


async def add_user(
    db: AsyncSession,
    fake: Faker,
    agency_id: uuid.UUID,
    provider_id: uuid.UUID,
    issuer: str,
    code: str,
    roles: list[tuple[Role, bool]],  # (role, hub-wide)
) -> Principal:
    first, last = fake.first_name(), fake.last_name()
    user = User(
        issuer=issuer,
        subject=uuid.uuid4().hex,
        agency_id=agency_id,
        provider_id=provider_id,
        display_name=f"{first} {last}",
        email=f"{first}.{last}@{code.lower()}.example.org".lower().replace("'", ""),
        active=True,
        last_login_at=utcnow(),
    )
    db.add(user)
    await db.flush()
    held = []
    for role, hub_wide in roles:
        domain = None if hub_wide else agency_id
        db.add(RoleAssignment(user_id=user.id, role=role.value, agency_id=domain, source="claim"))
        held.append(RoleHeld(role.value, domain))
    await db.flush()
    return Principal(kind="user", id=user.id, agency_id=agency_id, roles=tuple(held))


async def make_agencies(s: Services, count: int) -> tuple[Partnership, Principal, Principal]:
    """The agencies, each with its sign-in, an information governance lead and a
    practitioner; a MARAC chair (police) and coordinator (the domestic abuse
    service, or the last agency) holding hub-wide roles."""
    fake = Faker("en_GB")
    fake.seed_instance(SEED)
    county = f"{fake.last_name()}shire"
    ids: list[uuid.UUID] = []
    codes: list[str] = []
    staff: list[Staff] = []
    coordinator_at = next(
        (i for i in range(count) if type_at(i) is AgencyType.DOMESTIC_ABUSE_SERVICE), count - 1
    )
    async with s.sessions() as db, db.begin():
        for i in range(count):
            agency_type, pattern, abbreviation = AGENCY_KINDS[i % len(AGENCY_KINDS)]
            round_ = i // len(AGENCY_KINDS)
            place = county if round_ == 0 else fake.city()
            code = abbreviation + (str(round_) if round_ else "")
            name = pattern.format(county=place, town=fake.city())
            agency = await create_agency(
                db,
                AgencyCreate(
                    name=name,
                    short_code=code,
                    agency_type=agency_type,
                    areas=[county],
                    information_governance_contact=InformationGovernanceContact(
                        name=fake.name(),
                        email=f"information.governance@{code.lower()}.example.org",
                        telephone=f"01632 960{fake.random_int(0, 999):03d}",
                    ),
                ),
            )
            issuer = f"https://login.{code.lower()}.example.org"
            provider = await create_provider(
                db,
                ProviderCreate(
                    slug=f"{code.lower()}-sign-in",
                    display_name=f"{name} sign-in",
                    agency_id=agency.id,
                    issuer=issuer,
                    client_id=f"sharehub-{code.lower()}",
                    client_secret=fake.sha256(),
                    role_mapping=RoleMapping(claim="roles", roles={r.value: r for r in Role}),
                ),
                s.cipher,
                allow_loopback=False,
            )

            home = (agency.id, provider.id, issuer, code)
            staff.append(
                Staff(
                    practitioner=await add_user(db, fake, *home, [(Role.PRACTITIONER, False)]),
                    ig_lead=await add_user(
                        db, fake, *home, [(Role.INFORMATION_GOVERNANCE_LEAD, False)]
                    ),
                )
            )
            if i == 0:
                chair = await add_user(db, fake, *home, [(Role.MARAC_CHAIR, True)])
            if i == coordinator_at:
                coordinator = await add_user(db, fake, *home, [(Role.MARAC_COORDINATOR, True)])
            ids.append(agency.id)
            codes.append(code)
    return (
        Partnership(area=county, agency_ids=ids, codes=codes, staff=staff),
        chair,
        coordinator,
    )


async def sign_protocol(s: Services, p: Partnership) -> uuid.UUID:
    """One MARAC protocol (identity and risk assessment, s115 CDA 1998) drafted
    by the police, every other agency invited, and signed by every party."""
    police = p.staff[p.police].ig_lead
    body = {
        "title": f"{p.area} MARAC information sharing protocol",
        "review_date": local_today() + timedelta(days=365),
        "review_grace_days": 30,
        "purposes": [
            {
                "purpose": "marac",
                "categories": [
                    {"category": "identity", "article6": "e_public_task", "retention_days": 730},
                    {
                        "category": "risk_assessment",
                        "article6": "e_public_task",
                        "retention_days": 730,
                    },
                ],
                "gateways": ["cda1998_s115"],
            }
        ],
        "security": "Shared only through the hub.\nNo copies on removable media.",
        "onward_sharing": "No onward sharing without the discloser's agreement.",
        "dpia_reference": "DPIA-MARAC-01",
    }
    async with s.sessions() as db, db.begin():
        protocol = await protocols.create_protocol(
            db, police, msgspec.convert(body, ProtocolCreate), s.rules
        )
        invites = [
            PartyInvite(agency_id=a, role=PartyRole.JOINT_CONTROLLER)
            for a in p.agency_ids
            if a != police.agency_id
        ]
        protocol = await protocols.invite_parties(
            db, police, protocol.id, invites, protocol.version
        )
        protocol = await protocols.submit_for_signature(db, police, protocol.id, protocol.version)
        for member in p.staff:
            protocol = await protocols.sign(
                db, member.ig_lead, protocol.id, "Information governance lead", protocol.version
            )
        assert protocol.status == "active", protocol.status
        return protocol.id


def answers(yes: int, questions: int = 24) -> dict[str, str]:
    codes = [f"q{n:02d}" for n in range(1, questions + 1)]
    given = {code: "yes" if i < yes else "no" for i, code in enumerate(codes)}
    given[codes[-1]] = "not_known"
    return given


@dataclass
class Case:
    victim: Identity
    perpetrator: Identity


async def refer_cases(
    s: Services,
    p: Partnership,
    coordinator: Principal,
    protocol_id: uuid.UUID,
    cases: int,
    meeting_day: date,
) -> list[Case]:
    """Referrals from the police, accepted and listed for the meeting's day.
    Every third victim consented to a few named agencies knowing who she is, and
    every fifth to every party to the protocol: the packs differ by agency."""
    officer = p.staff[p.police].practitioner
    rng = random.Random(SEED)
    gate = s.gate()
    today = gate.today
    made: list[Case] = []
    idva = next(
        (a for i, a in enumerate(p.agency_ids) if type_at(i) is AgencyType.DOMESTIC_ABUSE_SERVICE),
        None,
    )
    async with s.sessions() as db, db.begin():
        for n in range(cases):
            victim, perpetrator = fictional(1000 + 2 * n), fictional(1001 + 2 * n)
            victim_id = await new_subject(db, s, officer, SubjectRole.VICTIM, victim)
            perpetrator_id = await new_subject(db, s, officer, SubjectRole.PERPETRATOR, perpetrator)
            p.subjects_in_referrals += 2
            recipients: dict[str, list[uuid.UUID]] | None = None
            if n % 5 == 4:
                recipients = {"protocols": [protocol_id]}
            elif n % 3 == 0:
                others = [a for a in p.agency_ids if a != officer.agency_id]
                recipients = {"agencies": rng.sample(others, min(len(others), 2 + n % 4))}
            if recipients is not None:
                consent = {
                    "purposes": ["marac"],
                    "recipients": recipients,
                    "categories": ["identity"],
                    "how_given": "verbal",
                    "evidence_note": "Agreed with the officer at the scene.",
                }
                await record_consent(
                    db,
                    officer,
                    victim_id,
                    msgspec.convert(consent, ConsentCreate),
                    gate,
                )
                p.consents += 1
            allocated = idva is not None and n % 2 == 0
            body = {
                "area": p.area,
                "victim_id": victim_id,
                "perpetrator_id": perpetrator_id,
                "incident_on": today - timedelta(days=2 + n % 5),
                "checklist_version": CHECKLIST,
                "answers": answers(14 + n % 6),
                "police_incidents": [],
                "victim_aware": True,
                "consent_given": recipients is not None,
                "idva_allocated": allocated,
                "idva_agency_id": idva if allocated else None,
                "summary": narrative(rng, REFERRAL_LINES, victim, perpetrator, None, 900, today),
            }
            referral = await marac.refer(db, officer, msgspec.convert(body, ReferralCreate), gate)
            screened = Screening(outcome="accepted")
            await marac.take_step(
                db, coordinator, referral, referral.version, "screen", screened, gate
            )
            await marac.take_step(
                db,
                coordinator,
                referral,
                referral.version,
                "list",
                Listing(meeting_on=meeting_day),
                gate,
            )
            made.append(Case(victim, perpetrator))
    return made


async def arrange_meeting(
    s: Services, p: Partnership, coordinator: Principal, chair: Principal, starts_at: datetime
) -> None:
    async with s.sessions() as db, db.begin():
        data = MeetingCreate(
            meeting_type=MeetingType.MARAC,
            area=p.area,
            starts_at=starts_at,
            venue=f"{p.area} Police headquarters, conference room 2",
            chair_id=chair.id,
            agencies=list(p.agency_ids),
            # Each agency's practitioner attends, and reads the pack.
            attendees=[member.practitioner.id for member in p.staff],
        )
        meeting = await service.arrange(db, coordinator, data, s.gate())
        await agenda.build(db, coordinator, meeting, meeting.version, s.gate())
        p.meeting_id = meeting.id


async def prepare(s: Services, p: Partnership, cases: list[Case]) -> None:
    """Every agency contributes on every case and acknowledges the statement;
    every fourth contribution names someone the contributing agency holds."""
    rng = random.Random(SEED + 1)
    gate = s.gate()
    today = gate.today
    async with s.sessions() as db, db.begin():
        meeting = await db.get(Meeting, p.meeting_id)
        assert meeting is not None
        items = await items_of(db, meeting)
        assert len(items) == len(cases), (len(items), len(cases))
        text = statements.statement(meeting.statement_code, meeting.statement_version)
        for a, member in enumerate(p.staff):
            actor = member.practitioner
            for n, (item, case) in enumerate(zip(items, cases, strict=True)):
                links: list[dict[str, Any]] = []
                other = None
                if a != p.police and (a + n) % 4 == 0:
                    other = fictional(5000 + 100 * a + n)
                    role = OTHER_ROLES[(a + n) % len(OTHER_ROLES)]
                    links.append(
                        {
                            "subject_id": await new_subject(db, s, actor, role, other),
                            "role": role.value,
                        }
                    )
                    p.subjects_in_contributions += 1
                body = {
                    "known_to_agency": (a + n) % 5 != 0,
                    "last_contact_on": today - timedelta(days=1 + (a * n) % 40),
                    "risks": rng.sample(RISKS, 1 + (a + n) % 4),
                    "information": narrative(
                        rng,
                        CONTRIBUTION_LINES,
                        case.victim,
                        case.perpetrator,
                        other,
                        500 + 80 * ((a + n) % 6),
                        today,
                    ),
                    "subjects": links,
                }
                await contribute(
                    db,
                    actor,
                    meeting,
                    item,
                    msgspec.convert(body, ContributionIn),
                    None,
                    gate,
                )
                p.contributions += 1
            await service.acknowledge(
                db, actor, meeting, Acknowledging(statement_sha256=text.sha256), gate
            )


async def set_up(s: Services, agencies: int, cases: int) -> Partnership:
    p, chair, coordinator = await make_agencies(s, agencies)
    protocol_id = await sign_protocol(s, p)
    day = local_today() + timedelta(days=1)
    starts_at = datetime.combine(day, clock(10, 0), tzinfo=LOCAL_TIME)
    made = await refer_cases(s, p, coordinator, protocol_id, cases, day)
    await arrange_meeting(s, p, coordinator, chair, starts_at)
    await prepare(s, p, made)
    return p


# --- what is measured ------------------------------------------------------------------------


async def one_pack(s: Services, actor: Principal, meeting_id: uuid.UUID, db: AsyncSession) -> Pack:
    """As GET /api/meetings/{id}/pack does it."""
    meeting = await service.get_meeting(db, actor, meeting_id)
    await service.require_acknowledged(db, actor, meeting)
    return await build_pack(db, actor, meeting, s.gate())


async def packs(s: Services, p: Partnership) -> tuple[list[bytes], Pack]:
    bodies, last = [], None
    for member in p.staff:
        async with s.sessions() as db, db.begin():
            last = await one_pack(s, member.practitioner, p.meeting_id, db)
            bodies.append(render_json(last))
    assert last is not None
    return bodies, last


# The pack's shape with plain strings: a view the gate did not build cannot be
# made of the gated views themselves, which refuse raw text.
class BareContribution(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    version: int
    agency_id: uuid.UUID
    agency_name: str
    known_to_agency: bool
    last_contact_on: date | None
    risks: list[str]
    information: str | None
    people: list[PersonView]


class BareCase(msgspec.Struct, kw_only=True):
    item_id: uuid.UUID
    position: int
    reference: str
    source: str
    source_id: uuid.UUID
    holder_agency_id: uuid.UUID | None
    withheld: str | None
    people: list[PersonView]
    texts: dict[str, str | None]
    facts: dict[str, str]
    contributions: list[BareContribution]


class BarePack(msgspec.Struct, kw_only=True):
    meeting_id: uuid.UUID
    meeting: str
    area: str
    starts_at: datetime
    venue: str
    agency_id: uuid.UUID
    agency_name: str
    generated_at: datetime
    marking: str
    statement_title: str
    statement_version: int
    statement: str
    cases: list[BareCase]


async def bare_pack(
    s: Services, actor: Principal, meeting_id: uuid.UUID, db: AsyncSession
) -> BarePack:
    """The same material as the agency's pack, decrypted and in the same shape,
    with everyone shown in full: no engine, no redaction, no disclosures."""
    meeting = await db.get(Meeting, meeting_id)
    assert meeting is not None
    names = await agency_names(db)
    everything = frozenset(IDENTITY_FIELDS)
    cases = []
    for item in await items_of(db, meeting):
        material = await material_of(db, item.source, item.source_id, s.gate())
        assert material is not None
        contributions = list(
            await db.scalars(
                select(Contribution)
                .where(Contribution.item_id == item.id)
                .order_by(Contribution.created_at, Contribution.id)
            )
        )
        subjects: dict[uuid.UUID, tuple[Subject, SubjectRole]] = {
            s_.subject.id: (s_.subject, s_.role) for s_ in material.subjects
        }
        for contribution in contributions:
            for link in contribution.subjects:
                if link.subject_id not in subjects and (
                    found := await db.get(Subject, link.subject_id)
                ):
                    subjects[link.subject_id] = (found, SubjectRole(link.role))
        letters = pseudonyms([(i, role) for i, (_, role) in subjects.items()])
        people = {
            i: person_view(
                SubjectInView(
                    subject_id=i,
                    role=role,
                    kind=subject.kind,
                    identity=unseal(subject, s.cipher),
                    shown=everything,
                ),
                letters[i],
            )
            for i, (subject, role) in subjects.items()
        }
        cases.append(
            BareCase(
                item_id=item.id,
                position=item.position,
                source=item.source,
                source_id=item.source_id,
                reference=material.reference,
                holder_agency_id=material.holder_agency_id,
                withheld=None,
                people=[people[s_.subject.id] for s_ in material.subjects],
                texts=dict(material.texts),
                facts=material.facts,
                contributions=[
                    BareContribution(
                        id=c.id,
                        version=c.version,
                        agency_id=c.agency_id,
                        agency_name=names.get(c.agency_id, ""),
                        known_to_agency=c.known_to_agency,
                        last_contact_on=c.last_contact_on,
                        risks=list(c.risks),
                        information=open_field(s.cipher, c, "information"),
                        people=[people[link.subject_id] for link in c.subjects],
                    )
                    for c in contributions
                ],
            )
        )
    text = statements.statement(meeting.statement_code, meeting.statement_version)
    return BarePack(
        meeting_id=meeting.id,
        meeting=kind_of(meeting).name,
        area=meeting.area,
        starts_at=meeting.starts_at,
        venue=open_field(s.cipher, meeting, "venue") or "",
        agency_id=actor.agency_id,
        agency_name=names.get(actor.agency_id, ""),
        generated_at=utcnow(),
        marking=MARKING,
        statement_title=text.title,
        statement_version=text.version,
        statement=text.text.strip(),
        cases=cases,
    )


async def baseline(s: Services, p: Partnership) -> list[bytes]:
    bodies = []
    for member in p.staff:
        async with s.sessions() as db, db.begin():
            pack = await bare_pack(s, member.practitioner, p.meeting_id, db)
            bodies.append(encode_json(pack))
    return bodies


async def count(s: Services, table: type[Any]) -> int:
    async with s.sessions() as db:
        return await db.scalar(select(func.count()).select_from(table)) or 0


async def timed(work: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = await work
    return time.perf_counter() - start, result


async def run(url: str, agencies: int, cases: int, render: bool, profile: int) -> None:
    await reset_database(url)
    await migrate(url)
    engine = create_engine(url)
    s = services_for(url, create_session_factory(engine))
    try:
        p = await set_up(s, agencies, cases)

        # Warm up both paths (imports, caches, prepared statements); the pack
        # is rolled back so that it leaves no disclosures behind.
        async with s.sessions() as db:
            async with db.begin():
                await bare_pack(s, p.staff[-1].practitioner, p.meeting_id, db)
            transaction = await db.begin()
            await one_pack(s, p.staff[-1].practitioner, p.meeting_id, db)
            await transaction.rollback()

        disclosures, entries = await count(s, Disclosure), await count(s, LedgerEntry)
        bare_seconds, bare_bodies = await timed(baseline(s, p))
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        pack_seconds, (bodies, last) = await timed(packs(s, p))
        if profiler:
            profiler.disable()
        disclosures = await count(s, Disclosure) - disclosures
        entries = await count(s, LedgerEntry) - entries
    finally:
        await engine.dispose()

    n = len(p.staff)
    print(
        f"database: {engine.dialect.name}, agencies: {n}, cases: {cases}, "
        f"contributions: {p.contributions}, subjects: "
        f"{p.subjects_in_referrals + p.subjects_in_contributions} "
        f"({p.subjects_in_referrals} in referrals, {p.subjects_in_contributions} in "
        f"contributions), victims' consents: {p.consents}"
    )
    print(
        f"pack JSON: mean {sum(map(len, bodies)) // n:,} bytes "
        f"(baseline {sum(map(len, bare_bodies)) // n:,}); the packs wrote "
        f"{disclosures:,} disclosures and {entries:,} ledger entries"
    )
    print(
        "people named / in the pack: "
        + ", ".join(f"{code} {_named(body)}" for code, body in zip(p.codes, bodies, strict=True))
    )
    figures = [
        ("baseline (same material decrypted, all shown, JSON)", bare_seconds, ""),
        (
            "packs (build_pack + JSON, a transaction each)",
            pack_seconds,
            f"  ratio {bare_seconds / pack_seconds:.3f}",
        ),
    ]
    for label, seconds, ratio in figures:
        print(f"{label:<52} {seconds:7.3f} s {1000 * seconds / n:8.1f} ms/pack{ratio}")
    if render:
        start = time.perf_counter()
        html = render_html(last).encode()
        html_seconds = time.perf_counter() - start
        start = time.perf_counter()
        pdf = render_pdf(last)
        pdf_seconds = time.perf_counter() - start
        print(
            f"one pack ({last.agency_name}) rendered: HTML {html_seconds:.3f} s "
            f"({len(html):,} bytes), PDF {pdf_seconds:.3f} s ({len(pdf):,} bytes)"
        )
    if profiler:
        print(f"\nthe packs phase under cProfile (slower than timed above), top {profile}:")
        stats = pstats.Stats(profiler, stream=sys.stdout).strip_dirs()
        stats.sort_stats("cumulative").print_stats(profile)
        stats.sort_stats("tottime").print_stats(profile)


def _named(body: bytes) -> str:
    """People shown by name / people in the pack, counting each once."""
    pack = msgspec.json.decode(body)
    people = {
        person["subject_id"]: person["name"] is not None
        for case in pack["cases"]
        for person in [*case["people"], *(p for c in case["contributions"] for p in c["people"])]
    }
    return f"{sum(people.values())}/{len(people)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--agencies", type=int, default=12)
    parser.add_argument("--database-url")
    parser.add_argument("--no-render", action="store_true", help="leave out HTML and PDF")
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    args = parser.parse_args()
    if args.agencies < 2 or args.cases < 1:
        parser.error("at least 2 agencies and 1 case")
    with tempfile.TemporaryDirectory() as scratch:
        url = normalise_database_url(args.database_url or f"sqlite:///{scratch}/bench.db")
        asyncio.run(run(url, args.agencies, args.cases, not args.no_render, args.profile))


if __name__ == "__main__":
    main()
