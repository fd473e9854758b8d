"""Subjects, consent receipts, sharing decisions and safeguarding overrides over
HTTP, and the disclosure gate as another agency meets it.

The home agency (made a police force here) holds the subjects; Otherton
Borough Council views them under a signed protocol for ASB case management
that allows identity and contact details under section 115. People sign in through
the real OpenID Connect flow.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, text

from helpers import assert_problem
from sharehub.db.engine import create_engine, create_session_factory
from sharehub.privacy.models import Disclosure, Subject
from support.signin import OTHER_PROVIDER_SLUG
from test_protocols import asb_purpose, cast, ok, signed  # noqa: F401  (cast: a fixture)

ASB = "asb_case_management"
IDENTITY_AND_CONTACT = [
    {"category": "identity", "article6": "e_public_task", "retention_days": 730},
    {"category": "contact_details", "article6": "e_public_task", "retention_days": 730},
    {"category": "asb_incident_details", "article6": "e_public_task", "retention_days": 730},
]


def complainant(**identity: Any) -> dict[str, Any]:
    body = {
        "name": "Imogen Thwaite",
        "aliases": ["Immy Thwaite"],
        "date_of_birth": "1984-03-07",
        "address": ["14 Larkspur Close", "Pennick Moor"],
        "postcode": "hx3 9qt",
        "phone": "+44 (0)7700 900461",
        "email": "Imogen.Thwaite@example.org",
        "nhs_number": "943 476 5919",
        "ni_number": "jt 12 34 56 c",
    }
    body.update(identity)
    return {"role": "complainant", "identity": body}


def perpetrator() -> dict[str, Any]:
    return {
        "role": "perpetrator",
        "identity": {"name": "Dorian Pellow", "address": ["3 Wren Court"], "phone": "01632 960512"},
    }


@pytest.fixture
async def partners(cast):  # noqa: F811
    """Home made a police force, then a protocol with Otherton signed by both."""
    home = f"/api/agencies/{cast.home_id}"
    read = await cast.admin.get(home)
    changed = await cast.admin.patch(
        home, json={"agency_type": "police_force"}, headers={"If-Match": read.headers["etag"]}
    )
    assert changed.status_code == 200, changed.text
    cast.protocol = await signed(cast, purposes=[asb_purpose(categories=IDENTITY_AND_CONTACT)])
    cast.officer = await cast.person("home-officer", ["practitioner"])
    cast.viewer = await cast.person("other-officer", ["practitioner"], OTHER_PROVIDER_SLUG)
    return cast


async def record(browser, body) -> dict[str, Any]:
    return await ok(await browser.post("/api/subjects/", json=body), 201)


async def seen_by(browser, subject_id: str, purpose: str = ASB) -> dict[str, Any]:
    response = await browser.get(f"/api/subjects/{subject_id}", params={"purpose": purpose})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.json()["person"]


def consent_body(partners, **overrides: Any) -> dict[str, Any]:
    body = {
        "purposes": [ASB],
        "recipients": {"agencies": [partners.other_id]},
        "categories": ["identity", "contact_details"],
        "how_given": "verbal",
        "evidence_note": "Agreed on the phone; she asked that the council be told.",
    }
    body.update(overrides)
    return body


async def database(settings):
    engine = create_engine(settings.database_url)
    return engine, create_session_factory(engine)


# --- the holding agency ------------------------------------------------------------


async def test_the_holding_agency_records_and_reads_a_subject_in_full(partners):
    created = await partners.officer.post("/api/subjects/", json=complainant())
    assert created.status_code == 201, created.text
    assert created.headers["etag"] == '"1"'
    body = created.json()
    person = body["person"]
    assert person["name"] == "Imogen Thwaite" and person["pseudonym"] == "Complainant A"
    # Stored and shown normalised.
    assert person["postcode"] == "HX3 9QT"
    assert person["phone"] == "07700900461"
    assert person["email"] == "imogen.thwaite@example.org"
    assert person["nhs_number"] == "9434765919" and person["ni_number"] == "JT123456C"
    assert person["withheld"] == []
    again = await partners.officer.get(f"/api/subjects/{body['id']}")
    assert again.status_code == 200 and again.json()["person"] == person
    assert created.headers["cache-control"] == "no-store"


async def test_bad_identifiers_get_422_naming_each_field_and_nothing_is_written(partners, settings):
    response = await partners.officer.post(
        "/api/subjects/",
        json=complainant(
            postcode="not a postcode",
            nhs_number="943 476 5918",
            ni_number="DQ123456C",
            phone="12345",
            email="nobody",
            date_of_birth="2999-01-01",
        ),
    )
    body = assert_problem(response, 422)
    named = {e["field"] for e in body["errors"]}
    assert named == {
        "identity.postcode",
        "identity.nhs_number",
        "identity.ni_number",
        "identity.phone",
        "identity.email",
        "identity.date_of_birth",
    }
    assert "943" not in response.text and "DQ123456C" not in response.text
    engine, sessions = await database(settings)
    async with sessions() as db:
        assert await db.scalar(select(func.count()).select_from(Subject)) == 0
    await engine.dispose()
    # Malformed (not merely invalid) input is a 400 from decoding.
    assert_problem(await partners.officer.post("/api/subjects/", json={"role": "boss"}), 400)


async def test_duplicates_are_flagged_and_lookup_goes_by_body_not_url(partners):
    first = await record(partners.officer, complainant())
    second = await record(partners.officer, complainant(name="Imogen  THWAITE", nhs_number=None))
    assert second["possible_duplicates"] == [first["id"]]  # same name and date of birth
    found = await partners.officer.post("/api/subjects/search", json={"nhs_number": "9434765919"})
    assert [s["id"] for s in (await ok(found))["items"]] == [first["id"]]
    by_name = await partners.officer.post(
        "/api/subjects/search", json={"name": "imogen thwaite", "date_of_birth": "1984-03-07"}
    )
    assert {s["id"] for s in (await ok(by_name))["items"]} == {first["id"], second["id"]}
    # Another agency's search never finds the home agency's subjects.
    other = await partners.viewer.post("/api/subjects/search", json={"nhs_number": "9434765919"})
    assert (await ok(other))["items"] == []
    assert_problem(await partners.officer.post("/api/subjects/search", json={}), 400)


async def test_corrections_need_the_version_read(partners):
    subject = await record(partners.officer, complainant())
    url = f"/api/subjects/{subject['id']}"
    assert_problem(await partners.officer.patch(url, json={"role": "victim"}), 428)
    changed = await partners.officer.patch(
        url,
        json={"role": "victim", "identity": complainant(name="Imogen Thwaite-Hale")["identity"]},
        headers={"If-Match": '"1"'},
    )
    body = await ok(changed)
    assert body["role"] == "victim" and body["person"]["name"] == "Imogen Thwaite-Hale"
    stale = await partners.officer.patch(url, json={"role": "witness"}, headers={"If-Match": '"1"'})
    assert_problem(stale, 412)


# --- the gate, as another agency meets it -------------------------------------------------


async def test_another_agency_sees_a_complainant_only_as_a_pseudonym_without_consent(
    partners, settings
):
    victim = await record(partners.officer, complainant())
    accused = await record(partners.officer, perpetrator())
    person = await seen_by(partners.viewer, victim["id"])
    assert person["pseudonym"] == "Complainant A" and person["name"] is None
    assert set(person["withheld"]) == {
        "name",
        "aliases",
        "date_of_birth",
        "address",
        "postcode",
        "phone",
        "email",
        "nhs_number",
        "ni_number",
    }
    for value in ("Thwaite", "Larkspur", "9434765919", "JT123456C", "900461", "HX3"):
        assert value.casefold() not in str(person).casefold()
    # The alleged perpetrator's identity follows the protocol (s115, identity allowed).
    shown = await seen_by(partners.viewer, accused["id"])
    assert shown["name"] == "Dorian Pellow" and shown["phone"] == "01632960512"
    # Each view is a recorded disclosure: what was shown, withheld, and why.
    engine, sessions = await database(settings)
    async with sessions() as db:
        rows = (await db.scalars(select(Disclosure).order_by(Disclosure.created_at))).all()
    await engine.dispose()
    assert [(str(r.subject_id), r.basis) for r in rows] == [
        (victim["id"], "none"),
        (accused["id"], "protocol"),
    ]
    assert rows[1].decision["identity"]["gateway"] == "cda1998_s115"
    assert "Pellow" not in str(rows[1].decision)


async def test_without_a_protocol_for_the_purpose_the_subject_does_not_exist(partners):
    victim = await record(partners.officer, complainant())
    url = f"/api/subjects/{victim['id']}"
    assert_problem(await partners.viewer.get(url), 404)
    assert_problem(await partners.viewer.get(url, params={"purpose": "marac"}), 404)
    assert_problem(await partners.viewer.get(url, params={"purpose": "nonsense"}), 400)


async def test_consent_reveals_to_the_covered_agency_and_purpose_and_withdrawal_hides_again(
    partners,
):
    victim = await record(partners.officer, complainant())
    consents = f"/api/subjects/{victim['id']}/consents"
    given = await partners.officer.post(
        consents, json=consent_body(partners, categories=["identity"])
    )
    receipt = await ok(given, 201)
    assert receipt["status"] == "active" and receipt["how_given"] == "verbal"
    person = await seen_by(partners.viewer, victim["id"])
    assert person["name"] == "Imogen Thwaite"
    # Consent covered identity, not contact details: those stay withheld.
    assert person["phone"] is None and "phone" in person["withheld"]

    wider = await ok(await partners.officer.post(consents, json=consent_body(partners)), 201)
    assert (await seen_by(partners.viewer, victim["id"]))["phone"] == "07700900461"

    state = await partners.officer.get(
        f"/api/subjects/{victim['id']}/consent-state",
        params={"agency_id": partners.other_id, "purpose": ASB},
    )
    state = await ok(state)
    assert state["consent"] == "given"
    assert set(state["covering_consents"]) == {receipt["id"], wider["id"]}
    assert state["would_see"]["name"] == "Imogen Thwaite"

    for consent in (receipt, wider):
        withdrawn = await partners.officer.post(
            f"{consents}/{consent['id']}/withdrawal", json={"how": "written"}
        )
        assert (await ok(withdrawn))["status"] == "withdrawn"
    assert (await seen_by(partners.viewer, victim["id"]))["name"] is None
    again = await partners.officer.post(
        f"{consents}/{receipt['id']}/withdrawal", json={"how": "written"}
    )
    assert_problem(again, 409)
    history = await ok(await partners.officer.get(consents))
    assert [c["status"] for c in history["items"]] == ["withdrawn", "withdrawn"]


async def test_consent_must_be_coherent(partners):
    victim = await record(partners.officer, complainant())
    consents = f"/api/subjects/{victim['id']}/consents"
    body = assert_problem(
        await partners.officer.post(
            consents, json=consent_body(partners, how_given="representative")
        ),
        422,
        "representative",
    )
    assert body["status"] == 422
    assert_problem(
        await partners.officer.post(
            consents, json=consent_body(partners, recipients={"agencies": [], "protocols": []})
        ),
        422,
        "recipients",
    )
    assert_problem(
        await partners.officer.post(
            consents, json=consent_body(partners, given_at="2099-01-01T00:00:00Z")
        ),
        422,
        "given_at",
    )
    assert_problem(
        await partners.officer.post(
            consents,
            json=consent_body(partners, recipients={"agencies": [partners.home_id[:-4] + "0000"]}),
        ),
        422,
        "recipients.agencies[0]",
    )
    # Another agency cannot record consent for a subject it does not hold.
    assert_problem(await partners.viewer.post(consents, json=consent_body(partners)), 404)


async def test_consent_for_the_parties_to_a_protocol_and_by_a_representative(partners):
    victim = await record(partners.officer, complainant())
    body = consent_body(
        partners,
        recipients={"protocols": [partners.protocol["id"]]},
        how_given="representative",
        representative={
            "name": "Marcus Thwaite",
            "relationship": "son",
            "authority": "lasting power of attorney (health and welfare)",
        },
    )
    consent = await ok(
        await partners.officer.post(f"/api/subjects/{victim['id']}/consents", json=body), 201
    )
    assert (await seen_by(partners.viewer, victim["id"]))["name"] == "Imogen Thwaite"
    page = await partners.officer.get(consent["receipt"])
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in page.headers["content-security-policy"]
    html = page.text
    assert "OFFICIAL-SENSITIVE" in html and "Imogen Thwaite" in html
    assert "Marcus Thwaite (son; lasting power of attorney (health and welfare))" in html
    assert "Harrowmere anti-social behaviour information sharing protocol" in html
    assert_problem(await partners.viewer.get(consent["receipt"]), 404)


async def test_a_sharing_decision_reveals_until_revoked(partners):
    victim = await record(partners.officer, complainant())
    lead = await partners.person("home-safeguarding", ["safeguarding_lead"])
    decisions = f"/api/subjects/{victim['id']}/sharing-decisions"
    made = await lead.post(
        decisions,
        json={
            "purpose": ASB,
            "recipients": {"agencies": [partners.other_id]},
            "categories": ["identity"],
            "legal_basis": "Data Protection Act 2018, Schedule 1, paragraph 18",
            "reasons": "Serious risk of harm; seeking consent would alert the perpetrator.",
        },
    )
    decision = await ok(made, 201)
    assert (await seen_by(partners.viewer, victim["id"]))["name"] == "Imogen Thwaite"
    revoked = await lead.post(f"{decisions}/{decision['id']}/revocation")
    assert (await ok(revoked))["active"] is False
    assert (await seen_by(partners.viewer, victim["id"]))["name"] is None
    assert_problem(await lead.post(f"{decisions}/{decision['id']}/revocation"), 409)
    assert_problem(
        await lead.post(
            decisions,
            json={
                "purpose": ASB,
                "recipients": {"agencies": [partners.other_id]},
                "categories": ["risk_assessment"],
                "legal_basis": "Data Protection Act 2018, Schedule 1, paragraph 18",
                "reasons": "Not an identity category, so not for a sharing decision.",
            },
        ),
        422,
        "categories[0]",
    )


async def test_a_safeguarding_override_is_justified_time_limited_and_reviewed(partners):
    victim = await record(partners.officer, complainant())
    lead = await partners.person("other-safeguarding", ["safeguarding_lead"], OTHER_PROVIDER_SLUG)
    url = f"/api/subjects/{victim['id']}/safeguarding-overrides"
    assert_problem(
        await lead.post(url, json={"purpose": ASB, "justification": "urgent"}), 400, "justification"
    )
    justification = "Child at the address reported missing; police need to reach the family now."
    made = await lead.post(
        url, json={"purpose": ASB, "justification": justification, "minutes": 30}
    )
    override = await ok(made, 201)
    assert override["active"] is True and override["review_outcome"] is None
    # Revealed to the person who broke the glass, not to their colleagues.
    assert (await seen_by(lead, victim["id"]))["name"] == "Imogen Thwaite"
    assert (await seen_by(partners.viewer, victim["id"]))["name"] is None
    # The holding agency's own staff never need one.
    assert_problem(
        await partners.officer.post(url, json={"purpose": ASB, "justification": justification}),
        403,
    )
    home_lead = await partners.person("home-safeguarding", ["safeguarding_lead"])
    assert_problem(
        await home_lead.post(url, json={"purpose": ASB, "justification": justification}), 409
    )

    dpo = await partners.person("home-dpo", ["data_protection_officer"])
    queue = await ok(
        await dpo.get("/api/safeguarding-overrides/", params={"awaiting_review": True})
    )
    assert [o["id"] for o in queue["items"]] == [override["id"]]
    assert queue["items"][0]["justification"] == justification
    review = {"outcome": "justified", "note": "Proportionate: the child was found within the hour."}
    reviewed = await ok(
        await dpo.post(f"/api/safeguarding-overrides/{override['id']}/review", json=review)
    )
    assert reviewed["review_outcome"] == "justified"
    assert_problem(
        await dpo.post(f"/api/safeguarding-overrides/{override['id']}/review", json=review), 409
    )
    after = await ok(
        await dpo.get("/api/safeguarding-overrides/", params={"awaiting_review": True})
    )
    assert after["items"] == []


# --- at rest ----------------------------------------------------------------------------


async def test_a_database_dump_holds_no_identity_value_in_clear(partners, settings):
    victim = await record(partners.officer, complainant())
    await ok(
        await partners.officer.post(
            f"/api/subjects/{victim['id']}/consents",
            json=consent_body(
                partners, evidence_note="Signed form scanned; Imogen Thwaite agreed."
            ),
        ),
        201,
    )
    await seen_by(partners.viewer, victim["id"])
    engine, _ = await database(settings)
    dump = []
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: sync.dialect.get_table_names(sync))
        for table in tables:
            rows = await connection.execute(text(f'SELECT * FROM "{table}"'))
            dump += [repr(tuple(row)) for row in rows]
    await engine.dispose()
    everything = "\n".join(dump).casefold()
    assert "v1.dev." in everything  # the ciphertexts are there
    for value in (
        "Imogen",
        "Thwaite",
        "Immy",
        "Larkspur",
        "Pennick Moor",
        "HX3 9QT",
        "07700900461",
        "imogen.thwaite@example.org",
        "9434765919",
        "JT123456C",
        "1984-03-07",
        "Signed form scanned",
    ):
        assert value.casefold() not in everything, value


async def test_a_ciphertext_copied_to_another_row_does_not_decrypt(partners, settings):
    first = await record(partners.officer, complainant())
    second = await record(partners.officer, perpetrator())
    engine, sessions = await database(settings)
    async with sessions() as db, db.begin():
        one = await db.get(Subject, __import__("uuid").UUID(first["id"]))
        two = await db.get(Subject, __import__("uuid").UUID(second["id"]))
        two.name_encrypted = one.name_encrypted
    await engine.dispose()
    response = await partners.officer.get(f"/api/subjects/{second['id']}")
    assert response.status_code == 500
    assert "Imogen" not in response.text and "Thwaite" not in response.text


async def test_a_disclosure_check_about_a_named_person_uses_what_the_hub_records(partners):
    """Asked about a person the agency holds, the engine answers from the consent
    on record, not from the asker's yes/no; about anyone else, 404."""
    victim = await record(partners.officer, complainant())
    asked = {
        "recipient_agency_id": partners.other_id,
        "purpose": ASB,
        "categories": ["identity"],
        "subject_id": victim["id"],
        # The asker's say-so is not what decides for a named person.
        "consent": "given",
        "consent_covers_recipient": True,
    }
    before = await ok(await partners.officer.post("/api/disclosure-checks", json=asked), 200)
    assert [w["category"] for w in before["decision"]["withheld"]] == ["identity"]
    assert any("no consent in force" in said for said in before["records_used"])

    consents = f"/api/subjects/{victim['id']}/consents"
    await ok(await partners.officer.post(consents, json=consent_body(partners)), 201)
    after = await ok(await partners.officer.post("/api/disclosure-checks", json=asked), 200)
    assert [p["category"] for p in after["decision"]["permitted"]] == ["identity"]
    assert any("covers this recipient" in said for said in after["records_used"])

    theirs = await record(partners.viewer, perpetrator())
    elsewhere = dict(asked, subject_id=theirs["id"])
    assert_problem(await partners.officer.post("/api/disclosure-checks", json=elsewhere), 404)
