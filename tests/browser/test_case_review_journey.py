"""The ASB case review in a real browser: the council's community safety
officer (the area's case review coordinator) records an application made by
phone, with the victim added as a person and three complaints by their dates;
sees the threshold met from the complaints, acknowledges it, records that the
applicant was told and asks the police for information; the police
practitioner finds it waiting for the force, reads it with the victim withheld
and answers; the coordinator records the review meeting and the outcome with a
recommendation to the police, who respond; the coordinator closes it."""

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
    sign_out,
    staff_member,
)
from sharehub.access.roles import Role
from sharehub.calendar import local_today

if TYPE_CHECKING:
    from playwright.sync_api import Page


def add_person(page: Page, role: str, name: str) -> str:
    page.get_by_role("link", name="People", exact=True).click()
    page.get_by_role("button", name="Add a person").click()
    page.get_by_label("The role in which your agency knows them").select_option(label=role)
    page.get_by_label("Full name").fill(name)
    page.get_by_role("button", name="Add the person").click()
    expect(page.locator("main")).to_contain_text(name)
    return re.search(r"PER-\d{4}-\d{4}", page.url).group(0)


def banner(page: Page, text: str) -> None:
    expect(page.locator(".govuk-notification-banner")).to_contain_text(text)


def test_a_case_review_from_application_to_closure(page: Page, live_hub: LiveHub) -> None:
    fake = Faker("en_GB")
    fake.seed_instance(4104)
    victim = f"{fake.first_name_female()} {fake.last_name()}"
    today = local_today()

    coordinator = staff_member("HDC", Role.ASB_CASE_REVIEW_COORDINATOR)
    sign_in_as(page, live_hub, "HDC", coordinator.name)
    victim_ref = add_person(page, "Complainant", victim)

    page.get_by_role("link", name="Case reviews", exact=True).click()
    expect(page.get_by_role("link", name="Open case reviews")).to_have_attribute(
        "aria-current", "page"
    )
    check_accessibility(page)
    page.get_by_role("button", name="Record an application").click()
    check_accessibility(page)
    # Sent with nothing about the complaints: the error summary names them.
    page.get_by_label("The victim", exact=True).check()
    page.get_by_role("button", name="Record the application").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give at least one complaint")
    check_accessibility(page)

    page.get_by_label("A person").check()
    page.get_by_label("The victim's person reference").fill(victim_ref)
    for n, ago in enumerate((50, 30, 12), start=1):
        complaint = page.get_by_role("group", name=f"Complaint {n}")
        behaviour, reported = today - timedelta(days=ago + 1), today - timedelta(days=ago)
        for group, on in (("When did the behaviour happen?", behaviour),
                          ("When was it reported?", reported)):  # fmt: skip
            fieldset = complaint.get_by_role("group", name=group)
            fieldset.get_by_label("Day").fill(str(on.day))
            fieldset.get_by_label("Month").fill(str(on.month))
            fieldset.get_by_label("Year").fill(str(on.year))
        complaint.get_by_label("Who was it reported to?").select_option(
            label="Kestrelshire Constabulary"
        )
    page.get_by_label("What is the behaviour, and why is a review asked for?").fill(
        f"{victim} says the shouting outside her flat goes on most nights and nothing changes."
    )
    page.get_by_role("button", name="Record the application").click()
    banner(page, "Application recorded")
    reference = re.search(r"ACR-\d{4}-\d{4}", page.url).group(0)
    main = page.locator("main")
    expect(main).to_contain_text("3 of the complaints qualify.")
    expect(main).to_contain_text("The threshold is met.")
    expect(main).to_contain_text(victim)
    check_accessibility(page)

    page.get_by_role("button", name="Acknowledge the application").click()
    check_accessibility(page)
    page.get_by_role("button", name="Acknowledge the application").click()
    banner(page, "Acknowledgement recorded")
    page.get_by_role("button", name="Record that the applicant was told the decision").click()
    page.get_by_role("button", name="Record that the applicant was told the decision").click()
    banner(page, "told the decision")
    page.get_by_role("button", name="Ask bodies for information").click()
    page.get_by_label("Kestrelshire Constabulary").check()
    check_accessibility(page)
    page.get_by_role("button", name="Ask bodies for information").click()
    banner(page, "Bodies asked for information")
    keep_screenshot(page, "case-review-coordinator")
    sign_out(page)

    # The police: asked, they see the review with the victim withheld, and answer.
    police = staff_member("KPOL", Role.PRACTITIONER)
    sign_in_as(page, live_hub, "KPOL", police.name)
    page.get_by_role("link", name="Case reviews", exact=True).click()
    expect(page.get_by_role("link", name="Waiting for your agency")).to_have_attribute(
        "aria-current", "page"
    )
    check_accessibility(page)
    page.get_by_role("link", name=reference).click()
    expect(main).not_to_contain_text(victim)
    check_accessibility(page)
    page.get_by_role("button", name="Give your agency's answer").click()
    page.get_by_label("What does your agency know").fill(
        "Three calls to the street since the summer; patrols were increased at weekends."
    )
    check_accessibility(page)
    page.get_by_role("button", name="Send your agency's answer").click()
    banner(page, "Your agency's answer is recorded")
    sign_out(page)

    sign_in_as(page, live_hub, "HDC", coordinator.name)
    page.goto(f"{live_hub.url}/case-reviews/{reference}")
    page.get_by_role("button", name="Record the review meeting").click()
    page.get_by_role("button", name="Record the review meeting").click()
    banner(page, "Review meeting recorded")
    page.get_by_role("button", name="Record the outcome").click()
    page.get_by_label("What did the review find?").fill(
        "The partners' response was too slow; the police will lead a problem-solving plan."
    )
    first = page.get_by_role("group", name="Recommendation 1")
    first.get_by_label("To which body?").select_option(label="Kestrelshire Constabulary")
    first.get_by_label("What does the review recommend?").fill(
        "Agree a problem-solving plan for the street within a month."
    )
    check_accessibility(page)
    page.get_by_role("button", name="Record the outcome").click()
    banner(page, "Outcome recorded")
    page.get_by_role("button", name="Record that the applicant was told the outcome").click()
    page.get_by_role("button", name="Record that the applicant was told the outcome").click()
    banner(page, "told the outcome")
    sign_out(page)

    sign_in_as(page, live_hub, "KPOL", police.name)
    page.goto(f"{live_hub.url}/case-reviews/{reference}")
    page.get_by_role("button", name="Respond to your agency's recommendation").click()
    check_accessibility(page)
    page.get_by_label("How does your agency respond?").fill(
        "Agreed: the neighbourhood team will bring a plan to the next partnership meeting."
    )
    page.get_by_role("button", name="Send your agency's response").click()
    banner(page, "Your agency's response is recorded")
    sign_out(page)

    sign_in_as(page, live_hub, "HDC", coordinator.name)
    page.goto(f"{live_hub.url}/case-reviews/{reference}")
    expect(main).to_contain_text("the neighbourhood team will bring a plan")
    page.get_by_role("button", name="Close the case review").click()
    page.get_by_role("button", name="Close the case review").click()
    banner(page, "Case review closed")
    check_accessibility(page)
    keep_screenshot(page, "case-review-closed")
    sign_out(page)
