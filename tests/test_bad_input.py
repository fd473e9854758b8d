"""Bad input to every agency endpoint: a 4xx problem naming the field, and nothing written."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from factories import agency_payload
from helpers import assert_problem
from support.signin import sign_in_sync

API = "/api/agencies/"


def without(key: str) -> dict:
    payload = agency_payload()
    del payload[key]
    return payload


def with_contact(**changes) -> dict:
    payload = agency_payload()
    payload["information_governance_contact"] = {
        **payload["information_governance_contact"],
        **changes,
    }
    return payload


CREATE_CASES = {
    "name of wrong type": (agency_payload(name=42), "name"),
    "name empty": (agency_payload(name=""), "name"),
    "name only spaces": (agency_payload(name="   "), "name"),
    "name oversized": (agency_payload(name="x" * 201), "name"),
    "name with control character": (agency_payload(name="Bad\u0000Name"), "name"),
    "short code with spaces": (agency_payload(short_code="A B"), "short_code"),
    "short code oversized": (agency_payload(short_code="A" * 17), "short_code"),
    "unknown agency type": (agency_payload(agency_type="bank"), "agency_type"),
    "areas not a list": (agency_payload(areas="Harrowmere"), "areas"),
    "too many areas": (agency_payload(areas=[f"Area {i}" for i in range(51)]), "areas"),
    "area oversized": (agency_payload(areas=["x" * 101]), "areas[0]"),
    "missing name": (without("name"), "name"),
    "missing agency type": (without("agency_type"), "agency_type"),
    "missing contact": (
        without("information_governance_contact"),
        "information_governance_contact",
    ),
    "contact email malformed": (
        with_contact(email="not-an-email"),
        "information_governance_contact.email",
    ),
    "contact telephone letters": (
        with_contact(telephone="call me"),
        "information_governance_contact.telephone",
    ),
    "unknown field": (agency_payload(colour="blue"), "colour"),
    "unknown nested field": (with_contact(pager="123"), "information_governance_contact.pager"),
}


async def count(client) -> int:
    return (await client.get(API)).json()["total"]


@pytest.mark.parametrize("payload,field", CREATE_CASES.values(), ids=CREATE_CASES.keys())
async def test_create_rejects_bad_fields(client, payload, field):
    before = await count(client)
    assert_problem(await client.post(API, json=payload), 400, field)
    assert await count(client) == before


@pytest.mark.parametrize(
    "body,content_type",
    [
        (b"{not json", "application/json"),
        (b"[]", "application/json"),
        (b"", "application/json"),
        (b"null", "application/json"),
        (b"\xff\xfe", "application/json"),
    ],
)
async def test_create_rejects_bodies_that_are_not_an_object(client, body, content_type):
    before = await count(client)
    response = await client.post(API, content=body, headers={"content-type": content_type})
    assert_problem(response, 400)
    assert await count(client) == before


async def test_oversized_body_is_refused(client):
    before = await count(client)
    payload = agency_payload(areas=["x" * 100] * 50)
    payload["padding"] = "x" * 2_000_000
    response = await client.post(
        API, content=json.dumps(payload).encode(), headers={"content-type": "application/json"}
    )
    assert_problem(response, 413)
    assert await count(client) == before


UPDATE_CASES = {
    "name of wrong type": ({"name": ["x"]}, "name"),
    "unknown field": ({"active": False}, "active"),
    "bad agency type": ({"agency_type": "Police"}, "agency_type"),
    "nested contact missing email": (
        {"information_governance_contact": {"name": "A"}},
        "information_governance_contact.email",
    ),
    "null name": ({"name": None}, "name"),
}


@pytest.mark.parametrize("changes,field", UPDATE_CASES.values(), ids=UPDATE_CASES.keys())
async def test_update_rejects_bad_fields_and_changes_nothing(client, changes, field):
    created = await client.post(API, json=agency_payload())
    url = created.headers["location"]
    before = (await client.get(url)).json()
    assert_problem(await client.patch(url, json=changes, headers={"If-Match": '"1"'}), 400, field)
    assert (await client.get(url)).json() == before


@pytest.mark.parametrize(
    "params,field",
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"agency_type": "bank"}, "agency_type"),
        ({"active": "perhaps"}, "active"),
        ({"area": "x" * 101}, "area"),
    ],
)
async def test_list_rejects_bad_query_parameters(client, params, field):
    assert_problem(await client.get(API, params=params), 400, field)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=12,
)
field_names = st.sampled_from(sorted(agency_payload()) + ["id", "version", "active", ""])


@pytest.fixture
def admin_browser(app, partnership, oidc_provider):
    """A synchronous signed-in client, shared by every example of one property test."""
    with TestClient(app=app) as browser:
        browser.follow_redirects = False
        sign_in_sync(browser, oidc_provider, sub="fuzz-admin", roles=["hub_administrator"])
        yield browser


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.dictionaries(field_names, json_values, max_size=6))
def test_arbitrary_json_never_causes_a_server_error(admin_browser, body):
    response = admin_browser.post(API, json=body)
    assert response.status_code in (201, 400, 409), response.text
    if response.status_code != 201:
        assert_problem(response, response.status_code)
