"""The Litestar application: reads HTTP requests, hands them to Authlib, writes the answers.

Routes are matched on the path the app is given, so it serves the same whether
run on its own or mounted in the hub with ``asgi(path="/dev-idp", is_mount=True)``:
Litestar then hands the mounted app ``scope["path"]`` without the prefix (and
with a trailing slash added, "/dev-idp/token" arrives as "/token/", which
routes as "/token"), leaving ``root_path`` as it was and ``raw_path`` whole.
Every URL the provider publishes or puts in a page is built from the configured
issuer, never from the request, so neither detail matters to it.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode, urlsplit

import msgspec
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey
from litestar import Litestar, Request, Response, get, post, route
from litestar.enums import HttpMethod
from litestar.exceptions import HTTPException

from sharehub.identity.devprovider import pages
from sharehub.identity.devprovider.schemas import DevProviderConfig, DevUser
from sharehub.identity.devprovider.server import (
    AUTH_METHODS,
    SIGNING_ALGORITHM,
    ChooseUser,
    DevAuthorizationServer,
    Incoming,
    Refused,
    Reply,
)

log = logging.getLogger(__name__)

SUPPORTED_GRANT_TYPES = ("authorization_code", "client_credentials")
STANDARD_SCOPES = ("openid", "profile", "email")
ID_TOKEN_CLAIMS = ("sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash")
SCOPED_CLAIMS = ("name", "email")  # with the profile and email scopes
# Claims the provider sets itself; a user's extra claims may not replace them.
RESERVED_CLAIMS = frozenset(
    {"iss", "sub", "aud", "azp", "exp", "iat", "nbf", "jti", "auth_time", "nonce", "sid"}
    | {"acr", "amr", "at_hash", "c_hash", "scope", "client_id", "name", "email"}
)
MAX_BODY_BYTES = 64 * 1024
COMMON_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Content-Type-Options": "nosniff",
    # The authorization URL carries the request; it must not leak onward.
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
HTML_HEADERS = {"Content-Security-Policy": pages.CONTENT_SECURITY_POLICY}
LOOPBACK_NAMES = frozenset({"localhost"})


def refuse_production() -> None:
    """Anyone can sign in as anyone here; never let that near real data."""
    if os.environ.get("SHAREHUB_ENV", "").strip().lower() == "production":
        raise RuntimeError(
            "The development OpenID Provider signs anyone in with one click and "
            "refuses to run with SHAREHUB_ENV=production."
        )


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_url(url: str, what: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.fragment:
        raise ValueError(f"{what} must be an absolute http(s) URL without a fragment")


def validate_config(config: DevProviderConfig) -> None:
    """Refuse a configuration that would make the provider misbehave later, naming the fault."""
    issuer = urlsplit(config.issuer)
    # OpenID Connect Discovery 1.0 section 3: https, no query, no fragment. Plain
    # http is allowed to this machine only (as Authlib and the hub allow it).
    if not (issuer.scheme == "https" and issuer.hostname) and not (
        issuer.scheme == "http" and _is_loopback(issuer.hostname)
    ):
        raise ValueError("issuer must be an https URL, or http on 127.0.0.1, ::1 or localhost")
    if issuer.query or issuer.fragment or "?" in config.issuer or "#" in config.issuer:
        raise ValueError("issuer must not have a query or a fragment")
    for name in ("id_token_lifetime_seconds", "access_token_lifetime_seconds"):
        if getattr(config, name) <= 0:
            raise ValueError(f"{name} must be positive")

    if not config.users:
        raise ValueError("users must name at least one person")
    subs = [user.sub for user in config.users]
    if len(set(subs)) != len(subs):
        raise ValueError("users must have distinct sub values")
    for user in config.users:
        if not user.sub or len(user.sub) > 255:
            raise ValueError("each user needs a sub of 1 to 255 characters")
        clashes = RESERVED_CLAIMS & set(user.claims)
        if clashes:
            raise ValueError(f"user {user.sub}: claims may not set {', '.join(sorted(clashes))}")
        try:
            msgspec.json.encode(user.claims)
        except (TypeError, msgspec.EncodeError):
            raise ValueError(f"user {user.sub}: claims must be JSON values") from None

    ids = [client.client_id for client in config.clients]
    if len(set(ids)) != len(ids):
        raise ValueError("clients must have distinct client_id values")
    for client in config.clients:
        name = f"client {client.client_id!r}"
        if not client.client_id or not client.client_secret:
            raise ValueError("each client needs a client_id and a client_secret")
        unknown = set(client.grant_types) - set(SUPPORTED_GRANT_TYPES)
        if unknown or not client.grant_types:
            raise ValueError(
                f"{name}: grant_types must be among {', '.join(SUPPORTED_GRANT_TYPES)}"
            )
        if "authorization_code" in client.grant_types:
            if not client.redirect_uris:
                raise ValueError(f"{name}: the code flow needs at least one redirect_uri")
            if "openid" not in client.scope.split():
                raise ValueError(f"{name}: the code flow needs the openid scope")
        if "client_credentials" in client.grant_types and not client.access_token_audience:
            raise ValueError(f"{name}: client_credentials needs an access_token_audience")
        for uri in [*client.redirect_uris, *client.post_logout_redirect_uris]:
            _check_url(uri, f"{name}: each redirect URI")


def load_signing_key(pem: str | None) -> RSAKey:
    parameters = {"use": "sig", "alg": SIGNING_ALGORITHM}
    if pem is None:
        key = RSAKey.generate_key(2048, parameters=parameters, private=True)  # type: ignore[arg-type]
    else:
        try:
            key = RSAKey.import_key(pem, parameters=parameters)  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError):
            raise ValueError("signing_key_pem is not an RSA key in PEM form") from None
        if not key.is_private:
            raise ValueError("signing_key_pem must be the private key")
        if key.raw_value.key_size < 2048:
            raise ValueError("signing_key_pem must be at least 2048 bits")
    key.ensure_kid()  # the RFC 7638 thumbprint: stable for a given key
    return key


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


class DevProvider:
    """The configured provider: its Authlib server and what it publishes."""

    def users_offered_to(self, client_id: str) -> list[DevUser]:
        offered = self.offered.get(client_id)
        return self.users if offered is None else [u for u in self.users if u.sub in offered]

    def __init__(self, config: DevProviderConfig) -> None:
        validate_config(config)
        self.issuer = config.issuer
        self.users = list(config.users)
        self.offered = {c.client_id: c.offered_users for c in config.clients}
        scopes = _unique(
            [*STANDARD_SCOPES, *(s for client in config.clients for s in client.scope.split())]
        )
        self.server = DevAuthorizationServer(
            issuer=config.issuer,
            users=self.users,
            clients=list(config.clients),
            signing_key=load_signing_key(config.signing_key_pem),
            scopes_supported=scopes,
            id_token_lifetime=config.id_token_lifetime_seconds,
            access_token_lifetime=config.access_token_lifetime_seconds,
        )
        extra_claims = sorted({name for user in self.users for name in user.claims})
        self.discovery = {
            "issuer": self.issuer,
            "authorization_endpoint": self.endpoint("/authorize"),
            "token_endpoint": self.endpoint("/token"),
            "jwks_uri": self.endpoint("/jwks"),
            "userinfo_endpoint": self.endpoint("/userinfo"),
            "end_session_endpoint": self.endpoint("/end_session"),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": list(SUPPORTED_GRANT_TYPES),
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [SIGNING_ALGORITHM],
            "scopes_supported": scopes,
            "token_endpoint_auth_methods_supported": list(AUTH_METHODS),
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": _unique([*ID_TOKEN_CLAIMS, *SCOPED_CLAIMS, *extra_claims]),
            "claims_parameter_supported": False,
            "request_parameter_supported": False,
            # Discovery's default for this one is true, so it must be said.
            "request_uri_parameter_supported": False,
            "authorization_response_iss_parameter_supported": True,
        }
        self.jwks = {"keys": [key.as_dict(private=False) for key in self.server.public_keys]}

    def endpoint(self, path: str) -> str:
        return self.issuer.rstrip("/") + path


def _respond(
    status: int,
    content: bytes,
    media_type: str,
    headers: Mapping[str, str] | None = None,
) -> Response[bytes]:
    merged = {**COMMON_HEADERS, **(headers or {})}
    if media_type.startswith("text/html"):
        merged.update(HTML_HEADERS)
    return Response(content, status_code=status, media_type=media_type, headers=merged)


def _json(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response[bytes]:
    return _respond(status, msgspec.json.encode(body), "application/json", headers)


def _html(status: int, text: str) -> Response[bytes]:
    return _respond(status, text.encode(), "text/html; charset=utf-8")


def _reply(reply: Reply) -> Response[bytes]:
    headers = {name: value for name, value in reply.headers if name.lower() != "content-type"}
    if isinstance(reply.body, dict):
        return _json(reply.status, reply.body, headers)
    return _respond(reply.status, reply.body.encode(), "text/plain; charset=utf-8", headers)


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    status = exc.status_code
    phrase = HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    return _json(status, {"error": phrase})


def _server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    log.error("development provider failed on %s", request.url.path, exc_info=exc)
    return _json(500, {"error": "server_error"})


def _params(multi: Any) -> dict[str, list[str]]:
    # Files in a multipart body are no OAuth parameter; only text values count.
    return {
        name: [value for value in multi.getall(name) if isinstance(value, str)]
        for name in dict.fromkeys(multi)  # each name once, in order
    }


def create_provider_app(config: DevProviderConfig) -> Litestar:
    """The development OpenID Provider as a Litestar app (see the package docstring)."""
    refuse_production()
    provider = DevProvider(config)
    server = provider.server

    async def read(request: Request[Any, Any, Any], path: str) -> Incoming:
        query = _params(request.query_params)
        form = _params(await request.form()) if request.method == "POST" else {}
        url = provider.endpoint(path)
        if query:
            url += "?" + urlencode([(k, v) for k, values in query.items() for v in values])
        return Incoming(request.method, url, request.headers, query, form)

    def authorization_answer(outcome: Reply | ChooseUser | Refused) -> Response[bytes]:
        if isinstance(outcome, Refused):
            return _html(
                400,
                pages.refused_page("Sign-in request refused", outcome.error, outcome.description),
            )
        if isinstance(outcome, ChooseUser):
            return _html(
                200,
                pages.choose_user_page(
                    provider.endpoint("/authorize"),
                    outcome.client_id,
                    outcome.params,
                    provider.users_offered_to(outcome.client_id),
                ),
            )
        return _reply(outcome)

    @get("/.well-known/openid-configuration", sync_to_thread=False)
    def discovery() -> Response[bytes]:
        return _json(200, provider.discovery)

    @get("/jwks", sync_to_thread=False)
    def jwks() -> Response[bytes]:
        return _json(200, provider.jwks)

    @get("/authorize")
    async def authorize_page(request: Request[Any, Any, Any]) -> Response[bytes]:
        return authorization_answer(server.start_authorization(await read(request, "/authorize")))

    @post("/authorize")
    async def authorize_choice(request: Request[Any, Any, Any]) -> Response[bytes]:
        incoming = await read(request, "/authorize")
        return authorization_answer(server.complete_authorization(incoming))

    @post("/token")
    async def token(request: Request[Any, Any, Any]) -> Response[bytes]:
        return _reply(server.token(await read(request, "/token")))

    # OpenID Connect Core 5.3.1: the userinfo endpoint answers GET and POST.
    @route("/userinfo", http_method=[HttpMethod.GET, HttpMethod.POST])
    async def userinfo(request: Request[Any, Any, Any]) -> Response[bytes]:
        return _reply(server.userinfo(await read(request, "/userinfo")))

    # RP-Initiated Logout 1.0 section 2: GET and POST.
    @route("/end_session", http_method=[HttpMethod.GET, HttpMethod.POST])
    async def end_session(request: Request[Any, Any, Any]) -> Response[bytes]:
        outcome = server.end_session_request(await read(request, "/end_session"))
        if outcome is None:
            return _html(200, pages.signed_out_page())
        if isinstance(outcome, Refused):
            return _html(
                400, pages.refused_page("Sign-out refused", outcome.error, outcome.description)
            )
        return _reply(outcome)

    return Litestar(
        route_handlers=[
            discovery,
            jwks,
            authorize_page,
            authorize_choice,
            token,
            userinfo,
            end_session,
        ],
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=None,  # no API document for the development provider
        debug=False,
    )
