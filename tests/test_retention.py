"""The retention schedule: due records deleted or anonymised, legal holds
respected, a ledger entry per purge, and a second run doing nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from helpers import assert_problem
from sharehub.audit.checkpoints import CheckpointSigner
from sharehub.audit.events import MemorySink
from sharehub.audit.ledger import Ledger
from sharehub.audit.models import LedgerEntry
from sharehub.audit.verify import verify_ledger
from sharehub.calendar import local_today
from sharehub.crypto import FieldCipher
from sharehub.db.base import utcnow
from sharehub.db.engine import create_engine, create_session_factory
from sharehub.privacy.models import Consent, Disclosure
from sharehub.retention.schedule import ScheduleError, load_schedule
from sharehub.retention.service import ANONYMISED, run_retention
from test_asb_reports import report as report_body
from test_case_reviews import application as case_review_application
from test_case_reviews import reviews  # noqa: F401
from test_marac_referrals import referral as marac_referral
from test_privacy import (  # noqa: F401  (partners: a fixture)
    complainant,
    consent_body,
    ok,
    partners,
    perpetrator,
    record,
    seen_by,
)
from test_protocols import cast  # noqa: F401

SCHEDULE = load_schedule()


def test_the_shipped_schedule_cites_a_source_for_every_kind():
    assert all(rule.citation for rule in SCHEDULE.kinds.values())
    assert SCHEDULE.kinds["disclosure"].protocol_override


@pytest.mark.parametrize(
    "change,named",
    [
        ('days = 30\nfrom = "ended"', "user_session"),
        ("[kinds.cctv]\ndays = 30", "no such kind"),
        (
            'from = "disclosed"\naction = "delete"\ncitation = "x"\nprotocol_override = true',
            "only disclosures",
        ),
    ],
)
def test_a_bad_schedule_is_refused(tmp_path, change, named):
    text = Path("src/sharehub/retention/schedule.toml").read_text()
    if change.startswith("[kinds.cctv]"):
        text += "\n" + change + '\nfrom = "x"\naction = "delete"\ncitation = "x"\n'
    elif "protocol_override" in change:
        text = text.replace(
            'from = "last_changed"\naction = "anonymise"',
            'from = "last_changed"\naction = "anonymise"\nprotocol_override = true',
        )
    else:
        text = text.replace(change, 'days = 30\nfrom = "sometime"')
    path = tmp_path / "schedule.toml"
    path.write_text(text)
    with pytest.raises(ScheduleError, match=named if "protocol" not in change else "only"):
        load_schedule(path)


def test_a_schedule_cannot_promise_what_the_purge_does_not_do(tmp_path):
    text = Path("src/sharehub/retention/schedule.toml").read_text()
    changed = text.replace(
        'from = "disclosed"\naction = "delete"', 'from = "disclosed"\naction = "anonymise"'
    )
    assert changed != text
    path = tmp_path / "schedule.toml"
    path.write_text(changed)
    with pytest.raises(ScheduleError, match="disclosure.action"):
        load_schedule(path)


async def test_retention_purges_what_is_due_keeps_what_is_held_and_is_idempotent(
    partners,  # noqa: F811
    settings,
):
    victim = await record(partners.officer, complainant())
    held = await record(partners.officer, perpetrator())
    consents = f"/api/subjects/{victim['id']}/consents"
    ending = await ok(
        await partners.officer.post(
            consents,
            json=consent_body(partners, expires_at=(utcnow() + timedelta(days=10)).isoformat()),
        ),
        201,
    )
    await seen_by(partners.viewer, victim["id"])
    await seen_by(partners.viewer, held["id"])

    dpo = await partners.person("home-dpo", ["data_protection_officer"])
    hold = await dpo.post(
        "/api/legal-holds/",
        json={"record_kind": "subject", "record_id": held["id"], "reason": "Civil claim pending"},
    )
    hold = await ok(hold, 201)
    theirs = await partners.person("other-dpo", ["data_protection_officer"], "other-agency")
    assert_problem(
        await theirs.post(
            "/api/legal-holds/",
            json={"record_kind": "subject", "record_id": victim["id"], "reason": "Not theirs"},
        ),
        404,
    )

    engine = create_engine(settings.database_url)
    sessions = create_session_factory(engine)
    signer = CheckpointSigner(settings.ledger_key, settings.public_url or "")
    ledger = Ledger(sessions, signer, checkpoint_every=1000, forward=MemorySink())
    cipher = FieldCipher(settings.field_keys)

    async def run(days: int, dry_run: bool = False):
        return await run_retention(
            sessions,
            SCHEDULE,
            cipher=cipher,
            audit=ledger,
            now=utcnow() + timedelta(days=days),
            dry_run=dry_run,
        )

    # After two years and a bit: the protocol keeps disclosures for 730 days.
    early = await run(800, dry_run=True)
    assert early.counts().get("disclosure") == 1 and early.held == 1
    assert "consent" not in early.counts() and "subject" not in early.counts()

    # After seven years: the expired consent and the quiet subject too.
    late = await run(7 * 365)
    counts = late.counts()
    assert counts["disclosure"] == 1 and counts["consent"] == 1 and counts["subject"] == 1
    assert late.held >= 2  # the held subject and its disclosure
    async with sessions() as db:
        assert await db.get(Consent, __import__("uuid").UUID(ending["id"])) is None
        remaining = (await db.scalars(select(Disclosure.subject_id))).all()
        purges = await db.scalar(
            select(func.count())
            .select_from(LedgerEntry)
            .where(LedgerEntry.kind == "retention_purge")
        )
    assert [str(s) for s in remaining] == [held["id"]]
    assert purges == late.done
    again = await run(7 * 365)
    assert again.due == [] and again.done == 0
    # Seven years on, every sign-in session went too: people sign in afresh.
    assert counts["user_session"] >= 4
    officer = await partners.person("home-officer-later", ["practitioner"])
    person = (await ok(await officer.get(f"/api/subjects/{victim['id']}")))["person"]
    assert person["name"] == ANONYMISED and person["nhs_number"] is None
    found = await officer.post("/api/subjects/search", json={"nhs_number": "9434765919"})
    assert (await ok(found))["items"] == []

    # Released, the hold no longer protects the subject's records.
    dpo = await partners.person("home-dpo-later", ["data_protection_officer"])
    await ok(await dpo.post(f"/api/legal-holds/{hold['id']}/release"))
    assert_problem(await dpo.post(f"/api/legal-holds/{hold['id']}/release"), 409)
    freed = await run(7 * 365)
    assert freed.counts().get("disclosure") == 1 and freed.held == 0
    report = await verify_ledger(engine, signer)
    await engine.dispose()
    assert report.ok, report.problem


def test_the_command_says_what_is_due(fresh_database_url, monkeypatch, capsys):
    import asyncio

    from conftest import migrate, reset_database
    from sharehub.cli import main

    asyncio.run(reset_database(fresh_database_url))
    asyncio.run(migrate(fresh_database_url))
    monkeypatch.setenv("SHAREHUB_DATABASE_URL", fresh_database_url)
    assert main(["retention", "run", "--dry-run"]) == 0
    assert f"schedule {SCHEDULE.version}: nothing is due" in capsys.readouterr().out
    monkeypatch.setenv("SHAREHUB_RETENTION_FILE", "/nonexistent/schedule.toml")
    assert main(["retention", "run"]) == 2
    assert "SHAREHUB_RETENTION_FILE" in capsys.readouterr().err


async def test_people_in_live_cases_are_kept_however_quiet(partners, settings):  # noqa: F811
    """The subject rule anonymises only people no open (or lately closed) case
    refers to: an ASB report, a MARAC referral, a meeting's preparation…"""
    in_report = await record(partners.officer, complainant())
    in_referral = await record(
        partners.officer, complainant(name="Selina Varga", nhs_number=None, ni_number=None)
    )
    in_nothing = await record(partners.officer, perpetrator())
    report = await partners.officer.post(
        "/api/asb-reports/",
        json=report_body([{"subject_id": in_report["id"], "role": "complainant"}]),
    )
    report = await ok(report, 201)
    referral = await partners.officer.post(
        "/api/marac-referrals/", json=marac_referral(in_referral["id"])
    )
    await ok(referral, 201)

    engine = create_engine(settings.database_url)
    sessions = create_session_factory(engine)
    signer = CheckpointSigner(settings.ledger_key, settings.public_url or "")
    ledger = Ledger(sessions, signer, checkpoint_every=1000, forward=MemorySink())
    cipher = FieldCipher(settings.field_keys)
    try:
        later = await run_retention(
            sessions,
            SCHEDULE,
            cipher=cipher,
            audit=ledger,
            now=utcnow() + timedelta(days=7 * 365),
            dry_run=True,
        )
        due = {str(d.record_id) for d in later.due if d.kind == "subject"}
        assert due == {in_nothing["id"]}

        # Closed, the report lets its people go once the quiet period has passed.
        closed = await partners.officer.post(
            f"/api/asb-reports/{report['id']}/closure",
            json={"reason": "behaviour_improved", "complainant_told_on": local_today().isoformat()},
            headers={"If-Match": '"1"'},
        )
        await ok(closed)
        run = await run_retention(
            sessions,
            SCHEDULE,
            cipher=cipher,
            audit=ledger,
            now=utcnow() + timedelta(days=7 * 365),
            dry_run=True,
        )
        assert {str(d.record_id) for d in run.due if d.kind == "subject"} == {
            in_nothing["id"],
            in_report["id"],
        }
        assert {str(d.record_id) for d in run.due if d.kind == "asb_report"} == {report["id"]}

        # A report a case review relied on as a complaint stays with the review.
        cited = await ok(
            await partners.officer.post(
                "/api/asb-reports/",
                json=report_body([{"subject_id": in_nothing["id"], "role": "complainant"}]),
            ),
            201,
        )
        await ok(
            await partners.officer.post(
                f"/api/asb-reports/{cited['id']}/closure",
                json={"reason": "complainant_request", "complainant_told_on": "2026-09-01"},
                headers={"If-Match": '"1"'},
            )
        )
        application = await partners.officer.post(
            "/api/case-reviews/",
            json=case_review_application(
                in_nothing["id"], partners.home_id, complaints=[{"asb_report_id": cited["id"]}]
            ),
        )
        await ok(application, 201)
        run = await run_retention(
            sessions,
            SCHEDULE,
            cipher=cipher,
            audit=ledger,
            now=utcnow() + timedelta(days=7 * 365),
            dry_run=True,
        )
        assert {str(d.record_id) for d in run.due if d.kind == "asb_report"} == {report["id"]}
    finally:
        await engine.dispose()


async def _dry_run(settings, years: int):
    engine = create_engine(settings.database_url)
    sessions = create_session_factory(engine)
    signer = CheckpointSigner(settings.ledger_key, settings.public_url or "")
    ledger = Ledger(sessions, signer, checkpoint_every=1000, forward=MemorySink())
    try:
        return await run_retention(
            sessions,
            SCHEDULE,
            cipher=FieldCipher(settings.field_keys),
            audit=ledger,
            now=utcnow() + timedelta(days=years * 365),
            dry_run=True,
        )
    finally:
        await engine.dispose()


async def test_a_consent_a_case_review_rests_on_is_kept(reviews, settings):  # noqa: F811
    victim = await record(reviews.officer, complainant())
    consents = f"/api/subjects/{victim['id']}/consents"
    ending = (utcnow() + timedelta(days=10)).isoformat()
    relied_on = await ok(
        await reviews.officer.post(
            consents,
            json=consent_body(reviews, purposes=["asb_case_review"], expires_at=ending),
        ),
        201,
    )
    other = await ok(
        await reviews.officer.post(consents, json=consent_body(reviews, expires_at=ending)), 201
    )
    application = case_review_application(
        victim["id"],
        reviews.home_id,
        applicant_type="representative",
        representative={"name": "Councillor Ada Brennock", "relationship": "ward councillor"},
    )
    await ok(await reviews.officer.post("/api/case-reviews/", json=application), 201)
    later = await _dry_run(settings, 7)
    due = {str(d.record_id) for d in later.due if d.kind == "consent"}
    assert other["id"] in due and relied_on["id"] not in due


async def test_holds_on_people_and_on_reports_keep_each_other(partners, settings):  # noqa: F811
    held_person = await record(partners.officer, complainant())
    in_held_report = await record(partners.officer, perpetrator())
    reports = []
    for subject in (held_person, in_held_report):
        made = await ok(
            await partners.officer.post(
                "/api/asb-reports/",
                json=report_body([{"subject_id": subject["id"], "role": "complainant"}]),
            ),
            201,
        )
        await ok(
            await partners.officer.post(
                f"/api/asb-reports/{made['id']}/closure",
                json={"reason": "behaviour_improved", "complainant_told_on": "2026-09-01"},
                headers={"If-Match": '"1"'},
            )
        )
        reports.append(made["id"])
    dpo = await partners.person("home-dpo", ["data_protection_officer"])
    for kind, record_id in (("subject", held_person["id"]), ("asb_report", reports[1])):
        await ok(
            await dpo.post(
                "/api/legal-holds/",
                json={"record_kind": kind, "record_id": record_id, "reason": "Claim pending"},
            ),
            201,
        )
    later = await _dry_run(settings, 7)
    # The report about the held person stays; the person in the held report stays.
    assert {str(d.record_id) for d in later.due if d.kind == "asb_report"} == set()
    assert {str(d.record_id) for d in later.due if d.kind == "subject"} == set()
    assert later.held >= 3


async def test_a_report_referred_to_marac_goes_in_its_time_and_the_referral_stays(
    partners,  # noqa: F811
    settings,
):
    from sharehub.referrals.marac.models import MaracReferral

    victim = await record(partners.officer, complainant())
    made = await partners.officer.post(
        "/api/asb-reports/",
        json=report_body(
            [{"subject_id": victim["id"], "role": "complainant"}], category="personal"
        ),
    )
    report = await ok(made, 201)
    await ok(
        await partners.officer.post(
            f"/api/asb-reports/{report['id']}/triage",
            json={"outcome": "domestic_abuse"},
            headers={"If-Match": made.headers["etag"]},
        )
    )
    referral = await ok(
        await partners.officer.post(
            "/api/marac-referrals/",
            json=marac_referral(victim["id"], asb_report_id=report["id"]),
        ),
        201,
    )
    engine = create_engine(settings.database_url)
    sessions = create_session_factory(engine)
    signer = CheckpointSigner(settings.ledger_key, settings.public_url or "")
    ledger = Ledger(sessions, signer, checkpoint_every=1000, forward=MemorySink())
    try:
        run = await run_retention(
            sessions,
            SCHEDULE,
            cipher=FieldCipher(settings.field_keys),
            audit=ledger,
            now=utcnow() + timedelta(days=7 * 365),
            dry_run=False,
        )
        assert report["id"] in {str(d.record_id) for d in run.due if d.kind == "asb_report"}
        async with sessions() as db:
            kept = await db.get(MaracReferral, __import__("uuid").UUID(referral["id"]))
            assert kept is not None and kept.asb_report_id is None
    finally:
        await engine.dispose()
