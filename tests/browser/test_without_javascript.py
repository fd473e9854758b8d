"""Every journey works without JavaScript: JavaScript only enhances."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from browser.harness import LiveHub, expect, sign_in_as, sign_out

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_a_report_is_logged_and_assessed_with_javascript_off(
    page_without_javascript: Page, live_hub: LiveHub
) -> None:
    page = page_without_javascript
    sign_in_as(page, live_hub, "FVHA", "Martyn Barber")
    page.get_by_role("button", name="Log an ASB report").click()
    page.get_by_role("group", name="How was it reported?").get_by_label("In person").check()
    group = page.get_by_role("group", name=re.compile("When did it happen"))
    group.get_by_label("Day").fill("1")
    group.get_by_label("Month").fill("12")
    group.get_by_label("Year").fill("2026")
    page.get_by_role("group", name="Category of behaviour").get_by_label("Environmental").check()
    page.get_by_label("What happened").fill("Fly-tipping behind the garages, reported in person.")
    page.get_by_role("button", name="Log the report").click()
    expect(page.locator("main")).to_contain_text("Report logged")
    page.get_by_role("button", name="Record the harm assessment").click()
    page.get_by_role("radio", name="Low").check()
    page.get_by_role("button", name="Record the assessment").click()
    expect(page.locator("main")).to_contain_text("Harm assessed: Low")
    page.get_by_role("link", name="People", exact=True).click()
    expect(page.get_by_role("heading", name="Find a person")).to_be_visible()
    sign_out(page)
