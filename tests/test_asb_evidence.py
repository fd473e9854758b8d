"""Evidence from partners, through the gate: a case officer asks a partner
agency about the case; the partner reads the question as the gate shows it
(the complainant withheld without consent covering it) and answers; the
answer reaches the case officer through the gate, people the hub holds but
the case does not link withheld, and each read by the other agency recorded.
Without a protocol in force, nothing is asked or answered through the hub."""

from __future__ import annotations

from sqlalchemy import select

from helpers import assert_problem
from pages import assert_no_machinery, form_fields, soup, visible_text
from sharehub.audit.models import LedgerEntry
from sharehub.privacy.models import Disclosure
from support.people import fictional
from test_asb_cases import CASES, day, opened, post
from test_privacy import database, ok, partners, record  # noqa: F401
from test_protocols import cast  # noqa: F401

REQUESTS = "/api/asb-evidence-requests"


async def rows(settings, model):
    engine, sessions = await database(settings)
    try:
        async with sessions() as db:
            return list(await db.scalars(select(model)))
    finally:
        await engine.dispose()


async def test_a_partner_is_asked_and_answers_through_the_gate(partners, settings):  # noqa: F811
    officer, council = partners.officer, partners.viewer
    _, case, tag = await opened(partners)
    question = {
        "agency_id": partners.other_id,
        "question": "Has Imogen Thwaite reported noise to your environmental health team?",
        "due_on": day(7),
    }
    past = dict(question, due_on=day(-1))
    assert_problem(await post(officer, case, "evidence-requests", past, tag), 422, "due_on")
    unconnected = dict(question, agency_id=partners.third_id)
    refused = assert_problem(
        await post(officer, case, "evidence-requests", unconnected, tag), 409, "agency_id"
    )
    assert "no information sharing protocol in force" in refused["detail"]
    asked = await ok(await post(officer, case, "evidence-requests", question, tag))
    [request] = asked["evidence_requests"]
    # The asker reads its own question as written.
    assert request["question"] == question["question"] and request["status"] == "asked"

    before = len(await rows(settings, Disclosure))
    inbox = await ok(await council.get(f"{REQUESTS}/", params={"waiting": "true"}))
    [theirs] = inbox
    assert theirs["asking_agency"] == "Testshire Hub Team"
    # The complainant is withheld from the council without consent covering it.
    assert "Imogen" not in theirs["question"] and "Thwaite" not in theirs["question"]
    assert all(p["name"] is None for p in theirs["people"] if p["role"] == "complainant")
    assert len(await rows(settings, Disclosure)) > before  # the council's read is recorded

    # The asker cannot answer its own request.
    assert_problem(
        await officer.post(f"{REQUESTS}/{theirs['id']}/answer", json={"answer": "Yes."}), 404
    )
    await record(council, {"role": "witness", "identity": {"name": fictional(7301).name}})
    answer = {
        "answer": f"Yes, twice in June; {fictional(7301).name} from next door complained too."
    }
    answered = await ok(await council.post(f"{REQUESTS}/{theirs['id']}/answer", json=answer))
    assert answered["status"] == "answered"
    # The council reads its own words as written.
    assert answered["answer"] == answer["answer"]
    again = await council.post(f"{REQUESTS}/{theirs['id']}/answer", json=answer)
    assert "already answered" in assert_problem(again, 409)["detail"]

    view = await ok(await officer.get(f"{CASES}/{case['id']}"))
    [back] = view["evidence_requests"]
    assert back["status"] == "answered"
    # The witness the council holds, not linked to the case, is withheld from the police.
    assert fictional(7301).name not in back["answer"] and "twice in June" in back["answer"]
    entries = await rows(settings, LedgerEntry)
    # The council's answer, read by the police, is on the ledger as a disclosure.
    assert any(
        e.kind == "disclosure" and "asb_evidence_request" in e.body and '"answer"' in e.body
        for e in entries
    )


async def test_the_partner_answers_on_the_pages(partners):  # noqa: F811
    officer, council = partners.officer, partners.viewer
    _, case, tag = await opened(partners)
    question = {
        "agency_id": partners.other_id,
        "question": "Any reports from the flats?",
        "due_on": day(7),
    }
    await ok(await post(officer, case, "evidence-requests", question, tag))
    inbox = soup(await council.get("/asb-evidence-requests"))
    assert_no_machinery(inbox)
    link = inbox.select_one('main a[href^="/asb-evidence-requests/CASE-"]')
    assert link is not None and "Testshire Hub Team" in visible_text(inbox)
    form = soup(await council.get(link["href"]))
    assert_no_machinery(form)
    assert "Any reports from the flats?" in visible_text(form)
    empty = await council.post(link["href"], data=form_fields(form))
    assert empty.status_code == 400
    sent = await council.post(link["href"], data={**form_fields(form), "answer": "None since May."})
    assert sent.status_code == 303
    assert "Answer sent" in visible_text(soup(await council.get(sent.headers["location"])))
    case_page = visible_text(soup(await officer.get(f"/asb-cases/{case['reference']}")))
    assert "None since May." in case_page and "Answered" in case_page


async def test_the_case_officer_tells_a_partner_through_the_gate(partners, settings):  # noqa: F811
    officer, council = partners.officer, partners.viewer
    _, case, tag = await opened(partners)
    told = {
        "agency_id": partners.other_id,
        "information": "Imogen Thwaite has been given a diary sheet; the perpetrator was warned.",
    }
    unconnected = dict(told, agency_id=partners.third_id)
    refused = assert_problem(
        await post(officer, case, "disclosures", unconnected, tag), 409, "agency_id"
    )
    assert "no information sharing protocol in force" in refused["detail"]
    assert_problem(
        await post(officer, case, "disclosures", {"agency_id": partners.other_id}, tag), 400
    )
    view = await ok(await post(officer, case, "disclosures", told, tag))
    [shared] = view["evidence_requests"]
    assert shared["kind"] == "disclosure" and shared["status"] == "shared"
    assert shared["due_on"] is None and shared["question"] == told["information"]

    before = len(await rows(settings, Disclosure))
    [theirs] = await ok(await council.get(f"{REQUESTS}/"))
    assert theirs["kind"] == "disclosure"
    # The complainant is withheld from the council without consent covering it.
    assert "Imogen" not in theirs["question"] and "diary sheet" in theirs["question"]
    assert len(await rows(settings, Disclosure)) > before
    # Nothing to answer.
    answered = await council.post(f"{REQUESTS}/{theirs['id']}/answer", json={"answer": "Thanks"})
    assert "nothing to answer" in assert_problem(answered, 409)["detail"]

    inbox = soup(await council.get("/asb-evidence-requests"))
    link = inbox.select_one('main a[href^="/asb-evidence-requests/CASE-"]')
    assert link is not None and "information shared" in visible_text(link)
    page = soup(await council.get(link["href"]))
    assert_no_machinery(page)
    assert (
        "Information shared with you" in visible_text(page) and page.select_one("main form") is None
    )
