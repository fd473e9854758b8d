"""Pages anyone can open: the accessibility statement, a page that does not
exist, and the API documentation, which must draw itself with no network."""

from __future__ import annotations

from typing import TYPE_CHECKING

from browser.harness import (
    LiveHub,
    check_accessibility,
    expect,
    keep_screenshot,
    sign_in_as,
    staff_member,
)
from sharehub.access.roles import Role

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_the_accessibility_statement_and_a_missing_page(page: Page, live_hub: LiveHub) -> None:
    page.goto(live_hub.url + "/")
    page.get_by_role("link", name="Accessibility").click()
    expect(page.get_by_role("heading", name="Accessibility statement")).to_be_visible()
    check_accessibility(page)
    page.goto(live_hub.url + "/no-such-page")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    check_accessibility(page)


def test_the_api_documentation_works_offline(page: Page, live_hub: LiveHub) -> None:
    # Outside development the documentation is for people signed in: first the start page.
    page.goto(live_hub.url + "/schema/swagger")
    expect(page.get_by_role("heading", name="Sign in to sharehub")).to_be_visible()
    sign_in_as(page, live_hub, "KPOL", staff_member("KPOL", Role.PRACTITIONER).name)
    page.get_by_role("link", name="API documentation").click()
    # Swagger UI, from the hub's own files, draws the hub's operations.
    expect(page.locator(".info .title")).to_contain_text("sharehub", timeout=15_000)
    expect(page.locator(".opblock").first).to_be_visible()
    # Swagger UI draws only what is on screen: the last section appears on scrolling.
    seen: set[str] = set()
    for _ in range(60):
        seen.update(t.strip() for t in page.locator(".opblock-tag").all_inner_texts())
        if {"ASB reports", "MARAC referrals"} <= seen:
            break
        page.mouse.wheel(0, 1500)
        page.wait_for_timeout(100)
    assert {"ASB reports", "MARAC referrals"} <= seen, seen
    keep_screenshot(page, "api-documentation")
