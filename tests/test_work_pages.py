"""'Your work': what is waiting for a person on a Monday morning, by role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pages import assert_no_machinery, soup, visible_text
from test_privacy import partners  # noqa: F401
from test_protocols import cast  # noqa: F401


async def _logged(browser, received: datetime, harm: str | None) -> str:
    created = await browser.post(
        "/api/asb-reports/",
        json={
            "channel": "phone",
            "received_at": received.isoformat(),
            "incident_on": received.date().isoformat(),
            "category": "nuisance",
            "narrative": "Music played loudly late at night.",
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    if harm:
        assessed = await browser.post(
            f"/api/asb-reports/{body['id']}/assessment",
            json={"harm_level": harm},
            headers={"If-Match": created.headers["etag"]},
        )
        assert assessed.status_code == 200, assessed.text
    return body["reference"]


async def test_a_housing_officer_sees_breached_and_due_reports(partners):  # noqa: F811
    officer = partners.officer
    now = datetime.now(UTC)
    late = await _logged(officer, now - timedelta(days=20), "high")
    due = await _logged(officer, now - timedelta(minutes=5), "low")
    waiting = await _logged(officer, now - timedelta(minutes=1), None)
    page = soup(await officer.get("/"))
    text = visible_text(page)
    assert "Your work" in text
    breached = page.find("caption", string="ASB reports past their response target").parent
    assert late in breached.get_text() and "Breached" in breached.get_text()
    soon = page.find("caption", string="ASB reports due a first response").parent
    assert due in soon.get_text() and "working day" in soon.get_text()
    unassessed = page.find("caption", string="ASB reports waiting for a harm assessment").parent
    assert waiting in unassessed.get_text()
    assert "Practitioner" in text  # the role, in plain English
    assert_no_machinery(page)
    # Another agency's officer has none of this agency's work.
    other = visible_text(soup(await partners.viewer.get("/")))
    assert late not in other and "Nothing is waiting" in other


async def test_someone_without_a_role_is_told_who_can_give_them_one(partners):  # noqa: F811
    admin = await partners.person("home-admin", ["agency_administrator"])
    await admin.get("/")  # signed in, so the hub knows them by name
    newcomer = await partners.person("home-newcomer", [])
    page = soup(await newcomer.get("/"))
    text = visible_text(page)
    assert "You do not have a role in the hub yet" in text
    assert "Ask your agency administrator" in text and "home-admin" in text
    assert_no_machinery(page)


async def test_a_step_your_roles_do_not_include_is_a_plain_english_page(partners):  # noqa: F811
    ig_lead = partners.home_ig
    refused = await ig_lead.get("/asb-reports/new")
    assert refused.status_code == 403
    page = soup(refused)
    text = visible_text(page)
    assert "You cannot do this" in text and "agency administrator" in text
    assert "asb-report" not in text  # no internal action names
    assert_no_machinery(page)
