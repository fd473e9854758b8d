"""The case review's letter to the applicant and its published figures.

The letter's paragraphs are composed from a view as the disclosure gate builds
it (here built in memory, with the gate's own sealing of an agency's own text):
after a decision below the threshold, and after the outcome. Over HTTP, the
coordinator for the area reads it as a page and downloads it as a PDF; anyone
else is refused; a coordinator at another agency gets the letter the gate lets
them see, and the disclosure is recorded. The figures page and its CSV give
``service.figures``'s counts, and a spreadsheet cannot take an area's name for
a formula.
"""

from __future__ import annotations

import csv
import io
import re
import typing
import uuid
from datetime import date
from typing import Any

import msgspec
import pytest
from sqlalchemy import select

from pages import UUID, assert_no_machinery, soup, visible_text
from sharehub.calendar import local_today
from sharehub.privacy.identity import IDENTITY_FIELDS, Identity
from sharehub.privacy.models import Disclosure
from sharehub.privacy.redaction import SubjectInView, own_text, person_view
from sharehub.protocols.engine import SubjectRole
from sharehub.referrals.case_review import letters, publication
from sharehub.referrals.case_review.rules import FIGURES
from sharehub.referrals.case_review.schemas import (
    CaseReviewView,
    ClockView,
    ComplaintView,
    CriterionView,
    DecisionView,
    Figures,
    InformationRequestSummary,
    RecommendationView,
    RepresentativeView,
    ThresholdView,
)
from sharehub.referrals.case_review.service import figures as service_figures
from sharehub.referrals.criteria import CaseReviewParameters
from support.signin import OTHER_PROVIDER_SLUG
from test_case_reviews import (  # noqa: F401  (reviews: a fixture)
    API,
    PROCEDURES,
    RECENT,
    STALE,
    application,
    reviews,
    step,
)
from test_privacy import (  # noqa: F401  (partners: a fixture)
    complainant,
    database,
    ok,
    partners,
    record,
)
from test_protocols import cast  # noqa: F401  (a fixture)

HOME, POLICE, COUNCIL = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
NAMES = {
    HOME: "Testshire Hub Team",
    POLICE: "Testshire Police",
    COUNCIL: "Otherton Borough Council",
}
ROUTE = "Office of the Police and Crime Commissioner for Testshire, PO Box 12, Testtown TE1 1ST"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# --- a view, as the gate builds it for the receiving agency ------------------------------------


def text(value: str) -> Any:
    return own_text(HOME, HOME, value)


def person(name: str, role: SubjectRole, *, shown: bool = True) -> Any:
    return person_view(
        SubjectInView(
            subject_id=uuid.uuid4(),
            role=role,
            kind="person",
            identity=Identity(
                name=name, address=("14 Larkspur Close", "Pennick Moor"), postcode="HX3 9QT"
            ),
            shown=frozenset(IDENTITY_FIELDS) if shown else frozenset(),
        ),
        "Victim A",
    )


def build(struct: Any, **fields: Any) -> Any:
    """The struct from the fields given; any other field it requires (added to
    the view since) takes its empty value: no, nothing, none."""
    for f in msgspec.structs.fields(struct):
        if f.required and f.name not in fields:
            args = typing.get_args(f.type)
            if f.type is bool:
                fields[f.name] = False
            elif type(None) in args:
                fields[f.name] = None
            elif typing.get_origin(f.type) is list:
                fields[f.name] = []
    return struct(**fields)


def complaint(behaviour: date, complained: date, agency: uuid.UUID, qualifies: bool) -> Any:
    return build(
        ComplaintView,
        behaviour_on=behaviour, complained_on=complained, agency_id=agency,
        hate_incident=False, asb_report_id=None, qualifies=qualifies,
    )  # fmt: skip


def declined_view(**overrides: Any) -> CaseReviewView:
    fields: dict[str, Any] = {
        "id": uuid.uuid4(), "reference": "ACR-2026-0003", "version": 5, "status": "declined",
        "area": "Testshire", "receiving_agency_id": HOME, "received_on": date(2026, 10, 1),
        "applicant_type": "victim", "victim_type": "individual",
        "victim": person("Imogen Thwaite", SubjectRole.VICTIM), "victim_name": None,
        "representative": None, "representative_person": None,
        "narrative": text("Imogen Thwaite says Dorian Pellow has shouted at her door."),
        "complaints": [
            complaint(date(2026, 1, 5), date(2026, 1, 6), POLICE, False),
            complaint(date(2026, 2, 2), date(2026, 2, 3), COUNCIL, False),
        ],
        "threshold": ThresholdView(met=False, qualifying_complaints=0, reasons=[]),
        "decision": DecisionView(
            decision="declined", decided_by="coordinator", decided_on=date(2026, 10, 16),
            reasons=[
                CriterionView(code="persistence", met=False, reason="r", citation="c"),
                CriterionView(code="adequacy_of_response", met=False, reason="r", citation="c"),
            ],
            note=text("No incident since February.\nBoth agencies responded within target."),
            citation="s104(5)",
        ),
        "clocks": [], "applicant_told_decision_on": None, "information_requests": [],
        "review_held_on": None, "outcome_recorded_on": None, "outcome_summary": None,
        "recommendations": [], "applicant_told_outcome_on": None, "escalated_on": None,
        "escalation_reason": None, "escalation_route": None, "closed_on": None,
        "procedure_source": "Testshire procedure", "next_steps": ["tell_threshold_decision"],
    }  # fmt: skip
    fields.update(overrides)
    return build(CaseReviewView, **fields)


def outcome_view(**overrides: Any) -> CaseReviewView:
    fields: dict[str, Any] = {
        "status": "outcome_recorded",
        "complaints": [complaint(date(2026, 8, 3), date(2026, 8, 4), POLICE, True)] * 3,
        "threshold": ThresholdView(met=True, qualifying_complaints=3, reasons=[]),
        "decision": DecisionView(
            decision="threshold_met", decided_by="threshold", decided_on=date(2026, 10, 1),
            reasons=[], note=None, citation="s104(4)",
        ),
        "clocks": [
            ClockView(name="review_meeting", working_days=20, due_on=date(2026, 10, 29),
                      done_on=date(2026, 11, 2), breached=True, citation="c"),
        ],
        "applicant_told_decision_on": date(2026, 10, 12),
        "information_requests": [
            InformationRequestSummary(
                id=uuid.uuid4(), version=2, agency_id=COUNCIL, agency_type="unitary_council",
                body_role="relevant_body", requested_on=date(2026, 10, 13),
                responded_on=date(2026, 10, 20),
            )
        ],
        "review_held_on": date(2026, 11, 2), "outcome_recorded_on": date(2026, 11, 3),
        "outcome_summary": text("The response was not joined up.\nThe agencies will act together."),
        "recommendations": [
            RecommendationView(id=uuid.uuid4(), version=1, agency_id=COUNCIL,
                               recommendation=text("Start tenancy enforcement."),
                               responded_on=None, response=None),
            RecommendationView(id=uuid.uuid4(), version=1, agency_id=POLICE,
                               recommendation=text("Patrol the close at weekends."),
                               responded_on=None, response=None),
        ],
        "applicant_told_outcome_on": date(2026, 11, 4),
    }  # fmt: skip
    fields.update(overrides)
    return declined_view(**fields)


def context(**overrides: Any) -> letters.Context:
    fields: dict[str, Any] = {
        "agencies": NAMES,
        "escalation_route": ROUTE,
        "parameters": CaseReviewParameters(),
        "sender": "Alex Coordinator",
        "sender_agency": "Testshire Hub Team",
        "reader_agency_id": HOME,
        "today": date(2026, 12, 4),
    }
    fields.update(overrides)
    return letters.Context(**fields)


def no_machinery(letter: letters.Letter) -> None:
    words = [letter.title, *letter.addressee, letter.salutation, *letter.signature]
    words += [s.heading for s in letter.sections] + letter.paragraphs()
    for line in words:
        assert not UUID.search(line) and not ISO_DATE.search(line), line
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", line), line  # no codes
        assert "None" not in line.split(), line


def test_a_declined_application_gets_the_decision_and_its_reasons_in_words() -> None:
    view = declined_view()
    assert letters.letters_open(view) == ["decision"] and letters.latest(view) == "decision"
    letter = letters.compose(view, "decision", context())
    no_machinery(letter)
    assert letter.addressee == ("Imogen Thwaite", "14 Larkspur Close", "Pennick Moor", "HX3 9QT")
    assert letter.salutation == "Dear Imogen Thwaite"
    assert letter.dated == date(2026, 12, 4) and letter.told_on is None  # not sent yet: today
    assert letter.filename == "ACR-2026-0003-decision-letter.pdf"
    assert [s.heading for s in letter.sections] == [
        "Your application",
        "Our decision",
        "Why we made this decision",
        "If you are not satisfied with this decision",
        "If the anti-social behaviour carries on",
    ]
    said = letter.paragraphs()
    assert said[0] == (
        "We received your application for an anti-social behaviour case review on 1 October 2026."
    )
    assert "We have decided not to hold a case review." in said
    assert "We made this decision on 16 October 2026." in said
    assert any("at least 3 qualifying complaints" in p and "within 6 months" in p for p in said)
    assert "The application told us about 2 complaints. They did not qualify." in said
    assert (
        "the complaint made to Testshire Police on 6 January 2026, about behaviour on "
        "5 January 2026: it was reported more than 6 months before the application"
    ) in said
    assert (
        "How long the anti-social behaviour has gone on, and how often: we found this does not "
        "support a review"
    ) in said
    assert (
        "Whether the agencies did enough about it: we found this does not support a review" in said
    )
    assert "No incident since February." in said  # the coordinator's reasons, line by line
    assert "Both agencies responded within target." in said
    assert ROUTE in said
    assert any("Schedule 4, paragraph 3" in p for p in said)
    assert letter.gaps == ()
    # Once the applicant is recorded as told, the letter is dated that day.
    told = letters.compose(
        declined_view(applicant_told_decision_on=date(2026, 10, 19)), "decision", context()
    )
    assert told.dated == told.told_on == date(2026, 10, 19)
    with pytest.raises(ValueError):
        letters.compose(view, "outcome", context())


def test_after_the_outcome_the_letter_gives_each_recommendation_and_its_body() -> None:
    view = outcome_view()
    assert letters.letters_open(view) == ["decision", "outcome"]
    assert letters.latest(view) == "outcome"
    letter = letters.compose(view, "outcome", context())
    no_machinery(letter)
    assert letter.title == "The outcome of your anti-social behaviour case review"
    assert letter.dated == date(2026, 11, 4)  # when the applicant was told
    assert letter.filename == "ACR-2026-0003-outcome-letter.pdf"
    said = letter.paragraphs()
    assert "The review meeting was held on 2 November 2026." in said
    assert any("we asked Otherton Borough Council for information" in p for p in said)
    assert "The response was not joined up." in said
    assert any(p.startswith("The review made 2 recommendations.") for p in said)
    assert "Otherton Borough Council: Start tenancy enforcement." in said
    assert "Testshire Police: Patrol the close at weekends." in said
    assert "If you are not satisfied with the outcome" in [s.heading for s in letter.sections]
    assert ROUTE in said
    # Without recommendations, the letter says so.
    none = letters.compose(outcome_view(recommendations=[]), "outcome", context())
    assert "The review did not make any recommendations." in none.paragraphs()
    # The decision letter of a review that went ahead says a review will be held.
    decision = letters.compose(view, "decision", context())
    no_machinery(decision)
    assert "We will hold a case review." in decision.paragraphs()
    assert decision.dated == date(2026, 10, 12)


def test_the_letter_holds_only_what_the_gate_shows_and_says_what_is_missing() -> None:
    # A coordinator at another agency: the victim's identity withheld, the
    # outcome shown as the gate redacted it; the area has no route of its own.
    hidden = person("Imogen Thwaite", SubjectRole.VICTIM, shown=False)
    view = outcome_view(
        victim=hidden, outcome_summary=text("Victim A was passed between agencies.")
    )
    letter = letters.compose(
        view, "outcome", context(reader_agency_id=COUNCIL, escalation_route=None)
    )
    no_machinery(letter)
    assert letter.addressee == () and letter.salutation == "Dear Sir or Madam"
    everything = " ".join([*letter.addressee, *letter.paragraphs()])
    assert "Thwaite" not in everything and "Larkspur" not in everything
    assert "Victim A was passed between agencies." in letter.paragraphs()
    assert any("The applicant's name" in g and "Testshire Hub Team" in g for g in letter.gaps)
    assert any("The applicant's address" in g for g in letter.gaps)
    assert any("has not recorded its own route" in g for g in letter.gaps)
    assert "The office of the police and crime commissioner for your area" in letter.paragraphs()
    # A representative applied: the letter goes to them, and names the victim.
    representative = person("Jonah Pemberton", SubjectRole.REPRESENTATIVE)
    view = declined_view(
        applicant_type="representative",
        representative=RepresentativeView(
            name=text("Jonah Pemberton"), relationship=text("ward councillor")
        ),
        representative_person=representative,
    )
    letter = letters.compose(view, "decision", context())
    assert letter.addressee[0] == "Jonah Pemberton" and letter.salutation == "Dear Jonah Pemberton"
    assert "You applied on behalf of Imogen Thwaite." in letter.paragraphs()[0]


def test_the_pdf_is_a_titled_letter_in_english_with_an_outline() -> None:
    letter = letters.compose(outcome_view(), "outcome", context())
    pdf = letters.render_pdf(letter, author="Alex Coordinator, Testshire Hub Team")
    assert pdf.startswith(b"%PDF-")
    assert b"/Lang (en-GB)" in pdf
    assert b"/PageMode /UseOutlines" in pdf
    info = pdf_info(pdf)
    assert info["Title"] == letter.title
    assert info["Author"] == "Alex Coordinator, Testshire Hub Team"
    titles = outline_titles(pdf)
    assert titles[0] == letter.title
    assert titles[1:] == [s.heading for s in letter.sections]
    shown = pdf_text(pdf)
    assert "Private and confidential" in shown and "Dear Imogen Thwaite" in shown
    assert "Otherton Borough Council: Start tenancy enforcement." in shown
    assert "4 November 2026" in shown and "ACR-2026-0003" in shown


# --- reading the PDF back (fpdf2 writes; nothing here reads PDFs, so by hand) ------------------


def _pdf_string(raw: bytes) -> str:
    """A PDF string object as fpdf2 writes it: (literal) or <FEFF hex> UTF-16."""
    raw = raw.strip()
    if raw.startswith(b"<"):
        data = bytes.fromhex(raw[1:-1].decode())
        return data[2:].decode("utf-16-be") if data.startswith(b"\xfe\xff") else data.decode()
    body = raw[1:-1]
    body = re.sub(rb"\\([()\\])", rb"\1", body)
    if body.startswith(b"\xfe\xff"):
        return body[2:].decode("utf-16-be")
    return body.decode("latin-1")


def _objects(pdf: bytes) -> dict[int, bytes]:
    return {
        int(m.group(1)): m.group(2)
        for m in re.finditer(rb"(?<!\d)(\d+) 0 obj(.*?)endobj", pdf, re.DOTALL)
    }


_STRING = rb"(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f]+>)"


def pdf_info(pdf: bytes) -> dict[str, str]:
    number = re.search(rb"/Info (\d+) 0 R", pdf)
    assert number is not None, "no document information dictionary"
    info = _objects(pdf)[int(number.group(1))]
    return {
        key.decode(): _pdf_string(value)
        for key, value in re.findall(rb"/(Title|Author|Subject|Creator)\s*" + _STRING, info)
    }


def outline_titles(pdf: bytes) -> list[str]:
    objects = _objects(pdf)
    entries = [
        (number, body) for number, body in objects.items()
        if b"/Title" in body and b"/Parent" in body
    ]  # fmt: skip
    return [_pdf_string(re.search(rb"/Title\s*" + _STRING, body).group(1)) for _, body in entries]


def pdf_text(pdf: bytes) -> str:
    """The text of the letter: the content streams, each glyph mapped back by
    its font's ToUnicode map (as the sweep reads the meeting packs)."""
    from test_sweep import pdf_text as sweep_pdf_text

    return sweep_pdf_text(pdf)


# --- over HTTP ------------------------------------------------------------------------------------


async def declined_review(reviews) -> str:  # noqa: F811
    """An application below the threshold, declined at discretion (the reference)."""
    officer, coordinator = reviews.officer, reviews.coordinator
    await ok(
        await coordinator.put(
            f"{PROCEDURES}/Testshire",
            json={"escalation_route": ROUTE, "source": "Testshire case review procedure v2"},
        )
    )
    victim = await record(officer, complainant())
    created = await officer.post(f"{API}/", json=application(victim["id"], reviews.home_id, STALE))
    view = await ok(created, 201)
    done = await step(coordinator, view["id"], "acknowledgement", {}, created.headers["etag"])
    decline = {
        "decision": "decline",
        "decided_on": str(local_today()),
        "factors": [{"factor": "persistence", "finding": "does_not_support_review"}],
        "reasons": "No incident since February; Imogen Thwaite was visited twice.",
    }
    await ok(
        await step(coordinator, view["id"], "discretionary-decision", decline, done.headers["etag"])
    )
    return view["reference"]


async def held_review(reviews) -> str:  # noqa: F811
    """An application at the threshold, Otherton asked, held, with an outcome."""
    officer, coordinator = reviews.officer, reviews.coordinator
    victim = await record(officer, complainant())
    created = await officer.post(f"{API}/", json=application(victim["id"], reviews.home_id, RECENT))
    view = await ok(created, 201)
    review_id = view["id"]
    tag = (
        await step(coordinator, review_id, "acknowledgement", {}, created.headers["etag"])
    ).headers["etag"]
    asked = await step(
        coordinator, review_id, "information-requests", {"agencies": [reviews.other_id]}, tag
    )
    held = await step(coordinator, review_id, "review-meeting", {}, asked.headers["etag"])
    outcome = {
        "summary": "Imogen Thwaite was passed between the agencies; they will act together.",
        "recommendations": [
            {"agency_id": reviews.other_id, "recommendation": "Start tenancy enforcement."}
        ],
    }
    await ok(await step(coordinator, review_id, "outcome", outcome, held.headers["etag"]))
    return view["reference"]


async def test_the_coordinator_reads_prints_and_downloads_the_letter(reviews):  # noqa: F811
    reference = await declined_review(reviews)
    coordinator = reviews.coordinator
    answer = await coordinator.get(f"/case-reviews/{reference}/letter")
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    page = soup(answer)
    assert_no_machinery(page)
    letter = visible_text(page.select_one("article.sharehub-letter"))
    assert letter.startswith("Private and confidential Imogen Thwaite 14 Larkspur Close")
    assert "HX3 9QT" in letter and "Dear Imogen Thwaite" in letter
    assert "We have decided not to hold a case review." in letter
    assert "No incident since February; Imogen Thwaite was visited twice." in letter
    assert ROUTE in letter and "Schedule 4, paragraph 3" in letter
    assert f"Our reference: {reference}" in letter
    assert page.select_one('link[href="/static/letter.css"]') is not None
    assert "Not yet recorded as sent" in visible_text(page)
    # The print stylesheet leaves everything but the letter off the page.
    css = await coordinator.get("/static/letter.css")
    assert css.status_code == 200 and "@media print" in css.text
    assert ".govuk-service-navigation" in css.text and ".sharehub-no-print" in css.text

    pdf_link = page.select_one('a[href$="letter.pdf?of=decision"]')
    assert pdf_link is not None
    pdf = await coordinator.get(pdf_link["href"])
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == (
        f'attachment; filename="{reference}-decision-letter.pdf"'
    )
    assert pdf.headers["cache-control"] == "no-store"
    assert pdf.content.startswith(b"%PDF-")
    assert pdf_info(pdf.content)["Title"].endswith("our decision")
    assert "Our decision" in outline_titles(pdf.content)
    assert "Dear Imogen Thwaite" in pdf_text(pdf.content)

    # Before the threshold decision there is no letter to send.
    victim = await record(reviews.officer, complainant(name="Petra Lindqvist"))
    waiting = await ok(
        await reviews.officer.post(
            f"{API}/", json=application(victim["id"], reviews.home_id, STALE)
        ),
        201,
    )
    early = soup(await coordinator.get(f"/case-reviews/{waiting['reference']}/letter"))
    assert "There is no letter to send yet" in visible_text(early)
    assert early.select_one("article") is None
    assert (
        await coordinator.get(f"/case-reviews/{waiting['reference']}/letter.pdf")
    ).status_code == 409

    # No outcome yet: no outcome letter; and a review that is not there.
    assert (
        await coordinator.get(f"/case-reviews/{reference}/letter?of=outcome")
    ).status_code == 404
    assert (await coordinator.get("/case-reviews/ACR-1999-0001/letter")).status_code == 404


async def test_only_the_areas_coordinator_may_have_the_letter(reviews):  # noqa: F811
    reference = await declined_review(reviews)
    # A practitioner of the receiving agency sees the review, but not its letter.
    refused = await reviews.officer.get(f"/case-reviews/{reference}/letter")
    assert refused.status_code == 403
    assert (await reviews.officer.get(f"/case-reviews/{reference}/letter.pdf")).status_code == 403
    # A coordinator of the receiving agency for another area: not theirs either.
    elsewhere = await reviews.person("cr-fenby", [])
    my_id = (await elsewhere.get("/me")).json()["id"]
    grant = {"user_id": my_id, "role": "asb_case_review_coordinator", "area": "Fenby"}
    await ok(await reviews.admin.post("/api/role-assignments/", json=grant), 201)
    assert (await elsewhere.get(f"/case-reviews/{reference}/letter")).status_code == 403
    page = soup(await elsewhere.get(f"/case-reviews/{reference}/letter.pdf"))
    assert "Imogen" not in visible_text(page)


async def test_another_agencys_coordinator_reads_the_letter_through_the_gate(
    reviews,  # noqa: F811
    settings,
):
    reference = await held_review(reviews)
    coordinator = reviews.coordinator
    # The receiving agency's coordinator: the whole letter, the applicant by name.
    own = soup(await coordinator.get(f"/case-reviews/{reference}/letter"))
    assert_no_machinery(own)
    letter = visible_text(own.select_one("article"))
    assert "Imogen Thwaite was passed between the agencies" in letter
    assert "Otherton Borough Council: Start tenancy enforcement." in letter
    assert "Dear Imogen Thwaite" in letter
    # The outcome letter is the latest; the decision letter is there too.
    links = {a.get_text(strip=True): a["href"] for a in own.select(".moj-sub-navigation a")}
    assert links == {
        "Decision letter": f"/case-reviews/{reference}/letter?of=decision",
        "Outcome letter": f"/case-reviews/{reference}/letter?of=outcome",
    }

    # A coordinator for the area at Otherton (asked, and connected by the protocol).
    other = await reviews.person("cr-otherton", [], OTHER_PROVIDER_SLUG)
    my_id = (await other.get("/me")).json()["id"]
    grant = {"user_id": my_id, "role": "asb_case_review_coordinator", "area": "Testshire"}
    await ok(await reviews.admin.post("/api/role-assignments/", json=grant), 201)
    answer = await other.get(f"/case-reviews/{reference}/letter")
    assert answer.status_code == 200, answer.text
    page = soup(answer)
    assert_no_machinery(page)
    text = visible_text(page)
    assert "Thwaite" not in text and "Larkspur" not in text and "HX3" not in text
    assert "Victim A was passed between the agencies" in text
    assert "Dear Sir or Madam" in text
    assert "Testshire Hub Team received this application and holds the applicant's details" in text
    assert "The applicant's address" in text
    pdf = await other.get(f"/case-reviews/{reference}/letter.pdf")
    shown = pdf_text(pdf.content)
    assert "Thwaite" not in shown and "Victim A was passed" in shown
    # Each reading went through the gate, and is recorded as a disclosure to Otherton.
    engine, sessions = await database(settings)
    async with sessions() as db:
        rows = list(
            await db.scalars(
                select(Disclosure).where(
                    Disclosure.viewer_agency_id == uuid.UUID(reviews.other_id),
                    Disclosure.context_kind == "case_review",
                )
            )
        )
    await engine.dispose()
    assert len(rows) >= 2 and all(r.purpose == "asb_case_review" for r in rows)


# --- the figures ------------------------------------------------------------------------------


async def service_counts(settings, area: str, start: date, end: date) -> Figures:
    engine, sessions = await database(settings)
    async with sessions() as db:
        found = await service_figures(db, area, start, end)
    await engine.dispose()
    return found


def test_years_are_financial_by_default_and_calendar_on_request() -> None:
    today = date(2026, 12, 4)
    default = publication.default_period(today)
    assert (default.code, default.start, default.end) == (
        "fy2025",
        date(2025, 4, 1),
        date(2026, 3, 31),
    )
    assert default.complete and default.name == "April 2025 to March 2026, financial year"
    now = publication.period_named("fy2026", today)
    assert now is not None and now.end == today and not now.complete
    assert now.name == "April 2026 to March 2027, financial year (so far)"
    calendar = publication.period_named("cy2025", today)
    assert calendar is not None and (calendar.start, calendar.end) == (
        date(2025, 1, 1),
        date(2025, 12, 31),
    )
    assert publication.period_named("fy1990", today) is None
    # Before April, the last complete financial year is the one before last.
    assert publication.default_period(date(2027, 3, 31)).code == "fy2025"
    assert publication.default_period(date(2027, 4, 1)).code == "fy2026"


def test_the_csv_cannot_be_taken_for_a_formula() -> None:
    rows = [
        Figures(
            area=name, period_from=date(2025, 4, 1), period_to=date(2026, 3, 31),
            applications=4, threshold_not_met=1, reviews_held=2,
            reviews_with_recommendations=1, awaiting_decision=1, citation=FIGURES,
        )
        for name in ("=HYPERLINK(\"http://example.org\")", "+Testshire", "-1", "@SUM(A1)", "Fenby")
    ]  # fmt: skip
    read = list(csv.reader(io.StringIO(publication.figures_csv(rows).decode("utf-8"))))
    assert read[0] == list(publication.HEADER)
    assert [r[0] for r in read[1:]] == [
        "'=HYPERLINK(\"http://example.org\")", "'+Testshire", "'-1", "'@SUM(A1)", "Fenby",
    ]  # fmt: skip
    assert read[1][1:] == ["2025-04-01", "2026-03-31", "4", "1", "2", "1"]
    assert publication.csv_filename("Fenby & Dale", date(2025, 4, 1), date(2026, 3, 31)) == (
        "case-review-figures-fenby-dale-2025-04-01-to-2026-03-31.csv"
    )


async def test_the_figures_page_and_csv_give_the_services_counts(reviews, settings):  # noqa: F811
    await declined_review(reviews)
    await held_review(reviews)
    coordinator = reviews.coordinator
    today = local_today()
    year = publication.financial_year(
        today.year if today >= date(today.year, 4, 1) else today.year - 1, today
    )
    default = publication.default_period(today)

    # By default: the last complete financial year, the first area.
    first = soup(await coordinator.get("/case-reviews/figures"))
    assert_no_machinery(first)
    chosen = first.select_one("#year option[selected]")
    assert chosen["value"] == default.code
    assert "calendar year" in visible_text(first.select_one("#year"))

    answer = await coordinator.get(
        "/case-reviews/figures", params={"area": "testshire", "year": year.code}
    )
    assert answer.status_code == 200, answer.text
    page = soup(answer)
    assert_no_machinery(page)
    counts = await service_counts(settings, "Testshire", year.start, year.end)
    cells = [td.get_text(strip=True) for td in page.select("table td")]
    assert cells == [
        str(counts.applications),
        str(counts.threshold_not_met),
        str(counts.reviews_held),
        str(counts.reviews_with_recommendations),
    ]
    # Both applications (received on 1 October 2026), one declined and one held today.
    assert counts.applications + counts.threshold_not_met + counts.reviews_held >= 2
    text = visible_text(page)
    assert "Anti-social Behaviour, Crime and Policing Act 2014" in text and "section 104" in text
    assert "Every application received in the period has had its decision" in text
    link = page.select_one('a[href^="/case-reviews/figures.csv"]')["href"]

    csv_answer = await coordinator.get(link)
    assert csv_answer.status_code == 200
    assert csv_answer.headers["content-type"].startswith("text/csv")
    assert csv_answer.headers["content-disposition"].startswith(
        'attachment; filename="case-review-figures-testshire-'
    )
    assert csv_answer.headers["cache-control"] == "no-store"
    rows = list(csv.reader(io.StringIO(csv_answer.text)))
    assert rows == [
        list(publication.HEADER),
        [
            "Testshire", year.start.isoformat(), year.end.isoformat(),
            str(counts.applications), str(counts.threshold_not_met), str(counts.reviews_held),
            str(counts.reviews_with_recommendations),
        ],
    ]  # fmt: skip
    # Without a period: the last complete financial year.
    plain = list(csv.reader(io.StringIO((await coordinator.get("/case-reviews/figures.csv")).text)))
    assert plain[1][1:3] == [default.start.isoformat(), default.end.isoformat()]

    # An area nobody serves, a year not offered, a period backwards.
    wrong = await coordinator.get("/case-reviews/figures", params={"area": "Nowhere", "year": "x"})
    assert wrong.status_code == 400
    assert "Choose one of the areas in the list" in visible_text(soup(wrong))
    assert (await coordinator.get("/case-reviews/figures.csv?area=Nowhere")).status_code == 404
    backwards = await coordinator.get("/case-reviews/figures.csv?from=2026-05-01&to=2026-04-01")
    assert backwards.status_code == 422
    # A practitioner does not publish figures.
    assert (await reviews.officer.get("/case-reviews/figures")).status_code == 403
    assert (await reviews.officer.get("/case-reviews/figures.csv")).status_code == 403


async def test_an_area_named_like_a_formula_stays_text_in_the_csv(reviews):  # noqa: F811
    from factories import agency_payload

    sly = '=HYPERLINK("http://example.org","Testshire")'
    made = await reviews.admin.post("/api/agencies/", json=agency_payload(areas=[sly]))
    assert made.status_code == 201, made.text
    coordinator = reviews.coordinator  # for every area
    page = soup(await coordinator.get("/case-reviews/figures"))
    assert sly in [o.get_text() for o in page.select("#area option")]
    answer = await coordinator.get("/case-reviews/figures.csv", params={"area": sly})
    assert answer.status_code == 200, answer.text
    row = list(csv.reader(io.StringIO(answer.text)))[1]
    assert row[0] == "'" + sly
    assert answer.headers["content-disposition"].startswith(
        'attachment; filename="case-review-figures-hyperlink-http-example-org-testshire-'
    )


def test_the_letters_and_figures_are_not_taken_for_a_review_or_its_steps() -> None:
    """``/case-reviews/{reference}`` and ``/{reference}/{step}`` are the review's
    pages; the static segments of these routes are matched first."""
    from sharehub.app import create_app
    from sharehub.config import Settings

    app = create_app(Settings(env="development", database_url="sqlite+aiosqlite:///:memory:"))
    routed = {
        path: app.asgi_router.handle_routing(path, "GET")[1].handler_name
        for path in (
            "/case-reviews/figures",
            "/case-reviews/figures.csv",
            "/case-reviews/ACR-2026-0003/letter",
            "/case-reviews/ACR-2026-0003/letter.pdf",
        )
    }
    assert routed == {
        "/case-reviews/figures": "figures_page",
        "/case-reviews/figures.csv": "figures_csv",
        "/case-reviews/ACR-2026-0003/letter": "letter_page",
        "/case-reviews/ACR-2026-0003/letter.pdf": "letter_pdf",
    }


async def test_every_word_of_the_letter_and_figures_is_a_message(reviews, monkeypatch):  # noqa: F811
    """Each sentence goes through gettext, so a Welsh catalogue translates the
    letter too; what is left is data (names, the address, dates, the
    coordinator's words, the reference, the law's citation)."""
    from sharehub import i18n
    from test_page_language import Pseudo

    innermost = re.compile(r"⟦[^⟦⟧]*⟧")

    def leftover(page: Any, data: set[str]) -> list[str]:
        """As ``test_page_language.untranslated``, with messages inside messages."""
        main = page.select_one("main")
        for hidden in main.select("script, input, textarea, option"):
            hidden.decompose()
        rest = []
        for text in main.stripped_strings:
            while innermost.search(text):
                text = innermost.sub("", text)
            text = text.strip(" .,:;()–-")
            if (
                text
                and text not in data
                and not re.fullmatch(r"\d+|\d{1,2} [A-Z][a-z]+ \d{4}", text)
            ):
                rest.append(text)
        return rest

    reference = await declined_review(reviews)
    monkeypatch.setattr(i18n, "translations_for", lambda language: Pseudo())
    page = soup(await reviews.coordinator.get(f"/case-reviews/{reference}/letter"))
    data = {
        "OFFICIAL-SENSITIVE", "Imogen Thwaite", "14 Larkspur Close", "Pennick Moor", "HX3 9QT",
        reference, ROUTE, "No incident since February; Imogen Thwaite was visited twice",
        "Testshire Hub Team", page.select_one(".sharehub-letter__signature strong").get_text(),
    }  # fmt: skip
    assert leftover(page, data) == []
    figures = soup(await reviews.coordinator.get("/case-reviews/figures"))
    areas = {o.get_text(strip=True) for o in figures.select("#area option")}
    assert leftover(figures, areas | {FIGURES}) == []
