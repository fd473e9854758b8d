"""MAPPA referrals over HTTP: referred by a responsible authority (the home
agency, a police force), screened, managed at a level reviewed on the
guidance's clock, shared with invited duty-to-co-operate agencies through the
disclosure gate with the restricted identifiers withheld, and closed. Then the
pure parts: the review clock, the reference checks and their redaction, and
the arrangements file.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from helpers import assert_problem
from sharehub.audit.events import MemorySink
from sharehub.audit.models import LedgerEntry
from sharehub.calendar import is_working_day, local_today
from sharehub.crypto import BlindIndex, FieldCipher
from sharehub.db.base import utcnow
from sharehub.db.engine import create_engine, create_session_factory
from sharehub.disclosure.context import GateContext
from sharehub.disclosure.gate import Viewer, disclose, render
from sharehub.identity.principal import Principal, RoleHeld
from sharehub.meetings.cases import material_of
from sharehub.privacy.models import Disclosure
from sharehub.protocols.engine import SubjectRole
from sharehub.protocols.gateways import default_rules
from sharehub.protocols.terms import Purpose
from sharehub.referrals.mappa import references
from sharehub.referrals.mappa.arrangements import (
    DEFAULT_FILE,
    ArrangementsFileError,
    default_arrangements,
    load_arrangements,
    next_review,
)
from sharehub.referrals.mappa.models import MappaLevelDecision, MappaReferral
from sharehub.referrals.mappa.service import coordinates
from support.people import fictional
from support.signin import OTHER_PROVIDER_SLUG
from test_privacy import ok, partners, record  # noqa: F401
from test_protocols import cast, signed  # noqa: F401

API = "/api/mappa-referrals"
# Fictional references, in the forms each system issues.
PNC_ID, CRN, VISOR_REF = "2011/0456789T", "D482913", "31HX0042A7"
REFERENCE_VALUES = (PNC_ID, "0456789", CRN, "482913", VISOR_REF, "0042A7")


def mappa_purpose() -> dict[str, Any]:
    return {
        "purpose": "mappa",
        "categories": [
            {"category": "identity", "article6": "e_public_task", "retention_days": 730},
            {"category": "risk_assessment", "article6": "e_public_task", "retention_days": 730},
            {
                "category": "criminal_offence_data",
                "article6": "e_public_task",
                "schedule1": "para_10_preventing_or_detecting_unlawful_acts",
                "retention_days": 730,
            },
        ],
        "gateways": ["cja2003_s325"],
    }


def offender() -> dict[str, Any]:
    return {
        "role": "offender",
        "identity": {
            "name": "Corwin Ashdale",
            "date_of_birth": "1979-11-02",
            "address": ["7 Fennel Row", "Pennick Moor"],
            "phone": "07700 900733",
        },
    }


def referral(subject_id: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "offender_subject_id": subject_id,
        "area": "testshire",  # the home agency serves "Testshire": matched ignoring case
        "category": 2,
        "proposed_level": 2,
        "proposed_level_reason": "Housing, licence conditions and the victim's safety need "
        "managing together.",
        "summary": (
            "Corwin Ashdale (PNC ID 2011/0456789T, nDelius CRN: d482913) was released on "
            "licence on 3 November. ViSOR ref 31HX 0042A7. A co-defendant, PNC 09/77812K, "
            "lives nearby. PNC checks show no breach so far."
        ),
        "visor_ref": "31hx 0042a7",
        "pnc_id": "2011/0456789t",
        "crn": "d482913",
    }
    body.update(overrides)
    return body


async def step(browser, referral_id: str, name: str, tag: str, body: Any = None):
    return await browser.post(f"{API}/{referral_id}/{name}", json=body, headers={"If-Match": tag})


async def database(settings):
    engine = create_engine(settings.database_url)
    return engine, create_session_factory(engine)


@pytest.fixture
async def mappa(partners):  # noqa: F811
    """A MAPPA protocol between the home police force and Otherton Borough
    Council (a duty-to-co-operate agency), a MAPPA coordinator and chair."""
    partners.mappa_protocol = await signed(
        partners, title="Testshire MAPPA information sharing protocol", purposes=[mappa_purpose()]
    )
    partners.coordinator = await partners.person("mappa-coordinator", ["mappa_coordinator"])
    partners.chair = await partners.person("mappa-chair", ["mappa_chair"])
    return partners


async def referred(partners, **overrides: Any) -> tuple[dict[str, Any], str]:  # noqa: F811
    subject = await record(partners.officer, offender())
    created = await partners.officer.post(f"{API}/", json=referral(subject["id"], **overrides))
    return await ok(created, 201), created.headers["etag"]


async def accepted_and_shared(partners) -> tuple[dict[str, Any], str]:  # noqa: F811
    """Referred, screened in and Otherton invited; the ETag after."""
    body, tag = await referred(partners)
    accepted = await step(partners.coordinator, body["id"], "acceptance", tag)
    await ok(accepted)
    invited = await step(
        partners.coordinator,
        body["id"],
        "invitations",
        accepted.headers["etag"],
        {"agency_ids": [partners.other_id]},
    )
    return await ok(invited), invited.headers["etag"]


# --- the lifecycle ------------------------------------------------------------------


async def test_a_referral_runs_its_course(mappa):
    officer, coordinator, chair = mappa.officer, mappa.coordinator, mappa.chair
    subject = await record(officer, offender())
    created = await officer.post(f"{API}/", json=referral(subject["id"]))
    body = await ok(created, 201)
    assert created.headers["location"] == f"{API}/{body['id']}"
    assert created.headers["etag"] == '"1"' and created.headers["cache-control"] == "no-store"
    assert body["status"] == "submitted" and body["next_steps"] == ["accept", "return"]
    assert body["area"] == "Testshire" and body["category_name"].startswith("Violent")
    # The referring agency's own view: everything, references normalised.
    assert body["offender"]["name"] == "Corwin Ashdale"
    assert (body["pnc_id"], body["crn"], body["visor_ref"]) == (PNC_ID, CRN, VISOR_REF)
    assert body["identifiers_withheld"] == [] and "2011/0456789T" in body["summary"]
    referral_id, tag = body["id"], created.headers["etag"]

    # Screening is the coordinator's: the referrer may not screen their own.
    assert_problem(await step(officer, referral_id, "acceptance", tag), 403)
    returned = await step(
        coordinator,
        referral_id,
        "return",
        tag,
        {"reason": "Say which licence conditions apply and when they end."},
    )
    view = await ok(returned)
    assert view["status"] == "returned" and view["next_steps"] == ["resubmit"]
    assert view["return_reason"].startswith("Say which licence conditions")
    tag = returned.headers["etag"]
    wrong = assert_problem(await step(coordinator, referral_id, "acceptance", tag), 409)
    assert "steps open now: resubmit" in wrong["detail"]

    resubmitted = await step(
        officer,
        referral_id,
        "resubmission",
        tag,
        {
            "proposed_level": 3,
            "summary": "Licence conditions: exclusion zone and curfew until 2028. " + "x" * 20,
            "visor_ref": None,
        },
    )
    view = await ok(resubmitted)
    assert view["status"] == "submitted" and view["resubmitted"] == 1
    assert view["proposed_level"] == 3 and view["visor_ref"] is None
    assert view["pnc_id"] == PNC_ID  # what was not given stands

    accepted = await step(coordinator, referral_id, "acceptance", resubmitted.headers["etag"])
    view = await ok(accepted)
    assert view["status"] == "accepted"
    assert view["next_steps"] == ["agree_level", "invite", "close"]
    tag = accepted.headers["etag"]
    early = {"level": 2, "reason": "Reviewed before any level was agreed."}
    wrong = assert_problem(await step(chair, referral_id, "level-review", tag, early), 409)
    assert "steps open now: agree_level, invite, close" in wrong["detail"]

    # The chair agrees level 2: reviewed at least every 16 weeks.
    today = local_today()
    agreed = await step(
        chair,
        referral_id,
        "level-decision",
        tag,
        {"level": 2, "reason": "A MAPP meeting is needed to manage the exclusion zone."},
    )
    view = await ok(agreed)
    assert view["status"] == "managed" and view["level"] == 2
    due = date.fromisoformat(view["next_review_on"])
    assert due == next_review(today, default_arrangements().level(2))
    assert today + timedelta(weeks=16) - timedelta(days=4) <= due <= today + timedelta(weeks=16)
    assert is_working_day(due) and view["review_overdue"] is False
    [decision] = view["level_history"]
    assert decision["outcome"] == "agreed" and decision["previous_level"] is None
    assert "at least every 16 weeks" in decision["review_citation"]
    assert view["next_steps"] == ["review", "invite", "close"]

    tag = agreed.headers["etag"]
    future = (today + timedelta(days=3)).isoformat()
    raised = {"level": 3, "reason": "Breach of the exclusion zone; senior oversight needed."}
    assert_problem(
        await step(chair, referral_id, "level-review", tag, {**raised, "reviewed_on": future}),
        422,
        "reviewed_on",
    )
    reviewed = await step(chair, referral_id, "level-review", tag, raised)
    view = await ok(reviewed)
    assert view["level"] == 3 and view["level_name"].endswith("senior oversight")
    due = date.fromisoformat(view["next_review_on"])
    assert due == next_review(today, default_arrangements().level(3))
    assert today + timedelta(weeks=8) - timedelta(days=4) <= due <= today + timedelta(weeks=8)
    assert [(d["outcome"], d["previous_level"], d["level"]) for d in view["level_history"]] == [
        ("agreed", None, 2),
        ("changed", 2, 3),
    ]
    confirmed = await step(
        coordinator,
        referral_id,
        "level-review",
        reviewed.headers["etag"],
        {"level": 3, "reason": "Still needs senior oversight: housing not yet settled."},
    )
    view = await ok(confirmed)
    assert view["level_history"][-1]["outcome"] == "confirmed"

    invited = await step(
        coordinator,
        referral_id,
        "invitations",
        confirmed.headers["etag"],
        {"agency_ids": [mappa.other_id]},
    )
    assert (await ok(invited))["invited_agency_ids"] == [mappa.other_id]

    closed = await step(
        coordinator,
        referral_id,
        "closure",
        invited.headers["etag"],
        {"reason": "transferred", "note": "Moved to another MAPPA area; case passed on."},
    )
    view = await ok(closed)
    assert view["status"] == "closed" and view["next_steps"] == []
    assert view["close_reason"] == "transferred" and view["next_review_on"] is None
    assert len(view["level_history"]) == 3 and view["level"] == 3  # the history stays
    wrong = assert_problem(
        await step(coordinator, referral_id, "level-review", closed.headers["etag"], raised), 409
    )
    assert "steps open now: none" in wrong["detail"]

    # Changes need the version read: none is 428, an old one 412, "*" 400.
    assert_problem(
        await coordinator.post(f"{API}/{referral_id}/closure", json={"reason": "died"}), 428
    )
    assert_problem(await step(coordinator, referral_id, "closure", tag, {"reason": "died"}), 412)
    assert_problem(await step(coordinator, referral_id, "closure", "*", {"reason": "died"}), 400)


async def test_a_level_decision_cannot_predate_the_screening(mappa):
    body, tag = await referred(mappa)
    accepted = await step(mappa.coordinator, body["id"], "acceptance", tag)
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    early = {"level": 1, "reason": "Ordinary agency management will do.", "decided_on": yesterday}
    assert_problem(
        await step(mappa.chair, body["id"], "level-decision", accepted.headers["etag"], early),
        422,
        "decided_on",
    )
    # Level 1 has no MAPP meeting review: nothing falls due.
    view = await ok(
        await step(
            mappa.chair,
            body["id"],
            "level-decision",
            accepted.headers["etag"],
            {"level": 1, "reason": "Ordinary agency management will do."},
        )
    )
    assert view["level"] == 1 and view["next_review_on"] is None
    assert view["level_history"][0]["review_citation"] is None


# --- who may refer, and bad input -------------------------------------------------------


async def count_referrals(settings) -> int:
    engine, sessions = await database(settings)
    async with sessions() as db:
        total = await db.scalar(select(func.count()).select_from(MappaReferral))
    await engine.dispose()
    return total or 0


async def test_only_a_responsible_authority_refers(mappa, settings):
    # Otherton Borough Council has the duty to co-operate, but cannot refer.
    theirs = await record(mappa.viewer, offender())
    refused = await mappa.viewer.post(f"{API}/", json=referral(theirs["id"], area="Otherton"))
    problem = assert_problem(refused, 403)
    assert "not a MAPPA responsible authority" in problem["detail"]
    assert "section 325(1)" in problem["detail"]
    assert await count_referrals(settings) == 0
    engine, sessions = await database(settings)
    async with sessions() as db:
        denied = (
            await db.scalars(select(LedgerEntry).where(LedgerEntry.kind == "access_denied"))
        ).all()
    await engine.dispose()
    assert any("responsible authority" in json.loads(e.body)["event"]["reason"] for e in denied)


async def test_bad_referrals_get_422_naming_each_field_and_nothing_is_written(mappa, settings):
    officer = mappa.officer
    subject = await record(officer, offender())
    theirs = await record(mappa.viewer, offender())
    household = await record(
        officer, {"kind": "household", "role": "other", "identity": {"name": "The Ashdales"}}
    )
    bad = referral(
        subject["id"],
        pnc_id="2011-0456789T",
        crn="DD48291",
        visor_ref="AB",
        category=4,  # the further category: not enabled by default
        area="Otherton",
    )
    response = await officer.post(f"{API}/", json=bad)
    problem = assert_problem(response, 422)
    assert {e["field"] for e in problem["errors"]} == {
        "pnc_id",
        "crn",
        "visor_ref",
        "category",
        "area",
    }
    for value in ("0456789", "DD48291", "Otherton"):
        assert value not in response.text  # named, never echoed
    for subject_id, reason in [
        (theirs["id"], "no such subject held by your agency"),
        (str(uuid.uuid4()), "no such subject held by your agency"),
        (household["id"], "an offender is a person"),
    ]:
        problem = assert_problem(
            await officer.post(f"{API}/", json=referral(subject_id)), 422, "offender_subject_id"
        )
        assert reason in problem["errors"][0]["reason"]
    for field, value in [("proposed_level", 4), ("category", 0), ("summary", "")]:
        assert_problem(
            await officer.post(f"{API}/", json=referral(subject["id"], **{field: value})),
            400,
            field,
        )
    assert_problem(
        await officer.post(f"{API}/", json=referral(subject["id"], risk="high")), 400, "risk"
    )
    assert await count_referrals(settings) == 0
    assert (await ok(await officer.get(f"{API}/")))["total"] == 0

    # Bad steps change nothing either.
    body, tag = await referred(mappa)
    returned = await step(
        mappa.coordinator, body["id"], "return", tag, {"reason": "Add the licence end date."}
    )
    tag = returned.headers["etag"]
    assert_problem(await step(officer, body["id"], "resubmission", tag, {"crn": "123"}), 422, "crn")
    assert_problem(
        await step(officer, body["id"], "resubmission", tag, {"category": 4}), 422, "category"
    )
    assert_problem(await step(mappa.coordinator, body["id"], "return", tag, {"reason": "no"}), 400)
    after = await officer.get(f"{API}/{body['id']}")
    assert after.headers["etag"] == tag and after.json()["crn"] == CRN


async def test_invitations_name_agencies_that_cooperate(mappa):
    refuge = await ok(
        await mappa.admin.post(
            "/api/agencies/",
            json={
                "name": "Harbour Refuge",
                "short_code": "HRF",
                "agency_type": "domestic_abuse_service",
                "areas": ["Testshire"],
                "information_governance_contact": {
                    "name": "Ada Lune",
                    "email": "ig@hr.example.org",
                },
            },
        ),
        201,
    )
    body, tag = await referred(mappa)
    coordinator = mappa.coordinator
    assert_problem(
        await step(coordinator, body["id"], "invitations", tag, {"agency_ids": [mappa.other_id]}),
        409,  # not screened yet
    )
    tag = (await step(coordinator, body["id"], "acceptance", tag)).headers["etag"]
    for agency_ids, field, reason in [
        ([str(uuid.uuid4())], "agency_ids[0]", "no such agency"),
        ([mappa.home_id], "agency_ids[0]", "the referring agency"),
        ([mappa.other_id, refuge["id"]], "agency_ids[1]", "duty-to-co-operate"),
        ([mappa.other_id, mappa.other_id], "agency_ids", "each agency once"),
    ]:
        problem = assert_problem(
            await step(coordinator, body["id"], "invitations", tag, {"agency_ids": agency_ids}),
            422,
            field,
        )
        assert reason in problem["detail"]
    assert_problem(
        await step(coordinator, body["id"], "invitations", tag, {"agency_ids": []}),
        400,
        "agency_ids",
    )
    invited = await step(
        coordinator,
        body["id"],
        "invitations",
        tag,
        {"agency_ids": [mappa.other_id, mappa.third_id]},
    )
    view = await ok(invited)
    assert view["invited_agency_ids"] == [mappa.other_id, mappa.third_id]
    again = await step(
        coordinator,
        body["id"],
        "invitations",
        invited.headers["etag"],
        {"agency_ids": [mappa.other_id]},
    )
    assert "already invited" in assert_problem(again, 422, "agency_ids[0]")["detail"]


# --- sharing with invited agencies ----------------------------------------------------


async def test_an_invited_agency_reads_through_the_gate_without_the_references(mappa, settings):
    viewer, url = mappa.viewer, None
    body, tag = await referred(mappa)
    url = f"{API}/{body['id']}"
    # Not invited yet: the referral does not exist for Otherton.
    assert_problem(await viewer.get(url), 404)
    assert (await ok(await viewer.get(f"{API}/")))["total"] == 0

    accepted = await step(mappa.coordinator, body["id"], "acceptance", tag)
    invited = await step(
        mappa.coordinator,
        body["id"],
        "invitations",
        accepted.headers["etag"],
        {"agency_ids": [mappa.other_id]},
    )
    await ok(invited)
    seen = await viewer.get(url)
    view = await ok(seen)
    assert seen.headers["cache-control"] == "no-store"
    # The offender's identity follows the MAPPA protocol (s325; offenders' identity
    # is not protected)...
    assert view["offender"]["name"] == "Corwin Ashdale"
    # ...but the restricted identifiers are for responsible authorities and MAPPA
    # coordinators only: withheld, and taken out of the free text.
    assert (view["visor_ref"], view["pnc_id"], view["crn"]) == (None, None, None)
    assert view["identifiers_withheld"] == ["visor_ref", "pnc_id", "crn"]
    for value in (*REFERENCE_VALUES, "09/77812K"):
        assert value.casefold() not in seen.text.casefold(), value
    assert "PNC ID [PNC ID withheld]" in view["summary"]
    assert "[CRN withheld]" in view["summary"] and "[ViSOR reference withheld]" in view["summary"]
    assert "PNC checks show no breach" in view["summary"]  # prose stays
    listed = await ok(await viewer.get(f"{API}/"))
    assert [item["id"] for item in listed["items"]] == [body["id"]]

    # The read is a disclosure, recorded with its ledger entries.
    engine, sessions = await database(settings)
    async with sessions() as db:
        [disclosure] = (
            await db.scalars(select(Disclosure).where(Disclosure.context_kind == "mappa_referral"))
        ).all()
        entries = (
            await db.scalars(
                select(LedgerEntry).where(
                    LedgerEntry.kind == "disclosure",
                    LedgerEntry.agency_id == uuid.UUID(mappa.other_id),
                )
            )
        ).all()
    await engine.dispose()
    assert str(disclosure.context_id) == body["id"]
    assert str(disclosure.viewer_agency_id) == mappa.other_id
    assert str(disclosure.subject_id) == body["offender"]["subject_id"]
    assert disclosure.purpose == "mappa" and disclosure.gateway == "cja2003_s325"
    assert disclosure.basis == "protocol"
    bodies = [json.loads(e.body)["event"] for e in entries]
    assert {b["reason"] for b in bodies} == {"protocol", "mappa_restricted_identifiers"}
    restricted = next(b for b in bodies if b["reason"] == "mappa_restricted_identifiers")
    assert restricted["details"]["withheld"] == ["visor_ref", "pnc_id", "crn"]
    assert restricted["details"]["disclosure_id"] == str(disclosure.id)
    for value in REFERENCE_VALUES:
        assert value not in str(bodies)

    # Reading is all an invited agency does: it neither decides nor resubmits.
    tag = invited.headers["etag"]
    assert_problem(await step(viewer, body["id"], "closure", tag, {"reason": "died"}), 403)
    refused = assert_problem(await step(viewer, body["id"], "resubmission", tag, {}), 403)
    assert "for the referring agency" in refused["detail"]

    # A MAPPA coordinator employed by Otherton sees the references (and the
    # referral, though Otherton's invitation is not why).
    theirs = await mappa.person("otherton-mappa-coord", ["mappa_coordinator"], OTHER_PROVIDER_SLUG)
    view = await ok(await theirs.get(url))
    assert (view["pnc_id"], view["crn"], view["visor_ref"]) == (PNC_ID, CRN, VISOR_REF)
    assert view["identifiers_withheld"] == [] and PNC_ID in view["summary"]


async def test_without_a_mappa_protocol_an_invited_agency_gets_404(partners):  # noqa: F811
    # Only the ASB protocol connects the agencies: nothing lawful for MAPPA.
    partners.coordinator = await partners.person("mappa-coordinator", ["mappa_coordinator"])
    body, _ = await accepted_and_shared(partners)
    assert body["invited_agency_ids"] == [partners.other_id]
    assert_problem(await partners.viewer.get(f"{API}/{body['id']}"), 404)
    assert (await ok(await partners.viewer.get(f"{API}/")))["total"] == 0
    # Nor may someone at another agency see a referral they were never invited to.
    otherton_lead = await partners.person("other-lead", ["safeguarding_lead"], OTHER_PROVIDER_SLUG)
    assert_problem(await otherton_lead.get(f"{API}/{body['id']}"), 404)


async def test_reviews_due_list_the_coordinators_cases(mappa, settings):
    body, _ = await accepted_and_shared(mappa)
    managed = await step(
        mappa.chair,
        body["id"],
        "level-decision",
        f'"{body["version"]}"',
        {"level": 3, "reason": "Senior oversight while the housing is settled."},
    )
    view = await ok(managed)
    due = await ok(await mappa.coordinator.get(f"{API}/reviews-due", params={"within_days": 60}))
    assert [(i["id"], i["review_overdue"]) for i in due["items"]] == [(body["id"], False)]
    assert due["items"][0]["next_review_on"] == view["next_review_on"]
    soon = await ok(await mappa.coordinator.get(f"{API}/reviews-due", params={"within_days": 7}))
    assert soon["items"] == []
    # The practitioners' own agency lists it too, but the worklist is the coordinators'.
    assert_problem(await mappa.officer.get(f"{API}/reviews-due"), 403)

    # Time passes: the review date is moved into the past in the database.
    engine, sessions = await database(settings)
    async with sessions() as db, db.begin():
        await db.execute(
            update(MappaReferral)
            .where(MappaReferral.id == uuid.UUID(body["id"]))
            .values(next_review_on=local_today() - timedelta(days=2))
        )
    await engine.dispose()
    overdue = await ok(await mappa.coordinator.get(f"{API}/reviews-due", params={"within_days": 0}))
    assert [(i["id"], i["review_overdue"]) for i in overdue["items"]] == [(body["id"], True)]
    assert (await ok(await mappa.officer.get(f"{API}/{body['id']}")))["review_overdue"] is True

    # A coordinator for another area does not see it, in the list or at all.
    elsewhere = await mappa.person("area-coordinator", [])
    my_id = (await elsewhere.get("/me")).json()["id"]
    grant = {"user_id": my_id, "role": "mappa_coordinator", "area": "Thirdshire"}
    await ok(await mappa.admin.post("/api/role-assignments/", json=grant), 201)
    assert (await ok(await elsewhere.get(f"{API}/reviews-due")))["items"] == []
    # (They are in the home agency, so they read it as its staff, but do not decide on it.)
    review = {"level": 3, "reason": "Still needs senior oversight."}
    tag = (await elsewhere.get(f"{API}/{body['id']}")).headers["etag"]
    refused = assert_problem(await step(elsewhere, body["id"], "level-review", tag, review), 403)
    assert "coordinator or chair for the area" in refused["detail"]


async def test_the_arrangements_say_what_is_taken_and_when_reviews_fall(mappa):
    arrangements = await ok(await mappa.officer.get("/api/mappa-arrangements"))
    enabled = [c["number"] for c in arrangements["categories"] if c["enabled"]]
    assert enabled == [1, 2, 3]
    further = arrangements["categories"][3]
    assert further["unsettled"] and not further["enabled"] and further["note"]
    assert [(lv["number"], lv["review_weeks"]) for lv in arrangements["levels"]] == [
        (1, None),
        (2, 16),
        (3, 8),
    ]


async def test_a_database_dump_holds_no_reference_or_narrative_in_clear(mappa, settings):
    body, _ = await accepted_and_shared(mappa)
    await mappa.viewer.get(f"{API}/{body['id']}")
    engine, sessions = await database(settings)
    async with sessions() as db:
        rows = [
            repr(tuple(row))
            for table in (MappaReferral, MappaLevelDecision)
            for row in (await db.execute(select(table.__table__))).all()
        ]
    await engine.dispose()
    dump = "\n".join(rows).casefold()
    assert "v1.dev." in dump
    for value in (*REFERENCE_VALUES, "Corwin", "exclusion", "co-defendant"):
        assert value.casefold() not in dump, value


# --- the people at risk -----------------------------------------------------------------


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


VICTIM_NAME = fictional(6).name


async def with_victim(partners) -> tuple[dict[str, Any], dict[str, Any], str]:  # noqa: F811
    """A referral linking the offender's former partner as his victim, accepted
    and shared with Otherton: (the victim's subject, the referral, its ETag)."""
    victim = await record(partners.officer, {"role": "victim", "identity": {"name": VICTIM_NAME}})
    summary = (
        "Corwin Ashdale (PNC ID 2011/0456789T, nDelius CRN: d482913) was released on licence. "
        f"His former partner {VICTIM_NAME} lives two streets away; "
        f"{VICTIM_NAME.split()[-1]} has asked for an exclusion zone."
    )
    body, tag = await referred(
        partners,
        summary=summary,
        people_at_risk=[{"subject_id": victim["id"], "role": "victim"}],
    )
    accepted = await step(partners.coordinator, body["id"], "acceptance", tag)
    invited = await step(
        partners.coordinator,
        body["id"],
        "invitations",
        accepted.headers["etag"],
        {"agency_ids": [partners.other_id]},
    )
    return victim, await ok(invited), invited.headers["etag"]


async def test_a_victim_linked_is_withheld_from_an_agency_without_basis(mappa, settings):
    victim, body, _ = await with_victim(mappa)
    # The referring agency's own view: the victim as recorded.
    own = await ok(await mappa.officer.get(f"{API}/{body['id']}"))
    [at_risk] = own["people_at_risk"]
    assert at_risk["name"] == VICTIM_NAME and at_risk["role"] == "victim"
    assert VICTIM_NAME in own["summary"]

    # Otherton sees the offender (s325), but not the victim: no consent or
    # decision covers it. A pseudonym, in the summary too, and a disclosure row.
    seen = await mappa.viewer.get(f"{API}/{body['id']}")
    view = await ok(seen)
    assert view["offender"]["name"] == "Corwin Ashdale"
    [at_risk] = view["people_at_risk"]
    assert at_risk["name"] is None and at_risk["pseudonym"] == "Victim A"
    assert "Victim A" in view["summary"]
    for part in VICTIM_NAME.split():
        assert part not in seen.text, part
    engine, sessions = await database(settings)
    async with sessions() as db:
        [row] = (
            await db.scalars(
                select(Disclosure).where(Disclosure.subject_id == uuid.UUID(victim["id"]))
            )
        ).all()
    await engine.dispose()
    assert str(row.viewer_agency_id) == mappa.other_id and row.basis == "none"
    assert row.context_kind == "mappa_referral" and "name" in row.withheld


async def test_people_at_risk_are_the_referrers_own_and_not_the_offender(mappa, settings):
    officer = mappa.officer
    subject = await record(officer, offender())
    other_name = fictional(9).name
    theirs = await record(mappa.viewer, {"role": "victim", "identity": {"name": other_name}})
    for subject_id in (theirs["id"], subject["id"], str(uuid.uuid4())):
        at_risk = [{"subject_id": subject_id, "role": "victim"}]
        refused = await officer.post(
            f"{API}/", json=referral(subject["id"], people_at_risk=at_risk)
        )
        assert_problem(refused, 422, "people_at_risk[0].subject_id")
        assert other_name not in refused.text
    wrong_role = [{"subject_id": theirs["id"], "role": "offender"}]
    assert_problem(
        await officer.post(f"{API}/", json=referral(subject["id"], people_at_risk=wrong_role)),
        400,
    )
    assert await count_referrals(settings) == 0

    # A resubmission may replace the people at risk (all of them).
    victim = await record(officer, {"role": "victim", "identity": {"name": VICTIM_NAME}})
    linked = [{"subject_id": victim["id"], "role": "victim"}]
    body, tag = await referred(mappa, people_at_risk=linked)
    returned = await step(
        mappa.coordinator, body["id"], "return", tag, {"reason": "Add the licence end date."}
    )
    relinked = {"people_at_risk": [{"subject_id": victim["id"], "role": "household_member"}]}
    again = await step(officer, body["id"], "resubmission", returned.headers["etag"], relinked)
    assert [p["role"] for p in (await ok(again))["people_at_risk"]] == ["household_member"]
    returned = await step(
        mappa.coordinator, body["id"], "return", again.headers["etag"], {"reason": "And again."}
    )
    again = await step(
        officer, body["id"], "resubmission", returned.headers["etag"], {"people_at_risk": []}
    )
    assert (await ok(again))["people_at_risk"] == []


async def test_restricted_references_are_withheld_in_meeting_material(mappa, settings):
    victim, body, _ = await with_victim(mappa)
    # An agency's preparation for the meeting quotes the references back.
    preparation = (
        "Housing were told CRN D 482913 and PNC 2011/0456789t by the police; "
        f"{VICTIM_NAME} is on our register."
    )
    gate = gate_for(settings)
    engine, sessions = await database(settings)
    try:
        async with sessions() as db:
            material = await material_of(db, "mappa_referral", uuid.UUID(body["id"]), gate)
            assert material is not None
            assert [(str(s.subject.id), s.role) for s in material.subjects] == [
                (body["offender"]["subject_id"], SubjectRole.OFFENDER),
                (victim["id"], SubjectRole.VICTIM),
            ]
            assert material.held_references == {
                "visor_ref": VISOR_REF,
                "pnc_id": PNC_ID,
                "crn": CRN,
            }
            texts = {**material.texts, "contribution": preparation}
            written_by = {
                "summary": uuid.UUID(mappa.home_id),
                "contribution": uuid.UUID(mappa.other_id),
            }
            for reader, entitled in [(mappa.other_id, False), (mappa.home_id, True)]:
                view = await disclose(
                    db,
                    gate,
                    viewer=Viewer(uuid.UUID(reader)),
                    purpose=Purpose.MAPPA,
                    subjects=material.subjects,
                    texts=texts,
                    texts_held_by=written_by,
                    context_kind="meeting_case",
                    context_id=material.source_id,
                    held_references=material.held_references,
                    references_shown=material.references_shown,
                )
                shown = " ".join(t for t in view.texts.values() if t)
                if entitled:
                    # The referring police force (a responsible authority) reads them.
                    assert PNC_ID in shown and "d482913" in shown and VICTIM_NAME in shown
                    continue
                # Housing's own preparation comes back to it as it wrote it
                # (nothing leaves it); the police's summary keeps the
                # references and the victim from it.
                assert view.texts["contribution"] == preparation
                summary = view.texts["summary"] or ""
                for value in (*REFERENCE_VALUES, "482913", "0456789"):
                    assert value.casefold() not in summary.casefold(), value
                assert "[PNC ID withheld]" in summary
                assert VICTIM_NAME not in summary
            # Read by a third agency, the same preparation is redacted.
            view = await disclose(
                db,
                gate,
                viewer=Viewer(uuid.UUID(mappa.third_id)),
                purpose=Purpose.MAPPA,
                subjects=material.subjects,
                texts={"contribution": preparation},
                texts_held_by={"contribution": uuid.UUID(mappa.other_id)},
                context_kind="meeting_case",
                context_id=material.source_id,
                held_references=material.held_references,
                references_shown=False,
            )
            contribution = view.texts["contribution"] or ""
            for value in (*REFERENCE_VALUES, "482913", "0456789"):
                assert value.casefold() not in contribution.casefold(), value
            assert "[CRN withheld]" in contribution
            assert VICTIM_NAME not in contribution and "Victim A" in contribution
    finally:
        await engine.dispose()


# --- pure parts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decided_on", "level", "due"),
    [
        # Sixteen weeks from Monday 5 January 2026 is Monday 27 April.
        (date(2026, 1, 5), 2, date(2026, 4, 27)),
        # Sixteen weeks from 11 May 2026 is the summer bank holiday (31 August):
        # brought forward to Friday 28 August, never put back.
        (date(2026, 5, 11), 2, date(2026, 8, 28)),
        (date(2026, 7, 6), 3, date(2026, 8, 28)),
        # Eight weeks from Friday 30 October 2026 is Christmas Day: Thursday 24th.
        (date(2026, 10, 30), 3, date(2026, 12, 24)),
        # Decided on a Saturday: due on the Friday before the eighth Saturday.
        (date(2026, 3, 7), 3, date(2026, 5, 1)),
        (date(2026, 3, 7), 1, None),
    ],
)
def test_level_reviews_fall_due_on_the_guidances_clock(decided_on, level, due):
    assert next_review(decided_on, default_arrangements().level(level)) == due


@pytest.mark.parametrize(
    ("kind", "given", "normal"),
    [
        ("pnc_id", "2011/0456789t", "2011/0456789T"),
        ("pnc_id", "11/456789T", "11/456789T"),
        ("pnc_id", " 98/1A ", "98/1A"),
        ("crn", "d482913", "D482913"),
        ("visor_ref", "31hx 0042a7", "31HX0042A7"),
    ],
)
def test_references_are_normalised(kind, given, normal):
    assert references.REFERENCES[kind].check(given) == normal


@pytest.mark.parametrize(
    ("kind", "given"),
    [
        ("pnc_id", "2011-0456789T"),
        ("pnc_id", "201/0456789T"),
        ("pnc_id", "2011/04567890T"),
        ("pnc_id", "2011/0456789"),
        ("pnc_id", "2011/0456789TT"),
        ("crn", "DD48291"),
        ("crn", "D4829131"),
        ("crn", "4829131"),
        ("visor_ref", "AB12"),
        ("visor_ref", "ABCDEFGH"),
        ("visor_ref", "31HX-0042A7"),
        ("visor_ref", "X" * 19 + "12"),
    ],
)
def test_malformed_references_are_refused_without_quoting_them(kind, given):
    with pytest.raises(ValueError) as refused:
        references.REFERENCES[kind].check(given)
    assert given.strip() not in str(refused.value)


def redact_references(text: str | None, held: dict[str, Any]) -> str | None:
    """The gate's redactor for a reader not entitled to restricted references."""
    texts = render([], {"text": text}, {}, references_shown=False, held_references=held)[1]
    return texts["text"]


def test_references_are_redacted_from_free_text():
    held = {"visor_ref": VISOR_REF, "pnc_id": PNC_ID, "crn": CRN}
    text = (
        "Known as 31hx0042a7 on ViSOR; PNC ID: 2011/0456789T (also written 2011 / 0456789t). "
        "nDelius CRN d482913. Associate's PNC 07/12345Z and case X654321; "
        "ViSOR no. 77QQ19 for the associate. PNC checks were clear on 4 November."
    )
    redacted = redact_references(text, held)
    assert redacted is not None
    for value in ("31hx0042a7", "0456789", "482913", "12345Z", "654321", "77QQ19"):
        assert value.casefold() not in redacted.casefold(), value
    assert "PNC ID: [PNC ID withheld]" in redacted
    assert "nDelius CRN [CRN withheld]" in redacted
    assert "ViSOR no. [ViSOR reference withheld]" in redacted
    assert "PNC checks were clear on 4 November." in redacted  # prose is left alone
    assert redact_references(None, held) is None
    assert redact_references("Nothing to hide here.", {}) == "Nothing to hide here."


def test_each_cases_own_references_are_withheld_where_a_view_holds_several():
    """Minutes of two MAPPA cases: each case's references are the view's, found
    in any spelling, not only the first case's (issue 14's sweep)."""
    from sharehub.meetings.cases import CaseMaterial
    from sharehub.meetings.preparation import references_of

    def case(visor: str, crn: str) -> CaseMaterial:
        return CaseMaterial(
            source="mappa_referral",
            source_id=uuid.uuid4(),
            reference="MAPPA referral",
            holder_agency_id=uuid.uuid4(),
            held_references={"visor_ref": visor, "pnc_id": None, "crn": crn},
        )

    gate = references_of([case(VISOR_REF, CRN), case("44TS0913QB", "E551208"), None])
    assert gate["held_references"] == {
        "visor_ref": [VISOR_REF, "44TS0913QB"],
        "crn": [CRN, "E551208"],
    }
    # Without a word to say what they are, only the records' own values give them away.
    text = "First flagged under 31hx 0042a7; the second under 44ts 0913qb."
    redacted = redact_references(text, gate["held_references"])
    assert redacted is not None
    assert "0042a7" not in redacted and "0913qb" not in redacted
    assert redacted.count("[ViSOR reference withheld]") == 2
    # One value per kind, as a single record passes them, still works.
    assert "0042a7" not in (redact_references(text, {"visor_ref": VISOR_REF}) or "")


def test_who_sees_the_references():
    shown = references.shown_to
    assert shown(
        own_agency=True, viewer_mappa_role="none", coordinates=False, offender_identified=False
    )
    # Another responsible authority, or a coordinator, once the gate showed who it is.
    for role, coordinating in [("responsible_authority", False), ("duty_to_cooperate", True)]:
        assert shown(
            own_agency=False,
            viewer_mappa_role=role,
            coordinates=coordinating,
            offender_identified=True,
        )
        assert not shown(
            own_agency=False,
            viewer_mappa_role=role,
            coordinates=coordinating,
            offender_identified=False,
        )
    assert not shown(
        own_agency=False,
        viewer_mappa_role="duty_to_cooperate",
        coordinates=False,
        offender_identified=True,
    )


def test_coordinators_reach_their_areas():
    agency = uuid.uuid4()

    def person(*roles: RoleHeld) -> Principal:
        return Principal(kind="user", id=uuid.uuid4(), agency_id=agency, roles=roles)

    assert coordinates(person(RoleHeld("mappa_chair", None)), "Testshire")
    assert coordinates(person(RoleHeld("mappa_coordinator", None, "testshire")), "Testshire")
    assert not coordinates(person(RoleHeld("mappa_coordinator", None, "Thirdshire")), "Testshire")
    # Held within an agency, or another hub-wide role: no reach.
    assert not coordinates(person(RoleHeld("mappa_coordinator", agency)), "Testshire")
    assert not coordinates(person(RoleHeld("marac_coordinator", None)), "Testshire")


def test_a_further_category_is_enabled_by_configuration(tmp_path: Path):
    text = DEFAULT_FILE.read_text(encoding="utf-8")
    assert default_arrangements().category(4) is None
    enabled = tmp_path / "arrangements.toml"
    enabled.write_text(
        text.replace("enabled = false", "enabled = true").replace(
            "review_weeks = 16", "review_weeks = 12"
        ),
        encoding="utf-8",
    )
    arrangements = load_arrangements(enabled)
    assert arrangements.enabled_categories == [1, 2, 3, 4]
    assert arrangements.category(4) is not None
    assert next_review(date(2026, 1, 5), arrangements.level(2)) == date(2026, 3, 30)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("number = 3\n", "number = 2\n"), "two categories share a number"),
        (("enabled = true", "enabled = false"), "no category is enabled"),
        (("review_weeks = 8\n", ""), "comes with its citation"),
        (('number = 1\nname = "Ordinary', 'number = 4\nname = "Ordinary'), "levels are 1, 2"),
        (('citation = "MAPPA Guidance, Ministry of Justice: level 1"', ""), "citation"),
        (("version =", "versoin ="), "versoin"),
    ],
)
def test_a_bad_arrangements_file_stops_the_hub(tmp_path: Path, change, message):
    broken = tmp_path / "arrangements.toml"
    broken.write_text(DEFAULT_FILE.read_text(encoding="utf-8").replace(*change), encoding="utf-8")
    with pytest.raises(ArrangementsFileError, match=message):
        load_arrangements(broken)
