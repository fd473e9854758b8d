"""Information sharing protocols over HTTP: drafting, signing, versions, review
and expiry, suspension and termination, who may see what, and the exports.

People sign in through the real OpenID Connect flow: the home agency's staff
through its provider registration, Otherton Borough Council's through its own.
A third agency (a police force) takes part without anyone signing in for it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from factories import agency_payload
from helpers import assert_problem
from sharehub.access.roles import Role
from sharehub.agencies.models import Agency
from sharehub.agencies.schemas import AgencyCreate
from sharehub.agencies.service import create_agency
from sharehub.agencies.types import AgencyType
from sharehub.app import create_app
from sharehub.db.engine import create_engine, create_session_factory
from sharehub.protocols.models import Protocol, ProtocolParty, ProtocolPurpose, ProtocolVersion
from sharehub.protocols.service import terms_in_force, today
from sharehub.protocols.terms import (
    PartyRole,
    ProtocolStatus,
    ProtocolTerms,
    Purpose,
    Schedule1Condition,
)
from support.signin import (
    MACHINE_CLIENT_ID,
    OTHER_CLIENT_ID,
    OTHER_CLIENT_SECRET,
    OTHER_PROVIDER_SLUG,
    PROVIDER_SLUG,
    ROLE_CLAIM,
    sign_in,
)

API = "/api/protocols"
HUB_AUDIENCE = "http://127.0.0.1:8000"
IG_LEAD = ["information_governance_lead"]


def asb_purpose(**overrides: Any) -> dict[str, Any]:
    purpose: dict[str, Any] = {
        "purpose": "asb_case_management",
        "categories": [
            {"category": "identity", "article6": "e_public_task", "retention_days": 730},
            {
                "category": "asb_incident_details",
                "article6": "e_public_task",
                "retention_days": 730,
            },
            {
                "category": "criminal_offence_data",
                "article6": "e_public_task",
                "schedule1": "para_10_preventing_or_detecting_unlawful_acts",
                "retention_days": 365,
            },
        ],
        "gateways": ["cda1998_s115"],
    }
    purpose.update(overrides)
    return purpose


def draft_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "title": "Harrowmere anti-social behaviour information sharing protocol",
        "review_date": (today() + timedelta(days=365)).isoformat(),
        "review_grace_days": 30,
        "purposes": [asb_purpose()],
        "security": "Shared only through the hub.\nNo copies on removable media.",
        "onward_sharing": "No onward sharing without the discloser's agreement.",
        "dpia_reference": "DPIA-2026-014",
    }
    payload.update(overrides)
    return payload


Browser = AsyncTestClient


@dataclass
class Cast:
    """The people and agencies of a protocol test."""

    admin: Browser
    home_ig: Browser
    other_ig: Browser
    home_id: str
    other_id: str
    third_id: str
    person: Callable[..., Awaitable[Browser]]


async def register_otherton(admin: Browser, issuer: str) -> dict[str, Any]:
    agency = await admin.post(
        "/api/agencies/",
        json={
            "name": "Otherton Borough Council",
            "short_code": "OBC",
            "agency_type": "unitary_council",
            "areas": ["Otherton"],
            "information_governance_contact": {
                "name": "Priya Lomas",
                "email": "ig@obc.example.org",
            },
        },
    )
    assert agency.status_code == 201, agency.text
    provider = await admin.post(
        "/api/identity-providers/",
        json={
            "slug": OTHER_PROVIDER_SLUG,
            "display_name": "Otherton sign-in",
            "agency_id": agency.json()["id"],
            "issuer": issuer,
            "client_id": OTHER_CLIENT_ID,
            "client_secret": OTHER_CLIENT_SECRET,
            "role_mapping": {"claim": ROLE_CLAIM, "roles": {r.value: r.value for r in Role}},
        },
    )
    assert provider.status_code == 201, provider.text
    return agency.json()


@pytest.fixture
async def cast(client, oidc_provider, settings, partnership) -> AsyncIterator[Cast]:
    otherton = await register_otherton(client, oidc_provider.issuer)
    third = await client.post(
        "/api/agencies/",
        json=agency_payload(
            name="Thirdshire Police", agency_type="police_force", areas=["Thirdshire"]
        ),
    )
    assert third.status_code == 201, third.text
    async with AsyncExitStack() as stack:

        async def person(sub: str, roles: list[str], slug: str = PROVIDER_SLUG) -> Browser:
            browser = await stack.enter_async_context(AsyncTestClient(app=create_app(settings)))
            browser.follow_redirects = False
            await sign_in(browser, oidc_provider, sub=sub, roles=roles, slug=slug)
            return browser

        yield Cast(
            admin=client,
            home_ig=await person("home-ig", IG_LEAD),
            other_ig=await person("other-ig", IG_LEAD, OTHER_PROVIDER_SLUG),
            home_id=str(partnership.agency_id),
            other_id=otherton["id"],
            third_id=third.json()["id"],
            person=person,
        )


async def etag_of(browser: Browser, protocol_id: str) -> str:
    read = await browser.get(f"{API}/{protocol_id}")
    assert read.status_code == 200, read.text
    return read.headers["etag"]


async def step(browser: Browser, protocol_id: str, action: str, json: Any = None, **kw: Any):
    """POST a lifecycle action with the ETag just read by the same person."""
    tag = await etag_of(browser, protocol_id)
    return await browser.post(
        f"{API}/{protocol_id}/{action}", json=json, headers={"If-Match": tag}, **kw
    )


async def ok(response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()


async def drafted(cast: Cast, **overrides: Any) -> dict[str, Any]:
    """A draft between the home agency and Otherton, started by the home IG lead."""
    created = await cast.home_ig.post(API + "/", json=draft_payload(**overrides))
    body = await ok(created, 201)
    invite = {"parties": [{"agency_id": cast.other_id, "role": "joint_controller"}]}
    return await ok(await step(cast.home_ig, body["id"], "parties", invite))


async def signed(cast: Cast, **overrides: Any) -> dict[str, Any]:
    """A protocol both parties have signed."""
    protocol = await drafted(cast, **overrides)
    await ok(await step(cast.home_ig, protocol["id"], "submit"))
    await ok(await step(cast.home_ig, protocol["id"], "sign", {"job_title": "Head of IG"}))
    return await ok(await step(cast.other_ig, protocol["id"], "sign", {"job_title": "DPO"}))


# --- signing -----------------------------------------------------------------


async def test_protocol_comes_into_force_when_every_party_has_signed(cast):
    created = await cast.home_ig.post(API + "/", json=draft_payload())
    body = await ok(created, 201)
    assert created.headers["location"] == f"{API}/{body['id']}"
    assert created.headers["etag"] == '"1"'
    assert body["status"] == "draft" and body["current"]["number"] == 1
    # The home IG lead's own agency is a party without being named.
    assert [p["agency_id"] for p in body["current"]["parties"]] == [cast.home_id]

    pid = body["id"]
    invite = {"parties": [{"agency_id": cast.other_id, "role": "joint_controller"}]}
    invited = await ok(await step(cast.home_ig, pid, "parties", invite))
    parties = invited["current"]["parties"]
    assert [(p["agency_name"], p["role"]) for p in parties] == [
        ("Testshire Hub Team", "controller"),
        ("Otherton Borough Council", "joint_controller"),
    ]
    # The invited agency's people see the draft now.
    assert (await cast.other_ig.get(f"{API}/{pid}")).status_code == 200

    submitted = await ok(await step(cast.home_ig, pid, "submit"))
    current = submitted["current"]
    assert submitted["status"] == "awaiting_signatures"
    assert len(current["content_digest"]) == 64
    assert set(current["awaiting_signature_from"]) == {cast.home_id, cast.other_id}

    first = await ok(await step(cast.home_ig, pid, "sign", {"job_title": "Head of IG"}))
    assert first["status"] == "awaiting_signatures"
    assert first["current"]["awaiting_signature_from"] == [cast.other_id]

    second = await step(cast.other_ig, pid, "sign", {"job_title": "Data Protection Officer"})
    active = await ok(second)
    assert active["status"] == "active" and active["review_due"] is False
    assert active["current"]["effective_from"] == today().isoformat()
    signatures = active["current"]["signatures"]
    assert [(s["agency_id"], s["signatory_name"], s["job_title"]) for s in signatures] == [
        (cast.home_id, "Officer home-ig", "Head of IG"),
        (cast.other_id, "Officer other-ig", "Data Protection Officer"),
    ]
    assert {s["content_digest"] for s in signatures} == {current["content_digest"]}
    assert all(p["signed"] for p in active["current"]["parties"])
    assert second.headers["etag"] == f'"{active["version"]}"'


async def test_only_a_party_agencys_ig_lead_signs_and_only_once(cast):
    protocol = await drafted(cast)
    pid = protocol["id"]
    job = {"job_title": "Head of IG"}

    body = assert_problem(await step(cast.home_ig, pid, "sign", job), 409)
    assert "submitted for signature" in body["detail"] and "draft" in body["detail"]
    await ok(await step(cast.home_ig, pid, "submit"))

    # Roles that may read a protocol but not sign one: refused by the policy.
    for sub, roles in [
        ("other-officer", ["practitioner"]),
        ("other-dpo", ["data_protection_officer"]),
    ]:
        someone = await cast.person(sub, roles, OTHER_PROVIDER_SLUG)
        assert (
            "protocol:sign" in assert_problem(await step(someone, pid, "sign", job), 403)["detail"]
        )
    # The hub administrator drafts and suspends, but a signature is an agency's.
    assert_problem(await step(cast.admin, pid, "sign", job), 403)

    # An IG lead of an agency that is not a party does not learn the protocol exists.
    third_only = await ok(
        await cast.admin.post(
            API + "/", json=draft_payload(parties=[{"agency_id": cast.third_id}])
        ),
        201,
    )
    headers = {"If-Match": f'"{third_only["version"]}"'}
    assert_problem(
        await cast.other_ig.post(f"{API}/{third_only['id']}/sign", json=job, headers=headers),
        404,
    )

    await ok(await step(cast.home_ig, pid, "sign", job))
    twice = assert_problem(await step(cast.home_ig, pid, "sign", job), 409)
    assert "already signed" in twice["detail"]

    # Signing needs the version read, like every change.
    url = f"{API}/{pid}/sign"
    assert_problem(await cast.other_ig.post(url, json=job), 428, "If-Match")
    assert_problem(await cast.other_ig.post(url, json=job, headers={"If-Match": '"1"'}), 412)
    still = (await cast.other_ig.get(f"{API}/{pid}")).json()
    assert still["status"] == "awaiting_signatures"
    assert still["current"]["awaiting_signature_from"] == [cast.other_id]


async def test_two_signatures_on_the_same_reading_leave_one_winner(cast):
    protocol = await drafted(cast)
    submitted = await ok(await step(cast.home_ig, protocol["id"], "submit"))
    url, tag = f"{API}/{protocol['id']}/sign", {"If-Match": f'"{submitted["version"]}"'}
    job = {"job_title": "Head of IG"}
    answers = await asyncio.gather(
        cast.home_ig.post(url, json=job, headers=tag),
        cast.other_ig.post(url, json=job, headers=tag),
    )
    assert sorted(a.status_code for a in answers) == [200, 412], [a.text for a in answers]
    after = (await cast.home_ig.get(f"{API}/{protocol['id']}")).json()
    assert len(after["current"]["signatures"]) == 1 and after["status"] == "awaiting_signatures"


async def test_content_is_frozen_once_submitted(cast):
    protocol = await drafted(cast)
    pid = protocol["id"]
    url = f"{API}/{pid}"
    await ok(await step(cast.home_ig, pid, "submit"))
    tag = {"If-Match": await etag_of(cast.home_ig, pid)}

    edit = assert_problem(
        await cast.home_ig.patch(url, json={"title": "Changed"}, headers=tag), 409
    )
    assert "only a draft can be edited" in edit["detail"]
    assert "awaiting signatures" in edit["detail"]
    invite = {"parties": [{"agency_id": cast.third_id}]}
    assert_problem(await cast.home_ig.post(url + "/parties", json=invite, headers=tag), 409)
    assert_problem(await cast.home_ig.delete(f"{url}/parties/{cast.other_id}", headers=tag), 409)
    assert_problem(await cast.home_ig.post(url + "/submit", headers=tag), 409)
    amend = assert_problem(await cast.home_ig.post(url + "/amend", headers=tag), 409)
    assert "amended" in amend["detail"]
    suspend = await cast.home_ig.post(url + "/suspend", json={"reason": "x"}, headers=tag)
    assert "only a protocol in force can be suspended" in assert_problem(suspend, 409)["detail"]

    active = await ok(await step(cast.home_ig, pid, "sign", {"job_title": "Head of IG"}))
    active = await ok(await step(cast.other_ig, pid, "sign", {"job_title": "DPO"}))
    tag = {"If-Match": f'"{active["version"]}"'}
    edit = assert_problem(
        await cast.home_ig.patch(url, json={"title": "Changed"}, headers=tag), 409
    )
    assert "amend" in edit["detail"] and "active" in edit["detail"]
    assert (await cast.home_ig.get(url)).json()["current"]["title"] == active["current"]["title"]


async def test_drafts_are_edited_with_the_version_read(cast):
    protocol = await drafted(cast)
    url = f"{API}/{protocol['id']}"
    change = {"title": "Harrowmere ASB protocol (revised)", "dpia_reference": None}
    assert_problem(await cast.home_ig.patch(url, json=change), 428, "If-Match")
    assert_problem(await cast.home_ig.patch(url, json=change, headers={"If-Match": "*"}), 400)
    tag = {"If-Match": f'"{protocol["version"]}"'}
    edited = await ok(await cast.other_ig.patch(url, json=change, headers=tag))
    assert edited["current"]["title"] == change["title"]
    assert edited["current"]["dpia_reference"] is None
    assert edited["current"]["security"] == protocol["current"]["security"]
    assert edited["version"] == protocol["version"] + 1
    stale = await cast.home_ig.patch(url, json={"title": "Lost update"}, headers=tag)
    assert_problem(stale, 412)

    both = [asb_purpose(), {**asb_purpose(), "purpose": "crime_prevention"}]
    tag = {"If-Match": f'"{edited["version"]}"'}
    replaced = await ok(await cast.home_ig.patch(url, json={"purposes": both}, headers=tag))
    assert [p["purpose"] for p in replaced["current"]["purposes"]] == [
        "asb_case_management",
        "crime_prevention",
    ]

    # A party withdrawn from the draft, then the draft cannot be submitted alone.
    tag = {"If-Match": f'"{replaced["version"]}"'}
    removed = await ok(await cast.home_ig.delete(f"{url}/parties/{cast.other_id}", headers=tag))
    assert [p["agency_id"] for p in removed["current"]["parties"]] == [cast.home_id]
    alone = assert_problem(await step(cast.home_ig, protocol["id"], "submit"), 409)
    assert "at least two parties" in alone["detail"]
    missing = f"{url}/parties/{cast.third_id}"
    tag = {"If-Match": f'"{removed["version"]}"'}
    assert_problem(await cast.home_ig.delete(missing, headers=tag), 404)


async def test_only_the_drafting_agency_removes_parties_and_a_party_may_withdraw(cast):
    protocol = await drafted(cast)
    pid = protocol["id"]
    url = f"{API}/{pid}"
    third = {"parties": [{"agency_id": cast.third_id}]}
    await ok(await step(cast.home_ig, pid, "parties", third))

    tag = {"If-Match": await etag_of(cast.other_ig, pid)}
    drafter = assert_problem(
        await cast.other_ig.delete(f"{url}/parties/{cast.home_id}", headers=tag), 409
    )
    assert "drafted" in drafter["detail"]
    other = assert_problem(
        await cast.other_ig.delete(f"{url}/parties/{cast.third_id}", headers=tag), 403
    )
    assert "drafting agency" in other["detail"]
    unchanged = (await cast.home_ig.get(url)).json()
    assert {p["agency_id"] for p in unchanged["current"]["parties"]} == {
        cast.home_id, cast.other_id, cast.third_id,
    }  # fmt: skip

    withdrawn = await ok(await cast.other_ig.delete(f"{url}/parties/{cast.other_id}", headers=tag))
    assert {p["agency_id"] for p in withdrawn["current"]["parties"]} == {
        cast.home_id, cast.third_id,
    }  # fmt: skip


# --- versions ------------------------------------------------------------------


async def test_amendment_is_a_new_version_and_the_old_one_stays_in_force_until_signed(cast):
    v1 = await signed(cast)
    pid = v1["id"]
    amended = await ok(await step(cast.other_ig, pid, "amend"))
    assert amended["status"] == "active" and amended["current"]["number"] == 1
    draft = amended["pending_amendment"]
    assert draft["number"] == 2 and draft["status"] == "draft"
    assert draft["signatures"] == [] and draft["content_digest"] is None
    assert draft["purposes"] == v1["current"]["purposes"]
    assert [h["number"] for h in amended["history"]] == [1, 2]

    # One amendment at a time.
    again = assert_problem(await step(cast.home_ig, pid, "amend"), 409)
    assert "version 2 is draft" in again["detail"]

    tag = {"If-Match": f'"{amended["version"]}"'}
    change = {"title": "Harrowmere ASB protocol, 2027 edition", "review_grace_days": 14}
    edited = await ok(await cast.home_ig.patch(f"{API}/{pid}", json=change, headers=tag))
    assert edited["pending_amendment"]["title"] == change["title"]
    assert edited["current"]["title"] == v1["current"]["title"]

    one = await ok(await cast.home_ig.get(f"{API}/{pid}/versions/1"))
    assert one["status"] == "active" and one["title"] == v1["current"]["title"]
    assert one["signatures"] == v1["current"]["signatures"]

    # Suspending the version in force while an amendment is under way is allowed.
    await ok(await step(cast.home_ig, pid, "submit"))
    await ok(await step(cast.home_ig, pid, "sign", {"job_title": "Head of IG"}))
    half = (await cast.home_ig.get(f"{API}/{pid}")).json()
    assert half["current"]["number"] == 1 and half["status"] == "active"
    assert half["pending_amendment"]["status"] == "awaiting_signatures"

    v2 = await ok(await step(cast.other_ig, pid, "sign", {"job_title": "DPO"}))
    assert v2["status"] == "active" and v2["current"]["number"] == 2
    assert v2["current"]["title"] == change["title"]
    assert v2["pending_amendment"] is None
    old = await ok(await cast.home_ig.get(f"{API}/{pid}/versions/1"))
    assert old["status"] == "superseded" and old["end_reason"] == "superseded by version 2"
    assert old["title"] == v1["current"]["title"] and old["ended_on"] == today().isoformat()
    assert [(h["number"], h["status"]) for h in v2["history"]] == [
        (1, "superseded"),
        (2, "active"),
    ]
    assert_problem(await cast.home_ig.get(f"{API}/{pid}/versions/3"), 404)


# --- review and expiry -----------------------------------------------------------


async def test_review_due_and_expiry_follow_from_the_dates(cast):
    day = today()
    fresh = await signed(cast, title="In date", review_date=(day + timedelta(days=90)).isoformat())
    due = await signed(
        cast,
        title="Past its review date",
        review_date=(day - timedelta(days=10)).isoformat(),
        review_grace_days=30,
    )
    lapsed = await signed(
        cast,
        title="Past its grace period",
        review_date=(day - timedelta(days=40)).isoformat(),
        review_grace_days=30,
    )
    assert (fresh["status"], fresh["review_due"]) == ("active", False)
    assert (due["status"], due["review_due"]) == ("review_due", True)
    assert (lapsed["status"], lapsed["review_due"]) == ("expired", True)
    assert lapsed["current"]["expires_on"] == (day - timedelta(days=10)).isoformat()

    async def listed(**params: Any) -> list[str]:
        page = (await cast.home_ig.get(API + "/", params=params)).json()
        return [item["title"] for item in page["items"]]

    assert await listed(review_due="true") == ["Past its grace period", "Past its review date"]
    assert await listed(review_due="false") == ["In date"]
    assert await listed(status="active") == ["In date"]
    assert await listed(status="review_due") == ["Past its review date"]
    assert await listed(status="expired") == ["Past its grace period"]

    # An expired protocol cannot be suspended (it authorises nothing already)...
    refused = assert_problem(
        await step(cast.home_ig, lapsed["id"], "suspend", {"reason": "x"}), 409
    )
    assert "version 1 is expired" in refused["detail"]
    # ...but it can be reviewed: amended with a new review date and signed again.
    pid = lapsed["id"]
    amended = await ok(await step(cast.home_ig, pid, "amend"))
    tag = {"If-Match": f'"{amended["version"]}"'}
    renewed_date = (day + timedelta(days=365)).isoformat()
    await ok(
        await cast.home_ig.patch(f"{API}/{pid}", json={"review_date": renewed_date}, headers=tag)
    )
    await ok(await step(cast.home_ig, pid, "submit"))
    await ok(await step(cast.home_ig, pid, "sign", {"job_title": "Head of IG"}))
    renewed = await ok(await step(cast.other_ig, pid, "sign", {"job_title": "DPO"}))
    assert (renewed["status"], renewed["current"]["number"]) == ("active", 2)
    assert renewed["history"][0]["status"] == "superseded"
    assert await listed(status="expired") == []


# --- suspension and termination ---------------------------------------------------


async def test_suspension_and_termination_need_a_reason_and_are_not_repeatable(cast):
    protocol = await signed(cast)
    pid = protocol["id"]
    assert_problem(await step(cast.home_ig, pid, "suspend", {}), 400, "reason")
    assert_problem(await step(cast.home_ig, pid, "suspend", {"reason": ""}), 400, "reason")
    reason = "A disclosure went to the wrong team; suspended while we investigate."
    suspended = await ok(await step(cast.other_ig, pid, "suspend", {"reason": reason}))
    assert suspended["status"] == "suspended"
    assert suspended["current"]["suspension_reason"] == reason
    assert suspended["current"]["suspended_on"] == today().isoformat()
    again = assert_problem(await step(cast.home_ig, pid, "suspend", {"reason": reason}), 409)
    assert "version 1 is suspended" in again["detail"]

    # A suspension is lifted by a new version every party signs.
    amended = await ok(await step(cast.admin, pid, "amend"))
    assert amended["pending_amendment"]["number"] == 2

    ended = await ok(await step(cast.admin, pid, "terminate", {"reason": "Replaced by county ISP"}))
    assert ended["status"] == "terminated"
    assert ended["current"]["end_reason"] == "Replaced by county ISP"
    assert ended["current"]["suspended_on"] == today().isoformat()  # history is kept
    assert [h["status"] for h in ended["history"]] == ["terminated", "terminated"]
    assert ended["history"][1]["end_reason"].startswith("withdrawn when the protocol was")
    for action, body in [
        ("terminate", {"reason": "again"}),
        ("suspend", {"reason": "again"}),
        ("amend", None),
        ("submit", None),
    ]:
        refused = assert_problem(await step(cast.home_ig, pid, action, body), 409)
        assert "terminated" in refused["detail"], action


async def test_a_draft_can_be_abandoned(cast):
    protocol = await drafted(cast)
    ended = await ok(
        await step(cast.other_ig, protocol["id"], "terminate", {"reason": "Not needed after all"})
    )
    assert ended["status"] == "terminated" and ended["current"]["effective_from"] is None


# --- who sees what ------------------------------------------------------------------


async def test_protocols_are_visible_to_their_parties_only(cast):
    between_home_and_third = await ok(
        await cast.home_ig.post(
            API + "/", json=draft_payload(parties=[{"agency_id": cast.third_id}])
        ),
        201,
    )
    ours = await drafted(cast, title="Ours")
    hidden = f"{API}/{between_home_and_third['id']}"

    outsider = await cast.person("other-officer", ["practitioner"], OTHER_PROVIDER_SLUG)
    for path in ["", "/versions/1", "/export.json", "/export.html"]:
        response = await outsider.get(hidden + path)
        assert response.status_code in (403, 404), path  # export is refused by role first
    assert_problem(await outsider.get(hidden), 404)
    listed = (await outsider.get(API + "/")).json()
    assert [item["id"] for item in listed["items"]] == [ours["id"]] and listed["total"] == 1
    assert (await outsider.get(f"{API}/{ours['id']}")).status_code == 200
    tag = {"If-Match": f'"{between_home_and_third["version"]}"'}
    assert_problem(await cast.other_ig.patch(hidden, json={"title": "x"}, headers=tag), 404)
    assert_problem(await cast.other_ig.post(hidden + "/amend", headers=tag), 404)

    # A hub-wide coordinator sees every protocol; one limited to an area, those
    # with a party serving it.
    coordinator = await cast.person("marac-coord", ["marac_coordinator"], OTHER_PROVIDER_SLUG)
    assert (await coordinator.get(hidden)).status_code == 200
    me = await cast.person("area-coord", [], OTHER_PROVIDER_SLUG)
    my_id = (await me.get("/me")).json()["id"]
    for area, visible in [("Thirdshire", True), ("Nowhere", False)]:
        grant = {"user_id": my_id, "role": "marac_coordinator", "area": area}
        granted = await ok(await cast.admin.post("/api/role-assignments/", json=grant), 201)
        items = (await me.get(API + "/")).json()["items"]
        assert (between_home_and_third["id"] in {i["id"] for i in items}) is visible, area
        assert ((await me.get(hidden)).status_code == 200) is visible, area
        await cast.admin.delete(f"/api/role-assignments/{granted['id']}")


async def test_list_filters_by_agency_and_purpose_and_pages(cast):
    first = await drafted(cast, title="A: ASB")
    second = await drafted(
        cast,
        title="B: safeguarding",
        purposes=[
            {
                "purpose": "safeguarding",
                "categories": [
                    {
                        "category": "special_category_health",
                        "article6": "e_public_task",
                        "schedule1": "para_18_safeguarding_of_children_and_individuals_at_risk",
                        "retention_days": 365,
                    }
                ],
                "gateways": ["dpa2018_safeguarding", "consent"],
            }
        ],
    )
    third = await ok(
        await cast.admin.post(
            API + "/",
            json=draft_payload(title="C: police", parties=[{"agency_id": cast.third_id}]),
        ),
        201,
    )

    async def ids(**params: Any) -> list[str]:
        page = (await cast.admin.get(API + "/", params=params)).json()
        return [item["id"] for item in page["items"]]

    assert await ids() == [first["id"], second["id"], third["id"]]
    assert await ids(agency_id=cast.other_id) == [first["id"], second["id"]]
    assert await ids(agency_id=cast.third_id) == [third["id"]]
    assert await ids(purpose="safeguarding") == [second["id"]]
    assert await ids(purpose="mappa") == []
    assert await ids(status="draft", agency_id=cast.third_id) == [third["id"]]
    assert await ids(status="active") == []
    page = (await cast.admin.get(API + "/", params={"limit": 2, "offset": 1})).json()
    assert page["total"] == 3 and [i["id"] for i in page["items"]] == [second["id"], third["id"]]
    summary = page["items"][0]
    assert summary["purposes"] == ["safeguarding"]
    assert set(summary["party_agency_ids"]) == {cast.home_id, cast.other_id}


# --- exports -------------------------------------------------------------------------


async def test_exports_as_json_and_as_a_readable_document(cast):
    title = 'Harrowmere <script>alert("x")</script> & partners'
    protocol = await signed(cast, title=title)
    pid = protocol["id"]
    await ok(await step(cast.home_ig, pid, "amend"))

    exported = await cast.home_ig.get(f"{API}/{pid}/export.json")
    document = await ok(exported)
    assert document["classification"] == "OFFICIAL"
    assert [v["number"] for v in document["versions"]] == [1, 2]
    assert document["versions"][0]["signatures"] and document["current_version"] == 1
    assert "attachment" not in exported.headers["content-disposition"]

    page = await cast.home_ig.get(f"{API}/{pid}/export.html")
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert html.count(">OFFICIAL<") == 2
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)" in html
    assert "Crime and Disorder Act 1998, section 115" in html
    assert "Data Protection Act 2018, Schedule 1, paragraph 10" in html and "730 days" in html
    assert "Officer other-ig" in html and "No copies on removable media." in html
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "style-src 'sha256-" in csp
    assert "script-src" not in csp

    draft_page = await cast.home_ig.get(f"{API}/{pid}/export.html", params={"version": 2})
    assert "version 2: <strong>draft</strong>" in draft_page.text
    assert_problem(await cast.home_ig.get(f"{API}/{pid}/export.html", params={"version": 9}), 404)

    dpo = await cast.person("other-dpo", ["data_protection_officer"], OTHER_PROVIDER_SLUG)
    assert (await dpo.get(f"{API}/{pid}/export.json")).status_code == 200
    officer = await cast.person("other-officer", ["practitioner"], OTHER_PROVIDER_SLUG)
    assert (
        "protocol:export"
        in assert_problem(await officer.get(f"{API}/{pid}/export.html"), 403)["detail"]
    )


# --- bad input --------------------------------------------------------------------------


def with_category(**changes: Any) -> dict[str, Any]:
    purpose = asb_purpose()
    purpose["categories"] = [{**purpose["categories"][0], **changes}]
    return draft_payload(purposes=[purpose])


def without(key: str) -> dict[str, Any]:
    payload = draft_payload()
    del payload[key]
    return payload


UNKNOWN_AGENCY = str(uuid.uuid4())
CREATE_CASES = {
    "missing title": (without("title"), "title"),
    "empty title": (draft_payload(title=""), "title"),
    "title with control character": (draft_payload(title="Bad\u0007title"), "title"),
    "title oversized": (draft_payload(title="x" * 201), "title"),
    "missing review date": (without("review_date"), "review_date"),
    "review date not a date": (draft_payload(review_date="next spring"), "review_date"),
    "review date impossible": (draft_payload(review_date="2027-02-30"), "review_date"),
    "negative grace": (draft_payload(review_grace_days=-1), "review_grace_days"),
    "grace of years": (draft_payload(review_grace_days=366), "review_grace_days"),
    "unknown field": (draft_payload(signatories=["someone"]), "signatories"),
    "security with control character": (draft_payload(security="a\u0000b"), "security"),
    "dpia reference oversized": (draft_payload(dpia_reference="D" * 101), "dpia_reference"),
    "unknown purpose": (
        draft_payload(purposes=[asb_purpose(purpose="gossip")]),
        "purposes[0].purpose",
    ),
    "no categories": (
        draft_payload(purposes=[asb_purpose(categories=[])]),
        "purposes[0].categories",
    ),
    "no gateways": (draft_payload(purposes=[asb_purpose(gateways=[])]), "purposes[0].gateways"),
    "unknown purpose field": (
        draft_payload(purposes=[asb_purpose(notes="x")]),
        "purposes[0].notes",
    ),
    "unknown category": (with_category(category="shoe_size"), "purposes[0].categories[0].category"),
    "unknown article 6 basis": (
        with_category(article6="g_because"),
        "purposes[0].categories[0].article6",
    ),
    "retention of zero days": (
        with_category(retention_days=0),
        "purposes[0].categories[0].retention_days",
    ),
    "retention missing": (
        draft_payload(
            purposes=[
                asb_purpose(categories=[{"category": "identity", "article6": "e_public_task"}])
            ]
        ),
        "purposes[0].categories[0].retention_days",
    ),
    "criminal offence data without a Schedule 1 condition": (
        with_category(category="criminal_offence_data"),
        "purposes[0].categories[0].schedule1",
    ),
    "health data without a Schedule 1 condition": (
        with_category(category="special_category_health"),
        "purposes[0].categories[0].schedule1",
    ),
    "a Schedule 1 condition where none applies": (
        with_category(schedule1="para_10_preventing_or_detecting_unlawful_acts"),
        "purposes[0].categories[0].schedule1",
    ),
    "unknown Schedule 1 condition": (
        with_category(category="criminal_offence_data", schedule1="para_99"),
        "purposes[0].categories[0].schedule1",
    ),
    "category twice": (
        draft_payload(purposes=[asb_purpose(categories=[asb_purpose()["categories"][0]] * 2)]),
        "purposes[0].categories[1].category",
    ),
    "purpose twice": (
        draft_payload(purposes=[asb_purpose(), asb_purpose()]),
        "purposes[1].purpose",
    ),
    "unknown gateway": (
        draft_payload(purposes=[asb_purpose(gateways=["magna_carta_1215"])]),
        "purposes[0].gateways[0]",
    ),
    "malformed gateway code": (
        draft_payload(purposes=[asb_purpose(gateways=["S115!"])]),
        "purposes[0].gateways[0]",
    ),
    "gateway twice": (
        draft_payload(purposes=[asb_purpose(gateways=["cda1998_s115", "cda1998_s115"])]),
        "purposes[0].gateways[1]",
    ),
    "gateway that does not serve the purpose": (
        draft_payload(purposes=[asb_purpose(purpose="mappa")]),
        "purposes[0].gateways[0]",
    ),
    "unknown party agency": (
        draft_payload(parties=[{"agency_id": UNKNOWN_AGENCY}]),
        "parties[0].agency_id",
    ),
    "party id not a uuid": (
        draft_payload(parties=[{"agency_id": "police"}]),
        "parties[0].agency_id",
    ),
    "unknown party role": (
        draft_payload(parties=[{"agency_id": UNKNOWN_AGENCY, "role": "owner"}]),
        "parties[0].role",
    ),
    "purposes not a list": (draft_payload(purposes={"purpose": "marac"}), "purposes"),
}


async def count(browser: Browser) -> int:
    return (await browser.get(API + "/")).json()["total"]


@pytest.mark.parametrize("payload,field", CREATE_CASES.values(), ids=CREATE_CASES.keys())
async def test_create_rejects_bad_fields_and_writes_nothing(cast, payload, field):
    before = await count(cast.admin)
    assert_problem(await cast.home_ig.post(API + "/", json=payload), 400, field)
    assert await count(cast.admin) == before


async def test_create_rejects_bodies_that_are_not_a_protocol(cast):
    for body in [b"{not json", b"[]", b"", b"null"]:
        response = await cast.home_ig.post(
            API + "/", content=body, headers={"content-type": "application/json"}
        )
        assert_problem(response, 400)
    assert await count(cast.admin) == 0


UPDATE_CASES = {
    "null title": ({"title": None}, "title"),
    "null review date": ({"review_date": None}, "review_date"),
    "grace as text": ({"review_grace_days": "thirty"}, "review_grace_days"),
    "parties are not edited here": ({"parties": []}, "parties"),
    "status is not edited": ({"status": "active"}, "status"),
    "bad purpose inside": (
        {"purposes": [asb_purpose(gateways=["nope"])]},
        "purposes[0].gateways[0]",
    ),
}


@pytest.mark.parametrize("changes,field", UPDATE_CASES.values(), ids=UPDATE_CASES.keys())
async def test_edit_rejects_bad_fields_and_changes_nothing(cast, changes, field):
    protocol = await drafted(cast)
    url = f"{API}/{protocol['id']}"
    tag = {"If-Match": f'"{protocol["version"]}"'}
    assert_problem(await cast.home_ig.patch(url, json=changes, headers=tag), 400, field)
    assert (await cast.home_ig.get(url)).json() == protocol


async def test_other_endpoints_reject_bad_input(cast):
    protocol = await drafted(cast)
    pid, url = protocol["id"], f"{API}/{protocol['id']}"
    tag = {"If-Match": f'"{protocol["version"]}"'}

    async def bad(method: str, path: str, status: int, field: str | None = None, **kw: Any):
        response = await cast.home_ig.request(method, path, **kw)
        return assert_problem(response, status, field)

    # Invitations.
    await bad("POST", url + "/parties", 400, "parties", json={"parties": []}, headers=tag)
    await bad("POST", url + "/parties", 400, "parties", json={}, headers=tag)
    unknown = {"parties": [{"agency_id": UNKNOWN_AGENCY}]}
    await bad("POST", url + "/parties", 400, "parties[0].agency_id", json=unknown, headers=tag)
    already = {"parties": [{"agency_id": cast.other_id}]}
    await bad("POST", url + "/parties", 409, "parties[0].agency_id", json=already, headers=tag)
    await bad("POST", url + "/parties", 428, "If-Match", json=already)
    gone = (await cast.admin.get(f"/api/agencies/{cast.third_id}")).headers["etag"]
    deactivated = await cast.admin.post(
        f"/api/agencies/{cast.third_id}/deactivate", headers={"If-Match": gone}
    )
    assert deactivated.status_code == 200
    third = {"parties": [{"agency_id": cast.third_id}]}
    body = await bad("POST", url + "/parties", 409, "parties[0].agency_id", json=third, headers=tag)
    assert "deactivated" in body["detail"]
    await bad("DELETE", f"{url}/parties/not-an-id", 400, "agency_id", headers=tag)

    # Signing, suspending, terminating.
    await ok(await step(cast.home_ig, pid, "submit"))
    tag = {"If-Match": await etag_of(cast.home_ig, pid)}
    await bad("POST", url + "/sign", 400, "job_title", json={}, headers=tag)
    await bad("POST", url + "/sign", 400, "job_title", json={"job_title": ""}, headers=tag)
    extra = {"job_title": "Head of IG", "on_behalf_of": cast.other_id}
    await bad("POST", url + "/sign", 400, "on_behalf_of", json=extra, headers=tag)
    await bad("POST", url + "/sign", 400, json=None, headers=tag)
    for action in ("suspend", "terminate"):
        await bad("POST", f"{url}/{action}", 400, "reason", json={}, headers=tag)
        await bad(
            "POST", f"{url}/{action}", 400, "reason", json={"reason": "x" * 1001}, headers=tag
        )
        await bad(
            "POST",
            f"{url}/{action}",
            400,
            "If-Match",
            json={"reason": "x"},
            headers={"If-Match": 'W/"1"'},
        )

    # Ids, version numbers and list filters.
    await bad("GET", f"{API}/not-a-uuid", 400, "protocol_id")
    await bad("GET", f"{API}/{uuid.uuid4()}", 404)
    await bad("POST", f"{API}/{uuid.uuid4()}/amend", 404, headers={"If-Match": '"1"'})
    await bad("GET", f"{url}/versions/one", 400, "number")
    await bad("GET", f"{url}/versions/0", 400, "number")
    await bad("GET", f"{url}/versions/2", 404)
    await bad("GET", f"{url}/export.html", 400, "version", params={"version": "latest"})
    for params, field in [
        ({"status": "dormant"}, "status"),
        ({"purpose": "gossip"}, "purpose"),
        ({"agency_id": "home"}, "agency_id"),
        ({"review_due": "perhaps"}, "review_due"),
        ({"limit": "0"}, "limit"),
        ({"offset": "-1"}, "offset"),
    ]:
        await bad("GET", API + "/", 400, field, params=params)

    after = (await cast.home_ig.get(url)).json()
    assert after["status"] == "awaiting_signatures" and after["current"]["signatures"] == []
    assert len(after["current"]["parties"]) == 2


async def test_agency_systems_cannot_sign(cast, oidc_provider, partnership):
    """A signature is a person's act: an agency system holding the scope is still refused."""
    protocol = await drafted(cast)
    await ok(await step(cast.home_ig, protocol["id"], "submit"))
    registered = await cast.admin.post(
        "/api/machine-clients/",
        json={
            "name": "Testshire case system",
            "provider_id": str(partnership.provider_id),
            "client_id": MACHINE_CLIENT_ID,
            "allowed_scopes": ["protocol:read", "protocol:sign"],
        },
    )
    assert registered.status_code == 201, registered.text
    oidc_provider.scenario()
    token = oidc_provider.machine_token(audience=HUB_AUDIENCE, scope="protocol:sign")
    tag = await etag_of(cast.home_ig, protocol["id"])
    response = await cast.home_ig.post(
        f"{API}/{protocol['id']}/sign",
        json={"job_title": "Case system"},
        headers={"If-Match": tag, "Authorization": f"Bearer {token}"},
    )
    assert "only an information governance lead" in assert_problem(response, 409)["detail"]


# --- what the lawful-basis engine reads ------------------------------------------------


def _version(number: int, status: str, parties: list, **dates: Any) -> ProtocolVersion:
    review_date = dates.pop("review_date")
    grace = dates.pop("grace", 30)
    return ProtocolVersion(
        number=number,
        status=status,
        title=f"Test protocol, version {number}",
        review_date=review_date,
        review_grace_days=grace,
        expires_on=review_date + timedelta(days=grace),
        onward_sharing="Only with the discloser's agreement",
        parties=[
            ProtocolParty(
                agency_id=agency.id, role="controller", agency_type=agency.agency_type, position=i
            )
            for i, agency in enumerate(parties)
        ],
        purposes=[
            ProtocolPurpose(
                purpose="asb_case_management",
                position=0,
                categories=[
                    {
                        "category": "criminal_offence_data",
                        "article6": "e_public_task",
                        "schedule1": "para_10_preventing_or_detecting_unlawful_acts",
                        "retention_days": 365,
                    }
                ],
                gateways=["cda1998_s115"],
            )
        ],
        **dates,
    )


def _protocol(owner: Agency, *versions: ProtocolVersion) -> Protocol:
    in_force = [v for v in versions if v.status != "draft"] or list(versions)
    return Protocol(
        created_by_agency_id=owner.id,
        current_version=in_force[-1].number,
        latest_version=versions[-1].number,
        status=in_force[-1].status,
        versions=list(versions),
    )


async def test_terms_in_force_on_a_day_are_the_versions_then_in_force(database_url, partnership):
    """History worked out from stored dates: a disclosure made on a past day is
    judged by the version in force that day, with its status that day."""
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as db:  # rolled back at the end
            home = await db.get(Agency, partnership.agency_id)
            police = await create_agency(
                db, msgspec.convert(agency_payload(agency_type="police_force"), AgencyCreate)
            )
            housing = await create_agency(
                db,
                msgspec.convert(
                    agency_payload(agency_type="private_registered_provider_of_social_housing"),
                    AgencyCreate,
                ),
            )
            amended = _protocol(
                home,
                _version(
                    1,
                    "superseded",
                    [home, police],
                    review_date=date(2025, 12, 31),
                    effective_from=date(2025, 1, 1),
                    ended_on=date(2025, 6, 1),
                ),
                _version(
                    2,
                    "suspended",
                    [home, police],
                    review_date=date(2026, 5, 31),
                    effective_from=date(2025, 6, 1),
                    suspended_on=date(2025, 9, 1),
                ),
            )
            lapsing = _protocol(
                police,
                _version(
                    1,
                    "active",
                    [police, housing],
                    review_date=date(2025, 4, 30),
                    grace=10,
                    effective_from=date(2025, 3, 1),
                ),
            )
            never_signed = _protocol(
                home, _version(1, "draft", [home, housing], review_date=date(2026, 1, 1))
            )
            ended = _protocol(
                home,
                _version(
                    1,
                    "terminated",
                    [home, housing],
                    review_date=date(2026, 1, 1),
                    effective_from=date(2025, 2, 1),
                    ended_on=date(2025, 4, 1),
                ),
            )
            db.add_all([amended, lapsing, never_signed, ended])
            await db.flush()

            async def on(day: date, *between: uuid.UUID) -> list[tuple[uuid.UUID, int, str]]:
                terms = await terms_in_force(db, day, between=between)
                assert all(isinstance(t, ProtocolTerms) for t in terms)
                return sorted((t.protocol_id, t.version, t.status.value) for t in terms)

            def rows(*expected: tuple[Protocol, int, str]) -> list[tuple[uuid.UUID, int, str]]:
                return sorted((p.id, n, s) for p, n, s in expected)

            assert await on(date(2024, 12, 31)) == []
            assert await on(date(2025, 3, 1)) == rows(
                (amended, 1, "active"), (lapsing, 1, "active"), (ended, 1, "active")
            )
            # The review date itself is still in date; the day after, review is due;
            # the last day of grace still counts; the day after, it has expired.
            assert await on(date(2025, 4, 30), police.id, housing.id) == rows(
                (lapsing, 1, "active")
            )
            assert await on(date(2025, 5, 1), police.id, housing.id) == rows(
                (lapsing, 1, "review_due")
            )
            assert await on(date(2025, 5, 10), police.id, housing.id) == rows(
                (lapsing, 1, "review_due")
            )
            assert await on(date(2025, 5, 11)) == rows(
                (amended, 1, "active"), (lapsing, 1, "expired"), (ended, 1, "terminated")
            )
            # Superseded on the day the amendment came into force.
            assert await on(date(2025, 6, 1), home.id, police.id) == rows((amended, 2, "active"))
            assert await on(date(2025, 5, 31), home.id, police.id) == rows((amended, 1, "active"))
            assert await on(date(2025, 9, 1), home.id, police.id) == rows((amended, 2, "suspended"))
            assert await on(date(2025, 9, 1), home.id, housing.id) == rows((ended, 1, "terminated"))

            [terms] = await terms_in_force(db, date(2025, 3, 1), between=[police.id, housing.id])
            assert terms.effective_from == date(2025, 3, 1)
            assert terms.review_grace_days == 10
            assert {p.agency_type for p in terms.parties} == {
                AgencyType.POLICE_FORCE,
                AgencyType.SOCIAL_HOUSING_PROVIDER,
            }
            [purpose] = terms.purposes
            assert purpose.purpose is Purpose.ASB_CASE_MANAGEMENT
            assert purpose.gateways == ("cda1998_s115",)
            assert purpose.categories[0].schedule1 is Schedule1Condition.PREVENTING_UNLAWFUL_ACTS
            await db.rollback()
    finally:
        await engine.dispose()


async def test_signed_protocols_reach_the_engine_through_terms_in_force(cast, database_url):
    protocol = await signed(cast)
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as db:
            between = [uuid.UUID(cast.home_id), uuid.UUID(cast.other_id)]
            [terms] = await terms_in_force(db, today(), between=between)
            assert terms.protocol_id == uuid.UUID(protocol["id"])
            assert terms.status is ProtocolStatus.ACTIVE
            assert terms.purposes[0].categories[0].retention_days == 730
            assert {p.role for p in terms.parties} == {
                PartyRole.CONTROLLER,
                PartyRole.JOINT_CONTROLLER,
            }
            assert await terms_in_force(db, today() - timedelta(days=1), between=between) == []
    finally:
        await engine.dispose()


async def test_every_change_is_an_audit_event_without_personal_data(cast, caplog):
    import json
    import logging

    caplog.set_level(logging.INFO, logger="sharehub.audit")
    protocol = await signed(cast)
    changes = [
        json.loads(r.getMessage().removeprefix("audit event "))
        for r in caplog.records
        if r.name == "sharehub.audit" and "protocol_changed" in r.getMessage()
    ]
    assert [c["details"]["step"] for c in changes] == [
        "drafted",
        "parties_invited",
        "submitted",
        "signed",
        "signed",
    ]
    assert {c["details"]["protocol_id"] for c in changes} == {protocol["id"]}
    assert changes[-1]["details"]["status"] == "active"
    assert "Head of IG" not in caplog.text  # job titles stay on the record, not in the log
