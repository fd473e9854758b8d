"""MAPPA in a real browser: a probation officer adds an offender and his
victim, fills in the MAPPA A, checks it before sending and sends it; the MAPPA
coordinator finds it in the screening queue, accepts it, agrees the level of
management and invites the district council; the council's practitioner reads
the case with the restricted references withheld."""

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
    staff_member,
)
from sharehub.access.roles import Role
from sharehub.demo import DEMO_STAFF, demo_staff

if TYPE_CHECKING:
    from playwright.sync_api import Page

PNC_ID = "2021/0073311R"


def probation_officer():
    """Probation's practitioner who is only that (the coordinator is one too)."""
    return next(
        user
        for (code, held), user in zip(DEMO_STAFF, demo_staff(), strict=True)
        if code == "KPS" and held == [Role.PRACTITIONER]
    )


def add_person(page: Page, role: str, name: str) -> str:
    page.get_by_role("link", name="People", exact=True).click()
    page.get_by_role("button", name="Add a person").click()
    page.get_by_label("The role in which your agency knows them").select_option(label=role)
    page.get_by_label("Full name").fill(name)
    page.get_by_role("button", name="Add the person").click()
    expect(page.locator("main")).to_contain_text(name)
    return re.search(r"PER-\d{4}-\d{4}", page.url).group(0)


def test_a_referral_is_made_accepted_managed_and_shared(page: Page, live_hub: LiveHub) -> None:
    fake = Faker("en_GB")
    fake.seed_instance(3250)
    offender = f"{fake.first_name_male()} {fake.last_name()}"
    victim = f"{fake.first_name_female()} {fake.last_name()}"

    officer = probation_officer()
    sign_in_as(page, live_hub, "KPS", officer.name)
    offender_ref = add_person(page, "Offender", offender)
    victim_ref = add_person(page, "Victim", victim)

    page.get_by_role("link", name="MAPPA", exact=True).click()
    check_accessibility(page)
    page.get_by_role("button", name="Refer to MAPPA").click()
    page.get_by_label("Which MAPPA area?").select_option(label="Kestrelshire")
    page.get_by_label("The offender's person reference").fill(offender_ref)
    page.get_by_label("Category 2: Violent offenders").check()
    page.get_by_label("Level 2: Multi-agency management").check()
    page.get_by_label("Why this level?").fill(
        "Released on licence: housing and his former partner's safety need the agencies together."
    )
    page.get_by_label("Person 1: reference").fill(victim_ref)
    page.get_by_label("PNC ID (if any)").fill(PNC_ID.lower())
    page.get_by_label("Risk summary").fill(
        f"{offender} was released on licence for wounding {victim}; he must not contact her."
    )
    check_accessibility(page)

    page.get_by_role("button", name="Check the referral").click()
    expect(page.get_by_role("status")).to_contain_text("The referral can be sent")
    expect(page.locator("main")).to_contain_text(PNC_ID)  # as it will be recorded
    check_accessibility(page)
    page.get_by_role("button", name="Send the referral").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Referral sent to the MAPPA coordinator"
    )
    referral = re.search(r"MAPPA-\d{4}-\d{4}", page.url).group(0)
    expect(page.locator("main")).to_contain_text(victim)
    check_accessibility(page)
    sign_out(page)

    coordinator = staff_member("KPS", Role.MAPPA_COORDINATOR)
    sign_in_as(page, live_hub, "KPS", coordinator.name)
    page.get_by_role("link", name="MAPPA", exact=True).click()
    expect(page.get_by_role("link", name="Waiting for screening")).to_have_attribute(
        "aria-current", "page"
    )
    check_accessibility(page)
    page.get_by_role("link", name=referral).click()
    check_accessibility(page)
    page.get_by_role("button", name="Accept the referral").click()
    check_accessibility(page)
    page.get_by_role("button", name="Accept the referral").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Referral accepted")
    page.get_by_role("button", name="Agree the level of management").click()
    page.get_by_label("Level 2: Multi-agency management").check()
    page.get_by_label("Why this level?").fill(
        "Agreed at screening: a MAPP meeting for his housing and the exclusion zone."
    )
    check_accessibility(page)
    page.get_by_role("button", name="Agree the level of management").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Level of management agreed")
    page.get_by_role("button", name="Invite agencies to the case").click()
    page.get_by_label("Harrowmere District Council").check()
    check_accessibility(page)
    page.get_by_role("button", name="Invite agencies to the case").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Agencies invited")
    expect(page.locator("main")).to_contain_text("Level agreed: Level 2")
    expect(page.locator("main")).to_contain_text(PNC_ID)
    check_accessibility(page)
    keep_screenshot(page, "mappa-referral-coordinator")
    sign_out(page)

    # The council has the duty to co-operate: it reads the case, without the references.
    council = staff_member("HDC", Role.PRACTITIONER)
    sign_in_as(page, live_hub, "HDC", council.name)
    page.get_by_role("link", name="MAPPA", exact=True).click()
    page.get_by_role("link", name="Cases your agency is invited to").click()
    check_accessibility(page)
    page.get_by_role("link", name=referral).click()
    expect(page.locator("main")).to_contain_text("Withheld from your agency: PNC ID")
    expect(page.locator("main")).not_to_contain_text(PNC_ID)
    expect(page.locator("main")).not_to_contain_text(victim)
    check_accessibility(page)
    sign_out(page)
