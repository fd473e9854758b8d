"""The hub administrator's API for trusted providers; secrets go in and never come out."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from helpers import assert_problem
from sharehub.db.engine import create_engine
from sharehub.identity.models import IdentityProvider

API = "/api/identity-providers/"


def provider_payload(agency_id: str, **overrides) -> dict:
    payload = {
        "slug": "kestrel-entra",
        "display_name": "Kestrelshire staff sign-in",
        "agency_id": agency_id,
        "issuer": "https://login.example.org/tenant-1/v2.0",
        "client_id": "hub-client",
        "client_secret": "super-secret-value-123",
        "allowed_email_domains": ["kestrelshire.example.org"],
        "role_mapping": {"claim": "groups", "roles": {"marac-team": "idva"}},
    }
    payload.update(overrides)
    return payload


async def test_register_and_read_a_provider_without_its_secret(client, partnership, database_url):
    created = await client.post(API, json=provider_payload(str(partnership.agency_id)))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["client_secret_set"] is True and "client_secret" not in body
    assert body["redirect_uri"] == "http://127.0.0.1:8000/auth/callback/kestrel-entra"
    assert "super-secret-value-123" not in created.text
    listed = await client.get(API)
    assert "super-secret-value-123" not in listed.text

    engine = create_engine(database_url)
    async with engine.connect() as connection:
        stored = await connection.scalar(
            select(IdentityProvider.client_secret_encrypted).where(
                IdentityProvider.slug == "kestrel-entra"
            )
        )
    await engine.dispose()
    assert stored.startswith("v1.") and "super-secret-value-123" not in stored


@pytest.mark.parametrize(
    "overrides,field,status",
    [
        ({"issuer": "http://login.example.org"}, "issuer", 400),
        ({"issuer": "not a url"}, "issuer", 400),
        ({"scopes": ["profile"]}, "scopes", 400),
        ({"signing_algorithms": ["HS256"]}, "signing_algorithms[0]", 400),
        ({"signing_algorithms": ["none"]}, "signing_algorithms[0]", 400),
        ({"slug": "Has Spaces"}, "slug", 400),
        ({"client_secret": None}, "client_secret", 400),
        (
            {"role_mapping": {"claim": "groups", "roles": {"x": "emperor"}}},
            "role_mapping.roles[...]",
            400,
        ),
        ({"unknown": 1}, "unknown", 400),
        ({"slug": "test-agency"}, "slug", 409),
    ],
)
async def test_bad_provider_settings_are_refused(client, partnership, overrides, field, status):
    refused = await client.post(API, json=provider_payload(str(partnership.agency_id), **overrides))
    assert_problem(refused, status, field)


async def test_an_unknown_agency_is_404(client):
    assert_problem(
        await client.post(API, json=provider_payload("00000000-0000-0000-0000-000000000000")), 404
    )


async def test_only_hub_administrators_manage_providers(anon_client, oidc_provider, partnership):
    from support.signin import sign_in

    assert_problem(await anon_client.get(API), 401)
    await sign_in(anon_client, oidc_provider, sub="pc-1", roles=["practitioner"])
    assert_problem(await anon_client.get(API), 403)
    assert_problem(
        await anon_client.post(API, json=provider_payload(str(partnership.agency_id))), 403
    )


async def test_a_deactivated_provider_no_longer_signs_anyone_in(client, anon_client, partnership):
    url = f"{API}{partnership.provider_id}"
    version = (await client.get(url)).headers["etag"]
    assert (
        await client.post(f"{url}/deactivate", headers={"If-Match": version})
    ).status_code == 200
    assert_problem(await anon_client.get("/auth/login/test-agency"), 404)
    assert (await anon_client.get("/auth/providers")).json() == []
