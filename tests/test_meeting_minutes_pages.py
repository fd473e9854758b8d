"""A meeting during and after it, on the pages: the chair records the meeting
held and the agencies present, then on each case's page the information
shared, the decisions and an action (its owning agency, a named owner, a due
date), saved in the draft minutes; approves and locks them; an amendment with
its reason makes a new version. Each agency reads the minutes redacted for it,
and as a PDF marked OFFICIAL-SENSITIVE; sharing them onward is asked for and
answered; the owning agency completes its action; the overdue view lists what
is late. Nothing of the meeting before the statement is accepted."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from faker import Faker
from sqlalchemy import update

from pages import assert_no_machinery, error_summary, form_fields, soup, visible_text
from sharehub.calendar import LOCAL_TIME
from sharehub.meetings.models import Action
from sharehub.meetings.risks import RISK_LABELS
from sharehub.web.labels import LABELS
from support.people import fictional
from test_marac_referrals import referral
from test_meetings import (  # noqa: F401
    MEETINGS,
    acknowledge,
    arrange,
    etag,
    marac_partnership,
    name_words,
    person_body,
    time_passes,
)
from test_privacy import database, ok, partners, record  # noqa: F401
from test_protocols import cast  # noqa: F401

fake = Faker("en_GB")
Faker.seed(7300)


def token(page) -> str:
    return page.select_one('input[name="_csrf_token"]')["value"]


def day_fields(prefix: str, day: date) -> dict[str, str]:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month),
            f"{prefix}-year": str(day.year)}  # fmt: skip


async def page_of(browser, where: str, status: int = 200):
    response = await browser.get(where)
    assert response.status_code == status, response.text[:2000]
    page = soup(response)
    assert_no_machinery(page)
    return page, visible_text(page)


async def post_form(browser, where: str, fields: dict, *, action: str | None = None):
    """GET the page, POST one of its forms (by its action, or the one holding
    a hidden ``step`` of that value) with its hidden fields and these."""
    page, _text = await page_of(browser, where)
    hidden = form_fields(page, action=action) if action else form_fields(page)
    return await browser.post(action or where, data=hidden | fields)


async def held_marac(p, settings) -> SimpleNamespace:
    """A MARAC of the police and the council, seeded over the API: a police
    referral, the council's preparation linking a child it holds; the meeting
    has started (not yet recorded as held)."""
    victim, accused, child = fictional(7301), fictional(7302), fictional(7303)
    victim_id = (await record(p.officer, person_body(victim, "victim")))["id"]
    accused_id = (await record(p.officer, person_body(accused, "perpetrator")))["id"]
    child_id = (await record(p.viewer, person_body(child, "child")))["id"]
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=2)
    day = starts.astimezone(LOCAL_TIME).date()
    made = await p.officer.post(
        "/api/marac-referrals/",
        json=referral(
            victim_id,
            accused_id,
            incident_on=(day - timedelta(days=1)).isoformat(),
            summary=f"{victim.name} was assaulted at home by {accused.name}.",
        ),
    )
    rid = (await ok(made, 201))["id"]
    screened = await p.coordinator.post(
        f"/api/marac-referrals/{rid}/screening",
        json={"outcome": "accepted"},
        headers={"If-Match": made.headers["etag"]},
    )
    await ok(screened)
    listed = await p.coordinator.post(
        f"/api/marac-referrals/{rid}/listing",
        json={"meeting_on": day.isoformat()},
        headers={"If-Match": screened.headers["etag"]},
    )
    await ok(listed)
    meeting = await arrange(p, starts, [p.home_id, p.other_id])
    mid = meeting["id"]
    await acknowledge(p.coordinator, mid)
    built = await p.coordinator.post(
        f"{MEETINGS}/{mid}/agenda/build",
        headers={"If-Match": await etag(p.coordinator, f"{MEETINGS}/{mid}")},
    )
    await ok(built)
    await acknowledge(p.viewer, mid)
    [item] = (await ok(await p.coordinator.get(f"{MEETINGS}/{mid}/agenda")))["items"]
    prepared = await p.viewer.put(
        f"{MEETINGS}/{mid}/agenda/{item['id']}/contribution",
        json={
            "known_to_agency": True,
            "risks": ["children_in_household"],
            "information": f"{child.name} is known to social care.",
            "subjects": [{"subject_id": child_id, "role": "child"}],
        },
    )
    await ok(prepared)
    await time_passes(settings, mid, starts - timedelta(minutes=5))
    return SimpleNamespace(mid=mid, ref=meeting["reference"], day=day, victim=victim, child=child)


async def minuted_on_the_pages(p, settings) -> SimpleNamespace:
    case = await held_marac(p, settings)
    ref = case.ref
    # The chair has not accepted the statement: nothing of the meeting.
    _page, text = await page_of(p.chair, f"/meetings/{ref}/run/1", 403)
    assert "confidentiality statement" in text and case.child.name not in text
    await acknowledge(p.chair, case.mid)

    # Held, as it happens; the agencies present saved in the draft minutes.
    held = await post_form(p.chair, f"/meetings/{ref}/attendance", {"step": "held"})
    assert held.status_code == 303, held.text
    _page, text = await page_of(p.chair, f"/meetings/{ref}/attendance?done=held")
    assert "recorded as held" in text
    present = await post_form(
        p.chair,
        f"/meetings/{ref}/attendance",
        {"step": "present", "present": [p.home_id, p.other_id]},
    )
    assert present.status_code == 303, present.text

    # The case's page: what the council brought, its risk in words.
    _page, text = await page_of(p.chair, f"/meetings/{ref}/run/1")
    assert "From Otherton Borough Council" in text and "Children in the household" in text
    assert "Next case" not in text and "Previous case" not in text
    owner = fake.name()
    fields = {
        "information.1.text": f"Council: {case.child.name} has a plan.",
        "risks": f"Serious harm to {case.victim.name}.",
        "decisions": f"A safety plan for {case.child.name} at school.",
        "action.owner_agency_id": p.other_id,
        "action.owner_name": owner,
        "action.description": f"Visit {case.child.name} at school.",
        **day_fields("action.due_on", case.day + timedelta(days=7)),
    }
    # A due date before the meeting is refused, with the form kept.
    early = fields | day_fields("action.due_on", case.day - timedelta(days=3))
    refused = await post_form(p.chair, f"/meetings/{ref}/run/1", early)
    assert refused.status_code == 400
    assert error_summary(soup(refused)) == ["Cannot be before the meeting"]
    saved = await post_form(p.chair, f"/meetings/{ref}/run/1", fields)
    assert saved.status_code == 303, saved.text
    _page, text = await page_of(p.chair, f"/meetings/{ref}/run/1?done=saved")
    assert "Saved in the draft minutes" in text and owner in text
    assert f"Visit {case.child.name} at school." in text
    case.owner = owner
    return case


async def test_the_chair_minutes_the_meeting_and_approves_it(marac_partnership, settings):  # noqa: F811
    p = marac_partnership
    case = await minuted_on_the_pages(p, settings)
    ref = case.ref

    # The draft is the organisers': the police read no minutes yet.
    await acknowledge(p.officer, case.mid)
    _page, text = await page_of(p.officer, f"/meetings/{ref}/minutes")
    assert "no minutes" in text
    _page, text = await page_of(p.chair, f"/meetings/{ref}/minutes")
    assert "Draft" in text and "OFFICIAL-SENSITIVE" in text
    approved = await post_form(
        p.chair, f"/meetings/{ref}/minutes", {}, action=f"/meetings/{ref}/minutes/approval"
    )
    assert approved.status_code == 303, approved.text
    _page, text = await page_of(p.chair, f"/meetings/{ref}/minutes?done=approved")
    assert "Approved and locked" in text and "Start an amendment" in text
    # Locked: the case page no longer takes changes.
    _page, text = await page_of(p.chair, f"/meetings/{ref}/run/1")
    assert "approved and locked" in text

    # Each agency present reads the minutes redacted for it.
    _page, council = await page_of(p.viewer, f"/meetings/{ref}/minutes")
    assert case.child.name in council and case.owner in council
    _page, police = await page_of(p.officer, f"/meetings/{ref}/minutes")
    assert case.victim.name in police  # the police's own record
    assert not any(w in police for w in name_words(case.child)) and "Child A" in police

    # The PDF for the reader's agency: titled, marked, an attachment, not kept.
    pdf = await p.officer.get(f"/meetings/{ref}/minutes.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("attachment")
    assert pdf.headers["cache-control"] == "no-store"
    assert b"/Title" in pdf.content and b"/Lang" in pdf.content and b"/Outlines" in pdf.content

    # An amendment with its reason: a new draft version, the approved one kept.
    short = await post_form(
        p.chair,
        f"/meetings/{ref}/minutes",
        {"reason": "Typo"},
        action=f"/meetings/{ref}/minutes/amendment",
    )
    assert short.status_code == 400
    amended = await post_form(
        p.chair,
        f"/meetings/{ref}/minutes",
        {"reason": "The council's plan was agreed for the school, not the home."},
        action=f"/meetings/{ref}/minutes/amendment",
    )
    assert amended.status_code == 303, amended.text
    _page, text = await page_of(p.chair, f"/meetings/{ref}/minutes?done=amended")
    assert "Amended because: The council's plan was agreed for the school" in text
    assert "2 (an amendment)" in text and "Approve and lock the minutes" in text
    # The agencies still read the approved version.
    _page, council = await page_of(p.viewer, f"/meetings/{ref}/minutes")
    assert "Approved and locked" in council and "Amended because" not in council


async def test_the_minutes_go_onward_as_the_owners_answer(marac_partnership, settings):  # noqa: F811
    p = marac_partnership
    case = await minuted_on_the_pages(p, settings)
    ref = case.ref
    approved = await post_form(
        p.chair, f"/meetings/{ref}/minutes", {}, action=f"/meetings/{ref}/minutes/approval"
    )
    assert approved.status_code == 303
    where = f"/meetings/{ref}/minutes/onward-sharing"
    _page, text = await page_of(p.chair, where)
    assert "Every agency whose information the minutes hold agrees" in text
    asked = await post_form(
        p.chair,
        where,
        {
            "step": "request",
            "agency_id": p.third_id,
            "reason": "Probation manage the alleged perpetrator.",
        },
        action=None,
    )
    assert asked.status_code == 303, asked.text
    _page, text = await page_of(p.chair, f"{where}?done=requested")
    assert "Thirdshire Probation Delivery Unit" in text and "Waiting for agreement" in text
    assert "who have not agreed yet" in text

    # The police's governance lead agrees; the council's refuses, saying why.
    page, _text = await page_of(p.home_ig, where)
    form = next(f for f in page.select("main form") if f.select_one('input[value="agree"]'))
    hidden = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    agreed = await p.home_ig.post(where, data=hidden)
    assert agreed.status_code == 303, agreed.text
    page, _text = await page_of(p.other_ig, where)
    form = next(f for f in page.select("main form") if f.select_one('input[value="refuse"]'))
    hidden = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    reason_field = form.select_one("textarea")["name"]
    refused = await p.other_ig.post(
        where, data=hidden | {reason_field: "The child's plan is not for probation."}
    )
    assert refused.status_code == 303, refused.text
    _page, text = await page_of(p.chair, where)
    assert "Refused" in text and "Agreed" in text
    assert (await p.probation.get(f"/meetings/{ref}/minutes")).status_code == 404


async def test_the_owning_agency_completes_its_action(marac_partnership, settings):  # noqa: F811
    p = marac_partnership
    case = await minuted_on_the_pages(p, settings)
    ref = case.ref
    approved = await post_form(
        p.chair, f"/meetings/{ref}/minutes", {}, action=f"/meetings/{ref}/minutes/approval"
    )
    assert approved.status_code == 303

    # The council's actions: what, the meeting, its owner by name, due, status.
    # Across meetings, no wording (as the API's lists): each action's page reads it.
    _page, text = await page_of(p.viewer, "/meeting-actions")
    assert f"Action 1 from {ref}" in text and "Open" in text
    assert case.child.name not in text
    _page, text = await page_of(p.viewer, f"/meeting-actions?meeting={ref}")
    assert f"Visit {case.child.name} at school." in text and case.owner in text
    # Made overdue: the overdue view lists it, tagged.
    engine, sessions = await database(settings)
    try:
        async with sessions() as db, db.begin():
            await db.execute(
                update(Action)
                .where(Action.meeting_id == uuid.UUID(case.mid))
                .values(due_on=case.day - timedelta(days=2))
            )
    finally:
        await engine.dispose()
    _page, text = await page_of(p.viewer, "/meeting-actions?view=overdue")
    assert "Overdue" in text and f"Action 1 from {ref}" in text
    # The police own nothing: their overdue view is empty.
    await acknowledge(p.officer, case.mid)
    _page, text = await page_of(p.officer, "/meeting-actions?view=overdue")
    assert "No actions here" in text

    # The police read the action but cannot record progress on it.
    _page, text = await page_of(p.officer, f"/meeting-actions/{ref}/1")
    assert "Record progress" not in text and "Child A" in text
    done = await post_form(
        p.viewer,
        f"/meeting-actions/{ref}/1",
        {"status": "done", "note": "Visited at school with the head teacher."},
    )
    assert done.status_code == 303, done.text
    _page, text = await page_of(p.viewer, f"/meeting-actions/{ref}/1?done=progress")
    assert "Progress on the action is recorded" in text and "Done" in text
    _page, text = await page_of(p.viewer, "/meeting-actions?view=overdue")
    assert "No actions here" in text


async def test_nothing_of_the_meeting_before_the_statement(marac_partnership, settings):  # noqa: F811
    p = marac_partnership
    case = await held_marac(p, settings)
    for where in (
        f"/meetings/{case.ref}/run/1",
        f"/meetings/{case.ref}/attendance",
        f"/meetings/{case.ref}/minutes",
        f"/meetings/{case.ref}/minutes.pdf",
        f"/meeting-actions?meeting={case.ref}",
    ):
        page, text = await page_of(p.officer, where, 403)
        assert "Accept the confidentiality statement first" in text, where
        assert page.select_one(f'a[href="/meetings/{case.ref}"]') is not None
    # Apologies, as they happen, once it is accepted.
    await acknowledge(p.officer, case.mid)
    sent = await post_form(p.officer, f"/meetings/{case.ref}/attendance", {"step": "apologies"})
    assert sent.status_code == 303, sent.text
    _page, text = await page_of(p.officer, f"/meetings/{case.ref}/attendance?done=apologies")
    assert "Apologies sent" in text and "Withdraw your agency's apologies" in text


def test_every_risk_code_has_its_words_on_the_pages():
    assert LABELS["meeting_risk"] == RISK_LABELS
