"""MAPPA on the pages: the referrer fills in the MAPPA A as a form, with the
offender and the victim linked by their person references, checks it and
sends it; the coordinator returns it, the referrer resubmits it, and the
coordinator accepts it, agrees its level, invites a duty-to-co-operate agency,
reviews the level when it falls due and closes the case. The invited agency's
page is redacted and holds none of the restricted references; steps taken out
of order say what must come first. Every page without machinery."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update

from pages import assert_no_machinery, field_error, soup, visible_text
from sharehub.calendar import local_today
from sharehub.referrals.mappa.models import MappaReferral
from test_mappa_referrals import REFERENCE_VALUES, database, mappa, offender  # noqa: F401
from test_privacy import partners, record  # noqa: F401
from test_protocols import cast  # noqa: F401

SUMMARY = (
    "Corwin Ashdale (PNC ID 2011/0456789T) was released on licence on 3 November; "
    "he must not contact Imogen Thwaite. ViSOR ref 31HX 0042A7, nDelius CRN D482913."
)


def token(page) -> str:
    return page.select_one('input[name="_csrf_token"]')["value"]


def victim() -> dict[str, Any]:
    return {"role": "victim", "identity": {"name": "Imogen Thwaite", "date_of_birth": "1984-05-17"}}


def mappa_a(page, offender_ref: str, victim_ref: str, **extra: str) -> dict[str, str]:
    return {
        "_csrf_token": token(page),
        "area": "Testshire",
        "offender": offender_ref,
        "category": "2",
        "proposed_level": "2",
        "proposed_level_reason": "Housing, licence conditions and the victim's safety together.",
        "people_at_risk.0.reference": victim_ref,
        "people_at_risk.0.role": "victim",
        "visor_ref": "31hx 0042a7",
        "pnc_id": "2011/0456789t",
        "crn": "d482913",
        "summary": SUMMARY,
        "action": "refer",
    } | extra


async def step(browser, reference: str, path: str, **fields: str):
    """GET a step's form, then POST it with the version and token it carries."""
    form = soup(await browser.get(f"/mappa-referrals/{reference}/{path}"))
    assert_no_machinery(form)
    version = form.select_one('input[name="version"]')["value"]
    data = {"_csrf_token": token(form), "version": version} | fields
    return await browser.post(f"/mappa-referrals/{reference}/{path}", data=data)


async def page_of(browser, where: str):
    page = soup(await browser.get(where))
    assert_no_machinery(page)
    return page, visible_text(page)


async def count(settings) -> int:
    engine, sessions = await database(settings)
    try:
        async with sessions() as db:
            return await db.scalar(select(func.count()).select_from(MappaReferral)) or 0
    finally:
        await engine.dispose()


async def test_a_referral_is_made_screened_managed_and_closed_on_the_pages(mappa, settings):  # noqa: F811
    officer, coordinator = mappa.officer, mappa.coordinator
    him = await record(officer, offender())
    her = await record(officer, victim())

    listing, text = await page_of(officer, "/mappa-referrals")
    assert "No referrals here." in text
    assert listing.select_one('a[href="/mappa-referrals/new"]') is not None
    new, text = await page_of(officer, "/mappa-referrals/new")
    assert "Category 2: Violent offenders" in text and "Level 3: Multi-agency" in text

    # Nothing given: each question is named, nothing is written.
    empty = await officer.post("/mappa-referrals/new", data={"_csrf_token": token(new)})
    assert empty.status_code == 400
    refused = soup(empty)
    assert_no_machinery(refused)
    summary = visible_text(refused.select_one(".govuk-error-summary"))
    assert "Enter the offender's person reference" in summary
    assert "Choose the category the offender is referred in" in summary
    # References in the wrong form: named, never echoed; a person the agency does not hold.
    bad = await officer.post(
        "/mappa-referrals/new",
        data=mappa_a(
            new, him["reference"], her["reference"], pnc_id="2011-0456789T", crn="DD48291"
        ),
    )
    assert bad.status_code == 400
    page = soup(bad)
    assert "Not a PNC ID" in field_error(page, "pnc-id")
    assert "nDelius" in field_error(page, "crn") and "DD48291" not in field_error(page, "crn")
    unknown = await officer.post(
        "/mappa-referrals/new", data=mappa_a(new, him["reference"], "PER-1999-9999")
    )
    assert unknown.status_code == 400
    assert "No one your agency holds" in field_error(soup(unknown), "people-at-risk-0-reference")
    assert await count(settings) == 0

    # Checking: what would be recorded, nothing written.
    checked = await officer.post(
        "/mappa-referrals/new",
        data=mappa_a(new, him["reference"], her["reference"], action="check"),
    )
    assert checked.status_code == 200, checked.text
    page = soup(checked)
    assert_no_machinery(page)
    text = visible_text(page)
    assert "The referral can be sent" in text and "Nothing has been sent yet" in text
    assert "reviewed at least every 16 weeks" in text
    assert "2011/0456789T" in text and "31HX0042A7" in text  # in their normal forms
    assert await count(settings) == 0

    sent = await officer.post(
        "/mappa-referrals/new", data=mappa_a(new, him["reference"], her["reference"])
    )
    assert sent.status_code == 303, sent.text
    where = sent.headers["location"]
    assert (
        where.startswith(f"/mappa-referrals/MAPPA-{local_today().year}-")
        and "done=referred" in where
    )
    reference = where.split("/")[2].split("?")[0]
    page, text = await page_of(officer, where)
    assert "Referral sent to the MAPPA coordinator" in text and "Waiting for screening" in text
    # The referring agency's own view: everyone, and every reference.
    assert "Corwin Ashdale" in text and "Imogen Thwaite" in text
    assert "2011/0456789T" in text and "D482913" in text
    assert not page.select(f'a[href^="/mappa-referrals/{reference}/"]')  # no step is theirs yet

    # The coordinator's queue; a step out of order says what must come first.
    queue, _ = await page_of(coordinator, "/mappa-referrals")
    assert queue.select_one(f'a[href="/mappa-referrals/{reference}"]') is not None
    page, text = await page_of(coordinator, f"/mappa-referrals/{reference}")
    assert "Accept the referral" in text and "Return the referral" in text
    early = await step(
        coordinator, reference, "level-decision", level="2", reason="Needs a MAPP meeting now."
    )
    assert early.status_code == 400
    assert "The coordinator must accept the referral first" in visible_text(
        soup(early).select_one(".govuk-error-summary")
    )
    assert_no_machinery(soup(early))

    # Returned, with a reason; resubmitted by the referrer from the form as it stood.
    short = await step(coordinator, reference, "return", reason="No.")
    assert short.status_code == 400
    returned = await step(
        coordinator, reference, "return", reason="Say which licence conditions apply and when."
    )
    assert returned.status_code == 303, returned.text
    page, text = await page_of(officer, f"/mappa-referrals/{reference}")
    assert "Returned by the coordinator: Say which licence conditions apply" in text
    again = soup(await officer.get(f"/mappa-referrals/{reference}/resubmission"))
    assert_no_machinery(again)
    assert again.select_one('input[name="people_at_risk.0.reference"]')["value"] == her["reference"]
    assert "Corwin Ashdale" in again.select_one('textarea[name="summary"]').get_text()
    fields = {i["name"]: i.get("value", "") for i in again.select("input") if i.get("name")}
    fields |= {t["name"]: t.get_text() for t in again.select("textarea")}
    fields |= {"category": "2", "proposed_level": "3", "people_at_risk.0.role": "victim"}
    fields["summary"] += " Licence conditions: exclusion zone and curfew until 2028."
    resubmitted = await officer.post(f"/mappa-referrals/{reference}/resubmission", data=fields)
    assert resubmitted.status_code == 303, resubmitted.text
    page, text = await page_of(officer, resubmitted.headers["location"])
    assert "Referral resubmitted" in text and "Level 3" in text and "curfew until 2028" in text
    # The referrer cannot take the coordinator's steps.
    assert (await step(officer, reference, "acceptance")).status_code == 403

    assert (await step(coordinator, reference, "acceptance")).status_code == 303
    agreed = await step(
        coordinator, reference, "level-decision", level="2",
        reason="A MAPP meeting is needed to manage the exclusion zone.",
    )  # fmt: skip
    assert agreed.status_code == 303, agreed.text
    page, text = await page_of(coordinator, agreed.headers["location"])
    assert "Level of management agreed" in text and "Level agreed: Level 2" in text
    assert "Next level review" in text

    # Invitations: the agencies with a part in MAPPA, by name.
    form = soup(await coordinator.get(f"/mappa-referrals/{reference}/invitations"))
    choices = {i["value"] for i in form.select('input[name="agency_ids"]')}
    assert mappa.other_id in choices
    none = await step(coordinator, reference, "invitations")
    assert none.status_code == 400
    assert "Choose at least one agency" in visible_text(soup(none))
    invited = await step(coordinator, reference, "invitations", agency_ids=mappa.other_id)
    assert invited.status_code == 303, invited.text
    page, text = await page_of(coordinator, invited.headers["location"])
    assert "Agencies invited" in text and "Otherton" in text

    # The invited agency (a duty-to-co-operate council): the page as the gate
    # builds it for them, without a restricted reference anywhere in it.
    viewer = mappa.viewer
    theirs, _ = await page_of(viewer, "/mappa-referrals?view=invited")
    assert theirs.select_one(f'a[href="/mappa-referrals/{reference}"]') is not None
    response = await viewer.get(f"/mappa-referrals/{reference}")
    assert response.status_code == 200
    for value in REFERENCE_VALUES:
        assert value.casefold() not in response.text.casefold(), value
    page = soup(response)
    assert_no_machinery(page)
    text = visible_text(page)
    assert "Withheld from your agency: ViSOR reference, PNC ID" in text
    assert "Imogen Thwaite" not in text and "Victim A" in text
    assert not page.select(f'a[href^="/mappa-referrals/{reference}/"]')  # no step is theirs
    assert (await viewer.get("/mappa-referrals/new")).status_code == 403  # not a referrer

    # Time passes: the review falls overdue, and the coordinator's list says so.
    engine, sessions = await database(settings)
    async with sessions() as db, db.begin():
        await db.execute(
            update(MappaReferral)
            .where(MappaReferral.reference == reference)
            .values(next_review_on=local_today() - timedelta(days=2))
        )
    await engine.dispose()
    due, text = await page_of(coordinator, "/mappa-referrals?view=reviews")
    row = due.select_one(f'a[href="/mappa-referrals/{reference}"]').find_parent("tr")
    assert "Overdue" in visible_text(row)
    page, text = await page_of(coordinator, f"/mappa-referrals/{reference}")
    assert "Level review overdue" in text and "Review the level of management" in text
    review = soup(await coordinator.get(f"/mappa-referrals/{reference}/level-review"))
    assert review.select_one('input[name="level"][value="2"]').has_attr("checked")
    reviewed = await step(
        coordinator, reference, "level-review", level="3",
        reason="Breach of the exclusion zone; senior oversight needed.",
    )  # fmt: skip
    assert reviewed.status_code == 303, reviewed.text
    page, text = await page_of(coordinator, reviewed.headers["location"])
    assert "Level review recorded" in text and "Level changed at review: Level 3" in text

    unsaid = await step(coordinator, reference, "closure")
    assert unsaid.status_code == 400
    assert "Choose why the case is closing" in visible_text(soup(unsaid))
    closed = await step(coordinator, reference, "closure", reason="transferred")
    assert closed.status_code == 303, closed.text
    page, text = await page_of(coordinator, closed.headers["location"])
    assert "Case closed" in text and "Transferred to another MAPPA area" in text
    late = await step(coordinator, reference, "level-review", level="3", reason="Too late now.")
    assert late.status_code == 400
    message = visible_text(soup(late).select_one(".govuk-error-summary"))
    assert "The referral is closed" in message

    # Every list, filtered by status.
    for where in ("/mappa-referrals?view=all&status=closed", "/mappa-referrals?view=ours"):
        page, _ = await page_of(officer, where)
        assert page.select_one(f'a[href="/mappa-referrals/{reference}"]') is not None
    page, _ = await page_of(officer, "/mappa-referrals?view=all&status=submitted")
    assert page.select_one(f'a[href="/mappa-referrals/{reference}"]') is None
    assert (await officer.get("/mappa-referrals/MAPPA-2000-0001")).status_code == 404
    assert (await officer.get(f"/mappa-referrals/{reference}/no-such-step")).status_code == 404


async def test_an_agency_that_is_not_a_responsible_authority_is_told_who_refers(mappa, settings):  # noqa: F811
    viewer = mappa.viewer
    listing, _ = await page_of(viewer, "/mappa-referrals")
    assert listing.select_one('a[href="/mappa-referrals/new"]') is None
    response = await viewer.get("/mappa-referrals/new")
    assert response.status_code == 403
    page = soup(response)
    assert_no_machinery(page)
    assert "Only a MAPPA responsible authority" in visible_text(page)
    assert page.select_one("main form[method=post]") is None
    theirs = await record(viewer, offender())
    form = {"_csrf_token": token(page), "offender": theirs["reference"], "action": "refer"}
    assert (await viewer.post("/mappa-referrals/new", data=form)).status_code == 403
    assert await count(settings) == 0
