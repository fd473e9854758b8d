"""The OAuth 2.0 and OpenID Connect rules, on Authlib's server-side classes.

Authlib has no Litestar integration, so this module supplies what one would
(compare ``authlib/integrations/flask_oauth2``): a request type Authlib can read,
built from what the web layer has already parsed, and responses as plain
``Reply`` values the web layer turns into Litestar responses.

All state is in memory and nothing here awaits, so every Authlib call runs to
the end on the event loop without another request interleaving: a code is
checked and spent in one step.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from authlib.consts import default_json_headers
from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    ClientMixin,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Error,
    OAuth2Payload,
    OAuth2Request,
    ResourceProtector,
    TokenMixin,
    UnsupportedResponseTypeError,
    list_to_scope,
    scope_to_list,
)
from authlib.oauth2.rfc6749.errors import MissingAuthorizationError
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant, ClientCredentialsGrant
from authlib.oauth2.rfc6750 import BearerTokenGenerator, BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7636.challenge import compare_s256_code_challenge
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
from authlib.oauth2.rfc9207 import IssuerParameter
from authlib.oidc.core import AuthorizationCodeMixin, OpenIDCode
from authlib.oidc.core.errors import RequestNotSupportedError, RequestURINotSupportedError
from authlib.oidc.rpinitiated import EndSessionEndpoint, EndSessionRequest
from joserfc.jwk import KeySet, RSAKey

from sharehub.identity.devprovider.schemas import DevClient, DevUser

SIGNING_ALGORITHM = "RS256"
# RFC 6749 section 4.1.2 recommends at most ten minutes; a script needs seconds.
CODE_LIFETIME_SECONDS = 120
AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


@dataclass(frozen=True)
class Incoming:
    """One HTTP request as the web layer read it, ready for Authlib."""

    method: str
    url: str  # the endpoint's public URL (built from the issuer) with the query string
    headers: Mapping[str, str]  # case-insensitive (Litestar's Headers)
    query: dict[str, list[str]]
    form: dict[str, list[str]]

    @property
    def params(self) -> dict[str, list[str]]:
        """The OAuth parameters: the query of a GET, the form body of a POST."""
        return self.form if self.method == "POST" else self.query


def _first(params: dict[str, list[str]]) -> dict[str, str]:
    return {name: values[0] for name, values in params.items() if values}


class _Payload(OAuth2Payload):
    def __init__(self, params: dict[str, list[str]]) -> None:
        self._datalist = params
        self._data = _first(params)

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> dict[str, list[str]]:  # type: ignore[override]
        return self._datalist


class DevOAuth2Request(OAuth2Request):
    def __init__(self, incoming: Incoming) -> None:
        super().__init__(method=incoming.method, uri=incoming.url, headers=incoming.headers)
        self.payload = _Payload(incoming.params)
        self._args = _first(incoming.query)
        self._form = _first(incoming.form)

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


@dataclass
class Reply:
    """An HTTP answer from Authlib: ``(status, body, headers)`` with a settable location."""

    status: int
    body: str | dict[str, Any]
    headers: list[tuple[str, str]]

    @property
    def location(self) -> str | None:
        return next((v for k, v in self.headers if k.lower() == "location"), None)

    @location.setter
    def location(self, value: str) -> None:
        # Authlib's RFC 9207 extension rewrites the redirect to add ``iss``.
        self.headers = [(k, v) for k, v in self.headers if k.lower() != "location"]
        self.headers.append(("Location", value))


@dataclass(frozen=True)
class ChooseUser:
    """A valid authorization request: ask the person whom to sign in as."""

    client_id: str
    params: list[tuple[str, str]]  # the original request, to send back in hidden fields


@dataclass(frozen=True)
class Refused:
    """A request that cannot be answered at the client's redirect_uri (RFC 6749 4.1.2.1)."""

    error: str
    description: str


def user_claims(user: DevUser, scope: str | None) -> dict[str, Any]:
    """What the ID token and userinfo say about a person, for the granted scope."""
    scopes = set(scope_to_list(scope) or [])
    claims: dict[str, Any] = {"sub": user.sub}
    if "profile" in scopes:
        claims["name"] = user.name
    if "email" in scopes:
        claims["email"] = user.email
    # The extra claims (agency, roles) are how the hub decides who someone is,
    # so they go out whatever the scope; configuration keeps them off the
    # standard names above.
    claims.update(user.claims)
    return claims


class RegisteredClient(ClientMixin):
    """Authlib's view of a configured client. Every client is confidential."""

    def __init__(self, registration: DevClient) -> None:
        self.registration = registration
        self.client_id = registration.client_id
        # Read by Authlib's RP-Initiated Logout endpoint.
        self.client_metadata = {
            "post_logout_redirect_uris": list(registration.post_logout_redirect_uris)
        }

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        # OpenID Connect requires redirect_uri in every authorization request.
        return None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        allowed = scope_to_list(self.registration.scope) or []
        if not scope:
            return list_to_scope(allowed)
        requested = scope_to_list(scope) or []
        # Asking for more than was registered is refused rather than quietly narrowed.
        if not set(requested) <= set(allowed):
            return None
        return list_to_scope(requested)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.registration.redirect_uris  # exact string match

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(client_secret.encode(), self.registration.client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and self.check_grant_type("authorization_code")

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.registration.grant_types


@dataclass
class IssuedCode(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    sub: str
    nonce: str | None
    code_challenge: str
    code_challenge_method: str
    auth_time: int
    expires_at: float
    used: bool = False

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time


@dataclass
class IssuedToken(TokenMixin):
    """An opaque access token from the code flow, good for the userinfo endpoint."""

    access_token: str
    client_id: str
    sub: str
    scope: str
    expires_at: float
    code: str
    revoked: bool = False

    def check_client(self, client: ClientMixin) -> bool:
        return client.get_client_id() == self.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return max(0, int(self.expires_at - time.time()))

    def is_expired(self) -> bool:
        return time.time() >= self.expires_at

    def is_revoked(self) -> bool:
        return self.revoked


@dataclass
class Store:
    codes: dict[str, IssuedCode] = field(default_factory=dict)
    tokens: dict[str, IssuedToken] = field(default_factory=dict)

    def purge(self, now: float) -> None:
        """Forget what has expired, so a long-running demo does not grow."""
        self.codes = {k: c for k, c in self.codes.items() if c.expires_at > now}
        self.tokens = {k: t for k, t in self.tokens.items() if t.expires_at > now}

    def revoke(self, predicate: Callable[[IssuedToken], bool]) -> None:
        for token in self.tokens.values():
            if predicate(token):
                token.revoked = True


class RequiredS256(CodeChallenge):
    """PKCE on every authorization request, S256 only (RFC 9700 section 2.1.1).

    Authlib's ``required=True`` insists on a verifier from public clients only;
    here every client must send a challenge, confidential ones included.
    """

    SUPPORTED_CODE_CHALLENGE_METHOD: ClassVar[list[str]] = ["S256"]
    CODE_CHALLENGE_METHODS: ClassVar[dict[str, Callable[[str, str], bool]]] = {
        "S256": compare_s256_code_challenge
    }

    def validate_code_challenge(self, grant: AuthorizationCodeGrant, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send a code_challenge.")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("code_challenge_method must be S256.")
        super().validate_code_challenge(grant, redirect_uri)


class CodeGrant(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
    server: DevAuthorizationServer

    @staticmethod
    def validate_authorization_redirect_uri(request: OAuth2Request, client: ClientMixin) -> str:
        # Authlib's own message quotes the URI, and an error description may not
        # hold characters such as '"'; say the same without quoting it.
        redirect_uri = request.payload.redirect_uri
        if not redirect_uri:
            raise InvalidRequestError("Missing redirect_uri.", state=request.payload.state)
        if not client.check_redirect_uri(redirect_uri):
            raise InvalidRequestError(
                "redirect_uri is not registered for this client.", state=request.payload.state
            )
        return redirect_uri

    def validate_authorization_request(self) -> str:
        redirect_uri = super().validate_authorization_request()
        data = self.request.payload.data
        if "openid" not in (scope_to_list(data.get("scope")) or []):
            raise InvalidScopeError("The openid scope is required.", redirect_uri=redirect_uri)
        # Request objects are not supported, and discovery says so (OIDC Core 6).
        if "request" in data:
            raise RequestNotSupportedError(redirect_uri=redirect_uri)
        if "request_uri" in data:
            raise RequestURINotSupportedError(redirect_uri=redirect_uri)
        return redirect_uri

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        data = request.payload.data
        now = time.time()
        self.server.store.purge(now)
        self.server.store.codes[code] = IssuedCode(
            code=code,
            client_id=request.client.get_client_id(),
            redirect_uri=request.payload.redirect_uri,
            scope=request.scope,
            sub=request.user.sub,
            nonce=data.get("nonce"),
            code_challenge=data["code_challenge"],
            code_challenge_method=data["code_challenge_method"],
            auth_time=int(now),
            expires_at=now + CODE_LIFETIME_SECONDS,
        )

    def query_authorization_code(self, code: str, client: ClientMixin) -> IssuedCode | None:
        issued = self.server.store.codes.get(code)
        if issued is None or issued.client_id != client.get_client_id():
            return None
        if issued.used:
            # RFC 6749 section 4.1.2: a code used twice is refused, and the
            # tokens it was exchanged for are revoked.
            self.server.store.revoke(lambda token: token.code == code)
            return None
        if issued.expires_at <= time.time():
            return None
        return issued

    def delete_authorization_code(self, authorization_code: IssuedCode) -> None:
        # Kept (marked used) until it expires, so a second use can be recognised.
        authorization_code.used = True

    def authenticate_user(self, authorization_code: IssuedCode) -> DevUser | None:
        return self.server.users.get(authorization_code.sub)


class IdTokens(OpenIDCode):
    """ID tokens for the code flow, signed RS256 with the provider's key."""

    def __init__(self, server: DevAuthorizationServer) -> None:
        super().__init__(require_nonce=False)  # OIDC Core: nonce is optional for the code flow
        self.server = server

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        # A nonce already bound to a code for this client means a replayed request.
        client_id = request.payload.client_id
        return any(
            c.nonce == nonce and c.client_id == client_id for c in self.server.store.codes.values()
        )

    def resolve_client_private_key(self, client: ClientMixin) -> KeySet:
        return self.server.private_keys

    def get_client_algorithm(self, client: ClientMixin) -> str:
        return SIGNING_ALGORITHM

    def get_encode_header(self, client: ClientMixin) -> dict[str, str]:
        return {"alg": SIGNING_ALGORITHM, "kid": self.server.kid}

    def get_client_claims(self, client: ClientMixin) -> dict[str, Any]:
        return {
            "iss": self.server.issuer,
            "aud": client.get_client_id(),
            "exp": int(time.time()) + self.server.id_token_lifetime,
        }

    def generate_user_info(self, user: DevUser, scope: str) -> dict[str, Any]:
        return user_claims(user, scope)


class ClientCredentials(ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS


class JWTAccessTokens(JWTBearerTokenGenerator):
    """RFC 9068 access tokens (``typ: at+jwt``) for the client credentials grant."""

    def __init__(self, server: DevAuthorizationServer) -> None:
        lifetime = server.access_token_lifetime
        super().__init__(
            issuer=server.issuer,
            alg=SIGNING_ALGORITHM,
            expires_generator=lambda client, grant_type: lifetime,
        )
        self.server = server

    def get_jwks(self) -> KeySet:
        # A key set (not the bare key) makes joserfc put the key's kid in the header.
        return self.server.private_keys

    def get_audiences(self, client: RegisteredClient, user: object, scope: str) -> str:
        audience = client.registration.access_token_audience
        assert audience is not None  # checked when the provider was configured
        return audience


class IssuerInResponses(IssuerParameter):
    """RFC 9207: ``iss`` on every authorization response, errors included."""

    def __init__(self, issuer: str) -> None:
        self.issuer = issuer

    def get_issuer(self) -> str:
        return self.issuer


class StoredTokens(BearerTokenValidator):
    def __init__(self, store: Store, realm: str) -> None:
        super().__init__(realm=realm)
        self.store = store

    def authenticate_token(self, token_string: str) -> IssuedToken | None:
        return self.store.tokens.get(token_string)


class EndSession(EndSessionEndpoint):
    """OpenID Connect RP-Initiated Logout 1.0."""

    server: DevAuthorizationServer

    def get_server_jwks(self) -> KeySet:
        return self.server.public_keys

    def get_algorithms(self) -> list[str]:
        return [SIGNING_ALGORITHM]

    def validate_request(self, request: OAuth2Request) -> EndSessionRequest:
        validated = super().validate_request(request)
        data = request.payload.data
        hint = validated.id_token_claims
        if hint is not None and hint.get("iss") != self.server.issuer:
            raise InvalidRequestError("id_token_hint was not issued by this provider.")
        if data.get("client_id") and validated.client is None:
            raise InvalidRequestError("Unknown client_id.")
        # Authlib skips the redirect for an unregistered URI; refuse instead, so
        # a misconfigured client finds out at once (RP-Initiated Logout section 4).
        if data.get("post_logout_redirect_uri") and validated.redirect_uri is None:
            raise InvalidRequestError("post_logout_redirect_uri is not registered for this client.")
        return validated

    def is_post_logout_redirect_uri_legitimate(
        self,
        request: OAuth2Request,
        post_logout_redirect_uri: str,
        client: ClientMixin,
        logout_hint: str | None,
    ) -> bool:
        # The URI is registered for the named client (Authlib checked that
        # first), which is confirmation enough for a development provider.
        return True

    def end_session(self, end_session_request: EndSessionRequest) -> None:
        # No browser session is kept here (every sign-in shows the chooser), so
        # ending one means revoking what the signed-out person holds at this client.
        claims = end_session_request.id_token_claims
        client = end_session_request.client
        if claims and client:
            self.server.store.revoke(
                lambda t: t.sub == claims.get("sub") and t.client_id == client.get_client_id()
            )


class DevAuthorizationServer(AuthorizationServer):
    """Authlib's authorization server, wired to in-memory state and ``Reply`` values."""

    def __init__(
        self,
        *,
        issuer: str,
        users: list[DevUser],
        clients: list[DevClient],
        signing_key: RSAKey,
        scopes_supported: list[str],
        id_token_lifetime: int,
        access_token_lifetime: int,
    ) -> None:
        super().__init__(scopes_supported=scopes_supported)
        self.issuer = issuer
        self.users = {user.sub: user for user in users}
        self.clients = {client.client_id: RegisteredClient(client) for client in clients}
        self.kid = str(signing_key.kid)
        self.private_keys = KeySet([signing_key])
        self.public_keys = KeySet.import_key_set({"keys": [signing_key.as_dict(private=False)]})
        self.id_token_lifetime = id_token_lifetime
        self.access_token_lifetime = access_token_lifetime
        self.store = Store()

        self.register_token_generator(
            "authorization_code",
            BearerTokenGenerator(
                lambda **_: secrets.token_urlsafe(32),
                expires_generator=lambda client, grant_type: access_token_lifetime,
            ),
        )
        self.register_token_generator("client_credentials", JWTAccessTokens(self))
        self.register_grant(CodeGrant, [RequiredS256(required=True), IdTokens(self)])
        self.register_grant(ClientCredentials)
        self.issuer_parameter = IssuerInResponses(issuer)
        self.register_extension(self.issuer_parameter)
        self.register_endpoint(EndSession)
        self.resource_protector = ResourceProtector()
        self.resource_protector.register_token_validator(StoredTokens(self.store, realm=issuer))

    # -- what a framework integration provides --

    def query_client(self, client_id: str) -> RegisteredClient | None:
        return self.clients.get(client_id)

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        # Only code-flow tokens are remembered (for userinfo); client credentials
        # tokens are self-contained JWTs.
        if request.user is None or request.authorization_code is None:
            return
        now = time.time()
        self.store.purge(now)
        self.store.tokens[token["access_token"]] = IssuedToken(
            access_token=token["access_token"],
            client_id=request.client.get_client_id(),
            sub=request.user.sub,
            scope=token.get("scope", ""),
            expires_at=now + int(token["expires_in"]),
            code=request.authorization_code.code,
        )

    def create_oauth2_request(self, request: Incoming | OAuth2Request) -> OAuth2Request:
        if isinstance(request, OAuth2Request):
            return request
        return DevOAuth2Request(request)

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> Reply:
        return Reply(status, body, list(headers))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """Authlib's signals (after client authentication, ...) have no listeners here."""

    # -- the endpoints, in the terms the web layer needs --

    def start_authorization(self, incoming: Incoming) -> Reply | ChooseUser | Refused:
        """GET /authorize: validate, then sign in the ``login_hint`` user or ask whom."""
        hinted = self.users.get(_first(incoming.params).get("login_hint", ""))
        request = self.create_oauth2_request(incoming)
        try:
            grant = self.get_consent_grant(request, end_user=hinted)
        except OAuth2Error as error:
            return self._authorization_error(request, error)
        # Authlib sets grant.prompt when the request asks for interaction
        # (prompt=login, consent, select_account) or nobody is known yet.
        if hinted is not None and grant.prompt is None:
            return self._answer(self.create_authorization_response(request, hinted, grant))
        params = [(k, v) for k, values in incoming.params.items() for v in values if k != "user"]
        return ChooseUser(client_id=request.payload.client_id, params=params)

    def complete_authorization(self, incoming: Incoming) -> Reply | Refused:
        """POST /authorize: the person chose whom to sign in as, or cancelled."""
        chosen = self.users.get(_first(incoming.params).get("user", ""))
        request = self.create_oauth2_request(incoming)
        try:
            grant = self.get_consent_grant(request, end_user=chosen)
        except OAuth2Error as error:
            return self._authorization_error(request, error)
        # Nobody chosen (Cancel, or an unknown name): Authlib answers access_denied.
        return self._answer(self.create_authorization_response(request, chosen, grant))

    def _authorization_error(self, request: OAuth2Request, error: OAuth2Error) -> Reply | Refused:
        if not error.redirect_uri:
            if isinstance(error, UnsupportedResponseTypeError):
                # Authlib's own description of this one is garbled.
                return Refused(str(error.error), "Only response_type=code is supported.")
            return Refused(str(error.error), str(error.description or ""))
        reply = self.handle_error_response(request, error)
        self.issuer_parameter.add_issuer_parameter(self, reply)
        return reply

    @staticmethod
    def _answer(reply: Reply) -> Reply | Refused:
        if reply.location or not isinstance(reply.body, dict):
            return reply
        return Refused(str(reply.body.get("error")), str(reply.body.get("error_description", "")))

    def token(self, incoming: Incoming) -> Reply:
        reply = self.create_token_response(incoming)
        authorization = incoming.headers.get("Authorization", "")
        if reply.status == 401 and authorization.lower().startswith("basic "):
            # RFC 6749 section 5.2: failed HTTP Basic authentication gets a challenge.
            reply.headers.append(("WWW-Authenticate", f'Basic realm="{self.issuer}"'))
        return reply

    def userinfo(self, incoming: Incoming) -> Reply:
        request = self.create_oauth2_request(incoming)
        try:
            token = self.resource_protector.validate_request(["openid"], request)
        except MissingAuthorizationError:
            # RFC 6750 section 3.1: no credentials at all gets a challenge without an error code.
            return Reply(401, "", [("WWW-Authenticate", f'Bearer realm="{self.issuer}"')])
        except OAuth2Error as error:
            return self.handle_error_response(request, error)
        user = self.users[token.sub]
        return Reply(200, user_claims(user, token.scope), list(default_json_headers))

    def end_session_request(self, incoming: Incoming) -> Reply | Refused | None:
        """RP-initiated logout: a redirect, a refusal, or None (show "signed out")."""
        try:
            validated = self.validate_endpoint_request("end_session", incoming)
        except OAuth2Error as error:
            return Refused(str(error.error), str(error.description or ""))
        return self.create_endpoint_response("end_session", validated)
