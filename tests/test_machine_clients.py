"""Agency systems calling the API with client-credentials access tokens."""

from __future__ import annotations

import time

import pytest

from helpers import assert_problem
from support.signin import MACHINE_CLIENT_ID

HUB_AUDIENCE = "http://127.0.0.1:8000"


@pytest.fixture
async def registered(client, partnership):
    response = await client.post(
        "/api/machine-clients/",
        json={
            "name": "Case management system",
            "provider_id": str(partnership.provider_id),
            "client_id": MACHINE_CLIENT_ID,
            "allowed_scopes": ["agency:read"],
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_machine_token_reaches_an_api_route(anon_client, oidc_provider, registered):
    oidc_provider.scenario()
    token = oidc_provider.machine_token(audience=HUB_AUDIENCE, scope="agency:read")
    listed = await anon_client.get("/api/agencies/", headers=bearer(token))
    assert listed.status_code == 200, listed.text
    me = (await anon_client.get("/me", headers=bearer(token))).json()
    assert me["kind"] == "machine" and me["scopes"] == ["agency:read"]
    assert me["agency_id"] == registered["agency_id"]


async def test_scopes_beyond_the_registration_grant_nothing(anon_client, oidc_provider, registered):
    oidc_provider.scenario()
    token = oidc_provider.machine_token(audience=HUB_AUDIENCE, scope="agency:read agency:create")
    denied = await anon_client.post("/api/agencies/", json={}, headers=bearer(token))
    assert "agency:create" in assert_problem(denied, 403)["detail"]


async def test_a_token_for_another_audience_does_not(anon_client, oidc_provider, registered):
    oidc_provider.scenario()
    token = oidc_provider.machine_token(
        audience="https://other-service.example.org", scope="agency:read"
    )
    refused = await anon_client.get("/api/agencies/", headers=bearer(token))
    body = assert_problem(refused, 401)
    assert "aud" in body["detail"]
    assert 'error="invalid_token"' in refused.headers["www-authenticate"]


ACCESS_TOKEN_FAULTS = {
    "expired": {"access_token_claims": {"exp": int(time.time()) - 3600}},
    "unregistered client": {"access_token_claims": {"client_id": "someone-else"}},
    "alg none": {"id_token_signing": "none"},
    "HS256 keyed with the public key": {"id_token_signing": "hs256-public"},
    "tampered": {"id_token_signing": "tampered"},
    "unknown kid": {"id_token_signing": "unknown-kid"},
    "untrusted issuer": {"access_token_claims": {"iss": "https://impostor.example.org"}},
}


@pytest.mark.parametrize("fault", ACCESS_TOKEN_FAULTS.values(), ids=ACCESS_TOKEN_FAULTS.keys())
async def test_bad_access_tokens_get_401(anon_client, oidc_provider, registered, fault):
    oidc_provider.scenario(**fault)
    token = oidc_provider.machine_token(audience=HUB_AUDIENCE, scope="agency:read")
    assert_problem(await anon_client.get("/api/agencies/", headers=bearer(token)), 401)


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer a.b.c"]
)
async def test_malformed_authorization_headers_get_401(anon_client, header):
    assert_problem(await anon_client.get("/api/agencies/", headers={"Authorization": header}), 401)


async def test_a_deactivated_machine_client_is_refused(
    client, anon_client, oidc_provider, registered
):
    url = f"/api/machine-clients/{registered['id']}/deactivate"
    assert (await client.post(url, headers={"If-Match": '"1"'})).status_code == 200
    oidc_provider.scenario()
    token = oidc_provider.machine_token(audience=HUB_AUDIENCE, scope="agency:read")
    assert_problem(await anon_client.get("/api/agencies/", headers=bearer(token)), 401)
