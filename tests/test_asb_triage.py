"""Triage and the harm-centred risk tool, as the two landlords' policies run
an ASB report: the rules as tables over plain data, then through the API and
the pages. Every report stays logged whatever the triage decides."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import assert_problem
from pages import assert_no_machinery, error_summary, form_fields, soup, visible_text
from sharehub.referrals.asb.risk_tool import load_risk_tools, risk_tools, score
from sharehub.referrals.asb.triage import (
    TRIAGE_FILE,
    agency_matters,
    load_triage_rules,
    reopening_errors,
    triage_errors,
    triage_rules,
)
from test_asb_reports import API, report, step
from test_privacy import complainant, ok, partners, perpetrator, record  # noqa: F401
from test_protocols import cast  # noqa: F401

RULES = triage_rules()
TOOL = risk_tools().in_use()
NO = {q.code: "no" for q in TOOL.question}


def answered(**yes: str) -> dict[str, str]:
    return {**NO, **dict.fromkeys(yes, "yes")}


# --- the rules, over plain data ----------------------------------------------------------


@pytest.mark.parametrize(
    "yes,score_,level",
    [
        ((), 0, "low"),
        (("q04", "q05", "q06"), 7, "low"),  # repeated, worse, afraid: just under high
        (("q04", "q05", "q06", "q12"), 8, "high"),
        (("q01",), 5, "urgent"),  # someone at immediate risk is urgent on its own
        (("q02",), 4, "urgent"),  # violence or its threat, likewise
        (("q03", "q04", "q05", "q06", "q07", "q08"), 14, "urgent"),  # the urgent line
    ],
)
def test_the_answers_score_the_harm(yes, score_, level):
    assert score(TOOL, answered(**dict.fromkeys(yes, "yes"))) == (score_, level)


def test_not_known_is_not_yes():
    assert score(TOOL, {**NO, "q01": "not_known"}) == (0, "low")


CASES = [
    # (category, outcome, definitions, matter, told, the fields refused)
    ("nuisance", "asb", ["residential_nuisance"], None, False, set()),
    ("nuisance", "asb", [], None, False, {"definitions"}),
    ("nuisance", "asb", ["loud_music"], None, False, {"definitions"}),
    ("hate_incident", "asb", ["harassment_alarm_distress"], None, False, {"definitions"}),
    ("hate_incident", "asb", ["hate_incident"], None, False, set()),
    ("hate_incident", "not_asb", [], "minor_neighbour_dispute", True, {"outcome"}),
    ("nuisance", "not_asb", [], "cooking_smells", True, set()),
    ("nuisance", "not_asb", [], "cooking_smells", False, {"complainant_told_on"}),
    ("nuisance", "not_asb", [], None, True, {"matter"}),
    ("nuisance", "not_asb", [], "barking_at_night", True, {"matter"}),
    ("nuisance", "not_asb", ["residential_nuisance"], "cooking_smells", True, {"definitions"}),
    ("personal", "domestic_abuse", [], None, False, set()),
    ("personal", "domestic_abuse", [], "cooking_smells", False, {"matter"}),
]


@pytest.mark.parametrize("category,outcome,definitions,matter,told,refused", CASES)
def test_triage_decisions(category, outcome, definitions, matter, told, refused):
    errors = triage_errors(
        RULES,
        agency_matters(RULES, None),
        category=category,
        outcome=outcome,
        definitions=definitions,
        matter=matter,
        signposted_to=None,
        told=told,
    )
    assert {field for field, _ in errors} == refused, errors


def test_an_agency_chooses_its_own_matters():
    chosen = agency_matters(RULES, ["cooking_smells"])
    assert list(chosen) == ["cooking_smells"]
    assert "lifestyle_differences" in agency_matters(RULES, None)


@pytest.mark.parametrize(
    "reason,conditions,refused",
    [
        ("not_asb", [], True),
        ("not_asb", ["persistent", "deliberate"], True),
        ("not_asb", ["persistent", "deliberate", "harmful"], False),
        ("behaviour_improved", [], False),
    ],
)
def test_a_matter_set_aside_is_reopened_only_when_persistent_deliberate_and_harmful(
    reason, conditions, refused
):
    assert bool(reopening_errors(RULES, reason, conditions)) is refused


def test_every_rule_has_a_citation():
    for table in (RULES.definitions, RULES.signposts, RULES.not_asb):
        assert all(entry.citation for entry in table.values())
    assert TOOL.citation and risk_tools().vulnerabilities.citation


def test_broken_rules_files_are_refused(tmp_path: Path):
    broken = tmp_path / "triage.toml"
    broken.write_text(
        TRIAGE_FILE.read_text().replace('signpost = "mediation"', 'signpost = "x"', 1)
    )
    with pytest.raises(ValueError, match="unknown 'x'"):
        load_triage_rules(broken)
    tools = tmp_path / "risk_tools.toml"
    source = Path(__file__).parents[1] / "src/sharehub/referrals/asb/risk_tools.toml"
    tools.write_text(source.read_text().replace("high_from = 8", "high_from = 20"))
    with pytest.raises(ValueError, match="high_from < urgent_from"):
        load_risk_tools(tools)


# --- through the API -----------------------------------------------------------------


async def logged(partners, **overrides):  # noqa: F811
    officer = partners.officer
    victim = await record(officer, complainant())
    accused = await record(officer, perpetrator())
    links = [
        {"subject_id": victim["id"], "role": "complainant"},
        {"subject_id": accused["id"], "role": "perpetrator"},
    ]
    made = await officer.post(f"{API}/", json=report(links, **overrides))
    return await ok(made, 201), made.headers["etag"]


async def test_a_report_dealt_with_as_asb_is_assessed_and_reassessed(partners):  # noqa: F811
    officer = partners.officer
    body, tag = await logged(partners)
    triaged = await step(
        officer, body["id"], "triage",
        {"outcome": "asb", "definitions": ["residential_nuisance", "harassment_alarm_distress"]},
        tag,
    )  # fmt: skip
    view = await ok(triaged)
    assert view["triage_outcome"] == "asb" and view["status"] == "open"
    assert view["triage_definitions"] == ["residential_nuisance", "harassment_alarm_distress"]

    # Unanswered, lower than scored, higher without reasons: each refused, by field.
    tag = triaged.headers["etag"]
    missing = {k: v for k, v in answered(q04="yes").items() if k != "q03"}
    assert_problem(
        await step(officer, body["id"], "assessment", {"answers": missing}, tag), 422, "answers.q03"
    )
    lower = {"answers": answered(q01="yes"), "harm_level": "low"}
    body_ = assert_problem(
        await step(officer, body["id"], "assessment", lower, tag), 422, "harm_level"
    )
    assert "never lower" in str(body_)
    higher = {"answers": answered(), "harm_level": "high"}
    assert_problem(await step(officer, body["id"], "assessment", higher, tag), 422, "judgement")
    bad_needs = {"answers": answered(), "complainant": {"vulnerabilities": ["being_nosy"]}}
    assert_problem(
        await step(officer, body["id"], "assessment", bad_needs, tag),
        422,
        "complainant.vulnerabilities",
    )

    first = {
        "answers": answered(q04="yes", q05="yes"),
        "complainant": {"vulnerabilities": ["mental_health"], "support": "Referred to the tenancy support team."},
        "perpetrator": {"vulnerabilities": ["substance_misuse"]},
    }  # fmt: skip
    assessed = await step(officer, body["id"], "assessment", first, tag)
    view = await ok(assessed)
    assert view["harm_level"] == "low"
    low_due = view["response_due_at"]
    [made] = view["assessments"]
    assert (made["score"], made["scored_level"], made["reassessment"]) == (4, "low", False)
    assert made["complainant_needs"] == ["mental_health"]
    assert made["complainant_support"] == "Referred to the tenancy support team."
    assert made["perpetrator_needs"] == ["substance_misuse"]

    # Reassessed higher, with reasons: the target comes forward.
    again = {
        "answers": answered(q04="yes", q05="yes"),
        "harm_level": "high",
        "judgement": "She told us today he has started following her to work.",
    }
    reassessed = await ok(
        await step(officer, body["id"], "assessment", again, assessed.headers["etag"])
    )
    assert reassessed["harm_level"] == "high"
    assert reassessed["response_due_at"] < low_due
    assert [a["reassessment"] for a in reassessed["assessments"]] == [True, False]
    assert reassessed["history"][0]["kind"] == "reassessed"


async def test_a_matter_not_dealt_with_as_asb_is_closed_signposted_and_reopened_only_as_asb(
    partners,
):  # noqa: F811
    officer = partners.officer
    body, tag = await logged(partners)
    decided = {
        "outcome": "not_asb",
        "matter": "household_noise",
        "complainant_told_on": "2026-08-27",
    }
    view = await ok(await step(officer, body["id"], "triage", decided, tag))
    assert view["status"] == "closed" and view["close_reason"] == "not_asb"
    assert view["signposted_to"] == "environmental_protection"  # the matter's own body
    assert view["complainant_told_on"] == "2026-08-27"
    assert view["next_steps"] == ["reopen", "report_to_police"]
    # Still logged: it is in the list.
    listed = await ok(await officer.get(f"{API}/", params={"status": "closed"}))
    assert body["id"] in [r["id"] for r in listed["items"]]

    tag = (await officer.get(f"{API}/{body['id']}")).headers["etag"]
    change = {"material_change": "Three more nights of shouting and banging this week."}
    refused = assert_problem(
        await step(officer, body["id"], "reopening", change, tag), 422, "conditions"
    )
    assert "persistent, deliberate and harmful" in str(refused).replace(
        " and deliberate", ", deliberate"
    )
    change["conditions"] = ["persistent", "deliberate", "harmful"]
    reopened = await ok(await step(officer, body["id"], "reopening", change, tag))
    assert reopened["status"] == "open" and reopened["triage_outcome"] is None


async def test_a_hate_incident_is_always_asb_and_domestic_abuse_leaves_the_targets(partners):  # noqa: F811
    officer = partners.officer
    body, tag = await logged(partners, category="hate_incident", perceived_motivation="race")
    set_aside = {
        "outcome": "not_asb",
        "matter": "minor_neighbour_dispute",
        "complainant_told_on": "2026-08-27",
    }
    assert_problem(await step(officer, body["id"], "triage", set_aside, tag), 422, "outcome")

    body, tag = await logged(partners, category="personal")
    view = await ok(await step(officer, body["id"], "triage", {"outcome": "domestic_abuse"}, tag))
    assert view["status"] == "closed" and view["close_reason"] == "domestic_abuse"
    assert view["harm_level"] is None and view["response_due_at"] is None


async def test_criminal_behaviour_reported_on_to_the_police(partners):  # noqa: F811
    officer = partners.officer
    body, tag = await logged(partners)
    told = {
        "reported_on": "2026-08-26",
        "reported_to": "Testshire Police on 101",
        "crime_reference": "TS/2026/0042",
    }
    future = dict(told, reported_on="2099-01-01")
    assert_problem(
        await step(officer, body["id"], "police-report", future, tag), 422, "reported_on"
    )
    early = dict(told, reported_on="2026-08-01")
    assert_problem(await step(officer, body["id"], "police-report", early, tag), 422, "reported_on")
    view = await ok(await step(officer, body["id"], "police-report", told, tag))
    assert view["police_reported_on"] == "2026-08-26"
    assert view["police_reported_to"] == "Testshire Police on 101"
    assert view["police_reference"] == "TS/2026/0042"


async def test_an_agency_sets_its_own_matters(partners):  # noqa: F811
    url = f"/api/agencies/{partners.home_id}/asb-triage-policy/"
    default = await ok(await partners.officer.get(url))
    assert default["is_default"] and len(default["matters"]) == len(RULES.not_asb)
    admin = await partners.person("home-admin", ["agency_administrator"])
    assert_problem(await partners.officer.put(url, json={"matters": [], "source": "Ours"}), 403)
    bad = {"matters": ["cooking_smells", "bad_vibes"], "source": "Our ASB policy"}
    assert_problem(await admin.put(url, json=bad), 422, "matters[1]")
    mine = {
        "matters": ["cooking_smells"],
        "own_matters": [{"words": "Children playing ball games in the street", "signpost": "mediation"}],
        "source": "Testshire Hub ASB policy 2026",
    }  # fmt: skip
    set_ = await admin.put(url, json=mine)
    view = await ok(set_)
    assert [m["code"] for m in view["matters"]] == ["cooking_smells", "own_1"]

    body, tag = await logged(partners)
    gone = {"outcome": "not_asb", "matter": "household_noise", "complainant_told_on": "2026-08-27"}
    assert_problem(await step(partners.officer, body["id"], "triage", gone, tag), 422, "matter")
    own = dict(gone, matter="own_1")
    view = await ok(await step(partners.officer, body["id"], "triage", own, tag))
    assert view["signposted_to"] == "mediation"


# --- on the pages --------------------------------------------------------------------


async def test_the_housing_officer_triages_and_assesses_on_the_pages(partners):  # noqa: F811
    officer = partners.officer
    body, _ = await logged(partners)
    base = f"/asb-reports/{body['reference']}"
    page = soup(await officer.get(base))
    assert page.select_one(f'a[href="{base}/triage"]')
    form = soup(await officer.get(f"{base}/triage"))
    assert_no_machinery(form)
    assert "Conduct capable of causing nuisance or annoyance" in visible_text(form)

    refused = await officer.post(f"{base}/triage", data={**form_fields(form), "outcome": "not_asb"})
    assert refused.status_code == 400
    summary = error_summary(soup(refused))
    assert any("which matter" in s for s in summary) and any("told" in s for s in summary)

    done = await officer.post(
        f"{base}/triage",
        data={**form_fields(form), "outcome": "asb", "definitions": ["residential_nuisance"]},
    )
    assert done.status_code == 303, done.text[:2000]
    after = visible_text(soup(await officer.get(done.headers["location"])))
    assert "Triage recorded" in after and "Dealt with as anti-social behaviour" in after

    form = soup(await officer.get(f"{base}/assessment"))
    assert_no_machinery(form)
    questions = {q.code: "no" for q in TOOL.question}
    questions.update(q04="yes", q05="yes", q06="yes", q07="yes")
    assessed = await officer.post(
        f"{base}/assessment",
        data={
            **form_fields(form),
            **{f"answers.{c}": a for c, a in questions.items()},
            "complainant.vulnerabilities": ["mental_health", "isolation"],
        },
    )
    assert assessed.status_code == 303, assessed.text[:3000]
    report_page = soup(await officer.get(base))
    assert_no_machinery(report_page)
    text = visible_text(report_page)
    assert "Harm assessed: High" in text
    assert "9 on ASB harm-centred risk assessment: High" in text
    assert "Mental health, Isolation" in text


# --- closure, with feedback -------------------------------------------------------------


async def test_closure_offers_the_case_review_and_asks_satisfaction_once(partners):  # noqa: F811
    officer = partners.officer
    body, tag = await logged(partners)
    closure = {
        "reason": "insufficient_evidence",
        "complainant_told_on": "2026-08-28",
        "explanation": "We told her we could not take it further without diary sheets, and why.",
        "case_review_offered": True,
    }
    early = dict(closure, complainant_told_on="2026-08-01")
    assert_problem(
        await step(officer, body["id"], "closure", early, tag), 422, "complainant_told_on"
    )
    # Triage's own closures are not a person's to choose.
    assert_problem(
        await step(officer, body["id"], "closure", dict(closure, reason="not_asb"), tag),
        400,
        "reason",
    )
    closed = await step(officer, body["id"], "closure", closure, tag)
    view = await ok(closed)
    assert view["case_review_offered"] is True
    assert view["closure_explanation"].startswith("We told her")
    assert "record_satisfaction" in view["next_steps"]

    tag = closed.headers["etag"]
    future = {"answer": "fairly_satisfied", "asked_on": "2099-01-01"}
    assert_problem(await step(officer, body["id"], "satisfaction", future, tag), 422, "asked_on")
    asked = await step(
        officer,
        body["id"],
        "satisfaction",
        {"answer": "fairly_satisfied", "asked_on": closed_today()},
        tag,
    )
    view = await ok(asked)
    assert (
        view["satisfaction"] == "fairly_satisfied"
        and "record_satisfaction" not in view["next_steps"]
    )
    again = await step(
        officer,
        body["id"],
        "satisfaction",
        {"answer": "very_satisfied", "asked_on": closed_today()},
        asked.headers["etag"],
    )
    assert "already recorded" in assert_problem(again, 409)["detail"]

    # Set aside as not ASB: never asked.
    other, tag = await logged(partners)
    set_aside = {
        "outcome": "not_asb",
        "matter": "cooking_smells",
        "complainant_told_on": "2026-08-27",
    }
    triaged = await step(officer, other["id"], "triage", set_aside, tag)
    assert "record_satisfaction" not in (await ok(triaged))["next_steps"]
    refused = await step(
        officer,
        other["id"],
        "satisfaction",
        {"answer": "declined", "asked_on": closed_today()},
        triaged.headers["etag"],
    )
    assert_problem(refused, 409)


def closed_today() -> str:
    from sharehub.calendar import local_today

    return local_today().isoformat()


async def test_the_closure_and_satisfaction_pages(partners):  # noqa: F811
    officer = partners.officer
    body, _ = await logged(partners)
    base = f"/asb-reports/{body['reference']}"
    form = soup(await officer.get(f"{base}/closure"))
    assert_no_machinery(form)
    offered = {i["value"] for i in form.select('input[name="reason"]')}
    assert "not_asb" not in offered and "insufficient_evidence" in offered
    closed = await officer.post(
        f"{base}/closure",
        data={
            **form_fields(form),
            "reason": "behaviour_improved",
            "complainant_told_on-day": "28",
            "complainant_told_on-month": "8",
            "complainant_told_on-year": "2026",
            "case_review_offered": "yes",
        },
    )
    assert closed.status_code == 303, closed.text[:2000]
    page = soup(await officer.get(base))
    assert page.select_one(f'a[href="{base}/satisfaction"]')
    assert "ASB case review offered Yes" in visible_text(page)
    form = soup(await officer.get(f"{base}/satisfaction"))
    from sharehub.calendar import local_today

    today = local_today()
    answered_ = await officer.post(
        f"{base}/satisfaction",
        data={
            **form_fields(form),
            "answer": "very_satisfied",
            "asked_on-day": str(today.day),
            "asked_on-month": str(today.month),
            "asked_on-year": str(today.year),
        },
    )
    assert answered_.status_code == 303, answered_.text[:2000]
    text = visible_text(soup(await officer.get(base)))
    assert "Satisfaction: Very satisfied" in text


async def test_the_agency_administrator_sets_the_list_on_a_page(partners):  # noqa: F811
    admin = await partners.person("home-admin", ["agency_administrator"])
    assert (await partners.officer.get("/asb-triage-policy")).status_code == 403
    form = soup(await admin.get("/asb-triage-policy"))
    assert_no_machinery(form)
    assert "uses the hub's whole list" in visible_text(form)
    missing = await admin.post(
        "/asb-triage-policy", data={**form_fields(form), "matters": ["cooking_smells"]}
    )
    assert missing.status_code == 400
    assert any("policy these come from" in s for s in error_summary(soup(missing)))
    saved = await admin.post(
        "/asb-triage-policy",
        data={
            **form_fields(form),
            "matters": ["cooking_smells", "parking_dispute"],
            "own1.words": "Ball games in the street",
            "own1.signpost": "mediation",
            "source": "Testshire Hub ASB policy 2026",
        },
    )
    assert saved.status_code == 303, saved.text[:2000]
    view = await ok(
        await partners.officer.get(f"/api/agencies/{partners.home_id}/asb-triage-policy/")
    )
    assert [m["code"] for m in view["matters"]] == ["cooking_smells", "parking_dispute", "own_1"]
    again = soup(await admin.get("/asb-triage-policy?done=saved"))
    assert "Your agency's list is saved" in visible_text(again)
    assert again.select_one('input[name="own1.words"]')["value"] == "Ball games in the street"
