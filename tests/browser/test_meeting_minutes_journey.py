"""A MARAC during and after the meeting, in a real browser on the demo hub:
the chair opens the next meeting's first case (nothing of it until the
confidentiality statement is accepted), reads what each agency brought and the
risks in words, and moves between the cases; reads the approved minutes of
last month's MARAC and downloads them as a PDF; the housing association's
officer finds its overdue action and records it done. axe-core finds no
serious or critical violation on any page."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from faker import Faker
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

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
from sharehub.config import normalise_database_url
from sharehub.db.engine import create_engine
from sharehub.meetings.models import Meeting

if TYPE_CHECKING:
    from playwright.sync_api import Page

T = TypeVar("T")


def in_a_thread(database_url: str, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
    """Work on the demo hub's database, in a thread of its own beside the browser's."""
    found: list[T] = []

    async def run() -> None:
        engine = create_engine(normalise_database_url(database_url))
        try:
            async with engine.begin() as connection:
                found.append(await work(connection))
        finally:
            await engine.dispose()

    worker = threading.Thread(target=lambda: asyncio.run(run()))
    worker.start()
    worker.join()
    return found[0]


def the_next_marac(database_url: str) -> str:
    """The demo's next MARAC (the first arranged of those still scheduled)."""

    async def first(connection: AsyncConnection) -> str:
        return await connection.scalar(
            select(Meeting.reference)
            .where(Meeting.status == "scheduled", Meeting.meeting_type == "marac")
            .order_by(Meeting.created_at, Meeting.reference)
            .limit(1)
        )

    return in_a_thread(database_url, first)


def the_meeting_starts(database_url: str, reference: str) -> None:
    """Time passes: the meeting's start moved into the past (the test cannot wait)."""

    async def move(connection: AsyncConnection) -> None:
        await connection.execute(
            update(Meeting)
            .where(Meeting.reference == reference)
            .values(starts_at=datetime.now(UTC) - timedelta(minutes=20))
        )

    in_a_thread(database_url, move)


def test_a_marac_is_run_minuted_and_its_actions_worked(page: Page, live_hub: LiveHub) -> None:
    chair = staff_member("KPOL", Role.MARAC_CHAIR)
    housing = staff_member("FVHA", Role.PRACTITIONER)
    sign_in_as(page, live_hub, "KPOL", chair.name)

    # The next MARAC, with its agenda and the agencies' preparation.
    reference = the_next_marac(live_hub.database_url)
    page.goto(f"{live_hub.url}/meetings/{reference}/run/1")
    expect(page.locator("h1")).to_contain_text("Accept the confidentiality statement first")
    check_accessibility(page)
    page.get_by_role("link", name="Read the statement on the meeting's page").click()
    page.get_by_role("button", name="I accept the confidentiality statement").click()
    page.goto(f"{live_hub.url}/meetings/{reference}/run/1")
    main = page.locator("main")
    expect(main).to_contain_text("What the agencies brought")
    expect(main).to_contain_text("Abuse more frequent or getting worse")  # words, not codes
    expect(main).to_contain_text("once the meeting is recorded as held")
    check_accessibility(page)
    if page.get_by_role("link", name=re.compile("Next case")).count():
        page.get_by_role("link", name=re.compile("Next case")).click()
        expect(main).to_contain_text("Case 2 of")
        check_accessibility(page)

    # The meeting starts: held, as it happens, then the first case minuted.
    the_meeting_starts(live_hub.database_url, reference)
    page.goto(f"{live_hub.url}/meetings/{reference}/attendance")
    expect(main).to_contain_text("Agencies invited")
    check_accessibility(page)
    page.get_by_role("button", name="Record that the meeting is held").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("recorded as held")
    check_accessibility(page)
    page.get_by_role("link", name="Go to the first case").click()
    fake = Faker("en_GB")
    fake.seed_instance(7401)
    owner = fake.name()
    page.get_by_label("Decisions").fill("High risk confirmed; the refuse place is kept.")
    form = page.get_by_role("group", name="Add an action")
    form.get_by_label("Agency that owns it").select_option(label="Fernvale Housing Association")
    form.get_by_label("Named owner").fill(owner)
    form.get_by_label("What is to be done").fill("Hold her tenancy open while she is away.")
    due = local_today() + timedelta(days=14)
    when = form.get_by_role("group", name="Due by")
    when.get_by_label("Day").fill(str(due.day))
    when.get_by_label("Month").fill(str(due.month))
    when.get_by_label("Year").fill(str(due.year))
    page.get_by_role("button", name="Save in the draft minutes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Saved in the draft")
    expect(main).to_contain_text(owner)
    check_accessibility(page)
    keep_screenshot(page, "meeting-run-case")
    page.get_by_role("link", name="The minutes").click()
    expect(main).to_contain_text("Draft")
    expect(main).to_contain_text("Hold her tenancy open while she is away.")
    check_accessibility(page)

    page.get_by_role("link", name="Actions", exact=True).click()
    check_accessibility(page)
    sign_out(page)

    sign_in_as(page, live_hub, "FVHA", housing.name)
    page.get_by_role("link", name="Actions", exact=True).click()
    expect(page.get_by_role("link", name="Your agency's actions")).to_have_attribute(
        "aria-current", "page"
    )
    check_accessibility(page)
    page.get_by_role("link", name="Overdue").click()
    expect(main).to_contain_text("Overdue")
    check_accessibility(page)
    page.locator("main table a").first.click()
    held = re.search(r"MTG-\d{4}-\d{4}", page.url).group(0)
    expect(main).to_contain_text("Fit extra locks")
    check_accessibility(page)
    page.get_by_role("button", name="Record progress").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose where the action")
    check_accessibility(page)
    page.get_by_label("Done", exact=True).check()
    page.get_by_label("What has been done").fill("Locks and a door viewer fitted; file marked.")
    page.get_by_role("button", name="Record progress").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Progress on the action")
    check_accessibility(page)
    keep_screenshot(page, "meeting-action-done")

    page.goto(f"{live_hub.url}/meetings/{held}/minutes")
    expect(main).to_contain_text("Approved and locked")
    expect(main).to_contain_text("OFFICIAL-SENSITIVE")
    check_accessibility(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the minutes (PDF)").click()
    assert download.value.suggested_filename == f"minutes-{held}.pdf"
