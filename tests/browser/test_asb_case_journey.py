"""A housing officer opens a case from a report, agrees the action plan with
the complainant, records an intervention and marks an action done."""

from __future__ import annotations

from datetime import timedelta
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


def test_a_case_is_opened_and_worked_to_its_plan(page: Page, live_hub: LiveHub) -> None:
    officer = staff_member(HOUSING, Role.PRACTITIONER)
    sign_in_as(page, live_hub, HOUSING, officer.name)
    today, soon = local_today(), local_today() + timedelta(days=7)
    page.get_by_role("button", name="Log an ASB report").click()
    page.get_by_role("group", name="How was it reported?").get_by_label("Phone").check()
    fill_date(page, "When did it happen", today.day, today.month, today.year)
    page.get_by_role("group", name="Category of behaviour").get_by_label("Nuisance").check()
    page.get_by_label("What happened").fill("Loud parties every weekend until 4am.")
    page.get_by_role("button", name="Log the report").click()
    page.get_by_role("button", name="Open a case").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Case opened")
    check_accessibility(page)

    page.get_by_role("button", name="Agree the action plan").click()
    fill_date(page, "When was it agreed", today.day, today.month, today.year)
    page.get_by_role("group", name="How will you keep in touch?").get_by_label("Phone call").check()
    page.get_by_label("How often, in days?").fill("7")
    fill_date(page, "When is the first contact due", soon.day, soon.month, soon.year)
    action = page.get_by_role("group", name="Action 1 (optional)")
    action.get_by_label("What will be done").fill("Write to the household about the parties")
    fill_date(action, "When is it due", soon.day, soon.month, soon.year)
    check_accessibility(page)
    page.get_by_role("button", name="Agree the action plan").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Action plan agreed")

    page.get_by_role("button", name="Record an intervention").click()
    page.get_by_label("Written warning").check()
    fill_date(page, "When", today.day, today.month, today.year)
    page.get_by_label("What came of it?").fill("Warning letter hand-delivered; tenant acknowledged.")
    page.get_by_role("button", name="Record an intervention").click()
    page.get_by_role("button", name="Mark done action 1").click()
    expect(page.locator("main")).to_contain_text("Written warning")
    expect(page.locator("main")).to_contain_text("Done")
    check_accessibility(page)
    keep_screenshot(page, "asb-case")
    sign_out(page)
