"""The development provider's configuration: fictional staff and the clients they sign in to."""

from __future__ import annotations

import msgspec


class DevUser(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A fictional member of staff who can be signed in with one click."""

    sub: str  # stable subject identifier, e.g. "kpol-0001"
    name: str
    email: str
    # Extra claims put in the ID token and the userinfo answer,
    # e.g. {"sharehub_agency": "KPOL", "sharehub_roles": ["practitioner"]}.
    claims: dict[str, object] = {}


class DevClient(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A registered client; every one is confidential (it has a secret)."""

    client_id: str
    client_secret: str
    redirect_uris: list[str] = []
    post_logout_redirect_uris: list[str] = []
    # "authorization_code" and/or "client_credentials" (msgspec needs a factory
    # for a non-empty list default).
    grant_types: list[str] = msgspec.field(default_factory=lambda: ["authorization_code"])
    scope: str = "openid profile email"  # the scopes this client may ask for
    # The 'aud' of the JWT access tokens issued to it by the client credentials grant.
    access_token_audience: str | None = None
    # Whom the chooser page offers for this client (subs); None offers everyone.
    # Only a convenience: anyone may still be signed in with login_hint.
    offered_users: list[str] | None = None


class DevProviderConfig(msgspec.Struct, forbid_unknown_fields=True):
    # Every URL the provider publishes is built from this, never from the request,
    # so it answers the same whether mounted inside the hub or run on its own.
    issuer: str
    users: list[DevUser]
    clients: list[DevClient]
    signing_key_pem: str | None = None  # RSA private key; a 2048-bit one is generated if None
    id_token_lifetime_seconds: int = 300
    access_token_lifetime_seconds: int = 300
