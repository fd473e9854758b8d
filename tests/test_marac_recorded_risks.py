"""The risk of serious harm the records hold: a live MARAC referral that met
the criteria, made in the last 12 months, for its victim and the children and
household members linked to it (never its perpetrator), read for many
subjects at once."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import event, update

from sharehub.calendar import LOCAL_TIME, add_months, local_today
from sharehub.protocols.engine import RecordedRisk
from sharehub.referrals.marac.models import MaracReferral
from sharehub.referrals.marac.risks import recorded_risks
from support.people import fictional
from test_marac_referrals import (  # noqa: F401
    API,
    MARAC_CATEGORIES,
    answers,
    marac,
    refer,
    referral,
)
from test_privacy import complainant, database, ok, partners, perpetrator, record  # noqa: F401
from test_protocols import (
    asb_purpose,
    cast,  # noqa: F401
    signed,
)


async def risks(
    settings, subject_ids: Collection[str], today: date | None = None
) -> tuple[dict[uuid.UUID, RecordedRisk], int]:
    """The risks found, and how many queries it took."""
    engine, sessions = await database(settings)
    selects: list[str] = []

    def counted(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", counted)
    try:
        async with sessions() as db:
            found = await recorded_risks(
                db, [uuid.UUID(s) for s in subject_ids], today or local_today()
            )
    finally:
        await engine.dispose()
    return found, len(selects)


async def change(settings, referral_id: str, **values: Any) -> None:
    engine, sessions = await database(settings)
    try:
        async with sessions() as db, db.begin():
            await db.execute(
                update(MaracReferral)
                .where(MaracReferral.id == uuid.UUID(referral_id))
                .values(**values)
            )
    finally:
        await engine.dispose()


def referred_on(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=LOCAL_TIME).astimezone(UTC)


async def person(browser, n: int, role: str) -> str:
    return (await record(browser, {"role": role, "identity": {"name": fictional(n).name}}))["id"]


async def referred_for(marac, victim_id: str, **overrides: Any) -> None:  # noqa: F811
    await ok(await marac.officer.post(f"{API}/", json=referral(victim_id, **overrides)), 201)


async def test_victims_and_household_of_a_live_referral_meeting_the_criteria(marac, settings):  # noqa: F811
    child = await person(marac.officer, 6201, "child")
    relative = await person(marac.officer, 6202, "household_member")
    body, _ = await refer(
        marac,
        household=[
            {"subject_id": child, "role": "child"},
            {"subject_id": relative, "role": "household_member"},
        ],
    )
    nobody = await person(marac.officer, 6203, "victim")
    victim, accused = marac.victim["id"], marac.accused["id"]
    found, queries = await risks(settings, [victim, child, relative, accused, nobody])
    expected = RecordedRisk(
        kind="marac_referral",
        reference=body["reference"],
        criteria=("visible high risk",),
    )
    # The perpetrator is no one at risk; someone with no referral has none recorded.
    assert found == {uuid.UUID(s): expected for s in (victim, child, relative)}
    assert queries <= 2
    assert await risks(settings, []) == ({}, 0)


async def test_the_criteria_met_are_given_in_words(marac, settings):  # noqa: F811
    judged = await person(marac.officer, 6211, "victim")
    await referred_for(
        marac,
        judged,
        answers=answers(3),
        professional_judgement="Coercive control is escalating; she is isolated from family.",
    )
    both = await person(marac.officer, 6212, "victim")
    await referred_for(
        marac,
        both,
        professional_judgement="She says he will kill her if she leaves; we believe her.",
    )
    found, _ = await risks(settings, [judged, both])
    assert found[uuid.UUID(judged)].criteria == ("professional judgement",)
    assert found[uuid.UUID(both)].criteria == ("visible high risk", "professional judgement")


async def test_only_live_referrals_that_met_the_criteria_count(marac, settings):  # noqa: F811
    victim = marac.victim["id"]
    body, _ = await refer(marac)
    for status in ("submitted", "accepted", "listed", "heard", "actions_open"):
        await change(settings, body["id"], status=status)
        assert uuid.UUID(victim) in (await risks(settings, [victim]))[0], status
    for status in ("returned", "closed"):
        await change(settings, body["id"], status=status)
        assert (await risks(settings, [victim]))[0] == {}, status
    await change(
        settings,
        body["id"],
        status="accepted",
        criteria=[{"code": "visible_high_risk", "met": False, "reason": "-", "citation": "-"}],
    )
    assert (await risks(settings, [victim]))[0] == {}


async def test_referrals_count_for_12_months_and_the_latest_is_cited(marac, settings):  # noqa: F811
    victim = marac.victim["id"]
    older, _ = await refer(marac)
    today = local_today()
    await change(settings, older["id"], referred_at=referred_on(add_months(today, -12)))
    [risk] = (await risks(settings, [victim], today))[0].values()
    assert risk.reference == older["reference"]
    # A day past the 12 months, or referred after the day asked about: not counted.
    assert (await risks(settings, [victim], today + timedelta(days=1)))[0] == {}
    assert (await risks(settings, [victim], add_months(today, -13)))[0] == {}

    # A later referral for her is the one cited.
    newer, _ = await refer(marac)
    await change(settings, newer["id"], referred_at=referred_on(today - timedelta(days=3)))
    [risk] = (await risks(settings, [victim], today))[0].values()
    assert risk.reference == newer["reference"]


@pytest.fixture
async def safeguarding(partners):  # noqa: F811
    """Partners whose MARAC protocol rests on Data Protection Act 2018, Schedule 1, paragraph 18 alone, so a
    disclosure needs a risk of serious harm."""
    partners.marac_protocol = await signed(
        partners,
        title="Testshire and Otherton MARAC safeguarding protocol",
        purposes=[
            asb_purpose(
                purpose="marac", categories=MARAC_CATEGORIES, gateways=["dpa2018_safeguarding"]
            )
        ],
    )
    partners.victim = await record(partners.officer, complainant())
    partners.accused = await record(partners.officer, perpetrator())
    return partners


async def test_a_check_about_a_named_victim_finds_her_referral(safeguarding):
    """Asked about a person, the engine takes the risk from the MARAC records,
    not from the asker's say-so, and says which referral it relied on."""
    asked = {
        "recipient_agency_id": safeguarding.other_id,
        "purpose": "marac",
        "categories": ["risk_assessment"],
        "subject_id": safeguarding.victim["id"],
        "consent_would_prejudice": True,
    }
    checks = "/api/disclosure-checks"
    before = await ok(await safeguarding.officer.post(checks, json=asked), 200)
    assert before["decision"]["outcome"] != "permitted"
    assert "no risk of serious harm is recorded" in str(before["decision"])

    body, _ = await refer(safeguarding)
    after = await ok(await safeguarding.officer.post(checks, json=asked), 200)
    reference = body["reference"]
    assert after["decision"]["outcome"] == "permitted", after
    assert f"{reference} meets the criteria (visible high risk)" in str(after["decision"])
    assert any(reference in said for said in after["records_used"])
