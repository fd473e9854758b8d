"""A housing officer opens a case from a report, agrees the action plan with
the complainant, records an intervention and marks an action done."""

from __future__ import annotations

import io
from datetime import timedelta
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
from browser.test_asb_journey import HOUSING, fill_date
from sharehub.access.roles import Role
from sharehub.calendar import local_today

if TYPE_CHECKING:
    from playwright.sync_api import Page


def test_a_case_is_opened_and_worked_to_its_plan(page: Page, live_hub: LiveHub) -> None:
    officer = staff_member(HOUSING, Role.PRACTITIONER)
    sign_in_as(page, live_hub, HOUSING, officer.name)
    today, soon = local_today(), local_today() + timedelta(days=7)
    page.get_by_role("button", name="Log an ASB report").click()
    page.get_by_role("group", name="How was it reported?").get_by_label("Phone").check()
    fill_date(page, "When did it happen", today.day, today.month, today.year)
    page.get_by_role("group", name="Category of behaviour").get_by_label("Nuisance").check()
    page.get_by_label("What happened").fill("Loud parties every weekend until 4am.")
    page.get_by_role("button", name="Log the report").click()
    page.get_by_role("button", name="Open a case").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Case opened")
    check_accessibility(page)

    page.get_by_role("button", name="Agree the action plan").click()
    fill_date(page, "When was it agreed", today.day, today.month, today.year)
    page.get_by_role("group", name="How will you keep in touch?").get_by_label("Phone call").check()
    page.get_by_label("How often, in days?").fill("7")
    fill_date(page, "When is the first contact due", soon.day, soon.month, soon.year)
    action = page.get_by_role("group", name="Action 1 (optional)")
    action.get_by_label("What will be done").fill("Write to the household about the parties")
    fill_date(action, "When is it due", soon.day, soon.month, soon.year)
    check_accessibility(page)
    page.get_by_role("button", name="Agree the action plan").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Action plan agreed")

    page.get_by_role("button", name="Record an intervention").click()
    page.get_by_label("Written warning").check()
    fill_date(page, "When", today.day, today.month, today.year)
    page.get_by_label("What came of it?").fill("Warning letter hand-delivered; tenant acknowledged.")
    page.get_by_role("button", name="Record an intervention").click()
    page.get_by_role("button", name="Mark done action 1").click()
    expect(page.locator("main")).to_contain_text("Written warning")
    expect(page.locator("main")).to_contain_text("Done")
    check_accessibility(page)
    keep_screenshot(page, "asb-case")

    # A photograph with its location in it, and a file that is not what it says.
    page.get_by_role("link", name="Attach a document or image").click()
    check_accessibility(page)
    page.get_by_label("Choose the file").set_input_files(
        files=[{"name": "letter.pdf", "mimeType": "application/pdf", "buffer": _photo()}]
    )
    page.get_by_label("Letter").check()
    page.get_by_role("button", name="Attach the file").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("the file is a JPEG image")
    check_accessibility(page)
    page.get_by_label("Choose the file").set_input_files(
        files=[{"name": "Broken window.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
    )
    page.get_by_label("Photograph").check()
    page.get_by_label("Describe it (optional)").fill("Window broken on Saturday night")
    page.get_by_role("button", name="Attach the file").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("File attached")
    expect(page.locator("#attachments + table")).to_contain_text("Broken window.jpg")
    with page.expect_download() as downloaded:
        page.get_by_role("link", name="Broken window.jpg").click()
    kept = Path(downloaded.value.path()).read_bytes()
    assert b"SnoopCam" not in kept and kept.startswith(b"\xff\xd8")
    check_accessibility(page)
    keep_screenshot(page, "asb-case-attachments")
    sign_out(page)


def _photo() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (64, 48), (120, 120, 160))
    exif = Image.Exif()
    exif[0x010F] = "SnoopCam"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()
