"""People and consent in a real browser: a housing officer adds a person and
records their consent to the police; the police see them, the council does
not until its safeguarding lead overrides; the data protection officer
reviews the override."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from faker import Faker

from browser.harness import (
    LiveHub,
    check_accessibility,
    expect,
    keep_screenshot,
    sign_in_as,
    sign_out,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page


def open_for_purpose(page: Page, hub: LiveHub, reference: str, purpose: str) -> None:
    page.goto(f"{hub.url}/people")
    page.get_by_label("Reference").fill(reference)
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("heading", name="Why are you looking at this person?")).to_be_visible()
    check_accessibility(page)
    page.get_by_label(purpose).check()
    page.get_by_role("button", name="Continue").click()


def test_consent_decides_who_sees_a_person_and_overrides_are_reviewed(
    page: Page, live_hub: LiveHub
) -> None:
    fake = Faker("en_GB")
    fake.seed_instance(9071)
    name = f"{fake.first_name()} {fake.last_name()}"

    # The housing officer adds the person and records their consent to the police.
    sign_in_as(page, live_hub, "FVHA", "Martyn Barber")
    page.get_by_role("link", name="People", exact=True).click()
    check_accessibility(page)
    page.get_by_role("button", name="Add a person").click()
    page.get_by_label("The role in which your agency knows them").select_option(label="Complainant")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Address line 1").fill("12 Sandpiper Row")
    page.get_by_label("Postcode").fill("KX7 2DQ")
    check_accessibility(page)
    page.get_by_role("button", name="Add the person").click()
    heading = page.locator("main")
    expect(heading).to_contain_text(name)
    reference = re.search(r"PER-\d{4}-\d{4}", page.url).group(0)
    check_accessibility(page)

    page.get_by_role("button", name="Record consent").click()
    page.get_by_label("Managing ASB cases").check()
    page.get_by_label("Kestrelshire Constabulary").check()
    page.get_by_label("Who they are (name, date of birth, identifiers)").check()
    page.get_by_label("Contact details (address, phone, email)").check()
    page.get_by_label("Spoken (verbal)").check()
    page.get_by_label("Evidence (optional)").fill("Agreed on the phone to the police being told.")
    check_accessibility(page)
    page.get_by_role("button", name="Record consent").click()
    expect(page.locator("main")).to_contain_text("Consent 1")
    expect(page.locator("main")).to_contain_text("What each partner agency can see")
    check_accessibility(page)
    keep_screenshot(page, "person-housing-officer")
    page.get_by_role("link", name="Print the receipt").first.click()
    expect(page.locator("body")).to_contain_text(name)
    keep_screenshot(page, "consent-receipt")
    page.go_back()
    sign_out(page)

    # The police officer sees who they are: the consent covers the police.
    sign_in_as(page, live_hub, "KPOL", "Kayleigh Franklin")
    open_for_purpose(page, live_hub, reference, "Managing ASB cases")
    expect(page.locator("main")).to_contain_text(name)
    check_accessibility(page)
    sign_out(page)

    # The council's safeguarding lead does not, until an override.
    sign_in_as(page, live_hub, "HDC", "Gerald Simmons")
    open_for_purpose(page, live_hub, reference, "Managing ASB cases")
    main = page.locator("main")
    expect(main).not_to_contain_text(name)
    expect(main).to_contain_text("Withheld")
    check_accessibility(page)
    keep_screenshot(page, "person-redacted-other-agency")
    page.get_by_role("button", name=re.compile("Reveal their identity")).click()
    page.get_by_label("Why must their identity be revealed now?").fill(
        "Threats to set fire to the property tonight; the complainant cannot be reached."
    )
    check_accessibility(page)
    page.get_by_role("button", name="Reveal their identity").click()
    expect(page.locator("main")).to_contain_text(name)
    expect(page.locator("main")).to_contain_text("safeguarding override")
    sign_out(page)

    # The housing association's data protection officer reviews it.
    sign_in_as(page, live_hub, "FVHA", "Kathryn Hamilton")
    page.get_by_role("link", name="Override reviews").click()
    row = page.locator("tr", has_text=reference)
    expect(row).to_contain_text("Threats to set fire")
    check_accessibility(page)
    row.get_by_role("link", name=re.compile("Review")).click()
    page.get_by_label("Justified", exact=True).check()
    page.get_by_label("Your review").fill("A real and immediate risk; consent could not be sought.")
    check_accessibility(page)
    page.get_by_role("button", name="Record the review").click()
    page.get_by_role("link", name="Reviewed").click()
    expect(page.locator("tr", has_text=reference)).to_contain_text("Justified")
    check_accessibility(page)
    keep_screenshot(page, "override-reviews-dpo")
