"""Loading the demo partnership: the tables of ``partnership.py`` walked in time
order, every step taken by the member of staff the table names, through the
hub's own services, as the API would take it.

Each step runs at its own moment (the gate's clock set to it: a backdated
step, as ``GateContext.at`` allows), so that a report received fourteen days
ago and never answered is past its target today, a consent given last year has
expired, a meeting arranged last month could be held, and the ledger's events
come in the order they happened. Before each step the loader checks that the
member of staff's roles allow the route's action under ``policies/`` (as the
route's guard would), and looks records up as the route would (a MARAC
referral through ``get_referral``, a meeting through ``get_meeting``), so the
demo cannot hold anything the API would refuse. Every audit event goes into
the real ledger; a signed checkpoint closes the load.

Idempotent: staff are signed in once; each protocol is matched on its title;
the people and cases are loaded only where the demo's agencies hold nobody yet.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TypeVar

import msgspec
from faker import Faker
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sharehub.access.policy import default_policies_dir, read_policy_lines
from sharehub.access.roles import Role
from sharehub.agencies.models import Agency
from sharehub.audit.checkpoints import CheckpointSigner
from sharehub.audit.events import MemorySink
from sharehub.audit.ledger import Ledger, checkpoint_now
from sharehub.calendar import LOCAL_TIME, is_working_day, local_today
from sharehub.config import Settings
from sharehub.crypto import BlindIndex, FieldCipher
from sharehub.demo import partnership as data
from sharehub.demo.partnership import HELD, NEXT, TODAY, When
from sharehub.demo.staff import (
    COUNTY,
    DEMO_AGENCIES,
    DEMO_STAFF,
    DISTRICT,
    IG_POSTS,
    SEED,
    STAFF_NUMBER,
)
from sharehub.disclosure.context import GateContext
from sharehub.files import EncryptedFiles
from sharehub.identity.models import User
from sharehub.identity.principal import Principal
from sharehub.identity.service import held, roles_of
from sharehub.meetings import actions, agenda, minutes, preparation
from sharehub.meetings import service as meetings
from sharehub.meetings.cases import MeetingContext
from sharehub.meetings.models import Action, Meeting
from sharehub.meetings.schemas import (
    Acknowledging,
    ActionProgress,
    ContributionIn,
    MeetingCreate,
    MinutesIn,
)
from sharehub.privacy import consent as consents
from sharehub.privacy import decisions, reading, subjects
from sharehub.privacy.identifiers import nhs_check_digit
from sharehub.privacy.models import Subject
from sharehub.privacy.schemas import (
    ConsentCreate,
    IdentityIn,
    OverrideCreate,
    SharingDecisionCreate,
    SubjectCreate,
    WithdrawalCreate,
)
from sharehub.protocols import service as protocols
from sharehub.protocols.engine import SubjectRole
from sharehub.protocols.gateways import DEFAULT_FILE as DEFAULT_GATEWAYS_FILE
from sharehub.protocols.gateways import load_gateway_rules
from sharehub.protocols.models import Protocol, ProtocolVersion
from sharehub.protocols.schemas import PartiesInvite, ProtocolCreate
from sharehub.protocols.terms import PartyRole
from sharehub.referrals.asb import attachments, cases, evidence
from sharehub.referrals.asb import service as asb
from sharehub.referrals.asb.attachment_schemas import AttachmentIn
from sharehub.referrals.asb.case_schemas import (
    ActionPlan,
    CaseCreate,
    CaseDisclosureIn,
    ContactIn,
    InterventionIn,
)
from sharehub.referrals.asb.models import AsbCase as AsbCaseRecord
from sharehub.referrals.asb.models import AsbReport
from sharehub.referrals.asb.risk_tool import risk_tools
from sharehub.referrals.asb.schemas import (
    Assessment,
    Closure,
    FirstResponse,
    PoliceReport,
    Reopening,
    ReportCreate,
    Triage,
)
from sharehub.referrals.case_review import bodies, procedures
from sharehub.referrals.case_review import service as case_reviews
from sharehub.referrals.case_review.models import CaseReview
from sharehub.referrals.case_review.schemas import (
    Acknowledgement,
    ApplicantTold,
    ApplicationIn,
    ClosureIn,
    DiscretionaryDecision,
    InformationRequestIn,
    InformationResponseIn,
    OutcomeIn,
    ProcedureIn,
    RecommendationResponseIn,
    ReviewMeeting,
)
from sharehub.referrals.mappa import service as mappa
from sharehub.referrals.mappa.arrangements import default_arrangements
from sharehub.referrals.mappa.models import MappaReferral
from sharehub.referrals.mappa.schemas import Invitation, LevelDecisionIn
from sharehub.referrals.mappa.schemas import ReferralCreate as MappaReferralCreate
from sharehub.referrals.marac import service as marac
from sharehub.referrals.marac.checklists import checklists
from sharehub.referrals.marac.schemas import Closure as MaracClosure
from sharehub.referrals.marac.schemas import Listing, Screening
from sharehub.referrals.marac.schemas import ReferralCreate as MaracReferralCreate

Progress = Callable[[str], None]
CHECKLIST = "safelives-dash-2009"
TOWNS = ("Harrowmere", "Fernvale", "Kestrel Cross", "Lowbrook Green", "Marden Hythe")
# Letters Royal Mail uses in the inward part of a postcode.
INWARD = "ABDEFGHJLNPQRSTUWXYZ"


T = TypeVar("T")


def body(struct: type[T], /, **fields: object) -> T:
    """A request body as the route would decode it: every constraint checked."""
    return msgspec.convert(fields, struct)


@dataclass(order=True)
class Step:
    at: datetime
    order: int
    label: str = field(compare=False)
    run: Callable[[GateContext], Awaitable[None]] = field(compare=False)


def _nhs_number(fake: Faker) -> str:
    """In the 999 range, kept for testing and never issued (with a check digit)."""
    while True:
        first_nine = f"999{fake.random_int(0, 999_999):06d}"
        check = nhs_check_digit(first_nine)
        if check is not None:
            return first_nine + str(check)


def identities(seed: int = SEED) -> dict[str, IdentityIn]:
    """Every person of the demo, made up in the table's order from a fixed seed."""
    fake = Faker("en_GB")
    fake.seed_instance(seed + 2)
    made: dict[str, IdentityIn] = {}
    for number, person in enumerate(data.PEOPLE, start=1):
        first = fake.first_name_female() if person.sex == "f" else fake.first_name_male()
        last = fake.last_name()
        born = fake.date_between_dates(date(person.born[0], 1, 1), date(person.born[1], 12, 31))
        street = f"{fake.random_int(2, 160)} {fake.street_name()}"
        town = fake.random_element(TOWNS)
        postcode = (
            f"KX{fake.random_int(1, 9)} {fake.random_int(1, 9)}"
            f"{fake.random_element(INWARD)}{fake.random_element(INWARD)}"
        )
        mobile = f"07700 900{fake.random_int(0, 999):03d}"
        nhs = _nhs_number(fake) if person.nhs_number else None
        name = f"{first} {last}"
        if person.same_as is not None:
            name, born = made[person.same_as].name, made[person.same_as].date_of_birth
        child = person.role is SubjectRole.CHILD
        email = f"{name.replace(' ', '.')}{number}@example.org".lower().replace("'", "")
        made[person.key] = body(
            IdentityIn,
            name=name,
            date_of_birth=born,
            address=[street, town],
            postcode=postcode,
            phone=None if child else mobile,
            email=None if child else email,
            nhs_number=nhs,
        )
    return made


def _answers(yes: int) -> dict[str, str]:
    """The first ``yes`` DASH questions answered yes, the rest no, the last not known."""
    codes = checklists()[CHECKLIST].codes
    given = {code: "yes" if i < yes else "no" for i, code in enumerate(codes)}
    if yes < len(codes):
        given[codes[-1]] = "not_known"
    return given


def _governance_lead(code: str) -> str:
    """The handle of an agency's information governance lead, who signs for it."""
    for key, number in STAFF_NUMBER.items():
        agency, roles = DEMO_STAFF[number - 1]
        if agency == code and Role.INFORMATION_GOVERNANCE_LEAD in roles:
            return key
    raise LookupError(f"the demo's {code} has no information governance lead to sign for it")


DIARY_SHEET = """Diary sheet, week 1
Monday 07:40 - he was at the bus stop again and followed me to the shop.
Wednesday 07:45 - stood across the road watching until the bus came.
Friday 22:10 - knocked on my door twice; I did not answer.
"""


def _cctv_still() -> bytes:
    """A grey picture standing in for a camera's still (fictional, like the rest)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 180), (90, 96, 104))
    ImageDraw.Draw(image).rectangle((40, 60, 120, 170), fill=(60, 64, 70))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _allowed_roles(settings: Settings) -> dict[str, set[str]]:
    directory = Path(settings.policies_dir or default_policies_dir())
    allowed: dict[str, set[str]] = {}
    for role, kind, verb in read_policy_lines(directory / "policy.csv"):
        allowed.setdefault(f"{kind}:{verb}", set()).add(role)
    return allowed


class Partnership:
    """The demo's people and cases, loaded step by step in time order."""

    def __init__(
        self,
        db: AsyncSession,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        staff: dict[str, User],
        now: datetime,
    ) -> None:
        self.db, self.settings, self.now = db, settings, now
        self.today = local_today(now)
        self.users = staff
        self.signer = CheckpointSigner(settings.ledger_key, settings.public_url or "")
        # The hub's audit sink: the tamper-evident ledger (the log would repeat
        # every event of the load, so they go no further).
        ledger = Ledger(
            sessions,
            self.signer,
            checkpoint_every=settings.ledger_checkpoint_every,
            forward=MemorySink(),
        )
        self.gate = GateContext(
            FieldCipher(settings.field_keys),
            BlindIndex(settings.index_key),
            load_gateway_rules(settings.gateways_file or DEFAULT_GATEWAYS_FILE),
            ledger,
            now,
            self.today,
        )
        self.policy = _allowed_roles(settings)
        self.anchors = {
            TODAY: self.today,
            HELD: self._working_day(self.today - timedelta(days=data.HELD_DAYS_AGO), -1),
            NEXT: self._working_day(self.today + timedelta(days=data.NEXT_DAYS_AHEAD), 1),
        }
        self.actors: dict[str, Principal] = {}
        self.agencies: dict[str, Agency] = {}
        self.identities = identities()
        # How texts name each person: their name, with their title if they use one.
        self.names = {
            person.key: " ".join(filter(None, (person.title, self.identities[person.key].name)))
            for person in data.PEOPLE
        }
        self.people: dict[str, uuid.UUID] = {}
        self.protocols: dict[str, uuid.UUID] = {}
        self.reports: dict[str, uuid.UUID] = {}
        self.asb_cases: dict[str, uuid.UUID] = {}
        self.referrals: dict[str, uuid.UUID] = {}
        self.meetings: dict[str, uuid.UUID] = {}
        self.items: dict[tuple[str, str], uuid.UUID] = {}  # (meeting, case) -> agenda item
        self.actions: dict[str, uuid.UUID] = {}
        self.mappa_referrals: dict[str, uuid.UUID] = {}
        self.reviews: dict[str, uuid.UUID] = {}
        self.steps: list[Step] = []

    # --- time -------------------------------------------------------------------------------

    @staticmethod
    def _working_day(day: date, direction: int) -> date:
        while not is_working_day(day):
            day += timedelta(days=direction)
        return day

    def day(self, when: When) -> date:
        return self.at(when).astimezone(LOCAL_TIME).date()

    def at(self, when: When) -> datetime:
        if when.minutes_ago is not None:
            return self.now - timedelta(minutes=when.minutes_ago)
        day = self.anchors[when.anchor] + timedelta(days=when.days)
        moment = datetime.combine(day, time.fromisoformat(when.time), tzinfo=LOCAL_TIME)
        return moment.astimezone(self.now.tzinfo)

    def add(self, when: When, label: str, run: Callable[[GateContext], Awaitable[None]]) -> None:
        self.steps.append(Step(self.at(when), len(self.steps), label, run))

    # --- who acts -------------------------------------------------------------------------------

    async def prepare(self) -> None:
        self.agencies = {a.short_code: a for a in await self.db.scalars(select(Agency))}
        for key, user in self.users.items():
            self.actors[key] = Principal(
                kind="user",
                id=user.id,
                agency_id=user.agency_id,
                roles=held(await roles_of(self.db, user.id)),
            )

    def actor(self, who: str, action: str) -> Principal:
        """The member of staff, if the policy lets their roles take the route's action
        (in their own agency's domain, or hub-wide), as the route's guard would."""
        actor = self.actors[who]
        allowed = self.policy.get(action, set())
        if not any(
            r.role in allowed and r.agency_id in (None, actor.agency_id) for r in actor.roles
        ):
            raise RuntimeError(f"the demo's {who} may not {action}: the demo's staff need a role")
        return actor

    def agency_id(self, code: str) -> uuid.UUID:
        return self.agencies[code].id

    def text(self, template: str) -> str:
        return template.format_map(self.names)

    # --- protocols ------------------------------------------------------------------------------

    async def existing_protocols(self) -> dict[str, uuid.UUID]:
        titles = {case.title: case.key for case in data.PROTOCOLS}
        rows = await self.db.execute(
            select(ProtocolVersion.title, ProtocolVersion.protocol_id).where(
                ProtocolVersion.title.in_(titles)
            )
        )
        return {titles[title]: protocol_id for title, protocol_id in rows}

    def plan_protocol(self, case: data.ProtocolCase) -> None:
        db = self.db
        drafter = case.drafted_by

        async def draft(gate: GateContext) -> None:
            actor = self.actor(drafter, "protocol:draft")
            created = body(
                ProtocolCreate,
                title=case.title,
                review_date=self.today + timedelta(days=case.review_in_days),
                purposes=[
                    {
                        "purpose": case.purpose,
                        "gateways": list(case.gateways),
                        "categories": [
                            {
                                "category": c.category,
                                "article6": c.article6,
                                "schedule1": c.schedule1,
                                "retention_days": c.retention_days,
                            }
                            for c in case.categories
                        ],
                    }
                ],
                parties=[
                    {
                        "agency_id": actor.agency_id,
                        "role": PartyRole.CONTROLLER,
                        "article6": case.drafter_article6,
                    }
                ],
                security=case.security,
                onward_sharing=case.onward_sharing,
                dpia_reference=case.dpia,
            )
            protocol = await protocols.create_protocol(db, actor, created, gate.rules)
            self.protocols[case.key] = protocol.id
            await self.protocol_changed(protocol, actor, "drafted", gate)

        async def invite(gate: GateContext) -> None:
            actor = self.actor(drafter, "protocol:draft")
            protocol = await protocols.get_protocol(db, actor, self.protocols[case.key])
            invites = body(
                PartiesInvite,
                parties=[
                    {
                        "agency_id": self.agency_id(party.code),
                        "role": party.role,
                        "article6": party.article6,
                        "on_behalf_of": self.agency_id(party.on_behalf_of)
                        if party.on_behalf_of
                        else None,
                        "co_opted_for_case_reviews": party.co_opted_for_case_reviews,
                    }
                    for party in case.invited
                ],
            )
            protocol = await protocols.invite_parties(
                db, actor, protocol.id, invites.parties, protocol.version, gate.rules
            )
            await self.protocol_changed(protocol, actor, "parties_invited", gate)

        async def submit(gate: GateContext) -> None:
            actor = self.actor(drafter, "protocol:draft")
            protocol = await protocols.get_protocol(db, actor, self.protocols[case.key])
            protocol = await protocols.submit_for_signature(
                db, actor, protocol.id, protocol.version, now=gate.now
            )
            await self.protocol_changed(protocol, actor, "submitted", gate)

        def signing(code: str) -> Callable[[GateContext], Awaitable[None]]:
            lead = _governance_lead(code)

            async def sign(gate: GateContext) -> None:
                actor = self.actor(lead, "protocol:sign")
                protocol = await protocols.get_protocol(db, actor, self.protocols[case.key])
                protocol = await protocols.sign(
                    db, actor, protocol.id, IG_POSTS[code], protocol.version, now=gate.now
                )
                await self.protocol_changed(protocol, actor, "signed", gate)

            return sign

        start = case.drafted

        def later(days: int, at: str) -> When:
            return When(start.days + days, at, start.anchor)

        self.add(start, f"draft the {case.key} protocol", draft)
        self.add(later(0, "10:30"), f"invite parties to {case.key}", invite)
        self.add(later(2, "10:00"), f"submit {case.key}", submit)
        drafter_code = DEMO_STAFF[STAFF_NUMBER[drafter] - 1][0]
        signatories = [drafter_code] + [party.code for party in case.invited]
        for i, code in enumerate(signatories):
            self.add(later(3 + i, "11:00"), f"{code} signs {case.key}", signing(code))

    async def protocol_changed(
        self, protocol: Protocol, actor: Principal, step: str, gate: GateContext
    ) -> None:
        """As the protocol routes record every change."""
        event = protocols.change_event(protocol, actor, step, gate.now)
        await gate.audit.record(event, db=self.db)

    # --- people, consent, decisions, overrides ----------------------------------------------------

    def plan_person(self, person: data.Person) -> None:
        if not person.recorded:
            return

        async def record(gate: GateContext) -> None:
            actor = self.actor(person.by, "subject:create")
            created = SubjectCreate(
                kind="person", role=person.role, identity=self.identities[person.key]
            )
            view = await subjects.create_subject(self.db, actor, created, gate)
            self.people[person.key] = view.id

        self.add(person.when, f"record {person.key}", record)

    def plan_consent(self, case: data.ConsentCase) -> None:
        found: dict[str, uuid.UUID] = {}  # the receipt, once recorded

        async def record(gate: GateContext) -> None:
            actor = self.actor(case.by, "consent:record")
            given = body(
                ConsentCreate,
                purposes=list(case.purposes),
                recipients={
                    "agencies": [self.agency_id(code) for code in case.agencies],
                    "protocols": [self.protocols[key] for key in case.protocols],
                },
                categories=list(case.categories),
                how_given=case.how,
                evidence_note=case.evidence,
                given_at=gate.now,
                expires_at=self.at(case.expires) if case.expires else None,
            )
            view = await consents.record_consent(
                self.db, actor, self.people[case.person], given, gate
            )
            found["id"] = view.id

        async def withdraw(gate: GateContext) -> None:
            actor = self.actor(case.by, "consent:withdraw")
            withdrawal = body(WithdrawalCreate, how="verbal", note=case.withdrawal_note)
            await consents.withdraw_consent(
                self.db, actor, self.people[case.person], found["id"], withdrawal, gate
            )

        self.add(case.given, f"consent of {case.person}", record)
        if case.withdrawn is not None:
            self.add(case.withdrawn, f"{case.person} withdraws consent", withdraw)

    def plan_sharing_decision(self, case: data.SharingDecisionCase) -> None:
        async def decide(gate: GateContext) -> None:
            actor = self.actor(case.by, "sharing-decision:record")
            decision = body(
                SharingDecisionCreate,
                purpose=case.purpose,
                recipients={"protocols": [self.protocols[key] for key in case.protocols]},
                categories=list(case.categories),
                legal_basis=case.legal_basis,
                reasons=case.reasons,
                source_kind="marac_referral" if case.referral else None,
                source_id=self.referrals[case.referral] if case.referral else None,
                expires_at=self.at(case.expires) if case.expires else None,
            )
            await decisions.record_sharing_decision(
                self.db, actor, self.people[case.person], decision, gate
            )

        self.add(case.when, f"sharing decision on {case.person}", decide)

    def plan_override(self, case: data.OverrideCase) -> None:
        async def override(gate: GateContext) -> None:
            actor = self.actor(case.by, "identity:override")
            wanted = body(
                OverrideCreate,
                purpose=case.purpose,
                justification=case.justification,
                minutes=case.minutes,
            )
            subject = await self.db.get(Subject, self.people[case.person])
            if subject is None or subject.holding_agency_id == actor.agency_id:
                raise RuntimeError("an override is of a person another agency holds")
            # As the route: only where a protocol in force connects the agencies.
            subject = await reading.reachable_subject(
                self.db, gate, actor, subject.id, wanted.purpose
            )
            await decisions.record_override(self.db, actor, subject, wanted, gate)

        self.add(case.when, f"safeguarding override on {case.person}", override)

    # --- ASB reports --------------------------------------------------------------------------------

    def plan_asb_report(self, case: data.AsbCase) -> None:
        db = self.db

        async def current(who: str) -> tuple[Principal, AsbReport]:
            actor = self.actor(who, "asb-report:update")
            return actor, await asb.get_report(db, actor, self.reports[case.key])

        async def log(gate: GateContext) -> None:
            actor = self.actor(case.by, "asb-report:create")
            report = body(
                ReportCreate,
                channel=case.channel,
                received_at=gate.now,
                incident_on=gate.today - timedelta(days=1),
                category=case.category,
                perceived_motivation=case.motivation,
                place=case.place,
                narrative=self.text(case.narrative),
                subjects=[
                    {"subject_id": self.people[key], "role": role} for key, role in case.people
                ],
            )
            self.reports[case.key] = (await asb.log_report(db, actor, report, gate)).id

        async def triage(gate: GateContext) -> None:
            assert case.triaged is not None
            actor, report = await current(case.by)
            _, outcome, codes = case.triaged
            decided = body(
                Triage,
                outcome=outcome,
                definitions=list(codes) if outcome == "asb" else [],
                matter=codes[0] if outcome == "not_asb" else None,
                complainant_told_on=gate.today if outcome == "not_asb" else None,
            )
            await asb.triage(db, actor, report.id, report.version, decided, gate)

        async def assess(gate: GateContext) -> None:
            assert case.assessed is not None
            actor, report = await current(case.by)
            if case.risk_yes is None:
                harm = body(Assessment, harm_level=case.assessed[1])
            else:
                questions = risk_tools().in_use().question
                harm = body(
                    Assessment,
                    answers={q.code: "yes" if q.code in case.risk_yes else "no" for q in questions},
                    harm_level=case.assessed[1],
                )
            await asb.assess(db, actor, report.id, report.version, harm, gate)

        async def report_to_police(gate: GateContext) -> None:
            actor, report = await current(case.by)
            told = body(
                PoliceReport,
                reported_on=gate.today,
                reported_to="Kestrelshire Constabulary on 101",
            )
            await asb.report_to_police(db, actor, report.id, report.version, told, gate)

        async def respond(gate: GateContext) -> None:
            actor, report = await current(case.by)
            await asb.respond(db, actor, report.id, report.version, FirstResponse(), gate)

        async def close(gate: GateContext) -> None:
            assert case.closed is not None
            actor, report = await current(case.by)
            closure = body(Closure, reason=case.closed[1], complainant_told_on=gate.today)
            await asb.close(db, actor, report.id, report.version, closure, gate)

        async def reopen(gate: GateContext) -> None:
            assert case.reopened is not None
            actor, report = await current(case.by)
            change = body(Reopening, material_change=case.reopened[1])
            await asb.reopen(db, actor, report.id, report.version, change, gate)

        if case.case is not None:
            self.plan_asb_case(case)
        self.add(case.received, f"ASB report {case.key}", log)
        if case.triaged:
            self.add(case.triaged[0], f"triage {case.key}", triage)
        if case.assessed:
            self.add(case.assessed[0], f"assess {case.key}", assess)
        if case.reported_to_police:
            self.add(
                case.reported_to_police, f"{case.key} reported to the police", report_to_police
            )
        if case.responded:
            self.add(case.responded, f"respond to {case.key}", respond)
        if case.closed:
            self.add(case.closed[0], f"close {case.key}", close)
        if case.reopened:
            self.add(case.reopened[0], f"reopen {case.key}", reopen)

    def plan_asb_case(self, report_case: data.AsbCase) -> None:
        """A case opened from the report and worked to its plan: a visit, then a
        contact with the complainant as agreed."""
        assert report_case.case is not None
        opened, agreed, visited, contacted = report_case.case
        db, key = self.db, f"case {report_case.key}"

        async def current(gate: GateContext) -> tuple[Principal, AsbCaseRecord]:
            actor = self.actor(report_case.by, "asb-report:update")
            return actor, await cases.get_case(db, actor, self.asb_cases[report_case.key])

        async def open_(gate: GateContext) -> None:
            actor = self.actor(report_case.by, "asb-report:create")
            made = body(CaseCreate, report_ids=[self.reports[report_case.key]])
            self.asb_cases[report_case.key] = (await cases.open_case(db, actor, made, gate)).id

        async def plan(gate: GateContext) -> None:
            actor, case = await current(gate)
            agreed_plan = body(
                ActionPlan,
                agreed_on=gate.today,
                contact_method="phone",
                contact_every_days=7,
                first_contact_on=gate.today + timedelta(days=2),
                actions=[
                    {"owner": "landlord", "what": "Visit the alleged perpetrator about the "
                     "behaviour and the tenancy conditions", "due_on": gate.today + timedelta(days=3)},
                    {"owner": "partner", "agency_id": self.agency_id("KPOL"),
                     "what": "Patrols at the bus stop in the mornings",
                     "due_on": gate.today + timedelta(days=14)},
                    {"owner": "complainant", "what": "Keep the diary sheets and ring 999 if he "
                     "threatens her", "due_on": gate.today + timedelta(days=28)},
                ],
            )  # fmt: skip
            await cases.agree_plan(db, actor, case.id, case.version, agreed_plan, gate)

        async def visit(gate: GateContext) -> None:
            actor, case = await current(gate)
            done = body(
                InterventionIn,
                kind="visit",
                on=gate.today,
                outcome="Visited; he denied following her but was told what the tenancy requires.",
            )
            await cases.record_intervention(db, actor, case.id, case.version, done, gate)

        async def attach(gate: GateContext) -> None:
            # A diary sheet in her words, and a still from the landlord's
            # camera (kept 30 days unless marked as evidence), both shareable.
            actor, case = await current(gate)
            files = EncryptedFiles(self.settings.attachments_path, gate.cipher)
            for name, content, what in (
                ("Diary sheet week 1.txt", DIARY_SHEET.encode(), AttachmentIn(
                    kind="diary_sheet", description="Kept by the complainant", shareable=True)),
                ("Bus stop camera.png", _cctv_still(), AttachmentIn(
                    kind="cctv_still", description="Camera 2, 07:40", shareable=True,
                    recorded_on=gate.today - timedelta(days=1))),
            ):  # fmt: skip
                upload = attachments.Upload(name, None, content)
                await attachments.attach(
                    db, actor, case, upload, what, gate, files, max_bytes=self.settings.attachment_max_bytes
                )  # fmt: skip

        async def tell(gate: GateContext) -> None:
            actor, case = await current(gate)
            told = body(
                CaseDisclosureIn,
                agency_id=self.agency_id("KPOL"),
                information="The tenant was visited and warned about following a neighbour to "
                "the bus stop; she keeps a diary. Please tell us of any call-outs.",
            )
            await evidence.tell_partner(db, actor, case.id, case.version, told, gate)

        async def contact(gate: GateContext) -> None:
            actor, case = await current(gate)
            spoken = body(
                ContactIn, on=gate.today, method="phone", note="She says it has been quieter."
            )
            await cases.record_contact(db, actor, case.id, case.version, spoken, gate)

        self.add(opened, f"open {key}", open_)
        self.add(agreed, f"agree the plan of {key}", plan)
        self.add(visited, f"visit in {key}", visit)
        self.add(visited, f"attachments in {key}", attach)
        self.add(visited, f"tell the police about {key}", tell)
        self.add(contacted, f"contact in {key}", contact)

    # --- MARAC referrals ----------------------------------------------------------------------------

    def plan_marac_referral(self, case: data.MaracCase) -> None:
        db = self.db

        async def refer(gate: GateContext) -> None:
            actor = self.actor(case.by, "marac-referral:create")
            made = body(
                MaracReferralCreate,
                area=COUNTY,
                victim_id=self.people[case.victim],
                perpetrator_id=self.people[case.perpetrator] if case.perpetrator else None,
                incident_on=gate.today - timedelta(days=1),
                checklist_version=CHECKLIST,
                answers=_answers(case.yes),
                police_incidents=[gate.today - timedelta(days=d) for d in case.police_incidents],
                professional_judgement=case.professional_judgement,
                victim_aware=True,
                consent_given=case.consent_given,
                idva_allocated=True,
                idva_agency_id=self.agency_id("SSDA"),
                summary=self.text(case.summary),
                household=[
                    {"subject_id": self.people[key], "role": role} for key, role in case.household
                ],
            )
            self.referrals[case.key] = (await marac.refer(db, actor, made, gate)).id

        def step(
            name: str, given: Screening | Listing | MaracClosure | None
        ) -> Callable[[GateContext], Awaitable[None]]:
            async def take(gate: GateContext) -> None:
                # As the route: the referral as the coordinator may see it, then the step.
                actor = self.actor(data.COORDINATOR, "marac-referral:coordinate")
                referral = await marac.get_referral(db, actor, self.referrals[case.key], gate)
                await marac.take_step(db, actor, referral, referral.version, name, given, gate)

            return take

        self.add(case.referred, f"MARAC referral {case.key}", refer)
        if case.screened:
            self.add(
                case.screened,
                f"screen {case.key}",
                step("screen", body(Screening, outcome="accepted")),
            )
        if case.listed:
            meeting_on = self.anchors[case.listed[1]]
            self.add(
                case.listed[0],
                f"list {case.key}",
                step("list", body(Listing, meeting_on=meeting_on)),
            )
        if case.actions_opened:
            self.add(case.actions_opened, f"open actions on {case.key}", step("open_actions", None))
        if case.closed:
            closure = body(MaracClosure, reason=case.closed[1])
            self.add(case.closed[0], f"close {case.key}", step("close", closure))

    # --- meetings -----------------------------------------------------------------------------------

    def plan_meeting(self, case: data.MeetingCase) -> None:
        db = self.db
        day = self.anchors[case.key]

        async def seen(who: str, action: str) -> tuple[Principal, Meeting]:
            actor = self.actor(who, action)
            return actor, await meetings.get_meeting(db, actor, self.meetings[case.key])

        async def arrange(gate: GateContext) -> None:
            actor = self.actor(case.by, "meeting:arrange")
            made = body(
                MeetingCreate,
                meeting_type="marac",
                area=COUNTY,
                starts_at=datetime.combine(day, time(10), tzinfo=LOCAL_TIME),
                venue=case.venue,
                chair_id=self.users[case.chair].id,
                agencies=[self.agency_id(code) for code in case.agencies],
                attendees=[self.users[who].id for who in case.attendees],
            )
            self.meetings[case.key] = (await meetings.arrange(db, actor, made, gate)).id

        def apologise(who: str) -> Callable[[GateContext], Awaitable[None]]:
            async def run(gate: GateContext) -> None:
                actor, meeting = await seen(who, "meeting:prepare")
                await meetings.send_apologies(db, actor, meeting, True, gate)

            return run

        def acknowledge(who: str) -> Callable[[GateContext], Awaitable[None]]:
            async def run(gate: GateContext) -> None:
                actor, meeting = await seen(who, "meeting:read")
                statement = await meetings.statement_for(db, actor, meeting)
                read = body(Acknowledging, statement_sha256=statement.sha256)
                await meetings.acknowledge(db, actor, meeting, read, gate)

            return run

        async def build(gate: GateContext) -> None:
            actor, meeting = await seen(case.by, "meeting:arrange")
            await meetings.require_acknowledged(db, actor, meeting)
            meeting = await agenda.build(db, actor, meeting, meeting.version, gate)
            by_referral = {referral_id: key for key, referral_id in self.referrals.items()}
            for item in await agenda.items_of(db, meeting):
                if item.source_id in by_referral:
                    self.items[(case.key, by_referral[item.source_id])] = item.id

        def contribute(given: data.Contribution) -> Callable[[GateContext], Awaitable[None]]:
            async def run(gate: GateContext) -> None:
                actor, meeting = await seen(given.by, "meeting:prepare")
                await meetings.require_acknowledged(db, actor, meeting)
                item = await preparation.item_of(db, meeting, self.items[(case.key, given.case)])
                prepared = body(
                    ContributionIn,
                    known_to_agency=given.known,
                    last_contact_on=(
                        gate.today - timedelta(days=given.last_contact)
                        if given.last_contact is not None
                        else None
                    ),
                    risks=list(given.risks),
                    information=self.text(given.information),
                )
                await preparation.contribute(db, actor, meeting, item, prepared, None, gate)

            return run

        async def hold(gate: GateContext) -> None:
            actor, meeting = await seen(case.by, "meeting:arrange")
            context = MeetingContext(actor=actor, meeting=meeting, gate=gate)
            meeting = await meetings.hold(db, actor, meeting, meeting.version, gate)
            await agenda.record_heard(db, meeting, context)

        async def write(gate: GateContext) -> None:
            assert case.minutes is not None
            actor, meeting = await seen(case.by, "meeting:minute")
            draft = body(
                MinutesIn,
                present=[self.agency_id(code) for code in case.minutes.present],
                entries=[
                    {
                        "item_id": self.items[(case.key, entry.case)],
                        "information": [
                            {"agency_id": self.agency_id(code), "text": self.text(said)}
                            for code, said in entry.information
                        ],
                        "risks": entry.risks,
                        "decisions": entry.decisions,
                        "actions": [
                            {
                                "owner_agency_id": self.agency_id(action.owner),
                                "description": action.description,
                                "due_on": self.day(action.due),
                            }
                            for action in entry.actions
                        ],
                    }
                    for entry in case.minutes.entries
                ],
            )
            await minutes.write_draft(db, actor, meeting, None, draft, gate)

        async def approve(gate: GateContext) -> None:
            assert case.minutes is not None
            actor, meeting = await seen(case.chair, "meeting:approve")
            latest = (await minutes.revisions(db, meeting))[-1]
            context = MeetingContext(actor=actor, meeting=meeting, gate=gate)
            await minutes.approve(db, meeting, latest.version, context)
            agreed = await db.scalars(select(Action).where(Action.meeting_id == meeting.id))
            found = {(a.item_id, a.owner_agency_id, a.due_on): a.id for a in agreed}
            for entry in case.minutes.entries:
                item = self.items[(case.key, entry.case)]
                for action in entry.actions:
                    owner = self.agency_id(action.owner)
                    self.actions[action.key] = found[(item, owner, self.day(action.due))]

        def progress(
            key: str, who: str, status: str, note: str
        ) -> Callable[[GateContext], Awaitable[None]]:
            async def run(gate: GateContext) -> None:
                actor = self.actor(who, "meeting-action:update")
                action, _ = await actions.get_action(db, actor, self.actions[key])
                update = body(ActionProgress, status=status, note=note)
                await actions.progress(db, actor, action, action.version, update, gate)

            return run

        self.add(case.arranged, f"arrange the {case.key} MARAC", arrange)
        for who, when in case.apologies:
            self.add(when, f"apologies from {who}", apologise(who))
        for who, when in case.acknowledged:
            self.add(when, f"{who} acknowledges the statement", acknowledge(who))
        self.add(case.agenda_built, f"build the {case.key} agenda", build)
        for given in case.contributions:
            self.add(given.when, f"{given.by} prepares {given.case}", contribute(given))
        if case.held:
            self.add(case.held, f"hold the {case.key} MARAC", hold)
        if case.minutes:
            self.add(case.minutes.drafted, "write the minutes", write)
            self.add(case.minutes.approved, "approve the minutes", approve)
            for entry in case.minutes.entries:
                for action in entry.actions:
                    for when, who, status, note in action.updates:
                        self.add(
                            when,
                            f"{who} updates {action.key}",
                            progress(action.key, who, status, note),
                        )

    # --- MAPPA ---------------------------------------------------------------------------------------

    def plan_mappa_referral(self, case: data.MappaCase) -> None:
        db = self.db

        def context(gate: GateContext) -> mappa.Context:
            return mappa.Context(gate=gate, arrangements=default_arrangements())

        async def deciding(
            who: str, gate: GateContext
        ) -> tuple[Principal, mappa.Context, MappaReferral]:
            actor, ctx = self.actor(who, "mappa-referral:decide"), context(gate)
            referral_id = self.mappa_referrals[case.key]
            return actor, ctx, await mappa.get_referral(db, actor, referral_id, ctx)

        async def refer(gate: GateContext) -> None:
            actor = self.actor(case.by, "mappa-referral:create")
            made = body(
                MappaReferralCreate,
                offender_subject_id=self.people[case.offender],
                area=COUNTY,
                category=case.category,
                proposed_level=case.proposed_level,
                proposed_level_reason=case.proposed_level_reason,
                summary=self.text(case.summary),
                visor_ref=case.visor_ref,
                pnc_id=case.pnc_id,
                crn=case.crn,
                people_at_risk=[
                    {"subject_id": self.people[key], "role": role}
                    for key, role in case.people_at_risk
                ],
            )
            referral = await mappa.refer(db, actor, made, context(gate))
            self.mappa_referrals[case.key] = referral.id

        async def accept(gate: GateContext) -> None:
            actor, ctx, referral = await deciding(case.accepted[1], gate)
            await mappa.accept(db, actor, referral.id, referral.version, ctx)

        async def agree(gate: GateContext) -> None:
            _, who, level, reason = case.level
            actor, ctx, referral = await deciding(who, gate)
            decided = body(LevelDecisionIn, level=level, reason=reason, decided_on=gate.today)
            await mappa.agree_level(db, actor, referral.id, referral.version, decided, ctx)

        async def invite(gate: GateContext) -> None:
            _, who, codes = case.invited
            actor, ctx, referral = await deciding(who, gate)
            invited = body(Invitation, agency_ids=[self.agency_id(code) for code in codes])
            await mappa.invite(db, actor, referral.id, referral.version, invited, ctx)

        self.add(case.referred, f"MAPPA referral {case.key}", refer)
        self.add(case.accepted[0], f"accept {case.key}", accept)
        self.add(case.level[0], f"agree the level of {case.key}", agree)
        self.add(case.invited[0], f"invite agencies to {case.key}", invite)

    # --- the ASB case reviews --------------------------------------------------------------------------

    def plan_case_review_procedure(self, case: data.ProcedureCase) -> None:
        async def set_procedure(gate: GateContext) -> None:
            actor = self.actor(case.by, "case-review-procedure:manage")
            given = body(ProcedureIn, escalation_route=case.escalation_route, source=case.source)
            await procedures.set_procedure(self.db, actor, case.area, given, None)

        self.add(case.when, f"set the {case.area} case review procedure", set_procedure)

    def plan_case_review(self, case: data.CaseReviewCase) -> None:
        db = self.db

        async def current(who: str, action: str, gate: GateContext) -> tuple[Principal, CaseReview]:
            actor = self.actor(who, action)
            return actor, await case_reviews.get_review(db, actor, self.reviews[case.key], gate)

        def complaint(given: data.Complaint) -> dict[str, object]:
            if given.report is not None:
                return {"asb_report_id": self.reports[given.report]}
            assert given.behaviour is not None and given.complained is not None
            return {
                "behaviour_on": self.today - timedelta(days=given.behaviour),
                "complained_on": self.today - timedelta(days=given.complained),
                "agency_id": self.agency_id(given.agency or ""),
            }

        async def apply(gate: GateContext) -> None:
            actor = self.actor(case.by, "case-review:create")
            representative = (
                {"name": self.names[case.representative], "relationship": case.relationship}
                if case.representative is not None
                else None
            )
            application = body(
                ApplicationIn,
                area=DISTRICT,
                received_on=self.today - timedelta(days=case.received),
                applicant_type="victim" if representative is None else "representative",
                victim_type="individual",
                victim_subject_id=self.people[case.victim],
                representative=representative,
                complaints=[complaint(c) for c in case.complaints],
                narrative=self.text(case.narrative),
            )
            self.reviews[case.key] = (await case_reviews.apply(db, actor, application, gate)).id

        async def acknowledge(gate: GateContext) -> None:
            actor, review = await current(case.coordinator, "case-review:manage", gate)
            done = body(Acknowledgement, acknowledged_on=gate.today)
            await case_reviews.acknowledge(db, actor, review.id, review.version, done, gate)

        async def decide(gate: GateContext) -> None:
            assert case.decision is not None
            actor, review = await current(case.coordinator, "case-review:manage", gate)
            decided = body(
                DiscretionaryDecision,
                decision=case.decision.decision,
                decided_on=gate.today,
                factors=[{"factor": f, "finding": found} for f, found in case.decision.factors],
                reasons=self.text(case.decision.reasons),
            )
            await case_reviews.decide(db, actor, review.id, review.version, decided, gate)

        def tell(of: str) -> Callable[[GateContext], Awaitable[None]]:
            async def run(gate: GateContext) -> None:
                actor, review = await current(case.coordinator, "case-review:manage", gate)
                told = body(ApplicantTold, of=of, told_on=gate.today)
                await case_reviews.tell_applicant(db, actor, review.id, review.version, told, gate)

            return run

        async def ask(gate: GateContext) -> None:
            assert case.information_requested is not None
            actor, review = await current(case.coordinator, "case-review:manage", gate)
            asked = body(
                InformationRequestIn,
                agencies=[self.agency_id(code) for code in case.information_requested[1]],
                requested_on=gate.today,
            )
            await case_reviews.request_information(
                db, actor, review.id, review.version, asked, gate
            )

        def answer(who: str, said: str) -> Callable[[GateContext], Awaitable[None]]:
            async def run(gate: GateContext) -> None:
                actor, review = await current(who, "case-review:respond", gate)
                request = next(
                    r for r in review.information_requests if r.agency_id == actor.agency_id
                )
                given = body(InformationResponseIn, response=said, responded_on=gate.today)
                await bodies.respond(db, actor, review.id, request.id, request.version, given, gate)

            return run

        async def hold(gate: GateContext) -> None:
            actor, review = await current(case.coordinator, "case-review:manage", gate)
            held = body(ReviewMeeting, held_on=gate.today)
            await case_reviews.hold_review(db, actor, review.id, review.version, held, gate)

        async def record_outcome(gate: GateContext) -> None:
            assert case.outcome is not None
            actor, review = await current(case.coordinator, "case-review:manage", gate)
            outcome = body(
                OutcomeIn,
                recorded_on=gate.today,
                summary=self.text(case.outcome.summary),
                recommendations=[
                    {"agency_id": self.agency_id(code), "recommendation": self.text(said)}
                    for code, said in case.outcome.recommendations
                ],
            )
            await case_reviews.record_outcome(db, actor, review.id, review.version, outcome, gate)

        def respond(who: str, said: str) -> Callable[[GateContext], Awaitable[None]]:
            async def run(gate: GateContext) -> None:
                actor, review = await current(who, "case-review:respond", gate)
                made = next(r for r in review.recommendations if r.agency_id == actor.agency_id)
                given = body(RecommendationResponseIn, response=said, responded_on=gate.today)
                await bodies.respond_to_recommendation(
                    db, actor, review.id, made.id, made.version, given, gate
                )

            return run

        async def close(gate: GateContext) -> None:
            actor, review = await current(case.coordinator, "case-review:manage", gate)
            closing = body(ClosureIn, closed_on=gate.today)
            await case_reviews.close(db, actor, review.id, review.version, closing, gate)

        self.add(case.recorded, f"case review {case.key}", apply)
        self.add(case.acknowledged, f"acknowledge {case.key}", acknowledge)
        if case.decision is not None:
            self.add(case.decision.when, f"decide on {case.key}", decide)
        self.add(case.told, f"tell the applicant of {case.key}", tell("threshold_decision"))
        if case.information_requested is not None:
            self.add(case.information_requested[0], f"ask the bodies for {case.key}", ask)
        for who, when, said in case.answers:
            self.add(when, f"{who} answers {case.key}", answer(who, said))
        if case.outcome is not None:
            outcome = case.outcome
            self.add(outcome.held, f"hold the review of {case.key}", hold)
            self.add(outcome.recorded, f"record the outcome of {case.key}", record_outcome)
            if outcome.told is not None:
                told = f"tell the applicant the outcome of {case.key}"
                self.add(outcome.told, told, tell("outcome"))
            for who, when, said in outcome.responses:
                self.add(when, f"{who} responds to {case.key}", respond(who, said))
        if case.closed is not None:
            self.add(case.closed, f"close {case.key}", close)

    # --- the whole ------------------------------------------------------------------------------------

    async def held_by_demo_agencies(self) -> int:
        codes = [code for code, *_ in DEMO_AGENCIES]
        return (
            await self.db.scalar(
                select(func.count())
                .select_from(Subject)
                .join(Agency, Agency.id == Subject.holding_agency_id)
                .where(Agency.short_code.in_(codes))
            )
            or 0
        )

    async def load(self, progress: Progress) -> None:
        await self.prepare()
        self.protocols = await self.existing_protocols()
        signing = [case for case in data.PROTOCOLS if case.key not in self.protocols]
        for case in data.PROTOCOLS:
            if case in signing:
                self.plan_protocol(case)
            else:
                progress(f"  protocol already present: {case.title}")
        present = await self.held_by_demo_agencies()
        if present:
            progress(f"  people and cases already present ({present} people held)")
        else:
            for person in data.PEOPLE:
                self.plan_person(person)
            for plan, rows in (
                (self.plan_consent, data.CONSENTS),
                (self.plan_sharing_decision, data.SHARING_DECISIONS),
                (self.plan_override, data.OVERRIDES),
                (self.plan_asb_report, data.ASB_REPORTS),
                (self.plan_marac_referral, data.MARAC_REFERRALS),
                (self.plan_meeting, data.MEETINGS),
                (self.plan_mappa_referral, data.MAPPA_REFERRALS),
                (self.plan_case_review_procedure, [data.CASE_REVIEW_PROCEDURE]),
                (self.plan_case_review, data.CASE_REVIEWS),
            ):
                for row in rows:
                    plan(row)  # type: ignore[operator]
        if not self.steps:
            return
        for step in sorted(self.steps):
            try:
                await step.run(self.gate.at(step.at))
            except Exception as failure:
                raise RuntimeError(f"the demo could not {step.label}: {failure}") from failure
        if signing:
            progress(
                f"  signed {len(signing)} information sharing protocols, each by every party's "
                "information governance lead"
            )
        if not present:
            self.report(progress, await self.held_by_demo_agencies())
        checkpoint = await checkpoint_now(self.db, self.signer, self.now)
        progress(f"  ledger: {checkpoint.tree_size} entries, signed in a checkpoint")

    def report(self, progress: Progress, people: int) -> None:
        upcoming = self.anchors[NEXT].strftime("%A %d %B %Y")
        progress(
            f"  recorded {people} people: consent given to some agencies, withdrawn, "
            "expired, about to expire, none; a sharing decision; an override awaiting review"
        )
        progress(
            f"  {len(data.ASB_REPORTS)} ASB reports at every stage, one past its response target; "
            f"{len(data.MARAC_REFERRALS)} MARAC referrals, one a repeat; "
            f"{len(data.MAPPA_REFERRALS)} MAPPA referral; {len(data.CASE_REVIEWS)} ASB case reviews "
            "(waiting for answers, declined below the threshold, and held with recommendations)"
        )
        progress(
            "  a MARAC held last month with approved minutes and overdue actions, "
            f"and the next on {upcoming} with its agenda and the agencies' preparation"
        )
