""" "May I share this?" as a page: the question asked in a form, the engine's
answer in words with its citations and what to do next, and a person's
decision recorded where the engine asks for one. Bad input comes back on the
page and records nothing."""

from __future__ import annotations

import re

from pages import assert_no_machinery, error_summary, field_error, form_fields, soup, visible_text
from test_people_pages import page, person_form, reference_of
from test_page_language import pseudo, untranslated  # noqa: F401
from test_privacy import ASB, consent_body, partners  # noqa: F401
from test_protocols import cast  # noqa: F401

PATH = "/may-i-share"


async def ask(browser, data: dict) -> object:
    form = soup(await browser.get(PATH))
    return await browser.post(PATH, data={**form_fields(form), **data})


async def test_asked_about_a_person_the_answer_comes_from_their_records(partners):  # noqa: F811
    officer = partners.officer
    form = await page(officer, PATH)
    assert form.select_one("h1").get_text(strip=True) == "May I share this?"
    # The navigation offers it to anyone who discloses.
    assert form.select_one(f'.govuk-service-navigation a[href="{PATH}"], nav a[href="{PATH}"]')
    reference = reference_of(
        await officer.post(
            "/people/new",
            data={**form_fields(soup(await officer.get("/people/new"))), **person_form()},
        )
    )
    question = {
        "recipient_agency_id": partners.other_id,
        "purpose": ASB,
        "categories": ["identity"],
        "reference": reference.lower(),
    }
    answered = await ask(officer, question)
    assert answered.status_code == 200, answered.text[:2000]
    before = soup(answered)
    assert_no_machinery(before)
    text = visible_text(before)
    assert before.select_one("h1").get_text(strip=True) == "Do not share it"
    assert "Who they are (name, date of birth, identifiers)" in text
    assert "No consent in force is recorded" in text
    assert "Crime and Disorder Act 1998, section 115" in text
    # What to do next: consent can be recorded for them.
    assert before.select_one(f'a[href="/people/{reference}/consents/new"]')
    assert answered.headers["cache-control"] == "no-store"

    person = "/people/" + reference
    consent = await officer.get(f"{person}/consents/new")
    fields = form_fields(soup(consent))
    given = await officer.post(
        f"{person}/consents/new",
        data={
            **fields,
            "purposes": ASB,
            "recipients.agencies": partners.other_id,
            "categories": ["identity", "contact_details"],
            "how_given": "verbal",
            "evidence_note": "Agreed on the phone; she asked that the council be told.",
        },
    )
    assert given.status_code == 303, given.text[:2000]
    after = soup(await ask(officer, question))
    assert after.select_one("h1").get_text(strip=True) == "You may share it"
    assert "Consent is recorded and covers this recipient" in visible_text(after)
    assert "Public task" in visible_text(after)


async def test_a_question_left_incomplete_comes_back_with_every_error(partners):  # noqa: F811
    refused = await ask(partners.officer, {"reference": "PER-2026-9999"})
    assert refused.status_code == 400
    answer = soup(refused)
    summary = error_summary(answer)
    assert "Select the agency you would share with" in summary
    assert "Select what it is for" in summary
    assert "Select the information you would share" in summary
    assert field_error(answer, "reference").endswith("Your agency holds no one with that reference")
    no_one = soup(await ask(partners.officer, {"purpose": ASB}))
    assert any("give the reference" in s for s in error_summary(no_one))


async def test_needs_review_a_safeguarding_lead_records_the_decision(partners):  # noqa: F811
    """No protocol with the third agency, but a risk of serious harm: a
    practitioner is told a person must decide; a safeguarding lead records
    the decision and the facts on the same page."""
    urgent = {
        "recipient_agency_id": partners.third_id,
        "purpose": "safeguarding",
        "categories": ["risk_assessment"],
        "subject_role": "victim",
        "facts": ["high_risk_of_serious_harm"],
    }
    asked = soup(await ask(partners.officer, urgent))
    assert asked.select_one("h1").get_text(strip=True) == "A person must decide"
    assert "Data Protection Act 2018, Schedule 1, paragraph 18" in visible_text(asked)
    assert "good practice, not a legal requirement" in visible_text(asked)
    assert not asked.select_one('form[action="/may-i-share/decision"]')
    practitioner = await partners.officer.post(
        f"{PATH}/decision",
        data={**form_fields(soup(await partners.officer.get(PATH))), **urgent, "share": "yes"},
    )
    assert practitioner.status_code == 403

    lead = await partners.person("home-safeguarding", ["safeguarding_lead"])
    answer = soup(await ask(lead, urgent))
    assert_no_machinery(answer)
    decision_form = answer.select_one('form[action="/may-i-share/decision"]')
    assert decision_form is not None
    carried = form_fields(answer, action="/may-i-share/decision")
    assert carried["purpose"] == "safeguarding"

    unfounded = await lead.post(
        f"{PATH}/decision",
        data={**carried, "share": "yes", "decided_facts": "only_what_is_necessary"},
    )
    assert unfounded.status_code == 400
    page_again = soup(unfounded)
    assert any("risk of serious harm" in s for s in error_summary(page_again))
    assert page_again.select_one('form[action="/may-i-share/decision"]')

    decided = await lead.post(
        f"{PATH}/decision",
        data={
            **carried,
            "share": "yes",
            "decided_facts": ["risk_of_serious_harm", "only_what_is_necessary"],
        },
    )
    assert decided.status_code == 200, decided.text[:2000]
    done = soup(decided)
    assert "Decision recorded" in visible_text(done)
    assert not done.select_one('form[action="/may-i-share/decision"]')


async def test_every_string_on_the_pages_goes_through_gettext(partners, pseudo):  # noqa: F811
    """The engine's own explanations are data, not page text: the form, the
    errors and the register and protocol pages are all messages."""
    officer = partners.officer
    data = {"OFFICIAL-SENSITIVE", "Error", "Otherton Borough Council", "Thirdshire Police"}
    assert untranslated(soup(await officer.get(PATH)), data) == []
    assert untranslated(soup(await ask(officer, {})), data) == []
    title = "Harrowmere anti-social behaviour information sharing protocol"
    register = soup(await officer.get("/protocols"))
    home = {td.get_text(strip=True) for td in register.select("main td:nth-child(3)")}
    dates = re.compile(r"\d{1,2} [A-Z][a-z]+ \d{4}")
    assert [
        t for t in untranslated(register, data | home | {title}) if not dates.fullmatch(t)
    ] == []


async def test_hostile_questions_get_pages_not_500s(partners):  # noqa: F811
    officer = partners.officer
    for data in (
        {"recipient_agency_id": "not-an-id", "purpose": "bogus", "categories": ["x" * 5000]},
        {"recipient_agency_id": partners.home_id, "purpose": ASB, "categories": ["identity"],
         "subject_role": "victim"},
        {"recipient_agency_id": "00000000-0000-0000-0000-000000000000", "purpose": ASB,
         "categories": ["identity"], "subject_role": "victim"},
        {"reference": "<script>alert(1)</script>", "consent": "maybe", "facts": ["x"]},
    ):  # fmt: skip
        answered = await ask(officer, data)
        assert answered.status_code in (400, 404), (data, answered.status_code)
        assert "<script>alert" not in answered.text
        assert error_summary(soup(answered)) or answered.status_code == 404
    decided = await officer.post(f"{PATH}/decision", data={"share": "perhaps"})
    assert decided.status_code in (403, 400)
    for path in ("/protocols/not-an-id", "/protocols/00000000-0000-0000-0000-000000000000"):
        missing = await officer.get(path)
        assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
