"""The ASB report journey on pages, as a housing officer does it: log a report,
add the people, assess harm (seeing the target it sets), respond, close, reopen.
Another agency's officer sees none of it; bad input comes back on the page."""

from __future__ import annotations

from pages import assert_no_machinery, error_summary, field_error, soup, submit, visible_text
from test_privacy import complainant, partners, record  # noqa: F401
from test_protocols import cast  # noqa: F401


def report_form(**overrides):
    form = {
        "channel": "phone",
        "received_at-day": "26",
        "received_at-month": "8",
        "received_at-year": "2026",
        "received_at-time": "10:15",
        "incident_on-day": "25",
        "incident_on-month": "8",
        "incident_on-year": "2026",
        "category": "nuisance",
        "place": "Outside 14 Larkspur Close",
        "narrative": "Imogen Thwaite reports shouting at her door at night.",
    }
    form.update(overrides)
    return form


async def test_a_housing_officer_runs_a_report_through_its_course(partners):  # noqa: F811
    officer = partners.officer
    held = await record(officer, complainant())

    logged = await submit(officer, "/asb-reports/new", report_form())
    assert logged.status_code == 303, logged.text[:2000]
    where = logged.headers["location"]
    assert where.startswith("/asb-reports/ASB-2026-") and where.endswith("?done=logged")
    page = soup(await officer.get(where))
    text = visible_text(page)
    assert "Report logged" in text and "Not assessed yet" in text
    assert "Imogen Thwaite reports shouting" in text
    assert page.select_one(".sharehub-marking").get_text() == "OFFICIAL-SENSITIVE"
    assert_no_machinery(page)
    reference = where.split("?")[0].rsplit("/", 1)[1]
    base = f"/asb-reports/{reference}"

    # Add the complainant the agency already holds: found by exact name.
    found = await submit(officer, f"{base}/people/find", {"name": "Imogen Thwaite"})
    results = soup(found)
    assert "1 person found" in visible_text(results)
    choose = results.select("main form")[1]
    fields = {i["name"]: i.get("value", "") for i in choose.select("input[type=hidden]")}
    added = await officer.post(f"{base}/people/find", data={**fields, "role": "complainant"})
    assert added.status_code == 303, added.text[:2000]
    page = soup(await officer.get(base))
    assert held["reference"] in visible_text(page)
    assert "Imogen Thwaite" in page.select_one(".govuk-summary-card__title").get_text()

    # The assessment shows each level's target and the date it would set.
    form = soup(await officer.get(f"{base}/assessment"))
    hints = visible_text(form)
    assert "within 5 working days: due 3 September 2026 at 5pm" in hints
    assessed = await submit(officer, f"{base}/assessment", {"harm_level": "low"})
    assert assessed.status_code == 303
    page = visible_text(soup(await officer.get(base)))
    assert "First response due 3 September 2026 at 5pm" in page

    responded = await submit(
        officer,
        f"{base}/first-response",
        {
            "responded_at-day": "27",
            "responded_at-month": "8",
            "responded_at-year": "2026",
            "responded_at-time": "11:00",
        },
    )
    assert responded.status_code == 303, responded.text[:3000]
    closed = await submit(
        officer,
        f"{base}/closure",
        {
            "reason": "behaviour_improved",
            "complainant_told_on-day": "28",
            "complainant_told_on-month": "8",
            "complainant_told_on-year": "2026",
        },
    )
    assert closed.status_code == 303, closed.text[:3000]
    page = visible_text(soup(await officer.get(base)))
    assert "Closed: The behaviour has improved" in page
    reopened = await submit(
        officer, f"{base}/reopening", {"material_change": "Two new incidents reported this week."}
    )
    assert reopened.status_code == 303
    page = soup(await officer.get(f"{base}?done=reopened"))
    assert "Reopened on a material change" in visible_text(page)
    assert "Two new incidents" in visible_text(page)

    listing = soup(await officer.get("/asb-reports?status=open"))
    assert reference in visible_text(listing)
    assert_no_machinery(listing)

    # Another agency's officer cannot open it: a page, not JSON, saying what to do.
    other = await partners.viewer.get(base)
    assert other.status_code == 404
    assert "Page not found" in visible_text(soup(other))
    assert "Imogen" not in other.text


async def test_a_refused_form_says_why_beside_each_field_and_writes_nothing(partners):  # noqa: F811
    officer = partners.officer
    refused = await submit(
        officer,
        "/asb-reports/new",
        report_form(
            channel="", narrative="", **{"incident_on-day": "31", "incident_on-month": "2"}
        ),
    )
    assert refused.status_code == 400
    page = soup(refused)
    assert page.title.get_text().startswith("Error:")
    summary = error_summary(page)
    assert "Enter a real date, for example 27 3 2026" in summary
    assert field_error(page, "incident-on").endswith("Enter a real date, for example 27 3 2026")
    # What was typed comes back in the form, never in a message.
    assert page.select_one("#place")["value"] == "Outside 14 Larkspur Close"
    listing = visible_text(soup(await officer.get("/asb-reports")))
    assert "0 reports" in listing

    # A hate incident needs its motivation: the service's own rule, on the page.
    refused = await submit(officer, "/asb-reports/new", report_form(category="hate_incident"))
    assert refused.status_code == 400
    assert field_error(soup(refused), "perceived-motivation")


async def test_forms_need_their_csrf_token(partners):  # noqa: F811
    refused = await partners.officer.post("/asb-reports/new", data=report_form())
    assert refused.status_code == 403
    assert "This form has expired" in visible_text(soup(refused))
    assert "0 reports" in visible_text(soup(await partners.officer.get("/asb-reports")))


HOSTILE = [
    {"channel": "x" * 5000, "category": "\x00", "narrative": "\ud800" if False else "\x07" * 10},
    {"incident_on-day": "-1", "incident_on-month": "13", "incident_on-year": "99999"},
    {
        "received_at-day": "1",
        "received_at-month": "1",
        "received_at-year": "2026",
        "received_at-time": "25:99",
    },
    {"narrative": "a" * 25_000, "place": "<script>alert(1)</script>" * 20},
    {"harm_level": "catastrophic", "reason": "because", "complainant_told_on-day": "x"},
    {"material_change": "short", "version": "not-a-number"},
    {"subject_id": "not-a-uuid", "role": "overlord"},
    {
        "identity.name": "",
        "identity.date_of_birth-day": "31",
        "identity.date_of_birth-month": "2",
        "identity.date_of_birth-year": "1990",
        "role": "victim",
        "identity.email": "@@",
    },
]


async def test_hostile_forms_get_pages_not_500s_and_write_nothing(partners):  # noqa: F811
    officer = partners.officer
    logged = await submit(officer, "/asb-reports/new", report_form())
    base = logged.headers["location"].split("?")[0]
    before = (await officer.get(base)).text.count("moj-timeline__item")
    for path in (
        "/asb-reports/new",
        f"{base}/assessment",
        f"{base}/first-response",
        f"{base}/closure",
        f"{base}/reopening",
        f"{base}/people/find",
        f"{base}/people/new",
    ):
        for fields in HOSTILE:
            answer = await submit(officer, path, fields)
            assert answer.status_code < 500, (path, fields, answer.text[:500])
            if answer.status_code >= 400:
                assert answer.headers["content-type"].startswith("text/html")
                assert "<script>alert(1)</script>" not in answer.text
    listing = visible_text(soup(await officer.get("/asb-reports")))
    assert "1 report" in listing
    after = (await officer.get(base)).text.count("moj-timeline__item")
    assert after == before
