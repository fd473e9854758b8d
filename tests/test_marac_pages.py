"""MARAC on the pages: the referrer answers the DASH checklist as a form, sees
the criteria worked out before sending, and sends; the coordinator screens it
from the queue and lists it; another agency's view of it is redacted; steps
taken out of order say what must come first. Every page without machinery."""

from __future__ import annotations

from datetime import timedelta

from pages import assert_no_machinery, soup, visible_text
from sharehub.calendar import local_today
from sharehub.referrals.marac.checklists import checklists
from test_marac_referrals import CHECKLIST, marac  # noqa: F401
from test_privacy import partners  # noqa: F401
from test_protocols import cast  # noqa: F401

QUESTIONS = [q.code for q in checklists()[CHECKLIST].questions]


def token(page) -> str:
    return page.select_one('input[name="_csrf_token"]')["value"]


def form_for(marac, page, *, yes: int, action: str, **extra: str) -> dict[str, str]:  # noqa: F811
    day = local_today() - timedelta(days=2)
    fields = {
        "_csrf_token": token(page),
        "area": "Testshire",
        "victim": marac.victim["reference"],
        "perpetrator": marac.accused["reference"],
        "incident_on-day": str(day.day),
        "incident_on-month": str(day.month),
        "incident_on-year": str(day.year),
        "victim_aware": "yes",
        "consent_given": "no",
        "idva_allocated": "no",
        "summary": "Assaulted at home; she fears for her life.",
        "action": action,
    }
    for i, code in enumerate(QUESTIONS):
        fields[f"answers.{code}"] = "yes" if i < yes else "no"
    return fields | extra


async def test_the_referrer_checks_the_criteria_then_refers(marac):  # noqa: F811
    officer = marac.officer
    listing = soup(await officer.get("/marac-referrals"))
    assert_no_machinery(listing)
    new = soup(await officer.get("/marac-referrals/new"))
    assert_no_machinery(new)
    text = visible_text(new)
    # Each question in words, under the checklist's own headings.
    assert "The current situation" in text and "The abuser" in text
    assert "Has the current incident resulted in injury?" in text

    # Nothing answered: every unanswered question is marked, nothing is sent.
    empty = await officer.post("/marac-referrals/new", data={"_csrf_token": token(new)})
    assert empty.status_code == 400
    summary = soup(empty).select_one(".govuk-error-summary")
    assert summary is not None and "Answer this question" in visible_text(summary)

    # Checking: the criteria explained, nothing written.
    checked = await officer.post(
        "/marac-referrals/new", data=form_for(marac, new, yes=15, action="check")
    )
    assert checked.status_code == 200, checked.text
    page = soup(checked)
    assert_no_machinery(page)
    assert "The case meets the MARAC criteria" in visible_text(page)
    assert "Visible high risk" in visible_text(page)
    assert "No referrals here." in visible_text(
        soup(await officer.get("/marac-referrals?view=ours"))
    )

    low = await officer.post(
        "/marac-referrals/new", data=form_for(marac, new, yes=3, action="check")
    )
    assert "meets none of the MARAC criteria yet" in visible_text(soup(low))

    sent = await officer.post(
        "/marac-referrals/new", data=form_for(marac, new, yes=15, action="refer")
    )
    assert sent.status_code == 303, sent.text
    where = sent.headers["location"]
    assert where.startswith("/marac-referrals/MARAC-") and "done=referred" in where
    page = soup(await officer.get(where))
    assert_no_machinery(page)
    text = visible_text(page)
    assert "Referral sent to the MARAC coordinator" in text and "Waiting for screening" in text
    assert "Imogen Thwaite" in text  # the referrer's own victim, in full

    # The coordinator (another agency) screens it from the queue.
    coordinator = marac.coordinator
    queue = soup(await coordinator.get("/marac-referrals"))
    assert_no_machinery(queue)
    reference = where.split("/")[2].split("?")[0]
    link = queue.select_one(f'a[href="/marac-referrals/{reference}"]')
    assert link is not None
    theirs = soup(await coordinator.get(link["href"]))
    assert_no_machinery(theirs)
    # No consent covers the coordinator's agency: the victim's name is withheld.
    assert "Imogen Thwaite" not in visible_text(theirs)

    # Out of order: listing before screening says what must come first.
    listing_form = soup(await coordinator.get(f"/marac-referrals/{reference}/listing"))
    version = listing_form.select_one('input[name="version"]')["value"]
    soon = local_today() + timedelta(days=7)
    early = await coordinator.post(
        f"/marac-referrals/{reference}/listing",
        data={"_csrf_token": token(listing_form), "version": version,
              "meeting_on-day": str(soon.day), "meeting_on-month": str(soon.month),
              "meeting_on-year": str(soon.year)},
    )  # fmt: skip
    assert early.status_code == 400
    assert "accept the referral first" in visible_text(
        soup(early).select_one(".govuk-error-summary")
    )

    screen = soup(await coordinator.get(f"/marac-referrals/{reference}/screening"))
    accepted = await coordinator.post(
        f"/marac-referrals/{reference}/screening",
        data={"_csrf_token": token(screen), "version": version, "outcome": "accepted"},
    )
    assert accepted.status_code == 303, accepted.text
    listed = await coordinator.post(
        f"/marac-referrals/{reference}/listing",
        data={"_csrf_token": token(screen), "version": str(int(version) + 1),
              "meeting_on-day": str(soon.day), "meeting_on-month": str(soon.month),
              "meeting_on-year": str(soon.year)},
    )  # fmt: skip
    assert listed.status_code == 303, listed.text
    page = visible_text(soup(await coordinator.get(listed.headers["location"])))
    assert "Listed for the meeting" in page

    # The referrer cannot take the coordinator's steps.
    refused = await officer.post(
        f"/marac-referrals/{reference}/hearing",
        data={"_csrf_token": token(screen), "version": "3"},
    )
    assert refused.status_code == 403


async def test_the_idva_services_caseload_shows_its_victims_as_the_gate_allows(marac):  # noqa: F811
    from test_marac_referrals import refer

    made, _ = await refer(marac, idva_allocated=True, idva_agency_id=marac.other_id)
    idva = marac.viewer  # a practitioner of the agency whose IDVA service has the case
    page = soup(await idva.get("/marac-referrals?view=caseload"))
    assert_no_machinery(page)
    row = page.select_one(f'a[href="/marac-referrals/{made["reference"]}"]').find_parent("tr")
    # No consent covers the IDVA service's agency: the victim is a pseudonym.
    assert "Victim A" in visible_text(row) and "Imogen" not in visible_text(row)
    # The referrer's own list does not hold it as another agency's caseload.
    theirs = soup(await marac.officer.get("/marac-referrals?view=caseload"))
    assert theirs.select_one(f'a[href="/marac-referrals/{made["reference"]}"]') is None


async def test_a_household_member_refused_is_named_in_their_own_row(marac):  # noqa: F811
    officer = marac.officer
    new = soup(await officer.get("/marac-referrals/new"))
    # The second row holds the victim again: the service refuses the first
    # household link it was given, and the page marks the row it came from.
    fields = form_for(
        marac,
        new,
        yes=15,
        action="check",
        **{"household.1.reference": marac.victim["reference"], "household.1.role": "child"},
    )
    refused = await officer.post("/marac-referrals/new", data=fields)
    assert refused.status_code == 400
    page = soup(refused)
    assert_no_machinery(page)
    links = [a["href"] for a in page.select(".govuk-error-summary a")]
    assert links == ["#household-1-reference"], links
