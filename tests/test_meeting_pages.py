"""Meetings on the pages, before the meeting: the coordinator arranges a MARAC
(a refused form says what is wrong and writes nothing), accepts the
confidentiality statement with one button, invites a further agency, names an
attendee, builds the agenda from the referrals listed, moves a case up and sets
each case's minutes (the time slots follow); an attendee who has not accepted
the statement sees nothing of the meeting beyond its kind, date and reference;
an agency prepares a case, and another agency reads it redacted for it; the
pack as a page and as a PDF. Every page without machinery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from pages import assert_no_machinery, error_summary, form_fields, soup, visible_text
from sharehub.calendar import LOCAL_TIME
from sharehub.meetings.models import Meeting
from support.signin import OTHER_PROVIDER_SLUG
from test_marac_referrals import referral
from test_meetings import MEETINGS, marac_partnership  # noqa: F401
from test_privacy import complainant, database, ok, partners, perpetrator, record  # noqa: F401
from test_protocols import cast  # noqa: F401


async def page_of(browser, where: str):
    response = await browser.get(where)
    assert response.status_code == 200, response.text
    page = soup(response)
    assert_no_machinery(page)
    return page, visible_text(page)


async def post_form(browser, where: str, data: dict[str, Any], *, action: str | None = None):
    """GET the page, then POST its form with the token and version it carries."""
    page, _text = await page_of(browser, where)
    fields = form_fields(page, action=action) if action else form_fields(page)
    return await browser.post(action or where, data=fields | data)


def day_fields(prefix: str, on) -> dict[str, str]:
    return {f"{prefix}-day": str(on.day), f"{prefix}-month": str(on.month),
            f"{prefix}-year": str(on.year)}  # fmt: skip


async def count_meetings(settings) -> int:
    engine, sessions = await database(settings)
    try:
        async with sessions() as db:
            return await db.scalar(select(func.count()).select_from(Meeting)) or 0
    finally:
        await engine.dispose()


async def listed_referrals(p, starts: datetime, how_many: int) -> list[str]:
    """Referrals made by the police, accepted and listed for the meeting's day."""
    day = starts.astimezone(LOCAL_TIME).date()
    ids = []
    for _ in range(how_many):
        victim = await record(p.officer, complainant())
        accused = await record(p.officer, perpetrator())
        made = await p.officer.post(
            "/api/marac-referrals/",
            json=referral(
                victim["id"], accused["id"], incident_on=(day - timedelta(days=1)).isoformat()
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
        ids.append(rid)
    return ids


def arrangement(p, starts: datetime, agencies: list[str], **extra: str) -> dict[str, Any]:
    local = starts.astimezone(LOCAL_TIME)
    return {
        "meeting_type": "marac",
        "area": "Testshire",
        **day_fields("starts_at", local.date()),
        "starts_time": local.strftime("%H:%M"),
        "venue": "Testshire Police HQ, conference room 2",
        "chair_id": p.chair_id,
        "agencies": agencies,
    } | extra


async def arranged(p, starts: datetime) -> str:
    sent = await post_form(
        p.coordinator, "/meetings/new", arrangement(p, starts, [p.home_id, p.other_id])
    )
    assert sent.status_code == 303, sent.text
    location = sent.headers["location"]
    assert location.endswith("?done=arranged")
    reference = location.split("/")[-1].split("?")[0]
    assert reference.startswith("MTG-")
    return reference


async def accept(browser, reference: str) -> None:
    page, text = await page_of(browser, f"/meetings/{reference}")
    assert "I accept the confidentiality statement" in text
    done = await browser.post(
        f"/meetings/{reference}/statement",
        data=form_fields(page, action=f"/meetings/{reference}/statement"),
    )
    assert done.status_code == 303, done.text


async def agenda_ids(browser, meeting_id: str) -> list[str]:
    return [
        i["source_id"]
        for i in (await ok(await browser.get(f"{MEETINGS}/{meeting_id}/agenda")))["items"]
    ]


async def test_a_marac_is_arranged_and_prepared_on_the_pages(marac_partnership, settings):  # noqa: F811
    p = marac_partnership
    starts = (datetime.now(UTC) + timedelta(hours=3)).replace(second=0, microsecond=0)
    first, second = await listed_referrals(p, starts, 2)

    # Nothing given: every question named, nothing written.
    form, text = await page_of(p.coordinator, "/meetings/new")
    assert "Arrange a meeting" in text and "Marac chair" not in text
    empty = await p.coordinator.post("/meetings/new", data=form_fields(form))
    assert empty.status_code == 400
    refused = soup(empty)
    assert_no_machinery(refused)
    summary = error_summary(refused)
    assert "Choose the kind of meeting" in summary and "Choose who chairs the meeting" in summary
    assert any("time the meeting starts" in s for s in summary)
    past = await post_form(
        p.coordinator,
        "/meetings/new",
        arrangement(p, starts - timedelta(days=2), [p.home_id, p.other_id]),
    )
    assert past.status_code == 400, past.text
    assert "Arrange meetings in the future" in visible_text(soup(past))
    assert await count_meetings(settings) == 0

    reference = await arranged(p, starts)
    _page, text = await page_of(p.coordinator, "/meetings")
    assert reference in text and "MARAC" in text and "Testshire" in text and "Scheduled" in text
    _page, text = await page_of(p.coordinator, "/meetings?view=past")
    assert reference not in text
    _page, text = await page_of(p.coordinator, "/meetings?kind=mappa_level_2")
    assert reference not in text

    # The statement first: nothing of the meeting but its kind, date and reference.
    page, text = await page_of(p.coordinator, f"/meetings/{reference}")
    assert reference in text and "MARAC confidentiality statement" in text
    assert "conference room" not in text and "Agenda" not in text
    assert len(page.select("main form button")) == 1
    [summary] = (await ok(await p.coordinator.get(f"{MEETINGS}/")))["items"]
    statement = await ok(await p.coordinator.get(f"{MEETINGS}/{summary['id']}/statement"))
    assert statement["sha256"] not in str(page)  # the hash is worked out on the server
    await accept(p.coordinator, reference)
    page, text = await page_of(p.coordinator, f"/meetings/{reference}")
    assert "conference room 2" in text and "The agenda has no cases yet" in text
    assert "Minutes" in text and "Actions from this meeting" in text
    assert page.select_one(f'a[href="/meeting-actions?meeting={reference}"]')
    meeting = (await ok(await p.coordinator.get(f"{MEETINGS}/")))["items"][0]
    mid = meeting["id"]

    # Invite probation; name the police officer to attend.
    invited = await post_form(
        p.coordinator, f"/meetings/{reference}/steps/invitation", {"agency_id": p.third_id}
    )
    assert invited.status_code == 303, invited.text
    officer_id = (await ok(await p.officer.get("/me")))["id"]
    named = await post_form(
        p.coordinator, f"/meetings/{reference}/steps/attendee", {"user_id": officer_id}
    )
    assert named.status_code == 303, named.text
    again = await post_form(
        p.coordinator, f"/meetings/{reference}/steps/attendee", {"user_id": officer_id}
    )
    assert again.status_code == 400  # already named: said on the form
    assert_no_machinery(soup(again))

    # Build the agenda, move the second case up, set each case's minutes.
    built = await post_form(p.coordinator, f"/meetings/{reference}/steps/agenda", {})
    assert built.status_code == 303, built.text
    assert await agenda_ids(p.coordinator, mid) == [first, second]
    page, text = await page_of(p.coordinator, f"/meetings/{reference}")
    local = starts.astimezone(LOCAL_TIME)
    at = [(local + timedelta(minutes=m)).strftime("%H:%M") for m in (0, 15, 30)]
    assert f"{at[0]} to {at[1]}" in text and f"{at[1]} to {at[2]}" in text
    assert "(Victim A)" in text and "Imogen" not in text  # the council may not know her
    assert "Referred by" in text and "Not yet:" in text
    forms = page.select('form[action$="/agenda-order"]')
    moved = await p.coordinator.post(
        f"/meetings/{reference}/agenda-order",
        data={i["name"]: i.get("value", "") for i in forms[1].select("input[type=hidden]")}
        | {"move": "up"},
    )
    assert moved.status_code == 303, moved.text
    assert await agenda_ids(p.coordinator, mid) == [second, first]
    timed = await post_form(
        p.coordinator,
        f"/meetings/{reference}/steps/timings",
        {"minutes.1": "20", "minutes.2": "10"},
    )
    assert timed.status_code == 303, timed.text
    _page, text = await page_of(p.coordinator, f"/meetings/{reference}")
    at = [(local + timedelta(minutes=m)).strftime("%H:%M") for m in (0, 20, 30)]
    assert f"{at[0]} to {at[1]} (20 minutes)" in text and f"{at[1]} to {at[2]} (10 minutes)" in text
    bad = await post_form(
        p.coordinator, f"/meetings/{reference}/steps/timings", {"minutes.1": "0", "minutes.2": "x"}
    )
    assert bad.status_code == 400 and "from 1 to 240" in visible_text(soup(bad))

    # A newcomer of an agency invited sees only the statement, everywhere.
    newcomer = await p.person("council-newcomer", ["practitioner"], OTHER_PROVIDER_SLUG)
    for where in (f"/meetings/{reference}", f"/meetings/{reference}/cases/1",
                  f"/meetings/{reference}/pack"):  # fmt: skip
        _page, text = await page_of(newcomer, where)
        assert "I accept the confidentiality statement" in text
        assert "conference room" not in text and "MARAC-" not in text and "Imogen" not in text
    assert (await newcomer.get(f"/meetings/{reference}/pack.pdf")).status_code == 403

    # The police prepare the first case on the agenda.
    await accept(p.officer, reference)
    _page, text = await page_of(p.officer, f"/meetings/{reference}")
    assert "(I.T.)" in text  # the victim's initials: the police's own record
    page, text = await page_of(p.officer, f"/meetings/{reference}/cases/1")
    assert "Imogen Thwaite" in text
    prepared = await post_form(
        p.officer,
        f"/meetings/{reference}/cases/1",
        {
            "known_to_agency": "yes",
            "risks": ["threats_to_kill", "strangulation"],
            "information": "Imogen Thwaite called 999; Dorian Pellow was arrested.",
            **day_fields("last_contact_on", datetime.now(UTC).date() - timedelta(days=1)),
        },
    )
    assert prepared.status_code == 303, prepared.text
    page, text = await page_of(p.officer, f"/meetings/{reference}/cases/1?done=prepared")
    assert page.select_one('input[name="risks"][value="threats_to_kill"]').has_attr("checked")
    assert "Imogen Thwaite called 999" in page.select_one("textarea#information").text
    changed = await post_form(
        p.officer,
        f"/meetings/{reference}/cases/1",
        {"known_to_agency": "yes", "information": "Dorian Pellow was arrested again."},
    )
    assert changed.status_code == 303, changed.text  # replaced, with the version read
    stale = await p.officer.post(
        f"/meetings/{reference}/cases/1",
        data=form_fields(page) | {"known_to_agency": "no"},
    )
    assert stale.status_code == 400  # the version read before the change

    # Probation reads the case redacted for it: the victim by her pseudonym.
    await accept(p.probation, reference)
    page, text = await page_of(p.probation, f"/meetings/{reference}/cases/1")
    assert "Imogen" not in text and "Victim A" in text
    assert "Dorian Pellow was arrested again" in text
    _page, text = await page_of(p.probation, f"/meetings/{reference}")
    assert "(Victim A)" in text and "Imogen" not in text and "(I.T.)" not in text
    assert "Prepared:" in text

    # The pack: a page in the hub's layout, and a PDF to download.
    page, text = await page_of(p.probation, f"/meetings/{reference}/pack")
    assert "OFFICIAL-SENSITIVE" in text and "MARAC confidentiality statement" in text
    assert f"{at[0]} to {at[1]} (20 minutes)" in text and "Referred by" in text
    assert "Victim A" in text and "Imogen" not in text
    assert page.select_one("main h1") is not None
    pdf = await p.probation.get(f"/meetings/{reference}/pack.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"] == (
        f'attachment; filename="meeting-pack-{reference}.pdf"'
    )
    assert pdf.headers["cache-control"] == "no-store"
    assert b"/Outlines" in pdf.content and b"/Lang" in pdf.content
    assert b"Imogen" not in pdf.content

    # Cancelled with a reason: the steps close.
    too_short = await post_form(
        p.coordinator, f"/meetings/{reference}/steps/cancellation", {"reason": "No."}
    )
    assert too_short.status_code == 400
    assert "Say in 10 to 4,000 characters" in visible_text(soup(too_short))
    cancelled = await post_form(
        p.coordinator,
        f"/meetings/{reference}/steps/cancellation",
        {"reason": "The chair is unwell; the cases move to next week."},
    )
    assert cancelled.status_code == 303, cancelled.text
    _page, text = await page_of(p.coordinator, f"/meetings/{reference}")
    assert "Cancelled" in text and "Build the agenda" not in text


async def test_meeting_pages_are_for_those_who_may(marac_partnership):  # noqa: F811
    p = marac_partnership
    starts = (datetime.now(UTC) + timedelta(days=3)).replace(second=0, microsecond=0)
    reference = await arranged(p, starts)
    # Probation is not invited: the meeting does not exist for it.
    assert (await p.probation.get(f"/meetings/{reference}")).status_code == 404
    assert (await p.probation.get(f"/meetings/{reference}/pack")).status_code == 404
    # A practitioner may not arrange, nor take the coordinator's steps.
    assert (await p.officer.get("/meetings/new")).status_code == 403
    await accept(p.officer, reference)
    assert (await p.officer.get(f"/meetings/{reference}/steps/agenda")).status_code == 403
    assert (await p.officer.get(f"/meetings/{reference}/steps/no-such-step")).status_code == 404
    _page, text = await page_of(p.officer, f"/meetings/{reference}")
    assert "Build the agenda" not in text and "Run the meeting" not in text
    assert "Name an attendee" in text  # an agency names its own
