"""Partner agencies over HTTP: create, list, read, update with If-Match, deactivate."""

from __future__ import annotations

import asyncio
import uuid

from factories import agency_payload
from helpers import assert_problem

API = "/api/agencies"


async def create(client, **overrides):
    response = await client.post(API + "/", json=agency_payload(**overrides))
    assert response.status_code == 201, response.text
    return response


async def test_create_returns_the_agency_with_location_and_etag(client):
    payload = agency_payload(short_code="kpol-2", areas=["Harrowmere", "harrowmere ", "Fenby"])
    response = await client.post(API + "/", json=payload)
    assert response.status_code == 201
    body = response.json()
    assert body["short_code"] == "KPOL-2"
    assert body["areas"] == ["Fenby", "Harrowmere"]
    assert body["agency_type_label"] == "District council"
    assert body["active"] is True and body["version"] == 1
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"{API}/{body['id']}"
    assert response.headers["cache-control"] == "no-store"
    read = await client.get(response.headers["location"])
    assert read.status_code == 200 and read.json() == body
    assert read.headers["etag"] == '"1"'


async def count(client) -> int:
    return (await client.get(API + "/")).json()["total"]


async def test_short_code_and_name_are_unique_ignoring_case(client):
    before = await count(client)
    first = (await create(client)).json()
    same_code = agency_payload(short_code=first["short_code"].lower())
    assert_problem(await client.post(API + "/", json=same_code), 409, "short_code")
    same_name = agency_payload(name=first["name"].upper())
    assert_problem(await client.post(API + "/", json=same_name), 409, "name")
    assert await count(client) == before + 1


async def test_list_filters_by_type_area_and_active_and_pages(client):
    before = await count(client)
    police = (await create(client, agency_type="police_force", areas=["Kestrelshire"])).json()
    await create(client, agency_type="district_council", areas=["Harrowmere"])
    housing = (
        await create(
            client,
            agency_type="private_registered_provider_of_social_housing",
            areas=["Harrowmere", "Kestrelshire"],
        )
    ).json()

    by_type = (await client.get(API + "/", params={"agency_type": "police_force"})).json()
    assert [a["id"] for a in by_type["items"]] == [police["id"]]

    by_area = (await client.get(API + "/", params={"area": "KESTRELSHIRE"})).json()
    assert {a["id"] for a in by_area["items"]} == {police["id"], housing["id"]}

    await client.post(f"{API}/{police['id']}/deactivate", headers={"If-Match": '"1"'})
    active = (await client.get(API + "/", params={"active": "true", "area": "kestrelshire"})).json()
    assert [a["id"] for a in active["items"]] == [housing["id"]]

    total = before + 3
    page = (await client.get(API + "/", params={"limit": 2, "offset": 0})).json()
    rest = (await client.get(API + "/", params={"limit": 100, "offset": 2})).json()
    assert page["total"] == rest["total"] == total
    assert len(page["items"]) == 2 and len(rest["items"]) == total - 2
    assert not {a["id"] for a in page["items"]} & {a["id"] for a in rest["items"]}


async def test_update_needs_the_current_version(client):
    created = await create(client)
    url = created.headers["location"]

    assert_problem(await client.patch(url, json={"name": "Renamed"}), 428, "If-Match")
    assert_problem(
        await client.patch(url, json={"name": "Renamed"}, headers={"If-Match": "*"}),
        400,
        "If-Match",
    )
    assert_problem(
        await client.patch(url, json={"name": "Renamed"}, headers={"If-Match": 'W/"1"'}),
        400,
        "If-Match",
    )

    updated = await client.patch(
        url, json={"name": "Renamed", "areas": ["Fenby"]}, headers={"If-Match": '"1"'}
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["name"] == "Renamed" and updated.json()["areas"] == ["Fenby"]
    assert updated.headers["etag"] == '"2"'


async def test_stale_if_match_gets_412_and_changes_nothing(client):
    url = (await create(client)).headers["location"]
    await client.patch(url, json={"name": "First change"}, headers={"If-Match": '"1"'})
    before = (await client.get(url)).json()

    stale = await client.patch(
        url, json={"name": "Lost update", "areas": ["Nowhere"]}, headers={"If-Match": '"1"'}
    )
    assert_problem(stale, 412)
    assert (await client.get(url)).json() == before


async def test_changing_only_areas_still_bumps_the_version(client):
    url = (await create(client)).headers["location"]
    response = await client.patch(url, json={"areas": ["Fenby"]}, headers={"If-Match": '"1"'})
    assert response.json()["version"] == 2
    assert_problem(
        await client.patch(url, json={"areas": ["Other"]}, headers={"If-Match": '"1"'}), 412
    )


async def test_concurrent_updates_with_the_same_version_leave_one_winner(client):
    url = (await create(client)).headers["location"]
    names = [f"Concurrent rename {i}" for i in range(6)]
    responses = await asyncio.gather(
        *(client.patch(url, json={"name": n}, headers={"If-Match": '"1"'}) for n in names)
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [412] * 5, [r.text for r in responses]
    winner = next(r for r in responses if r.status_code == 200).json()
    final = (await client.get(url)).json()
    assert final["name"] == winner["name"] and final["version"] == 2


async def test_deactivation_keeps_the_record_and_is_not_repeatable(client):
    url = (await create(client)).headers["location"]
    assert_problem(await client.post(url + "/deactivate"), 428, "If-Match")
    done = await client.post(url + "/deactivate", headers={"If-Match": '"1"'})
    assert done.status_code == 200
    assert done.json()["active"] is False and done.json()["deactivated_at"]
    again = await client.post(url + "/deactivate", headers={"If-Match": '"2"'})
    body = assert_problem(again, 409)
    assert "already deactivated" in body["detail"]
    assert (await client.get(url)).status_code == 200

    back = await client.post(url + "/reactivate", headers={"If-Match": '"2"'})
    assert back.json()["active"] is True and back.json()["deactivated_at"] is None
    assert_problem(await client.post(url + "/reactivate", headers={"If-Match": '"3"'}), 409)


async def test_missing_and_malformed_ids(client):
    missing = f"{API}/{uuid.uuid4()}"
    assert_problem(await client.get(missing), 404)
    assert_problem(await client.patch(missing, json={}, headers={"If-Match": '"1"'}), 404)
    assert_problem(await client.post(missing + "/deactivate", headers={"If-Match": '"1"'}), 404)
    assert_problem(await client.get(f"{API}/not-a-uuid"), 400, "agency_id")
    assert_problem(
        await client.post(f"{API}/1234/reactivate", headers={"If-Match": '"1"'}), 400, "agency_id"
    )


async def test_agency_types_are_the_controlled_vocabulary(client):
    types = (await client.get("/api/agency-types")).json()
    codes = {t["code"] for t in types}
    assert {"police_force", "private_registered_provider_of_social_housing", "other"} <= codes
    for code in codes:
        assert (
            await client.post(API + "/", json=agency_payload(agency_type=code))
        ).status_code == 201


async def test_a_landlord_records_its_homes_for_the_tenant_satisfaction_measures(client):
    homes = {"count": 8412, "as_of": "2026-03-31"}
    created = await create(
        client, agency_type="private_registered_provider_of_social_housing", homes_managed=homes
    )
    assert created.json()["homes_managed"] == homes
    url = created.headers["location"]
    for bad, field in (
        ({"count": -1, "as_of": "2026-03-31"}, "homes_managed.count"),
        ({"count": 10}, "homes_managed.as_of"),
        ({"count": "many", "as_of": "2026-03-31"}, "homes_managed.count"),
    ):
        refused = await client.patch(url, json={"homes_managed": bad}, headers={"If-Match": '"1"'})
        assert_problem(refused, 400, field)
    assert (await client.get(url)).json()["homes_managed"] == homes  # nothing written
    cleared = await client.patch(url, json={"homes_managed": None}, headers={"If-Match": '"1"'})
    assert cleared.status_code == 200 and cleared.json()["homes_managed"] is None
    other = await create(client, short_code="nohomes", name="No homes")
    assert other.json()["homes_managed"] is None
