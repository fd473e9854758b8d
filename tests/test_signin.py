"""Browser sign-in through a real OpenID Provider process, and every check on its answers."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import update

from helpers import assert_problem
from pages import form_fields, soup, visible_text
from sharehub.app import create_app
from sharehub.audit.events import MemorySink
from sharehub.db.base import utcnow
from sharehub.db.engine import create_engine
from sharehub.identity.authentication import session_cookie_name
from sharehub.identity.controllers import session_cookie
from sharehub.identity.models import UserSession
from support.signin import (
    CLIENT_ID,
    local_path,
    provider_hop,
    sign_in,
    start_login,
    user_claims,
)

COOKIE = session_cookie_name(False)


@pytest.fixture
def events():
    return MemorySink()


@pytest.fixture
def app(settings, events):
    return create_app(settings, audit_events=events)


def another_browser(settings) -> AsyncTestClient:
    """A second browser, served by another instance of the hub (as another worker would)."""
    browser = AsyncTestClient(app=create_app(settings))
    browser.follow_redirects = False
    return browser


async def test_full_login_rotates_the_session_and_knows_who_you_are(
    anon_client, oidc_provider, partnership, events
):
    oidc_provider.scenario(user=user_claims("pc-1001", ["practitioner"]))
    location = await start_login(anon_client)
    before = anon_client.cookies.get(COOKIE)
    assert before

    sent = dict(httpx.URL(location).params)
    assert sent["code_challenge_method"] == "S256" and len(sent["code_challenge"]) == 43
    assert sent["nonce"] and sent["state"] and sent["client_id"] == CLIENT_ID
    assert sent["redirect_uri"] == "http://127.0.0.1:8000/auth/callback/test-agency"
    assert "openid" in sent["scope"].split()

    finished = await anon_client.get(local_path(provider_hop(location)))
    assert finished.status_code == 303 and finished.headers["location"] == "/"
    set_cookie = finished.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=lax" in set_cookie and "path=/" in set_cookie
    after = anon_client.cookies.get(COOKIE)
    assert after and after != before

    me = (await anon_client.get("/me")).json()
    assert me["kind"] == "user" and me["display_name"] == "Officer pc-1001"
    assert me["agency_id"] == str(partnership.agency_id)
    assert [r["role"] for r in me["roles"]] == ["practitioner"]
    assert me["ask"] is None
    assert [e.kind for e in events.events] == ["login_succeeded"]
    assert "pc-1001" not in repr(events.events)  # ids only, no names or subjects

    # The pre-login cookie is dead.
    anon_client.cookies.clear()
    anon_client.cookies.set(COOKIE, before)
    assert_problem(await anon_client.get("/me"), 401)


async def test_identity_is_issuer_and_subject_not_email(anon_client, oidc_provider):
    await sign_in(anon_client, oidc_provider, sub="first", roles=["observer"])
    first = (await anon_client.get("/me")).json()["id"]
    anon_client.cookies.clear()
    same_email = user_claims("second", ["observer"], email="first@agency.example.org")
    oidc_provider.scenario(user=same_email)
    back = provider_hop(await start_login(anon_client))
    await anon_client.get(local_path(back))
    assert (await anon_client.get("/me")).json()["id"] != first


NOW = int(time.time())

ID_TOKEN_FAULTS = {
    "wrong nonce": {"id_token_claims": {"nonce": "not-the-one-we-sent"}},
    "no nonce": {"id_token_claims": {"nonce": None}},
    "expired": {"id_token_claims": {"exp": NOW - 3600, "iat": NOW - 4000}},
    "expired beyond the 60 s leeway": {"id_token_claims": {"exp": int(time.time()) - 90}},
    "issued in the future": {"id_token_claims": {"iat": NOW + 3600, "exp": NOW + 7200}},
    "not valid yet": {"id_token_claims": {"nbf": NOW + 3600}},
    "wrong aud": {"id_token_claims": {"aud": "another-client"}},
    "aud list without our client id": {"id_token_claims": {"aud": ["a", "b"]}},
    "aud list with us but no azp": {"id_token_claims": {"aud": [CLIENT_ID, "b"]}},
    "azp of another client": {"id_token_claims": {"azp": "another-client"}},
    "issuer mismatch in the token": {"id_token_claims": {"iss": "https://impostor.example.org"}},
    "no sub": {"id_token_claims": {"sub": None}},
    "alg none": {"id_token_signing": "none"},
    "HS256 keyed with the public key": {"id_token_signing": "hs256-public"},
    "unknown kid": {"id_token_signing": "unknown-kid"},
    "tampered signature": {"id_token_signing": "tampered"},
    "iss parameter mix-up": {"iss_param": "wrong"},
    "iss parameter missing though promised": {"iss_param": "omit"},
}


@pytest.mark.parametrize("fault", ID_TOKEN_FAULTS.values(), ids=ID_TOKEN_FAULTS.keys())
async def test_each_check_on_the_providers_answer_fails_closed(
    anon_client, oidc_provider, events, fault
):
    oidc_provider.scenario(user=user_claims("pc-2002", ["practitioner"]), **fault)
    back = provider_hop(await start_login(anon_client))
    refused = await anon_client.get(local_path(back))
    body = assert_problem(refused, 400)
    assert body["detail"].startswith("sign-in failed")
    assert "pc-2002" not in refused.text
    assert_problem(await anon_client.get("/me"), 401)
    assert [e.kind for e in events.events] == ["login_failed"]


async def test_aud_list_with_our_client_id_and_azp_is_accepted(anon_client, oidc_provider):
    await sign_in(
        anon_client,
        oidc_provider,
        sub="pc-3003",
        roles=["practitioner"],
        id_token_claims={"aud": [CLIENT_ID, "b"], "azp": CLIENT_ID},
    )
    assert (await anon_client.get("/me")).status_code == 200


async def test_iss_parameter_may_be_absent_when_not_promised(anon_client, oidc_provider):
    await sign_in(
        anon_client,
        oidc_provider,
        sub="pc-4004",
        roles=["practitioner"],
        iss_supported=False,
        iss_param="omit",
    )
    assert (await anon_client.get("/me")).status_code == 200


async def test_state_is_bound_to_the_browser_and_single_use(anon_client, oidc_provider, settings):
    oidc_provider.scenario(user=user_claims("pc-5005", ["practitioner"]))
    back = local_path(provider_hop(await start_login(anon_client)))

    tampered = back.replace("state=", "state=x")
    assert (
        "does not match a login" in assert_problem(await anon_client.get(tampered), 400)["detail"]
    )
    missing = "&".join(p for p in back.split("&") if not p.startswith("state="))
    missing = missing if "?" in missing else missing.replace("code=", "?code=", 1)
    assert_problem(await anon_client.get(missing), 400)

    # Another browser (no session cookie) cannot finish this login.
    async with another_browser(settings) as stranger:
        assert "no login in progress" in assert_problem(await stranger.get(back), 400)["detail"]

    assert (await anon_client.get(back)).status_code == 303
    # Replaying the same redirect fails: the state was used.
    anon_client.cookies.clear()
    assert_problem(await anon_client.get(back), 400)


async def test_discovery_naming_another_issuer_fails_closed(anon_client, oidc_provider):
    oidc_provider.scenario(discovery_issuer="https://impostor.example.org")
    refused = await anon_client.get("/auth/login/test-agency")
    assert "different issuer" in assert_problem(refused, 502)["detail"]


@pytest.mark.parametrize("fault", [{"jwks_status": 500}, {"token_status": 500}])
async def test_provider_faults_fail_closed_but_sessions_keep_working(
    anon_client, oidc_provider, settings, fault
):
    await sign_in(anon_client, oidc_provider, sub="pc-6006", roles=["practitioner"])
    async with another_browser(settings) as other:
        oidc_provider.scenario(user=user_claims("pc-6007", ["practitioner"]), **fault)
        back = provider_hop(await start_login(other))
        assert_problem(await other.get(local_path(back)), 502)
    assert (await anon_client.get("/me")).status_code == 200


async def test_unreachable_provider_fails_closed(client, anon_client):
    created = await client.post(
        "/api/identity-providers/",
        json={
            "slug": "nowhere",
            "display_name": "Unreachable",
            "agency_id": (await client.get("/me")).json()["agency_id"],
            "issuer": "http://127.0.0.1:9",
            "client_id": "x",
            "client_secret": "y",
        },
    )
    assert created.status_code == 201, created.text
    assert_problem(await anon_client.get("/auth/login/nowhere"), 502)


async def test_logout_ends_the_session_and_offers_provider_logout(
    anon_client, oidc_provider, events
):
    await sign_in(anon_client, oidc_provider, sub="pc-7007", roles=["practitioner"])
    cookie = anon_client.cookies.get(COOKIE)
    # The sign-out button is a form with its CSRF token; without it, nothing happens.
    assert (await anon_client.post("/auth/logout")).status_code == 403
    token = form_fields(soup(await anon_client.get("/")), action="/auth/logout")
    out = await anon_client.post("/auth/logout", data=token)
    assert out.status_code == 303
    ending = httpx.URL(out.headers["location"])
    assert str(ending).startswith(f"{oidc_provider.issuer}/end_session")
    assert ending.params["client_id"] == CLIENT_ID
    assert ending.params["post_logout_redirect_uri"] == "http://127.0.0.1:8000/auth/logged-out"
    anon_client.cookies.clear()
    anon_client.cookies.set(COOKIE, cookie)
    assert_problem(await anon_client.get("/me"), 401)
    assert [e.kind for e in events.events] == ["login_succeeded", "logout"]


async def _age_sessions(database_url: str, **values) -> None:
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.execute(update(UserSession).values(**values))
    await engine.dispose()


async def test_idle_session_past_its_timeout_gets_401(
    anon_client, oidc_provider, database_url, settings
):
    await sign_in(anon_client, oidc_provider, sub="pc-8008", roles=["practitioner"])
    assert (await anon_client.get("/me")).status_code == 200
    idle = timedelta(minutes=settings.session_idle_minutes)
    await _age_sessions(database_url, last_seen_at=utcnow() - idle - timedelta(seconds=1))
    assert_problem(await anon_client.get("/me"), 401)
    # Coming back after the idle spell does not revive it.
    await _age_sessions(database_url, last_seen_at=utcnow())
    assert_problem(await anon_client.get("/me"), 401)


async def test_session_past_its_absolute_timeout_gets_401(anon_client, oidc_provider, database_url):
    await sign_in(anon_client, oidc_provider, sub="pc-9009", roles=["practitioner"])
    await _age_sessions(database_url, expires_at=utcnow() - timedelta(seconds=1))
    assert_problem(await anon_client.get("/me"), 401)


async def test_deactivated_users_sessions_stop_at_once(client, oidc_provider, settings):
    async with another_browser(settings) as officer:
        await sign_in(officer, oidc_provider, sub="pc-1010", roles=["practitioner"])
        user_id = (await officer.get("/me")).json()["id"]
        done = await client.post(f"/api/users/{user_id}/deactivate")
        assert done.status_code == 200 and done.json()["active"] is False
        assert_problem(await officer.get("/me"), 401)
        oidc_provider.scenario(user=user_claims("pc-1010", ["practitioner"]))
        back = provider_hop(await start_login(officer))
        assert "deactivated" in assert_problem(await officer.get(local_path(back)), 400)["detail"]


async def test_user_without_a_role_is_told_whom_to_ask(anon_client, oidc_provider):
    await sign_in(anon_client, oidc_provider, sub="pc-1111", roles=[])
    me = (await anon_client.get("/me")).json()
    assert me["roles"] == [] and "agency administrator" in me["ask"]
    denied = assert_problem(await anon_client.get("/api/agencies/"), 403)
    assert "no role" in denied["detail"]
    home = visible_text(soup(await anon_client.get("/")))
    assert "You do not have a role in the hub yet" in home and "Sign out" in home
    assert "Ask your agency administrator" in home or "information governance contact" in home


async def test_email_domain_ties_a_login_to_the_agency(
    client, anon_client, oidc_provider, partnership
):
    url = f"/api/identity-providers/{partnership.provider_id}"
    version = (await client.get(url)).headers["etag"]
    changed = await client.patch(
        url, json={"allowed_email_domains": ["police.example.org"]}, headers={"If-Match": version}
    )
    assert changed.status_code == 200, changed.text
    oidc_provider.scenario(user=user_claims("pc-1212", ["practitioner"]))
    back = provider_hop(await start_login(anon_client))
    assert "e-mail domain" in assert_problem(await anon_client.get(local_path(back)), 400)["detail"]


def test_session_cookie_is_secure_with_a_host_prefix_outside_development():
    from litestar.datastructures import State

    from sharehub.config import Settings

    cookie = session_cookie(State({"settings": Settings(env="demo")}), "token")
    assert cookie.key == "__Host-sharehub" and cookie.secure and cookie.httponly
    assert cookie.samesite == "lax" and cookie.path == "/" and cookie.max_age is None
    development = session_cookie(State({"settings": Settings(env="development")}), "token")
    assert not development.secure
