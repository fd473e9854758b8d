"""An information governance lead reads the protocol register and a
protocol's parties, then asks "May I share this?" and reads the answer."""

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
from sharehub.access.roles import Role

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_the_ig_lead_reads_the_register_and_asks_before_sharing(
    page: Page, live_hub: LiveHub
) -> None:
    lead = staff_member("KPOL", Role.INFORMATION_GOVERNANCE_LEAD)
    sign_in_as(page, live_hub, "KPOL", lead.name)
    page.get_by_role("link", name="Protocols").click()
    expect(page.get_by_role("heading", name="Information sharing protocols")).to_be_visible()
    row = page.locator("tr", has_text="Kestrelshire MARAC information sharing protocol")
    expect(row).to_contain_text("In force")
    check_accessibility(page)
    keep_screenshot(page, "protocol-register")

    row.get_by_role("link").click()
    charity = page.locator("tr", has_text="Acts on behalf of Harrowmere District Council")
    expect(charity).to_contain_text("Legitimate interests")
    check_accessibility(page)
    keep_screenshot(page, "protocol-parties")

    page.get_by_role("link", name="May I share this?").click()
    page.get_by_label("Who would receive it?").select_option(label="Fernvale Housing Association")
    page.get_by_label("MARAC (domestic abuse risk conferences)").check()
    page.get_by_label("Risk assessments").check()
    page.get_by_label("Victim").check()
    check_accessibility(page)
    page.get_by_role("button", name="Check").click()
    expect(page.locator("h1")).to_have_text(
        re.compile("You may share it|Do not share it|A person must decide")
    )
    expect(page.locator("main")).to_contain_text("Fernvale Housing Association")
    check_accessibility(page)
    keep_screenshot(page, "may-i-share-answer")
    sign_out(page)
