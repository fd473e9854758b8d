"""A housing officer triages a report against the ASB definitions, completes
the harm-centred risk assessment with the complainant, and records that the
police were told, in a real browser."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from browser.harness import (
    LiveHub,
    check_accessibility,
    expect,
    keep_screenshot,
    sign_in_as,
    sign_out,
    staff_member,
)
from browser.test_asb_journey import HOUSING, fill_date
from sharehub.access.roles import Role
from sharehub.calendar import local_today

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_a_report_is_triaged_assessed_and_reported_to_the_police(
    page: Page, live_hub: LiveHub
) -> None:
    officer = staff_member(HOUSING, Role.PRACTITIONER)
    sign_in_as(page, live_hub, HOUSING, officer.name)
    page.get_by_role("button", name="Log an ASB report").click()
    page.get_by_role("group", name="How was it reported?").get_by_label("Phone").check()
    today = local_today()
    fill_date(page, "When did it happen", today.day, today.month, today.year)
    page.get_by_role("group", name="Category of behaviour").get_by_label("Personal").check()
    page.get_by_label("What happened").fill("Threats shouted through the letterbox last night.")
    page.get_by_role("button", name="Log the report").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Report logged")

    page.get_by_role("button", name="Triage the report").click()
    check_accessibility(page)
    page.get_by_label("Dealt with as anti-social behaviour").check()
    page.get_by_label(re.compile("Conduct that has caused, or is likely to cause")).check()
    keep_screenshot(page, "asb-triage")
    page.get_by_role("button", name="Record the triage").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Triage recorded")

    page.get_by_role("button", name="Record the harm assessment").click()
    check_accessibility(page)
    for group in page.locator("fieldset:has(input[name^='answers.'])").all():
        group.get_by_label("No", exact=True).check()
    page.get_by_role("group", name=re.compile("violence, or a threat of violence")).get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_role("group", name="The complainant").get_by_label("Isolation").check()
    keep_screenshot(page, "asb-risk-assessment")
    page.get_by_role("button", name="Record the assessment").click()
    expect(page.locator("main")).to_contain_text("Harm assessed: Urgent")
    expect(page.locator("main")).to_contain_text("Isolation")

    page.get_by_role("button", name="Record a report to the police").click()
    fill_date(page, "When was it reported", today.day, today.month, today.year)
    page.get_by_label("Who was it reported to?").fill("Kestrelshire Constabulary on 101")
    check_accessibility(page)
    page.get_by_role("button", name="Record the report to the police").click()
    expect(page.locator("main")).to_contain_text("Kestrelshire Constabulary on 101")
    check_accessibility(page)
    keep_screenshot(page, "asb-report-triaged")
    sign_out(page)
