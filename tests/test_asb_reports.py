"""ASB reports over HTTP: logged, assessed, answered within target (working
days over bank holidays), closed with a reason, reopened on a material change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from helpers import assert_problem
from sharehub.calendar import LOCAL_TIME
from test_privacy import complainant, ok, partners, perpetrator, record  # noqa: F401
from test_protocols import cast  # noqa: F401

API = "/api/asb-reports"


def report(subjects, **overrides):
    body = {
        "channel": "phone",
        "received_at": "2026-08-26T09:15:00Z",  # 10:15 BST
        "incident_on": "2026-08-25",
        "category": "nuisance",
        "place": "Outside 14 Larkspur Close",
        "narrative": "Imogen Thwaite reports Dorian Pellow shouting at her door at night.",
        "subjects": subjects,
    }
    body.update(overrides)
    return body


async def step(browser, report_id, name, body, tag):
    return await browser.post(f"{API}/{report_id}/{name}", json=body, headers={"If-Match": tag})


async def test_a_report_runs_its_course(partners):  # noqa: F811
    officer = partners.officer
    victim = await record(officer, complainant())
    accused = await record(officer, perpetrator())
    links = [
        {"subject_id": victim["id"], "role": "complainant"},
        {"subject_id": accused["id"], "role": "perpetrator"},
    ]
    created = await officer.post(f"{API}/", json=report(links))
    body = await ok(created, 201)
    assert body["status"] == "open"
    assert body["next_steps"] == ["triage", "assess", "close", "report_to_police"]
    # The agency's own view through the gate: nothing withheld from its own staff.
    assert [p["name"] for p in body["subjects"]] == ["Imogen Thwaite", "Dorian Pellow"]
    assert "Imogen Thwaite" in body["narrative"]
    tag = created.headers["etag"]

    # Low harm: five working days from Wednesday 26 August 2026, over the summer
    # bank holiday (Monday 31st), is Thursday 3 September, close of business.
    assessed = await step(officer, body["id"], "assessment", {"harm_level": "low"}, tag)
    view = await ok(assessed)
    due = datetime.fromisoformat(view["response_due_at"])
    assert due.astimezone(LOCAL_TIME) == datetime(2026, 9, 3, 17, tzinfo=LOCAL_TIME)
    assert view["target_citation"].startswith("Landlord ASB policy A")
    # Reassessed as urgent: 24 working hours from 10:15 on the 26th (6.75 + 8 + 8
    # hours, the bank holiday, then 1.25 hours): 10:15 BST on Tuesday 1 September.
    view = await ok(
        await step(
            officer, body["id"], "assessment", {"harm_level": "urgent"}, assessed.headers["etag"]
        )
    )
    assert view["response_due_at"].startswith("2026-09-01T09:15")
    # It is long past: the target is breached and listed as such.
    assert view["breached"] is True
    breached = await ok(await officer.get(f"{API}/", params={"breached": True}))
    assert [r["id"] for r in breached["items"]] == [body["id"]]

    tag = (await officer.get(f"{API}/{body['id']}")).headers["etag"]
    responded = await step(
        officer, body["id"], "first-response", {"responded_at": "2026-08-27T09:00:00Z"}, tag
    )
    view = await ok(responded)
    assert view["breached"] is False
    assert (await ok(await officer.get(f"{API}/", params={"breached": True})))["items"] == []
    again = await step(officer, body["id"], "first-response", {}, responded.headers["etag"])
    assert_problem(again, 409)

    closed = await step(
        officer,
        body["id"],
        "closure",
        {"reason": "behaviour_improved", "complainant_told_on": "2026-09-10"},
        responded.headers["etag"],
    )
    view = await ok(closed)
    assert view["status"] == "closed"
    assert view["next_steps"] == ["reopen", "report_to_police", "record_satisfaction"]

    # Illegal steps name the steps open from here.
    wrong = await step(
        officer, body["id"], "assessment", {"harm_level": "high"}, closed.headers["etag"]
    )
    problem = assert_problem(wrong, 409)
    assert "steps open now: reopen" in problem["detail"]
    short = await step(
        officer, body["id"], "reopening", {"material_change": "again"}, closed.headers["etag"]
    )
    assert_problem(short, 400, "material_change")
    reopened = await step(
        officer,
        body["id"],
        "reopening",
        {"material_change": "New incidents reported by a neighbour on 2 November."},
        closed.headers["etag"],
    )
    view = await ok(reopened)
    assert view["status"] == "open" and view["reopened"] == 1 and view["harm_level"] is None
    assert_problem(
        await step(
            officer,
            body["id"],
            "closure",
            {"reason": "complainant_request", "complainant_told_on": "2026-11-03"},
            closed.headers["etag"],
        ),
        412,
    )


async def test_every_report_is_logged_and_bad_ones_are_refused_whole(partners):  # noqa: F811
    officer = partners.officer
    victim = await record(officer, complainant())
    link = [{"subject_id": victim["id"], "role": "complainant"}]
    minimal = await officer.post(
        f"{API}/", json=report([], place=None, received_at=None, incident_on="2026-11-20")
    )
    assert (await ok(minimal, 201))["subjects"] == []

    hate = report(link, category="hate_incident")
    assert_problem(await officer.post(f"{API}/", json=hate), 422, "perceived_motivation")
    hate["perceived_motivation"] = "race"
    assert (await ok(await officer.post(f"{API}/", json=hate), 201))["category"] == "hate_incident"

    future = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    assert_problem(
        await officer.post(f"{API}/", json=report(link, received_at=future)), 422, "received_at"
    )
    assert_problem(
        await officer.post(f"{API}/", json=report(link, incident_on="2027-03-01")),
        422,
        "incident_on",
    )
    assert_problem(await officer.post(f"{API}/", json=report(link, channel="pigeon")), 400)
    # Another agency's subject, or one twice, is refused; nothing is written.
    theirs = await record(partners.viewer, complainant())
    other = [{"subject_id": theirs["id"], "role": "witness"}]
    assert_problem(await officer.post(f"{API}/", json=report(other)), 422, "subjects[0].subject_id")
    assert_problem(await officer.post(f"{API}/", json=report(link + link)), 422, "subjects")
    listed = await ok(await officer.get(f"{API}/"))
    assert listed["total"] == 2
    # Another agency does not see the home agency's reports.
    assert (await ok(await partners.viewer.get(f"{API}/")))["total"] == 0
    assert_problem(await partners.viewer.get(f"{API}/{listed['items'][0]['id']}"), 404)


async def test_an_agency_sets_its_own_targets_and_office_hours(partners):  # noqa: F811
    officer = partners.officer
    url = f"/api/agencies/{partners.home_id}/response-policy/"
    default = await ok(await officer.get(url))
    assert default["is_default"] and default["high"] == {"working_days": 1, "working_hours": None}

    admin = await partners.person("home-admin", ["agency_administrator"])
    own = {
        "urgent": {"working_hours": 8},
        "high": {"working_days": 3},
        "low": {"working_days": 10},
        "opens": "08:00:00",
        "closes": "16:00:00",
        "source": "Harrowmere Homes ASB policy v4 (2026)",
    }
    assert_problem(await officer.put(url, json=own), 403)
    both = {**own, "high": {"working_days": 3, "working_hours": 16}}
    assert_problem(await admin.put(url, json=both), 422, "high")
    created = await admin.put(url, json=own)
    policy = await ok(created)
    assert policy["version"] == 1 and not policy["is_default"]
    assert_problem(await admin.put(url, json=own), 428)
    theirs = await partners.person("other-admin", ["agency_administrator"], "other-agency")
    assert_problem(await theirs.put(url, json=own), 404)

    # High harm, received Wednesday 26 August 2026: three working days over the
    # bank holiday is Tuesday 1 September, at this agency's 16:00 close.
    body = await ok(await officer.post(f"{API}/", json=report([])), 201)
    assessed = await step(officer, body["id"], "assessment", {"harm_level": "high"}, '"1"')
    view = await ok(assessed)
    due = datetime.fromisoformat(view["response_due_at"]).astimezone(LOCAL_TIME)
    assert due == datetime(2026, 9, 1, 16, tzinfo=LOCAL_TIME)
    assert view["target_citation"] == "Harrowmere Homes ASB policy v4 (2026)"

    changed = await admin.put(
        url,
        json={**own, "high": {"working_days": 4}},
        headers={"If-Match": created.headers["etag"]},
    )
    assert (await ok(changed))["high"]["working_days"] == 4
    stale = await admin.put(url, json=own, headers={"If-Match": created.headers["etag"]})
    assert_problem(stale, 412)
