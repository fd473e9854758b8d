"""MARAC referrals over HTTP: made with the DASH checklist, the criteria met
computed and recorded, screened, listed, heard, worked and closed; seen outside
the referring agency only through the disclosure gate."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from helpers import assert_problem
from sharehub.audit.events import MemorySink
from sharehub.calendar import add_months, local_today
from sharehub.crypto import BlindIndex, FieldCipher
from sharehub.db.base import utcnow
from sharehub.disclosure.context import GateContext
from sharehub.meetings.cases import material_of
from sharehub.privacy.models import Disclosure
from sharehub.protocols.engine import SubjectRole
from sharehub.protocols.gateways import default_rules
from sharehub.referrals.marac.models import MaracReferral
from support.people import fictional
from support.signin import OTHER_PROVIDER_SLUG
from test_privacy import complainant, database, ok, partners, perpetrator, record  # noqa: F401
from test_protocols import asb_purpose, cast, signed  # noqa: F401

API = "/api/marac-referrals"
CHECKLIST = "safelives-dash-2009"
MARAC_CATEGORIES = [
    {"category": "identity", "article6": "e_public_task", "retention_days": 730},
    {"category": "risk_assessment", "article6": "e_public_task", "retention_days": 730},
]


def answers(yes: int, questions: int = 24) -> dict[str, str]:
    """The first ``yes`` questions answered yes, the rest no (one not known)."""
    codes = [f"q{n:02d}" for n in range(1, questions + 1)]
    given = {code: "yes" if i < yes else "no" for i, code in enumerate(codes)}
    if yes < questions:
        given[codes[-1]] = "not_known"
    return given


def referral(victim_id: str, perpetrator_id: str | None = None, **overrides: Any) -> dict:
    body: dict[str, Any] = {
        "area": "Testshire",
        "victim_id": victim_id,
        "perpetrator_id": perpetrator_id,
        "incident_on": (local_today() - timedelta(days=2)).isoformat(),
        "checklist_version": CHECKLIST,
        "answers": answers(14),
        "police_incidents": [],
        "victim_aware": True,
        "consent_given": False,
        "idva_allocated": False,
        "summary": "Imogen Thwaite was assaulted at home by Dorian Pellow; she fears for her life.",
    }
    body.update(overrides)
    return body


async def step(browser, referral_id: str, name: str, body: Any, tag: str | None):
    headers = {"If-Match": tag} if tag else {}
    return await browser.post(f"{API}/{referral_id}/{name}", json=body, headers=headers)


async def tag_of(browser, referral_id: str) -> str:
    read = await browser.get(f"{API}/{referral_id}")
    assert read.status_code == 200, read.text
    return read.headers["etag"]


@pytest.fixture
async def marac(partners):  # noqa: F811
    """The partners, a MARAC protocol between them, and Otherton's MARAC coordinator."""
    partners.marac_protocol = await signed(
        partners,
        title="Testshire and Otherton MARAC information sharing protocol",
        purposes=[
            asb_purpose(purpose="marac", categories=MARAC_CATEGORIES, gateways=["cda1998_s115"])
        ],
    )
    partners.coordinator = await partners.person(
        "marac-coordinator", ["marac_coordinator"], OTHER_PROVIDER_SLUG
    )
    partners.victim = await record(partners.officer, complainant())
    partners.accused = await record(partners.officer, perpetrator())
    return partners


async def refer(marac, **overrides: Any) -> tuple[dict, str]:
    made = await marac.officer.post(
        f"{API}/", json=referral(marac.victim["id"], marac.accused["id"], **overrides)
    )
    return await ok(made, 201), made.headers["etag"]


async def count_referrals(settings) -> int:
    engine, sessions = await database(settings)
    try:
        async with sessions() as db:
            return await db.scalar(select(func.count()).select_from(MaracReferral)) or 0
    finally:
        await engine.dispose()


async def test_a_referral_runs_its_course(marac, settings):
    body, tag = await refer(marac)
    assert body["status"] == "submitted" and body["next_steps"] == ["screen"]
    assert body["yes_answers"] == 14 and body["risk_band"] == "high"
    met = {c["code"]: c["met"] for c in body["criteria"]}
    assert met == {
        "visible_high_risk": True,
        "professional_judgement": False,
        "potential_escalation": False,
        "repeat": False,
    }
    assert all(c["citation"].startswith("SafeLives") for c in body["criteria"])
    # The referrer's own view: nothing withheld.
    assert body["victim"]["name"] == "Imogen Thwaite"
    assert "Imogen Thwaite" in body["summary"]
    rid = body["id"]

    # The coordinator (another agency) sees it through the gate: the victim's
    # identity is protected without consent or a recorded decision, the alleged
    # perpetrator's is not, and the summary is redacted to match.
    queue = await ok(await marac.coordinator.get(f"{API}/", params={"status": "submitted"}))
    assert [r["id"] for r in queue["items"]] == [rid]
    seen = await marac.coordinator.get(f"{API}/{rid}")
    view = await ok(seen)
    assert seen.headers["cache-control"] == "no-store"
    assert view["victim"]["name"] is None and view["victim"]["pseudonym"] == "Victim A"
    assert view["perpetrator"]["name"] == "Dorian Pellow"
    assert "Imogen" not in view["summary"] and "Victim A" in view["summary"]
    assert view["answers"] == body["answers"]

    # Steps out of order, or by the wrong people.
    early = await step(marac.coordinator, rid, "hearing", {"heard_on": "2026-01-05"}, tag)
    assert "screen" in assert_problem(early, 409)["detail"]
    own = await step(marac.officer, rid, "screening", {"outcome": "accepted"}, tag)
    assert_problem(own, 403)
    assert_problem(
        await step(marac.coordinator, rid, "screening", {"outcome": "accepted"}, None), 428
    )
    stale = await step(marac.coordinator, rid, "screening", {"outcome": "accepted"}, '"9"')
    assert_problem(stale, 412)
    bare = await step(marac.coordinator, rid, "screening", {"outcome": "returned"}, tag)
    assert_problem(bare, 422, "reason")

    returned = await step(
        marac.coordinator,
        rid,
        "screening",
        {"outcome": "returned", "reason": "Please add the police incident dates you mention."},
        tag,
    )
    view = await ok(returned)
    assert view["status"] == "returned" and view["next_steps"] == ["resubmit"]
    again = await step(
        marac.officer,
        rid,
        "resubmission",
        {"note": "No police incidents before this one; checked with the force."},
        await tag_of(marac.officer, rid),
    )
    view = await ok(again)
    assert view["status"] == "submitted" and view["resubmissions"] == 1
    accepted = await step(
        marac.coordinator, rid, "screening", {"outcome": "accepted"}, again.headers["etag"]
    )
    view = await ok(accepted)
    assert view["status"] == "accepted" and view["return_reason"] is None
    assert view["next_steps"] == ["list"]

    past = (local_today() - timedelta(days=1)).isoformat()
    tag = accepted.headers["etag"]
    assert_problem(await step(marac.coordinator, rid, "listing", {"meeting_on": past}, tag), 422)
    meeting = (local_today() + timedelta(days=7)).isoformat()
    listed = await step(marac.coordinator, rid, "listing", {"meeting_on": meeting}, tag)
    assert (await ok(listed))["listed_for"] == meeting
    future = (local_today() + timedelta(days=1)).isoformat()
    tag = listed.headers["etag"]
    assert_problem(await step(marac.coordinator, rid, "hearing", {"heard_on": future}, tag), 422)
    heard = await step(
        marac.coordinator, rid, "hearing", {"heard_on": local_today().isoformat()}, tag
    )
    assert (await ok(heard))["next_steps"] == ["open_actions", "close"]
    opened = await step(marac.coordinator, rid, "actions-opened", None, heard.headers["etag"])
    assert (await ok(opened))["status"] == "actions_open"
    closed = await step(
        marac.coordinator, rid, "closure", {"reason": "actions_complete"}, opened.headers["etag"]
    )
    view = await ok(closed)
    assert view["status"] == "closed" and view["next_steps"] == []
    late = await step(
        marac.coordinator, rid, "closure", {"reason": "actions_complete"}, closed.headers["etag"]
    )
    assert "none" in assert_problem(late, 409)["detail"]

    # Every read by the coordinator's agency was a disclosure, recorded.
    engine, sessions = await database(settings)
    try:
        async with sessions() as db:
            disclosed = await db.scalar(
                select(func.count())
                .select_from(Disclosure)
                .where(
                    Disclosure.context_kind == "marac_referral",
                    Disclosure.viewer_agency_id == uuid.UUID(marac.other_id),
                )
            )
    finally:
        await engine.dispose()
    # Victim and perpetrator, at each of the coordinator's seven successful reads
    # and steps (refused steps roll back with their transaction).
    assert disclosed == 2 * 7


async def test_a_recorded_sharing_decision_shows_the_victim_to_the_coordinator(marac):
    body, _ = await refer(marac)
    lead = await marac.person("home-safeguarding", ["safeguarding_lead"])
    decided = await lead.post(
        f"/api/subjects/{marac.victim['id']}/sharing-decisions",
        json={
            "purpose": "marac",
            "recipients": {"agencies": [marac.other_id]},
            "categories": ["identity"],
            "legal_basis": "Data Protection Act 2018, Schedule 1, paragraph 18",
            "reasons": "High risk of serious harm; asking her would alert the perpetrator.",
        },
    )
    await ok(decided, 201)
    view = await ok(await marac.coordinator.get(f"{API}/{body['id']}"))
    assert view["victim"]["name"] == "Imogen Thwaite"
    assert "Imogen Thwaite" in view["summary"]


async def test_who_sees_a_referral(marac):
    body, _ = await refer(marac)
    rid = body["id"]
    # Another agency's practitioner with no part in it: as if it did not exist.
    assert_problem(await marac.viewer.get(f"{API}/{rid}"), 404)
    assert (await ok(await marac.viewer.get(f"{API}/")))["total"] == 0
    # A coordinator for another area does not see it either.
    elsewhere = await marac.person("coordinator-elsewhere", [], OTHER_PROVIDER_SLUG)
    me = await ok(await elsewhere.get("/me"))
    granted = await marac.admin.post(
        "/api/role-assignments/",
        json={"user_id": me["id"], "role": "marac_coordinator", "area": "Otherton"},
    )
    await ok(granted, 201)
    assert_problem(await elsewhere.get(f"{API}/{rid}"), 404)
    assert (await ok(await elsewhere.get(f"{API}/")))["total"] == 0
    set_criteria = await elsewhere.put(
        "/api/marac-criteria/Testshire/", json={"escalation_incidents": 5, "source": "x" * 5}
    )
    assert_problem(set_criteria, 404)
    # The IDVA service allocated to a case sees it, through the gate.
    with_idva, _ = await refer(marac, idva_allocated=True, idva_agency_id=marac.other_id)
    idva = await marac.person("other-idva", ["idva"], OTHER_PROVIDER_SLUG)
    seen = await ok(await idva.get(f"{API}/{with_idva['id']}"))
    assert seen["victim"]["name"] is None and seen["victim"]["pseudonym"] == "Victim A"
    assert [r["id"] for r in (await ok(await idva.get(f"{API}/")))["items"]] == [with_idva["id"]]
    assert_problem(await idva.get(f"{API}/{rid}"), 404)


async def test_without_a_marac_protocol_the_coordinator_is_told_nothing(partners):  # noqa: F811
    # The partners share for ASB case management only, not for MARAC.
    victim = await record(partners.officer, complainant())
    made = await partners.officer.post(f"{API}/", json=referral(victim["id"]))
    body = await ok(made, 201)
    coordinator = await partners.person("coordinator", ["marac_coordinator"], OTHER_PROVIDER_SLUG)
    assert_problem(await coordinator.get(f"{API}/{body['id']}"), 404)


async def test_criteria_at_their_boundaries(marac, settings):
    # 13 yes answers and nothing else meets no criterion: refused, nothing kept.
    refused = await marac.officer.post(
        f"{API}/", json=referral(marac.victim["id"], answers=answers(13))
    )
    detail = assert_problem(refused, 422, "answers")["detail"]
    assert "13 of 24" in detail and "none of the MARAC referral criteria" in detail
    assert await count_referrals(settings) == 0

    # 13 yes and a practitioner's reasons: professional judgement, medium band.
    judged, _ = await refer(
        marac,
        answers=answers(13),
        professional_judgement="Recent threats with a knife and escalating stalking.",
    )
    met = {c["code"] for c in judged["criteria"] if c["met"]}
    assert judged["risk_band"] == "medium" and met == {"professional_judgement"}

    incident = local_today() - timedelta(days=1)
    within = [incident - timedelta(days=d) for d in (10, 100, 300)]
    two = await marac.officer.post(
        f"{API}/",
        json=referral(
            marac.victim["id"],
            answers=answers(3),
            incident_on=incident.isoformat(),
            police_incidents=[d.isoformat() for d in within[:2]],
        ),
    )
    assert_problem(two, 422, "answers")
    three, _ = await refer(
        marac,
        answers=answers(3),
        incident_on=incident.isoformat(),
        police_incidents=[d.isoformat() for d in within],
    )
    assert {c["code"] for c in three["criteria"] if c["met"]} == {"potential_escalation"}

    # An area that counts escalation at 5 incidents: 3 no longer qualify.
    coordinator = marac.coordinator
    set_to_five = await coordinator.put(
        "/api/marac-criteria/Testshire/",
        json={"escalation_incidents": 5, "source": "Testshire MARAC operating protocol v2"},
    )
    criteria = await ok(set_to_five)
    unversioned = await coordinator.put(
        "/api/marac-criteria/Testshire/",
        json={"escalation_incidents": 4, "source": "Testshire MARAC operating protocol v2"},
    )
    assert_problem(unversioned, 428)
    assert criteria["escalation_incidents"] == 5 and criteria["is_default"] is False
    fewer = await marac.officer.post(
        f"{API}/",
        json=referral(
            marac.victim["id"],
            answers=answers(3),
            incident_on=incident.isoformat(),
            police_incidents=[d.isoformat() for d in within],
        ),
    )
    assert "escalation at 5" in assert_problem(fewer, 422, "answers")["detail"]
    # The medium band cannot start above the high band.
    upside_down = await coordinator.put(
        "/api/marac-criteria/Testshire/",
        json={"visible_high_risk_yes": 8, "source": "Testshire MARAC operating protocol v3"},
        headers={"If-Match": set_to_five.headers["etag"]},
    )
    assert_problem(upside_down, 422)


async def test_a_repeat_is_found_from_history_and_flagged_on_screening(marac, settings):
    first, first_tag = await refer(marac)
    # A second referral for the same woman, made by Otherton from its own record
    # of her, while the first is still unscreened: not yet a repeat.
    other_record = await record(marac.viewer, complainant(address=["Flat 2, 9 Mill Row"]))
    made = await marac.viewer.post(
        f"{API}/",
        json=referral(
            other_record["id"],
            area="Otherton",
            answers=answers(15),
            incident_on=local_today().isoformat(),  # a further incident, after the first referral
        ),
    )
    second = await ok(made, 201)
    assert second["repeat"] is False
    await ok(
        await step(marac.coordinator, first["id"], "screening", {"outcome": "accepted"}, first_tag)
    )
    screened = await ok(
        await step(
            marac.coordinator,
            second["id"],
            "screening",
            {"outcome": "accepted"},
            made.headers["etag"],
        )
    )
    assert screened["repeat"] is True and screened["previous_referral_id"] == first["id"]
    flagged = await ok(await marac.coordinator.get(f"{API}/", params={"repeat": True}))
    assert [r["id"] for r in flagged["items"]] == [second["id"]]

    # A further incident meets the repeat criterion alone (no DASH threshold)
    # within 12 months of the last referral, and not a day after.
    async def last_referred(on: date) -> None:
        engine, sessions = await database(settings)
        try:
            async with sessions() as db, db.begin():
                await db.execute(
                    update(MaracReferral)
                    .where(MaracReferral.id.in_([uuid.UUID(first["id"]), uuid.UUID(second["id"])]))
                    .values(referred_at=datetime.now(UTC) - (local_today() - on))
                )
        finally:
            await engine.dispose()

    incident = local_today() - timedelta(days=1)
    await last_referred(add_months(incident, -12) + timedelta(days=1))
    repeat, _ = await refer(marac, answers=answers(0), incident_on=incident.isoformat())
    assert {c["code"] for c in repeat["criteria"] if c["met"]} == {"repeat"}
    assert repeat["previous_referral_id"] in (first["id"], second["id"])
    await last_referred(add_months(incident, -12) - timedelta(days=1))
    stale = await marac.officer.post(
        f"{API}/",
        json=referral(marac.victim["id"], answers=answers(0), incident_on=incident.isoformat()),
    )
    assert_problem(stale, 422, "answers")


BAD_REFERRALS = [
    ({"checklist_version": "police-dash-1999"}, "checklist_version"),
    ({"answers": {"q01": "yes"}}, "answers.q02"),
    ({"answers": {**answers(14), "Imogen's answer": "yes"}}, "answers"),
    ({"incident_on": "2099-01-01"}, "incident_on"),
    ({"police_incidents": ["2099-01-01"]}, "police_incidents[0]"),
    ({"consent_given": True, "victim_aware": False}, "victim_aware"),
    ({"idva_agency_id": "00000000-0000-4000-8000-000000000000"}, "idva_agency_id"),
    ({"area": "Nowhere"}, "area"),
    ({"professional_judgement": "short"}, "professional_judgement"),
    ({"professional_judgement": " " * 12}, "professional_judgement"),
    ({"answers": {**answers(14), "q03": "maybe"}}, "answers[...]"),
]


@pytest.mark.parametrize(("changes", "field"), BAD_REFERRALS)
async def test_bad_referrals_are_refused_and_nothing_is_kept(marac, settings, changes, field):
    body = referral(marac.victim["id"], marac.accused["id"], **changes)
    refused = await marac.officer.post(f"{API}/", json=body)
    decoding = field == "professional_judgement" or "maybe" in str(changes)
    assert_problem(refused, 400 if decoding else 422, field)
    # The reason names the field and the rule, never what was typed.
    assert "Imogen" not in refused.text and "maybe" not in refused.text
    assert await count_referrals(settings) == 0


async def test_people_must_be_the_referrers_own(marac, settings):
    theirs = await record(marac.viewer, complainant())
    refused = await marac.officer.post(f"{API}/", json=referral(theirs["id"]))
    assert_problem(refused, 422, "victim_id")
    same = await marac.officer.post(
        f"{API}/", json=referral(marac.victim["id"], marac.victim["id"])
    )
    assert_problem(same, 422, "perpetrator_id")
    assert await count_referrals(settings) == 0


async def test_the_checklists_are_listed_with_their_versions(marac):
    listed = await ok(await marac.officer.get(f"{API}/checklists"))
    [safelives] = [c for c in listed if c["version"] == CHECKLIST]
    assert len(safelives["questions"]) == 24 and safelives["in_use"] is True
    assert safelives["citation"].startswith("SafeLives")


# --- the household ---------------------------------------------------------------------------


def gate_for(settings) -> GateContext:
    now = utcnow()
    return GateContext(
        FieldCipher(settings.field_keys),
        BlindIndex(settings.index_key),
        default_rules(),
        MemorySink(),
        now,
        local_today(now),
    )


async def test_a_child_linked_to_the_referral_is_withheld_wherever_it_is_named(marac, settings):
    child_name = fictional(5).name
    child = await record(marac.officer, {"role": "child", "identity": {"name": child_name}})
    summary = (
        "Imogen Thwaite was assaulted at home by Dorian Pellow while her son "
        f"{child_name}, aged 6, was in the house; {child_name.split()[0]} saw it."
    )
    body, _ = await refer(
        marac, summary=summary, household=[{"subject_id": child["id"], "role": "child"}]
    )
    # The referrer's own view: the child as recorded.
    [member] = body["household"]
    assert member["name"] == child_name and member["role"] == "child"
    assert child_name in body["summary"]

    # The coordinator (another agency, no consent or decision for the child):
    # a pseudonym, in the summary too, and a disclosure row for the child.
    seen = await marac.coordinator.get(f"{API}/{body['id']}")
    view = await ok(seen)
    [member] = view["household"]
    assert member["name"] is None and member["pseudonym"] == "Child A"
    assert "Child A" in view["summary"] and "Victim A" in view["summary"]
    for part in child_name.split():
        assert part not in seen.text, part
    [row] = await marac_disclosures(settings, subject_id=uuid.UUID(child["id"]))
    assert str(row.viewer_agency_id) == marac.other_id and row.basis == "none"
    assert "name" in row.withheld and row.context_kind == "marac_referral"

    # The meeting's material has the child among its people, so agendas,
    # packs and minutes are redacted for the child as for the victim.
    engine, sessions = await database(settings)
    try:
        async with sessions() as db:
            material = await material_of(
                db, "marac_referral", uuid.UUID(body["id"]), gate_for(settings)
            )
            assert material is not None
            assert [(str(s.subject.id), s.role) for s in material.subjects] == [
                (marac.victim["id"], SubjectRole.VICTIM),
                (marac.accused["id"], SubjectRole.PERPETRATOR),
                (child["id"], SubjectRole.CHILD),
            ]
    finally:
        await engine.dispose()


async def test_household_members_are_the_referrers_own_and_named_once(marac, settings):
    theirs = await record(marac.viewer, {"role": "child", "identity": {"name": fictional(9).name}})
    for subject_id, role in [
        (theirs["id"], "child"),
        (marac.victim["id"], "household_member"),
        (str(uuid.uuid4()), "child"),
    ]:
        household = [{"subject_id": subject_id, "role": role}]
        refused = await marac.officer.post(
            f"{API}/",
            json=referral(marac.victim["id"], marac.accused["id"], household=household),
        )
        assert_problem(refused, 422, "household[0].subject_id")
        assert fictional(9).name not in refused.text
    child = await record(marac.officer, {"role": "child", "identity": {"name": fictional(5).name}})
    twice = [{"subject_id": child["id"], "role": "child"}] * 2
    assert_problem(
        await marac.officer.post(f"{API}/", json=referral(marac.victim["id"], household=twice)),
        422,
        "household",
    )
    other_role = [{"subject_id": marac.accused["id"], "role": "perpetrator"}]
    assert_problem(
        await marac.officer.post(
            f"{API}/", json=referral(marac.victim["id"], household=other_role)
        ),
        400,
    )
    assert await count_referrals(settings) == 0


async def marac_disclosures(settings, **where: Any) -> list[Disclosure]:
    engine, sessions = await database(settings)
    try:
        async with sessions() as db:
            query = select(Disclosure).order_by(Disclosure.created_at)
            for column, value in where.items():
                query = query.where(getattr(Disclosure, column) == value)
            return list((await db.scalars(query)).all())
    finally:
        await engine.dispose()


# --- the domestic abuse route: from an ASB report -------------------------------------------

SHE, HIM = uuid.uuid4(), uuid.uuid4()


@pytest.mark.parametrize(
    "outcome,referred_as,victim,refused",
    [
        ("domestic_abuse", None, SHE, None),
        ("domestic_abuse", None, HIM, "victim_id"),  # not one of the report's people
        (None, None, SHE, "triaged as domestic abuse"),  # not triaged yet
        ("asb", None, SHE, "triaged as domestic abuse"),
        ("domestic_abuse", "MARAC-2026-0007", SHE, "MARAC-2026-0007"),
    ],
)
def test_which_asb_reports_a_referral_takes_on(outcome, referred_as, victim, refused):
    from sharehub.errors import Conflict
    from sharehub.referrals.marac.service import asb_report_errors

    if refused is None or refused == "victim_id":
        errors = asb_report_errors(outcome, referred_as, victim, [SHE])
        assert [field for field, _ in errors] == ([refused] if refused else [])
    else:
        with pytest.raises(Conflict, match=refused) as conflict:
            asb_report_errors(outcome, referred_as, victim, [SHE])
        assert conflict.value.field == "asb_report_id"


async def test_an_asb_report_on_the_domestic_abuse_route_is_referred_to_marac(marac, settings):
    from test_asb_reports import report as asb_report
    from test_asb_reports import step as asb_step
    from test_asb_triage import logged

    officer = marac.officer
    report, tag = await logged(marac, category="personal")
    victim, accused = (s["subject_id"] for s in report["subjects"])
    linked = referral(victim, accused, asb_report_id=report["id"])
    assert "refer_to_marac" not in report["next_steps"]

    # Not triaged as domestic abuse: refused, saying so.
    early = assert_problem(await officer.post(f"{API}/", json=linked), 409, "asb_report_id")
    assert "must first be triaged as domestic abuse" in early["detail"]
    triaged = await ok(
        await asb_step(officer, report["id"], "triage", {"outcome": "domestic_abuse"}, tag)
    )
    assert triaged["marac_referral_reference"] is None
    assert "refer_to_marac" in triaged["next_steps"]

    # A report that is not there, or another agency's: not found, alike.
    theirs = await ok(await marac.viewer.post("/api/asb-reports/", json=asb_report([])), 201)
    for missing in (str(uuid.uuid4()), theirs["id"]):
        refused = await officer.post(
            f"{API}/", json=referral(victim, accused, asb_report_id=missing)
        )
        problem = assert_problem(refused, 404)
        assert theirs["reference"] not in refused.text and "ASB report" in problem["detail"]
    # The victim is one of the report's people.
    elsewhere = referral(marac.victim["id"], marac.accused["id"], asb_report_id=report["id"])
    assert_problem(await officer.post(f"{API}/", json=elsewhere), 422, "victim_id")
    assert await count_referrals(settings) == 0

    body = await ok(await officer.post(f"{API}/", json=linked), 201)
    assert body["asb_report_reference"] == report["reference"]
    reference = body["reference"]
    seen = await ok(await officer.get(f"/api/asb-reports/{report['id']}"))
    assert seen["marac_referral_reference"] == reference
    assert "refer_to_marac" not in seen["next_steps"]

    # One referral per report: a second names the first.
    again = assert_problem(await officer.post(f"{API}/", json=linked), 409, "asb_report_id")
    assert reference in again["detail"]
    assert await count_referrals(settings) == 1

    # The coordinator (another agency) sees the referral, not the landlord's report.
    view = await ok(await marac.coordinator.get(f"{API}/{body['id']}"))
    assert view["asb_report_reference"] is None
    assert report["reference"] not in str(view)


async def test_the_report_page_shows_the_domestic_abuse_route(marac):
    from pages import assert_no_machinery, soup, visible_text
    from sharehub.referrals.asb.triage import triage_rules
    from test_asb_reports import step as asb_step
    from test_asb_triage import logged

    officer = marac.officer
    report, tag = await logged(marac, category="personal")
    await ok(await asb_step(officer, report["id"], "triage", {"outcome": "domestic_abuse"}, tag))
    page = soup(await officer.get(f"/asb-reports/{report['reference']}"))
    assert_no_machinery(page)
    text = visible_text(page)
    assert (
        "This report is on the domestic abuse route: refer the victim to MARAC with the DASH "
        "risk checklist." in text
    )
    assert triage_rules().domestic_abuse.words in text
    assert "Open a case" not in text

    victim, accused = (s["subject_id"] for s in report["subjects"])
    made = await officer.post(f"{API}/", json=referral(victim, accused, asb_report_id=report["id"]))
    body = await ok(made, 201)
    page = soup(await officer.get(f"/asb-reports/{report['reference']}"))
    assert_no_machinery(page)
    text = visible_text(page)
    assert "Referred to MARAC on " in text and body["reference"] in text
    assert page.select_one(f'a[href="/marac-referrals/{body["reference"]}"]') is not None
    assert "refer the victim to MARAC" not in text


async def test_the_coordinators_return_reason_reaches_the_referrer_through_the_gate(marac):  # noqa: F811
    """The return reason is the coordinator's agency's words, not the referrer's:
    a person that agency holds, named in it without a link, is withheld."""
    made, tag = await refer(marac)
    neighbour = fictional(7411).name
    await record(marac.viewer, {"role": "witness", "identity": {"name": neighbour}})
    reason = f"Please add what {neighbour} told the council about the night of the assault."
    returned = await step(
        marac.coordinator, made["id"], "screening", {"outcome": "returned", "reason": reason}, tag
    )
    assert returned.status_code == 200, returned.text
    # The coordinator's agency reads its own words as written.
    assert returned.json()["return_reason"] == reason
    theirs = await ok(await marac.officer.get(f"{API}/{made['id']}"))
    assert neighbour not in theirs["return_reason"]
    assert "told the council about the night" in theirs["return_reason"]
