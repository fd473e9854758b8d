"""The case review's letters and figures in a real browser: the demo's
coordinator opens the outcome letter of the review that ran its course, prints
it (the hub's menus and the notes are left off) and downloads it as a PDF;
opens the decision letter of the application declined below the threshold;
then the figures for publication, for this financial year so far, and
downloads them as a CSV. Each page passes axe-core."""

from __future__ import annotations

from pathlib import Path
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


def reference_of(page: Page, hub: LiveHub, status: str) -> str:
    """The demo's case review in this state, as the API lists it to the coordinator
    (the one received first: other journeys add their own today)."""
    answer = page.request.get(f"{hub.url}/api/case-reviews/", params={"status": status})
    assert answer.ok, answer.text()
    first = min(answer.json()["items"], key=lambda review: review["received_on"])
    return str(first["reference"])


def test_the_coordinator_prints_the_letters_and_publishes_the_figures(
    page: Page, live_hub: LiveHub
) -> None:
    coordinator = staff_member("HDC", Role.ASB_CASE_REVIEW_COORDINATOR)
    sign_in_as(page, live_hub, "HDC", coordinator.name)

    held = reference_of(page, live_hub, "outcome_recorded")
    page.goto(f"{live_hub.url}/case-reviews/{held}/letter")
    letter = page.locator("article.sharehub-letter")
    expect(letter).to_contain_text("Private and confidential")
    expect(letter).to_contain_text("The outcome of your anti-social behaviour case review")
    expect(letter).to_contain_text("Fernvale Housing Association: Name one housing officer")
    expect(letter).to_contain_text("Kestrelshire Constabulary: Review the criminal damage")
    expect(letter).to_contain_text("Office of the Police and Crime Commissioner for Kestrelshire")
    expect(letter).to_contain_text(f"Our reference: {held}")
    expect(page.get_by_role("link", name="Outcome letter")).to_have_attribute(
        "aria-current", "page"
    )
    check_accessibility(page)
    keep_screenshot(page, "case-review-letter")

    # Printed: the letter alone.
    page.emulate_media(media="print")
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    expect(page.locator(".govuk-footer")).to_be_hidden()
    expect(page.get_by_role("button", name="Download the letter (PDF)")).to_be_hidden()
    expect(letter).to_be_visible()
    keep_screenshot(page, "case-review-letter-printed")
    page.emulate_media(media="screen")

    with page.expect_download() as downloaded:
        page.get_by_role("button", name="Download the letter (PDF)").click()
    assert downloaded.value.suggested_filename == f"{held}-outcome-letter.pdf"
    assert Path(downloaded.value.path()).read_bytes().startswith(b"%PDF-")

    page.get_by_role("link", name="Decision letter").click()
    expect(letter).to_contain_text("We will hold a case review.")
    check_accessibility(page)

    declined = reference_of(page, live_hub, "closed")
    page.goto(f"{live_hub.url}/case-reviews/{declined}/letter")
    expect(letter).to_contain_text("We have decided not to hold a case review.")
    expect(letter).to_contain_text("we found this does not support a review")
    expect(letter).to_contain_text("If you are not satisfied with this decision")
    check_accessibility(page)
    keep_screenshot(page, "case-review-letter-declined")

    page.goto(f"{live_hub.url}/case-reviews/figures")
    expect(page.get_by_label("Year")).to_contain_text("financial year")
    check_accessibility(page)
    this_year = page.locator("#year option", has_text="(so far)").first.get_attribute("value")
    page.get_by_label("Year").select_option(this_year)
    page.get_by_label("Area").select_option("Harrowmere")
    page.get_by_role("button", name="Show the figures").click()
    table = page.locator("main table")
    expect(table).to_contain_text("Case reviews held that made recommendations")
    expect(page.locator("main")).to_contain_text("the figures count up to today")
    check_accessibility(page)
    keep_screenshot(page, "case-review-figures")
    with page.expect_download() as downloaded:
        page.get_by_role("button", name="Download the figures (CSV)").click()
    assert downloaded.value.suggested_filename.startswith("case-review-figures-harrowmere-")
    lines = Path(downloaded.value.path()).read_text().splitlines()
    assert lines[0].startswith("area,period start,period end,applications")
    assert lines[1].startswith("Harrowmere,")
    sign_out(page)
