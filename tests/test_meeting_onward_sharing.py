"""Minutes beyond the agencies present, as the law table's rule for the
meeting's purpose says: MAPPA minutes with the chair's agreement and nobody
else's; MARAC minutes once every agency whose information they hold has
agreed, a refusal ending it. Until then the recipient reads nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from factories import agency_payload
from helpers import assert_problem
from sharehub.audit.models import LedgerEntry
from sharehub.meetings.models import MeetingAttendee
from sharehub.protocols.engine import onward_sharing_rule
from sharehub.protocols.terms import Purpose
from test_mappa_referrals import mappa, referred  # noqa: F401
from test_mappa_referrals import step as mappa_step
from test_meetings import (  # noqa: F401
    MEETINGS,
    acknowledge,
    disclosures_of,
    etag,
    marac_partnership,
    minuted_marac,
    minuted_texts,
    name_words,
    time_passes,
)
from test_privacy import database, ok, partners  # noqa: F401
from test_protocols import cast  # noqa: F401

POLICE, COUNCIL = "Testshire Hub Team", "Otherton Borough Council"
PROBATION = "Thirdshire Probation Delivery Unit"


def sharing_path(meeting_id: str) -> str:
    return f"{MEETINGS}/{meeting_id}/minutes/onward-sharing"


async def attended(settings, meeting_id: str, browser, agency_id: str) -> None:
    """Name a person as having attended for their agency (named before the
    meeting in practice; the tests' meetings are already held)."""
    user_id = uuid.UUID((await ok(await browser.get("/me")))["id"])
    engine, sessions = await database(settings)
    try:
        async with sessions() as db, db.begin():
            db.add(
                MeetingAttendee(
                    meeting_id=uuid.UUID(meeting_id),
                    user_id=user_id,
                    agency_id=uuid.UUID(agency_id),
                    named_at=datetime.now(UTC),
                )
            )
    finally:
        await engine.dispose()


async def ledger_kinds(settings, meeting_id: str) -> list[str]:
    engine, sessions = await database(settings)
    try:
        async with sessions() as db:
            rows = await db.execute(
                select(LedgerEntry.kind, LedgerEntry.body)
                .where(LedgerEntry.kind.like("minutes_shar%"))
                .order_by(LedgerEntry.seq)
            )
            return [kind for kind, body in rows.all() if meeting_id in body]
    finally:
        await engine.dispose()


def answers_of(request: dict[str, Any]) -> dict[str, str]:
    return {owner["agency_name"]: owner["answer"] for owner in request["owners"]}


async def test_marac_minutes_go_onward_once_every_owner_agrees(marac_partnership, settings):  # noqa: F811
    p = marac_partnership
    case = await minuted_marac(p, settings)
    minutes_path, path = f"{MEETINGS}/{case.mid}/minutes", sharing_path(case.mid)
    # Probation was never invited: the meeting and its minutes do not exist for it.
    assert_problem(await p.probation.get(minutes_path), 404)

    # An agency no protocol connects with the police and the council for MARAC:
    # 409, saying what must come first, and not repeating the reason typed.
    trust = await ok(
        await p.admin.post(
            "/api/agencies/",
            json=agency_payload(
                name="Wendlebury Community Health NHS Trust",
                agency_type="nhs_trust",
                areas=["Testshire"],
            ),
        ),
        201,
    )
    reason = "The trust's health visitor needs the plan for Quillon."
    refused = await p.chair.post(path, json={"agency_id": trust["id"], "reason": reason})
    detail = assert_problem(refused, 409)["detail"]
    assert "protocol" in detail and "Wendlebury Community Health NHS Trust" in detail
    assert "must be signed first" in detail
    assert "Quillon" not in refused.text
    assert await ok(await p.chair.get(path)) == []

    # Probation is party to the MARAC protocol with both: the chair asks, and
    # the police (the referral's holder) and the council (its information) answer.
    asked = await p.chair.post(
        path, json={"agency_id": p.third_id, "reason": "Probation manage the alleged perpetrator."}
    )
    request = await ok(asked, 201)
    rule = onward_sharing_rule(Purpose.MARAC)
    assert request["state"] == "requested" and request["agreement"] == "information_owners"
    assert request["rule"] == rule.text and request["citation"] == rule.citation
    assert request["agency_name"] == PROBATION and request["agreed_by"] is None
    assert answers_of(request) == {COUNCIL: "awaiting", POLICE: "awaiting"}
    assert request["waiting_for"] == (
        f"the minutes hold information from {COUNCIL} and {POLICE}, who have not agreed yet"
    )
    again = await p.chair.post(path, json={"agency_id": p.third_id, "reason": reason})
    assert "asked for already" in assert_problem(again, 409)["detail"]

    # An officer of the police who did not attend answers nothing for it.
    agree = f"{path}/{p.third_id}/agreement"
    detail = assert_problem(await p.officer.post(agree), 403)["detail"]
    assert f"for {POLICE}, a member who attended the meeting" in detail
    # Its information governance lead does.
    answered = await ok(await p.home_ig.post(agree))
    assert answered["state"] == "requested"
    assert answers_of(answered) == {COUNCIL: "awaiting", POLICE: "agreed"}
    assert answered["waiting_for"] == (
        f"the minutes hold information from {COUNCIL}, who has not agreed yet"
    )
    assert "answered already" in assert_problem(await p.home_ig.post(agree), 409)["detail"]
    # Probation, not an owner, has no answer to give; and still reads nothing.
    assert_problem(await p.probation.post(agree), 404)
    assert_problem(await p.probation.get(minutes_path), 404)
    assert await disclosures_of(settings, case.mid, p.third_id) == []

    # The council's officer attended for it: the last agreement grants it.
    await attended(settings, case.mid, p.viewer, p.other_id)
    granted = await ok(await p.viewer.post(agree))
    viewer_id = (await ok(await p.viewer.get("/me")))["id"]
    assert granted["state"] == "agreed" and granted["agreed_by"] == viewer_id
    assert granted["waiting_for"] is None
    assert answers_of(granted) == {COUNCIL: "agreed", POLICE: "agreed"}
    [listed] = await ok(await p.coordinator.get(path))
    assert listed == granted

    # Now it reads the approved minutes, through the gate: neither the victim
    # nor the child (no consent or decision covers probation), each recorded.
    read = await ok(await p.probation.get(minutes_path))
    assert read["status"] == "approved"
    texts = minuted_texts(read)
    assert "Victim A" in read["entries"][0]["risks"]
    assert all("Child A" in text for text in texts), texts
    for who in (case.victim, case.child):
        assert not any(w in str(read) for w in name_words(who))
    recorded = {d.subject_id: d for d in await disclosures_of(settings, case.mid, p.third_id)}
    for subject_id in (case.victim_id, case.child_id):
        assert "name" in recorded[uuid.UUID(subject_id)].withheld

    # And nothing else of the meeting.
    for other in (
        f"{MEETINGS}/{case.mid}",
        f"{MEETINGS}/{case.mid}/statement",
        f"{MEETINGS}/{case.mid}/agenda",
        f"{MEETINGS}/{case.mid}/agenda/{case.item_id}",
        f"{MEETINGS}/{case.mid}/pack",
        f"/api/meeting-actions/{case.action_id}",
        path,
    ):
        assert_problem(await p.probation.get(other), 404)
    assert_problem(
        await p.probation.get("/api/meeting-actions/", params={"meeting_id": case.mid}), 404
    )
    assert await ledger_kinds(settings, case.mid) == [
        "minutes_sharing_requested",
        "minutes_sharing_agreed",
        "minutes_sharing_agreed",
        "minutes_shared_onward",
    ]


async def test_a_refusal_stops_marac_minutes_going_onward(marac_partnership, settings):  # noqa: F811
    p = marac_partnership
    case = await minuted_marac(p, settings)
    path = sharing_path(case.mid)
    # A member of an agency present may ask, as the chair may.
    await ok(
        await p.officer.post(
            path, json={"agency_id": p.third_id, "reason": "Probation manage the perpetrator."}
        ),
        201,
    )
    refuse = f"{path}/{p.third_id}/refusal"
    assert_problem(await p.other_ig.post(refuse, json={}), 400, "reason")
    reason = "Our social worker's notes on Quillon are not for probation."
    refused = await p.other_ig.post(refuse, json={"reason": reason})
    body = await ok(refused)
    assert body["state"] == "refused" and body["waiting_for"] is None
    assert answers_of(body) == {COUNCIL: "refused", POLICE: "awaiting"}
    assert "Quillon" not in refused.text

    # Nothing more to answer or ask; the recipient reads nothing.
    late = await p.home_ig.post(f"{path}/{p.third_id}/agreement")
    assert (
        f"{COUNCIL} refused to share the minutes with {PROBATION}"
        in (assert_problem(late, 409)["detail"])
    )
    again = await p.chair.post(
        path, json={"agency_id": p.third_id, "reason": "Asking again after the refusal."}
    )
    assert f"{COUNCIL} refused" in assert_problem(again, 409)["detail"]
    assert_problem(await p.probation.get(f"{MEETINGS}/{case.mid}/minutes"), 404)
    assert await disclosures_of(settings, case.mid, p.third_id) == []
    # No request for that agency: nothing to answer.
    assert_problem(await p.home_ig.post(f"{path}/{p.home_id}/agreement"), 404)
    assert await ledger_kinds(settings, case.mid) == [
        "minutes_sharing_requested",
        "minutes_sharing_refused",
    ]


async def test_mappa_minutes_go_onward_with_the_chair_and_nobody_else(mappa, settings):  # noqa: F811
    p = mappa
    referral, tag = await referred(p)
    await ok(await mappa_step(p.coordinator, referral["id"], "acceptance", tag))
    chair_id = (await ok(await p.chair.get("/me")))["id"]
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=2)
    made = await p.coordinator.post(
        f"{MEETINGS}/",
        json={
            "meeting_type": "mappa_level_2",
            "area": "Testshire",
            "starts_at": starts.isoformat(),
            "venue": "Probation office, room 1",
            "chair_id": chair_id,
            "agencies": [p.home_id, p.other_id],
        },
    )
    mid = (await ok(made, 201))["id"]
    await acknowledge(p.coordinator, mid)
    built = await p.coordinator.post(
        f"{MEETINGS}/{mid}/agenda/build", headers={"If-Match": made.headers["etag"]}
    )
    [item] = (await ok(built))["items"]
    await time_passes(settings, mid, starts - timedelta(minutes=5))
    await ok(
        await p.coordinator.post(
            f"{MEETINGS}/{mid}/held",
            headers={"If-Match": await etag(p.coordinator, f"{MEETINGS}/{mid}")},
        )
    )
    written = await p.coordinator.put(
        f"{MEETINGS}/{mid}/minutes",
        json={
            "present": [p.home_id],  # the council sent apologies
            "entries": [{"item_id": item["id"], "risks": "Licence conditions under review."}],
        },
    )
    await ok(written)
    await acknowledge(p.chair, mid)
    await ok(
        await p.chair.post(
            f"{MEETINGS}/{mid}/minutes/approval", headers={"If-Match": written.headers["etag"]}
        )
    )
    minutes_path, path = f"{MEETINGS}/{mid}/minutes", sharing_path(mid)
    rule = onward_sharing_rule(Purpose.MAPPA)
    detail = assert_problem(await p.viewer.get(minutes_path), 403)["detail"]
    assert "ask the chair to agree" in detail and rule.text in detail

    # Nobody but the chair: not the coordinator, not the police who were present.
    body = {"agency_id": p.other_id, "reason": "The council houses the offender from May."}
    for browser in (p.coordinator, p.officer):
        detail = assert_problem(await browser.post(path, json=body), 403)["detail"]
        assert "only the meeting's chair" in detail and rule.text in detail
    assert await ledger_kinds(settings, mid) == []

    shared = await ok(await p.chair.post(path, json=body), 201)
    assert shared["state"] == "agreed" and shared["agreement"] == "chair"
    assert shared["agreed_by"] == chair_id and shared["requested_by"] == chair_id
    assert shared["owners"] == [] and shared["waiting_for"] is None
    assert shared["rule"] == rule.text
    read = await ok(await p.viewer.get(minutes_path))
    assert read["entries"][0]["risks"] == "Licence conditions under review."
    # Nobody else's answer is asked for.
    late = await p.home_ig.post(f"{path}/{p.other_id}/agreement")
    assert "already shared" in assert_problem(late, 409)["detail"]
    assert await ledger_kinds(settings, mid) == ["minutes_shared_onward"]
