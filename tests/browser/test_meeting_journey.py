"""A MARAC before the meeting, in a real browser on the demo hub: the MARAC
coordinator arranges a meeting for the day the next referrals are listed for,
accepts the confidentiality statement with one button and builds the agenda
(the referrals listed and the actions still open), and moves a case; the
police practitioner named to attend sees only the statement until they accept
it, then prepares a case and reads the force's pack. axe-core finds no serious
or critical violation on any page."""

from __future__ import annotations

import re
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
from sharehub.access.roles import Role
from sharehub.calendar import is_working_day, local_today
from sharehub.demo.partnership import NEXT_DAYS_AHEAD

if TYPE_CHECKING:
    from playwright.sync_api import Page


def next_marac_day():
    """The day the demo's next referrals are listed for (a working day)."""
    day = local_today() + timedelta(days=NEXT_DAYS_AHEAD)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def test_a_marac_is_arranged_and_prepared(page: Page, live_hub: LiveHub) -> None:
    coordinator = staff_member("SSDA", Role.MARAC_COORDINATOR)
    chair = staff_member("KPOL", Role.MARAC_CHAIR)
    officer = staff_member("KPOL", Role.PRACTITIONER)
    sign_in_as(page, live_hub, "SSDA", coordinator.name)

    page.get_by_role("link", name="Meetings", exact=True).click()
    expect(page.get_by_role("link", name="Upcoming")).to_have_attribute("aria-current", "page")
    check_accessibility(page)
    page.get_by_role("button", name="Arrange a meeting").click()
    check_accessibility(page)
    # Sent empty: the error summary names what is missing.
    page.get_by_role("button", name="Arrange the meeting").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the kind of meeting")
    check_accessibility(page)

    day = next_marac_day()
    page.get_by_label("Kind of meeting").select_option(label="MARAC")
    page.get_by_label("Area").select_option(label="Kestrelshire")
    when = page.get_by_role("group", name="Date")
    when.get_by_label("Day").fill(str(day.day))
    when.get_by_label("Month").fill(str(day.month))
    when.get_by_label("Year").fill(str(day.year))
    page.get_by_label("Start time").fill("14:00")
    page.get_by_label("Venue or online link").fill("Harrowmere Civic Centre, committee room B")
    page.get_by_label("Chair").select_option(
        label=f"{chair.name}, MARAC chair (Kestrelshire Constabulary)"
    )
    invited = page.get_by_role("group", name="Agencies invited")
    for agency in ("Kestrelshire Constabulary", "Safe Steps Domestic Abuse Service",
                   "Fernvale Housing Association"):  # fmt: skip
        invited.get_by_label(agency, exact=True).check()
    page.get_by_role("group", name="People named to attend").get_by_label(
        officer.name, exact=True
    ).check()
    page.get_by_role("button", name="Arrange the meeting").click()

    # The statement first, even for the coordinator: one button.
    reference = re.search(r"MTG-\d{4}-\d{4}", page.url).group(0)
    main = page.locator("main")
    expect(main).to_contain_text("confidentiality statement")
    expect(main).not_to_contain_text("committee room B")
    check_accessibility(page)
    page.get_by_role("button", name="I accept the confidentiality statement").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You accepted")
    expect(main).to_contain_text("committee room B")
    check_accessibility(page)

    page.get_by_role("button", name="Build the agenda").click()
    check_accessibility(page)
    page.get_by_role("button", name="Build the agenda").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Agenda built")
    agenda = page.locator("#agenda + table")
    expect(agenda).to_contain_text("14:00 to")
    expect(agenda).not_to_contain_text(re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-"))
    check_accessibility(page)
    if agenda.get_by_role("button", name=re.compile("^Move down")).count():
        first = agenda.locator("tbody tr").first.locator("a").inner_text()
        agenda.get_by_role("button", name=re.compile("^Move down")).first.click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Agenda reordered")
        expect(page.locator("#agenda + table tbody tr").nth(1)).to_contain_text(first)
    keep_screenshot(page, "meeting-coordinator")
    sign_out(page)

    # The police practitioner named to attend.
    sign_in_as(page, live_hub, "KPOL", officer.name)
    page.get_by_role("link", name="Meetings", exact=True).click()
    page.get_by_role("link", name=reference).click()
    expect(main).not_to_contain_text("committee room B")
    expect(main).not_to_contain_text("Agenda")
    check_accessibility(page)
    page.get_by_role("button", name="I accept the confidentiality statement").click()
    expect(main).to_contain_text("committee room B")
    page.locator("#agenda + table tbody tr").first.locator("a").click()
    check_accessibility(page)
    page.get_by_role("group", name="Is the case known to your agency?").get_by_label("Yes").check()
    page.get_by_role("group", name="Risks your agency knows of").get_by_label(
        "Threats to kill"
    ).check()
    page.get_by_label("Information to share").fill(
        "Two call-outs to the address this month; he is bailed not to contact her."
    )
    page.get_by_role("button", name="Save your agency's preparation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("preparation is saved")
    check_accessibility(page)
    page.get_by_role("link", name="Back to the meeting").click()
    page.get_by_role("link", name="Your agency's pack", exact=True).click()
    expect(main).to_contain_text("OFFICIAL-SENSITIVE")
    expect(main).to_contain_text("Threats to kill")
    check_accessibility(page)
    keep_screenshot(page, "meeting-pack")
