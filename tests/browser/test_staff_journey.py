"""The hub administrator gives the newcomer a role, and takes it away again."""

from __future__ import annotations

from typing import TYPE_CHECKING

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


def test_the_hub_administrator_gives_the_newcomer_a_role(page: Page, live_hub: LiveHub) -> None:
    sign_in_as(page, live_hub, "HDC", "Raymond Bennett")
    page.get_by_role("link", name="Staff and roles").click()
    check_accessibility(page)
    page.get_by_label("Agency").select_option(label="Fernvale Housing Association")
    page.get_by_role("button", name="Show").click()
    card = page.locator(".govuk-summary-card", has_text="Irene Cook")
    expect(card).to_contain_text("No role yet")
    card.get_by_label("Give Irene Cook a role").select_option(label="Practitioner")
    card.get_by_role("button", name="Give role").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Role given")
    card = page.locator(".govuk-summary-card", has_text="Irene Cook")
    expect(card).to_contain_text("Practitioner")
    check_accessibility(page)
    keep_screenshot(page, "staff-and-roles-hub-administrator")
    sign_out(page)

    sign_in_as(page, live_hub, "FVHA", "Irene Cook")
    expect(page.get_by_role("heading", name="Your work")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Your roles: Practitioner")
    sign_out(page)

    # Put the demo back as it was: the newcomer has no role again.
    sign_in_as(page, live_hub, "HDC", "Raymond Bennett")
    page.goto(live_hub.url + "/staff?agency=FVHA")
    card = page.locator(".govuk-summary-card", has_text="Irene Cook")
    card.get_by_role("button", name="Remove").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Role removed")
    expect(page.locator(".govuk-summary-card", has_text="Irene Cook")).to_contain_text(
        "No role yet"
    )
