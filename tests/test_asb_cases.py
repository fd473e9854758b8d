"""An ASB case: opened from reports, an action plan agreed with the
complainant (contact as agreed, with a prompt when due), actions for each
party, diary sheets, interventions from the policies' tool list, a
proportionality review before legal action against a vulnerable person, and
regular case reviews with a list of those overdue."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from helpers import assert_problem
from sharehub.calendar import local_today
from sharehub.referrals.asb.casework import (
    casework_rules,
    needs_proportionality_review,
    review_interval,
)
from test_asb_triage import answered, logged
from test_privacy import ok, partners  # noqa: F401
from test_protocols import cast  # noqa: F401

CASES = "/api/asb-cases"
RULES = casework_rules()


def day(offset: int = 0) -> str:
    return (local_today() + timedelta(days=offset)).isoformat()


@pytest.mark.parametrize(
    "kind,vulnerable,reviews,needed",
    [
        ("visit", True, [], False),  # not a legal step
        ("injunction", False, [], False),  # no vulnerability recorded
        ("injunction", True, [], True),
        ("possession", True, [date(2026, 5, 1)], False),  # reviewed before
        ("possession", True, [date(2026, 6, 2)], True),  # reviewed only after the day
    ],
)
def test_legal_steps_against_a_vulnerable_person_wait_for_a_review(
    kind, vulnerable, reviews, needed
):
    on = date(2026, 6, 1)
    assert needs_proportionality_review(RULES, kind, vulnerable, reviews, on) is needed


def test_every_intervention_cites_its_source():
    assert all(i.citation for i in RULES.interventions.values())
    assert {"injunction", "possession", "closure_order"} <= {
        k for k, i in RULES.interventions.items() if i.legal
    }


async def post(browser, case: dict, path: str, body: dict, tag: str):
    return await browser.post(f"{CASES}/{case['id']}/{path}", json=body, headers={"If-Match": tag})


async def opened(partners):  # noqa: F811
    report, tag = await logged(partners)
    # The perpetrator is recorded as vulnerable in the risk assessment.
    assessed = {"answers": answered(), "perpetrator": {"vulnerabilities": ["mental_health"]}}
    await ok(
        await partners.officer.post(
            f"/api/asb-reports/{report['id']}/assessment", json=assessed, headers={"If-Match": tag}
        )
    )
    made = await partners.officer.post(f"{CASES}/", json={"report_ids": [report["id"]]})
    return report, await ok(made, 201), made.headers["etag"]


async def test_a_case_runs_to_its_plan(partners):  # noqa: F811
    officer = partners.officer
    report, case, tag = await opened(partners)
    assert case["reference"].startswith("CASE-") and case["reports"] == [report["reference"]]
    assert case["perpetrator_vulnerable"] is True
    assert case["next_review_on"] == day(RULES.review.every_days)
    # A report is in one case at most.
    again = await officer.post(f"{CASES}/", json={"report_ids": [report["id"]]})
    assert_problem(again, 422, "report_ids[0]")

    plan = {
        "agreed_on": day(),
        "contact_method": "phone",
        "contact_every_days": 7,
        "first_contact_on": day(-1),
        "actions": [
            {"owner": "landlord", "what": "Visit the alleged perpetrator", "due_on": day(3)},
            {"owner": "partner", "what": "Police patrols in the evenings", "due_on": day(-2)},
            {"owner": "complainant", "what": "Keep the diary sheets", "due_on": day(14), "agency_id": partners.other_id},
        ],
    }  # fmt: skip
    refused = assert_problem(await post(officer, case, "action-plan", plan, tag), 422)
    fields = {e["field"] for e in refused["errors"]}
    assert fields == {
        "first_contact_on",
        "actions[1].due_on",
        "actions[1].agency_id",
        "actions[2].agency_id",
    }
    plan["first_contact_on"] = day(1)
    plan["actions"][1].update(due_on=day(5), agency_id=partners.other_id)
    del plan["actions"][2]["agency_id"]
    agreed = await post(officer, case, "action-plan", plan, tag)
    view = await ok(agreed)
    assert view["next_contact_on"] == day(1) and view["contact_due"] is False
    actions = [e for e in view["entries"] if e["kind"] == "action"]
    assert {a["number"] for a in actions} == {1, 2, 3}
    partner = next(a for a in actions if a["code"] == "partner")
    assert partner["agency"] == "Otherton Borough Council"

    tag = agreed.headers["etag"]
    contacted = await ok(
        await post(
            officer,
            case,
            "contacts",
            {"on": day(), "method": "phone", "note": "She says it is quieter."},
            tag,
        )
    )
    assert contacted["next_contact_on"] == day(7)
    tag = (await officer.get(f"{CASES}/{case['id']}")).headers["etag"]
    diary = {"on": day(), "what": "Banging on the wall from 23:00 to 01:30."}
    view = await ok(await post(officer, case, "diary", diary, tag))
    assert any(e["kind"] == "diary" and e["text"] == diary["what"] for e in view["entries"])

    # Legal action against a vulnerable person waits for a proportionality review.
    tag = (await officer.get(f"{CASES}/{case['id']}")).headers["etag"]
    injunction = {
        "kind": "injunction",
        "on": day(),
        "outcome": "Application filed at the county court.",
    }
    blocked = assert_problem(
        await post(officer, case, "interventions", injunction, tag), 409, "kind"
    )
    assert "Equality Act 2010" in blocked["detail"]
    unknown = {"kind": "stern_look", "on": day(), "outcome": "Looked sternly."}
    assert_problem(await post(officer, case, "interventions", unknown, tag), 422, "kind")
    review = {
        "on": day(),
        "proceed": True,
        "considerations": "His mental health support is in place; the harm to neighbours is serious and continuing.",
    }
    reviewed = await post(officer, case, "proportionality-reviews", review, tag)
    await ok(reviewed)
    view = await ok(
        await post(officer, case, "interventions", injunction, reviewed.headers["etag"])
    )
    assert any(e["kind"] == "intervention" and e["code"] == "injunction" for e in view["entries"])

    tag = (await officer.get(f"{CASES}/{case['id']}")).headers["etag"]
    done = await officer.post(
        f"{CASES}/{case['id']}/actions/1/done", json={"on": day()}, headers={"If-Match": tag}
    )
    view = await ok(done)
    assert (
        next(e for e in view["entries"] if e["kind"] == "action" and e["number"] == 1)["done_on"]
        == day()
    )
    twice = await officer.post(
        f"{CASES}/{case['id']}/actions/1/done",
        json={"on": day()},
        headers={"If-Match": done.headers["etag"]},
    )
    assert_problem(twice, 409)

    # Another agency cannot see the case at all.
    assert_problem(await partners.viewer.get(f"{CASES}/{case['id']}"), 404)


async def test_reviews_fall_due_and_the_overdue_are_listed(partners, settings):  # noqa: F811
    officer = partners.officer
    _, case, tag = await opened(partners)
    listed = await ok(await officer.get(f"{CASES}/", params={"review_overdue": "true"}))
    assert case["id"] not in [c["id"] for c in listed["items"]]

    from sqlalchemy import update

    from sharehub.referrals.asb.models import AsbCase
    from test_privacy import database

    engine, sessions = await database(settings)
    async with sessions() as db, db.begin():
        await db.execute(
            update(AsbCase)
            .where(AsbCase.reference == case["reference"])
            .values(next_review_on=local_today() - timedelta(days=1))
        )
    await engine.dispose()
    listed = await ok(await officer.get(f"{CASES}/", params={"review_overdue": "true"}))
    [overdue] = [c for c in listed["items"] if c["id"] == case["id"]]
    assert overdue["review_overdue"] is True
    tag = (await officer.get(f"{CASES}/{case['id']}")).headers["etag"]
    bad = {"on": day(), "outcome": "shrug"}
    assert_problem(await post(officer, case, "reviews", bad, tag), 422, "outcome")
    reviewed = await ok(
        await post(officer, case, "reviews", {"on": day(), "outcome": "continue"}, tag)
    )
    assert reviewed["review_overdue"] is False and reviewed["next_review_on"] == day(28)

    tag = (await officer.get(f"{CASES}/{case['id']}")).headers["etag"]
    closed = await ok(
        await post(
            officer,
            case,
            "closure",
            {"reason": "behaviour_improved", "complainant_told_on": day()},
            tag,
        )
    )
    assert closed["status"] == "closed" and closed["next_steps"] == []
    tag = (await officer.get(f"{CASES}/{case['id']}")).headers["etag"]
    late = await post(officer, case, "contacts", {"on": day(), "method": "phone"}, tag)
    assert "not open to a case that is closed" in assert_problem(late, 409)["detail"]


# --- on the pages --------------------------------------------------------------------


async def test_the_housing_officer_runs_a_case_on_the_pages(partners):  # noqa: F811
    from pages import assert_no_machinery, error_summary, form_fields, soup, visible_text

    officer = partners.officer
    report, tag = await logged(partners)
    base = f"/asb-reports/{report['reference']}"
    page = soup(await officer.get(base))
    opened_ = await officer.post(f"{base}/case", data=form_fields(page, action=f"{base}/case"))
    assert opened_.status_code == 303
    case_url = opened_.headers["location"].split("?")[0]
    case_page = soup(await officer.get(opened_.headers["location"]))
    assert_no_machinery(case_page)
    assert "Case opened" in visible_text(case_page) and report["reference"] in visible_text(
        case_page
    )
    # The report now says which case it is in.
    assert soup(await officer.get(base)).select_one(f'a[href="{case_url}"]')

    today = local_today()
    soon = today + timedelta(days=7)
    form = soup(await officer.get(f"{case_url}/action-plan"))
    assert_no_machinery(form)
    fields = form_fields(form)
    past = await officer.post(
        f"{case_url}/action-plan",
        data={
            **fields,
            "agreed_on-day": str(today.day), "agreed_on-month": str(today.month), "agreed_on-year": str(today.year),
            "contact_method": "phone", "contact_every_days": "weekly",
            "first_contact_on-day": "1", "first_contact_on-month": "1", "first_contact_on-year": "2020",
        },
    )  # fmt: skip
    assert past.status_code == 400
    assert any("number of days" in s for s in error_summary(soup(past)))
    past = await officer.post(
        f"{case_url}/action-plan",
        data={
            **fields,
            "agreed_on-day": str(today.day), "agreed_on-month": str(today.month), "agreed_on-year": str(today.year),
            "contact_method": "phone", "contact_every_days": "7",
            "first_contact_on-day": "1", "first_contact_on-month": "1", "first_contact_on-year": "2020",
        },
    )  # fmt: skip
    assert past.status_code == 400
    assert any("past" in s for s in error_summary(soup(past)))
    agreed = await officer.post(
        f"{case_url}/action-plan",
        data={
            **fields,
            "agreed_on-day": str(today.day), "agreed_on-month": str(today.month), "agreed_on-year": str(today.year),
            "contact_method": "visit", "contact_every_days": "14",
            "first_contact_on-day": str(soon.day), "first_contact_on-month": str(soon.month), "first_contact_on-year": str(soon.year),
            "action1.what": "Write to the alleged perpetrator", "action1.owner": "landlord",
            "action1.due_on-day": str(soon.day), "action1.due_on-month": str(soon.month), "action1.due_on-year": str(soon.year),
            "action2.what": "Evening patrols on the estate", "action2.owner": "partner", "action2.agency_id": partners.other_id,
            "action2.due_on-day": str(soon.day), "action2.due_on-month": str(soon.month), "action2.due_on-year": str(soon.year),
        },
    )  # fmt: skip
    assert agreed.status_code == 303, agreed.text[:3000]
    text = visible_text(soup(await officer.get(agreed.headers["location"])))
    assert "Action plan agreed" in text and "Home visit, every 14 days" in text
    assert "Evening patrols on the estate Otherton Borough Council" in text

    page = soup(await officer.get(case_url))
    done_form = page.select_one('form[action$="/actions/1/done"]')
    marked = await officer.post(
        done_form["action"], data=form_fields(page, action=done_form["action"])
    )
    assert marked.status_code == 303

    form = soup(await officer.get(f"{case_url}/intervention"))
    visit = await officer.post(
        f"{case_url}/intervention",
        data={
            **form_fields(form), "kind": "visit", "outcome": "Spoke to him; he agreed to keep the noise down.",
            "on-day": str(today.day), "on-month": str(today.month), "on-year": str(today.year),
        },
    )  # fmt: skip
    assert visit.status_code == 303, visit.text[:3000]
    final = soup(await officer.get(case_url))
    assert_no_machinery(final)
    assert "Visit" in visible_text(final) and "Done" in visible_text(final)
    listed = visible_text(soup(await officer.get("/asb-cases")))
    assert case_url.rsplit("/", 1)[1] in listed


async def test_your_work_prompts_when_contact_is_due(partners):  # noqa: F811
    from pages import soup, visible_text

    officer = partners.officer
    _, case, tag = await opened(partners)
    plan = {
        "agreed_on": day(),
        "contact_method": "phone",
        "contact_every_days": 7,
        "first_contact_on": day(),
    }
    view = await ok(await post(officer, case, "action-plan", plan, tag))
    assert view["contact_due"] is True
    listed = await ok(await officer.get(f"{CASES}/", params={"contact_due": "true"}))
    assert [c["reference"] for c in listed["items"]] == [case["reference"]]
    text = visible_text(soup(await officer.get("/")))
    assert "1 case is due a contact with the complainant, as agreed in its plan" in text


async def test_cctv_is_assessed_case_by_case_and_fixed_cctv_reviewed_every_five_years(
    partners,  # noqa: F811
    settings,
):
    from sqlalchemy import update

    from sharehub.referrals.asb.models import AsbCaseEntry
    from test_privacy import database

    officer = partners.officer
    _, case, tag = await opened(partners)
    assessment = {
        "on": day(),
        "covert": True,
        "fixed": True,
        "issue": "Repeated damage to the communal door at night.",
        "why_proportionate": "Only the door is in view; patrols and a new lock have not stopped it.",
        "tried_first": "Patrols, a new lock and letters to every flat.",
    }
    refused = assert_problem(
        await post(officer, case, "cctv-assessments", assessment, tag), 422, "authorisation"
    )
    assert "Regulation of Investigatory Powers Act 2000" in str(refused)
    overt = dict(assessment, covert=False, authorisation="RIPA-2026-004")
    assert_problem(await post(officer, case, "cctv-assessments", overt, tag), 422, "authorisation")
    del overt["authorisation"]
    view = await ok(await post(officer, case, "cctv-assessments", overt, tag))
    [entry] = [e for e in view["entries"] if e["kind"] == "cctv_assessment"]
    today = local_today()
    assert (
        entry["code"] == "overt_fixed"
        and entry["due_on"] == today.replace(year=today.year + 5).isoformat()
    )
    assert "Tried first: Patrols" in entry["text"]

    due = {"cctv_review_due": "true"}
    assert (await ok(await officer.get(f"{CASES}/", params=due)))["items"] == []
    engine, sessions = await database(settings)
    async with sessions() as db, db.begin():
        await db.execute(
            update(AsbCaseEntry)
            .where(AsbCaseEntry.kind == "cctv_assessment")
            .values(due_on=today - timedelta(days=1))
        )
    await engine.dispose()
    [listed] = (await ok(await officer.get(f"{CASES}/", params=due)))["items"]
    assert listed["reference"] == case["reference"]
    # Reviewed: a new assessment, and the case leaves the list.
    tag = (await officer.get(f"{CASES}/{case['id']}")).headers["etag"]
    await ok(await post(officer, case, "cctv-assessments", overt, tag))
    assert (await ok(await officer.get(f"{CASES}/", params=due)))["items"] == []


async def test_the_cctv_form_on_the_page(partners):  # noqa: F811
    from pages import assert_no_machinery, error_summary, form_fields, soup, visible_text

    officer = partners.officer
    _, case, _ = await opened(partners)
    url = f"/asb-cases/{case['reference']}/cctv"
    form = soup(await officer.get(url))
    assert_no_machinery(form)
    today = local_today()
    data = {
        **form_fields(form),
        "on-day": str(today.day), "on-month": str(today.month), "on-year": str(today.year),
        "issue": "Damage to the bin store.",
        "why_proportionate": "Only the bin store is in view, and other means failed.",
        "tried_first": "A new gate and signs.",
        "fixed": "no",
        "covert": "yes",
    }  # fmt: skip
    refused = await officer.post(url, data=data)
    assert refused.status_code == 400
    assert any("authorisation" in s for s in error_summary(soup(refused)))
    done = await officer.post(url, data={**data, "covert": "no"})
    assert done.status_code == 303, done.text[:2000]
    page = visible_text(soup(await officer.get(done.headers["location"])))
    assert "CCTV assessment recorded" in page and "CCTV assessment: overt" in page


# --- the agency's own review interval ------------------------------------------------------


@pytest.mark.parametrize(
    "asked,agency,every",
    [
        (None, None, 28),  # the hub's default (casework.toml)
        (None, 30, 30),  # the agency's own policy (monthly)
        (14, 30, 14),  # as asked when the case is opened
        (14, None, 14),
    ],
)
def test_a_case_is_reviewed_as_asked_else_as_its_agency_says_else_as_the_hub_does(
    asked, agency, every
):
    assert review_interval(asked, agency, 28) == every


def policy_body(**overrides):
    body = {
        "urgent": {"working_hours": 24},
        "high": {"working_days": 1},
        "low": {"working_days": 5},
        "source": "Magna Housing ASB policy v3 (2026)",
    }
    body.update(overrides)
    return body


async def test_an_agency_reviews_its_cases_on_its_own_interval(partners):  # noqa: F811
    officer = partners.officer
    url = f"/api/agencies/{partners.home_id}/response-policy/"
    default = await ok(await officer.get(url))
    assert default["case_review_every_days"] is None
    assert default["effective_case_review_every_days"] == RULES.review.every_days
    assert default["case_review_is_default"] is True

    admin = await partners.person("home-admin", ["agency_administrator"])
    # Out of range or not a number: refused naming the field, and nothing written.
    for bad in (0, 400, "abc"):
        refused = await admin.put(url, json=policy_body(case_review_every_days=bad))
        assert_problem(refused, 400, "case_review_every_days")
    assert (await ok(await officer.get(url)))["version"] is None

    monthly = await ok(await admin.put(url, json=policy_body(case_review_every_days=30)))
    assert monthly["case_review_every_days"] == 30
    assert monthly["effective_case_review_every_days"] == 30
    assert monthly["case_review_is_default"] is False

    # A new case is reviewed on the agency's interval, unless asked otherwise.
    _, case, _ = await opened(partners)
    assert case["review_every_days"] == 30 and case["next_review_on"] == day(30)
    report, _ = await logged(partners)
    asked = await officer.post(
        f"{CASES}/", json={"report_ids": [report["id"]], "review_every_days": 14}
    )
    assert (await ok(asked, 201))["next_review_on"] == day(14)

    # Left out again: back to the hub's default.
    reset = await admin.put(url, json=policy_body(), headers={"If-Match": '"1"'})
    assert (await ok(reset))["effective_case_review_every_days"] == RULES.review.every_days
    _, case, _ = await opened(partners)
    assert case["next_review_on"] == day(RULES.review.every_days)


async def test_the_agency_administrator_sets_the_review_interval_on_a_page(partners):  # noqa: F811
    from pages import assert_no_machinery, error_summary, field_error, form_fields, soup

    officer = partners.officer
    admin = await partners.person("home-admin", ["agency_administrator"])
    url = f"/api/agencies/{partners.home_id}/response-policy/"
    form = soup(await admin.get("/asb-triage-policy"))
    assert_no_machinery(form)
    box = form.select_one('input[name="case_review_every_days"]')
    assert box["value"] == ""
    assert form.select_one('label[for="case-review-every-days"]').get_text(strip=True) == (
        "How often open cases are reviewed (days)"
    )
    base = {
        **form_fields(form),
        "matters": ["cooking_smells"],
        "source": "Testshire Hub ASB policy 2026",
    }
    for bad in ("0", "400", "abc"):
        refused = await admin.post(
            "/asb-triage-policy", data={**base, "case_review_every_days": bad}
        )
        assert refused.status_code == 400
        page = soup(refused)
        assert any("how often open cases are reviewed" in s for s in error_summary(page))
        assert "7 to 366" in field_error(page, "case-review-every-days")
    # Nothing of it was written: neither the interval nor the list.
    assert (await ok(await officer.get(url)))["version"] is None
    triage = f"/api/agencies/{partners.home_id}/asb-triage-policy/"
    assert (await ok(await officer.get(triage)))["is_default"] is True

    saved = await admin.post("/asb-triage-policy", data={**base, "case_review_every_days": "30"})
    assert saved.status_code == 303, saved.text[:2000]
    policy = await ok(await officer.get(url))
    assert policy["case_review_every_days"] == 30
    # The targets are the ones in use, unchanged.
    assert policy["high"] == {"working_days": 1, "working_hours": None}
    again = soup(await admin.get("/asb-triage-policy"))
    assert again.select_one('input[name="case_review_every_days"]')["value"] == "30"
    # Saved again unchanged, and then emptied: the hub's default.
    kept = await admin.post(
        "/asb-triage-policy", data={**form_fields(again), **base, "case_review_every_days": "30"}
    )
    assert kept.status_code == 303, kept.text[:2000]
    page = soup(await admin.get("/asb-triage-policy"))
    emptied = await admin.post(
        "/asb-triage-policy", data={**form_fields(page), **base, "case_review_every_days": ""}
    )
    assert emptied.status_code == 303, emptied.text[:2000]
    assert (await ok(await officer.get(url)))["case_review_is_default"] is True
