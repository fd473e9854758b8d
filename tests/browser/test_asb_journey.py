"""A housing officer's ASB report, from logging it to closing and reopening it,
through the forms in a real browser (no ids typed, no JSON)."""

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
from sharehub.calendar import local_today

if TYPE_CHECKING:
    from playwright.sync_api import Page

HOUSING = "FVHA"


def fill_date(page: Page, legend: str, day: int, month: int, year: int) -> None:
    group = page.get_by_role("group", name=re.compile(legend))
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))


def test_a_housing_officer_logs_assesses_answers_and_closes_a_report(
    page: Page, live_hub: LiveHub
) -> None:
    fake = Faker("en_GB")
    fake.seed_instance(4151)
    complainant = f"{fake.first_name()} {fake.last_name()}"
    officer = staff_member(HOUSING, Role.PRACTITIONER)
    sign_in_as(page, live_hub, HOUSING, officer.name)

    page.get_by_role("button", name="Log an ASB report").click()
    expect(page.get_by_role("heading", name="Log an ASB report")).to_be_visible()
    check_accessibility(page)
    # Submitted empty first: the error summary names each field to fix.
    page.get_by_label("What happened").fill("")
    page.get_by_role("button", name="Log the report").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select how the report was made")
    expect(summary).to_contain_text("Enter what happened")
    check_accessibility(page)

    page.get_by_role("group", name="How was it reported?").get_by_label("Phone").check()
    fill_date(page, "When did it happen", 2, 11, 2026)
    page.get_by_label("Where did it happen? (optional)").fill("Stairwell, Heron Court")
    page.get_by_role("group", name="Category of behaviour").get_by_label("Nuisance").check()
    page.get_by_label("What happened").fill(
        f"{complainant} reports loud music and banging from the flat above after midnight."
    )
    page.get_by_role("button", name="Log the report").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Report logged")
    heading = page.locator("h1").inner_text()
    reference = re.search(r"ASB-\d{4}-\d{4}", heading).group(0)
    check_accessibility(page)

    # The complainant is new to the agency: add them with their role.
    page.get_by_role("link", name="Add a new person").click()
    page.get_by_label("Their role in this report").select_option(label="Complainant")
    page.get_by_label("Full name").fill(complainant)
    page.get_by_label("Address line 1").fill("Flat 3, Heron Court")
    page.get_by_label("Postcode").fill("KX4 1AB")
    check_accessibility(page)
    page.get_by_role("button", name="Add the person").click()
    expect(page.locator(".govuk-summary-card").first).to_contain_text(complainant)

    # The harm assessment shows the target each level sets, with its date.
    page.get_by_role("button", name="Record the harm assessment").click()
    expect(page.get_by_text(re.compile(r"within 1 working day: due"))).to_be_visible()
    check_accessibility(page)
    page.get_by_role("radio", name="High").check()
    page.get_by_role("button", name="Record the assessment").click()
    expect(page.locator("main")).to_contain_text("Harm assessed: High")

    page.get_by_role("button", name="Record the first response").click()
    check_accessibility(page)
    page.get_by_role("button", name="Record the first response").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("First response recorded")

    page.get_by_role("button", name="Close the report").click()
    page.get_by_label("The behaviour has improved").check()
    # Told today: not before the report was received, not in the future.
    today = local_today()
    fill_date(page, "When was the complainant told", today.day, today.month, today.year)
    check_accessibility(page)
    page.get_by_role("button", name="Close the report").click()
    expect(page.locator("main")).to_contain_text("The behaviour has improved")

    page.get_by_role("button", name="Reopen the report").click()
    page.get_by_label("What has materially changed?").fill(
        "Two further incidents reported by neighbours this week."
    )
    page.get_by_role("button", name="Reopen the report").click()
    expect(page.locator("main")).to_contain_text("Reopened on a material change")
    check_accessibility(page)

    page.get_by_role("link", name="ASB reports", exact=True).click()
    page.get_by_label("Status").select_option(label="Open")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name=reference).click()
    keep_screenshot(page, "asb-report-housing-officer")
    report_url = page.url
    sign_out(page)

    # Another agency's officer cannot open the report at all.
    police = staff_member("KPOL", Role.PRACTITIONER)
    sign_in_as(page, live_hub, "KPOL", police.name)
    page.goto(report_url)
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(complainant)
    check_accessibility(page)
