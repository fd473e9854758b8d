"""The development OpenID Provider, run as its own process and spoken to over real HTTP.

Everyone here is fictional; every address is under example.org, and nothing
leaves 127.0.0.1 (redirects are read, never followed).
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import msgspec
import pytest
from joserfc import jws, jwt
from joserfc.jwk import KeySet
from litestar import Litestar
from litestar.handlers import asgi
from litestar.testing import TestClient
from litestar.types import Receive, Scope, Send

from sharehub.identity.devprovider import (
    DevClient,
    DevProviderConfig,
    DevUser,
    create_provider_app,
)
from sharehub.identity.devprovider.__main__ import main as devprovider_main

HUB_CLIENT_ID = "sharehub-hub"
HUB_SECRET = "hub-secret-" + "x" * 24
REDIRECT_URI = "http://127.0.0.1:8000/auth/callback/dev"
LOGGED_OUT_URI = "http://127.0.0.1:8000/auth/signed-out"
MACHINE_CLIENT_ID = "kpol-case-system"
MACHINE_SECRET = "machine-secret-" + "y" * 20
API_AUDIENCE = "https://sharehub.example.org/api"

OFFICER = DevUser(
    sub="kpol-0001",
    name="Siobhán O'Kerrigan",
    email="siobhan.okerrigan@kpol.example.org",
    claims={"sharehub_agency": "KPOL", "sharehub_roles": ["practitioner"]},
)
HOUSING_OFFICER = DevUser(
    sub="bhc-0007",
    name="Declan Ashworth-Pryce",
    email="declan.ashworth-pryce@brackenhousing.example.org",
    claims={"sharehub_agency": "BHC", "sharehub_roles": ["practitioner", "ig_lead"]},
)


def provider_config(issuer: str) -> DevProviderConfig:
    return DevProviderConfig(
        issuer=issuer,
        users=[OFFICER, HOUSING_OFFICER],
        clients=[
            DevClient(
                client_id=HUB_CLIENT_ID,
                client_secret=HUB_SECRET,
                redirect_uris=[REDIRECT_URI],
                post_logout_redirect_uris=[LOGGED_OUT_URI],
            ),
            DevClient(
                client_id=MACHINE_CLIENT_ID,
                client_secret=MACHINE_SECRET,
                grant_types=["client_credentials"],
                scope="sharehub.referrals.read sharehub.referrals.write",
                access_token_audience=API_AUDIENCE,
            ),
        ],
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The provider as its own process (as `sharehub demo` and other tests will run it)."""
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    folder = tmp_path_factory.mktemp("devprovider")
    config_file = folder / "provider.json"
    config_file.write_bytes(msgspec.json.encode(provider_config(issuer)))
    log_file = folder / "provider.log"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SHAREHUB_")}
    command = [sys.executable, "-m", "sharehub.identity.devprovider", "--host", "127.0.0.1"]
    with log_file.open("wb") as log:
        process = subprocess.Popen(
            [*command, "--port", str(port), "--config", str(config_file)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environment,
        )
    discovery_url = f"{issuer}/.well-known/openid-configuration"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"provider exited early:\n{log_file.read_text()}")
            try:
                if httpx.get(discovery_url, trust_env=False).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"provider did not become ready:\n{log_file.read_text()}")
            time.sleep(0.1)
        yield issuer
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def http(issuer: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=issuer, follow_redirects=False, trust_env=False, timeout=10) as c:
        yield c


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def auth_params(challenge: str, **overrides: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": HUB_CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile email",
        "state": secrets.token_urlsafe(16),
        "nonce": secrets.token_urlsafe(16),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return params


def redirect_query(reply: httpx.Response, expected_target: str = REDIRECT_URI) -> dict[str, str]:
    assert reply.status_code in (302, 303), reply.text
    location = reply.headers["location"]
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == expected_target
    return {k: v[0] for k, v in parse_qs(parts.query).items()}


def exchange(
    http: httpx.Client, code: str, verifier: str, *, post_secret: bool = False
) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
    }
    if post_secret:
        return http.post(
            "/token", data={**form, "client_id": HUB_CLIENT_ID, "client_secret": HUB_SECRET}
        )
    return http.post("/token", data=form, auth=(HUB_CLIENT_ID, HUB_SECRET))


def sign_in_with_hint(http: httpx.Client, user: DevUser) -> tuple[dict[str, str], str, dict]:
    """A scripted sign-in: returns (the authorization request, its verifier, the callback)."""
    verifier, challenge = pkce_pair()
    params = auth_params(challenge, login_hint=user.sub)
    callback = redirect_query(http.get("/authorize", params=params))
    return params, verifier, callback


class FormReader(HTMLParser):
    """The chooser page's form: hidden fields and the value of each button."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.hidden: list[tuple[str, str]] = []
        self.buttons: dict[str, str] = {}
        self._button: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action = a.get("action")
        elif tag == "input" and a.get("type") == "hidden":
            self.hidden.append((a["name"], a["value"]))
        elif tag == "button":
            self._button = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._button is not None and data.strip():
            self.buttons[data.strip()] = self._button
            self._button = None


def verified_claims(http: httpx.Client, token: str) -> tuple[dict, dict]:
    """Header and claims of a token, after checking its signature against /jwks."""
    keys = KeySet.import_key_set(http.get("/jwks").json())
    decoded = jwt.decode(token, keys, algorithms=["RS256"])
    return dict(decoded.header), dict(decoded.claims)


# -- discovery and keys --


def test_discovery_describes_the_provider_from_its_issuer(http: httpx.Client, issuer: str):
    reply = http.get("/.well-known/openid-configuration")
    assert reply.status_code == 200
    assert reply.headers["cache-control"] == "no-store"
    doc = reply.json()
    assert doc["issuer"] == issuer
    for name, path in [
        ("authorization_endpoint", "/authorize"),
        ("token_endpoint", "/token"),
        ("jwks_uri", "/jwks"),
        ("userinfo_endpoint", "/userinfo"),
        ("end_session_endpoint", "/end_session"),
    ]:
        assert doc[name] == issuer + path
    assert doc["response_types_supported"] == ["code"]
    assert doc["subject_types_supported"] == ["public"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert doc["token_endpoint_auth_methods_supported"] == [
        "client_secret_basic",
        "client_secret_post",
    ]
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert set(doc["grant_types_supported"]) == {"authorization_code", "client_credentials"}
    assert {"openid", "profile", "email", "sharehub.referrals.read"} <= set(doc["scopes_supported"])
    assert {"sub", "name", "email", "sharehub_agency", "sharehub_roles"} <= set(
        doc["claims_supported"]
    )
    assert doc["authorization_response_iss_parameter_supported"] is True
    assert doc["request_uri_parameter_supported"] is False


def test_jwks_publishes_only_the_public_signing_key(http: httpx.Client):
    reply = http.get("/jwks")
    assert reply.headers["cache-control"] == "no-store"
    [key] = reply.json()["keys"]
    assert key["kty"] == "RSA" and key["use"] == "sig" and key["alg"] == "RS256"
    assert key["kid"]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)


# -- the code flow --


def test_full_code_flow_through_the_chooser_page(http: httpx.Client, issuer: str):
    verifier, challenge = pkce_pair()
    params = auth_params(challenge)
    page = http.get("/authorize", params=params)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "Development sign-in — not for real use" in page.text
    assert "O&#x27;Kerrigan" in page.text  # escaped, not raw

    form = FormReader()
    form.feed(page.text)
    assert form.action == issuer + "/authorize"
    assert dict(form.hidden) == params
    assert form.buttons[f"Sign in as {OFFICER.name}"] == OFFICER.sub
    assert form.buttons[f"Sign in as {HOUSING_OFFICER.name}"] == HOUSING_OFFICER.sub

    chosen = http.post("/authorize", data={**dict(form.hidden), "user": OFFICER.sub})
    callback = redirect_query(chosen)
    assert callback["state"] == params["state"]
    assert callback["iss"] == issuer  # RFC 9207

    reply = exchange(http, callback["code"], verifier)
    assert reply.status_code == 200, reply.text
    assert reply.headers["cache-control"] == "no-store"
    tokens = reply.json()
    assert tokens["token_type"] == "Bearer"
    assert 0 < tokens["expires_in"] <= 300

    header, claims = verified_claims(http, tokens["id_token"])
    keys = http.get("/jwks").json()["keys"]
    assert header["alg"] == "RS256" and header["kid"] == keys[0]["kid"]
    now = time.time()
    assert claims["iss"] == issuer
    assert claims["aud"] == HUB_CLIENT_ID
    assert claims["sub"] == OFFICER.sub
    assert claims["nonce"] == params["nonce"]
    assert claims["iat"] <= now + 5 and now < claims["exp"] <= now + 305
    assert abs(claims["auth_time"] - now) < 60
    assert claims["name"] == OFFICER.name
    assert claims["email"] == OFFICER.email
    assert claims["sharehub_agency"] == "KPOL"
    assert claims["sharehub_roles"] == ["practitioner"]
    # OIDC Core 3.1.3.6: at_hash binds the access token to the ID token.
    digest = hashlib.sha256(tokens["access_token"].encode()).digest()[:16]
    assert claims["at_hash"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    info = http.get("/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert info.status_code == 200
    assert info.headers["cache-control"] == "no-store"
    assert info.json() == {
        "sub": OFFICER.sub,
        "name": OFFICER.name,
        "email": OFFICER.email,
        **OFFICER.claims,
    }


def test_login_hint_signs_in_directly_and_client_secret_post_works(http: httpx.Client):
    params, verifier, callback = sign_in_with_hint(http, HOUSING_OFFICER)
    assert callback["state"] == params["state"]
    reply = exchange(http, callback["code"], verifier, post_secret=True)
    assert reply.status_code == 200, reply.text
    _, claims = verified_claims(http, reply.json()["id_token"])
    assert claims["sub"] == HOUSING_OFFICER.sub
    assert claims["sharehub_roles"] == ["practitioner", "ig_lead"]


def test_login_hint_still_shows_the_chooser_when_prompt_asks_for_login(http: httpx.Client):
    _, challenge = pkce_pair()
    page = http.get(
        "/authorize", params=auth_params(challenge, login_hint=OFFICER.sub, prompt="login")
    )
    assert page.status_code == 200
    assert "Sign in as" in page.text


def test_cancelling_on_the_chooser_answers_access_denied(http: httpx.Client, issuer: str):
    _, challenge = pkce_pair()
    params = auth_params(challenge)
    reply = http.post("/authorize", data={**params, "user": ""})
    callback = redirect_query(reply)
    assert callback["error"] == "access_denied"
    assert callback["state"] == params["state"]
    assert callback["iss"] == issuer


def test_a_wrong_pkce_verifier_is_refused(http: httpx.Client):
    _, _, callback = sign_in_with_hint(http, OFFICER)
    other_verifier, _ = pkce_pair()
    reply = exchange(http, callback["code"], other_verifier)
    assert reply.status_code == 400
    assert reply.json()["error"] == "invalid_grant"


def test_a_code_works_once_and_a_second_use_revokes_its_tokens(http: httpx.Client):
    _, verifier, callback = sign_in_with_hint(http, OFFICER)
    first = exchange(http, callback["code"], verifier)
    assert first.status_code == 200
    access_token = first.json()["access_token"]

    second = exchange(http, callback["code"], verifier)
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"
    info = http.get("/userinfo", headers={"Authorization": f"Bearer {access_token}"})
    assert info.status_code == 401
    assert 'error="invalid_token"' in info.headers["www-authenticate"]


def test_a_code_is_bound_to_its_redirect_uri(http: httpx.Client):
    _, verifier, callback = sign_in_with_hint(http, OFFICER)
    reply = http.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": callback["code"],
            "redirect_uri": REDIRECT_URI + "/elsewhere",
            "code_verifier": verifier,
        },
        auth=(HUB_CLIENT_ID, HUB_SECRET),
    )
    assert reply.status_code == 400
    assert reply.json()["error"] == "invalid_grant"


def test_an_unregistered_redirect_uri_is_refused_without_redirecting(http: httpx.Client):
    _, challenge = pkce_pair()
    for redirect_uri in ["https://attacker.example.org/callback", REDIRECT_URI + "/", ""]:
        reply = http.get(
            "/authorize",
            params=auth_params(
                challenge, redirect_uri=redirect_uri, state="<script>alert(1)</script>"
            ),
        )
        assert reply.status_code == 400
        assert "location" not in reply.headers
        assert "<script>" not in reply.text


def test_an_unknown_client_is_refused_without_redirecting(http: httpx.Client):
    _, challenge = pkce_pair()
    reply = http.get("/authorize", params=auth_params(challenge, client_id="nobody"))
    assert reply.status_code == 400
    assert "location" not in reply.headers


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"code_challenge": "", "code_challenge_method": ""}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"scope": "profile email"}, "invalid_scope"),
        ({"scope": "openid sharehub.referrals.read"}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"request": "eyJhbGciOiJub25lIn0.e30."}, "request_not_supported"),
        ({"prompt": "none"}, "login_required"),
    ],
)
def test_bad_requests_from_a_known_client_go_back_to_it(
    http: httpx.Client, issuer: str, overrides: dict[str, str], error: str
):
    _, challenge = pkce_pair()
    params = {k: v for k, v in auth_params(challenge, **overrides).items() if v}
    callback = redirect_query(http.get("/authorize", params=params))
    assert callback["error"] == error
    assert callback["state"] == params["state"]
    assert callback["iss"] == issuer
    assert "code" not in callback


def test_token_endpoint_authenticates_the_client(http: httpx.Client):
    _, verifier, callback = sign_in_with_hint(http, OFFICER)
    reply = http.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": callback["code"],
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        auth=(HUB_CLIENT_ID, "not-the-secret"),
    )
    assert reply.status_code == 401
    assert reply.json()["error"] == "invalid_client"
    assert reply.headers["www-authenticate"].startswith("Basic")
    # The code was not spent by the failed attempt.
    assert exchange(http, callback["code"], verifier).status_code == 200


def test_userinfo_needs_a_bearer_token(http: httpx.Client):
    reply = http.get("/userinfo")
    assert reply.status_code == 401
    assert reply.headers["www-authenticate"].startswith("Bearer")
    reply = http.get("/userinfo", headers={"Authorization": "Bearer not-a-token"})
    assert reply.status_code == 401


# -- client credentials --


def test_client_credentials_gives_an_rfc9068_jwt_access_token(http: httpx.Client, issuer: str):
    reply = http.post(
        "/token",
        data={"grant_type": "client_credentials", "scope": "sharehub.referrals.read"},
        auth=(MACHINE_CLIENT_ID, MACHINE_SECRET),
    )
    assert reply.status_code == 200, reply.text
    assert reply.headers["cache-control"] == "no-store"
    body = reply.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 300
    assert "id_token" not in body and "refresh_token" not in body

    token = body["access_token"]
    assert jws.extract_compact(token.encode()).protected["typ"] == "at+jwt"
    header, claims = verified_claims(http, token)
    assert header["alg"] == "RS256" and header["kid"]
    now = time.time()
    assert claims["iss"] == issuer
    assert claims["sub"] == MACHINE_CLIENT_ID
    assert claims["client_id"] == MACHINE_CLIENT_ID
    assert claims["aud"] == API_AUDIENCE
    assert claims["scope"] == "sharehub.referrals.read"
    assert claims["iat"] <= now + 5 and now < claims["exp"] <= now + 305
    assert claims["jti"]


def test_client_credentials_without_scope_gets_the_registered_scope(http: httpx.Client):
    reply = http.post(
        "/token",
        data={
            "grant_type": "client_credentials",
            "client_id": MACHINE_CLIENT_ID,
            "client_secret": MACHINE_SECRET,
        },
    )
    assert reply.status_code == 200, reply.text
    _, claims = verified_claims(http, reply.json()["access_token"])
    assert claims["scope"] == "sharehub.referrals.read sharehub.referrals.write"


def test_client_credentials_is_refused_to_other_clients_and_other_scopes(http: httpx.Client):
    reply = http.post(
        "/token", data={"grant_type": "client_credentials"}, auth=(HUB_CLIENT_ID, HUB_SECRET)
    )
    assert reply.status_code == 400
    assert reply.json()["error"] == "unauthorized_client"
    reply = http.post(
        "/token",
        data={"grant_type": "client_credentials", "scope": "openid"},
        auth=(MACHINE_CLIENT_ID, MACHINE_SECRET),
    )
    assert reply.status_code == 400
    assert reply.json()["error"] == "invalid_scope"


# -- RP-initiated logout --


def test_end_session_redirects_to_the_registered_uri_with_state(http: httpx.Client):
    reply = http.get(
        "/end_session",
        params={
            "client_id": HUB_CLIENT_ID,
            "post_logout_redirect_uri": LOGGED_OUT_URI,
            "state": "after-logout-1",
        },
    )
    assert redirect_query(reply, LOGGED_OUT_URI) == {"state": "after-logout-1"}


def test_end_session_with_id_token_hint_revokes_the_access_token(http: httpx.Client):
    _, verifier, callback = sign_in_with_hint(http, OFFICER)
    tokens = exchange(http, callback["code"], verifier).json()
    reply = http.get(
        "/end_session",
        params={
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": LOGGED_OUT_URI,
            "state": "s2",
        },
    )
    assert redirect_query(reply, LOGGED_OUT_URI) == {"state": "s2"}
    info = http.get("/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert info.status_code == 401


def test_end_session_refuses_an_unregistered_uri(http: httpx.Client):
    for uri in ["https://attacker.example.org/", LOGGED_OUT_URI + "?x=1", REDIRECT_URI]:
        reply = http.get(
            "/end_session",
            params={
                "client_id": HUB_CLIENT_ID,
                "post_logout_redirect_uri": uri,
                "state": "s",
            },
        )
        assert reply.status_code == 400
        assert "location" not in reply.headers


def test_end_session_without_a_redirect_shows_a_page(http: httpx.Client):
    reply = http.get("/end_session", params={"client_id": HUB_CLIENT_ID})
    assert reply.status_code == 200
    assert "signed out" in reply.text


# -- in process: mounting, production, configuration --


def test_works_mounted_under_a_prefix_in_another_litestar_app():
    issuer = "http://127.0.0.1:8000/dev-idp"
    provider = create_provider_app(provider_config(issuer))

    @asgi(path="/dev-idp", is_mount=True, copy_scope=True)
    async def dev_idp(scope: Scope, receive: Receive, send: Send) -> None:
        await provider(scope, receive, send)

    with TestClient(Litestar([dev_idp]), base_url="http://127.0.0.1:8000") as client:
        doc = client.get("/dev-idp/.well-known/openid-configuration").json()
        assert doc["issuer"] == issuer
        assert doc["token_endpoint"] == issuer + "/token"
        verifier, challenge = pkce_pair()
        page = client.get("/dev-idp/authorize", params=auth_params(challenge))
        form = FormReader()
        form.feed(page.text)
        assert form.action == issuer + "/authorize"
        chosen = client.post(
            "/dev-idp/authorize",
            data={**dict(form.hidden), "user": OFFICER.sub},
            follow_redirects=False,
        )
        callback = redirect_query(chosen)
        assert callback["iss"] == issuer
        reply = client.post(
            "/dev-idp/token",
            data={
                "grant_type": "authorization_code",
                "code": callback["code"],
                "redirect_uri": REDIRECT_URI,
                "code_verifier": verifier,
            },
            auth=(HUB_CLIENT_ID, HUB_SECRET),
        )
        assert reply.status_code == 200, reply.text
        keys = KeySet.import_key_set(client.get("/dev-idp/jwks").json())
        claims = jwt.decode(reply.json()["id_token"], keys, algorithms=["RS256"]).claims
        assert claims["iss"] == issuer


def test_refuses_to_run_in_production(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys):
    monkeypatch.setenv("SHAREHUB_ENV", "production")
    with pytest.raises(RuntimeError, match="production"):
        create_provider_app(provider_config("http://127.0.0.1:8000/dev-idp"))
    config_file = tmp_path / "provider.json"
    config_file.write_bytes(msgspec.json.encode(provider_config("http://127.0.0.1:9")))
    assert devprovider_main(["--port", "9", "--config", str(config_file)]) != 0
    assert "production" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"issuer": "http://sharehub.example.org/dev-idp"}, "issuer"),
        ({"issuer": "https://idp.example.org/?tenant=1"}, "query"),
        ({"users": [OFFICER, OFFICER]}, "distinct"),
        (
            {"users": [DevUser(sub="x", name="X", email="x@example.org", claims={"iss": "me"})]},
            "iss",
        ),
        (
            {
                "clients": [
                    DevClient(client_id="m", client_secret="s", grant_types=["client_credentials"])
                ]
            },
            "access_token_audience",
        ),
        ({"clients": [DevClient(client_id="c", client_secret="s")]}, "redirect_uri"),
        (
            {"clients": [DevClient(client_id="c", client_secret="s", grant_types=["password"])]},
            "grant_types",
        ),
        ({"signing_key_pem": "not a key"}, "signing_key_pem"),
    ],
)
def test_bad_configuration_is_refused_with_a_reason(change: dict, message: str):
    config = msgspec.structs.replace(provider_config("http://127.0.0.1:9"), **change)
    with pytest.raises(ValueError, match=message):
        create_provider_app(config)


def test_a_given_signing_key_is_used(tmp_path: Path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    config = msgspec.structs.replace(provider_config("http://127.0.0.1:8000"), signing_key_pem=pem)
    with TestClient(create_provider_app(config), base_url="http://127.0.0.1:8000") as client:
        [key] = client.get("/jwks").json()["keys"]
    expected = private.public_key().public_numbers().n
    assert int.from_bytes(base64.urlsafe_b64decode(key["n"] + "=="), "big") == expected


def test_the_chooser_offers_only_the_clients_own_staff_when_told():

    config = provider_config("http://127.0.0.1:1/dev-idp")
    config.clients[0] = DevClient(
        client_id=HUB_CLIENT_ID,
        client_secret=HUB_SECRET,
        redirect_uris=[REDIRECT_URI],
        offered_users=[HOUSING_OFFICER.sub],
    )
    _, challenge = pkce_pair()
    with TestClient(create_provider_app(config)) as browser:
        page = browser.get("/authorize", params=auth_params(challenge))
    assert page.status_code == 200
    assert escape(HOUSING_OFFICER.name) in page.text and escape(OFFICER.name) not in page.text
    assert "sharehub_agency: BHC" in page.text
