"""POST /api/disclosure-checks: the engine's answer for real agencies and protocols,
recorded, with nothing personal asked or disclosed."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from helpers import assert_problem
from sharehub.app import create_app
from sharehub.audit.events import MemorySink
from support.signin import sign_in
from test_protocols import cast, signed  # noqa: F401  (fixtures and helpers)

API = "/api/disclosure-checks"


def question(recipient: str, **overrides) -> dict:
    body = {
        "recipient_agency_id": recipient,
        "purpose": "asb_case_management",
        "categories": ["asb_incident_details"],
        "subject_role": "perpetrator",
    }
    body.update(overrides)
    return body


@pytest.fixture
async def officer(cast, oidc_provider, settings):  # noqa: F811
    """A practitioner of the home agency, on an app whose audit events we can read."""
    sink = MemorySink()
    async with AsyncTestClient(app=create_app(settings, audit_events=sink)) as browser:
        browser.follow_redirects = False
        await sign_in(browser, oidc_provider, sub="asking-officer", roles=["practitioner"])
        browser.audit = sink
        yield browser


async def test_a_signed_protocol_permits_under_s115_and_the_check_is_recorded(cast, officer):  # noqa: F811
    protocol = await signed(cast)
    answer = await officer.post(API, json=question(cast.other_id))
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    decision = body["decision"]
    assert decision["outcome"] == "permitted"
    assert decision["gateway"] == "cda1998_s115"
    assert decision["protocol_id"] == protocol["id"] and decision["protocol_version"] == 1
    assert decision["gateway_citation"] == "Crime and Disorder Act 1998, section 115(1)"
    assert [p["category"] for p in decision["permitted"]] == ["asb_incident_details"]
    assert any("power, not a duty" in c for c in decision["conditions"])

    [event] = [e for e in officer.audit.events if e.kind == "disclosure_checked"]
    assert event.details["check_id"] == body["check_id"]
    assert event.details["outcome"] == "permitted" and event.details["gateway"] == "cda1998_s115"
    assert event.agency_id is not None and str(event.agency_id) == cast.home_id


async def test_identity_of_a_complainant_without_consent_is_withheld(cast, officer):  # noqa: F811
    await signed(cast)
    answer = await officer.post(
        API,
        json=question(
            cast.other_id, categories=["identity", "asb_incident_details"],
            subject_role="complainant", consent="withdrawn",
        ),
    )
    decision = answer.json()["decision"]
    assert decision["outcome"] == "permitted"
    assert [w["category"] for w in decision["withheld"]] == ["identity"]
    assert "consent is withdrawn" in decision["withheld"][0]["reason"]


async def test_no_protocol_means_refused_saying_so(cast, officer):  # noqa: F811
    answer = await officer.post("/disclosure-checks", json=question(cast.third_id))
    decision = answer.json()["decision"]
    assert decision["outcome"] == "refused" and decision["gateway"] is None
    assert "no information sharing protocol" in decision["reasons"][0]["text"]


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"categories": ["bank_details"]}, "categories[0]"),
        ({"categories": []}, "categories"),
        ({"purpose": "gossip"}, "purpose"),
        ({"subject_role": "suspect?"}, "subject_role"),
        ({"consent": "maybe"}, "consent"),
        ({"on": "yesterday"}, "on"),
        ({"recipient_agency_id": "not-a-uuid"}, "recipient_agency_id"),
        ({"high_risk_of_serious_harm": "very"}, "high_risk_of_serious_harm"),
        ({"subject_name": "Jane Example"}, "subject_name"),
    ],
)
async def test_bad_questions_are_refused_naming_the_field(cast, officer, changes, field):  # noqa: F811
    body = assert_problem(await officer.post(API, json=question(cast.other_id, **changes)), 400, field)
    assert "Jane Example" not in str(body)
    assert not [e for e in officer.audit.events if e.kind == "disclosure_checked"]


async def test_own_agency_and_unknown_agencies(cast, officer):  # noqa: F811
    assert_problem(await officer.post(API, json=question(cast.home_id)), 400, "recipient_agency_id")
    missing = "00000000-0000-0000-0000-000000000000"
    assert_problem(await officer.post(API, json=question(missing)), 404)


async def test_only_roles_that_disclose_may_ask(cast):  # noqa: F811
    observer = await cast.person("watcher", ["observer"])
    assert "disclosure:check" in assert_problem(
        await observer.post(API, json=question(cast.other_id)), 403
    )["detail"]


async def test_serious_harm_without_a_protocol_needs_a_recorded_decision(cast, officer, oidc_provider, settings):  # noqa: F811
    """No protocol, but a risk of serious harm: "needs review" naming the
    conditions; a safeguarding lead records the decision and the facts in the
    check's ledger entry; a practitioner may ask but not decide."""
    urgent = question(cast.third_id, purpose="safeguarding", categories=["risk_assessment"],
                      high_risk_of_serious_harm=True)
    decision = (await officer.post(API, json=urgent)).json()["decision"]
    assert decision["outcome"] == "needs_review"
    assert any("Schedule 1, paragraph 18" in c for c in decision["conditions"])
    assert any("policy document" in c for c in decision["conditions"])

    decided = dict(urgent, decision={"share": True, "facts": ["risk_of_serious_harm", "only_what_is_necessary"]})
    assert_problem(await officer.post(API, json=decided), 403)

    sink = MemorySink()
    async with AsyncTestClient(app=create_app(settings, audit_events=sink)) as lead:
        lead.follow_redirects = False
        await sign_in(lead, oidc_provider, sub="safeguarding-lead", roles=["safeguarding_lead"])
        unfounded = dict(urgent, decision={"share": True, "facts": ["only_what_is_necessary"]})
        assert_problem(await lead.post(API, json=unfounded), 400, "decision.facts")
        answer = await lead.post(API, json=decided)
        assert answer.status_code == 200, answer.text
        assert answer.json()["decided"]["share"] is True
        [event] = [e for e in sink.events if e.kind == "disclosure_checked"][-1:]
        assert event.details["decision"] == {
            "share": True, "facts": ["risk_of_serious_harm", "only_what_is_necessary"],
        }
        # A decision where the engine gave a plain answer is refused, saying why.
        plain = dict(question(cast.third_id), decision={"share": False})
        assert "only where the engine asks" in assert_problem(await lead.post(API, json=plain), 409)["detail"]
