"""Checks on ID tokens and access tokens, done by our code, not library defaults.

Pure functions: the caller hands in the keys, the expectations and the time.
Each rejection names the rule broken (never the token's contents), so it can be
shown, logged and tested.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

# Asymmetric algorithms only: "none" is never acceptable, and HMAC algorithms
# would let anyone holding the provider's *public* key forge a token.
ALLOWED_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
MAX_LEEWAY_SECONDS = 60
MAX_TOKEN_BYTES = 16_384


class TokenRejected(Exception):
    """A token failed a check; ``reason`` says which, in words safe to show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnknownSigningKey(TokenRejected):
    """The token names a key the provider's JWKS does not (yet) hold."""


@dataclass(frozen=True)
class Expectations:
    issuer: str
    audience: str
    algorithms: Collection[str]
    now: float
    leeway: int = MAX_LEEWAY_SECONDS


def read_header(token: str) -> dict[str, Any]:
    """The JOSE header, unverified: only to choose the key and refuse bad algorithms."""
    if len(token) > MAX_TOKEN_BYTES:
        raise TokenRejected("token is too large")
    try:
        return dict(jws.extract_compact(token.encode()).protected)
    except (JoseError, ValueError, TypeError):
        raise TokenRejected("token is not a well-formed signed JWT") from None


def _verify_signature(token: str, keys: KeySet, expect: Expectations) -> dict[str, Any]:
    header = read_header(token)
    algorithm = header.get("alg")
    allowed = set(expect.algorithms) & ALLOWED_ALGORITHMS
    if algorithm not in allowed:
        raise TokenRejected(f"signing algorithm {algorithm!r} is not allowed")
    kid = header.get("kid")
    if kid is not None and not any(key.kid == kid for key in keys):
        raise UnknownSigningKey("token is signed with a key the provider does not publish")
    try:
        decoded = jwt.decode(token, keys, algorithms=sorted(allowed))
    except JoseError as exc:
        raise TokenRejected(f"signature check failed ({exc.error})") from None
    claims = decoded.claims
    if not isinstance(claims, dict):
        raise TokenRejected("token claims are not a JSON object")
    return claims


def _number(claims: Mapping[str, Any], name: str, *, required: bool) -> float | None:
    value = claims.get(name)
    if value is None:
        if required:
            raise TokenRejected(f"token has no {name}")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TokenRejected(f"token {name} is not a number")
    return float(value)


def _check_times(claims: Mapping[str, Any], expect: Expectations) -> None:
    leeway = min(expect.leeway, MAX_LEEWAY_SECONDS)
    exp = _number(claims, "exp", required=True)
    iat = _number(claims, "iat", required=True)
    nbf = _number(claims, "nbf", required=False)
    if expect.now > exp + leeway:  # type: ignore[operator]
        raise TokenRejected("token has expired")
    if iat > expect.now + leeway:  # type: ignore[operator]
        raise TokenRejected("token is issued in the future")
    if nbf is not None and nbf > expect.now + leeway:
        raise TokenRejected("token is not valid yet")


def _audiences(claims: Mapping[str, Any]) -> list[str]:
    aud = claims.get("aud")
    if isinstance(aud, str):
        return [aud]
    if isinstance(aud, list) and aud and all(isinstance(a, str) for a in aud):
        return aud
    raise TokenRejected("token has no valid aud")


def _subject(claims: Mapping[str, Any]) -> str:
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub or len(sub) > 255:
        raise TokenRejected("token has no valid sub")
    return sub


def validate_id_token(
    token: str, keys: KeySet, expect: Expectations, *, nonce: str
) -> dict[str, Any]:
    """OpenID Connect Core 1.0 section 3.1.3.7, for a confidential client."""
    claims = _verify_signature(token, keys, expect)
    if claims.get("iss") != expect.issuer:
        raise TokenRejected("token issuer is not the configured issuer")
    audiences = _audiences(claims)
    if expect.audience not in audiences:
        raise TokenRejected("token is not addressed to this hub (aud)")
    azp = claims.get("azp")
    if len(audiences) > 1 and azp is None:
        raise TokenRejected("token has several audiences but no azp")
    if azp is not None and azp != expect.audience:
        raise TokenRejected("token was issued to another client (azp)")
    _check_times(claims, expect)
    if claims.get("nonce") != nonce:
        raise TokenRejected("token nonce does not match this login")
    _subject(claims)
    return claims


ACCESS_TOKEN_TYPES = frozenset({"at+jwt", "application/at+jwt", "jwt"})


def validate_access_token(token: str, keys: KeySet, expect: Expectations) -> dict[str, Any]:
    """RFC 9068 (JWT access tokens), as a resource server with pinned issuer and audience."""
    typ = read_header(token).get("typ")
    if typ is not None and str(typ).lower() not in ACCESS_TOKEN_TYPES:
        raise TokenRejected("token is not an access token")
    claims = _verify_signature(token, keys, expect)
    if claims.get("iss") != expect.issuer:
        raise TokenRejected("token issuer is not the configured issuer")
    if expect.audience not in _audiences(claims):
        raise TokenRejected("token is not addressed to this hub (aud)")
    _check_times(claims, expect)
    if "nonce" in claims:
        raise TokenRejected("an ID token is not an access token")
    return claims


def token_client_id(claims: Mapping[str, Any]) -> str:
    """The client a token was issued to: RFC 9068 client_id, else azp (Keycloak), appid (Entra v1)."""
    for name in ("client_id", "azp", "appid"):
        value = claims.get(name)
        if isinstance(value, str) and value:
            return value
    raise TokenRejected("token does not say which client it was issued to")


def token_scopes(claims: Mapping[str, Any]) -> frozenset[str]:
    """Scopes from ``scope`` (space-separated, RFC 9068) or ``scp`` (string or list, Entra)."""
    value = claims.get("scope", claims.get("scp", ""))
    if isinstance(value, str):
        return frozenset(value.split())
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return frozenset(value)
    raise TokenRejected("token scope is malformed")
