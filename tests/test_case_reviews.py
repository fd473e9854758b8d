"""ASB case reviews over HTTP: the application and its threshold (met on the
complaints, or left to the coordinator's discretion), the clocks over bank
holidays, the relevant bodies' answers through the disclosure gate,
recommendations, the applicant told, escalation, closure, and the figures.

The home agency (a police force) receives applications for Testshire and holds
the victims; Otherton Borough Council is asked for information. The case
review coordinator is a hub-wide role held by a member of the home agency's
staff. People sign in through the real OpenID Connect flow.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from helpers import assert_problem
from sharehub.audit.events import MemorySink
from sharehub.audit.models import LedgerEntry
from sharehub.calendar import add_working_days, local_today
from sharehub.crypto import BlindIndex, FieldCipher
from sharehub.db.base import utcnow
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gate import Viewer, disclose
from sharehub.meetings.cases import material_of
from sharehub.privacy.models import Disclosure
from sharehub.protocols.engine import SubjectRole
from sharehub.protocols.gateways import default_rules
from sharehub.protocols.terms import Purpose
from sharehub.referrals.case_review.models import CaseReview
from sharehub.referrals.case_review.rules import Clocks
from sharehub.referrals.case_review.service import person_name
from support.people import fictional
from support.signin import OTHER_PROVIDER_SLUG
from test_privacy import (  # noqa: F401  (partners: a fixture)
    IDENTITY_AND_CONTACT,
    complainant,
    consent_body,
    database,
    ok,
    partners,
    perpetrator,
    record,
)
from test_protocols import asb_purpose, cast, signed  # noqa: F401  (cast: a fixture)

API = "/api/case-reviews"
AREA = "Testshire"
PROCEDURES = "/api/case-review-procedures"


def case_review_purpose() -> dict[str, Any]:
    return asb_purpose(
        purpose="asb_case_review",
        categories=IDENTITY_AND_CONTACT,
        gateways=["asbcpa2014_sch4_para7"],
    )


@pytest.fixture
async def reviews(partners):  # noqa: F811
    """The partners, a case review protocol between them, and the coordinator."""
    partners.review_protocol = await signed(partners, purposes=[case_review_purpose()])
    partners.coordinator = await partners.person("cr-coordinator", ["asb_case_review_coordinator"])
    return partners


def complaints(agency_id: str, *pairs: tuple[str, str]) -> list[dict]:
    """Complaints made to an agency: (date of the behaviour, date complained)."""
    return [{"behaviour_on": b, "complained_on": c, "agency_id": agency_id} for b, c in pairs]


# Three complaints, each within a month of the behaviour, the application
# (1 October 2026) within six months of each.
RECENT = (("2026-08-03", "2026-08-04"), ("2026-08-20", "2026-08-21"), ("2026-09-10", "2026-09-12"))
# Complaints made promptly, but more than six months before the application.
STALE = (("2026-01-05", "2026-01-06"), ("2026-01-12", "2026-01-13"), ("2026-02-02", "2026-02-03"))


def application(victim_id: str | None, agency_id: str, pairs=RECENT, **overrides: Any) -> dict:
    body: dict[str, Any] = {
        "area": AREA,
        "received_on": "2026-10-01",
        "applicant_type": "victim",
        "victim_type": "individual",
        "victim_subject_id": victim_id,
        "complaints": complaints(agency_id, *pairs),
        "narrative": "Imogen Thwaite says Dorian Pellow has shouted at her door most nights.",
    }
    body.update(overrides)
    return body


async def step(browser, review_id: str, name: str, body: Any, tag: str):
    return await browser.post(f"{API}/{review_id}/{name}", json=body, headers={"If-Match": tag})


async def tag_of(browser, review_id: str) -> str:
    read = await browser.get(f"{API}/{review_id}")
    assert read.status_code == 200, read.text
    return read.headers["etag"]


def clock(view: dict, name: str) -> dict:
    return next(c for c in view["clocks"] if c["name"] == name)


async def disclosures(settings, **where: Any) -> list[Disclosure]:
    engine, sessions = await database(settings)
    async with sessions() as db:
        query = select(Disclosure).order_by(Disclosure.created_at)
        for column, value in where.items():
            query = query.where(getattr(Disclosure, column) == value)
        rows = list((await db.scalars(query)).all())
    await engine.dispose()
    return rows


async def count_reviews(settings) -> int:
    engine, sessions = await database(settings)
    async with sessions() as db:
        found = await db.scalar(select(func.count()).select_from(CaseReview))
    await engine.dispose()
    return found or 0


# --- the threshold ---------------------------------------------------------------------------


async def test_three_qualifying_complaints_start_a_review_that_runs_its_course(reviews, settings):
    officer, coordinator, viewer = reviews.officer, reviews.coordinator, reviews.viewer
    victim = await record(officer, complainant())
    created = await officer.post(
        f"{API}/", json=application(victim["id"], reviews.home_id, pairs=RECENT)
    )
    view = await ok(created, 201)
    assert created.headers["cache-control"] == "no-store"
    # Accepted automatically: the Act decides, not a person.
    assert view["status"] == "threshold_met"
    assert view["threshold"]["met"] is True and view["threshold"]["qualifying_complaints"] == 3
    assert view["decision"]["decided_by"] == "threshold"
    assert view["decision"]["decision"] == "threshold_met"
    assert view["decision"]["decided_on"] == "2026-10-01"
    main = view["threshold"]["reasons"][0]
    assert main["code"] == "qualifying_complaints" and main["met"] is True
    assert "section 104" in main["citation"]
    assert all(c["qualifies"] for c in view["complaints"])
    # The receiving agency's own view is whole.
    assert view["victim"]["name"] == "Imogen Thwaite" and "Imogen Thwaite" in view["narrative"]
    # Acknowledge within 10 working days of 1 October 2026: 15 October. Long past, not done.
    acknowledge = clock(view, "acknowledge")
    assert acknowledge["due_on"] == "2026-10-15"
    assert acknowledge["due_on"] == add_working_days(date(2026, 10, 1), 10).isoformat()
    assert acknowledge["breached"] is True
    # The meeting clock runs from the decision: 20 working days from 1 October.
    assert clock(view, "review_meeting")["due_on"] == "2026-10-29"
    assert clock(view, "threshold_decision")["due_on"] is None  # runs from the acknowledgement
    assert view["next_steps"] == ["acknowledge"]
    tag = created.headers["etag"]

    # Only the acknowledgement is open; the coordinator, not the officer, records it.
    early = await step(coordinator, view["id"], "review-meeting", {"held_on": "2026-10-20"}, tag)
    assert "steps open now: acknowledge" in assert_problem(early, 409)["detail"]
    assert_problem(
        await step(officer, view["id"], "acknowledgement", {"acknowledged_on": "2026-10-09"}, tag),
        403,
    )
    acknowledged = await step(
        coordinator, view["id"], "acknowledgement", {"acknowledged_on": "2026-10-09"}, tag
    )
    view = await ok(acknowledged)
    acknowledge = clock(view, "acknowledge")
    assert acknowledge.pop("citation").startswith(
        "Anti-social Behaviour, Crime and Policing Act 2014, section 104(2)"
    )
    assert acknowledge == {
        "name": "acknowledge",
        "working_days": 10,
        "due_on": "2026-10-15",
        "done_on": "2026-10-09",
        "breached": False,
    }
    assert clock(view, "threshold_decision")["due_on"] == "2026-10-30"
    assert clock(view, "threshold_decision")["breached"] is False
    again = await step(coordinator, view["id"], "acknowledgement", {}, acknowledged.headers["etag"])
    assert "already recorded" in assert_problem(again, 409)["detail"]

    # Otherton is not asked yet: the review does not exist for it.
    assert_problem(await viewer.get(f"{API}/{view['id']}"), 404)
    tag = acknowledged.headers["etag"]
    told = await step(
        coordinator,
        view["id"],
        "applicant-told",
        {"of": "threshold_decision", "told_on": "2026-10-12"},
        tag,
    )
    unknown = {"agencies": [reviews.other_id, reviews.home_id[:-4] + "0000"]}
    assert_problem(
        await step(coordinator, view["id"], "information-requests", unknown, told.headers["etag"]),
        422,
        "agencies[1]",
    )
    asked = await step(
        coordinator,
        view["id"],
        "information-requests",
        {"agencies": [reviews.other_id], "requested_on": "2026-10-13"},
        told.headers["etag"],
    )
    view = await ok(asked)
    assert view["status"] == "information_requested"
    again = {"agencies": [reviews.other_id]}
    assert_problem(
        await step(coordinator, view["id"], "information-requests", again, asked.headers["etag"]),
        422,
        "agencies[0]",
    )
    [request] = view["information_requests"]
    assert request["agency_id"] == reviews.other_id
    assert request["agency_type"] == "unitary_council" and request["body_role"] == "relevant_body"
    assert "respond" in view["next_steps"]

    # Asked, and connected by a protocol for case reviews: Otherton sees it
    # through the gate. The victim's identity is protected: a pseudonym only.
    seen = await ok(await viewer.get(f"{API}/{view['id']}"))
    assert seen["victim"]["name"] is None and seen["victim"]["pseudonym"] == "Victim A"
    assert "Thwaite" not in seen["narrative"] and "Dorian Pellow" in seen["narrative"]
    assert seen["representative"] is None
    [shown] = await disclosures(settings, viewer_agency_id=uuid.UUID(reviews.other_id))
    assert shown.purpose == "asb_case_review" and shown.context_kind == "case_review"
    assert str(shown.subject_id) == victim["id"] and shown.basis == "none"

    # Otherton answers once, linking a subject it holds.
    theirs = await record(viewer, perpetrator())
    url = f"{API}/{view['id']}/information-requests/{request['id']}"
    answer = {
        "response": "Dorian Pellow is a tenant; two warnings were issued in September.",
        "responded_on": "2026-10-20",
        "subjects": [{"subject_id": theirs["id"], "role": "perpetrator"}],
    }
    assert_problem(await viewer.post(f"{url}/response", json=answer), 428)
    assert_problem(
        await officer.post(f"{url}/response", json=answer, headers={"If-Match": '"1"'}), 404
    )
    answered = await viewer.post(f"{url}/response", json=answer, headers={"If-Match": '"1"'})
    body = await ok(answered)
    assert body["responded_on"] == "2026-10-20" and body["subjects"][0]["name"] == "Dorian Pellow"
    twice = await viewer.post(
        f"{url}/response", json=answer, headers={"If-Match": answered.headers["etag"]}
    )
    assert_problem(twice, 409)

    # The coordinator's agency reads Otherton's answer through the gate: a
    # disclosure of the subject Otherton holds, and a ledger entry.
    read = await ok(await coordinator.get(url))
    assert read["response"].startswith("Dorian Pellow is a tenant")
    assert read["subjects"][0]["name"] == "Dorian Pellow"  # not a protected role
    [answer_read] = await disclosures(settings, context_kind="case_review_information_response")
    assert str(answer_read.subject_id) == theirs["id"]
    assert str(answer_read.holding_agency_id) == reviews.other_id
    assert str(answer_read.viewer_agency_id) == reviews.home_id
    assert answer_read.purpose == "asb_case_review" and answer_read.basis == "protocol"
    assert answer_read.decision["identity"]["gateway"] == "asbcpa2014_sch4_para7"
    engine, sessions = await database(settings)
    async with sessions() as db:
        entries = (
            await db.scalars(select(LedgerEntry.body).where(LedgerEntry.kind == "disclosure"))
        ).all()
    await engine.dispose()
    assert any(str(answer_read.id) in entry for entry in entries)
    assert not any("Pellow" in entry or "Thwaite" in entry for entry in entries)

    # The meeting, the outcome with a recommendation to Otherton, the applicant told.
    tag = await tag_of(coordinator, view["id"])
    held = await ok(
        await step(coordinator, view["id"], "review-meeting", {"held_on": "2026-11-02"}, tag)
    )
    assert held["status"] == "review_held"
    assert clock(held, "review_meeting")["breached"] is True  # due 29 October
    outcome = {
        "recorded_on": "2026-11-03",
        "summary": "The response was not joined up; the council and police will act together.",
        "recommendations": [
            {"agency_id": reviews.other_id, "recommendation": "Start tenancy enforcement."}
        ],
    }
    recorded = await step(
        coordinator, view["id"], "outcome", outcome, await tag_of(coordinator, view["id"])
    )
    view = await ok(recorded)
    assert view["status"] == "outcome_recorded"
    [recommendation] = view["recommendations"]
    # Closing needs the applicant told of the outcome.
    shut = await step(coordinator, view["id"], "closure", {}, recorded.headers["etag"])
    assert "applicant was told" in assert_problem(shut, 409)["detail"]
    told = await step(
        coordinator,
        view["id"],
        "applicant-told",
        {"of": "outcome", "told_on": "2026-11-04"},
        recorded.headers["etag"],
    )
    assert (await ok(told))["applicant_told_outcome_on"] == "2026-11-04"
    # Dissatisfied with the outcome: not before the outcome was recorded.
    too_early = await step(
        coordinator,
        view["id"],
        "escalation",
        {"requested_on": "2026-11-01", "reason": "The applicant disputes the outcome."},
        told.headers["etag"],
    )
    assert "the outcome" in assert_problem(too_early, 422, "requested_on")["detail"]

    # Otherton records its response to the recommendation (If-Match: its version).
    rec_url = f"{API}/{view['id']}/recommendations/{recommendation['id']}/response"
    response = {"response": "Notice served on 10 November.", "responded_on": "2026-11-10"}
    assert_problem(await officer.post(rec_url, json=response, headers={"If-Match": '"1"'}), 404)
    assert_problem(await viewer.post(rec_url, json=response, headers={"If-Match": '"2"'}), 412)
    view = await ok(await viewer.post(rec_url, json=response, headers={"If-Match": '"1"'}))
    assert view["recommendations"][0]["response"] == "Notice served on 10 November."

    closed = await step(
        coordinator, view["id"], "closure", {"closed_on": "2026-11-12"}, told.headers["etag"]
    )
    view = await ok(closed)
    assert view["status"] == "closed" and view["closed_on"] == "2026-11-12"
    assert view["next_steps"] == []
    wrong = await step(
        coordinator,
        view["id"],
        "escalation",
        {"reason": "Not happy at all."},
        closed.headers["etag"],
    )
    assert "steps open now: none" in assert_problem(wrong, 409)["detail"]


async def test_complaints_too_old_leave_the_decision_to_the_coordinator(reviews):
    officer, coordinator = reviews.officer, reviews.coordinator
    route = "Office of the Police and Crime Commissioner for Testshire"
    await ok(
        await coordinator.put(
            f"{PROCEDURES}/{AREA}",
            json={"escalation_route": route, "source": "Testshire case review procedure v2"},
        )
    )
    victim = await record(officer, complainant())
    created = await officer.post(
        f"{API}/", json=application(victim["id"], reviews.home_id, pairs=STALE)
    )
    view = await ok(created, 201)
    assert view["status"] == "awaiting_discretion" and view["decision"] is None
    assert view["threshold"]["met"] is False
    assert view["threshold"]["qualifying_complaints"] == 0
    assert not any(c["qualifies"] for c in view["complaints"])
    notes = [r["reason"] for r in view["threshold"]["reasons"] if r["code"] == "not_qualifying"]
    assert len(notes) == 3 and all("more than 6 months before the application" in n for n in notes)
    assert view["procedure_source"] == "Testshire case review procedure v2"
    tag = created.headers["etag"]

    decline = {
        "decision": "decline",
        "factors": [
            {"factor": "persistence", "finding": "does_not_support_review"},
            {"factor": "adequacy_of_response", "finding": "does_not_support_review"},
        ],
        "reasons": "No incident since February; both agencies responded within target.",
    }
    first = await step(coordinator, view["id"], "discretionary-decision", decline, tag)
    assert "acknowledge the application first" in assert_problem(first, 409)["detail"]
    acknowledged = await step(
        coordinator, view["id"], "acknowledgement", {"acknowledged_on": "2026-10-02"}, tag
    )
    tag = acknowledged.headers["etag"]
    accept = {**decline, "decision": "accept"}
    assert_problem(
        await step(coordinator, view["id"], "discretionary-decision", accept, tag), 422, "factors"
    )
    twice = {**decline, "factors": decline["factors"] + [decline["factors"][0]]}
    assert_problem(
        await step(coordinator, view["id"], "discretionary-decision", twice, tag), 422, "factors"
    )
    future = {**decline, "decided_on": "2099-01-01"}
    assert_problem(
        await step(coordinator, view["id"], "discretionary-decision", future, tag),
        422,
        "decided_on",
    )
    declined = await step(
        coordinator,
        view["id"],
        "discretionary-decision",
        {**decline, "decided_on": "2026-10-16"},
        tag,
    )
    view = await ok(declined)
    assert view["status"] == "declined"
    decision = view["decision"]
    assert decision["decided_by"] == "coordinator" and decision["decision"] == "declined"
    assert [(r["code"], r["met"]) for r in decision["reasons"]] == [
        ("persistence", False),
        ("adequacy_of_response", False),
    ]
    assert decision["reasons"][0]["citation"].endswith("section 104(5)(a)")
    assert decision["note"].startswith("No incident since February")
    # A declined application has no meeting to hold.
    assert clock(view, "review_meeting")["due_on"] is None
    assert set(view["next_steps"]) == {"tell_threshold_decision"}

    tag = declined.headers["etag"]
    escalation = {"requested_on": "2026-10-25", "reason": "The applicant says the noise goes on."}
    early = await step(coordinator, view["id"], "escalation", escalation, tag)
    assert "threshold decision" in assert_problem(early, 409)["detail"]
    told = await step(
        coordinator,
        view["id"],
        "applicant-told",
        {"of": "threshold_decision", "told_on": "2026-10-19"},
        tag,
    )
    escalated = await step(coordinator, view["id"], "escalation", escalation, told.headers["etag"])
    view = await ok(escalated)
    assert view["status"] == "escalated" and view["escalated_on"] == "2026-10-25"
    assert view["escalation_route"] == route
    assert view["escalation_reason"] == escalation["reason"]
    assert view["next_steps"] == ["close"]
    closed = await step(
        coordinator, view["id"], "closure", {"closed_on": "2026-11-01"}, escalated.headers["etag"]
    )
    assert (await ok(closed))["status"] == "closed"


async def test_a_hate_incident_from_an_asb_report_meets_the_hate_variant(reviews):
    officer = reviews.officer
    victim = await record(officer, complainant())
    report = await ok(
        await officer.post(
            "/api/asb-reports/",
            json={
                "channel": "phone",
                "received_at": "2026-09-02T08:30:00Z",
                "incident_on": "2026-09-01",
                "category": "hate_incident",
                "perceived_motivation": "race",
                "narrative": "Abuse shouted at the door.",
                "subjects": [{"subject_id": victim["id"], "role": "complainant"}],
            },
        ),
        201,
    )
    body = application(victim["id"], reviews.home_id, complaints=[{"asb_report_id": report["id"]}])
    view = await ok(await officer.post(f"{API}/", json=body), 201)
    assert view["status"] == "threshold_met"
    assert view["complaints"] == [
        {
            "behaviour_on": "2026-09-01",
            "complained_on": "2026-09-02",
            "agency_id": reviews.home_id,
            "hate_incident": True,
            "asb_report_id": report["id"],
            "qualifies": True,
        }
    ]
    met = {r["code"]: r["met"] for r in view["threshold"]["reasons"]}
    assert met == {"qualifying_complaints": False, "hate_incident": True}

    # The report's dates are the complaint's; another agency's report is not yours to cite.
    mixed = [{"asb_report_id": report["id"], "behaviour_on": "2026-09-01"}]
    assert_problem(
        await officer.post(f"{API}/", json={**body, "complaints": mixed}), 422, "complaints[0]"
    )
    contradicted = [{"asb_report_id": report["id"], "hate_incident": False}]
    assert_problem(
        await officer.post(f"{API}/", json={**body, "complaints": contradicted}),
        422,
        "complaints[0].hate_incident",
    )
    theirs = await record(reviews.viewer, complainant())
    assert_problem(
        await reviews.viewer.post(
            f"{API}/",
            json=application(
                theirs["id"], reviews.other_id, complaints=[{"asb_report_id": report["id"]}]
            ),
        ),
        422,
        "complaints[0].asb_report_id",
    )


# --- the applicant --------------------------------------------------------------------------


async def test_a_representative_applies_only_with_the_victims_live_consent(reviews, settings):
    officer, coordinator = reviews.officer, reviews.coordinator
    victim = await record(officer, complainant())
    body = application(
        victim["id"],
        reviews.home_id,
        applicant_type="representative",
        representative={"name": "Councillor Ada Brennock", "relationship": "ward councillor"},
    )
    refused = assert_problem(await officer.post(f"{API}/", json=body), 422, "victim_subject_id")
    assert "none is recorded" in refused["detail"]
    assert "Brennock" not in refused["detail"] and "Thwaite" not in refused["detail"]

    consents = f"/api/subjects/{victim['id']}/consents"
    # Consent for ASB case management does not cover a case review.
    await ok(await officer.post(consents, json=consent_body(reviews)), 201)
    assert_problem(await officer.post(f"{API}/", json=body), 422, "victim_subject_id")
    given = await ok(
        await officer.post(consents, json=consent_body(reviews, purposes=["asb_case_review"])), 201
    )
    await ok(await officer.post(f"{consents}/{given['id']}/withdrawal", json={"how": "written"}))
    withdrawn = assert_problem(await officer.post(f"{API}/", json=body), 422, "victim_subject_id")
    assert "withdrawn" in withdrawn["detail"]
    assert await count_reviews(settings) == 0  # nothing written

    await ok(
        await officer.post(consents, json=consent_body(reviews, purposes=["asb_case_review"])), 201
    )
    created = await officer.post(f"{API}/", json=body)
    view = await ok(created, 201)
    assert view["representative"] == {
        "name": "Councillor Ada Brennock",
        "relationship": "ward councillor",
    }
    # A body asked for information learns that a representative applied, not who.
    acknowledged = await step(
        coordinator, view["id"], "acknowledgement", {}, created.headers["etag"]
    )
    await ok(
        await step(
            coordinator,
            view["id"],
            "information-requests",
            {"agencies": [reviews.other_id]},
            acknowledged.headers["etag"],
        )
    )
    seen = await ok(await reviews.viewer.get(f"{API}/{view['id']}"))
    assert seen["representative"] == {"name": None, "relationship": "ward councillor"}
    assert_problem(
        await officer.post(f"{API}/", json={**body, "representative": None}), 422, "representative"
    )
    own = application(
        victim["id"],
        reviews.home_id,
        representative={"name": "Councillor Ada Brennock", "relationship": "ward councillor"},
    )
    assert_problem(await officer.post(f"{API}/", json=own), 422, "representative")


async def test_bad_applications_are_refused_whole(reviews, settings):
    officer = reviews.officer
    victim = await record(officer, complainant())
    good = application(victim["id"], reviews.home_id)

    async def refused(status: int, field: str | None, **changes: Any) -> None:
        response = await officer.post(f"{API}/", json={**good, **changes})
        assert_problem(response, status, field)

    assert_problem(await officer.get(f"{API}/not-an-id"), 400)
    assert_problem(await officer.get(f"{API}/{victim['id']}"), 404)
    await refused(400, "colour", colour="red")
    await refused(400, None, complaints=[])
    await refused(400, None, applicant_type="neighbour")
    await refused(422, "received_on", received_on="2099-01-01")
    await refused(422, "area", area="Nowhere")
    await refused(422, "victim_subject_id", victim_subject_id=None)
    await refused(422, "victim_name", victim_name="Larkspur Close residents")
    await refused(422, "victim_name", victim_type="group", victim_subject_id=None)
    theirs = await record(reviews.viewer, complainant())
    await refused(422, "victim_subject_id", victim_subject_id=theirs["id"])
    await refused(422, "complaints[0].behaviour_on", complaints=[{"complained_on": "2026-09-01"}])
    await refused(
        422,
        "complaints[0].complained_on",
        complaints=complaints(reviews.home_id, ("2026-09-05", "2026-09-01")),
    )
    await refused(
        422,
        "complaints[0].complained_on",
        complaints=complaints(reviews.home_id, ("2026-09-05", "2026-10-05")),
    )
    await refused(
        422,
        "complaints[0].agency_id",
        complaints=complaints(reviews.home_id[:-4] + "0000", ("2026-09-01", "2026-09-02")),
    )
    assert await count_reviews(settings) == 0
    # A group named without a subject record is a victim too.
    group = {**good, "victim_type": "group", "victim_subject_id": None}
    view = await ok(
        await officer.post(f"{API}/", json={**group, "victim_name": "Larkspur Close residents"}),
        201,
    )
    assert view["victim"] is None and view["victim_name"] == "Larkspur Close residents"


# --- every person of the case review, through the gate -------------------------------------


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


async def asked(reviews, body: dict, *agencies: str) -> dict:
    """An application made, acknowledged and the bodies asked for information."""
    created = await reviews.officer.post(f"{API}/", json=body)
    view = await ok(created, 201)
    acknowledged = await step(
        reviews.coordinator, view["id"], "acknowledgement", {}, created.headers["etag"]
    )
    requested = await step(
        reviews.coordinator,
        view["id"],
        "information-requests",
        {"agencies": list(agencies)},
        acknowledged.headers["etag"],
    )
    return await ok(requested)


async def test_an_answer_naming_the_victim_reaches_another_body_as_victim_a(reviews, settings):
    officer, viewer = reviews.officer, reviews.viewer
    victim = await record(officer, complainant())
    view = await asked(
        reviews, application(victim["id"], reviews.home_id), reviews.other_id, reviews.home_id
    )
    # The police (the receiving agency, asked as a relevant body too) answer,
    # naming the victim they hold.
    ours = next(r for r in view["information_requests"] if r["agency_id"] == reviews.home_id)
    url = f"{API}/{view['id']}/information-requests/{ours['id']}"
    answer = {
        "response": "Police attended 14 Larkspur Close on 4 August; Imogen Thwaite gave a "
        "statement about the shouting."
    }
    answered = await officer.post(f"{url}/response", json=answer, headers={"If-Match": '"1"'})
    assert (await ok(answered))["response"] == answer["response"]  # its own, as written

    # Otherton, asked too, reads the police's answer: the victim of the case
    # review is a subject of it, withheld as in the review itself.
    read = await viewer.get(url)
    seen = await ok(read)
    assert "Victim A" in seen["response"] and "gave a statement" in seen["response"]
    for part in ("Imogen", "Thwaite", "Larkspur"):
        assert part not in read.text, part
    assert seen["subjects"] == []  # the police linked nobody to the answer itself
    [row] = await disclosures(
        settings,
        context_kind="case_review_information_response",
        viewer_agency_id=uuid.UUID(reviews.other_id),
    )
    assert str(row.subject_id) == victim["id"] and row.basis == "none"
    assert "name" in row.withheld and str(row.context_id) == ours["id"]


def test_a_representatives_title_is_not_their_name():
    assert person_name("Councillor Ada Brennock") == "Ada Brennock"
    assert person_name("Cllr. Ada Brennock MP") == "Ada Brennock"
    assert person_name("Dr Lord") == "Lord"  # a name that is only a title stays a name
    assert person_name("Ada Brennock") == "Ada Brennock"


async def test_the_representative_is_a_person_the_other_bodies_do_not_see(reviews, settings):
    officer = reviews.officer
    victim = await record(officer, complainant())
    consents = f"/api/subjects/{victim['id']}/consents"
    await ok(
        await officer.post(consents, json=consent_body(reviews, purposes=["asb_case_review"])), 201
    )
    name = fictional(7).name
    first, last = name.split()
    body = application(
        victim["id"],
        reviews.home_id,
        applicant_type="representative",
        representative={"name": f"Councillor {name}", "relationship": "ward councillor"},
        narrative=f"Councillor {name} applies for Imogen Thwaite; {last} has heard the "
        "shouting at her door herself.",
    )
    view = await asked(reviews, body, reviews.other_id)
    # The receiving agency: the name as the application gave it, and the person.
    assert view["representative"] == {
        "name": f"Councillor {name}",
        "relationship": "ward councillor",
    }
    person = view["representative_person"]
    assert person["name"] == name and person["role"] == "representative"
    assert f"Councillor {name}" in view["narrative"]

    # Otherton: a representative applied, not who, in the narrative too.
    read = await reviews.viewer.get(f"{API}/{view['id']}")
    seen = await ok(read)
    assert seen["representative"] == {"name": None, "relationship": "ward councillor"}
    assert seen["representative_person"]["name"] is None
    assert seen["representative_person"]["pseudonym"] == "Representative A"
    # (The victim consented to Otherton seeing her for the case review: she is named.)
    assert "Representative A" in seen["narrative"] and "Imogen Thwaite" in seen["narrative"]
    for part in (first, last):
        assert part not in read.text, part
    [row] = await disclosures(
        settings,
        subject_id=uuid.UUID(person["subject_id"]),
        viewer_agency_id=uuid.UUID(reviews.other_id),
    )
    assert row.basis == "none" and "name" in row.withheld and row.context_kind == "case_review"

    # The panel's case view: the representative is among the material's people,
    # so the application is redacted for them as for the victim.
    gate = gate_for(settings)
    engine, sessions = await database(settings)
    try:
        async with sessions() as db:
            material = await material_of(db, "case_review", uuid.UUID(view["id"]), gate)
            assert material is not None
            assert [(str(s.subject.id), s.role) for s in material.subjects] == [
                (victim["id"], SubjectRole.VICTIM),
                (person["subject_id"], SubjectRole.REPRESENTATIVE),
            ]
            panel = await disclose(
                db,
                gate,
                viewer=Viewer(uuid.UUID(reviews.other_id)),
                purpose=Purpose.ASB_CASE_REVIEW,
                subjects=material.subjects,
                texts=material.texts,
                texts_held_by=material.holder_agency_id,
                context_kind="meeting_case",
                context_id=material.source_id,
            )
            application_text = panel.texts["application"] or ""
            assert "Representative A" in application_text
            assert first not in application_text and last not in application_text
    finally:
        await engine.dispose()


async def test_a_representative_held_already_is_linked_not_recorded_again(reviews, settings):
    officer = reviews.officer
    victim = await record(officer, complainant())
    consents = f"/api/subjects/{victim['id']}/consents"
    await ok(
        await officer.post(consents, json=consent_body(reviews, purposes=["asb_case_review"])), 201
    )
    name = fictional(8).name
    held = await record(officer, {"role": "representative", "identity": {"name": name}})

    def by(representative: dict) -> dict:
        return application(
            victim["id"],
            reviews.home_id,
            applicant_type="representative",
            representative=representative,
        )

    linked = {"subject_id": held["id"], "relationship": "daughter"}
    view = await ok(await officer.post(f"{API}/", json=by(linked)), 201)
    assert view["representative_person"]["subject_id"] == held["id"]
    assert view["representative"] == {"name": name, "relationship": "daughter"}

    theirs = await record(reviews.viewer, {"role": "representative", "identity": {"name": name}})
    for representative, field in [
        ({**linked, "name": name}, "representative"),
        ({"relationship": "daughter"}, "representative"),
        ({**linked, "subject_id": theirs["id"]}, "representative.subject_id"),
        ({**linked, "subject_id": victim["id"]}, "representative.subject_id"),
    ]:
        refused = await officer.post(f"{API}/", json=by(representative))
        assert_problem(refused, 422, field)
        assert name not in refused.text
    assert await count_reviews(settings) == 1


# --- the clocks -------------------------------------------------------------------------------


async def test_clocks_run_in_working_days_over_bank_holidays(reviews):
    officer, coordinator = reviews.officer, reviews.coordinator
    # Ten working days from Tuesday 23 December 2025, over Christmas, Boxing
    # Day and New Year's Day: Friday 9 January 2026.
    expected = add_working_days(date(2025, 12, 23), Clocks().acknowledge_working_days)
    assert expected == date(2026, 1, 9)
    # The same clock a year on, over the substitute day for Boxing Day (Monday
    # 28 December 2026): Monday 11 January 2027.
    assert add_working_days(date(2026, 12, 23), 10) == date(2027, 1, 11)
    victim = await record(officer, complainant())
    winter = (
        ("2025-11-20", "2025-11-21"),
        ("2025-12-01", "2025-12-02"),
        ("2025-12-15", "2025-12-16"),
    )
    created = await officer.post(
        f"{API}/",
        json=application(victim["id"], reviews.home_id, pairs=winter, received_on="2025-12-23"),
    )
    view = await ok(created, 201)
    assert clock(view, "acknowledge")["due_on"] == "2026-01-09"
    # Twenty working days from the decision on 23 December: 23 January 2026.
    assert clock(view, "review_meeting")["due_on"] == "2026-01-23"
    on_time = await ok(
        await officer.post(f"{API}/", json=application(victim["id"], reviews.home_id)), 201
    )

    breached = await ok(await coordinator.get(f"{API}/", params={"breached": True}))
    assert {r["id"] for r in breached["items"]} == {view["id"], on_time["id"]}
    acknowledged = await step(
        coordinator,
        view["id"],
        "acknowledgement",
        {"acknowledged_on": "2026-01-09"},
        created.headers["etag"],
    )
    # Acknowledged on the last day; the decision clock then runs 15 working days.
    after = await ok(acknowledged)
    assert clock(after, "acknowledge")["breached"] is False
    assert clock(after, "threshold_decision")["due_on"] == "2026-01-30"
    # The meeting is still not held, long after 23 January.
    listed = await ok(await coordinator.get(f"{API}/", params={"breached": True}))
    summary = next(i for i in listed["items"] if i["id"] == view["id"])
    assert summary["breached_clocks"] == ["review_meeting"]
    # An area's own clocks govern applications received after it sets them.
    await ok(
        await coordinator.put(
            f"{PROCEDURES}/{AREA}",
            json={
                "acknowledge_working_days": 5,
                "escalation_route": "The PCC",
                "source": "Testshire procedure v3",
            },
        )
    )
    later = await ok(
        await officer.post(
            f"{API}/",
            json=application(victim["id"], reviews.home_id, pairs=winter, received_on="2025-12-23"),
        ),
        201,
    )
    # Five working days from 23 December 2025: Friday 2 January 2026.
    assert clock(later, "acknowledge")["working_days"] == 5
    assert clock(later, "acknowledge")["due_on"] == "2026-01-02"
    # ...and not those received before.
    again = await ok(await coordinator.get(f"{API}/{view['id']}"))
    assert clock(again, "acknowledge")["working_days"] == 10


async def test_changes_need_the_version_read(reviews):
    officer, coordinator = reviews.officer, reviews.coordinator
    victim = await record(officer, complainant())
    created = await officer.post(f"{API}/", json=application(victim["id"], reviews.home_id))
    view = await ok(created, 201)
    url = f"{API}/{view['id']}/acknowledgement"
    assert_problem(await coordinator.post(url, json={}), 428)
    assert_problem(await coordinator.post(url, json={}, headers={"If-Match": "*"}), 400, "If-Match")
    assert_problem(await coordinator.post(url, json={}, headers={"If-Match": '"7"'}), 412)
    done = await coordinator.post(url, json={}, headers={"If-Match": created.headers["etag"]})
    assert (await ok(done))["version"] == 2
    stale = await step(
        coordinator,
        view["id"],
        "applicant-told",
        {"of": "threshold_decision"},
        created.headers["etag"],
    )
    assert_problem(stale, 412)
    assert_problem(
        await step(
            coordinator,
            view["id"],
            "acknowledgement",
            {"acknowledged_on": "2026-09-30"},
            done.headers["etag"],
        ),
        409,
    )


# --- who sees what ---------------------------------------------------------------------------


async def test_another_agency_sees_a_review_only_when_asked_and_connected(
    partners,  # noqa: F811
    settings,
):
    """Without a protocol for case reviews, even a body asked is told nothing."""
    officer, viewer = partners.officer, partners.viewer
    coordinator = await partners.person("cr-coordinator", ["asb_case_review_coordinator"])
    group = application(
        None, partners.home_id, victim_type="business", victim_name="Larkspur Stores Ltd"
    )
    created = await officer.post(f"{API}/", json=group)
    view = await ok(created, 201)
    acknowledged = await step(
        coordinator, view["id"], "acknowledgement", {}, created.headers["etag"]
    )
    # A coordinator (at Otherton) for another area is told nothing; one for
    # this area is told it exists, but reads nothing without a protocol.
    elsewhere = await partners.person("cr-elsewhere", [], OTHER_PROVIDER_SLUG)
    my_id = (await elsewhere.get("/me")).json()["id"]
    for area, listed in [("Fenby", 0), ("testshire", 1)]:
        grant = {"user_id": my_id, "role": "asb_case_review_coordinator", "area": area}
        await ok(await partners.admin.post("/api/role-assignments/", json=grant), 201)
        assert_problem(await elsewhere.get(f"{API}/{view['id']}"), 404)
        assert (await ok(await elsewhere.get(f"{API}/")))["total"] == listed

    asked = await step(
        coordinator,
        view["id"],
        "information-requests",
        {"agencies": [partners.other_id]},
        acknowledged.headers["etag"],
    )
    view = await ok(asked)
    request_url = f"{API}/{view['id']}/information-requests/{view['information_requests'][0]['id']}"
    assert_problem(await viewer.get(f"{API}/{view['id']}"), 404)
    assert_problem(await viewer.get(request_url), 404)
    assert (await ok(await viewer.get(f"{API}/")))["total"] == 1  # a summary holds no one

    await signed(partners, purposes=[case_review_purpose()])
    seen = await ok(await viewer.get(f"{API}/{view['id']}"))
    assert seen["victim_name"] == "Larkspur Stores Ltd"
    # No subject in it, so no disclosure row; the read is on the ledger all the same.
    assert await disclosures(settings) == []
    engine, sessions = await database(settings)
    async with sessions() as db:
        entries = (
            await db.scalars(select(LedgerEntry.body).where(LedgerEntry.kind == "disclosure"))
        ).all()
    await engine.dispose()
    assert len(entries) == 1 and view["id"] in entries[0] and "Larkspur" not in entries[0]
    # The body asked answers; the receiving agency's own officer reads it.
    answered = await viewer.post(
        f"{request_url}/response",
        json={"response": "No record of the shop at the council."},
        headers={"If-Match": '"1"'},
    )
    assert (await ok(answered))["subjects"] == []
    assert (await ok(await officer.get(request_url)))["response"].startswith("No record")


# --- the area's procedure ---------------------------------------------------------------------


async def test_an_area_sets_its_own_procedure(reviews):
    officer, coordinator = reviews.officer, reviews.coordinator
    url = f"{PROCEDURES}/{AREA}"
    default = await ok(await officer.get(url))
    assert default["is_default"] and default["qualifying_complaints"] == 3
    assert default["acknowledge_working_days"] == 10 and default["meeting_working_days"] == 20
    assert_problem(await officer.get(f"{PROCEDURES}/Nowhere"), 404)

    own = {
        "qualifying_complaints": 2,
        "hate_incident_complaints": 1,
        "escalation_route": "Office of the Police and Crime Commissioner for Testshire",
        "source": "Testshire ASB case review procedure v3 (2026)",
    }
    assert_problem(await officer.put(url, json=own), 403)
    assert_problem(await coordinator.put(url, json={**own, "qualifying_complaints": 4}), 400)
    assert_problem(
        await coordinator.put(url, json={**own, "application_within_months": 3}),
        422,
        "application_within_months",
    )
    assert_problem(
        await coordinator.put(url, json={**own, "hate_incident_complaints": 3}),
        422,
        "hate_incident_complaints",
    )
    set_once = await coordinator.put(url, json=own)
    procedure = await ok(set_once)
    assert procedure["version"] == 1 and not procedure["is_default"]
    assert_problem(await coordinator.put(url, json=own), 428)
    changed = await coordinator.put(
        url.lower(),  # one procedure per area, whatever the case
        json={**own, "meeting_working_days": 25},
        headers={"If-Match": set_once.headers["etag"]},
    )
    assert (await ok(changed))["meeting_working_days"] == 25
    assert_problem(
        await coordinator.put(url, json=own, headers={"If-Match": set_once.headers["etag"]}), 412
    )
    # Two complaints now meet the area's threshold.
    victim = await record(officer, complainant())
    two = application(victim["id"], reviews.home_id, pairs=RECENT[:2])
    view = await ok(await officer.post(f"{API}/", json=two), 201)
    assert view["status"] == "threshold_met"
    assert view["procedure_source"] == "Testshire ASB case review procedure v3 (2026)"
    # A coordinator for another area may not set this one.
    elsewhere = await reviews.person("cr-elsewhere", [])
    my_id = (await elsewhere.get("/me")).json()["id"]
    grant = {"user_id": my_id, "role": "asb_case_review_coordinator", "area": "Otherton"}
    await ok(await reviews.admin.post("/api/role-assignments/", json=grant), 201)
    refused = await elsewhere.put(url, json=own, headers={"If-Match": changed.headers["etag"]})
    assert "coordinator for the area" in assert_problem(refused, 403)["detail"]
    # Their agency received the application, so they see it, but it is not theirs to manage.
    assert (await ok(await elsewhere.get(f"{API}/{view['id']}")))["id"] == view["id"]
    assert_problem(await step(elsewhere, view["id"], "acknowledgement", {}, '"1"'), 403)
    assert (await ok(await elsewhere.put(f"{PROCEDURES}/Otherton", json=own)))["area"] == "Otherton"


# --- figures ----------------------------------------------------------------------------------


async def test_figures_for_a_period_count_without_naming_anyone(reviews):
    officer, coordinator = reviews.officer, reviews.coordinator
    victim = await record(officer, complainant())

    async def applied(pairs, received_on: str) -> tuple[str, str]:
        created = await officer.post(
            f"{API}/",
            json=application(victim["id"], reviews.home_id, pairs=pairs, received_on=received_on),
        )
        body = await ok(created, 201)
        done = await step(
            coordinator,
            body["id"],
            "acknowledgement",
            {"acknowledged_on": received_on},
            created.headers["etag"],
        )
        return body["id"], done.headers["etag"]

    # Held, with a recommendation.
    first, tag = await applied(RECENT, "2026-10-01")
    held = await step(coordinator, first, "review-meeting", {"held_on": "2026-10-20"}, tag)
    outcome = {
        "recorded_on": "2026-10-21",
        "summary": "Joint visit agreed.",
        "recommendations": [{"agency_id": reviews.home_id, "recommendation": "Visit weekly."}],
    }
    await ok(await step(coordinator, first, "outcome", outcome, held.headers["etag"]))
    # Held, without recommendations.
    second, tag = await applied(RECENT, "2026-10-02")
    held = await step(coordinator, second, "review-meeting", {"held_on": "2026-10-22"}, tag)
    await ok(
        await step(
            coordinator, second, "outcome", {"summary": "Response adequate."}, held.headers["etag"]
        )
    )
    # Declined at discretion.
    third, tag = await applied(STALE, "2026-10-05")
    decline = {
        "decision": "decline",
        "decided_on": "2026-10-09",
        "factors": [{"factor": "harm", "finding": "does_not_support_review"}],
        "reasons": "No harm reported since February.",
    }
    await ok(await step(coordinator, third, "discretionary-decision", decline, tag))
    # Awaiting a decision.
    await applied(STALE, "2026-10-06")
    # Outside the period.
    await applied(RECENT, "2026-09-30")

    figures_url = f"{API}/figures"
    period = {"area": "testshire", "from": "2026-10-01", "to": "2026-10-31"}
    figures = await ok(await coordinator.get(figures_url, params=period))
    assert {k: v for k, v in figures.items() if k not in ("citation", "area")} == {
        "period_from": "2026-10-01",
        "period_to": "2026-10-31",
        "applications": 4,
        "threshold_not_met": 1,
        "reviews_held": 2,
        "reviews_with_recommendations": 1,
        "awaiting_decision": 1,
    }
    assert "section 104" in figures["citation"]
    ig = await reviews.person("home-ig-figures", ["information_governance_lead"])
    september = await ok(
        await ig.get(figures_url, params={**period, "from": "2026-09-01", "to": "2026-09-30"})
    )
    assert september["applications"] == 1 and september["reviews_held"] == 0
    assert_problem(
        await coordinator.get(figures_url, params={**period, "to": "2026-09-01"}), 422, "to"
    )
    assert_problem(await coordinator.get(figures_url, params={**period, "area": "Nowhere"}), 404)
    assert_problem(await coordinator.get(figures_url, params={"area": AREA}), 400)
    assert_problem(await officer.get(figures_url, params=period), 403)
