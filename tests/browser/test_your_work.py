"""'Your work' on the demo partnership, as the people it is for see it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from browser.harness import LiveHub, check_accessibility, expect, keep_screenshot, sign_in_as

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_a_housing_officer_sees_the_breached_report_first(page: Page, live_hub: LiveHub) -> None:
    sign_in_as(page, live_hub, "FVHA", "Martyn Barber")
    breached = page.locator(
        "table", has=page.locator("caption", has_text="past their response target")
    )
    expect(breached).to_contain_text("Breached")
    expect(breached.get_by_role("link").first).to_have_text(
        re.compile(r"ASB-\d{4}-\d{4}")
    )
    check_accessibility(page)
    keep_screenshot(page, "your-work-housing-officer")
    breached.get_by_role("link").first.click()
    expect(page.locator("h1")).to_contain_text("Target missed")
    check_accessibility(page)


def test_a_newcomer_is_told_who_can_give_them_a_role(page: Page, live_hub: LiveHub) -> None:
    sign_in_as(page, live_hub, "FVHA", "Irene Cook")
    expect(
        page.get_by_role("heading", name="You do not have a role in the hub yet")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text("information governance contact")
    check_accessibility(page)
    keep_screenshot(page, "no-role-newcomer")
