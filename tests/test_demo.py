"""`sharehub demo` loads a living partnership: on a database holding only the
old demo (agencies and sign-in), once, and a second time adding nothing; with
protocols every party signed, people in every consent state, cases at every
stage, meetings held and coming, and a ledger with a signed checkpoint."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conftest import empty_tables
from sharehub.access.models import RoleAssignment
from sharehub.access.roles import HUB_WIDE_ROLES, Role
from sharehub.agencies.models import Agency
from sharehub.agencies.service import create_agency
from sharehub.audit.checkpoints import CheckpointSigner
from sharehub.audit.models import Checkpoint, LedgerEntry, LedgerState
from sharehub.audit.verify import verify_ledger
from sharehub.calendar import local_today
from sharehub.config import Settings
from sharehub.crypto import FieldCipher
from sharehub.db.base import utcnow
from sharehub.db.engine import create_engine, create_session_factory
from sharehub.db.models import metadata
from sharehub.demo import DEMO_AGENCIES, DEMO_STAFF, demo_agencies, demo_staff, load_demo
from sharehub.demo.loader import identities
from sharehub.demo.staff import _register_dev_providers, sign_in_guide, sign_in_staff
from sharehub.identity.devprovider.server import user_claims
from sharehub.identity.login import sign_in_user
from sharehub.identity.models import IdentityProvider, User
from sharehub.meetings.models import Action, AgendaItem, Contribution, Meeting, Minutes
from sharehub.privacy.consent import status_of
from sharehub.privacy.identity import unseal
from sharehub.privacy.models import (
    Consent,
    ConsentWithdrawal,
    SafeguardingOverride,
    SharingDecision,
    Subject,
)
from sharehub.protocols.models import Protocol
from sharehub.protocols.service import status_on, terms_in_force, version_numbered
from sharehub.referrals.asb.models import AsbReport
from sharehub.referrals.asb.service import breached
from sharehub.referrals.case_review.models import CaseReview, CaseReviewProcedure
from sharehub.referrals.case_review.service import figures as case_review_figures
from sharehub.referrals.mappa.models import MappaReferral
from sharehub.referrals.marac.models import MaracReferral


@pytest.fixture
async def demo(settings: Settings, database_url: str) -> AsyncIterator[Settings]:
    try:
        yield settings
    finally:
        await empty_tables(database_url)


async def old_demo(settings: Settings) -> None:
    """What `sharehub demo` loaded before the living partnership: the agencies
    and their development sign-in, nothing else."""
    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as db, db.begin():
            for agency in demo_agencies():
                await create_agency(db, agency)
            await _register_dev_providers(db, settings, lambda _: None)
    finally:
        await engine.dispose()


async def row_counts(settings: Settings) -> dict[str, int]:
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            return {
                table.name: await connection.scalar(select(func.count()).select_from(table)) or 0
                for table in metadata.sorted_tables
            }
    finally:
        await engine.dispose()


async def test_the_demo_loads_a_living_partnership_once(demo: Settings) -> None:
    settings = demo
    now = utcnow()
    today = local_today(now)
    await old_demo(settings)
    said: list[str] = []
    await load_demo(settings, progress=said.append, now=now)
    loaded = await row_counts(settings)
    assert "demo partnership loaded" in said
    # The guide: whom to sign in as for each job, named as the provider names them.
    guide = sign_in_guide()
    jobs = {entry.job for entry in guide}
    for job in ("Housing officer", "MARAC chair", "Data protection officer", "Hub administrator"):
        assert job in jobs
    assert all(any(entry.name in line for line in said) for entry in guide)

    again: list[str] = []
    await load_demo(settings, progress=again.append, now=now)
    assert await row_counts(settings) == loaded
    assert any("already present" in line for line in again)

    engine = create_engine(settings.database_url)
    try:
        async with create_session_factory(engine)() as db:
            agencies = {a.short_code: a for a in await db.scalars(select(Agency))}
            assert set(agencies) == {code for code, *_ in DEMO_AGENCIES}

            # Every member of staff holds the roles of their claims, hub-wide
            # roles in the hub-wide domain, and holds them again after signing
            # in as the development provider signs them in.
            providers = {p.agency_id: p for p in await db.scalars(select(IdentityProvider))}
            users = {u.subject: u for u in await db.scalars(select(User))}
            for (code, roles), person in zip(DEMO_STAFF, demo_staff(), strict=True):
                user = users[person.sub]
                assert user.agency_id == agencies[code].id
                wanted = {
                    (role.value, None if role in HUB_WIDE_ROLES else user.agency_id)
                    for role in roles
                }
                held = await db.execute(
                    select(RoleAssignment.role, RoleAssignment.agency_id).where(
                        RoleAssignment.user_id == user.id
                    )
                )
                assert set(held.all()) == wanted, person.sub
            async with db.begin_nested() as signing_in:
                person = demo_staff()[DEMO_STAFF.index(("SSDA", [Role.MARAC_COORDINATOR]))]
                provider = providers[agencies["SSDA"].id]
                user = await sign_in_user(
                    db, provider, user_claims(person, "openid profile email"), now
                )
                assert [
                    (r.role, r.agency_id)
                    for r in await db.scalars(
                        select(RoleAssignment).where(RoleAssignment.user_id == user.id)
                    )
                ] == [("marac_coordinator", None)]
                await signing_in.rollback()

            # Every agency has an information governance lead, so every party can sign.
            leads = await db.execute(
                select(RoleAssignment.agency_id).where(
                    RoleAssignment.role == Role.INFORMATION_GOVERNANCE_LEAD.value
                )
            )
            assert {a for (a,) in leads} == {a.id for a in agencies.values()}

            # Four protocols, each in force since long before the cases, signed
            # by every party's information governance lead.
            protocols = list(await db.scalars(select(Protocol)))
            assert len(protocols) == 4
            for protocol in protocols:
                current = version_numbered(protocol, protocol.current_version)
                assert status_on(current, today).value == "active"
                assert current.effective_from < today - timedelta(days=300)
                parties = {p.agency_id for p in current.parties}
                assert {s.agency_id for s in current.signatures} == parties
                for signature in current.signatures:
                    signer = await db.get(User, signature.signed_by)
                    assert signer is not None and signer.agency_id == signature.agency_id
                    lead = await db.scalar(
                        select(RoleAssignment.id).where(
                            RoleAssignment.user_id == signer.id,
                            RoleAssignment.role == Role.INFORMATION_GOVERNANCE_LEAD.value,
                            RoleAssignment.agency_id == signature.agency_id,
                        )
                    )
                    assert lead is not None
            marac = next(p for p in protocols if "MARAC" in p.versions[0].title)
            gateways = version_numbered(marac, marac.current_version).purposes[0].gateways
            assert "dpa2018_safeguarding" in gateways and "consent" in gateways
            assert agencies["SSDA"].id in {
                p.agency_id for p in version_numbered(marac, marac.current_version).parties
            }
            a_month_ago = today - timedelta(days=40)
            assert len(await terms_in_force(db, a_month_ago)) == 4

            # People in every consent state, all of them made up.
            cipher = FieldCipher(settings.field_keys)
            people = list(await db.scalars(select(Subject)))
            assert len(people) == len(identities())
            for subject in people:
                identity = unseal(subject, cipher)
                assert identity.email is None or identity.email.endswith("@example.org")
                assert identity.phone is None or re.fullmatch(r"07700900\d{3}", identity.phone)
                assert identity.postcode is None or identity.postcode.startswith("KX")
                assert identity.nhs_number is None or identity.nhs_number.startswith("999")
            states: dict[uuid.UUID, set[str]] = {}
            soon = 0
            rows = await db.execute(
                select(Consent, ConsentWithdrawal).outerjoin(
                    ConsentWithdrawal, ConsentWithdrawal.consent_id == Consent.id
                )
            )
            for consent, withdrawal in rows:
                state = status_of(consent, withdrawal, now)
                states.setdefault(consent.subject_id, set()).add(state)
                if state == "active" and consent.expires_at < now + timedelta(days=30):
                    soon += 1
                if state == "active" and consent.recipient_agency_ids:
                    assert len(consent.recipient_agency_ids) < len(agencies)
            assert {"active", "withdrawn", "expired"} <= set().union(*states.values())
            assert soon >= 1
            assert any(s.id not in states for s in people)
            assert await db.scalar(select(func.count()).select_from(SharingDecision)) == 1
            override = await db.scalar(select(SafeguardingOverride))
            assert override is not None and override.review_outcome is None

            # ASB reports at every stage, one past its response target.
            reports = list(await db.scalars(select(AsbReport)))
            assert {r.status for r in reports} == {"open", "assessed", "closed"}
            assert any(breached(r, now) for r in reports)
            assert any(r.responded_at and not breached(r, now) for r in reports)
            assert any(r.reopened for r in reports)
            assert any(r.close_reason for r in reports)
            assert all(re.fullmatch(r"ASB-\d{4}-\d{4}", r.reference) for r in reports)

            # MARAC referrals, one a repeat (another agency's referral of her).
            referrals = list(await db.scalars(select(MaracReferral)))
            repeat = next(r for r in referrals if r.repeat)
            earlier = await db.get(MaracReferral, repeat.previous_referral_id)
            assert earlier is not None
            assert earlier.referring_agency_id != repeat.referring_agency_id
            assert repeat.referred_at - earlier.referred_at < timedelta(days=365)

            mappa = await db.scalar(select(MappaReferral))
            assert mappa is not None and mappa.status == "managed" and mappa.invitations
            # ASB case reviews as the procedure runs: one waiting for the bodies'
            # answers; one declined below the threshold, the applicant told and the
            # review closed; one held, its outcome with two recommendations to named
            # bodies, one body's response, and the applicant told the outcome.
            reviews = {r.status: r for r in await db.scalars(select(CaseReview))}
            assert set(reviews) == {"information_requested", "closed", "outcome_recorded"}
            waiting = reviews["information_requested"]
            assert waiting.threshold_met and waiting.information_requests
            assert waiting.applicant_type == "representative"
            declined = reviews["closed"]
            assert not declined.threshold_met and declined.decision == "declined"
            assert declined.decided_by_kind == "coordinator"
            assert declined.discretion_reasons_encrypted is not None
            assert declined.acknowledged_on and declined.applicant_told_decision_on
            assert declined.closed_on and declined.applicant_type == "victim"
            held = reviews["outcome_recorded"]
            assert held.threshold_met and held.decision == "threshold_met"
            assert len(held.information_requests) == 2
            assert all(q.responded_on for q in held.information_requests)
            assert held.review_held_on and held.outcome_recorded_on
            assert held.applicant_told_outcome_on
            assert {r.agency_id for r in held.recommendations} == {
                agencies["FVHA"].id,
                agencies["KPOL"].id,
            }
            assert [r.responded_on is not None for r in held.recommendations] == [True, False]
            procedure = await db.scalar(select(CaseReviewProcedure))
            assert procedure is not None and procedure.area == "Harrowmere"
            assert "Police and Crime Commissioner" in procedure.escalation_route
            figures = await case_review_figures(
                db, "Harrowmere", today - timedelta(days=365), today
            )
            assert (
                figures.applications,
                figures.threshold_not_met,
                figures.reviews_held,
                figures.reviews_with_recommendations,
                figures.awaiting_decision,
            ) == (3, 1, 1, 1, 0)

            # A MARAC held with approved minutes, one coming with its agenda and
            # the agencies' preparation; actions overdue.
            meetings = {m.status: m for m in await db.scalars(select(Meeting))}
            held, coming = meetings["held"], meetings["scheduled"]
            approved = await db.scalar(select(Minutes).where(Minutes.meeting_id == held.id))
            assert approved is not None and approved.status == "approved"
            assert approved.content_sha256
            assert coming.starts_at > now
            agenda = list(
                await db.scalars(select(AgendaItem).where(AgendaItem.meeting_id == coming.id))
            )
            assert {i.source for i in agenda} == {"marac_referral", "action"}
            assert any(i.reason == "action_overdue" for i in agenda)
            assert await db.scalar(
                select(func.count())
                .select_from(Contribution)
                .where(Contribution.meeting_id == coming.id)
            )
            overdue = await db.scalar(
                select(func.count())
                .select_from(Action)
                .where(Action.status.in_(("open", "in_progress")), Action.due_on < today)
            )
            assert overdue and overdue >= 2

            # The ledger holds the steps and a checkpoint signs it as it stands.
            kinds = set(await db.scalars(select(LedgerEntry.kind)))
            assert {
                "protocol_changed",
                "consent_recorded",
                "consent_withdrawn",
                "sharing_decision_recorded",
                "safeguarding_override",
                "referral_step",
                "minutes_approved",
            } <= kinds
            minuted = await db.scalar(
                select(LedgerEntry).where(LedgerEntry.kind == "minutes_approved")
            )
            assert minuted is not None and approved.content_sha256 in minuted.body
            state = await db.get(LedgerState, 1)
            assert state is not None
            assert await db.get(Checkpoint, state.size) is not None
        report = await verify_ledger(
            engine, CheckpointSigner(settings.ledger_key, settings.public_url or "")
        )
        assert report.ok, report.problem
    finally:
        await engine.dispose()


def test_the_demo_people_are_the_same_every_time() -> None:
    assert identities() == identities()
    assert [u.name for u in demo_staff()] == [u.name for u in demo_staff()]
    # Staff keep their subjects: tests and bookmarks sign in as "kpol-0004".
    subs = [u.sub for u in demo_staff()]
    assert subs[3] == "kpol-0004" and DEMO_STAFF[3] == ("KPOL", [Role.PRACTITIONER])
    assert subs[0] == "hdc-0001" and DEMO_STAFF[0] == ("HDC", [Role.HUB_ADMINISTRATOR])


def test_the_readme_says_whom_to_sign_in_as() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for entry in sign_in_guide():
        assert f"| {entry.job} | {entry.name} | {entry.agency} |" in readme


async def test_the_demo_staff_stay_the_same_people_on_another_address(demo: Settings) -> None:
    """The issuer follows the address the demo serves on; the staff (and what
    they did) follow it too, rather than new accounts appearing at sign-in."""
    settings = demo
    await old_demo(settings)
    engine = create_engine(settings.database_url)
    moved = Settings(
        env="development", database_url=settings.database_url, public_url="http://127.0.0.1:8123"
    )
    try:
        sessions = create_session_factory(engine)
        async with sessions() as db, db.begin():
            before = await sign_in_staff(db, settings, utcnow(), lambda _: None)
        async with sessions() as db, db.begin():
            await _register_dev_providers(db, moved, lambda _: None)
            after = await sign_in_staff(db, moved, utcnow(), lambda _: None)
            assert {k: u.id for k, u in after.items()} == {k: u.id for k, u in before.items()}
            assert {u.issuer for u in after.values()} == {"http://127.0.0.1:8123/dev-idp"}
    finally:
        await engine.dispose()
