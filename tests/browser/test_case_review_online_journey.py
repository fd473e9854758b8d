"""Applying online for an ASB case review in a real browser, without signing
in: a resident of Harrowmere finds the area's form, sends it empty and reads
the errors, fills it in and gets a receipt with the reference and nothing
else; axe-core finds no serious or critical WCAG 2.2 AA violation on the
list of areas, the form, the form with errors, or the receipt. The district
council's case review coordinator then finds the application in the area's
queue. The same form works with JavaScript off."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING

from faker import Faker

from browser.harness import (
    LiveHub,
    check_accessibility,
    expect,
    keep_screenshot,
    sign_in_as,
    staff_member,
)
from sharehub.access.roles import Role
from sharehub.calendar import local_today

if TYPE_CHECKING:
    from playwright.sync_api import Page

REFERENCE = re.compile(r"ACR-\d{4}-\d{4}")


def fill_date(group, day) -> None:  # type: ignore[no-untyped-def]
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def fill_in(page: Page, name: str, reports: int) -> None:
    page.get_by_label("Yes, I am applying for myself").check()
    page.get_by_label("A person", exact=True).check()
    page.get_by_label("Name of the person, business or group affected").fill(name)
    page.get_by_label("Email address").fill("harrowmere.resident@example.org")
    page.get_by_label("Describe the behaviour in your own words").fill(
        "Motorbikes are ridden across the green behind our houses every evening, "
        "and the riders swear at anyone who asks them to stop."
    )
    today = local_today()
    for n in range(reports):
        report = page.get_by_role("group", name=f"Report {n + 1}", exact=False).first
        happened = today - timedelta(days=50 - 15 * n)
        fill_date(report.get_by_role("group", name="Roughly when did it happen?"), happened)
        fill_date(
            report.get_by_role("group", name="When did you report it?"),
            happened + timedelta(days=1),
        )
        report.get_by_label("Who did you report it to?").select_option(
            label="Harrowmere District Council" if n != 1 else "I'm not sure"
        )
    page.get_by_role(
        "checkbox", name=re.compile(r"^I agree that Harrowmere District Council")
    ).check()


def test_a_resident_applies_online_and_gets_a_receipt(page: Page, live_hub: LiveHub) -> None:
    fake = Faker("en_GB")
    fake.seed_instance(1042)
    name = f"{fake.first_name_female()} {fake.last_name()}"

    page.goto(f"{live_hub.url}/apply-for-a-case-review")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Apply for an anti-social behaviour case review"
    )
    check_accessibility(page)
    # Kestrelshire has no council of its own in the demo: only Harrowmere is listed.
    expect(page.get_by_role("link", name="Kestrelshire")).to_have_count(0)
    page.get_by_role("link", name="Harrowmere").click()
    expect(page.get_by_text("Harrowmere", exact=True).first).to_be_visible()
    check_accessibility(page)

    # Sent empty: the error summary names each question, and is checked too.
    page.get_by_role("button", name="Send application").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text(
        "Select whether you are the victim or applying for someone else"
    )
    expect(summary).to_contain_text("Report 1: enter roughly when it happened")
    expect(summary).to_contain_text("Describe what has been happening")
    check_accessibility(page)
    keep_screenshot(page, "case-review-online-errors")

    fill_in(page, name, reports=3)
    page.get_by_role("button", name="Send application").click()
    expect(page.get_by_role("heading", name="Application sent")).to_be_visible()
    main = page.locator("main").inner_text()
    [reference] = REFERENCE.findall(main)
    assert "Harrowmere District Council will acknowledge your application" in main
    assert name not in main and "Motorbikes" not in main and "example.org" not in main
    assert "received" in page.url and reference not in page.url
    check_accessibility(page)
    keep_screenshot(page, "case-review-online-receipt")

    # The coordinator for the area finds it in the queue, received online.
    coordinator = staff_member("HDC", Role.ASB_CASE_REVIEW_COORDINATOR)
    sign_in_as(page, live_hub, "HDC", coordinator.name)
    queue = page.request.get(f"{live_hub.url}/api/case-reviews/?area=Harrowmere")
    assert queue.ok, queue.text()
    [item] = [r for r in queue.json()["items"] if r["reference"] == reference]
    assert item["received_online"] is True
    assert item["status"] == "threshold_met"  # three reports, each the day after


def test_the_form_works_without_javascript(
    page_without_javascript: Page, live_hub: LiveHub
) -> None:
    page = page_without_javascript
    fake = Faker("en_GB")
    fake.seed_instance(1043)
    page.goto(f"{live_hub.url}/apply-for-a-case-review/harrowmere")
    # The same questions as with JavaScript, all on one page.
    expect(page.get_by_label("Your relationship to them")).to_be_visible()
    fill_in(page, f"{fake.first_name_male()} {fake.last_name()}", reports=1)
    page.get_by_role("button", name="Send application").click()
    expect(page.get_by_role("heading", name="Application sent")).to_be_visible()
    expect(page.locator("main")).to_contain_text(REFERENCE)
