"""A domestic abuse charity delivering the council's IDVA service, as the law
reaches it: under the Crime and Disorder Act 1998, section 115(1), as "a person
acting on behalf of" a relevant authority once the protocol records so. With
the victim's consent to the IDVA service on record, the IDVA sees who she is;
and what the charity itself wrote about her comes back to it as written."""

from __future__ import annotations

from typing import Any

import pytest

from sharehub.access.roles import Role
from support.signin import ROLE_CLAIM, THIRD_CLIENT_ID, THIRD_CLIENT_SECRET, THIRD_PROVIDER_SLUG
from test_marac_referrals import MARAC_CATEGORIES, referral
from test_privacy import complainant, consent_body, ok, partners, record, seen_by  # noqa: F401
from test_protocols import API as PROTOCOLS
from test_protocols import asb_purpose, cast, draft_payload  # noqa: F401

MARAC = "marac"


@pytest.fixture
async def idva_service(partners, oidc_provider):  # noqa: F811
    """Police (home), Otherton council, and a charity acting for the council in
    an s115-only MARAC protocol."""
    third = f"/api/agencies/{partners.third_id}"
    read = await partners.admin.get(third)
    await ok(
        await partners.admin.patch(
            third,
            json={"agency_type": "domestic_abuse_service", "name": "Thirdshire Safe Steps"},
            headers={"If-Match": read.headers["etag"]},
        )
    )
    provider = {
        "slug": THIRD_PROVIDER_SLUG,
        "display_name": "Thirdshire sign-in",
        "agency_id": partners.third_id,
        "issuer": oidc_provider.issuer,
        "client_id": THIRD_CLIENT_ID,
        "client_secret": THIRD_CLIENT_SECRET,
        "role_mapping": {"claim": ROLE_CLAIM, "roles": {r.value: r.value for r in Role}},
    }
    await ok(await partners.admin.post("/api/identity-providers/", json=provider), 201)
    third_ig = await partners.person(
        "third-ig", ["information_governance_lead"], THIRD_PROVIDER_SLUG
    )
    body = draft_payload(
        title="Testshire MARAC information sharing protocol",
        purposes=[
            asb_purpose(purpose=MARAC, categories=MARAC_CATEGORIES, gateways=["cda1998_s115"])
        ],
    )
    pid = (await ok(await partners.home_ig.post(PROTOCOLS + "/", json=body), 201))["id"]

    async def act(browser, action: str, json: Any = None) -> dict[str, Any]:
        tag = (await browser.get(f"{PROTOCOLS}/{pid}")).headers["etag"]
        return await ok(
            await browser.post(f"{PROTOCOLS}/{pid}/{action}", json=json, headers={"If-Match": tag})
        )

    invited = await act(
        partners.home_ig,
        "parties",
        {
            "parties": [
                {"agency_id": partners.other_id, "role": "joint_controller"},
                {
                    "agency_id": partners.third_id,
                    "role": "joint_controller",
                    "on_behalf_of": partners.other_id,
                },
            ]
        },
    )
    assert invited["current"]["warnings"] == [], invited["current"]["warnings"]
    await act(partners.home_ig, "submit")
    for browser in (partners.home_ig, partners.other_ig, third_ig):
        await act(browser, "sign", {"job_title": "Information governance lead"})
    partners.idva = await partners.person("idva", ["idva"], THIRD_PROVIDER_SLUG)
    return partners


async def test_with_consent_the_idva_sees_who_the_victim_is(idva_service):
    victim = await record(idva_service.officer, {**complainant(), "role": "victim"})
    before = await seen_by(idva_service.idva, victim["id"], MARAC)
    assert before["name"] is None and before["pseudonym"]

    consents = f"/api/subjects/{victim['id']}/consents"
    given = consent_body(
        idva_service,
        purposes=[MARAC],
        recipients={"agencies": [idva_service.third_id]},
        categories=["identity"],
    )
    await ok(await idva_service.officer.post(consents, json=given), 201)
    after = await seen_by(idva_service.idva, victim["id"], MARAC)
    assert after["name"] == "Imogen Thwaite"


async def test_the_idva_reads_her_own_words_as_written(idva_service):
    """The police hold a record of the same woman, which hub-wide redaction
    would withhold from the charity; but the charity's own referral names her,
    and comes back to the charity as it wrote it."""
    await record(idva_service.officer, {**complainant(), "role": "victim"})
    own = await record(idva_service.idva, {**complainant(), "role": "victim"})
    summary = "Imogen Thwaite told her IDVA he came to her new address last night."
    made = await idva_service.idva.post(
        "/api/marac-referrals/", json=referral(own["id"], summary=summary, area="Thirdshire")
    )
    body = await ok(made, 201)
    mine = await ok(await idva_service.idva.get(f"/api/marac-referrals/{body['id']}"))
    assert mine["summary"] == summary
