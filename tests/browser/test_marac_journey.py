"""MARAC in a real browser: a police officer adds a victim, refers her to
MARAC with the DASH checklist, checks the criteria before sending and sends;
the MARAC coordinator finds it in the screening queue, sees the victim
withheld, accepts it and lists it for a meeting."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING

from faker import Faker

from browser.harness import (
    LiveHub,
    check_accessibility,
    expect,
    keep_screenshot,
    sign_in_as,
    sign_out,
    staff_member,
)
from browser.test_asb_journey import fill_date
from sharehub.access.roles import Role
from sharehub.calendar import local_today

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_a_referral_is_made_screened_and_listed(page: Page, live_hub: LiveHub) -> None:
    fake = Faker("en_GB")
    fake.seed_instance(9183)
    name = f"{fake.first_name_female()} {fake.last_name()}"

    officer = staff_member("KPOL", Role.PRACTITIONER)
    sign_in_as(page, live_hub, "KPOL", officer.name)
    page.get_by_role("link", name="People", exact=True).click()
    page.get_by_role("button", name="Add a person").click()
    page.get_by_label("The role in which your agency knows them").select_option(label="Victim")
    page.get_by_label("Full name").fill(name)
    page.get_by_role("button", name="Add the person").click()
    expect(page.locator("main")).to_contain_text(name)
    reference = re.search(r"PER-\d{4}-\d{4}", page.url).group(0)

    page.get_by_role("link", name="MARAC", exact=True).click()
    check_accessibility(page)
    page.get_by_role("button", name="Refer to MARAC").click()
    expect(page.get_by_role("heading", name="The current situation")).to_be_visible()
    page.get_by_label("Which MARAC area?").select_option(label="Kestrelshire")
    page.get_by_label("The victim's person reference").fill(reference)
    day = local_today() - timedelta(days=1)
    fill_date(page, "When did it happen", day.day, day.month, day.year)
    questions = page.locator("fieldset:has(input[name^='answers.'])")
    for i in range(questions.count()):
        questions.nth(i).get_by_label("Yes" if i < 15 else "No", exact=True).check()
    page.get_by_role("group", name="Does the victim know of the referral?").get_by_label(
        "Yes"
    ).check()
    page.get_by_role("group", name="Has the victim consented to it?").get_by_label("No").check()
    page.get_by_role("group", name="Is an IDVA allocated?").get_by_label("Yes").check()
    page.get_by_label("Which IDVA service? (if allocated)").select_option(
        label="Safe Steps Domestic Abuse Service"
    )
    page.get_by_label("Summary").fill("Assaulted at home last night; she fears he will kill her.")
    check_accessibility(page)

    page.get_by_role("button", name="Check the criteria").click()
    expect(page.get_by_role("status")).to_contain_text("The case meets the MARAC criteria")
    expect(page.locator("main")).to_contain_text("Visible high risk")
    check_accessibility(page)
    keep_screenshot(page, "marac-criteria")
    page.get_by_role("button", name="Send the referral").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Referral sent to the MARAC coordinator"
    )
    referral = re.search(r"MARAC-\d{4}-\d{4}", page.url).group(0)
    expect(page.locator("main")).to_contain_text(name)
    check_accessibility(page)
    sign_out(page)

    coordinator = staff_member("SSDA", Role.MARAC_COORDINATOR)
    sign_in_as(page, live_hub, "SSDA", coordinator.name)
    page.get_by_role("link", name="MARAC", exact=True).click()
    page.get_by_role("link", name=referral).click()
    expect(page.locator("main")).not_to_contain_text(name)
    check_accessibility(page)
    keep_screenshot(page, "marac-referral-coordinator")
    page.get_by_role("button", name="Screen the referral").click()
    page.get_by_label("Yes: accept it").check()
    check_accessibility(page)
    page.get_by_role("button", name="Screen the referral").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Screening recorded")
    page.get_by_role("button", name="List for a meeting").click()
    soon = local_today() + timedelta(days=14)
    fill_date(page, "Which meeting", soon.day, soon.month, soon.year)
    page.get_by_role("button", name="List for a meeting").click()
    expect(page.locator("main")).to_contain_text("Listed for a meeting")
    check_accessibility(page)
    sign_out(page)

    # The IDVA service allocated finds the referral on its caseload; with no
    # consent or sharing decision recorded for it, the victim as "Victim A".
    idva = staff_member("SSDA", Role.IDVA)
    sign_in_as(page, live_hub, "SSDA", idva.name)
    page.get_by_role("link", name="MARAC", exact=True).click()
    page.get_by_role("link", name="Your IDVA service's caseload").click()
    row = page.get_by_role("row").filter(has_text=referral)
    expect(row).to_contain_text("Victim A")
    expect(page.locator("main")).not_to_contain_text(name)
    check_accessibility(page)
    sign_out(page)

    # The chair records that the meeting heard the case and opens its actions.
    chair = staff_member("KPOL", Role.MARAC_CHAIR)
    sign_in_as(page, live_hub, "KPOL", chair.name)
    page.get_by_role("link", name="MARAC", exact=True).click()
    page.get_by_role("link", name="All you can see").click()
    page.get_by_role("link", name=referral).click()
    check_accessibility(page)
    page.get_by_role("button", name="Record that the meeting heard the case").click()
    today = local_today()
    fill_date(page, "When was it heard?", today.day, today.month, today.year)
    check_accessibility(page)
    page.get_by_role("button", name="Record that the meeting heard the case").click()
    expect(page.locator(".govuk-notification-banner")).to_be_visible()
    page.get_by_role("button", name="Open the actions agreed").click()
    page.get_by_role("button", name="Open the actions agreed").click()
    expect(page.locator("main")).to_contain_text("Actions open")
    check_accessibility(page)
    sign_out(page)
