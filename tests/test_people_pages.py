"""The people and consent journey on pages, each step as the role that does it:
find and add a person, see what consent is on record and what each partner
agency can see of them and why, record and withdraw consent and print the
receipt, record a sharing decision, raise a safeguarding override, and the
data protection officer's review queue. Another agency's view of the same
person is redacted and recorded exactly as the API's read records it; bad
input comes back on the page and writes nothing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from pages import (
    assert_no_machinery,
    error_summary,
    field_error,
    form_fields,
    soup,
    submit,
    visible_text,
)
from sharehub.errors import NotFound
from sharehub.identity.principal import Principal
from sharehub.privacy import decisions
from sharehub.privacy.models import Consent, Disclosure, SafeguardingOverride, SharingDecision
from support.signin import OTHER_PROVIDER_SLUG
from test_page_language import pseudo, untranslated  # noqa: F401
from test_privacy import (  # noqa: F401
    ASB,
    complainant,
    consent_body,
    database,
    partners,
    perpetrator,
    record,
    seen_by,
)
from test_protocols import cast  # noqa: F401

JUSTIFICATION = "Child at the address reported missing; police need to reach the family now."


def person_form(**overrides: Any) -> dict[str, Any]:
    form = {
        "role": "complainant",
        "identity.name": "Imogen Thwaite",
        "identity.date_of_birth-day": "7",
        "identity.date_of_birth-month": "3",
        "identity.date_of_birth-year": "1984",
        "identity.address.0": "14 Larkspur Close",
        "identity.address.2": "Pennick Moor",
        "identity.postcode": "hx3 9qt",
        "identity.phone": "07700 900461",
        "identity.nhs_number": "943 476 5919",
    }
    form.update(overrides)
    return form


def consent_form(partners, **overrides: Any) -> dict[str, Any]:  # noqa: F811
    form = {
        "purposes": [ASB],
        "recipients.agencies": [partners.other_id],
        "categories": ["identity", "contact_details"],
        "how_given": "verbal",
        "evidence_note": "Agreed on the phone; she asked that the council be told.",
    }
    form.update(overrides)
    return form


def reference_of(response) -> str:
    assert response.status_code == 303, response.text[:3000]
    return response.headers["location"].split("?")[0].rsplit("/", 1)[1]


async def page(browser, path: str):
    response = await browser.get(path)
    assert response.status_code == 200, response.text[:3000]
    found = soup(response)
    assert_no_machinery(found)
    return found


async def count(settings, model) -> int:
    engine, sessions = await database(settings)
    async with sessions() as db:
        total = await db.scalar(select(func.count()).select_from(model))
    await engine.dispose()
    return total or 0


async def disclosures(settings) -> list[Disclosure]:
    engine, sessions = await database(settings)
    async with sessions() as db:
        rows = list(await db.scalars(select(Disclosure).order_by(Disclosure.created_at)))
    await engine.dispose()
    return rows


def as_recorded(row: Disclosure) -> dict[str, Any]:
    """A disclosure as recorded, without what differs between any two reads."""
    return {
        k: getattr(row, k)
        for k in (
            "subject_id",
            "holding_agency_id",
            "viewer_agency_id",
            "user_id",
            "purpose",
            "context_kind",
            "context_id",
            "shown",
            "withheld",
            "basis",
            "basis_ids",
            "protocol_id",
            "gateway",
            "decision",
        )
    }


# --- the holding agency -------------------------------------------------------------


async def test_an_officer_adds_a_person_records_consent_prints_and_withdraws_it(partners):  # noqa: F811
    officer = partners.officer
    finder = await page(officer, "/people")
    assert "Add a person" in visible_text(finder)

    added = await submit(officer, "/people/new", person_form())
    reference = reference_of(added)
    assert reference.startswith("PER-") and added.headers["location"].endswith("?done=added")
    base = f"/people/{reference}"
    person = await page(officer, f"{base}?done=added")
    text = visible_text(person)
    assert "Person added" in text
    assert person.select_one("h1").get_text(strip=True) == "Imogen Thwaite"
    assert person.select_one(".sharehub-marking").get_text() == "OFFICIAL-SENSITIVE"
    # The holding agency sees everything it recorded, normalised as the API stores it.
    for shown in ("HX3 9QT", "07700900461", "9434765919", "7 March 1984", "Complainant"):
        assert shown in text, shown
    assert "No consent is on record." in text
    # What Otherton would see: the gate's own answer, in words.
    assert "Otherton Borough Council: Managing ASB cases" in text
    assert "They would see Only “Complainant A”, not who they are" in text
    assert "Their role protects their identity, and no consent or sharing decision" in text

    # A second record with the same name and date of birth: flagged by reference.
    again = await submit(officer, "/people/new", person_form(**{"identity.nhs_number": ""}))
    second = reference_of(again)
    warning = visible_text(await page(officer, f"/people/{second}"))
    assert "Your agency may already hold this person" in warning and reference in warning

    # Found by an exact detail (posted), and by reference.
    found = await submit(officer, "/people", {"nhs_number": "9434765919"}, form_index=1)
    assert found.status_code == 200
    results = soup(found)
    assert "1 person found" in visible_text(results)
    assert results.select_one(".govuk-summary-card__title a")["href"] == base
    assert_no_machinery(results)
    by_reference = await officer.get("/people", params={"reference": reference.lower()})
    assert by_reference.status_code == 303 and by_reference.headers["location"] == base

    # Record consent through the form.
    form = await page(officer, f"{base}/consents/new")
    assert "Otherton Borough Council" in visible_text(form)
    assert "Harrowmere anti-social behaviour information sharing protocol" in visible_text(form)
    given = await submit(officer, f"{base}/consents/new", consent_form(partners))
    assert given.status_code == 303, given.text[:3000]
    assert given.headers["location"] == f"{base}?done=consent"
    person = await page(officer, given.headers["location"])
    text = visible_text(person)
    assert "Consent recorded" in text and "Consent 1 Active" in text
    assert "Shared with Otherton Borough Council" in text
    assert "Agreed on the phone" in text
    assert "They would see Imogen Thwaite" in text
    assert "Shown The person's consent on record covers this agency and purpose." in text
    # And Otherton's officer now sees her, as the page said they would.
    assert (await seen_by(partners.viewer, await subject_id(officer, reference)))["name"] == (
        "Imogen Thwaite"
    )

    # The printable receipt, named by the person's reference.
    printed = await officer.get(f"{base}/consents/1/receipt")
    assert printed.status_code == 200
    assert printed.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in printed.headers["content-security-policy"]
    receipt = soup(printed)
    assert_no_machinery(receipt)
    receipt_text = visible_text(receipt)
    assert "OFFICIAL-SENSITIVE" in receipt_text and "Imogen Thwaite" in receipt_text
    assert f"Receipt {reference}-C1" in receipt_text
    assert "Otherton Borough Council" in receipt_text
    link = person.select_one(f'a[href="{base}/consents/1/receipt"]')
    assert link is not None and "Print the receipt" in link.get_text()
    assert (await partners.viewer.get(f"{base}/consents/1/receipt")).status_code == 404

    # Withdraw it.
    await page(officer, f"{base}/consents/1/withdrawal")
    withdrawn = await submit(
        officer, f"{base}/consents/1/withdrawal", {"how": "written", "note": "Letter received."}
    )
    assert withdrawn.status_code == 303, withdrawn.text[:3000]
    text = visible_text(await page(officer, withdrawn.headers["location"]))
    assert "Consent withdrawn" in text and "Consent 1 Withdrawn" in text
    assert "their consent was withdrawn or has expired" in text
    assert "Withdraw consent 1" not in text
    again = await submit(officer, f"{base}/consents/1/withdrawal", {"how": "written"})
    assert again.status_code == 400
    assert "This consent has already been withdrawn" in error_summary(soup(again))


async def subject_id(browser, reference: str) -> str:
    """The id behind a reference, for the API's own reads in these tests."""
    found = await browser.post("/api/subjects/search", json={"name": "Imogen Thwaite"})
    for item in found.json()["items"]:
        if item["reference"] == reference:
            return item["id"]
    raise AssertionError(reference)


async def test_bad_input_comes_back_on_the_page_and_writes_nothing(partners, settings):  # noqa: F811
    officer = partners.officer
    refused = await submit(
        officer,
        "/people/new",
        person_form(
            role="",
            **{"identity.name": "", "identity.nhs_number": "943 476 5918", "identity.email": "@@"},
        ),
    )
    assert refused.status_code == 400
    answer = soup(refused)
    assert answer.title.get_text().startswith("Error:")
    summary = error_summary(answer)
    assert "Enter the person's full name" in summary
    assert "Select the role in which your agency knows them" in summary
    assert field_error(answer, "identity-name").endswith("Enter the person's full name")
    assert answer.select_one("#identity-postcode")["value"] == "hx3 9qt"
    assert_no_machinery(answer)
    refused = await submit(
        officer, "/people/new", person_form(**{"identity.nhs_number": "943 476 5918"})
    )
    assert refused.status_code == 400
    assert field_error(soup(refused), "identity-nhs-number")
    # The message says what is wrong, never what was typed.
    assert "943 476 5918" not in visible_text(soup(refused))

    nobody = await submit(officer, "/people", {}, form_index=1)
    assert nobody.status_code == 400
    assert "Enter a name, date of birth or another detail to search for" in error_summary(
        soup(nobody)
    )
    # A reference your agency does not hold leads to the same question as any
    # other agency's person: why are you looking? Nothing is said of who exists.
    unknown = await officer.get("/people", params={"reference": "per-1999-0001"})
    assert unknown.status_code == 303 and unknown.headers["location"] == "/people/PER-1999-0001"
    asked = visible_text(soup(await officer.get("/people/PER-1999-0001")))
    assert "Why are you looking at this person?" in asked

    reference = reference_of(await submit(officer, "/people/new", person_form()))
    base = f"/people/{reference}"
    empty = await submit(officer, f"{base}/consents/new", {"evidence_note": "x"})
    assert empty.status_code == 400
    answer = soup(empty)
    summary = error_summary(answer)
    for message in (
        "Select at least one purpose",
        "Select at least one agency or protocol",
        "Select the information it covers",
        "Select how consent was given",
    ):
        assert message in summary, summary
    assert field_error(answer, "recipients-agencies").endswith(
        "Select at least one agency or protocol"
    )
    assert_no_machinery(answer)
    # The service's own rules: a representative names who, and an expiry is later than now.
    refused = await submit(
        officer,
        f"{base}/consents/new",
        consent_form(
            partners,
            how_given="representative",
            **{"expires_at-day": "1", "expires_at-month": "1", "expires_at-year": "2020"},
        ),
    )
    assert refused.status_code == 400
    answer = soup(refused)
    assert field_error(answer, "representative-name")
    assert field_error(answer, "expires-at").endswith(
        "Must be later than now and than when it was given"
    )
    # What was chosen comes back chosen.
    assert answer.select_one(
        f'input[name="recipients.agencies"][value="{partners.other_id}"]'
    ).has_attr("checked")
    assert await count(settings, Consent) == 0


async def test_a_sharing_decision_is_recorded_and_changes_what_the_partner_sees(partners, settings):  # noqa: F811
    officer = partners.officer
    reference = reference_of(await submit(officer, "/people/new", person_form()))
    base = f"/people/{reference}"
    # A practitioner does not record sharing decisions.
    assert "Record a decision to share without consent" not in visible_text(
        await page(officer, base)
    )
    assert (await officer.get(f"{base}/sharing-decisions/new")).status_code == 403

    lead = await partners.person("home-safeguarding", ["safeguarding_lead"])
    await page(lead, f"{base}/sharing-decisions/new")
    refused = await submit(
        lead,
        f"{base}/sharing-decisions/new",
        {"purpose": ASB, "recipients.agencies": [partners.other_id], "reasons": "Too short"},
    )
    assert refused.status_code == 400
    answer = soup(refused)
    summary = error_summary(answer)
    assert "Select the information it covers" in summary
    assert "Enter the law you rely on" in summary
    assert field_error(answer, "reasons").endswith("Must be at least 20 characters")
    assert await count(settings, SharingDecision) == 0

    made = await submit(
        lead,
        f"{base}/sharing-decisions/new",
        {
            "purpose": ASB,
            "recipients.agencies": [partners.other_id],
            "categories": ["identity"],
            "legal_basis": "Data Protection Act 2018, Schedule 1, paragraph 18",
            "reasons": "Serious risk of harm; seeking consent would alert the perpetrator.",
        },
    )
    assert made.status_code == 303, made.text[:3000]
    text = visible_text(await page(lead, made.headers["location"]))
    assert "Sharing decision recorded" in text
    assert "Managing ASB cases In force" in text
    assert "Law relied on Data Protection Act 2018, Schedule 1, paragraph 18" in text
    assert "Shown A sharing decision your agency recorded covers this agency." in text
    # Contact details were not in the decision: still withheld, and the page says why.
    assert "They would see Imogen Thwaite" in text
    viewer_page = visible_text(await page(partners.viewer, f"{base}?purpose={ASB}"))
    assert "Imogen Thwaite" in viewer_page and "Larkspur" not in viewer_page

    # An alleged perpetrator's identity is not protected: the protocol's gateway is why.
    accused = await record(officer, perpetrator())
    text = visible_text(await page(officer, f"/people/{accused['reference']}"))
    assert "They would see Dorian Pellow" in text
    assert "Shown The protocol allows it, and their role does not protect their identity." in text
    assert (
        "Under Harrowmere anti-social behaviour information sharing protocol, "
        "relying on Crime and Disorder Act 1998, section 115"
    ) in text


# --- another agency ---------------------------------------------------------------


async def test_another_agency_sees_the_person_redacted_and_the_view_is_recorded_as_the_api_does(
    partners,  # noqa: F811
    settings,
):
    held = await record(partners.officer, complainant())
    base = f"/people/{held['reference']}"
    viewer = partners.viewer
    # Without a purpose: the question, asked alike of any reference.
    question = await page(viewer, base)
    assert "Why are you looking at this person?" in visible_text(question)
    assert "Why are you looking at this person?" in visible_text(
        await page(viewer, "/people/PER-1999-0009")
    )
    assert await disclosures(settings) == []

    seen = await page(viewer, f"{base}?purpose={ASB}")
    text = visible_text(seen)
    assert seen.select_one("h1").get_text(strip=True) == "Complainant A"
    assert "Identity withheld" in text and "Withheld" in text
    for value in ("Imogen", "Thwaite", "Larkspur", "HX3", "900461", "9434765919"):
        assert value.casefold() not in seen.decode().casefold(), value
    # A practitioner may not break the glass.
    assert "Reveal their identity" not in text

    [by_page] = await disclosures(settings)
    await seen_by(viewer, held["id"])
    [_, by_api] = await disclosures(settings)
    assert as_recorded(by_page) == as_recorded(by_api)
    assert by_page.basis == "none" and by_page.context_kind == "subject"

    # No protocol for the purpose, or no such person: the same "not found" page.
    for path in (f"{base}?purpose=marac", f"/people/PER-1999-0009?purpose={ASB}"):
        missing = await viewer.get(path)
        assert missing.status_code == 404
        assert "Page not found" in visible_text(soup(missing))
    # The holding agency's own pages are not another agency's.
    for path in (f"{base}/consents/new", f"{base}/consents/1/withdrawal"):
        assert (await viewer.get(path)).status_code in (403, 404)
    # Found by reference, another agency's person leads to the purpose question.
    moved = await viewer.get("/people", params={"reference": held["reference"]})
    assert moved.status_code == 303 and moved.headers["location"] == base


async def test_a_safeguarding_override_reveals_the_identity_and_the_dpo_reviews_it(
    partners,  # noqa: F811
    settings,
):
    held = await record(partners.officer, complainant())
    reference = held["reference"]
    base = f"/people/{reference}"
    lead = await partners.person("other-safeguarding", ["safeguarding_lead"], OTHER_PROVIDER_SLUG)
    before = await page(lead, f"{base}?purpose={ASB}")
    button = before.select_one(f'a[href="{base}/override?purpose={ASB}"]')
    assert button is not None and "Reveal their identity" in button.get_text()

    form = f"{base}/override?purpose={ASB}"
    await page(lead, form)
    refused = await submit(lead, form, {"justification": "urgent", "minutes": "30"})
    assert refused.status_code == 400
    answer = soup(refused)
    assert field_error(answer, "justification").endswith("Must be at least 30 characters")
    assert answer.select_one("#justification").get_text() == "urgent"
    assert_no_machinery(answer)
    assert await count(settings, SafeguardingOverride) == 0

    made = await submit(lead, form, {"justification": JUSTIFICATION, "minutes": "30"})
    assert made.status_code == 303, made.text[:3000]
    assert made.headers["location"] == f"{base}?purpose={ASB}&done=override"
    after = await page(lead, made.headers["location"])
    text = visible_text(after)
    assert after.select_one("h1").get_text(strip=True) == "Imogen Thwaite"
    assert "Safeguarding override recorded" in text
    assert "Their identity is shown to you under your safeguarding override until" in text
    assert "Reveal their identity" not in text
    # The view that revealed her is recorded, resting on the override.
    [override_id] = [str(i) for i in await ids(settings, SafeguardingOverride)]
    revealed = (await disclosures(settings))[-1]
    assert revealed.basis == "safeguarding_override" and revealed.basis_ids == [override_id]
    assert "name" in revealed.shown
    # Not to the overrider's colleagues.
    assert visible_text(await page(partners.viewer, f"{base}?purpose={ASB}")).count("Imogen") == 0
    # The holding agency sees that it happened.
    holder = visible_text(await page(partners.officer, base))
    assert "Officer other-safeguarding, Otherton Borough Council" in holder
    assert "Awaiting review" in holder

    # The data protection officer of the holding agency reviews it.
    dpo = await partners.person("home-dpo", ["data_protection_officer"])
    queue = await page(dpo, "/override-reviews")
    text = visible_text(queue)
    assert "1 override awaiting review" in text
    assert reference in text and JUSTIFICATION in text
    review = f"/override-reviews/{reference}/1"
    assert queue.select_one(f'a[href="{review}"]') is not None
    await page(dpo, review)
    refused = await submit(dpo, review, {"note": ""})
    assert refused.status_code == 400
    summary = error_summary(soup(refused))
    assert "Select whether the override was justified" in summary
    assert "Enter a note of your review" in summary
    keys = form_fields(soup(await dpo.get(review)))
    done = await submit(
        dpo,
        review,
        {"outcome": "justified", "note": "Proportionate: the child was found within the hour."},
    )
    assert done.status_code == 303, done.text[:3000]
    text = visible_text(await page(dpo, done.headers["location"]))
    assert "Review recorded" in text and "0 overrides awaiting review" in text
    reviewed = visible_text(await page(dpo, "/override-reviews?show=reviewed"))
    assert "Justified" in reviewed
    assert "Justified" in visible_text(await page(partners.officer, base))
    # Reviewed once.
    assert "Record the review" not in visible_text(await page(dpo, review))
    again = await dpo.post(review, data={**keys, "outcome": "justified", "note": "Again."})
    assert again.status_code == 400
    assert "This override has already been reviewed" in error_summary(soup(again))
    # Found by reference and number only by the agencies the override concerns.
    engine, sessions = await database(settings)
    async with sessions() as db:
        home = Principal(kind="user", id=uuid.uuid4(), agency_id=uuid.UUID(partners.home_id))
        elsewhere = Principal(kind="user", id=uuid.uuid4(), agency_id=uuid.UUID(partners.third_id))
        found = await decisions.override_by_number(db, home, reference.lower(), 1)
        assert str(found.id) == override_id
        for actor, number in ((elsewhere, 1), (home, 2), (home, 0)):
            with pytest.raises(NotFound):
                await decisions.override_by_number(db, actor, reference, number)
    await engine.dispose()
    # A practitioner has no review queue.
    assert (await partners.officer.get(review)).status_code == 403
    assert (await partners.officer.get("/override-reviews")).status_code == 403
    # The holding agency's own safeguarding lead never needs an override.
    home_lead = await partners.person("home-safeguarding", ["safeguarding_lead"])
    own = await home_lead.get(form)
    assert own.status_code == 303 and own.headers["location"] == base
    keys = form_fields(await page(home_lead, f"{base}/consents/new"))
    refused = await home_lead.post(
        form, data={**keys, "purpose": ASB, "justification": JUSTIFICATION}
    )
    assert refused.status_code == 400
    assert "Your agency holds this subject" in " ".join(error_summary(soup(refused)))
    assert await count(settings, SafeguardingOverride) == 1


async def ids(settings, model) -> list:
    engine, sessions = await database(settings)
    async with sessions() as db:
        found = list(await db.scalars(select(model.id)))
    await engine.dispose()
    return found


# --- forms under attack ----------------------------------------------------------------


async def test_forms_need_their_csrf_token(partners, settings):  # noqa: F811
    refused = await partners.officer.post("/people/new", data=person_form())
    assert refused.status_code == 403
    assert "This form has expired" in visible_text(soup(refused))


HOSTILE = [
    {"purposes": ["everything"], "recipients.agencies": ["not-a-uuid"], "categories": ["\x00"]},
    {"how_given": "x" * 5000, "evidence_note": "\x07" * 10, "expires_at-day": "-1"},
    {"representative.name": "<script>alert(1)</script>", "how_given": "written"},
    {"purpose": "nonsense", "legal_basis": "a" * 400, "reasons": "a" * 25_000},
    {"justification": "<script>alert(1)</script>" * 20, "minutes": "99999"},
    {"outcome": "maybe", "note": "\x00", "how": "telepathy"},
    {"recipients.protocols": ["00000000-0000-0000-0000-000000000000"], "purposes": [ASB]},
    {"name": "x" * 500, "nhs_number": "\x00", "date_of_birth-day": "x"},
]


async def test_hostile_forms_get_pages_not_500s_and_write_nothing(partners, settings):  # noqa: F811
    held = await record(partners.officer, complainant())
    base = f"/people/{held['reference']}"
    consents = f"/api/subjects/{held['id']}/consents"
    assert (await partners.officer.post(consents, json=consent_body(partners))).status_code == 201
    lead = await partners.person("home-safeguarding", ["safeguarding_lead"])
    other_lead = await partners.person("other-lead", ["safeguarding_lead"], OTHER_PROVIDER_SLUG)
    override = await other_lead.post(
        f"/api/subjects/{held['id']}/safeguarding-overrides",
        json={"purpose": ASB, "justification": JUSTIFICATION},
    )
    assert override.status_code == 201
    dpo = await partners.person("home-dpo", ["data_protection_officer"])
    for who, path in (
        (lead, "/people"),
        (lead, "/people/new"),
        (lead, f"{base}/consents/new"),
        (lead, f"{base}/consents/1/withdrawal"),
        (lead, f"{base}/sharing-decisions/new"),
        (other_lead, f"{base}/override?purpose={ASB}"),
        (dpo, f"/override-reviews/{held['reference']}/1"),
    ):
        for fields in HOSTILE:
            answer = await submit(who, path, fields, form_index=1 if path == "/people" else 0)
            assert answer.status_code < 500, (path, fields, answer.text[:500])
            if answer.status_code >= 400:
                assert answer.headers["content-type"].startswith("text/html")
                assert "<script>alert(1)</script>" not in answer.text
    assert await count(settings, Consent) == 1
    assert await count(settings, SharingDecision) == 0
    assert await count(settings, SafeguardingOverride) == 1
    assert "Active" in visible_text(await page(partners.officer, base))
    assert "1 override awaiting review" in visible_text(await page(dpo, "/override-reviews"))


async def test_every_string_on_the_pages_goes_through_gettext(partners, pseudo):  # noqa: F811
    officer = partners.officer
    held = await record(officer, complainant())
    base = f"/people/{held['reference']}"
    data = {"OFFICIAL-SENSITIVE", "Error", held["reference"], "Otherton Borough Council"}
    data.add("Harrowmere anti-social behaviour information sharing protocol")
    for path in ("/people", "/people/new", f"{base}/consents/new"):
        assert untranslated(await page(officer, path), data) == [], path
    refused = await submit(officer, f"{base}/consents/new", {})
    assert refused.status_code == 400
    assert untranslated(soup(refused), data) == []
    assert untranslated(await page(partners.viewer, base), data) == []
