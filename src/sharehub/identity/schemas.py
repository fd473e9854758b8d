"""What the identity API takes and returns. Client secrets go in, never out."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from sharehub.disclosure.gated import AgencyName, Code, Configuration, Explanation, StaffName
from sharehub.access.roles import Role
from sharehub.fields import PRINTABLE, Name

Slug = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[a-z0-9][a-z0-9-]{1,63}$",
        description="Lower-case letters, digits and hyphens; names the provider in URLs",
    ),
]
Url = Annotated[str, msgspec.Meta(max_length=500, pattern=r"^https?://[^\s]+$")]
ClientId = Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=PRINTABLE)]
Secret = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
Scope = Annotated[str, msgspec.Meta(pattern=r"^[\x21\x23-\x5b\x5d-\x7e]{1,100}$")]
Domain = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9.-]{1,253}$")]
Algorithm = Literal[
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"
]
AuthMethod = Literal["client_secret_basic", "client_secret_post", "none"]
ClaimName = Annotated[Configuration, msgspec.Meta(min_length=1, max_length=100, pattern=PRINTABLE)]
ClaimValue = Annotated[Configuration, msgspec.Meta(min_length=1, max_length=200, pattern=PRINTABLE)]


class AgencyClaim(msgspec.Struct, forbid_unknown_fields=True):
    """A claim whose value ties a login to the agency (e.g. a tenant id)."""

    name: ClaimName
    value: ClaimValue


class RoleMapping(msgspec.Struct, forbid_unknown_fields=True):
    """Values of one claim (string or list) mapped to hub roles."""

    claim: ClaimName
    roles: Annotated[dict[ClaimValue, Role], msgspec.Meta(max_length=100)]


class ProviderCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    slug: Slug
    display_name: Name
    agency_id: uuid.UUID
    issuer: Url
    client_id: ClientId
    client_secret: Secret | None = None
    token_endpoint_auth_method: AuthMethod = "client_secret_basic"
    scopes: Annotated[list[Scope], msgspec.Meta(min_length=1, max_length=20)] = msgspec.field(
        default_factory=lambda: ["openid", "profile", "email"]
    )
    signing_algorithms: Annotated[list[Algorithm], msgspec.Meta(min_length=1)] = msgspec.field(
        default_factory=lambda: ["RS256"]
    )
    allowed_email_domains: Annotated[list[Domain], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )
    agency_claim: AgencyClaim | None = None
    role_mapping: RoleMapping | None = None
    accepts_machine_tokens: bool = False


class ProviderUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    display_name: Name | msgspec.UnsetType = msgspec.UNSET
    client_id: ClientId | msgspec.UnsetType = msgspec.UNSET
    client_secret: Secret | msgspec.UnsetType = msgspec.UNSET
    token_endpoint_auth_method: AuthMethod | msgspec.UnsetType = msgspec.UNSET
    scopes: (
        Annotated[list[Scope], msgspec.Meta(min_length=1, max_length=20)] | msgspec.UnsetType
    ) = msgspec.UNSET
    signing_algorithms: (
        Annotated[list[Algorithm], msgspec.Meta(min_length=1)] | msgspec.UnsetType
    ) = msgspec.UNSET
    allowed_email_domains: (
        Annotated[list[Domain], msgspec.Meta(max_length=20)] | msgspec.UnsetType
    ) = msgspec.UNSET
    agency_claim: AgencyClaim | None | msgspec.UnsetType = msgspec.UNSET
    role_mapping: RoleMapping | None | msgspec.UnsetType = msgspec.UNSET
    accepts_machine_tokens: bool | msgspec.UnsetType = msgspec.UNSET


class ProviderView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    slug: Configuration
    display_name: Configuration
    agency_id: uuid.UUID
    issuer: Configuration
    client_id: Configuration
    client_secret_set: bool
    token_endpoint_auth_method: Configuration
    scopes: list[Configuration]
    signing_algorithms: list[Configuration]
    allowed_email_domains: list[Configuration]
    agency_claim: AgencyClaim | None
    role_mapping: RoleMapping | None
    accepts_machine_tokens: bool
    redirect_uri: Configuration
    post_logout_redirect_uri: Configuration
    active: bool
    version: int


class PublicProvider(msgspec.Struct, kw_only=True):
    """What the sign-in page shows: no ids of clients, no configuration."""

    slug: Configuration
    display_name: Configuration
    agency_name: AgencyName
    login_url: Configuration


class MachineClientCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name
    provider_id: uuid.UUID
    client_id: ClientId
    allowed_scopes: Annotated[list[Scope], msgspec.Meta(max_length=100)]


class MachineClientView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: Configuration
    provider_id: uuid.UUID
    agency_id: uuid.UUID
    client_id: Configuration
    allowed_scopes: list[Configuration]
    active: bool
    version: int


class RoleView(msgspec.Struct):
    role: Code
    agency_id: uuid.UUID | None
    area: Configuration | None
    source: Code


class MeView(msgspec.Struct, kw_only=True):
    kind: Literal["user", "machine"]
    id: uuid.UUID
    display_name: StaffName
    agency_id: uuid.UUID
    agency_name: AgencyName
    roles: list[RoleView]
    scopes: list[Configuration]
    # For a person with no role yet: whom to ask.
    ask: Explanation | None = None
    session_expires_at: datetime | None = None


class UserView(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    display_name: StaffName
    agency_id: uuid.UUID
    active: bool
    last_login_at: datetime | None
