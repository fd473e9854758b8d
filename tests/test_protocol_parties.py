"""Each party's own terms in a protocol, through the API and on the pages: its
UK GDPR Article 6 basis, on whose behalf it acts (Crime and Disorder Act
1998, section 115(1)), co-option into the ASB case review group, a future
start date, and the engine's warnings before anyone signs."""

from __future__ import annotations

from datetime import timedelta

from factories import agency_payload
from helpers import assert_problem
from pages import assert_no_machinery, field_error, form_fields, soup, visible_text
from test_privacy import partners  # noqa: F401
from test_protocols import API, asb_purpose, cast, drafted, etag_of, ok, step, today  # noqa: F401

MARAC_S115 = asb_purpose(
    purpose="marac",
    categories=[
        {"category": "risk_assessment", "article6": "e_public_task", "retention_days": 730}
    ],
    gateways=["cda1998_s115"],
)


async def charity(cast) -> str:  # noqa: F811
    made = await cast.admin.post(
        "/api/agencies/",
        json=agency_payload(
            name="Safe Steps Domestic Abuse Service", agency_type="domestic_abuse_service"
        ),
    )
    return (await ok(made, 201))["id"]


def party(view: dict, agency_id: str) -> dict:
    return next(p for p in view["current"]["parties"] if p["agency_id"] == agency_id)


async def test_a_charity_acting_for_the_council_is_recorded_and_clears_the_warning(partners):  # noqa: F811
    """The home agency is a police force: s115 reaches it and the council, not the charity."""
    cast = partners  # noqa: F811  (partners is a cast, with a police force at home)
    ssda = await charity(cast)
    draft = await drafted(cast, purposes=[MARAC_S115])
    pid = draft["id"]
    invited = await ok(await step(cast.home_ig, pid, "parties", {"parties": [{"agency_id": ssda}]}))
    # Left out, a body that is not a public authority has legitimate interests.
    assert party(invited, ssda)["article6"] == "f_legitimate_interests"
    assert party(invited, ssda)["on_behalf_of"] is None
    warnings = invited["current"]["warnings"]
    assert warnings and all("Safe Steps Domestic Abuse Service" in w for w in warnings)
    assert any("section 115" in w and "acts on behalf of" in w for w in warnings)

    # The page shows the same warnings before anyone signs, in words.
    page = soup(await cast.home_ig.get(f"/protocols/{pid}"))
    assert_no_machinery(page)
    text = visible_text(page)
    assert "Before anyone signs" in text and warnings[0] in text
    assert "Legitimate interests" in text and "Draft" in text

    url = f"{API}/{pid}/parties/{ssda}"
    tag = await etag_of(cast.home_ig, pid)
    # On its own behalf, or for an agency not party to the version: refused.
    assert_problem(
        await cast.home_ig.patch(url, json={"on_behalf_of": ssda}, headers={"If-Match": tag}),
        400, "on_behalf_of",
    )  # fmt: skip
    assert_problem(
        await cast.home_ig.patch(
            url, json={"on_behalf_of": cast.third_id}, headers={"If-Match": tag}
        ),
        409, "on_behalf_of",
    )  # fmt: skip
    changed = await cast.home_ig.patch(
        url, json={"on_behalf_of": cast.other_id}, headers={"If-Match": tag}
    )
    view = await ok(changed)
    assert party(view, ssda)["on_behalf_of_name"] == "Otherton Borough Council"
    assert view["current"]["warnings"] == []
    page = visible_text(soup(await cast.home_ig.get(f"/protocols/{pid}")))
    assert "Acts on behalf of Otherton Borough Council" in page
    assert "Before anyone signs" not in page


async def test_a_public_authority_cannot_rely_on_legitimate_interests(cast):  # noqa: F811
    draft = await drafted(cast)
    pid = draft["id"]
    tag = await etag_of(cast.home_ig, pid)
    refusal = assert_problem(
        await cast.home_ig.patch(
            f"{API}/{pid}/parties/{cast.other_id}",
            json={"article6": "f_legitimate_interests"},
            headers={"If-Match": tag},
        ),
        400, "article6",
    )  # fmt: skip
    assert "public authority" in refusal["detail"]
    # Only a social housing provider can be co-opted for ASB case reviews.
    refusal = assert_problem(
        await cast.home_ig.patch(
            f"{API}/{pid}/parties/{cast.other_id}",
            json={"co_opted_for_case_reviews": True},
            headers={"If-Match": tag},
        ),
        400, "co_opted_for_case_reviews",
    )  # fmt: skip
    assert "social housing" in refusal["detail"]
    assert party(await ok(await cast.home_ig.get(f"{API}/{pid}")), cast.other_id)["article6"] == (
        "e_public_task"
    )


async def test_a_protocol_signed_with_a_future_start_is_not_yet_in_force(cast):  # noqa: F811
    start = today() + timedelta(days=10)
    draft = await drafted(cast, starts_on=start.isoformat())
    pid = draft["id"]
    await ok(await step(cast.home_ig, pid, "submit"))
    await ok(await step(cast.home_ig, pid, "sign", {"job_title": "Head of IG"}))
    waiting = visible_text(soup(await cast.home_ig.get("/protocols")))
    assert (
        "Awaiting signatures" in waiting
        and "Not yet signed by: Otherton Borough Council" in waiting
    )
    signed = await ok(await step(cast.other_ig, pid, "sign", {"job_title": "DPO"}))
    assert signed["status"] == "not_yet_started"
    assert signed["current"]["in_force_from"] == start.isoformat()
    register = soup(await cast.home_ig.get("/protocols"))
    assert_no_machinery(register)
    assert "Signed, not yet started" in visible_text(register)
    page = visible_text(soup(await cast.home_ig.get(f"/protocols/{pid}")))
    assert "In force from" in page


async def test_an_ig_lead_changes_a_partys_terms_on_the_page(partners):  # noqa: F811
    cast = partners  # noqa: F811
    ssda = await charity(cast)
    pid = (await drafted(cast, purposes=[MARAC_S115]))["id"]
    await ok(await step(cast.home_ig, pid, "parties", {"parties": [{"agency_id": ssda}]}))
    page = soup(await cast.home_ig.get(f"/protocols/{pid}"))
    links = [a["href"] for a in page.select("main a") if "/parties/" in a["href"]]
    assert links == [f"/protocols/{pid}/parties/{n}" for n in (1, 2, 3)]
    # A practitioner reads the register but changes nothing.
    practitioner = await cast.person("home-officer", ["practitioner"])
    assert not soup(await practitioner.get(f"/protocols/{pid}")).select('main a[href*="/parties/"]')
    assert (await practitioner.get(links[2])).status_code == 403

    form = soup(await cast.home_ig.get(links[2]))
    assert_no_machinery(form)
    assert form.select_one("h1").get_text(strip=True) == "Safe Steps Domestic Abuse Service"
    fields = form_fields(form)
    # A council relying on legitimate interests: refused on the page, nothing saved.
    council = form_fields(soup(await cast.home_ig.get(links[1])))
    refused = await cast.home_ig.post(
        links[1], data={**council, "role": "joint_controller", "article6": "f_legitimate_interests"}
    )
    assert refused.status_code == 400
    assert "public authority" in field_error(soup(refused), "article6")
    assert party(await ok(await cast.home_ig.get(f"{API}/{pid}")), cast.other_id)["article6"] == (
        "e_public_task"
    )
    saved = await cast.home_ig.post(
        links[2],
        data={
            **fields,
            "role": "joint_controller",
            "article6": "f_legitimate_interests",
            "on_behalf_of": cast.other_id,
        },
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("?done=party")
    after = visible_text(soup(await cast.home_ig.get(saved.headers["location"])))
    assert "Party's terms changed" in after
    assert "Acts on behalf of Otherton Borough Council" in after
    assert "Before anyone signs" not in after
    # The form read before the change is stale now: refused, not applied.
    stale = await cast.home_ig.post(
        links[2], data={**fields, "role": "controller", "article6": "f_legitimate_interests"}
    )
    assert stale.status_code in (400, 409, 412)
    assert party(await ok(await cast.home_ig.get(f"{API}/{pid}")), ssda)["role"] == "joint_controller"
