"""ASB case reviews on the pages: staff record an application with the victim
by their person reference and the complaints by their dates; the coordinator
sees the threshold worked out from the complaints (each with its dates), the
clocks, and takes each step on its own form, out-of-order steps saying what
must come first; the body asked answers on its page, reads the review as the
gate shows it to its agency (the victim withheld), and responds to its
recommendation. An application below the threshold is declined with reasons.
Every page without machinery; nothing written when a form is refused."""

from __future__ import annotations

from typing import Any

from pages import assert_no_machinery, field_error, soup, visible_text
from test_case_reviews import count_reviews, reviews  # noqa: F401
from test_privacy import complainant, partners, perpetrator, record  # noqa: F401
from test_protocols import cast  # noqa: F401


def token(page) -> str:
    return page.select_one('input[name="_csrf_token"]')["value"]


def day(prefix: str, iso: str) -> dict[str, str]:
    year, month, d = iso.split("-")
    return {f"{prefix}-day": d, f"{prefix}-month": month, f"{prefix}-year": year}


RECENT = (("2026-08-03", "2026-08-04"), ("2026-08-20", "2026-08-21"), ("2026-09-10", "2026-09-12"))
STALE = (("2026-01-05", "2026-01-06"), ("2026-01-12", "2026-01-13"), ("2026-02-02", "2026-02-03"))


def application(page, victim_ref: str, agency_id: str, pairs=RECENT, **extra: str) -> dict:
    data = {
        "_csrf_token": token(page),
        "area": "Testshire",
        **day("received_on", "2026-10-01"),
        "applicant_type": "victim",
        "victim_type": "individual",
        "victim": victim_ref,
        "narrative": "Imogen Thwaite says Dorian Pellow has shouted at her door most nights.",
    }
    for i, (behaviour, complained) in enumerate(pairs):
        data |= day(f"complaints.{i}.behaviour_on", behaviour)
        data |= day(f"complaints.{i}.complained_on", complained)
        data[f"complaints.{i}.agency_id"] = agency_id
    return data | extra


async def page_of(browser, where: str):
    response = await browser.get(where)
    assert response.status_code == 200, response.text
    page = soup(response)
    assert_no_machinery(page)
    return page, visible_text(page)


async def step(browser, reference: str, path: str, **fields: Any):
    """GET a step's form, then POST it with the version and token it carries."""
    form, _text = await page_of(browser, f"/case-reviews/{reference}/{path}")
    version = form.select_one('input[name="version"]')["value"]
    data = {"_csrf_token": token(form), "version": version} | fields
    return await browser.post(f"/case-reviews/{reference}/{path}", data=data)


def done(response, reference: str, what: str) -> None:
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/case-reviews/{reference}?done={what}"


async def recorded(reviews, settings, pairs=RECENT) -> tuple[str, dict]:
    """An application recorded on the page by the home agency's officer."""
    officer = reviews.officer
    victim = await record(officer, complainant())
    form, _text = await page_of(officer, "/case-reviews/new")
    sent = await officer.post(
        "/case-reviews/new", data=application(form, victim["reference"], reviews.home_id, pairs)
    )
    assert sent.status_code == 303, sent.text
    reference = sent.headers["location"].split("/")[-1].split("?")[0]
    assert reference.startswith("ACR-")
    return reference, victim


async def test_a_review_runs_its_course_on_the_pages(reviews, settings):  # noqa: F811
    officer, coordinator, viewer = reviews.officer, reviews.coordinator, reviews.viewer

    # Nothing given: each question named, nothing written.
    form, text = await page_of(officer, "/case-reviews/new")
    assert "Record an application" in text
    empty = await officer.post("/case-reviews/new", data={"_csrf_token": token(form)})
    assert empty.status_code == 400
    refused = soup(empty)
    assert_no_machinery(refused)
    summary = visible_text(refused.select_one(".govuk-error-summary"))
    assert "Say who applied" in summary and "Give at least one complaint" in summary
    assert "Describe the behaviour" in summary
    victim = await record(officer, complainant())
    unknown = await officer.post(
        "/case-reviews/new",
        data=application(form, "PER-1999-9999", reviews.home_id),
    )
    assert unknown.status_code == 400
    assert "No one your agency holds" in field_error(soup(unknown), "victim")
    assert await count_reviews(settings) == 0

    sent = await officer.post(
        "/case-reviews/new", data=application(form, victim["reference"], reviews.home_id)
    )
    assert sent.status_code == 303, sent.text
    reference = sent.headers["location"].split("/")[-1].split("?")[0]

    # The coordinator's queue and the review: the threshold from the complaints, the clocks.
    listing, text = await page_of(coordinator, "/case-reviews")
    assert reference in text and "Threshold met" in text
    page, text = await page_of(coordinator, f"/case-reviews/{reference}")
    assert "3 of the complaints qualify." in text and "The threshold is met." in text
    assert "4 August 2026" in text and "12 September 2026" in text  # each complaint's dates
    assert "Acknowledge the application" in text and "Not started" in text
    assert "Imogen Thwaite" in text  # the receiving agency's coordinator sees the victim

    # Out of order: what must come first, not a bare conflict.
    early, text = await page_of(coordinator, f"/case-reviews/{reference}/review-meeting")
    assert "Acknowledge the application first" in text
    assert early.select_one("main form[method=post]") is None

    done(await step(coordinator, reference, "acknowledgement"), reference, "acknowledge")
    done(await step(coordinator, reference, "applicant-told"), reference, "tell_threshold_decision")
    nobody = await step(coordinator, reference, "information-requests")
    assert nobody.status_code == 400
    assert "Choose at least one body" in visible_text(soup(nobody))
    asked = await step(coordinator, reference, "information-requests", agencies=reviews.other_id)
    done(asked, reference, "request_information")

    # The body asked: its work, its queue, the review as its agency sees it, its answer.
    _work, text = await page_of(viewer, "/")
    assert "1 request or recommendation is waiting for your agency's answer" in text
    queue, text = await page_of(viewer, "/case-reviews")
    assert reference in text
    theirs, text = await page_of(viewer, f"/case-reviews/{reference}")
    assert "Imogen Thwaite" not in text and "Victim A" in text
    assert "Give your agency's answer" in text
    them = await record(viewer, perpetrator())
    form, text = await page_of(viewer, f"/case-reviews/{reference}/answers/1")
    answer = {
        "_csrf_token": token(form),
        "version": form.select_one('input[name="version"]')["value"],
        "response": "Four calls since March; Dorian Pellow given a warning.",
        "subjects.0.reference": them["reference"],
        "subjects.0.role": "perpetrator",
    }
    done(
        await viewer.post(f"/case-reviews/{reference}/answers/1", data=answer), reference, "respond"
    )
    read, text = await page_of(coordinator, f"/case-reviews/{reference}/answers/1")
    assert "Four calls since March" in text

    done(await step(coordinator, reference, "review-meeting"), reference, "hold_review")
    outcome = await step(
        coordinator,
        reference,
        "outcome",
        summary="The review found the partners' response slow; the council will act.",
        **{
            "recommendations.0.agency_id": reviews.other_id,
            "recommendations.0.recommendation": "Start tenancy enforcement this month.",
        },
    )
    done(outcome, reference, "record_outcome")
    done(await step(coordinator, reference, "outcome-told"), reference, "tell_outcome")

    rec, text = await page_of(viewer, f"/case-reviews/{reference}/recommendations/1")
    assert "Start tenancy enforcement" in text
    reply = {
        "_csrf_token": token(rec),
        "version": rec.select_one('input[name="version"]')["value"],
        "response": "Agreed: a notice will be served.",
    }
    responded = await viewer.post(f"/case-reviews/{reference}/recommendations/1", data=reply)
    done(responded, reference, "respond_to_recommendation")

    done(await step(coordinator, reference, "closure"), reference, "close")
    closed, text = await page_of(coordinator, f"/case-reviews/{reference}")
    assert "Closed" in text and "Agreed: a notice will be served." in text
    assert "Applicant told the outcome" in text
    # The other body cannot take the coordinator's steps.
    refused = await viewer.get(f"/case-reviews/{reference}/closure")
    assert refused.status_code in (403, 404)


async def test_below_the_threshold_the_coordinator_decides_with_reasons(reviews, settings):  # noqa: F811
    coordinator = reviews.coordinator
    reference, _victim = await recorded(reviews, settings, STALE)
    page, text = await page_of(coordinator, f"/case-reviews/{reference}")
    assert "The threshold is not met." in text and "0 of the complaints qualify." in text
    assert "more than 6 months before the application" in text
    done(await step(coordinator, reference, "acknowledgement"), reference, "acknowledge")

    # Accepting rests on a matter that supports a review; reasons are needed.
    bad = await step(
        coordinator, reference, "threshold-decision", decision="accept",
        **{"factors.persistence": "does_not_support_review"}, reasons="short",
    )  # fmt: skip
    assert bad.status_code == 400
    page = soup(bad)
    assert_no_machinery(page)
    assert "Give the reasons in 10 to 8,000 characters" in visible_text(page)
    declined = await step(
        coordinator, reference, "threshold-decision", decision="decline",
        **{"factors.persistence": "does_not_support_review", "factors.harm": "supports_review"},
        reasons="The complaints are old and the landlord has since moved the neighbour.",
    )  # fmt: skip
    done(declined, reference, "decline")
    # Closing before the applicant is told says what must come first.
    early, text = await page_of(coordinator, f"/case-reviews/{reference}/closure")
    assert "Record first that the applicant was told" in text
    done(await step(coordinator, reference, "applicant-told"), reference, "tell_threshold_decision")
    escalated = await step(
        coordinator, reference, "escalation",
        reason="She says the old complaints were never answered at all.",
    )  # fmt: skip
    done(escalated, reference, "escalate")
    page, text = await page_of(coordinator, f"/case-reviews/{reference}")
    assert "Declined by the coordinator" in text and "Does not support a review" in text
    assert "The police and crime commissioner" in text
    done(await step(coordinator, reference, "closure"), reference, "close")
    listing, text = await page_of(coordinator, "/case-reviews?view=all&status=closed")
    assert reference in text


async def test_another_agency_not_asked_finds_nothing(reviews, settings):  # noqa: F811
    reference, _victim = await recorded(reviews, settings)
    missing = await reviews.viewer.get(f"/case-reviews/{reference}")
    assert missing.status_code == 404
    assert reference not in visible_text(soup(await reviews.viewer.get("/case-reviews?view=all")))
